//! A chain of providers: the first that has credentials wins.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;

use super::{
    Credentials, EnvProvider, EnvVars, ProvideCredentials, StaticProvider, is_not_found, not_found,
    provide,
};
use crate::error::Error;

/// Tries providers in order; the first that yields credentials wins. A provider with nothing
/// to offer ([`is_not_found`]) passes to the next; any other error stops the chain there.
/// When every provider has nothing, the error lists what each said.
///
/// The provider that answered is remembered for [`describe`](ProvideCredentials::describe)
/// and logged at debug level (target `cert_common::credentials`) whenever it changes; the log
/// names the source, never a secret.
#[derive(Debug)]
pub struct ChainProvider {
    providers: Vec<Arc<dyn ProvideCredentials>>,
    /// Index of the provider that answered last, or `usize::MAX`.
    chosen: AtomicUsize,
}

impl Clone for ChainProvider {
    fn clone(&self) -> Self {
        ChainProvider {
            providers: self.providers.clone(),
            chosen: AtomicUsize::new(self.chosen.load(Ordering::Relaxed)),
        }
    }
}

impl ChainProvider {
    /// A chain of `providers`, tried in order.
    pub fn new(providers: Vec<Arc<dyn ProvideCredentials>>) -> Self {
        ChainProvider {
            providers,
            chosen: AtomicUsize::new(usize::MAX),
        }
    }

    /// Explicit credentials if given, then the environment's `vars`. Each vendor's full
    /// default chain is `cert_common::providers::<vendor>::credentials::default_chain`.
    pub fn default_for(explicit: Option<Credentials>, vars: EnvVars) -> Self {
        let mut providers: Vec<Arc<dyn ProvideCredentials>> = Vec::new();
        if let Some(c) = explicit {
            providers.push(Arc::new(StaticProvider::new(c)));
        }
        providers.push(Arc::new(EnvProvider::new(vars)));
        ChainProvider::new(providers)
    }

    /// The providers, in order.
    pub fn providers(&self) -> &[Arc<dyn ProvideCredentials>] {
        &self.providers
    }

    fn chose(&self, i: usize) {
        if self.chosen.load(Ordering::Relaxed) != i {
            self.chosen.store(i, Ordering::Relaxed);
            tracing::debug!(
                target: "cert_common::credentials",
                source = %self.providers[i].describe(),
                "credentials chosen"
            );
        }
    }
}

#[async_trait]
impl ProvideCredentials for ChainProvider {
    async fn provide(&self) -> Result<Credentials, Error> {
        let mut reasons = Vec::new();
        for (i, p) in self.providers.iter().enumerate() {
            match provide(p.as_ref()).await {
                Ok(c) => {
                    self.chose(i);
                    return Ok(c);
                }
                Err(e) if is_not_found(&e) => reasons.push(e.message().to_string()),
                Err(e) => return Err(e),
            }
        }
        Err(all_failed(&reasons))
    }

    /// Answers at once while every provider it has to ask does.
    fn provide_now(&self) -> Option<Result<Credentials, Error>> {
        let mut reasons = Vec::new();
        for (i, p) in self.providers.iter().enumerate() {
            match p.provide_now()? {
                Ok(c) => {
                    self.chose(i);
                    return Some(Ok(c));
                }
                Err(e) if is_not_found(&e) => reasons.push(e.message().to_string()),
                Err(e) => return Some(Err(e)),
            }
        }
        Some(Err(all_failed(&reasons)))
    }

    /// The first provider's fixed credentials: the chain never gets past it.
    fn fixed(&self) -> Option<&Credentials> {
        self.providers.first()?.fixed()
    }

    /// Passed to every provider (only the one that gave `refused` holds them).
    fn invalidate(&self, refused: &Credentials) {
        for p in &self.providers {
            p.invalidate(refused);
        }
    }

    /// Whether the provider that answered last is (keys from the environment or a file are
    /// not fetched again by a retry).
    fn refreshable(&self) -> bool {
        self.providers
            .get(self.chosen.load(Ordering::Relaxed))
            .is_some_and(|p| p.refreshable())
    }

    /// The provider that answered last; before any answer, the list of sources in order.
    fn describe(&self) -> String {
        match self.providers.get(self.chosen.load(Ordering::Relaxed)) {
            Some(p) => p.describe(),
            None => {
                let all: Vec<String> = self.providers.iter().map(|p| p.describe()).collect();
                format!("the first of: {}", all.join(", "))
            }
        }
    }
}

/// The sources each vendor's default chain starts with: `explicit` credentials if given,
/// then the environment's `vars` unless a profile was named (a named profile replaces them,
/// see `docs/credentials.md`), then `profile`.
pub fn standard_sources(
    explicit: Option<Credentials>,
    profile_named: bool,
    vars: EnvVars,
    env: &super::Env,
    profile: super::ProfileProvider,
) -> Vec<Arc<dyn ProvideCredentials>> {
    let mut chain: Vec<Arc<dyn ProvideCredentials>> = Vec::new();
    if let Some(c) = explicit {
        chain.push(Arc::new(StaticProvider::new(c)));
    }
    if !profile_named {
        chain.push(Arc::new(EnvProvider::from_env(vars, env.clone())));
    }
    chain.push(Arc::new(profile));
    chain
}

