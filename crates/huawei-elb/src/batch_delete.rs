//! `BatchDeleteCertificates`: the fluent builder, the request and what its answer says of each
//! id. Sending, retries and the per-id report are cert-common's ([`cert_common::batch`]).

use cert_common::batch::{Answered, send_batch};
use cert_common::http::{Bytes, HttpResponse};
use cert_common::outcome::ReportBuilder;
use cert_common::providers::huawei::{RequestSpec, decode, fill_path};
use cert_common::runtime::AttemptContext;
use cert_common::{Error, Outcome, PlannedRequest};

use crate::generated::client::{
    BatchDeleteCertificatesFluentBuilder, BatchDeleteCertificatesOutput, Client,
};
use crate::generated::errors::RULES;
use crate::generated::models::{
    BatchDeleteCertificatesRequest, BatchDeleteCertificatesResp, BatchDeleteCertificatesResponse,
};
use crate::generated::operation::batch_delete_certificates as op;

/// The request's path and body.
struct Payload {
    path: String,
    body: Bytes,
}

impl BatchDeleteCertificatesFluentBuilder {
    /// Validates `ids` (repeats collapse to one) and builds the request.
    fn prepare(
        client: &Client,
        ids: Vec<String>,
    ) -> Result<(ReportBuilder<String>, Payload), Error> {
        let report = ReportBuilder::new(ids);
        if report.ids().is_empty() {
            let message = "`certificates`: give at least one certificate id";
            return Err(Error::invalid_input(message));
        }
        if let Some(bad) = report.ids().iter().find(|id| id.trim().is_empty()) {
            let message = format!("`certificates`: certificate id {bad:?} is empty");
            return Err(Error::invalid_input(message));
        }
        let request = BatchDeleteCertificatesRequest {
            project_id: client.project_id().to_string(),
            certificates: report.ids().to_vec(),
        };
        request.validate()?;
        let path = fill_path(op::PATH_TEMPLATE, &request.path_params())?;
        let body = cert_common::json::to_python_json(&request)
            .map_err(|e| Error::invalid_input(format!("the request cannot be encoded: {e}")))?;
        let payload = Payload {
            path,
            body: body.into(),
        };
        Ok((report, payload))
    }

    /// Validates the input and returns the request `send()` would make (one, covering every
    /// distinct id: ELB documents no batch limit), sending nothing.
    pub fn plan(&self) -> Result<Vec<PlannedRequest>, Error> {
        let (report, payload) = Self::prepare(&self.client, self.ids.clone())?;
        let target = format!("{}{}", self.client.endpoint(), payload.path);
        Ok(vec![PlannedRequest::new(
            op::METHOD,
            target,
            report.ids().to_vec(),
        )])
    }

    /// Sends the request (with retries) and reports one outcome per distinct id.
    ///
    /// Returns `Err` only when nothing was sent (invalid input, no usable credentials). When
    /// the request fails, even with an answer that stops the run (a wrong endpoint, an answer
    /// not of this API: [`DeleteOutput::stopped`](cert_common::DeleteOutput::stopped)), every
    /// id gets an outcome (unconfirmed when it was not done) and the error is kept in
    /// [`DeleteOutput::error`](cert_common::DeleteOutput::error).
    pub async fn send(self) -> Result<BatchDeleteCertificatesOutput, Error> {
        let (report, payload) = Self::prepare(&self.client, self.ids)?;
        let spec = RequestSpec {
            method: op::METHOD,
            path: &payload.path,
            content_type: op::CONTENT_TYPE,
            body: payload.body,
        };
        let request = self.client.inner.execute(op::CALL, &spec, parse);
        send_batch(report, request).await
    }
}

/// The outcome of one item of the answer: `ret_status` `successful` → Deleted, `not found` →
/// Absent (the two values the API documents, compared exactly); any other value → Unconfirmed,
/// with its `ret_code` (the API does not say what it means).
fn outcome_of(item: &BatchDeleteCertificatesResp) -> Outcome {
    match item.ret_status.as_str() {
        "successful" => Outcome::Deleted,
        "not found" => Outcome::Absent,
        other => Outcome::Unconfirmed {
            code: item.ret_code.clone(),
            message: format!(
                "the server answered ret_status {other:?}, which the API does not document"
            ),
        },
    }
}

/// The answer: the `X-Request-Id` header, else the body's `request_id`, and each item's
/// outcome.
fn parse(response: &HttpResponse, attempt: &AttemptContext) -> Result<Answered<String>, Error> {
    let (answer, header_request_id): (BatchDeleteCertificatesResponse, _) =
        decode(response, attempt, RULES, op::SUCCESS_STATUS)?;
    let outcomes = answer.certificates.into_iter().map(|item| {
        let outcome = outcome_of(&item);
        (item.id, outcome)
    });
    let request_id = header_request_id.or(answer.request_id);
    Ok(Answered::new(request_id, outcomes.collect()))
}
