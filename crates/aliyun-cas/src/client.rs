//! The `DeleteUserCertificate` operation: the fluent builder, one request per id and what its
//! answer says (the client itself is generated: `generated/client.rs`).

use cert_common::batch::{Answered, Batch, send_batch, send_batches};
use cert_common::outcome::ReportBuilder;
use cert_common::providers::aliyun::{build_request, parse_response};
use cert_common::runtime::Executed;
use cert_common::{Error, ErrorKind, Outcome, PlannedRequest, RetryClass};

use crate::generated::client::{
    Client, DeleteUserCertificateFluentBuilder, DeleteUserCertificateOutput,
};
use crate::generated::errors::RULES;
use crate::generated::models::{DeleteUserCertificateRequest, DeleteUserCertificateResponse};
use crate::generated::operation::delete_user_certificate as op;

/// Deletes a call with several ids (and a streamed run) keeps in flight when
/// [`ClientOptions::max_concurrency`](cert_common::ClientOptions::max_concurrency) is not set.
/// The rate limiter paces them either way.
pub const DEFAULT_CONCURRENCY: usize = 16;

fn tag(e: Error) -> Error {
    op::CALL.tag(e)
}

impl DeleteUserCertificateFluentBuilder {
    /// Validates the input: the distinct ids, at least one, each a valid request.
    fn prepare(&self, cert_ids: Vec<i64>) -> Result<ReportBuilder<i64>, Error> {
        let report = ReportBuilder::new(cert_ids);
        if report.ids().is_empty() {
            return Err(tag(Error::invalid_input("`CertId` is required")));
        }
        if self.client_token.is_some() && report.ids().len() > 1 {
            let message = "`ClientToken` names one request: give it with one `CertId`";
            return Err(tag(Error::invalid_input(message)));
        }
        for &cert_id in report.ids() {
            let client_token = self.client_token.clone();
            let request = DeleteUserCertificateRequest {
                cert_id,
                client_token,
            };
            request.validate().map_err(|v| tag(v.into()))?;
        }
        Ok(report)
    }

    /// Validates the input and returns the requests `send()` would make (one `POST` per
    /// distinct id), sending nothing.
    pub fn plan(&self) -> Result<Vec<PlannedRequest>, Error> {
        let target = format!("{}/ {}", self.client.endpoint(), op::ACTION);
        let report = self.prepare(self.ids.clone())?;
        let plan = (report.ids().iter())
            .map(|id| PlannedRequest::new("POST", target.clone(), vec![id.to_string()]));
        Ok(plan.collect())
    }

    /// Sends one request per distinct id (retrying as configured), at most
    /// [`ClientOptions::max_concurrency`](cert_common::ClientOptions::max_concurrency) (else
    /// [`DEFAULT_CONCURRENCY`]) at once, and reports one outcome
    /// per id: `Deleted` on success, else [`Outcome::from_error`] of the request's error
    /// (`Refused`, or `Unconfirmed` when it may have applied; never `Absent`: the API
    /// documents no "no such certificate" code).
    ///
    /// Returns `Err` only when nothing was sent (input errors, such as no certificate id or
    /// a bad client token, are [`ErrorKind::InvalidInput`](cert_common::ErrorKind); no usable
    /// credentials). An answer that stops the call (a wrong endpoint, an answer not of this API)
    /// is in [`DeleteOutput::stopped`](cert_common::DeleteOutput::stopped): no request starts
    /// after it, and its ids and those not sent are unconfirmed,
    /// with a message saying they were not done.
    pub async fn send(mut self) -> Result<DeleteUserCertificateOutput, Error> {
        let cert_ids = std::mem::take(&mut self.ids);
        let report = self.prepare(cert_ids)?;
        let client = &self.client;
        if let [cert_id] = report.ids() {
            let request = client.send_one(*cert_id, self.client_token);
            return send_batch(report, request).await;
        }
        let batches = vec![Batch::single(()); report.ids().len()];
        let limit = client.max_concurrency();
        send_batches(report, batches, limit, |ids, ()| {
            let (client, cert_id) = (client.clone(), ids[0]);
            async move { client.send_one(cert_id, None).await }
        })
        .await
    }
}

impl Client {
    /// One `DeleteUserCertificate` request, with `explicit` as its `ClientToken` (else, unless
    /// turned off, the call's client request id, the same on every attempt).
    async fn send_one(
        &self,
        cert_id: i64,
        explicit: Option<String>,
    ) -> Result<Executed<Answered<i64>>, Error> {
        let inner = &self.inner;
        let call = inner.call(op::ACTION, op::VERSION);
        let auto = inner.auto_client_token;
        let idempotent = explicit.is_some() || auto;
        let mut executed = inner
            .runtime
            .execute(
                op::CALL,
                |attempt| {
                    let client_token = explicit
                        .clone()
                        .or_else(|| auto.then(|| attempt.client_request_id.to_string()));
                    let request = DeleteUserCertificateRequest {
                        cert_id,
                        client_token,
                    };
                    build_request(&call, &request.query_params(), attempt)
                },
                |response, attempt| {
                    let answer: DeleteUserCertificateResponse =
                        parse_response(response, attempt.signed_at, RULES).map_err(|e| {
                            // With a token, a retry cannot delete twice: an unreadable
                            // success is retried.
                            if idempotent && e.kind() == ErrorKind::Decode {
                                e.with_retry_class(RetryClass::Transient)
                            } else {
                                e
                            }
                        })?;
                    Ok(Answered::every(Outcome::Deleted, Some(answer.request_id)))
                },
            )
            .await?;
        let token = explicit.or_else(|| auto.then(|| executed.client_request_id.clone()));
        executed.value.idempotency_token = token;
        Ok(executed)
    }
}
