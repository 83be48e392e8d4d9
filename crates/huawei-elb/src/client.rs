//! The ELB client's operation and its `Deleter` view (the client itself is generated, from the
//! spec: `generated/client.rs`).

use async_trait::async_trait;
use cert_common::{DeleteReport, Deleter, Error, PlannedRequest};

use crate::generated::client::Client;

/// Batches a streamed run keeps in flight when
/// [`ClientOptions::max_concurrency`](cert_common::ClientOptions::max_concurrency) is not set.
pub const DEFAULT_CONCURRENCY: usize = 4;

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
            .map(|o| o.into_report())
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
        Client::scope(self).await
    }
}
