//! `BatchDeleteCertificates`: the fluent builder, the answer's decoding and the per-id report.

use std::collections::HashSet;

use cert_common::http::{Bytes, HttpResponse};
use cert_common::outcome::ReportBuilder;
use cert_common::providers::huawei::{
    RequestSpec, check_answer, decode_error, error_from_response, fill_path, request_id,
};
use cert_common::runtime::{AttemptContext, Operation};
use cert_common::stopped;
use cert_common::{DeleteReport, Error, Outcome, PlannedRequest, Provider};

use crate::generated::client::Client;
use crate::generated::errors::RULES;
use crate::generated::models::{BatchDeleteCertificatesRequest, BatchDeleteCertificatesResponse};
use crate::generated::operation::batch_delete_certificates as op;

const OPERATION: Operation = Operation {
    provider: Provider::Huawei,
    action: op::OPERATION,
    signs_nonce: false,
};

/// `ret_status` of a deleted certificate.
const STATUS_DELETED: &str = "successful";
/// `ret_status` of a certificate that does not exist.
const STATUS_NOT_FOUND: &str = "not found";

/// Builds and sends a `BatchDeleteCertificates` call; see [`Client::batch_delete_certificates`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until `.send()` is awaited"]
pub struct BatchDeleteCertificatesFluentBuilder {
    client: Client,
    ids: Vec<String>,
}

/// The result of a `BatchDeleteCertificates` call.
#[derive(Debug)]
#[non_exhaustive]
pub struct BatchDeleteCertificatesOutput {
    /// One outcome per distinct requested id, in the order first requested.
    pub report: DeleteReport<String>,
    /// The request id: the `X-Request-Id` header, else the body's `request_id` (of the
    /// failed request's last answer when the request failed).
    pub request_id: Option<String>,
    /// The body's `request_id`, when the answer had one.
    pub body_request_id: Option<String>,
    /// Ids the server reported that were not requested (not part of the report).
    pub unexpected_ids: Vec<String>,
    /// Attempts made.
    pub attempts: u32,
    /// True when an earlier failed attempt may have taken effect (then a `not found` may be the
    /// echo of our own delete; it is reported as `Absent`, never as `Deleted`).
    pub earlier_attempt_may_have_applied: bool,
    /// The request-level error, when the whole request failed (every id then carries
    /// [`Outcome::from_error`]).
    pub error: Option<Error>,
}

impl BatchDeleteCertificatesOutput {
    /// The per-id report.
    pub fn into_report(self) -> DeleteReport<String> {
        self.report
    }
}

struct Prepared {
    /// The report to fill: it holds the distinct ids, in the order first given.
    report: ReportBuilder<String>,
    path: String,
    body: Bytes,
}

struct Answer {
    response: BatchDeleteCertificatesResponse,
    header_request_id: Option<String>,
}

impl BatchDeleteCertificatesFluentBuilder {
    pub(crate) fn new(client: Client) -> Self {
        BatchDeleteCertificatesFluentBuilder {
            client,
            ids: Vec::new(),
        }
    }

    /// Adds certificate ids to delete (repeats are sent and reported once).
    pub fn certificate_ids<I, S>(mut self, ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.ids.extend(ids.into_iter().map(Into::into));
        self
    }

    /// Adds one certificate id to delete.
    pub fn certificate_id(mut self, id: impl Into<String>) -> Self {
        self.ids.push(id.into());
        self
    }

    /// Validates `ids` (repeats collapse to one) and builds the request's path and body.
    fn prepare(client: &Client, ids: Vec<String>) -> Result<Prepared, Error> {
        let report = ReportBuilder::new(ids);
        let ids = report.ids();
        if ids.is_empty() {
            return Err(Error::invalid_input(
                "`certificates`: give at least one certificate id",
            ));
        }
        if let Some(bad) = ids.iter().find(|id| id.trim().is_empty()) {
            return Err(Error::invalid_input(format!(
                "`certificates`: certificate id {bad:?} is empty"
            )));
        }
        let request = BatchDeleteCertificatesRequest {
            project_id: client.project_id().to_string(),
            certificates: ids.to_vec(),
        };
        request.validate()?;
        let params = request.path_params();
        let path = fill_path(op::PATH_TEMPLATE, &params)?;
        let body = cert_common::json::to_python_json(&request)
            .map_err(|e| Error::invalid_input(format!("the request cannot be encoded: {e}")))?;
        Ok(Prepared {
            report,
            path,
            body: body.into(),
        })
    }

