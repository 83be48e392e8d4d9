//! Credentials and where they come from.
//!
//! - [`Secret`] holds a secret string; its `Debug` and `Display` never show it.
//! - [`Credentials`] is either an access key pair (with an optional security token, for
//!   temporary keys) or a Huawei IAM token (`X-Auth-Token`).
//! - Providers: [`StaticProvider`] (explicit), [`EnvProvider`] (the vendors' own variable
//!   names, see [`EnvVars`]), [`ProfileProvider`] (the vendors' credentials files, see
//!   [`profile`]) and [`ChainProvider`] (the first that has credentials wins).
//! - Temporary credentials (instance metadata) sit behind a [`CachedProvider`]: refreshed
//!   before they expire, one fetch for any number of callers.
//! - [`Env`] is where variables (and the home directory) are read from: the process, or a
//!   function of the caller's (tests).
//!
//! A provider that has nothing to offer (no variables set, no file) answers with an error for
//! which [`is_not_found`] holds, and a chain goes on to the next provider. Any other error
//! (a malformed file, a profile that was named but is missing) stops the chain: credentials
//! the user asked for are never silently replaced by others.
//!
//! Each vendor's default chain is in `cert_common::providers::<vendor>::credentials`;
//! `docs/credentials.md` lists them with the vendor sources they follow.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;

use crate::error::{Error, ErrorKind};

mod cache;
mod chain;
mod env;
pub mod ini;
#[doc(hidden)]
pub mod metadata;
pub mod profile;
#[doc(hidden)]
pub mod sts;

pub use cache::{CachedProvider, FetchTemporary, RETRY_AFTER_FAILURE, Temporary};
pub use chain::{ChainProvider, Misconfigured, standard_sources};
pub use env::{Env, EnvProvider, EnvVars};
pub use profile::{ProfileProvider, ProfileSpec};

/// An access key id for people: its first four and last four characters, the rest as `*`
/// (all of it as `*` when shorter than 12). Key ids are not secret, but a whole one in a
/// shared terminal or ticket is more than anyone needs to see.
pub fn mask(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() < 12 {
        return "*".repeat(chars.len().max(4));
    }
    let n = chars.len();
    let mut out: String = chars[..4].iter().collect();
    out.push_str(&"*".repeat(n - 8));
    out.extend(&chars[n - 4..]);
    out
}

/// The code of the errors of providers that have nothing to offer (see [`is_not_found`]).
pub const NOT_FOUND_CODE: &str = "CredentialsNotFound";

/// An error saying a provider has no credentials to offer, so a chain may go on.
pub fn not_found(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Credentials, message).with_code(NOT_FOUND_CODE)
}

/// Whether `e` says "nothing here" (a chain goes on) rather than "something is wrong here"
/// (a chain stops).
pub fn is_not_found(e: &Error) -> bool {
    e.kind() == ErrorKind::Credentials && e.code() == Some(NOT_FOUND_CODE)
}

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

    /// Where the credentials come from, for people (`certctl config show`, debug logs):
    /// e.g. "environment (TENCENTCLOUD_SECRET_ID)" or "profile \"ops\" of
    /// /home/me/.tencentcloud/credentials". Never a secret. A chain names the provider that
    /// answered last.
    fn describe(&self) -> String {
        "a custom credentials provider".to_string()
    }

    /// The server refused `refused` (they expired early, or were revoked): a provider that
    /// caches temporary credentials drops them, so the next [`provide`](Self::provide)
    /// fetches new ones. The default does nothing.
    fn invalidate(&self, refused: &Credentials) {
        let _ = refused;
    }

    /// Whether [`invalidate`](Self::invalidate) can make the next answer differ (temporary
    /// credentials behind a cache). The runtime retries an attempt whose credentials the
    /// server refused once, with fresh ones, only when this holds. The default is `false`.
    fn refreshable(&self) -> bool {
        false
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

    fn describe(&self) -> String {
        "explicit credentials (the client's configuration)".to_string()
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

#[cfg(test)]
mod tests {
    use super::*;

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

    #[tokio::test]
    async fn keys_with_white_space_are_refused() {
        let e = StaticProvider::new(AccessKey::new(" ak", "sk"))
            .provide()
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Credentials);
        assert!(!e.to_string().contains("sk"), "{e}");
    }
}
