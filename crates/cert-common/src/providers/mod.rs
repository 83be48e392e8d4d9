//! What each vendor's protocol has in common across its APIs (request assembly, error bodies,
//! request ids), so a provider crate holds only what is specific to its one API.

#[cfg(feature = "aliyun")]
pub mod aliyun;
#[cfg(feature = "huawei")]
pub mod huawei;
#[cfg(feature = "tencent")]
pub mod tencent;

/// The setters every vendor's `ConfigBuilder` shares (`credentials`, `credentials_provider`,
/// `profile`, `env`, `options`), written once. The builder has the fields `credentials`,
/// `provider`, `profile`, `env` and `options`; `$credentials_doc` says which environment
/// variables the explicit credentials stand before.
#[allow(unused_macros)]
macro_rules! credential_setters {
    ($credentials_doc:literal) => {
        #[doc = $credentials_doc]
        pub fn credentials(mut self, credentials: impl Into<crate::Credentials>) -> Self {
            self.credentials = Some(credentials.into());
            self
        }

        /// Any credentials provider instead of the vendor's default chain (explicit
        /// credentials, the environment, profiles, web identity, instance metadata).
        pub fn credentials_provider(
            mut self,
            provider: std::sync::Arc<dyn crate::credentials::ProvideCredentials>,
        ) -> Self {
            self.provider = Some(provider);
            self
        }

        /// Reads credentials (and the region, where the vendor keeps one there) from this
        /// profile of the vendor's credentials files, instead of the environment's keys.
        /// Explicit [`credentials`](Self::credentials) still win. The profile must exist: a
        /// missing one is an error, never a fall-through to other credentials. See
        /// `docs/credentials.md`.
        pub fn profile(mut self, name: impl Into<String>) -> Self {
            self.profile = Some(name.into());
            self
        }

        /// Reads environment variables (and `HOME`) through `env` instead of the process's.
        pub fn env(mut self, env: crate::credentials::Env) -> Self {
            self.env = env;
            self
        }

        /// Retries, rate limit, timeouts, HTTP client, clock and randomness.
        pub fn options(mut self, options: crate::runtime::ClientOptions) -> Self {
            self.options = options;
            self
        }
    };
}
#[allow(unused_imports)]
pub(crate) use credential_setters;

/// Refuses a region that is not ASCII letters, digits and `-` (it goes into a host name or a
/// signed header).
#[allow(dead_code)]
pub(crate) fn check_region(region: &str) -> Result<(), crate::Error> {
    if region
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        Ok(())
    } else {
        Err(crate::Error::config(format!(
            "region {region:?}: only ASCII letters, digits and '-' are allowed"
        )))
    }
}
