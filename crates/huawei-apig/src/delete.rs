//! `DeleteCertificateV2`: the fluent builder, the request and what its answer says. The API
//! deletes one certificate per request; a call with several ids sends one request per
//! distinct id, a bounded number at once. Sending, retries and the per-id report are
//! cert-common's ([`cert_common::batch`]).

use cert_common::batch::{Answered, Batch, Prepared, send_batch, send_batches};
use cert_common::http::{Bytes, HttpResponse};
use cert_common::outcome::ReportBuilder;
use cert_common::providers::huawei::{RequestSpec, Resolved, accept, fill_path};
use cert_common::runtime::{AttemptContext, Executed};
use cert_common::{Error, Outcome, PlannedRequest};

use crate::generated::client::{Client, DeleteCertificateFluentBuilder, DeleteCertificateOutput};
use crate::generated::errors::RULES;
use crate::generated::models::DeleteCertificateV2Request;
use crate::generated::operation::delete_certificate_v2 as op;

/// Requests a call with several ids keeps in flight when
/// [`ClientOptions::max_concurrency`](cert_common::ClientOptions::max_concurrency) is not set.
pub const DEFAULT_CONCURRENCY: usize = 4;

impl DeleteCertificateFluentBuilder {
    /// The distinct ids, validated (at least one).
    fn distinct(ids: Vec<String>) -> Result<ReportBuilder<String>, Error> {
        let report = ReportBuilder::new(ids);
        if report.ids().is_empty() {
            let message = "`certificate_id`: give at least one certificate id";
            return Err(Error::invalid_input(message));
        }
        Ok(report)
    }

    /// Validates every id and builds each request's path.
    fn prepare(ids: Vec<String>, client: &Client) -> Result<Prepared<String, String>, Error> {
        let report = Self::distinct(ids)?;
        let paths = report.ids().iter().map(|id| wire_path(client, id));
        let batches = paths.map(|path| path.map(Batch::single));
        let batches = batches.collect::<Result<_, Error>>()?;
        Ok((report, batches))
    }

    /// Validates the input and returns the requests `send()` would make, sending nothing.
    pub fn plan(&self) -> Result<Vec<PlannedRequest>, Error> {
        let (report, batches) = Self::prepare(self.ids.clone(), &self.client)?;
        let endpoint = self.client.endpoint();
        let plan = batches.into_iter().zip(report.ids()).map(|(b, id)| {
            PlannedRequest::new(
                op::METHOD,
                format!("{endpoint}{}", b.payload),
                vec![id.clone()],
            )
        });
        Ok(plan.collect())
    }

    /// Sends one request per distinct id (with retries), at most
    /// [`ClientOptions::max_concurrency`](cert_common::ClientOptions::max_concurrency) (else
    /// [`DEFAULT_CONCURRENCY`]) at once, and reports one outcome per id: `Deleted` on the
    /// documented 204, `Absent` when the certificate does not exist, `Refused` or
    /// `Unconfirmed` when the request failed ([`Outcome::from_error`]).
    ///
    /// Returns `Err` only when nothing was sent (invalid input, no usable credentials). An
    /// answer that stops the call (a wrong endpoint, an answer not of this API) is in
    /// [`DeleteOutput::stopped`](cert_common::DeleteOutput::stopped): no request starts after
    /// it, and its ids and those not sent are unconfirmed,
    /// with a message saying they were not done.
    pub async fn send(self) -> Result<DeleteCertificateOutput, Error> {
        let resolved = &self.client.inner;
        if let [id] = self.ids.as_slice() {
            let path = wire_path(&self.client, id)?;
            let report = Self::distinct(self.ids)?;
            return send_batch(report, delete(resolved, &path)).await;
        }
        let (report, batches) = Self::prepare(self.ids, &self.client)?;
        let limit = self.client.max_concurrency();
        send_batches(report, batches, limit, |_, path| {
            let (resolved, path) = (resolved.clone(), path.clone());
            async move { delete(&resolved, &path).await }
        })
        .await
    }
}

/// The path of certificate `id`'s `DELETE`, validated.
fn wire_path(client: &Client, id: &str) -> Result<String, Error> {
    let request = DeleteCertificateV2Request {
        project_id: client.project_id().to_string(),
        certificate_id: id.to_string(),
    };
    request
        .validate()
        .map_err(Error::from)
        .and_then(|()| fill_path(op::PATH_TEMPLATE, &request.path_params()))
        .map_err(|e| Error::invalid_input(format!("certificate id {id:?}: {}", e.message())))
}

/// One `DELETE` of the certificate at `path`.
async fn delete(resolved: &Resolved, path: &str) -> Result<Executed<Answered<String>>, Error> {
    let spec = RequestSpec {
        method: op::METHOD,
        path,
        content_type: op::CONTENT_TYPE,
        body: Bytes::new(),
    };
    let parse = |response: &HttpResponse, attempt: &AttemptContext| {
        let request_id = accept(response, attempt, RULES, op::SUCCESS_STATUS)?;
        Ok(Answered::every(Outcome::Deleted, request_id))
    };
    resolved.execute(op::CALL, &spec, parse).await
}
