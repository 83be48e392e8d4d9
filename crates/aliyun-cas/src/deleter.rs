//! The provider-neutral [`Deleter`] view of the client.

use async_trait::async_trait;
use cert_common::validate::parse_canonical_ids;
use cert_common::{DeleteReport, Deleter, Error, PlannedRequest};

use crate::generated::client::Client;
use crate::generated::operation::delete_user_certificate as op;

/// Parses certificate ids given as strings, in canonical decimal form only (`7562353`, not
/// `07562353` or `+7562353`: two spellings of one id would be one certificate reported twice);
/// anything else is invalid input, before anything is sent.
fn parse_ids(ids: &[String]) -> Result<Vec<i64>, Error> {
    parse_canonical_ids(ids, "CertId", "certificate id", op::CALL)
}

#[async_trait]
impl Deleter for Client {
    fn name(&self) -> &'static str {
        env!("CARGO_PKG_NAME")
    }

    /// One planned `POST` per distinct id (the API deletes one certificate per call).
    fn plan(&self, ids: &[String]) -> Result<Vec<PlannedRequest>, Error> {
        self.delete_user_certificate()
            .cert_ids(parse_ids(ids)?)
            .plan()
    }

    fn validate_id(&self, id: &str) -> Result<(), Error> {
        parse_ids(std::slice::from_ref(&id.to_string())).map(drop)
    }

    /// Requests in flight at once when ids are streamed: [`Client::max_concurrency`].
    fn stream_concurrency(&self) -> usize {
        self.max_concurrency()
    }

    async fn scope(&self) -> Result<cert_common::Scope, Error> {
        Client::scope(self).await
    }

    /// One `DeleteUserCertificate` per distinct id; report ids are the strings as given.
    async fn delete(&self, ids: &[String]) -> Result<DeleteReport<String>, Error> {
        let out = self
            .delete_user_certificate()
            .cert_ids(parse_ids(ids)?)
            .send()
            .await?;
        Ok(out.into_report().map_ids(|id| id.to_string()))
    }
}