/// A source that was configured but cannot work (a role variable with a bad endpoint, TKE
/// variables half set): every call answers its error, and a chain stops there.
#[derive(Debug, Clone)]
pub struct Misconfigured {
    message: String,
}

impl Misconfigured {
    /// A source that always fails with `e`'s message.
    pub fn new(e: &Error) -> Self {
        Misconfigured {
            message: e.message().to_string(),
        }
    }

    /// An `Arc` of one, for a chain.
    pub fn arc(e: &Error) -> Arc<dyn ProvideCredentials> {
        Arc::new(Misconfigured::new(e))
    }
}

#[async_trait]
impl ProvideCredentials for Misconfigured {
    async fn provide(&self) -> Result<Credentials, Error> {
        Err(Error::new(
            crate::error::ErrorKind::Credentials,
            self.message.clone(),
        ))
    }

    fn provide_now(&self) -> Option<Result<Credentials, Error>> {
        Some(Err(Error::new(
            crate::error::ErrorKind::Credentials,
            self.message.clone(),
        )))
    }

    fn describe(&self) -> String {
        format!("a misconfigured source ({})", self.message)
    }
}

/// The error of a chain whose providers all had nothing, with what each said.
fn all_failed(reasons: &[String]) -> Error {
    not_found(if reasons.is_empty() {
        "no credential provider configured".to_string()
    } else {
        reasons.join("; ")
    })
}

// The tests build their chains from Huawei's variable names.
#[cfg(all(test, feature = "huawei"))]
mod tests {
    use super::*;
    use crate::credentials::AccessKey;
    use crate::credentials::env::tests::env;
    use crate::error::ErrorKind;

    #[tokio::test]
    async fn chain_takes_the_first_that_works() {
        let empty = Arc::new(EnvProvider::with_lookup(EnvVars::HUAWEI, env(&[])));
        let fixed = Arc::new(StaticProvider::new(AccessKey::new("ak", "sk")));
        let chain = ChainProvider::new(vec![empty.clone(), fixed]);
        assert_eq!(
            chain
                .provide()
                .await
                .expect("creds")
                .access_key()
                .map(AccessKey::id),
            Some("ak")
        );
        let e = ChainProvider::new(vec![empty]).provide().await.unwrap_err();
        assert!(e.message().contains("HUAWEICLOUD_SDK_AK"), "{e}");
    }

    /// A provider that can only answer asynchronously (as a metadata-service one would).
    #[derive(Debug)]
    struct AsyncOnly;

    #[async_trait]
    impl ProvideCredentials for AsyncOnly {
        async fn provide(&self) -> Result<Credentials, Error> {
            tokio::task::yield_now().await;
            Ok(AccessKey::new("async-ak", "sk").into())
        }
    }

    #[tokio::test]
    async fn the_immediate_answer_is_the_same_answer() {
        let empty = Arc::new(EnvProvider::with_lookup(EnvVars::HUAWEI, env(&[])));
        let fixed = Arc::new(StaticProvider::new(AccessKey::new("ak", "sk")));
        let id = |c: Result<Credentials, Error>| {
            c.map(|c| c.access_key().map(|k| k.id().to_string()))
                .map_err(|e| e.message().to_string())
        };
        for chain in [
            ChainProvider::new(vec![fixed.clone(), Arc::new(AsyncOnly)]),
            ChainProvider::new(vec![empty.clone(), fixed.clone()]),
            ChainProvider::new(vec![empty.clone()]),
            ChainProvider::new(vec![]),
        ] {
            let now = chain.provide_now().expect("answers at once");
            assert_eq!(id(now), id(chain.provide().await));
        }
        // Reaching a provider that must wait: no immediate answer, and `provide` still works.
        let waits = ChainProvider::new(vec![empty, Arc::new(AsyncOnly), fixed]);
        assert!(waits.provide_now().is_none());
        assert_eq!(
            id(provide(&waits).await).expect("async answer"),
            Some("async-ak".to_string())
        );
    }

    #[tokio::test]
    async fn only_valid_credentials_at_the_head_of_a_chain_are_lent() {
        let empty = Arc::new(EnvProvider::with_lookup(EnvVars::HUAWEI, env(&[])));
        let fixed = Arc::new(StaticProvider::new(AccessKey::new("ak", "sk")));
        let lent = |p: &dyn ProvideCredentials| {
            p.fixed()
                .and_then(Credentials::access_key)
                .map(|k| k.id().to_string())
        };
        assert_eq!(lent(fixed.as_ref()), Some("ak".to_string()));
        let chain = ChainProvider::new(vec![fixed.clone(), empty.clone()]);
        assert_eq!(lent(&chain), Some("ak".to_string()));
        let provided = chain.provide().await.expect("creds");
        assert_eq!(provided.access_key().map(AccessKey::id), Some("ak"));
        // Whatever may answer differently from one attempt to the next is not lent.
        assert_eq!(lent(empty.as_ref()), None);
        assert_eq!(lent(&ChainProvider::new(vec![empty, fixed])), None);
        assert_eq!(lent(&ChainProvider::new(vec![])), None);
        // Invalid fixed credentials are not lent; `provide` refuses them.
        let bad = StaticProvider::new(AccessKey::new("ak ", "sk"));
        assert!(bad.fixed().is_none());
        assert_eq!(
            bad.provide().await.expect_err("bad key").kind(),
            ErrorKind::Credentials
        );
    }
}
