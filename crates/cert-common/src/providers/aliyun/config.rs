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

/// A configuration taken apart, for the API crate's `Client::new`.
#[derive(Debug)]
#[non_exhaustive]
pub struct ConfigParts {
    /// Where requests go.
    pub endpoint: Endpoint,
    /// Where credentials come from.
    pub credentials: Arc<dyn ProvideCredentials>,
    /// The client options.
    pub options: ClientOptions,
    /// Whether a `ClientToken` is generated when the caller gives none.
    pub auto_client_token: bool,
}

/// The configuration of an API crate's `Client`: where to send, as whom, and how.
#[derive(Debug, Clone)]
pub struct Config<A> {
    pub(crate) endpoint: Endpoint,
    pub(crate) credentials: Arc<dyn ProvideCredentials>,
    pub(crate) options: ClientOptions,
    pub(crate) auto_client_token: bool,
    _api: A,
}

impl<A: AliyunApi> Config<A> {
    /// A builder. A region or an endpoint must be given.
    pub fn builder() -> ConfigBuilder<A> {
        ConfigBuilder::default()
    }

    /// The parts, for the API crate's `Client::new`.
    pub fn into_parts(self) -> ConfigParts {
        ConfigParts {
            endpoint: self.endpoint,
            credentials: self.credentials,
            options: self.options,
            auto_client_token: self.auto_client_token,
        }
    }

    /// Where requests go.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }
}

/// Builds a [`Config`]. Nothing is checked until [`ConfigBuilder::build`].
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
    api: A,
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
            api: A::default(),
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

    /// Checks and builds the configuration: an endpoint, or a region made of ASCII letters,
    /// digits and `-`, is required. The region is the explicit one, else
    /// `ALIBABA_CLOUD_REGION_ID`, else the aliyun CLI profile's `region_id`.
    pub fn build(self) -> Result<Config<A>, Error> {
        let region = sources::region(self.region.clone(), self.profile.as_deref(), &self.env);
        let endpoint = match (&self.endpoint, region.as_deref()) {
            (Some(e), _) => Endpoint::parse(e)?,
            (None, Some(r)) if !r.is_empty() => {
                crate::providers::check_region(r)?;
                Endpoint::parse(&A::endpoint_for_region(r))?
            }
            _ => {
                return Err(Error::config(format!(
                    "Alibaba Cloud {} needs a region (e.g. cn-hangzhou) or an endpoint",
                    A::PRODUCT
                )));
            }
        };
        let credentials = match self.provider {
            Some(p) => p,
            None => sources::default_chain(
                self.credentials,
                self.profile,
                self.options.credential_env(self.env),
            ),
        };
        Ok(Config {
            endpoint,
            credentials,
            options: self.options,
            auto_client_token: self.auto_client_token,
            _api: self.api,
        })
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
    /// Builds the runtime of `api` from this configuration. Fails (kind
    /// [`Config`](crate::ErrorKind::Config), nothing sent) when the HTTP client cannot be
    /// built, or the endpoint is plain `http` to a host other than loopback without
    /// [`allow_insecure_http`](ClientOptions::allow_insecure_http).
    pub fn resolve(self, api: &crate::runtime::ApiInfo) -> Result<Resolved, Error> {
        let parts = self.into_parts();
        let runtime = crate::runtime::Runtime::for_api(
            parts.options,
            parts.credentials,
            api,
            &parts.endpoint,
            None,
        )?;
        Ok(Resolved {
            runtime,
            endpoint: parts.endpoint,
            auto_client_token: parts.auto_client_token,
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
