//! Credentials and where they come from.
//!
//! - [`Secret`] holds a secret string; its `Debug` and `Display` never show it.
//! - [`Credentials`] is either an access key pair (with an optional security token, for
//!   temporary keys) or a Huawei IAM token (`X-Auth-Token`).
//! - Providers: [`StaticProvider`] (explicit), [`EnvProvider`] (the vendors' own variable
//!   names, see [`EnvVars`]) and [`ChainProvider`] (the first that has credentials wins).

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;

use crate::error::{Error, ErrorKind};

/// A secret string. `Debug` and `Display` print `** redacted **`. Clones share the string.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Arc<str>);

impl Secret {
    /// Wraps a secret.
    pub fn new(s: impl Into<String>) -> Self {
        Secret(Arc::from(s.into()))
    }

    /// The secret itself, for signing. Do not log it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The shared string itself (signers key caches by it).
    pub(crate) fn shared(&self) -> &Arc<str> {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"** redacted **\"")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("** redacted **")
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret::new(s)
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Secret(Arc::from(s))
    }
}

/// An access key pair; with a security token for temporary (STS) keys. Cheap to clone: clones
/// share the strings (every attempt gets its credentials from a provider).
#[derive(Clone, PartialEq, Eq)]
pub struct AccessKey {
    id: Arc<str>,
    secret: Secret,
    security_token: Option<Secret>,
}

impl AccessKey {
    /// A long-term key pair.
    pub fn new(id: impl Into<String>, secret: impl Into<Secret>) -> Self {
        AccessKey {
            id: Arc::from(id.into()),
            secret: secret.into(),
            security_token: None,
        }
    }

    /// A temporary key pair with its security token.
    pub fn temporary(
        id: impl Into<String>,
        secret: impl Into<Secret>,
        token: impl Into<Secret>,
    ) -> Self {
        AccessKey {
            id: Arc::from(id.into()),
            secret: secret.into(),
            security_token: Some(token.into()),
        }
    }

    /// The access key id (not secret; it appears in signatures' credential scope).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The secret key.
    pub fn secret(&self) -> &Secret {
        &self.secret
    }

    /// The security token of temporary keys.
    pub fn security_token(&self) -> Option<&Secret> {
        self.security_token.as_ref()
    }

    /// Checks the key is usable: id and secret non-empty, without surrounding white space.
    pub fn validate(&self) -> Result<(), Error> {
        let bad = |what: &str| {
            Error::new(
                ErrorKind::Credentials,
                format!("the {what} is empty or has surrounding white space"),
            )
        };
        if self.id.is_empty() || self.id.trim() != &*self.id {
            return Err(bad("access key id"));
        }
        let s = self.secret.expose();
        if s.is_empty() || s.trim() != s {
            return Err(bad("secret key"));
        }
        if let Some(t) = &self.security_token
            && t.expose().trim().is_empty()
        {
            return Err(bad("security token"));
        }
        Ok(())
    }
}

impl fmt::Debug for AccessKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessKey")
            .field("id", &self.id)
            .field("secret", &self.secret)
            .field("security_token", &self.security_token)
            .finish()
    }
}

/// What a request is authorised with.
#[derive(Clone, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum Credentials {
    /// An access key pair, signed into every request.
    AccessKey(AccessKey),
    /// A Huawei IAM user token, sent as `X-Auth-Token` (no signature).
    IamToken(Secret),
}

impl Credentials {
    /// The access key, if these are access-key credentials.
    pub fn access_key(&self) -> Option<&AccessKey> {
        match self {
            Credentials::AccessKey(k) => Some(k),
            Credentials::IamToken(_) => None,
        }
    }
}

impl From<AccessKey> for Credentials {
    fn from(k: AccessKey) -> Self {
        Credentials::AccessKey(k)
    }
}

/// Something that supplies credentials for each attempt.
#[async_trait]
pub trait ProvideCredentials: Send + Sync + fmt::Debug {
    /// The credentials to use now, or an error of kind [`ErrorKind::Credentials`].
    async fn provide(&self) -> Result<Credentials, Error>;

    /// The same answer as [`provide`](Self::provide) when it is at hand without waiting
    /// (fixed credentials, the environment); `None` means "call `provide`". The runtime asks
    /// this first, which spares a boxed future per attempt. The default is `None`.
    fn provide_now(&self) -> Option<Result<Credentials, Error>> {
        None
    }

    /// Credentials that are valid and never change, lent instead of copied: the runtime signs
    /// with them directly, without taking (and releasing) references to the key's shared
    /// strings on every attempt, which all threads sharing a client would contend for. `None`
    /// (the default) means "ask [`provide_now`](Self::provide_now) or `provide`"; a provider
    /// that answers here must give the same credentials as `provide` would, every time.
    fn fixed(&self) -> Option<&Credentials> {
        None
    }
}

