//! The provider-neutral [`Deleter`] view of the client.

use async_trait::async_trait;
use cert_common::validate::parse_canonical_ids;
use cert_common::{DeleteReport, Deleter, Error, PlannedRequest};

use crate::generated::client::Client;
use crate::generated::operation::batch_delete_csr as op;

/// Parses CSR ids given as strings, in canonical decimal form only (`11`, not `011` or
/// `+11`: two spellings of one id would be one CSR reported twice); anything else is invalid
/// input, before anything is sent.
fn parse_ids(ids: &[String]) -> Result<Vec<u64>, Error> {
    parse_canonical_ids(ids, "CSRIds", "CSR id", op::CALL)
}

#[async_trait]
impl Deleter for Client {
    fn name(&self) -> &'static str {
        env!("CARGO_PKG_NAME")
    }

    /// One planned `POST` per batch of at most 100 distinct ids.
    fn plan(&self, ids: &[String]) -> Result<Vec<PlannedRequest>, Error> {
        let batches = self.batch_delete_csr().csr_ids(parse_ids(ids)?).plan()?;
        let plan = batches.into_iter().map(|batch| PlannedRequest {
            method: "POST",
            target: format!("{}/ {}", self.endpoint(), op::ACTION),
            ids: batch.iter().map(u64::to_string).collect(),
        });
        Ok(plan.collect())
    }

    fn validate_id(&self, id: &str) -> Result<(), Error> {
        parse_ids(std::slice::from_ref(&id.to_string())).map(drop)
    }

    /// A streamed run sends full batches: the documented maximum of 100 ids per request.
    fn stream_batch(&self) -> usize {
        op::BATCH_MAX.unwrap_or(1)
    }

    /// Batches in flight at once when ids are streamed: [`Client::max_concurrency`].
    fn stream_concurrency(&self) -> usize {
        self.max_concurrency()
    }

    async fn scope(&self) -> Result<cert_common::Scope, Error> {
        Client::scope(self).await
    }

    /// One `BatchDeleteCSR` per 100 distinct ids; report ids are the strings as given.
    async fn delete(&self, ids: &[String]) -> Result<DeleteReport<String>, Error> {
        let out = self
            .batch_delete_csr()
            .csr_ids(parse_ids(ids)?)
            .send()
            .await?;
        Ok(out.into_report().map_ids(|id| id.to_string()))
    }
}