    /// Validates the input and returns the request `send()` would make, sending nothing.
    pub fn plan(&self) -> Result<PlannedRequest, Error> {
        let p = Self::prepare(&self.client, self.ids.clone())?;
        Ok(PlannedRequest {
            method: op::METHOD,
            target: format!("{}{}", self.client.endpoint(), p.path),
            ids: p.report.ids().to_vec(),
        })
    }

    /// Sends the request (with retries) and reports one outcome per distinct id.
    ///
    /// Returns `Err` only when nothing was sent: invalid input (kind `InvalidInput`) or no
    /// usable credentials (kind `Credentials`). When the request itself fails, every id gets
    /// [`Outcome::from_error`] and the error is kept in
    /// [`BatchDeleteCertificatesOutput::error`].
    pub async fn send(self) -> Result<BatchDeleteCertificatesOutput, Error> {
        let prepared = Self::prepare(&self.client, self.ids)?;
        let core = &self.client.inner;
        let spec = RequestSpec {
            method: op::METHOD,
            path: &prepared.path,
            content_type: op::CONTENT_TYPE,
            body: prepared.body.clone(),
        };
        let result = core.execute(OPERATION, &spec, parse).await;
        let mut builder = prepared.report;
        match result {
            Ok(executed) => {
                let Answer {
                    response,
                    header_request_id,
                } = executed.value;
                let request_id = header_request_id.clone().or(response.request_id.clone());
                for item in &response.certificates {
                    builder.record(&item.id, outcome_of(item), request_id.clone());
                }
                let unexpected_ids = dedup(builder.ignored());
                let report = builder.finish_with(|| {
                    let message = "the server's answer did not mention this id".to_string();
                    (
                        Outcome::Unconfirmed {
                            code: None,
                            message,
                        },
                        request_id.clone(),
                    )
                });
                Ok(BatchDeleteCertificatesOutput {
                    report,
                    request_id,
                    body_request_id: response.request_id,
                    unexpected_ids,
                    attempts: executed.attempts,
                    earlier_attempt_may_have_applied: executed.earlier_attempt_may_have_applied,
                    error: None,
                })
            }
            Err(e) if e.attempts() == 0 => Err(e),
            Err(e) if e.stops_run() => Err(stopped(e, builder)),
            Err(e) => {
                let request_id = e.request_id().map(str::to_string);
                let report = builder.finish(Outcome::from_error(&e), request_id.clone());
                Ok(BatchDeleteCertificatesOutput {
                    report,
                    request_id,
                    body_request_id: None,
                    unexpected_ids: Vec::new(),
                    attempts: e.attempts(),
                    earlier_attempt_may_have_applied: e.may_have_applied(),
                    error: Some(e),
                })
            }
        }
    }
}

fn dedup(ids: &[String]) -> Vec<String> {
    let mut seen = HashSet::new();
    ids.iter()
        .filter(|id| seen.insert(id.as_str()))
        .cloned()
        .collect()
}

/// The outcome of one item of the answer: `ret_status` `successful` → Deleted, `not found` →
/// Absent (the two values the API documents, compared exactly); any other value → Unconfirmed,
/// with its `ret_code` (the API does not say what it means).
fn outcome_of(item: &crate::generated::models::BatchDeleteCertificatesResp) -> Outcome {
    match item.ret_status.as_str() {
        STATUS_DELETED => Outcome::Deleted,
        STATUS_NOT_FOUND => Outcome::Absent,
        other => Outcome::Unconfirmed {
            code: item.ret_code.clone(),
            message: format!(
                "the server answered ret_status {other:?}, which the API does not document"
            ),
        },
    }
}

fn parse(response: &HttpResponse, attempt: &AttemptContext) -> Result<Answer, Error> {
    check_answer(response)?;
    if response.status == op::SUCCESS_STATUS {
        let decoded: BatchDeleteCertificatesResponse =
            serde_json::from_slice(&response.body).map_err(|e| decode_error(response, &e))?;
        return Ok(Answer {
            response: decoded,
            header_request_id: request_id(response),
        });
    }
    if (200..300).contains(&response.status) {
        return Err(Error::new(
            cert_common::ErrorKind::Decode,
            format!(
                "unexpected success status HTTP {} (documented: {})",
                response.status,
                op::SUCCESS_STATUS
            ),
        )
        .with_status(response.status)
        .with_request_id(request_id(response)));
    }
    Err(error_from_response(response, RULES, attempt.signed_at))
}
