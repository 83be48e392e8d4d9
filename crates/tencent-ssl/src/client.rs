//! The client and the `BatchDeleteCSR` operation.

use std::sync::Arc;

use cert_common::json::to_python_json;
use cert_common::outcome::{IdSet, ReportBuilder};
use cert_common::providers::tencent::{Api3Call, Language, build_post, parse_response};
use cert_common::runtime::{Executed, Operation, Runtime};
use cert_common::{DeleteReport, Endpoint, Error, Outcome, Provider};

use cert_common::concurrency::run_bounded_until;

use crate::config::Config;
use crate::generated::errors::RULES;
use crate::generated::models::{BatchDeleteCsrRequest, BatchDeleteCsrResult};
use crate::generated::operation::batch_delete_csr as op;

/// The documented maximum of ids per request.
pub(crate) const BATCH_MAX: usize = match op::BATCH_MAX {
    Some(n) => n,
    None => 100,
};

/// Batches one `send()` keeps in flight when
/// [`ClientOptions::max_concurrency`](cert_common::ClientOptions::max_concurrency) is not set
/// (the rate limiter paces them either way).
pub const DEFAULT_CONCURRENCY: usize = 16;

const OPERATION: Operation = Operation {
    provider: Provider::Tencent,
    action: op::ACTION,
    signs_nonce: false,
};

/// A Tencent Cloud SSL Certificates client. Cheap to clone: clones share the HTTP connection
/// pool, the rate limiter and the retry budget.
#[derive(Debug, Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    runtime: Runtime,
    endpoint: Endpoint,
    region: Option<String>,
    language: Language,
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
            config.region.as_deref(),
        )?;
        if runtime.signing_algorithm() != cert_common::sign::SigningAlgorithm::HmacSha256 {
            return Err(Error::config(
                "Tencent Cloud signs only with TC3-HMAC-SHA256; the configured signing \
                 algorithm is not available for it",
            )
            .with_provider(Provider::Tencent));
        }
        Ok(Client {
            inner: Arc::new(Inner {
                runtime,
                endpoint: config.endpoint,
                region: config.region,
                language: config.language,
            }),
        })
    }

    /// The attempt loop (crate-internal).
    pub(crate) fn runtime(&self) -> &Runtime {
        &self.inner.runtime
    }

    /// Where requests go.
    pub fn endpoint(&self) -> &Endpoint {
        &self.inner.endpoint
    }

    /// Deletes CSRs: `client.batch_delete_csr().csr_ids([11, 22]).send().await`.
    pub fn batch_delete_csr(&self) -> BatchDeleteCsrFluentBuilder {
        BatchDeleteCsrFluentBuilder {
            client: self.clone(),
            ids: Vec::new(),
        }
    }

    /// Validates `ids` and splits them into the requests a delete would send (distinct ids in
    /// first-seen order, at most 100 per request), with the report those ids will fill.
    /// Sends nothing.
    fn prepare(ids: &[u64]) -> Result<(ReportBuilder<u64>, Vec<Vec<u64>>), Error> {
        let distinct = ReportBuilder::new(ids.iter().copied());
        let chunks: Vec<Vec<u64>> = if distinct.ids().is_empty() {
            vec![Vec::new()]
        } else {
            distinct
                .ids()
                .chunks(BATCH_MAX)
                .map(<[u64]>::to_vec)
                .collect()
        };
        let batches = chunks
            .into_iter()
            .map(|csr_ids| {
                let request = BatchDeleteCsrRequest { csr_ids };
                request.validate()?;
                Ok(request.csr_ids)
            })
            .collect::<Result<Vec<_>, Error>>()?;
        Ok((distinct, batches))
    }

    /// Sends one request; hands its ids back with the result.
    async fn send_batch(&self, ids: Vec<u64>) -> Result<Executed<BatchDeleteCsrResult>, Error> {
        self.send_request(&BatchDeleteCsrRequest { csr_ids: ids })
            .await
    }

    async fn send_request(
        &self,
        request: &BatchDeleteCsrRequest,
    ) -> Result<Executed<BatchDeleteCsrResult>, Error> {
        let body = to_python_json(request)
            .map_err(|e| Error::invalid_input(format!("could not serialise the request: {e}")))?;
        let inner = &self.inner;
        let call = Api3Call {
            endpoint: &inner.endpoint,
            service: op::SERVICE,
            action: op::ACTION,
            version: op::VERSION,
            region: inner.region.as_deref(),
            language: inner.language,
            request_client: inner.runtime.user_agent(),
        };
        inner
            .runtime
            .execute(
                OPERATION,
                |attempt| build_post(&call, body.clone(), attempt),
                |response, attempt| {
                    parse_response::<BatchDeleteCsrResult>(response, attempt.signed_at, RULES)
                },
            )
            .await
    }
}

/// Builds and sends a `BatchDeleteCSR` call.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until `.send()` is awaited"]
pub struct BatchDeleteCsrFluentBuilder {
    client: Client,
    ids: Vec<u64>,
}

impl BatchDeleteCsrFluentBuilder {
    /// Adds ids to delete (any number; they are split into requests of at most 100).
    pub fn csr_ids(mut self, ids: impl IntoIterator<Item = u64>) -> Self {
        self.ids.extend(ids);
        self
    }

    /// Adds one id to delete.
    pub fn csr_id(mut self, id: u64) -> Self {
        self.ids.push(id);
        self
    }

    /// The requests `send()` would make, each a list of at most 100 ids. Sends nothing.
    pub fn plan(&self) -> Result<Vec<Vec<u64>>, Error> {
        Client::prepare(&self.ids)
            .map(|(_, batches)| batches)
            .map_err(|e| e.with_provider(Provider::Tencent))
    }

