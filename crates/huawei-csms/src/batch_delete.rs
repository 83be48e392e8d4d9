//! `BatchDeleteSecrets`: the fluent builder with its irreversibility guard, and the report.

use std::sync::OnceLock;

use cert_common::http::HttpResponse;
use cert_common::providers::huawei::{RequestSpec, decode, fill_path, leading_code};
use cert_common::runtime::{AttemptContext, Executed};
use cert_common::{DeleteOutput, DeleteReport, Error, Outcome, PlannedRequest};

use crate::generated::models::{BatchDeleteSecretsRequest, BatchDeleteSecretsResponse};
use crate::generated::operation::batch_delete_secrets as op;
use crate::generated::{client::BatchDeleteSecretsFluentBuilder, errors::RULES};

/// A secret the server matched but could not delete.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FailedSecret {
    /// The secret's name.
    pub name: String,
    /// The code at the start of the message (`CSMS.0107` in
    /// `CSMS.0107: Secret is already in the **Pending deletion** state.`), when there is one.
    pub code: Option<String>,
    /// The server's message, verbatim.
    pub message: String,
}

/// The server's report of a `BatchDeleteSecrets` call.
///
/// It derefs to the [`DeleteOutput`] every crate's `send()` returns, over the secrets the
/// answer names: [`report()`](DeleteOutput::report) (deleted; a failed secret as the error
/// table says of the code at the start of its message: refused, or unconfirmed for a server
/// error or throttling; a name listed both as deleted and as failed is unconfirmed: the
/// answer contradicts itself), [`request_id()`](DeleteOutput::request_id),
/// [`attempts()`](DeleteOutput::attempts),
/// [`earlier_attempt_may_have_applied()`](DeleteOutput::earlier_attempt_may_have_applied)
/// (then secrets an earlier attempt deleted are missing from the report), and, for a request
/// that failed after it was sent, [`error()`](DeleteOutput::error) and
/// [`stopped()`](DeleteOutput::stopped).
#[derive(Debug)]
#[non_exhaustive]
pub struct BatchDeleteSecretsOutput {
    /// How many secrets matched the filter, as the server counted them.
    pub total: Option<i64>,
    /// The names of the secrets deleted.
    pub deleted: Vec<String>,
    /// The secrets that matched but were not deleted, with the reason.
    pub failed: Vec<FailedSecret>,
    /// The request as it went (its value: the request id).
    request: Executed<Option<String>>,
    /// Made from the lists the first time it is asked for (set at once for a failure).
    output: OnceLock<DeleteOutput<String>>,
}

impl std::ops::Deref for BatchDeleteSecretsOutput {
    type Target = DeleteOutput<String>;

    fn deref(&self) -> &DeleteOutput<String> {
        self.output.get_or_init(|| self.made())
    }
}

impl BatchDeleteSecretsOutput {
    /// The shared output over the names the lists give: deleted, or what `RULES` make of a
    /// failed secret's code (a secret in both lists is unconfirmed).
    fn made(&self) -> DeleteOutput<String> {
        let others = self.failed.iter().map(|f| {
            let outcome = Outcome::listed_failure(RULES, f.code.clone(), f.message.clone());
            (f.name.clone(), outcome)
        });
        DeleteOutput::of_lists(self.request.clone(), self.deleted.iter().cloned(), others)
    }

    /// The shared output, consuming this one.
    fn into_output(mut self) -> DeleteOutput<String> {
        self.output.take().unwrap_or_else(|| self.made())
    }

    /// The per-secret report, consuming the output.
    pub fn into_report(self) -> DeleteReport<String> {
        self.into_output().into_report()
    }

    /// Why the request failed, when it did (an answered request has no error: asking does
    /// not make the report).
    pub fn error(&self) -> Option<&Error> {
        self.output.get()?.error()
    }

    /// [`Self::error`] when it [stops a run](Error::stops_run).
    pub fn stopped(&self) -> Option<&Error> {
        self.output.get()?.stopped()
    }

