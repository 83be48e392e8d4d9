//! The client and the `DeleteUserCertificate` operation.

use std::sync::Arc;

use cert_common::outcome::ReportBuilder;
use cert_common::providers::aliyun::{RpcCall, build_request, parse_response};
use cert_common::runtime::{Operation, Runtime};
use cert_common::{DeleteReport, Endpoint, Error, Provider};

use crate::config::Config;
use crate::generated::errors::RULES;
use crate::generated::models::{DeleteUserCertificateRequest, DeleteUserCertificateResponse};
use crate::generated::operation::delete_user_certificate as op;
use crate::outcome::outcome_of;
use cert_common::concurrency::delete_each;

const OPERATION: Operation = Operation {
    provider: Provider::Aliyun,
    action: op::ACTION,
    signs_nonce: true,
};

/// An Alibaba Cloud CAS client. Cheap to clone: clones share the HTTP connection pool, the
/// rate limiter and the retry budget.
#[derive(Debug, Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    runtime: Runtime,
    endpoint: Endpoint,
    auto_client_token: bool,
}

fn tag(e: Error) -> Error {
    e.with_provider(Provider::Aliyun).with_action(op::ACTION)
}

impl Client {
    /// A client from `config`. Fails if the HTTP client cannot be built, or if the endpoint
    /// is plain `http` to a host other than loopback without
    /// [`allow_insecure_http`](cert_common::ClientOptions::allow_insecure_http).
    pub fn new(config: Config) -> Result<Self, Error> {
        let config = config.into_parts();
        let runtime = Runtime::for_api(
            config.options,
            config.credentials,
            &op::API,
            &config.endpoint,
            None,
        )
        .map_err(tag)?;
        Ok(Client {
            inner: Arc::new(Inner {
                runtime,
                endpoint: config.endpoint,
                auto_client_token: config.auto_client_token,
            }),
        })
    }

    /// The attempt loop (crate-internal).
    pub(crate) fn runtime(&self) -> &Runtime {
        &self.inner.runtime
    }

    /// How many deletes run at once:
    /// [`ClientOptions::max_concurrency`](cert_common::ClientOptions::max_concurrency), else
    /// [`DEFAULT_CONCURRENCY`](crate::DEFAULT_CONCURRENCY).
    pub fn max_concurrency(&self) -> usize {
        self.inner
            .runtime
            .max_concurrency(crate::config::DEFAULT_CONCURRENCY)
    }

    /// Where requests go.
    pub fn endpoint(&self) -> &Endpoint {
        &self.inner.endpoint
    }

    /// Deletes one certificate: `client.delete_user_certificate().cert_id(id).send().await`.
    pub fn delete_user_certificate(&self) -> DeleteUserCertificateFluentBuilder {
        DeleteUserCertificateFluentBuilder {
            client: self.clone(),
            cert_id: None,
            client_token: None,
        }
    }

    /// Deletes many certificates concurrently (at most
    /// [`ClientOptions::max_concurrency`](cert_common::ClientOptions::max_concurrency) at a time, paced by the
    /// rate limiter), each with its own `ClientToken`, and reports one outcome per distinct id
    /// ([`outcome_of`](crate::outcome_of)), in the order first given.
    ///
    /// Returns `Err` only when nothing was sent: no ids, or no usable credentials.
    pub async fn delete_many(
        &self,
        ids: impl IntoIterator<Item = i64>,
    ) -> Result<DeleteReport<i64>, Error> {
        let distinct = ReportBuilder::new(ids).ids().to_vec();
        if distinct.is_empty() {
            return Err(tag(Error::invalid_input(
                "`CertId`: give at least one certificate id",
            )));
        }
        let runtime = &self.inner.runtime;
        runtime
            .check_credentials(|c| cert_common::providers::aliyun::access_key(c).map(drop))
            .await
            .map_err(tag)?;
        delete_each(
            distinct,
            self.max_concurrency(),
            |id| *id,
            |&id| {
                let op = self.delete_user_certificate().cert_id(id);
                async move {
                    let result = op.send().await;
                    let request_id = match &result {
                        Ok(out) => Some(out.request_id.clone()),
                        Err(e) => e.request_id().map(str::to_string),
                    };
                    match result {
                        Err(e) if e.stops_run() => Err(e),
                        result => Ok((outcome_of(&result), request_id)),
                    }
                }
            },
        )
        .await
    }
}

/// Builds and sends a `DeleteUserCertificate` call.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until `.send()` is awaited"]
pub struct DeleteUserCertificateFluentBuilder {
    client: Client,
    cert_id: Option<i64>,
    client_token: Option<String>,
}

impl DeleteUserCertificateFluentBuilder {
    /// The certificate to delete (required).
    pub fn cert_id(mut self, id: i64) -> Self {
        self.cert_id = Some(id);
        self
    }

    /// The idempotency key to send as `ClientToken` (at most 64 ASCII characters), instead of
    /// the generated one. Reused on every retry of this call.
    pub fn client_token(mut self, token: impl Into<String>) -> Self {
        self.client_token = Some(token.into());
        self
    }

    /// Sends the request (retrying as configured).
    ///
    /// Every failure is an `Err`, a missing certificate included; [`outcome_of`](crate::outcome_of)
    /// maps the result to an [`Outcome`](cert_common::Outcome). Input errors (no `cert_id`, a bad
    /// client token) are [`ErrorKind::InvalidInput`](cert_common::ErrorKind) and nothing is sent.
    pub async fn send(self) -> Result<DeleteUserCertificateOutput, Error> {
        let cert_id = self
            .cert_id
            .ok_or_else(|| tag(Error::invalid_input("`CertId` is required")))?;
        DeleteUserCertificateRequest {
            cert_id,
            client_token: self.client_token.clone(),
        }
        .validate()
        .map_err(|v| tag(v.into()))?;
        let inner = &self.client.inner;
        let call = RpcCall {
            endpoint: &inner.endpoint,
            action: op::ACTION,
            version: op::VERSION,
            user_agent: inner.runtime.user_agent(),
            algorithm: inner.runtime.signing_algorithm(),
        };
        // The token is the same on every attempt: the explicit one, else (when automatic
        // tokens are on) the call's client request id, which the runtime keeps for all of them.
        let explicit = self.client_token;
        let auto = inner.auto_client_token;
        let idempotent = explicit.is_some() || auto;
        let executed = inner
            .runtime
            .execute(
                OPERATION,
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
                    parse_response::<DeleteUserCertificateResponse>(
                        response,
                        attempt.signed_at,
                        RULES,
                    )
                    .map_err(|e| {
                        // A success answer we could not read: with a ClientToken the server
                        // answers a retry with the first call's result, so retrying is exact.
                        if idempotent && e.kind() == cert_common::ErrorKind::Decode {
                            e.with_retry_class(cert_common::RetryClass::Transient)
                        } else {
                            e
                        }
                    })
                },
            )
            .await?;
        let client_token = explicit.or_else(|| auto.then(|| executed.client_request_id.clone()));
        Ok(DeleteUserCertificateOutput {
            request_id: executed.value.request_id,
            attempts: executed.attempts,
            client_token,
        })
    }
}

/// A successful `DeleteUserCertificate` call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeleteUserCertificateOutput {
    /// The request id the server assigned.
    pub request_id: String,
    /// Attempts made.
    pub attempts: u32,
    /// The `ClientToken` sent (the same on every attempt), if one was.
    pub client_token: Option<String>,
}
