//! The APIG client.

use std::sync::Arc;

use async_trait::async_trait;
use cert_common::providers::huawei::{Config, Resolved, ServiceInfo};
use cert_common::{DeleteReport, Deleter, Endpoint, Error, PlannedRequest};

use crate::delete::{
    DEFAULT_CONCURRENCY, DeleteCertificateFluentBuilder, DeleteCertificatesFluentBuilder,
};
use crate::generated::operation::delete_certificate_v2 as op;

const SERVICE: ServiceInfo = ServiceInfo {
    env_service: "APIG",
    endpoint_for_region: op::endpoint_for_region,
    documented_rate: match op::RATE_LIMIT_PER_SECOND {
        Some(r) => Some(r as f64),
        None => None,
    },
    crate_name: env!("CARGO_PKG_NAME"),
    crate_version: env!("CARGO_PKG_VERSION"),
};

/// A Huawei Cloud APIG v2 client. Cheap to clone: clones share the HTTP connection pool, the
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

    /// How many deletes [`delete_many`](Self::delete_many) and the [`Deleter`] impl run at
    /// once: [`ClientOptions::max_concurrency`](cert_common::ClientOptions::max_concurrency),
    /// else [`DEFAULT_CONCURRENCY`]. They all share the client's rate limiter and retry budget.
    pub fn max_concurrency(&self) -> usize {
        self.inner.runtime.max_concurrency(DEFAULT_CONCURRENCY)
    }

    /// Starts a `DeleteCertificateV2` call for one certificate.
    pub fn delete_certificate(&self) -> DeleteCertificateFluentBuilder {
        DeleteCertificateFluentBuilder::new(self.clone())
    }

    /// Starts a concurrent delete of several certificates.
    pub fn delete_certificates(&self) -> DeleteCertificatesFluentBuilder {
        DeleteCertificatesFluentBuilder::new(self.clone())
    }

    /// Deletes several certificates concurrently ([`DEFAULT_CONCURRENCY`](crate::DEFAULT_CONCURRENCY)
    /// at a time, paced by the client's rate limiter): one outcome per distinct id. `Err` only
    /// when nothing was sent (no ids, an invalid id, no credentials).
    pub async fn delete_many<I, S>(&self, ids: I) -> Result<DeleteReport<String>, Error>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.delete_certificates().certificate_ids(ids).send().await
    }

    /// The endpoint requests go to.
    pub fn endpoint(&self) -> &Endpoint {
        &self.inner.endpoint
    }

    /// The project id of every request.
    pub fn project_id(&self) -> &str {
        &self.inner.project_id
    }
}

#[async_trait]
impl Deleter for Client {
    fn name(&self) -> &'static str {
        "huawei-apig"
    }

    /// One `DELETE` per distinct id.
    fn plan(&self, ids: &[String]) -> Result<Vec<PlannedRequest>, Error> {
        self.delete_certificates()
            .certificate_ids(ids.iter().cloned())
            .plan()
    }

    async fn delete(&self, ids: &[String]) -> Result<DeleteReport<String>, Error> {
        self.delete_many(ids.iter().cloned()).await
    }

    /// One request per id; as many in flight as [`max_concurrency`](Self::max_concurrency).
    fn stream_concurrency(&self) -> usize {
        self.max_concurrency()
    }

    async fn scope(&self) -> Result<cert_common::Scope, Error> {
        self.inner.runtime.scope(self.name(), self.endpoint()).await
    }
}
