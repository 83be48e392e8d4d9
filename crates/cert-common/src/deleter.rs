//! A provider-neutral view of "delete these ids", so code (and `certctl`) can work with any
//! provider the same way and get the same per-id [`Outcome`](crate::Outcome)s.

use async_trait::async_trait;

use crate::error::Error;
use crate::outcome::DeleteReport;

/// One request a delete would send (for dry runs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedRequest {
    /// HTTP method.
    pub method: &'static str,
    /// Full URL, or the URL and action for RPC APIs (e.g. `https://ssl.tencentcloudapi.com/ BatchDeleteCSR`).
    pub target: String,
    /// The ids this request covers.
    pub ids: Vec<String>,
}

/// Deletes a list of ids on one provider's API.
#[async_trait]
pub trait Deleter: Send + Sync {
    /// The crate/API name, e.g. `tencent-ssl`.
    fn name(&self) -> &'static str;

    /// Validates `ids` and returns the requests a delete would send, sending nothing.
    /// Invalid input is an [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) error.
    fn plan(&self, ids: &[String]) -> Result<Vec<PlannedRequest>, Error>;

    /// Deletes `ids`: one outcome per distinct id. An `Err` means nothing was attempted
    /// (bad input, missing credentials or configuration).
    async fn delete(&self, ids: &[String]) -> Result<DeleteReport<String>, Error>;
}
