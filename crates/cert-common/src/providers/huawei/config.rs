//! A Huawei API client's configuration: region, endpoint override, credentials, project id
//! and [`ClientOptions`], resolved once into a [`Resolved`] client core.

use std::fmt;
use std::sync::Arc;

use super::{TokenEnvProvider, credentials, metadata};
use crate::credentials::{Credentials, Env, ProvideCredentials};
use crate::endpoint::Endpoint;
use crate::error::{Error, Provider};
use crate::runtime::{ApiInfo, ClientOptions, Runtime};

/// The environment variable holding the project id (the vendor SDK's name).
pub const PROJECT_ID_VAR: &str = "HUAWEICLOUD_SDK_PROJECT_ID";

pub(crate) type EnvLookup = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// What a Huawei API crate tells [`Config::resolve`] about itself.
#[derive(Debug, Clone, Copy)]
pub struct ServiceInfo {
    /// The service name of the vendor's endpoint override variable
    /// `HUAWEICLOUD_SDK_REGION_<SERVICE>_<REGION>` (`ELB`, `APIG`, `CSMS`).
    pub env_service: &'static str,
    /// The endpoint of a region (the generated `endpoint_for_region`).
    pub endpoint_for_region: fn(&str) -> String,
    /// The vendor, documented rate, crate name and version (the generated `API`).
    pub api: ApiInfo,
}

/// Configuration of a Huawei Cloud client (ELB, APIG or CSMS): build it with
/// [`Config::builder`], hand it to the crate's `Client::new`.
///
/// Resolution, done once when the client is built:
/// - **endpoint**: the explicit [`ConfigBuilder::endpoint`] (any `scheme://host[:port]`, e.g.
///   `http://127.0.0.1:8080` for a local emulator); else the vendor's variable
///   `HUAWEICLOUD_SDK_REGION_<SERVICE>_<REGION>` (first of its comma-separated endpoints);
///   else the vendor's table for [`ConfigBuilder::region`].
/// - **credentials**: the explicit [`ConfigBuilder::credentials`] (AK/SK, temporary AK/SK with
///   a security token, or [`Credentials::IamToken`]); else `HUAWEICLOUD_SDK_AK`,
///   `HUAWEICLOUD_SDK_SK` and `HUAWEICLOUD_SDK_SECURITY_TOKEN`; else an IAM token in
///   `HUAWEICLOUD_SDK_AUTH_TOKEN`. Credentials are looked up for every attempt.
/// - **project id**: the explicit [`ConfigBuilder::project_id`]; else `HUAWEICLOUD_SDK_PROJECT_ID`.
#[derive(Clone, Default)]
pub struct Config {
    region: Option<String>,
    endpoint: Option<String>,
    credentials: Option<Credentials>,
    project_id: Option<String>,
    profile: Option<String>,
    provider: Option<Arc<dyn ProvideCredentials>>,
    options: ClientOptions,
    env: Option<EnvLookup>,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("region", &self.region)
            .field("endpoint", &self.endpoint)
            .field("credentials", &self.credentials)
            .field("project_id", &self.project_id)
            .field("profile", &self.profile)
            .field(
                "credentials_provider",
                &self.provider.as_ref().map(|_| "custom"),
            )
            .field("options", &self.options)
            .field("env_lookup", &self.env.as_ref().map(|_| "custom"))
            .finish()
    }
}

/// Builds a [`Config`].
#[derive(Debug, Clone, Default)]
#[must_use = "a builder does nothing until `.build()`"]
pub struct ConfigBuilder {
    config: Config,
}

impl ConfigBuilder {
    /// The region id (e.g. `cn-north-4`), which picks the endpoint from the vendor's table.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.config.region = Some(region.into());
        self
    }

    /// An endpoint that replaces the region's: `https://host`, `host`, or
    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.config.endpoint = Some(endpoint.into());
        self
    }

    /// Explicit credentials (otherwise the environment is read).
    pub fn credentials(mut self, credentials: impl Into<Credentials>) -> Self {
        self.config.credentials = Some(credentials.into());
        self
    }

    /// Any credentials provider instead of the default chain (explicit credentials, the
    /// environment, the credentials file, the metadata service), as in every crate. The
    /// project id is still the explicit one, `HUAWEICLOUD_SDK_PROJECT_ID` or the profile's.
    pub fn credentials_provider(mut self, provider: Arc<dyn ProvideCredentials>) -> Self {
        self.config.provider = Some(provider);
        self
    }

    /// The project id (otherwise `HUAWEICLOUD_SDK_PROJECT_ID`).
    pub fn project_id(mut self, project_id: impl Into<String>) -> Self {
        self.config.project_id = Some(project_id.into());
        self
    }

    /// Reads credentials and the project id from this section of the credentials file
    /// (`~/.huaweicloud/credentials`, whose default section is `[basic]`) instead of the
    /// environment's keys. Explicit credentials still win. The section must exist: a missing
    /// one is an error, never a fall-through to other credentials. See `docs/credentials.md`.
    pub fn profile(mut self, name: impl Into<String>) -> Self {
        self.config.profile = Some(name.into());
        self
    }

    /// Retries, pacing, timeouts, HTTP client, User-Agent, and the time/randomness seams.
    pub fn options(mut self, options: ClientOptions) -> Self {
        self.config.options = options;
        self
    }

    /// Reads environment variables (and `HOME`) through `env` instead of the process's, as
    /// in every crate.
    pub fn env(mut self, env: Env) -> Self {
        self.config.env = Some(Arc::new(move |k: &str| env.get(k)));
        self
    }

    /// Reads environment variables through `lookup` instead of the process environment
    /// (for tests, or another source of variables).
    pub fn env_lookup(
        mut self,
        lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static,
    ) -> Self {
        self.config.env = Some(Arc::new(lookup));
        self
    }

    /// The configuration. Infallible, as every crate's `build()` is: the region, endpoint,
    /// project id and credentials are checked when the client is built ([`Config::resolve`]).
    pub fn build(self) -> Config {
        self.config
    }
}

