//! `BatchDeleteSecrets`: the fluent builder with its irreversibility guard, and the report.

use cert_common::http::HttpResponse;
use cert_common::outcome::ReportBuilder;
use cert_common::providers::huawei::{RequestSpec, decode, fill_path};
use cert_common::runtime::AttemptContext;
use cert_common::{DeleteReport, Error, Outcome, PlannedRequest};

use crate::generated::client::BatchDeleteSecretsFluentBuilder;
use crate::generated::errors::RULES;
use crate::generated::models::{BatchDeleteSecretsRequest, BatchDeleteSecretsResponse};
use crate::generated::operation::batch_delete_secrets as op;

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

/// The server's report of a `BatchDeleteSecrets` call, or, when the request failed after it
/// was sent, its [`error`](Self::error).
#[derive(Debug)]
#[non_exhaustive]
pub struct BatchDeleteSecretsOutput {
    /// How many secrets matched the filter, as the server counted them.
    pub total: Option<i64>,
    /// The names of the secrets deleted.
    pub deleted: Vec<String>,
    /// The secrets that matched but were not deleted, with the reason.
    pub failed: Vec<FailedSecret>,
    /// The `X-Request-Id` of the answer.
    pub request_id: Option<String>,
    /// Attempts made.
    pub attempts: u32,
    /// True when an earlier failed attempt may have taken effect: secrets it deleted are then
    /// missing from this report. For a request that failed: when any attempt may have.
    pub earlier_attempt_may_have_applied: bool,
    /// Why the request failed, when it did (then nothing above comes from an answer).
    error: Option<Error>,
}

impl BatchDeleteSecretsOutput {
    /// The output of a request that failed after it was sent.
    fn failed_with(e: Error) -> Self {
        BatchDeleteSecretsOutput {
            total: None,
            deleted: Vec::new(),
            failed: Vec::new(),
            request_id: e.request_id().map(str::to_string),
            attempts: e.attempts(),
            earlier_attempt_may_have_applied: e.may_have_applied(),
            error: Some(e),
        }
    }

    /// Why the request failed, when it did: the HTTP status, the vendor's code and message,
    /// the request id, and whether it may have applied
    /// ([`Error::may_have_applied`]: then secrets may have been deleted that no answer names).
    pub fn error(&self) -> Option<&Error> {
        self.error.as_ref()
    }

    /// [`Self::error`], consuming the output.
    pub fn into_error(self) -> Option<Error> {
        self.error
    }

    /// The output, or its error when the request failed (as reqwest's `error_for_status`):
    /// for a caller to whom any failure is an error, `send().await?.error_for_failure()?`.
    pub fn error_for_failure(mut self) -> Result<Self, Error> {
        match self.error.take() {
            Some(e) => Err(e),
            None => Ok(self),
        }
    }

    /// The error, when it is one that stops a run ([`Error::stops_run`]: a wrong endpoint,
    /// an answer not of this API), as every crate's output says.
    pub fn stopped(&self) -> Option<&Error> {
        self.error.as_ref().filter(|e| e.stops_run())
    }

    /// [`Self::report`], consuming the output.
    pub fn into_report(self) -> DeleteReport<String> {
        self.report()
    }

    /// The request id, as every crate's output gives it.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The request ids of the answers (this API's one request), as every crate's output
    /// gives them.
    pub fn request_ids(&self) -> Vec<&str> {
        self.request_id().into_iter().collect()
    }

    /// The answer as a per-id report, the same shape every other crate returns: one outcome
    /// per secret the answer names (deleted, or refused with the code at the start of its
    /// message), each name once. A name listed both as deleted and as failed is unconfirmed:
    /// the answer contradicts itself. When an earlier attempt may have applied, secrets it
    /// deleted are not named here ([`Self::earlier_attempt_may_have_applied`]).
    pub fn report(&self) -> DeleteReport<String> {
        let names = self
            .deleted
            .iter()
            .chain(self.failed.iter().map(|f| &f.name))
            .cloned();
        let mut builder = ReportBuilder::new(names);
        let failed_names: std::collections::HashSet<&str> =
            self.failed.iter().map(|f| f.name.as_str()).collect();
        for name in &self.deleted {
            let outcome = if failed_names.contains(name.as_str()) {
                Outcome::Unconfirmed {
                    code: None,
                    message: "the answer lists this secret as both deleted and failed".into(),
                }
            } else {
                Outcome::Deleted
            };
            builder.record(name, outcome, self.request_id.clone());
        }
        for f in &self.failed {
            let outcome = Outcome::Refused {
                code: f.code.clone(),
                message: f.message.clone(),
            };
            builder.record(&f.name, outcome, self.request_id.clone());
        }
        // Every name comes from the answer and was recorded above.
        builder.finish_recorded()
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
        Ok(PlannedRequest {
            method: op::METHOD,
            target: format!("{}{}", self.client.endpoint(), path),
            ids: self.instance_id.iter().cloned().collect(),
        })
    }

    /// Sends the request (with retries) and returns the server's report. A request that
    /// fails after it was sent is an output too, with its
    /// [`error`](BatchDeleteSecretsOutput::error) (HTTP status, code, message, request id);
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
            Err(e) => return Ok(BatchDeleteSecretsOutput::failed_with(e)),
        };
        let (response, request_id) = executed.value;
        Ok(BatchDeleteSecretsOutput {
            total: response.total,
            deleted: response.success_secrets.unwrap_or_default(),
            failed: response
                .failed_secrets
                .unwrap_or_default()
                .into_iter()
                .map(|f| FailedSecret {
                    code: leading_code(&f.error_msg),
                    name: f.secret_name,
                    message: f.error_msg,
                })
                .collect(),
            request_id,
            attempts: executed.attempts,
            earlier_attempt_may_have_applied: executed.earlier_attempt_may_have_applied,
            error: None,
        })
    }
}

/// `CSMS.0107` from `CSMS.0107: Secret is ...`: a `PREFIX.SUFFIX` token of letters and digits
/// before the first `:`.
fn leading_code(message: &str) -> Option<String> {
    let (head, _) = message.split_once(':')?;
    let head = head.trim();
    let (a, b) = head.split_once('.')?;
    let ok = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric());
    (ok(a) && ok(b)).then(|| head.to_string())
}

#[cfg(test)]
mod tests {
    use super::leading_code;

    #[test]
    fn codes_are_read_from_the_start_of_failure_messages() {
        assert_eq!(
            leading_code("CSMS.0107: Secret is already in the **Pending deletion** state."),
            Some("CSMS.0107".to_string())
        );
        assert_eq!(leading_code("Secret is locked: try later"), None);
        assert_eq!(leading_code("no colon"), None);
        assert_eq!(leading_code("a.b.c: x"), None);
        assert_eq!(leading_code(": x"), None);
    }
}