    /// Sends the requests and reports one outcome per distinct id.
    ///
    /// Returns `Err` only when nothing was sent: no ids (invalid input) or no usable
    /// credentials. Everything that happens after sending is in the output's report.
    pub async fn send(self) -> Result<BatchDeleteCsrOutput, Error> {
        let tag = |e: Error| e.with_provider(Provider::Tencent).with_action(op::ACTION);
        let (mut report, batches) = Client::prepare(&self.ids).map_err(tag)?;
        let runtime = &self.client.inner.runtime;
        runtime
            .check_credentials(|c| cert_common::providers::tencent::access_key(c).map(drop))
            .await
            .map_err(tag)?;
        let client = &self.client;
        let settled = run_bounded_until(
            batches,
            runtime.max_concurrency(DEFAULT_CONCURRENCY),
            |b| {
                let (client, ids) = (client.clone(), b.clone());
                async move { client.send_batch(ids).await }
            },
            |r| matches!(r, Err(e) if e.stops_run()),
        )
        .await;
        let mut summaries = Vec::with_capacity(settled.done.len());
        let mut unrequested = Vec::new();
        let mut stop: Option<Error> = None;
        for (ids, result) in settled.done {
            match result {
                Ok(Err(e)) if e.stops_run() => {
                    if e.may_have_applied() {
                        let outcome = Outcome::from_error(&e);
                        for id in &ids {
                            report.record(id, outcome.clone(), e.request_id().map(str::to_string));
                        }
                    }
                    stop.get_or_insert(e);
                }
                Ok(result) => {
                    summaries.push(record_batch(&mut report, ids, result, &mut unrequested));
                }
                Err(failed) => {
                    for id in &ids {
                        report.record(id, Outcome::panicked(&failed.0), None);
                    }
                }
            }
        }
        if let Some(e) = stop {
            let partial = report.finish_recorded().map_ids(|id| id.to_string());
            return Err(tag(e).with_partial_report(partial));
        }
        let report = report.finish_with(|| {
            let message = "no answer covered this id".to_string();
            (
                Outcome::Unconfirmed {
                    code: None,
                    message,
                },
                None,
            )
        });
        Ok(BatchDeleteCsrOutput {
            report,
            batches: summaries,
            unrequested,
        })
    }
}

fn record_batch(
    report: &mut ReportBuilder<u64>,
    ids: Vec<u64>,
    result: Result<Executed<BatchDeleteCsrResult>, Error>,
    unrequested: &mut Vec<u64>,
) -> BatchSummary {
    match result {
        Ok(executed) => {
            let value = executed.value;
            let rid = value.request_id.clone();
            let deleted = IdSet::new(&value.success);
            let asked = IdSet::new(&ids);
            unrequested.extend(value.success.iter().filter(|id| !asked.contains(id)));
            let why = || {
                if executed.earlier_attempt_may_have_applied {
                    format!(
                        "not listed in Success of request {rid}; an earlier attempt of this \
                         request may have reached the server, so it may have been deleted then"
                    )
                } else {
                    format!("not listed in Success of request {rid}; the API does not say why")
                }
            };
            for id in &ids {
                let outcome = if deleted.contains(id) {
                    Outcome::Deleted
                } else {
                    Outcome::Unconfirmed {
                        code: None,
                        message: why(),
                    }
                };
                report.record(id, outcome, Some(rid.clone()));
            }
            BatchSummary {
                csr_ids: ids,
                request_id: Some(rid),
                attempts: executed.attempts,
                error: None,
            }
        }
        Err(error) => {
            let outcome = Outcome::from_error(&error);
            let rid = error.request_id().map(str::to_string);
            for id in &ids {
                report.record(id, outcome.clone(), rid.clone());
            }
            BatchSummary {
                csr_ids: ids,
                request_id: rid,
                attempts: error.attempts(),
                error: Some(error),
            }
        }
    }
}

/// What one request of a `BatchDeleteCSR` call did.
#[derive(Debug)]
#[non_exhaustive]
pub struct BatchSummary {
    /// The ids the request carried.
    pub csr_ids: Vec<u64>,
    /// The request id of the last answer, when the server gave one.
    pub request_id: Option<String>,
    /// Attempts made.
    pub attempts: u32,
    /// Why the request failed as a whole, if it did.
    pub error: Option<Error>,
}

/// The result of a `BatchDeleteCSR` call: one outcome per distinct requested id, and what
/// each request did.
#[derive(Debug)]
pub struct BatchDeleteCsrOutput {
    report: DeleteReport<u64>,
    batches: Vec<BatchSummary>,
    unrequested: Vec<u64>,
}

impl BatchDeleteCsrOutput {
    /// One outcome per distinct requested id, in the order first given.
    pub fn report(&self) -> &DeleteReport<u64> {
        &self.report
    }

    /// Consumes the output, keeping the report.
    pub fn into_report(self) -> DeleteReport<u64> {
        self.report
    }

    /// The requests made, in order (at most 100 ids each).
    pub fn batches(&self) -> &[BatchSummary] {
        &self.batches
    }

    /// The request id of every request that got one, in order.
    pub fn request_ids(&self) -> Vec<&str> {
        self.batches
            .iter()
            .filter_map(|b| b.request_id.as_deref())
            .collect()
    }

    /// Ids the server listed in `Success` that no request asked for (not in the report).
    pub fn unrequested_ids(&self) -> &[u64] {
        &self.unrequested
    }
}
