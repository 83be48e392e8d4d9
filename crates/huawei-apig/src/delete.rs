//! `DeleteCertificateV2`: one certificate, or many concurrently.

use std::collections::HashSet;

use cert_common::concurrency::run_bounded;
use cert_common::http::{Bytes, HttpResponse};
use cert_common::outcome::ReportBuilder;
use cert_common::providers::huawei::{RequestSpec, error_from_response, fill_path, request_id};
use cert_common::retry::RetryClass;
use cert_common::runtime::Operation;
use cert_common::{DeleteReport, Error, ErrorKind, Outcome, PlannedRequest, Provider};

use crate::client::Client;
use crate::generated::models::DeleteCertificateV2Request;
use crate::generated::operation::delete_certificate_v2 as op;

const OPERATION: Operation = Operation {
    provider: Provider::Huawei,
    action: op::OPERATION,
    signs_nonce: false,
};

/// How many deletes [`Client::delete_many`] runs at once.
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
    let executed = core.execute(OPERATION, &spec, parse).await?;
    let (outcome, request_id) = executed.value;
    Ok(DeleteCertificateOutput {
        outcome,
        request_id,
        attempts: executed.attempts,
        earlier_attempt_may_have_applied: executed.earlier_attempt_may_have_applied,
    })
}

/// 204/200 → Deleted; 404 → Absent; a permanent 4xx other than 401/403/429 → Refused; anything
/// else is an error (retried when its class says so).
fn parse(response: &HttpResponse) -> Result<(Outcome, Option<String>), Error> {
    let status = response.status;
    let rid = request_id(response);
    if status == op::SUCCESS_STATUS || status == 200 {
        return Ok((Outcome::Deleted, rid));
    }
    if (200..300).contains(&status) {
        return Err(Error::new(
            ErrorKind::Decode,
            format!(
                "unexpected success status HTTP {status} (documented: {})",
                op::SUCCESS_STATUS
            ),
        )
        .with_status(status)
        .with_request_id(rid));
    }
    let e = error_from_response(response);
    let definitive = e.retry_class() == RetryClass::Permanent
        && e.kind() == ErrorKind::Service
        && (400..500).contains(&status)
        && !matches!(status, 401 | 403 | 429);
    if !definitive {
        return Err(e);
    }
    let rid = e.request_id().map(str::to_string);
    if status == 404 {
        return Ok((Outcome::Absent, rid));
    }
    Ok((
        Outcome::Refused {
            code: e.code().map(str::to_string),
            message: e.message().to_string(),
        },
        rid,
    ))
}

/// Deletes several certificates concurrently; see [`Client::delete_certificates`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until `.send()` is awaited"]
pub struct DeleteCertificatesFluentBuilder {
    client: Client,
    ids: Vec<String>,
    concurrency: usize,
}

impl DeleteCertificatesFluentBuilder {
    pub(crate) fn new(client: Client) -> Self {
        DeleteCertificatesFluentBuilder {
            concurrency: client.concurrency,
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

    /// How many deletes run at once (at least 1; default: the client's
    /// [`with_concurrency`](Client::with_concurrency), itself [`DEFAULT_CONCURRENCY`]). All of them
    /// share the client's rate limiter and retry budget.
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
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

    /// Deletes every id, [`concurrency`](Self::concurrency) at a time: one outcome per distinct
    /// id, in the order first given. `Err` only when nothing was sent: no ids, an invalid id
    /// (then no id is deleted) or no credentials. A per-id failure becomes
    /// [`Outcome::from_error`] (`Unconfirmed` when the delete may have applied, else `Refused`).
    ///
    /// Runs the deletes as tasks on the current tokio runtime.
    pub async fn send(self) -> Result<DeleteReport<String>, Error> {
        let work = self.prepare()?;
        let mut builder = ReportBuilder::new(work.iter().map(|(id, _)| id.clone()));
        // Fail before sending anything when there are no usable credentials.
        self.client
            .inner
            .runtime
            .check_credentials(|_| Ok(()))
            .await
            .map_err(|e| e.with_provider(Provider::Huawei).with_action(op::OPERATION))?;
        let client = &self.client;
        let results = run_bounded(work, self.concurrency, |(id, path): (String, String)| {
            let client = client.clone();
            async move {
                let result = delete_one(&client, &path).await;
                (id, result)
            }
        })
        .await;
        for (id, result) in results {
            match result {
                Ok(out) => builder.record(&id, out.outcome, out.request_id),
                Err(e) => {
                    let rid = e.request_id().map(str::to_string);
                    builder.record(&id, Outcome::from_error(&e), rid);
                }
            }
        }
        Ok(builder.finish_with(|| {
            let message = "the delete task ended before an answer was seen".to_string();
            (
                Outcome::Unconfirmed {
                    code: None,
                    message,
                },
                None,
            )
        }))
    }
}