    /// The request's error, when it failed, consuming the output.
    pub fn into_error(self) -> Option<Error> {
        self.into_output().into_error()
    }

    /// The output, or its error when the request failed (as reqwest's `error_for_status`):
    /// for a caller to whom any failure is an error, `send().await?.error_for_failure()?`.
    pub fn error_for_failure(mut self) -> Result<Self, Error> {
        match self.output.get_mut().and_then(DeleteOutput::take_error) {
            Some(e) => Err(e),
            None => Ok(self),
        }
    }
}

impl BatchDeleteSecretsFluentBuilder {
    fn prepare(&self) -> Result<(String, Vec<u8>), Error> {
        match &self.instance_id {
            Some(id) if id.trim().is_empty() => {
                return Err(Error::invalid_input("`instance_id` must not be empty"));
            }
            None if !self.without_instance_id => {
                return Err(Error::invalid_input(
                    "`instance_id` is required: without it the server deletes every matching \
                     secret, irreversibly; call \
                     .delete_without_instance_id_i_understand_this_is_irreversible() to allow that",
                ));
            }
            _ => {}
        }
        let request = BatchDeleteSecretsRequest {
            project_id: self.client.project_id().to_string(),
            instance_id: self.instance_id.clone(),
            instance_type: self.instance_type,
        };
        request.validate()?;
        let path = fill_path(op::PATH_TEMPLATE, &request.path_params())?;
        let body = cert_common::json::to_python_json(&request)
            .map_err(|e| Error::invalid_input(format!("the request cannot be encoded: {e}")))?;
        Ok((path, body))
    }

    /// Validates the input and returns the request `send()` would make, sending nothing
    /// (`ids` holds the instance id, when given).
    pub fn plan(&self) -> Result<PlannedRequest, Error> {
        let (path, _) = self.prepare()?;
        let target = format!("{}{}", self.client.endpoint(), path);
        let ids = self.instance_id.iter().cloned().collect();
        Ok(PlannedRequest::new(op::METHOD, target, ids))
    }

    /// Sends the request (with retries) and returns the server's report. A request that
    /// fails after it was sent is an output too, with its
    /// [`error`](cert_common::DeleteOutput::error) (HTTP status, code, message, request id);
    /// `Err` only when nothing was sent (invalid input, no usable credentials).
    pub async fn send(self) -> Result<BatchDeleteSecretsOutput, Error> {
        let (path, body) = self.prepare()?;
        let core = &self.client.inner;
        let spec = RequestSpec {
            method: op::METHOD,
            path: &path,
            content_type: op::CONTENT_TYPE,
            body: body.into(),
        };
        let parse = |r: &HttpResponse, a: &AttemptContext| {
            decode::<BatchDeleteSecretsResponse>(r, a, RULES, op::SUCCESS_STATUS)
        };
        let executed = match core.execute(op::CALL, &spec, parse).await {
            Ok(executed) => executed,
            Err(e) if e.attempts() == 0 => return Err(e),
            Err(e) => {
                let request = Executed::of_failure(&e);
                let output = OnceLock::from(DeleteOutput::of_failure(e));
                let (total, deleted, failed) = (None, Vec::new(), Vec::new());
                return Ok(BatchDeleteSecretsOutput {
                    total,
                    deleted,
                    failed,
                    request,
                    output,
                });
            }
        };
        let mut lists = (None, Vec::new(), Vec::new());
        let request = executed.map(|(response, request_id)| {
            let failed = (response.failed_secrets.into_iter().flatten()).map(|f| FailedSecret {
                code: leading_code(&f.error_msg),
                name: f.secret_name,
                message: f.error_msg,
            });
            let deleted = response.success_secrets.unwrap_or_default();
            lists = (response.total, deleted, failed.collect());
            request_id
        });
        let (total, deleted, failed) = lists;
        let output = OnceLock::new();
        Ok(BatchDeleteSecretsOutput {
            total,
            deleted,
            failed,
            request,
            output,
        })
    }
}
