//! `DeleteCertificateV2`: one certificate, or many concurrently.

use std::collections::HashSet;

use cert_common::answer::CodeMeaning;
use cert_common::concurrency::delete_each;
use cert_common::http::{Bytes, HttpResponse};
use cert_common::providers::huawei::{
    RequestSpec, check_answer, error_from_response, fill_path, request_id,
};
use cert_common::retry::RetryClass;
use cert_common::runtime::{AttemptContext, Operation};
use cert_common::{DeleteReport, Error, ErrorKind, Outcome, PlannedRequest, Provider};

use crate::generated::client::Client;
use crate::generated::errors::RULES;
use crate::generated::models::DeleteCertificateV2Request;
use crate::generated::operation::delete_certificate_v2 as op;

const OPERATION: Operation = Operation {
    provider: Provider::Huawei,
    action: op::OPERATION,
    signs_nonce: false,
};

/// How many deletes [`Client::delete_many`] (and a streamed run) keeps in flight when
/// [`ClientOptions::max_concurrency`](cert_common::ClientOptions::max_concurrency) is not set.
pub const DEFAULT_CONCURRENCY: usize = 4;

/// Builds and sends one `DeleteCertificateV2` call; see [`Client::delete_certificate`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until `.send()` is awaited"]
pub struct DeleteCertificateFluentBuilder {
    client: Client,
    certificate_id: Option<String>,
}

/// The server's definitive answer about one certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeleteCertificateOutput {
    /// `Deleted` (204), `Absent` (404) or `Refused` (another 4xx, with the server's code and
    /// message, e.g. a certificate still bound to a domain).
    pub outcome: Outcome,
    /// The `X-Request-Id` of the answer.
    pub request_id: Option<String>,
    /// Attempts made.
    pub attempts: u32,
    /// True when an earlier failed attempt may have taken effect (a 404 may then be the echo
    /// of our own delete; it is still reported as `Absent`, never as `Deleted`).
    pub earlier_attempt_may_have_applied: bool,
}

impl DeleteCertificateFluentBuilder {
    pub(crate) fn new(client: Client) -> Self {
        DeleteCertificateFluentBuilder {
            client,
            certificate_id: None,
        }
    }

    /// The certificate to delete.
    pub fn certificate_id(mut self, id: impl Into<String>) -> Self {
        self.certificate_id = Some(id.into());
        self
    }

    /// Validates the input and returns the request `send()` would make, sending nothing.
    pub fn plan(&self) -> Result<PlannedRequest, Error> {
        let id = self.certificate_id.clone().unwrap_or_default();
        let path = wire_path(&self.client, &id)?;
        Ok(PlannedRequest {
            method: op::METHOD,
            target: format!("{}{}", self.client.endpoint(), path),
            ids: vec![id],
        })
    }

    /// Sends the delete (with retries). See the crate documentation for which answers are an
    /// outcome and which an `Err`.
    pub async fn send(self) -> Result<DeleteCertificateOutput, Error> {
        let id = self.certificate_id.unwrap_or_default();
        let path = wire_path(&self.client, &id)?;
        delete_one(&self.client, &path).await
    }
}

/// The wire path for `id`, after the generated validation and the path-segment checks.
fn wire_path(client: &Client, id: &str) -> Result<String, Error> {
    let request = DeleteCertificateV2Request {
        project_id: client.project_id().to_string(),
        certificate_id: id.to_string(),
    };
    request.validate()?;
    let params = request.path_params();
    fill_path(op::PATH_TEMPLATE, &params)
}

async fn delete_one(client: &Client, path: &str) -> Result<DeleteCertificateOutput, Error> {
    let core = &client.inner;
    let spec = RequestSpec {
        method: op::METHOD,
        path,
        content_type: op::CONTENT_TYPE,
        body: Bytes::new(),
    };
    let executed = core.execute(OPERATION, &spec, parse).await;
    match executed {
        Ok(executed) => Ok(DeleteCertificateOutput {
            outcome: executed.value.0,
            request_id: executed.value.1,
            attempts: executed.attempts,
            earlier_attempt_may_have_applied: executed.earlier_attempt_may_have_applied,
        }),
        Err(e) if definitive(&e) => Ok(DeleteCertificateOutput {
            outcome: Outcome::from_error(&e),
            request_id: e.request_id().map(str::to_string),
            attempts: e.attempts(),
            earlier_attempt_may_have_applied: e.may_have_applied(),
        }),
        Err(e) => Err(e),
    }
}

