//! An Alibaba Cloud API client's configuration: region (which picks the endpoint as the
//! vendor's SDK does), endpoint override, credentials, [`ClientOptions`] and automatic
//! client tokens. One definition for every Aliyun API crate: each names its API with an
//! [`AliyunApi`] type (`aliyun_cas::Cas`) and exports `Config`/`ConfigBuilder` as aliases of
//! these.

use std::sync::Arc;

use super::credentials as sources;
use crate::credentials::{Env, ProvideCredentials};
use crate::runtime::ClientOptions;
use crate::{Credentials, Endpoint, Error};

/// What the configuration needs of one Alibaba Cloud API.
pub trait AliyunApi: std::fmt::Debug + Clone + Default + Send + Sync + 'static {
    /// The product's name in messages (`CAS`).
    const PRODUCT: &'static str;
    /// The endpoint of a region (the generated `endpoint_for_region`).
    fn endpoint_for_region(region: &str) -> String;
}

/// The configuration of an API crate's `Client`: where to send, as whom, and how. Building it
/// checks nothing; [`Config::resolve`] (run by `Client::new`) does, so every crate reports a
/// bad configuration at the same step.
#[derive(Debug, Clone)]
pub struct Config<A> {
    given: ConfigBuilder<A>,
}

impl<A: AliyunApi> Config<A> {
    /// A builder. A region or an endpoint must be given.
    pub fn builder() -> ConfigBuilder<A> {
        ConfigBuilder::default()
    }
}

/// Builds a [`Config`]. Nothing is checked until the client is built
/// ([`Config::resolve`]).
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until `.build()`"]
pub struct ConfigBuilder<A> {
    region: Option<String>,
    endpoint: Option<String>,
    credentials: Option<Credentials>,
    provider: Option<Arc<dyn ProvideCredentials>>,
    profile: Option<String>,
    env: Env,
    options: ClientOptions,
    auto_client_token: bool,
    _api: A,
}

impl<A: AliyunApi> Default for ConfigBuilder<A> {
    /// No region or endpoint, credentials from the environment, [`ClientOptions::default`],
    /// automatic client tokens.
    fn default() -> Self {
        ConfigBuilder {
            region: None,
            endpoint: None,
            credentials: None,
            provider: None,
            profile: None,
            env: Env::process(),
            options: ClientOptions::default(),
            auto_client_token: true,
            _api: A::default(),
        }
    }
}

impl<A: AliyunApi> ConfigBuilder<A> {
    /// The region (e.g. `cn-hangzhou`). It picks the endpoint as the vendor's SDK does:
    /// `cas.aliyuncs.com` for the regions of its endpoint map (most mainland regions,
    /// cn-hongkong, ap-southeast-3/5, eu-west-1, us-east-1, us-west-1, ...),
    /// `cas.<region>.aliyuncs.com` otherwise (e.g. `ap-southeast-1`, the international site).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Sends to this endpoint instead (`https://host`, a bare host, or `http://127.0.0.1:PORT`
    /// for a local emulator). Wins over the region.
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    crate::providers::credential_setters!(
        "Explicit credentials (a [`crate::AccessKey`], STS keys included). They are tried first; the environment (`ALIBABA_CLOUD_ACCESS_KEY_ID`, `ALIBABA_CLOUD_ACCESS_KEY_SECRET`, `ALIBABA_CLOUD_SECURITY_TOKEN`) is the fallback."
    );

    /// Whether to send a generated `ClientToken` (a UUID, the same on every retry of a call)
    /// when the caller gives none. On by default; off reproduces the vendor SDK's request,
    /// which sends none. A token given with
    /// the call's `client_token` (`aliyun_cas::DeleteUserCertificateFluentBuilder::client_token`)
    /// is always sent.
    pub fn auto_client_token(mut self, on: bool) -> Self {
        self.auto_client_token = on;
        self
    }

    /// The configuration. Infallible, as every crate's `build()` is: the region (or
    /// endpoint) and credentials are checked when the client is built ([`Config::resolve`]).
    pub fn build(self) -> Config<A> {
        Config { given: self }
    }
}

/// What an Aliyun API crate's client is built on: the runtime, the endpoint and whether
/// client tokens are generated ([`Config::resolve`]).
#[derive(Debug)]
#[non_exhaustive]
pub struct Resolved {
    /// The attempt loop, shared by every clone of the client.
    pub runtime: crate::runtime::Runtime,
    /// Where requests go.
    pub endpoint: Endpoint,
    /// Whether a `ClientToken` is generated when the caller gives none.
    pub auto_client_token: bool,
}

impl<A: AliyunApi> Config<A> {
    /// Checks the configuration and builds the runtime of `api` from it: the endpoint, else
    /// the region's (the explicit region, else `ALIBABA_CLOUD_REGION_ID`, else the profile's),
    /// which may contain only ASCII letters, digits and `-`. Fails (nothing sent) when neither
    /// is given, on a bad one, when the HTTP client cannot be built, or when the endpoint is
    /// plain `http` to a host other than loopback without
    /// [`allow_insecure_http`](ClientOptions::allow_insecure_http).
    pub fn resolve(self, api: &crate::runtime::ApiInfo) -> Result<Resolved, Error> {
        let tag = |e: Error| e.with_provider(crate::Provider::Aliyun);
        let given = self.given;
        let region = sources::region(given.region.clone(), given.profile.as_deref(), &given.env);
        let endpoint = match (&given.endpoint, region.as_deref()) {
            (Some(e), _) => Endpoint::parse(e).map_err(tag)?,
            (None, Some(r)) if !r.is_empty() => {
                crate::providers::check_region(r).map_err(tag)?;
                Endpoint::parse(&A::endpoint_for_region(r)).map_err(tag)?
            }
            _ => {
                return Err(tag(Error::config(format!(
                    "Alibaba Cloud {} needs a region (e.g. cn-hangzhou) or an endpoint",
                    A::PRODUCT
                ))));
            }
        };
        let credentials = match given.provider {
            Some(p) => p,
            None => sources::default_chain(
                given.credentials,
                given.profile,
                given.options.credential_env(given.env),
            ),
        };
        let runtime =
            crate::runtime::Runtime::for_api(given.options, credentials, api, &endpoint, None)?;
        Ok(Resolved {
            runtime,
            endpoint,
            auto_client_token: given.auto_client_token,
        })
    }
}

impl Resolved {
    /// The RPC call of `action` (`version`) through this client.
    pub fn call<'a>(&'a self, action: &'a str, version: &'a str) -> super::RpcCall<'a> {
        super::RpcCall {
            endpoint: &self.endpoint,
            action,
            version,
            user_agent: self.runtime.user_agent(),
            algorithm: self.runtime.signing_algorithm(),
        }
    }
}
