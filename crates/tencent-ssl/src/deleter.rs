//! The provider-neutral [`Deleter`] view of the client.

use async_trait::async_trait;
use cert_common::validate::parse_canonical_id;
use cert_common::{DeleteReport, Deleter, Error, PlannedRequest, Provider};

use crate::client::Client;
use crate::generated::operation::batch_delete_csr as op;

/// Parses CSR ids given as strings, in canonical decimal form only (`11`, not `011` or
/// `+11`: two spellings of one id would be one CSR reported twice); anything else is invalid
/// input, before anything is sent.
fn parse_ids(ids: &[String]) -> Result<Vec<u64>, Error> {
    ids.iter()
        .map(|s| {
            parse_canonical_id(s, "CSRIds", "CSR id")
                .map_err(|e| e.with_provider(Provider::Tencent).with_action(op::ACTION))
        })
        .collect()
}

#[async_trait]
impl Deleter for Client {
    fn name(&self) -> &'static str {
        env!("CARGO_PKG_NAME")
    }

    /// One planned `POST` per batch of at most 100 distinct ids.
    fn plan(&self, ids: &[String]) -> Result<Vec<PlannedRequest>, Error> {
        let parsed = parse_ids(ids)?;
        let batches = self.batch_delete_csr().csr_ids(parsed).plan()?;
        Ok(batches
            .into_iter()
            .map(|batch| PlannedRequest {
                method: "POST",
                target: format!("{}/ {}", self.endpoint(), op::ACTION),
                ids: batch.iter().map(u64::to_string).collect(),
            })
            .collect())
    }

    fn validate_id(&self, id: &str) -> Result<(), Error> {
        parse_ids(std::slice::from_ref(&id.to_string())).map(drop)
    }

    /// The API's batch limit (100 ids).
    fn stream_batch(&self) -> usize {
        op::BATCH_MAX.unwrap_or(1)
    }

    /// Batches in flight at once when ids are streamed:
    /// [`ClientOptions::max_concurrency`](cert_common::ClientOptions::max_concurrency), else
    /// [`DEFAULT_CONCURRENCY`](crate::DEFAULT_CONCURRENCY).
    fn stream_concurrency(&self) -> usize {
        self.runtime().max_concurrency(crate::DEFAULT_CONCURRENCY)
    }

    async fn scope(&self) -> Result<cert_common::Scope, Error> {
        self.runtime().scope(self.name(), self.endpoint()).await
    }

    /// Runs [`BatchDeleteCsrFluentBuilder::send`](crate::BatchDeleteCsrFluentBuilder::send);
    /// report ids are the strings as given (canonical, so as the API prints them).
    async fn delete(&self, ids: &[String]) -> Result<DeleteReport<String>, Error> {
        let parsed = parse_ids(ids)?;
        let out = self.batch_delete_csr().csr_ids(parsed).send().await?;
        // Canonical ids print as they were given.
        Ok(out.into_report().map_ids(|id| id.to_string()))
    }
}