/// [`ProvideCredentials::provide_now`], else [`ProvideCredentials::provide`].
pub async fn provide(provider: &dyn ProvideCredentials) -> Result<Credentials, Error> {
    match provider.provide_now() {
        Some(now) => now,
        None => provider.provide().await,
    }
}

/// Fixed credentials.
#[derive(Debug, Clone)]
pub struct StaticProvider {
    credentials: Credentials,
    /// Whether `credentials` pass [`AccessKey::validate`] (checked once, at construction).
    valid: bool,
}

impl StaticProvider {
    /// Provides `credentials`.
    pub fn new(credentials: impl Into<Credentials>) -> Self {
        let credentials = credentials.into();
        let valid = match &credentials {
            Credentials::AccessKey(k) => k.validate().is_ok(),
            Credentials::IamToken(_) => true,
        };
        StaticProvider { credentials, valid }
    }
}

#[async_trait]
impl ProvideCredentials for StaticProvider {
    async fn provide(&self) -> Result<Credentials, Error> {
        self.checked()
    }

    fn provide_now(&self) -> Option<Result<Credentials, Error>> {
        Some(self.checked())
    }

    /// The credentials when they are valid; invalid ones are refused by `provide`.
    fn fixed(&self) -> Option<&Credentials> {
        self.valid.then_some(&self.credentials)
    }
}

impl StaticProvider {
    fn checked(&self) -> Result<Credentials, Error> {
        if let Credentials::AccessKey(k) = &self.credentials {
            k.validate()?;
        }
        Ok(self.credentials.clone())
    }
}

/// The environment variable names a vendor's own SDKs and tools use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnvVars {
    /// Variable holding the access key id.
    pub access_key_id: &'static str,
    /// Variable holding the secret key.
    pub secret: &'static str,
    /// Variables that may hold the optional security token, the preferred name first. When
    /// several are set they must agree (a conflict is an error, never a silent choice).
    pub security_token: &'static [&'static str],
}

impl EnvVars {
    /// Huawei Cloud: `HUAWEICLOUD_SDK_AK`, `HUAWEICLOUD_SDK_SK`, `HUAWEICLOUD_SDK_SECURITY_TOKEN`.
    pub const HUAWEI: EnvVars = EnvVars {
        access_key_id: "HUAWEICLOUD_SDK_AK",
        secret: "HUAWEICLOUD_SDK_SK",
        security_token: &["HUAWEICLOUD_SDK_SECURITY_TOKEN"],
    };
    /// Tencent Cloud: `TENCENTCLOUD_SECRET_ID`, `TENCENTCLOUD_SECRET_KEY`, and for temporary
    /// keys any of `TENCENTCLOUD_SESSION_TOKEN` (this SDK's name so far),
    /// `TENCENTCLOUD_SECURITY_TOKEN` (Tencent's Terraform provider, `tencentcloud/provider.go`
    /// of tencentcloudstack/terraform-provider-tencentcloud) and `TENCENTCLOUD_TOKEN` (used by
    /// Tencent Cloud scripts and integrations). The vendor's Go SDK reads no token variable
    /// (`tencentcloud/common/env_provider.go`).
    pub const TENCENT: EnvVars = EnvVars {
        access_key_id: "TENCENTCLOUD_SECRET_ID",
        secret: "TENCENTCLOUD_SECRET_KEY",
        security_token: &[
            "TENCENTCLOUD_SESSION_TOKEN",
            "TENCENTCLOUD_SECURITY_TOKEN",
            "TENCENTCLOUD_TOKEN",
        ],
    };
    /// Alibaba Cloud: `ALIBABA_CLOUD_ACCESS_KEY_ID`, `ALIBABA_CLOUD_ACCESS_KEY_SECRET`,
    /// `ALIBABA_CLOUD_SECURITY_TOKEN`.
    pub const ALIYUN: EnvVars = EnvVars {
        access_key_id: "ALIBABA_CLOUD_ACCESS_KEY_ID",
        secret: "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
        security_token: &["ALIBABA_CLOUD_SECURITY_TOKEN"],
    };
    /// Huawei IAM token: `HUAWEICLOUD_SDK_AUTH_TOKEN` (this SDK's own name; the vendor SDKs do
    /// not read tokens from the environment).
    pub const HUAWEI_TOKEN_VAR: &'static str = "HUAWEICLOUD_SDK_AUTH_TOKEN";
}

type EnvLookup = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// Reads an access key from environment variables.
#[derive(Clone)]
pub struct EnvProvider {
    vars: EnvVars,
    lookup: EnvLookup,
}

