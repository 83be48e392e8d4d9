//! A Tencent Cloud API client's configuration: region, endpoint (the API's default host, the
//! international site, or an override), message language, credentials and [`ClientOptions`].
//! One definition for every Tencent API crate: each names its API with a [`TencentApi`] type
//! (`tencent_ssl::Ssl`) and exports `Config`/`ConfigBuilder` as aliases of these.

use std::sync::Arc;

use super::credentials as sources;
use super::{Language, default_endpoint};
use crate::credentials::{Env, ProvideCredentials};
use crate::runtime::ClientOptions;
use crate::{Credentials, Endpoint, Error};

/// What the configuration needs of one Tencent API.
pub trait TencentApi: std::fmt::Debug + Clone + Default + Send + Sync + 'static {
    /// The service's host name (`ssl` for `ssl.tencentcloudapi.com`).
    const SERVICE: &'static str;
}

/// The configuration of an API crate's `Client`: where to send, as whom, and how. Building it
/// checks nothing; [`Config::resolve`] (run by `Client::new`) does, so every crate reports a
/// bad configuration at the same step.
#[derive(Debug, Clone)]
pub struct Config<A> {
    given: ConfigBuilder<A>,
}

impl<A: TencentApi> Config<A> {
    /// A builder with the defaults: no region, the API's host
    /// (`https://<service>.tencentcloudapi.com`), messages in `en-US`, credentials from the
    /// environment, [`ClientOptions::default`].
    pub fn builder() -> ConfigBuilder<A> {
        ConfigBuilder::default()
    }

    /// The language of the server's messages.
    pub fn language(&self) -> Language {
        self.given.language
    }
}

/// Builds a [`Config`]. Nothing is checked until the client is built
/// ([`Config::resolve`]).
#[derive(Debug, Clone, Default)]
#[must_use = "a builder does nothing until `.build()`"]
pub struct ConfigBuilder<A> {
    region: Option<String>,
    international: bool,
    endpoint: Option<String>,
    language: Language,
    credentials: Option<Credentials>,
    provider: Option<Arc<dyn ProvideCredentials>>,
    profile: Option<String>,
    env: Env,
    options: ClientOptions,
    _api: A,
}

impl<A: TencentApi> ConfigBuilder<A> {
    /// The region (e.g. `ap-guangzhou`), sent as `X-TC-Region`. Without one the header is left
    /// out, as the vendor's SDK does (APIs such as `BatchDeleteCSR` need none). It does not
    /// change the endpoint (use [`ConfigBuilder::endpoint`] for a regional host).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Uses the international site, `https://<service>.intl.tencentcloudapi.com`.
    pub fn international(mut self, on: bool) -> Self {
        self.international = on;
        self
    }

    /// Sends to this endpoint instead (`https://host`, a bare host, or `http://127.0.0.1:PORT`
    /// for a local emulator). Wins over [`ConfigBuilder::international`].
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// The language of the server's messages (`X-TC-Language`): `en-US` (default) or `zh-CN`
    /// (the vendor SDK's default).
    pub fn language(mut self, language: Language) -> Self {
        self.language = language;
        self
    }

    crate::providers::credential_setters!(
        "Explicit credentials (a [`crate::AccessKey`], temporary keys included). They are tried first; the environment (`TENCENTCLOUD_SECRET_ID`, `TENCENTCLOUD_SECRET_KEY`, and a token in `TENCENTCLOUD_SESSION_TOKEN`, `TENCENTCLOUD_SECURITY_TOKEN` or `TENCENTCLOUD_TOKEN`) is the fallback."
    );

    /// The configuration. Infallible, as every crate's `build()` is: the region, endpoint
    /// and credentials are checked when the client is built ([`Config::resolve`]).
    pub fn build(self) -> Config<A> {
        Config { given: self }
    }
}

/// What a Tencent API crate's client is built on: the runtime, the endpoint, the region and
/// the message language ([`Config::resolve`]).
#[derive(Debug)]
#[non_exhaustive]
pub struct Resolved {
    /// The attempt loop, shared by every clone of the client.
    pub runtime: crate::runtime::Runtime,
    /// Where requests go.
    pub endpoint: Endpoint,
    /// The region sent as `X-TC-Region`, if any.
    pub region: Option<String>,
    /// The language of the server's messages.
    pub language: Language,
}

impl<A: TencentApi> Config<A> {
    /// Checks the configuration and builds the runtime of `api` from it. The region is the
    /// explicit one, else `TENCENTCLOUD_REGION`, and may contain only ASCII letters, digits
    /// and `-`; the endpoint must parse. Fails (nothing sent) on those, when the HTTP client
    /// cannot be built, when the endpoint is plain `http` to a host other than loopback
    /// without [`allow_insecure_http`](ClientOptions::allow_insecure_http), or when a signing
    /// algorithm other than TC3-HMAC-SHA256 is configured.
    pub fn resolve(self, api: &crate::runtime::ApiInfo) -> Result<Resolved, Error> {
        let tag = |e: Error| e.with_provider(crate::Provider::Tencent);
        let given = self.given;
        let region = match sources::region(given.region, &given.env) {
            Some(r) if r.is_empty() => None,
            Some(r) => {
                crate::providers::check_region(&r).map_err(tag)?;
                Some(r)
            }
            None => None,
        };
        let endpoint = match &given.endpoint {
            Some(e) => Endpoint::parse(e).map_err(tag)?,
            None => default_endpoint(A::SERVICE, given.international).map_err(tag)?,
        };
        let credentials = match given.provider {
            Some(p) => p,
            None => sources::default_chain(
                given.credentials,
                given.profile,
                given.options.credential_env(given.env),
            ),
        };
        let runtime = crate::runtime::Runtime::for_api(
            given.options,
            credentials,
            api,
            &endpoint,
            region.as_deref(),
        )?;
        if runtime.signing_algorithm() != crate::sign::SigningAlgorithm::HmacSha256 {
            return Err(Error::config(
                "Tencent Cloud signs only with TC3-HMAC-SHA256; the configured signing \
                 algorithm is not available for it",
            )
            .with_provider(crate::Provider::Tencent));
        }
        Ok(Resolved {
            runtime,
            endpoint,
            region,
            language: given.language,
        })
    }
}

impl Resolved {
    /// The TC3 call of `action` (`version`) of `service` through this client.
    pub fn call<'a>(
        &'a self,
        service: &'a str,
        action: &'a str,
        version: &'a str,
    ) -> super::Api3Call<'a> {
        super::Api3Call {
            endpoint: &self.endpoint,
            service,
            action,
            version,
            region: self.region.as_deref(),
            language: self.language,
            request_client: self.runtime.user_agent(),
        }
    }
}