/// What a client is built on: the runtime, the endpoint and the project id.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The attempt loop, shared by every clone of the client.
    pub runtime: Runtime,
    /// Where requests go.
    pub endpoint: Endpoint,
    /// The project id every path starts with.
    pub project_id: String,
}

impl Config {
    /// A builder.
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::default()
    }

    /// The configured region, if any.
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    fn lookup(&self) -> EnvLookup {
        match &self.env {
            Some(l) => l.clone(),
            None => Arc::new(|k: &str| std::env::var(k).ok()),
        }
    }

    /// Resolves endpoint, project id and credentials provider, and builds the runtime.
    /// Errors are of kind [`ErrorKind::Config`](crate::ErrorKind::Config) (nothing is sent).
    pub fn resolve(&self, service: &ServiceInfo) -> Result<Resolved, Error> {
        let lookup = self.lookup();
        let endpoint = self.resolve_endpoint(service, &lookup)?;
        let env = {
            let l = lookup.clone();
            Env::from_fn(move |k| l(k))
        };
        let from_env = || {
            lookup(PROJECT_ID_VAR)
                .map(|p| p.trim().to_string())
                .filter(|p| !p.is_empty())
        };
        let project_id = match &self.project_id {
            Some(p) => p.clone(),
            None => match from_env() {
                Some(p) => p,
                None => credentials::profile_project_id(self.profile.as_deref(), &env)
                    .map_err(|e| e.with_provider(Provider::Huawei))?
                    .ok_or_else(|| {
                        Error::config(format!(
                            "no project id: call .project_id(...) on the config, set \
                             {PROJECT_ID_VAR}, or put project_id in the credentials file's profile"
                        ))
                        .with_provider(Provider::Huawei)
                    })?,
            },
        };
        let credentials = match &self.provider {
            Some(p) => p.clone(),
            None => credentials_provider(
                self.credentials.clone(),
                self.profile.clone(),
                self.options.credential_env(env),
                lookup,
            ),
        };
        let runtime = Runtime::for_api(
            self.options.clone(),
            credentials,
            &service.api,
            &endpoint,
            self.region.as_deref(),
        )?;
        Ok(Resolved {
            runtime,
            endpoint,
            project_id,
        })
    }

    fn resolve_endpoint(
        &self,
        service: &ServiceInfo,
        lookup: &EnvLookup,
    ) -> Result<Endpoint, Error> {
        if let Some(e) = &self.endpoint {
            return Endpoint::parse(e);
        }
        let region = self.region.as_deref().map(str::trim).ok_or_else(|| {
            Error::config(
                "no region and no endpoint: set .region(\"cn-north-4\") or .endpoint(...)",
            )
            .with_provider(Provider::Huawei)
        })?;
        if region.is_empty()
            || !region
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err(Error::config(format!(
                "region {region:?} is not a region id (lowercase letters, digits and '-')"
            ))
            .with_provider(Provider::Huawei));
        }
        let var = region_endpoint_var(service.env_service, region);
        if let Some(first) = lookup(&var).and_then(|v| {
            v.split(',')
                .map(str::trim)
                .find(|s| !s.is_empty())
                .map(str::to_string)
        }) {
            return Endpoint::parse(&first)
                .map_err(|e| Error::config(format!("{var}: {}", e.message())));
        }
        Endpoint::parse(&(service.endpoint_for_region)(region))
    }
}

/// The vendor's endpoint override variable of a service and region:
/// `HUAWEICLOUD_SDK_REGION_<SERVICE>_<REGION upper, '-' → '_'>`.
pub fn region_endpoint_var(service: &str, region: &str) -> String {
    format!(
        "HUAWEICLOUD_SDK_REGION_{}_{}",
        service.to_ascii_uppercase(),
        region.to_ascii_uppercase().replace('-', "_")
    )
}

fn credentials_provider(
    explicit: Option<Credentials>,
    profile: Option<String>,
    env: Env,
    lookup: EnvLookup,
) -> Arc<dyn ProvideCredentials> {
    let named = profile.is_some();
    let metadata = metadata::provider(&env);
    let mut chain = credentials::default_sources(explicit, profile, env);
    if !named {
        chain.push(Arc::new(TokenEnvProvider { lookup }));
        chain.push(metadata);
    }
    credentials::chain(chain)
}
