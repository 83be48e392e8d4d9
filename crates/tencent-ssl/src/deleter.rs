//! The provider-neutral [`Deleter`] view of the client.

use std::collections::HashMap;

use async_trait::async_trait;
use cert_common::{DeleteReport, Deleter, Error, PlannedRequest, Provider};

use crate::client::Client;
use crate::generated::operation::batch_delete_csr as op;

/// Parses CSR ids given as strings (decimal, non-negative); anything else is invalid input.
/// Returns the ids and, for each, the string it was first given as.
fn parse_ids(ids: &[String]) -> Result<(Vec<u64>, HashMap<u64, String>), Error> {
    let mut parsed = Vec::with_capacity(ids.len());
    let mut original = HashMap::new();
    for s in ids {
        let id = s.parse::<u64>().map_err(|_| {
            Error::invalid_input(format!(
                "`CSRIds`: {s:?} is not a CSR id (a non-negative integer)"
            ))
            .with_provider(Provider::Tencent)
            .with_action(op::ACTION)
        })?;
        original.entry(id).or_insert_with(|| s.clone());
        parsed.push(id);
    }
    Ok((parsed, original))
}

#[async_trait]
impl Deleter for Client {
    fn name(&self) -> &'static str {
        env!("CARGO_PKG_NAME")
    }

    /// One planned `POST` per batch of at most 100 distinct ids.
    fn plan(&self, ids: &[String]) -> Result<Vec<PlannedRequest>, Error> {
        let (parsed, _) = parse_ids(ids)?;
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

    /// Runs [`BatchDeleteCsrFluentBuilder::send`](crate::BatchDeleteCsrFluentBuilder::send);
    /// report ids are the strings as given.
    async fn delete(&self, ids: &[String]) -> Result<DeleteReport<String>, Error> {
        let (parsed, original) = parse_ids(ids)?;
        let out = self.batch_delete_csr().csr_ids(parsed).send().await?;
        Ok(out
            .into_report()
            .map_ids(|id| original.get(&id).cloned().unwrap_or_else(|| id.to_string())))
    }
}
