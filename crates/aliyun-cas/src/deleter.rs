//! The provider-neutral [`Deleter`] view of the client.

use std::collections::HashMap;

use async_trait::async_trait;
use cert_common::outcome::ReportBuilder;
use cert_common::{DeleteReport, Deleter, Error, PlannedRequest, Provider};

use crate::client::Client;
use crate::generated::operation::delete_user_certificate as op;

/// Parses certificate ids given as strings (decimal `i64`); anything else is invalid input.
/// Returns the ids and, for each, the string it was first given as.
fn parse_ids(ids: &[String]) -> Result<(Vec<i64>, HashMap<i64, String>), Error> {
    let mut parsed = Vec::with_capacity(ids.len());
    let mut original = HashMap::new();
    for s in ids {
        let id = s.parse::<i64>().map_err(|_| {
            Error::invalid_input(format!(
                "`CertId`: {s:?} is not a certificate id (an integer)"
            ))
            .with_provider(Provider::Aliyun)
            .with_action(op::ACTION)
        })?;
        original.entry(id).or_insert_with(|| s.clone());
        parsed.push(id);
    }
    if parsed.is_empty() {
        return Err(
            Error::invalid_input("`CertId`: give at least one certificate id")
                .with_provider(Provider::Aliyun)
                .with_action(op::ACTION),
        );
    }
    Ok((parsed, original))
}

#[async_trait]
impl Deleter for Client {
    fn name(&self) -> &'static str {
        env!("CARGO_PKG_NAME")
    }

    /// One planned `POST` per distinct id (the API deletes one certificate per call).
    fn plan(&self, ids: &[String]) -> Result<Vec<PlannedRequest>, Error> {
        let (parsed, _) = parse_ids(ids)?;
        let distinct = ReportBuilder::new(parsed);
        Ok(distinct
            .ids()
            .iter()
            .map(|id| PlannedRequest {
                method: "POST",
                target: format!("{}/ {}", self.endpoint(), op::ACTION),
                ids: vec![id.to_string()],
            })
            .collect())
    }

    /// Runs [`Client::delete_many`]; report ids are the strings as given.
    async fn delete(&self, ids: &[String]) -> Result<DeleteReport<String>, Error> {
        let (parsed, original) = parse_ids(ids)?;
        let report = self.delete_many(parsed).await?;
        Ok(report.map_ids(|id| original.get(&id).cloned().unwrap_or_else(|| id.to_string())))
    }
}
