//! The APIG client's operations and its `Deleter` view (the client itself is generated, from
//! the spec: `generated/client.rs`).

use async_trait::async_trait;
use cert_common::{DeleteReport, Deleter, Error, PlannedRequest};

use crate::delete::DEFAULT_CONCURRENCY;
use crate::generated::client::Client;

impl Client {
    /// How many deletes a call with several ids runs at once: [`ClientOptions::max_concurrency`](cert_common::ClientOptions::max_concurrency),
    /// else [`DEFAULT_CONCURRENCY`]. They all share the client's rate limiter and retry budget.
    pub fn max_concurrency(&self) -> usize {
        self.inner.runtime.max_concurrency(DEFAULT_CONCURRENCY)
    }
}

#[async_trait]
impl Deleter for Client {
    fn name(&self) -> &'static str {
        "huawei-apig"
    }

    /// One `DELETE` per distinct id.
    fn plan(&self, ids: &[String]) -> Result<Vec<PlannedRequest>, Error> {
        self.delete_certificate()
            .certificate_ids(ids.iter().cloned())
            .plan()
    }

    async fn delete(&self, ids: &[String]) -> Result<DeleteReport<String>, Error> {
        self.delete_certificate()
            .certificate_ids(ids.iter().cloned())
            .send()
            .await
            .map(|out| out.into_report())
    }

    /// One request per id; as many in flight as [`max_concurrency`](Self::max_concurrency).
    fn stream_concurrency(&self) -> usize {
        self.max_concurrency()
    }

    async fn scope(&self) -> Result<cert_common::Scope, Error> {
        Client::scope(self).await
    }
}
