//! A provider-neutral view of "delete these ids", so code (and `certctl`) can work with any
//! provider the same way and get the same per-id [`Outcome`](crate::Outcome)s.

use std::sync::Arc;

use async_trait::async_trait;

use crate::error::Error;
use crate::outcome::DeleteReport;

/// One request a delete would send (for dry runs).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PlannedRequest {
    /// HTTP method.
    pub method: &'static str,
    /// Full URL, or the URL and action for RPC APIs (e.g. `https://ssl.tencentcloudapi.com/ BatchDeleteCSR`).
    pub target: String,
    /// The ids this request covers.
    pub ids: Vec<String>,
}

impl PlannedRequest {
    /// A request of `method` to `target`, covering `ids`.
    pub fn new(method: &'static str, target: String, ids: Vec<String>) -> Self {
        PlannedRequest {
            method,
            target,
            ids,
        }
    }
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
    /// (bad input, missing credentials or configuration), or an answer stopped the run
    /// ([`Error::stops_run`]: a wrong endpoint, an answer not of this API); its
    /// [partial report](Error::partial_report) then holds the ids answers settled, and the
    /// others were not done ([`DeleteOutput::into_result`](crate::DeleteOutput::into_result)).
    async fn delete(&self, ids: &[String]) -> Result<DeleteReport<String>, Error>;

    /// Checks one id as [`plan`](Self::plan) would, sending nothing.
    fn validate_id(&self, id: &str) -> Result<(), Error> {
        self.plan(&[id.to_string()]).map(drop)
    }

    /// Ids per [`delete`](Self::delete) call when ids are streamed: the API's batch limit, or
    /// 1 where the API deletes one id per request.
    fn stream_batch(&self) -> usize {
        1
    }

    /// [`delete`](Self::delete) calls in flight at once when ids are streamed: the client's
    /// configured concurrency.
    fn stream_concurrency(&self) -> usize {
        8
    }

    /// Where and as whom this deleter works, for a journal that must not be resumed against
    /// another account or endpoint. Resolves the credentials (sends nothing).
    async fn scope(&self) -> Result<Scope, Error>;

    /// Deletes a stream of ids, yielding each outcome as it settles, in bounded memory: see
    /// [`crate::stream`] for the contract.
    fn delete_stream(
        self: Arc<Self>,
        ids: crate::stream::IdStream,
        options: crate::stream::StreamOptions,
    ) -> crate::stream::OutcomeStream
    where
        Self: 'static,
    {
        crate::stream::delete_stream(self, ids, options)
    }
}

/// Where and as whom a [`Deleter`] works.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Scope {
    /// The crate/API name, e.g. `tencent-ssl`.
    pub api: &'static str,
    /// The endpoint, e.g. `https://ssl.tencentcloudapi.com`.
    pub endpoint: String,
    /// The region, if the client has one.
    pub region: Option<String>,
    /// The account: a hash of the access key id ([`LimitKey::account_of`]), never the key.
    ///
    /// [`LimitKey::account_of`]: crate::rate_limit::LimitKey::account_of
    pub account: String,
    /// Where the credentials come from ([`ProvideCredentials::describe`]), never a secret.
    ///
    /// [`ProvideCredentials::describe`]: crate::credentials::ProvideCredentials::describe
    pub credentials_source: String,
    /// The access key id, masked ([`crate::credentials::mask`]); `IAM token` for a token.
    pub key_id: String,
    /// The project the requests name, for APIs whose resources live in a project (Huawei's
    /// project id); `None` elsewhere. Like the account, it decides which resources an id
    /// names.
    pub project: Option<String>,
}

impl Scope {
    /// A scope.
    pub fn new(
        api: &'static str,
        endpoint: String,
        region: Option<String>,
        account: String,
    ) -> Self {
        Scope {
            api,
            endpoint,
            region,
            account,
            credentials_source: String::new(),
            key_id: String::new(),
            project: None,
        }
    }

    /// The same scope, in `project`.
    pub fn with_project(mut self, project: String) -> Self {
        self.project = Some(project);
        self
    }

    /// The same scope, saying where its credentials come from and (masked) which key.
    pub fn with_credentials(mut self, source: String, key_id: String) -> Self {
        self.credentials_source = source;
        self.key_id = key_id;
        self
    }
}