/// 204 → Deleted. Anything else is an error, whose meaning comes from the generated error
/// table ([`RULES`]): the certificate-not-found code → Absent, "in use" and other refusals →
/// Refused (all three definitive, so `Ok`); a wrong endpoint (the gateway's "no such API", a
/// redirect, a foreign body) → a configuration error; throttling and server errors are retried.
fn parse(
    response: &HttpResponse,
    attempt: &AttemptContext,
) -> Result<(Outcome, Option<String>), Error> {
    check_answer(response)?;
    let status = response.status;
    if status == op::SUCCESS_STATUS {
        return Ok((Outcome::Deleted, request_id(response)));
    }
    if (200..300).contains(&status) {
        return Err(Error::new(
            ErrorKind::Decode,
            format!(
                "unexpected success status HTTP {status} (documented: {}); the certificate \
                 may or may not have been deleted",
                op::SUCCESS_STATUS
            ),
        )
        .with_status(status)
        .with_request_id(request_id(response)));
    }
    Err(error_from_response(response, RULES, attempt.signed_at))
}

/// True for an error that is the API's definitive answer about the certificate: not found,
/// in use, or another refusal (a permanent service error, not a credentials or endpoint one).
fn definitive(e: &Error) -> bool {
    e.kind() == ErrorKind::Service
        && e.retry_class() == RetryClass::Permanent
        && matches!(
            e.code_meaning(),
            Some(CodeMeaning::NotFound | CodeMeaning::InUse | CodeMeaning::Refused)
        )
}

/// Deletes several certificates concurrently; see [`Client::delete_certificates`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until `.send()` is awaited"]
pub struct DeleteCertificatesFluentBuilder {
    client: Client,
    ids: Vec<String>,
}

impl DeleteCertificatesFluentBuilder {
    pub(crate) fn new(client: Client) -> Self {
        DeleteCertificatesFluentBuilder {
            client,
            ids: Vec::new(),
        }
    }

    /// Adds certificate ids (repeats are deleted and reported once).
    pub fn certificate_ids<I, S>(mut self, ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.ids.extend(ids.into_iter().map(Into::into));
        self
    }

    /// The distinct ids and their wire paths, or the first invalid id's error. No ids at all is
    /// invalid input too, as in the other crates' batch deletes.
    fn prepare(&self) -> Result<Vec<(String, String)>, Error> {
        if self.ids.is_empty() {
            return Err(Error::invalid_input(
                "`certificate_id`: give at least one certificate id",
            ));
        }
        let mut seen = HashSet::new();
        self.ids
            .iter()
            .filter(|id| seen.insert(id.as_str()))
            .map(|id| {
                wire_path(&self.client, id)
                    .map(|p| (id.clone(), p))
                    .map_err(|e| {
                        Error::invalid_input(format!("certificate id {id:?}: {}", e.message()))
                    })
            })
            .collect()
    }

    /// Validates every id and returns one request per distinct id, sending nothing.
    pub fn plan(&self) -> Result<Vec<PlannedRequest>, Error> {
        Ok(self
            .prepare()?
            .into_iter()
            .map(|(id, path)| PlannedRequest {
                method: op::METHOD,
                target: format!("{}{}", self.client.endpoint(), path),
                ids: vec![id],
            })
            .collect())
    }

    /// Deletes every id, [`Client::max_concurrency`] at a time: one outcome per distinct
    /// id, in the order first given. `Err` only when nothing was sent: no ids, an invalid id
    /// (then no id is deleted) or no credentials. A per-id failure becomes
    /// [`Outcome::from_error`] (`Unconfirmed` when the delete may have applied, else `Refused`).
    ///
    /// Runs the deletes as tasks on the current tokio runtime.
    pub async fn send(self) -> Result<DeleteReport<String>, Error> {
        let work = self.prepare()?;
        // Fail before sending anything when there are no usable credentials.
        self.client
            .inner
            .runtime
            .check_credentials(|_| Ok(()))
            .await
            .map_err(|e| e.with_provider(Provider::Huawei).with_action(op::OPERATION))?;
        let client = &self.client;
        delete_each(
            work,
            client.max_concurrency(),
            |(id, _)| id.clone(),
            |(_, path)| {
                let (client, path) = (client.clone(), path.clone());
                async move {
                    delete_one(&client, &path)
                        .await
                        .map(|out| (out.outcome, out.request_id))
                }
            },
        )
        .await
    }
}