impl fmt::Debug for EnvProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnvProvider")
            .field("vars", &self.vars)
            .finish()
    }
}

impl EnvProvider {
    /// Reads `vars` from the process environment.
    pub fn new(vars: EnvVars) -> Self {
        Self::with_lookup(vars, |k| std::env::var(k).ok())
    }

    /// Reads `vars` through `lookup` (for tests, or another source of variables).
    pub fn with_lookup(
        vars: EnvVars,
        lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static,
    ) -> Self {
        EnvProvider {
            vars,
            lookup: Arc::new(lookup),
        }
    }

    fn get(&self, name: &str) -> Option<String> {
        (self.lookup)(name).filter(|v| !v.is_empty())
    }
}

#[async_trait]
impl ProvideCredentials for EnvProvider {
    async fn provide(&self) -> Result<Credentials, Error> {
        self.read()
    }

    fn provide_now(&self) -> Option<Result<Credentials, Error>> {
        Some(self.read())
    }
}

impl EnvProvider {
    /// The security token, from whichever of its variables are set; they must agree.
    fn token(&self) -> Result<Option<String>, Error> {
        let mut found: Option<(&str, String)> = None;
        for name in self.vars.security_token {
            let Some(value) = self.get(name) else {
                continue;
            };
            match &found {
                None => found = Some((name, value)),
                Some((first, v)) if *v != value => {
                    return Err(Error::new(
                        ErrorKind::Credentials,
                        format!(
                            "{first} and {name} are both set, to different security tokens: \
                             unset one of them"
                        ),
                    ));
                }
                Some(_) => {}
            }
        }
        Ok(found.map(|(_, v)| v))
    }

    fn read(&self) -> Result<Credentials, Error> {
        let v = &self.vars;
        match (self.get(v.access_key_id), self.get(v.secret)) {
            (Some(id), Some(secret)) => {
                let key = match self.token()? {
                    Some(token) => AccessKey::temporary(id, secret, token),
                    None => AccessKey::new(id, secret),
                };
                key.validate()?;
                Ok(Credentials::AccessKey(key))
            }
            (id, _) => {
                let missing = if id.is_none() {
                    v.access_key_id
                } else {
                    v.secret
                };
                let mut msg = format!(
                    "no credentials found: set {} and {}",
                    v.access_key_id, v.secret
                );
                if !v.security_token.is_empty() {
                    msg.push_str(&format!(
                        " (and {} for temporary keys)",
                        v.security_token.join(" or ")
                    ));
                }
                msg.push_str(&format!("; {missing} is not set"));
                Err(Error::new(ErrorKind::Credentials, msg))
            }
        }
    }
}

/// Tries providers in order; the first that yields credentials wins. When all fail, the error
/// lists what each said.
#[derive(Debug, Clone)]
pub struct ChainProvider {
    providers: Vec<Arc<dyn ProvideCredentials>>,
}

impl ChainProvider {
    /// A chain of `providers`, tried in order.
    pub fn new(providers: Vec<Arc<dyn ProvideCredentials>>) -> Self {
        ChainProvider { providers }
    }

    /// The default chain for a vendor: explicit credentials if given, then the environment.
    pub fn default_for(explicit: Option<Credentials>, vars: EnvVars) -> Self {
        let mut providers: Vec<Arc<dyn ProvideCredentials>> = Vec::new();
        if let Some(c) = explicit {
            providers.push(Arc::new(StaticProvider::new(c)));
        }
        providers.push(Arc::new(EnvProvider::new(vars)));
        ChainProvider { providers }
    }
}

#[async_trait]
impl ProvideCredentials for ChainProvider {
    async fn provide(&self) -> Result<Credentials, Error> {
        let mut reasons = Vec::new();
        for p in &self.providers {
            match provide(p.as_ref()).await {
                Ok(c) => return Ok(c),
                Err(e) => reasons.push(e.message().to_string()),
            }
        }
        Err(all_failed(&reasons))
    }

    /// Answers at once while every provider it has to ask does.
    fn provide_now(&self) -> Option<Result<Credentials, Error>> {
        let mut reasons = Vec::new();
        for p in &self.providers {
            match p.provide_now()? {
                Ok(c) => return Some(Ok(c)),
                Err(e) => reasons.push(e.message().to_string()),
            }
        }
        Some(Err(all_failed(&reasons)))
    }

    /// The first provider's fixed credentials: the chain never gets past it.
    fn fixed(&self) -> Option<&Credentials> {
        self.providers.first()?.fixed()
    }
}

