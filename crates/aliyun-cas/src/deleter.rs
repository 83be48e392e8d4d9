//! The provider-neutral [`Deleter`] view of the client.

use async_trait::async_trait;
use cert_common::outcome::ReportBuilder;
use cert_common::validate::parse_canonical_id;
use cert_common::{DeleteReport, Deleter, Error, PlannedRequest, Provider};

use crate::client::Client;
use crate::generated::operation::delete_user_certificate as op;

/// Parses certificate ids given as strings, in canonical decimal form only (`7562353`, not
/// `07562353` or `+7562353`: two spellings of one id would be one certificate reported twice);
/// anything else is invalid input, before anything is sent.
fn parse_ids(ids: &[String]) -> Result<Vec<i64>, Error> {
    let tag = |e: Error| e.with_provider(Provider::Aliyun).with_action(op::ACTION);
    let parsed = ids
        .iter()
        .map(|s| parse_canonical_id(s, "CertId", "certificate id").map_err(tag))
        .collect::<Result<Vec<i64>, Error>>()?;
    if parsed.is_empty() {
        return Err(tag(Error::invalid_input(
            "`CertId`: give at least one certificate id",
        )));
    }
    Ok(parsed)
}

#[async_trait]
impl Deleter for Client {
    fn name(&self) -> &'static str {
        env!("CARGO_PKG_NAME")
    }

    /// One planned `POST` per distinct id (the API deletes one certificate per call).
    fn plan(&self, ids: &[String]) -> Result<Vec<PlannedRequest>, Error> {
        let parsed = parse_ids(ids)?;
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

    fn validate_id(&self, id: &str) -> Result<(), Error> {
        parse_canonical_id::<i64>(id, "CertId", "certificate id")
            .map(drop)
            .map_err(|e| e.with_provider(Provider::Aliyun).with_action(op::ACTION))
    }

    /// One request per id; as many in flight as the config's
    /// [`ClientOptions::max_concurrency`](cert_common::ClientOptions::max_concurrency).
    fn stream_concurrency(&self) -> usize {
        self.max_concurrency()
    }

    async fn scope(&self) -> Result<cert_common::Scope, Error> {
        self.runtime().scope(self.name(), self.endpoint()).await
    }

    /// One `DeleteUserCertificate` per distinct id; report ids are the strings as given.
    async fn delete(&self, ids: &[String]) -> Result<DeleteReport<String>, Error> {
        let parsed = parse_ids(ids)?;
        let out = self
            .delete_user_certificate()
            .cert_ids(parsed)
            .send()
            .await?;
        // Canonical ids print as they were given.
        Ok(out.into_report().map_ids(|id| id.to_string()))
    }
}
