//! The ELB client.

use std::sync::Arc;

use async_trait::async_trait;
use cert_common::providers::huawei::{Config, Resolved, ServiceInfo};
use cert_common::{DeleteReport, Deleter, Endpoint, Error, PlannedRequest};

use crate::batch_delete::BatchDeleteCertificatesFluentBuilder;
use crate::generated::operation::batch_delete_certificates as op;

const SERVICE: ServiceInfo = ServiceInfo {
    env_service: "ELB",
    endpoint_for_region: op::endpoint_for_region,
    documented_rate: match op::RATE_LIMIT_PER_SECOND {
        Some(r) => Some(r as f64),
        None => None,
    },
    crate_name: env!("CARGO_PKG_NAME"),
    crate_version: env!("CARGO_PKG_VERSION"),
};

/// Batches a streamed run keeps in flight when
/// [`ClientOptions::max_concurrency`](cert_common::ClientOptions::max_concurrency) is not set.
pub const DEFAULT_CONCURRENCY: usize = 4;

/// A Huawei Cloud ELB v3 client. Cheap to clone: clones share the HTTP connection pool, the
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

    /// Starts a `BatchDeleteCertificates` call.
    pub fn batch_delete_certificates(&self) -> BatchDeleteCertificatesFluentBuilder {
        BatchDeleteCertificatesFluentBuilder::new(self.clone())
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
        "huawei-elb"
    }

    /// One `POST .../certificates/batch-delete` covering every distinct id (ELB documents no
    /// batch limit).
    fn plan(&self, ids: &[String]) -> Result<Vec<PlannedRequest>, Error> {
        self.batch_delete_certificates()
            .certificate_ids(ids.iter().cloned())
            .plan()
            .map(|p| vec![p])
    }

    async fn delete(&self, ids: &[String]) -> Result<DeleteReport<String>, Error> {
        self.batch_delete_certificates()
            .certificate_ids(ids.iter().cloned())
            .send()
            .await
            .map(|o| o.report)
    }

    /// ELB documents no batch limit; streamed ids go 100 to a request, so each batch settles
    /// (and reaches a journal) soon.
    fn stream_batch(&self) -> usize {
        100
    }

    /// Batches in flight at once when ids are streamed:
    /// [`ClientOptions::max_concurrency`](cert_common::ClientOptions::max_concurrency), else
    /// [`DEFAULT_CONCURRENCY`].
    fn stream_concurrency(&self) -> usize {
        self.inner.runtime.max_concurrency(DEFAULT_CONCURRENCY)
    }

    async fn scope(&self) -> Result<cert_common::Scope, Error> {
        self.inner.runtime.scope(self.name(), self.endpoint()).await
    }
}