/// The error of a chain whose providers all failed, with what each said.
fn all_failed(reasons: &[String]) -> Error {
    Error::new(
        ErrorKind::Credentials,
        if reasons.is_empty() {
            "no credential provider configured".to_string()
        } else {
            reasons.join("; ")
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn debug_of_every_credential_type_is_redacted() {
        let k = AccessKey::temporary("AKID123", "SUPERSECRET", "TOKENVALUE");
        assert_eq!(
            format!("{k:?}"),
            "AccessKey { id: \"AKID123\", secret: \"** redacted **\", security_token: Some(\"** redacted **\") }"
        );
        let c = Credentials::AccessKey(k);
        let dbg = format!("{c:?} {:#?}", c);
        assert!(
            !dbg.contains("SUPERSECRET") && !dbg.contains("TOKENVALUE"),
            "{dbg}"
        );
        let t = Credentials::IamToken(Secret::new("MIIEXAMPLETOKEN"));
        assert_eq!(format!("{t:?}"), "IamToken(\"** redacted **\")");
        assert_eq!(Secret::new("x").to_string(), "** redacted **");
        let p = StaticProvider::new(t);
        assert!(!format!("{p:?}").contains("MIIEXAMPLETOKEN"));
    }

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + Send + Sync + 'static {
        let m: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| m.get(k).cloned()
    }

    #[tokio::test]
    async fn env_reads_vendor_variables_with_optional_token() {
        let p = EnvProvider::with_lookup(
            EnvVars::ALIYUN,
            env(&[
                ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI"),
                ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "sec"),
                ("ALIBABA_CLOUD_SECURITY_TOKEN", "tok"),
            ]),
        );
        let c = p.provide().await.expect("creds");
        let k = c.access_key().expect("key");
        assert_eq!(k.id(), "LTAI");
        assert_eq!(k.security_token().map(Secret::expose), Some("tok"));
    }

    #[tokio::test]
    async fn missing_credentials_name_the_variables() {
        let p =
            EnvProvider::with_lookup(EnvVars::TENCENT, env(&[("TENCENTCLOUD_SECRET_ID", "id")]));
        let e = p.provide().await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Credentials);
        assert!(e.message().contains("TENCENTCLOUD_SECRET_ID"), "{e}");
        assert!(
            e.message().contains("TENCENTCLOUD_SECRET_KEY is not set"),
            "{e}"
        );
    }

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

    #[tokio::test]
    async fn keys_with_white_space_are_refused() {
        let e = StaticProvider::new(AccessKey::new(" ak", "sk"))
            .provide()
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Credentials);
        assert!(!e.to_string().contains("sk"), "{e}");
    }

    #[test]
    fn tencent_reads_every_token_name_and_refuses_a_conflict() {
        for name in [
            "TENCENTCLOUD_SESSION_TOKEN",
            "TENCENTCLOUD_SECURITY_TOKEN",
            "TENCENTCLOUD_TOKEN",
        ] {
            let p = EnvProvider::with_lookup(
                EnvVars::TENCENT,
                env(&[
                    ("TENCENTCLOUD_SECRET_ID", "AKID123"),
                    ("TENCENTCLOUD_SECRET_KEY", "sk"),
                    (name, "tok"),
                ]),
            );
            let Ok(Credentials::AccessKey(k)) = p.read() else {
                panic!("{name}: an access key")
            };
            assert_eq!(
                k.security_token().map(Secret::expose),
                Some("tok"),
                "{name}"
            );
        }
        // Two names, one value: fine. Two values: an error naming both, showing neither.
        let same = EnvProvider::with_lookup(
            EnvVars::TENCENT,
            env(&[
                ("TENCENTCLOUD_SECRET_ID", "AKID123"),
                ("TENCENTCLOUD_SECRET_KEY", "sk"),
                ("TENCENTCLOUD_SECURITY_TOKEN", "tok"),
                ("TENCENTCLOUD_TOKEN", "tok"),
            ]),
        );
        assert!(same.read().is_ok());
        let conflict = EnvProvider::with_lookup(
            EnvVars::TENCENT,
            env(&[
                ("TENCENTCLOUD_SECRET_ID", "AKID123"),
                ("TENCENTCLOUD_SECRET_KEY", "sk"),
                ("TENCENTCLOUD_SESSION_TOKEN", "token-one"),
                ("TENCENTCLOUD_TOKEN", "token-two"),
            ]),
        );
        let e = conflict.read().expect_err("a conflict");
        assert_eq!(e.kind(), ErrorKind::Credentials);
        let msg = e.to_string();
        assert!(
            msg.contains("TENCENTCLOUD_SESSION_TOKEN") && msg.contains("TENCENTCLOUD_TOKEN"),
            "{msg}"
        );
        assert!(
            !msg.contains("token-one") && !msg.contains("token-two"),
            "{msg}"
        );
    }
}
