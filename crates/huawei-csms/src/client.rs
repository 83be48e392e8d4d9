//! The CSMS client.

use std::sync::Arc;

use cert_common::providers::huawei::{Config, Resolved, ServiceInfo};
use cert_common::{Endpoint, Error};

use crate::batch_delete::BatchDeleteSecretsFluentBuilder;
use crate::generated::operation::batch_delete_secrets as op;

const SERVICE: ServiceInfo = ServiceInfo {
    env_service: "CSMS",
    endpoint_for_region: op::endpoint_for_region,
    documented_rate: match op::RATE_LIMIT_PER_SECOND {
        Some(r) => Some(r as f64),
        None => None,
    },
    crate_name: env!("CARGO_PKG_NAME"),
    crate_version: env!("CARGO_PKG_VERSION"),
};

/// A Huawei Cloud CSMS v1 client. Cheap to clone: clones share the HTTP connection pool, the
/// rate limiter and the retry budget.
#[derive(Debug, Clone)]
pub struct Client {
    pub(crate) inner: Arc<Resolved>,
}

impl Client {
    /// Builds a client. Fails with [`ErrorKind::Config`](cert_common::ErrorKind::Config) when
    /// neither a region nor an endpoint is set, the endpoint is malformed, or no project id is
    /// configured (`HUAWEICLOUD_SDK_PROJECT_ID`). Credentials are looked up per request.
    pub fn new(config: Config) -> Result<Self, Error> {
        Ok(Client {
            inner: Arc::new(config.resolve(&SERVICE)?),
        })
    }

    /// Starts a `BatchDeleteSecrets` call (irreversible; see the crate documentation).
    pub fn batch_delete_secrets(&self) -> BatchDeleteSecretsFluentBuilder {
        BatchDeleteSecretsFluentBuilder::new(self.clone())
    }

    /// The endpoint requests go to.
    pub fn endpoint(&self) -> &Endpoint {
        &self.inner.endpoint
    }

    /// The project id of every request.
    pub fn project_id(&self) -> &str {
        &self.inner.project_id
    }

    /// What a request would go out with: region, endpoint, credential source and key id
    /// (masked); resolves the credentials and sends nothing (`certctl config show`).
    pub async fn scope(&self) -> Result<cert_common::Scope, Error> {
        self.inner
            .runtime
            .scope(env!("CARGO_PKG_NAME"), self.endpoint())
            .await
    }
}
