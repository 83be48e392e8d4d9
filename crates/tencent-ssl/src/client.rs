//! The `BatchDeleteCSR` operation: the fluent builder, the requests and what their answers
//! say of each id (the client itself is generated: `generated/client.rs`).

use cert_common::batch::{Answered, Batch, Prepared, send_batch, send_batches};
use cert_common::http::HttpResponse;
use cert_common::json::to_python_json;
use cert_common::outcome::ReportBuilder;
use cert_common::providers::tencent::{build_post, parse_response};
use cert_common::runtime::{AttemptContext, Executed};
use cert_common::{Error, Outcome, PlannedRequest};

use crate::generated::client::{BatchDeleteCsrFluentBuilder, BatchDeleteCsrOutput, Client};
use crate::generated::errors::RULES;
use crate::generated::models::{BatchDeleteCsrRequest, BatchDeleteCsrResult};
use crate::generated::operation::batch_delete_csr as op;

/// Batches one `send()` keeps in flight when
/// [`ClientOptions::max_concurrency`](cert_common::ClientOptions::max_concurrency) is not set
/// (the rate limiter paces them either way).
pub const DEFAULT_CONCURRENCY: usize = 16;

impl Client {
    /// The distinct ids, and the requests that carry them (at most the documented 100 each),
    /// validated.
    fn prepare(ids: &[u64]) -> Result<Prepared<u64, Vec<u64>>, Error> {
        let distinct = ReportBuilder::new(ids.iter().copied());
        let mut batches = Vec::new();
        for csr_ids in distinct.ids().chunks(op::BATCH_MAX.unwrap_or(100)) {
            let request = BatchDeleteCsrRequest {
                csr_ids: csr_ids.to_vec(),
            };
            request.validate()?;
            batches.push(Batch {
                len: csr_ids.len(),
                payload: request.csr_ids,
            });
        }
        if batches.is_empty() {
            BatchDeleteCsrRequest { csr_ids: vec![] }.validate()?;
        }
        Ok((distinct, batches))
    }

    /// Sends one request (with retries) and reads what its answer says of each id.
    async fn send_batch(&self, csr_ids: Vec<u64>) -> Result<Executed<Answered<u64>>, Error> {
        let body = to_python_json(&BatchDeleteCsrRequest { csr_ids })
            .map_err(|e| Error::invalid_input(format!("could not serialise the request: {e}")))?;
        let call = self.inner.call(op::SERVICE, op::ACTION, op::VERSION);
        self.inner
            .runtime
            .execute(
                op::CALL,
                |attempt| build_post(&call, body.clone(), attempt),
                parse,
            )
            .await
    }
}

/// The answer: every id in `Success` was deleted; an id of the request not listed there is
/// unconfirmed (the API does not say why an id is left out).
fn parse(response: &HttpResponse, attempt: &AttemptContext) -> Result<Answered<u64>, Error> {
    let result: BatchDeleteCsrResult = parse_response(response, attempt.signed_at, RULES)?;
    let rid = result.request_id;
    let message = if attempt.earlier_attempt_may_have_applied {
        format!(
            "not listed in Success of request {rid}; an earlier attempt of this request may \
             have reached the server, so it may have been deleted then"
        )
    } else {
        format!("not listed in Success of request {rid}; the API does not say why")
    };
    let outcomes = result.success.into_iter().map(|id| (id, Outcome::Deleted));
    let mut answered = Answered::new(Some(rid), outcomes.collect());
    answered.missing = Outcome::Unconfirmed {
        code: None,
        message,
    };
    Ok(answered)
}

impl BatchDeleteCsrFluentBuilder {
    /// Validates the input and returns the requests `send()` would make (one `POST` per
    /// batch of at most 100 ids), sending nothing.
    pub fn plan(&self) -> Result<Vec<PlannedRequest>, Error> {
        let (_, batches) = Client::prepare(&self.ids).map_err(tag)?;
        let target = format!("{}/ {}", self.client.endpoint(), op::ACTION);
        let plan = batches.into_iter().map(|b| {
            let ids = b.payload.iter().map(u64::to_string).collect();
            PlannedRequest::new("POST", target.clone(), ids)
        });
        Ok(plan.collect())
    }

    /// Sends the requests, at most
    /// [`ClientOptions::max_concurrency`](cert_common::ClientOptions::max_concurrency) (else
    /// [`DEFAULT_CONCURRENCY`]) at once, and reports one outcome per distinct id.
    ///
    /// Returns `Err` only when nothing was sent (invalid input, no usable credentials). An
    /// answer that stops the call (a wrong endpoint, an answer not of this API) is in
    /// [`DeleteOutput::stopped`](cert_common::DeleteOutput::stopped): no further request
    /// starts; its ids and those not sent are unconfirmed, with a message saying they were
    /// not done; the error's partial report holds the ids answers settled.
    /// A request that fails otherwise gives each of its ids [`Outcome::from_error`].
    pub async fn send(self) -> Result<BatchDeleteCsrOutput, Error> {
        let (report, mut batches) = Client::prepare(&self.ids).map_err(tag)?;
        let runtime = &self.client.inner.runtime;
        runtime
            .check_credentials(|c| cert_common::providers::tencent::access_key(c).map(drop))
            .await
            .map_err(tag)?;
        let limit = self.client.max_concurrency();
        let client = &self.client;
        if batches.len() == 1
            && let Some(batch) = batches.pop()
        {
            return send_batch(report, self.client.send_batch(batch.payload)).await;
        }
        send_batches(report, batches, limit, |_, ids| {
            let (client, ids) = (client.clone(), ids.clone());
            async move { client.send_batch(ids).await }
        })
        .await
    }
}

fn tag(e: Error) -> Error {
    op::CALL.tag(e)
}
