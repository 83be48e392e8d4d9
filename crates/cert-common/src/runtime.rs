//! The way every request goes: rate limiter → credentials → build and sign (afresh for each
//! attempt) → send → classify → retry or return. Provider crates supply two closures, one that
//! builds a signed request for an attempt and one that parses a response into a value or an
//! [`Error`]; everything else lives here, once.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::answer::CodeMeaning;
use crate::credentials::{Credentials, ProvideCredentials};
use crate::error::{Error, ErrorKind, Provider};
use crate::http::{HttpRequest, HttpResponse};
use crate::random::{FastRandom, Random};
use crate::rate_limit::{LimitKey, Limiter, RateLimitConfig, RateLimiter};
use crate::retry::{RETRY_COST, RETRY_TIMEOUT_COST, RetryBudget, RetryConfig, SUCCESS_REFUND};
use crate::time::{Clock, Sleep, SystemClock, TokioSleep, UtcDateTime, unix_seconds};
use crate::transport::{HttpSend, ReqwestTransport, Transport, TransportConfig};

/// How a client paces its requests.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum RateLimit {
    /// The API's documented limit (no pacing where none is documented).
    Documented,
    /// A custom limit.
    Custom(RateLimitConfig),
    /// No client-side pacing.
    Off,
}

/// Options every client shares: retries, pacing, timeouts, the HTTP client, and the time and
/// randomness seams (for tests).
#[derive(Debug, Clone)]
#[must_use = "options take effect only when given to a client's config"]
pub struct ClientOptions {
    pub(crate) retry: RetryConfig,
    pub(crate) rate_limit: RateLimit,
    pub(crate) transport_config: TransportConfig,
    pub(crate) http: Option<Transport>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) sleep: Arc<dyn Sleep>,
    pub(crate) random: Arc<dyn Random>,
    pub(crate) app_name: Option<String>,
    pub(crate) user_agent: Option<String>,
    pub(crate) client_request_id_header: bool,
    pub(crate) allow_insecure_http: bool,
    pub(crate) shared_limiter: Option<Arc<dyn Limiter>>,
    pub(crate) ca_bundle: Option<std::path::PathBuf>,
    pub(crate) signing_algorithm: crate::sign::SigningAlgorithm,
    pub(crate) max_concurrency: Option<usize>,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            retry: RetryConfig::default(),
            rate_limit: RateLimit::Documented,
            transport_config: TransportConfig::default(),
            http: None,
            clock: Arc::new(SystemClock),
            sleep: Arc::new(TokioSleep),
            random: Arc::new(FastRandom::default()),
            app_name: None,
            user_agent: None,
            client_request_id_header: true,
            allow_insecure_http: false,
            shared_limiter: None,
            ca_bundle: None,
            signing_algorithm: crate::sign::SigningAlgorithm::HmacSha256,
            max_concurrency: None,
        }
    }
}

impl ClientOptions {
    /// Requests in flight at once for one call over many ids (a `send` with several ids or batches,
    /// in batches for the APIs that take several ids per request), and the default for a
    /// streaming delete ([`Deleter::stream_concurrency`](crate::Deleter::stream_concurrency)).
    /// This is the one place concurrency is set, for every provider crate. At least 1; unset,
    /// each API's own default applies (its crate's `DEFAULT_CONCURRENCY`). The rate limiter
    /// paces them all either way.
    pub fn max_concurrency(mut self, n: usize) -> Self {
        self.max_concurrency = Some(n.max(1));
        self
    }

    /// Sets the retry policy.
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = retry;
        self
    }

    /// Sets client-side pacing.
    pub fn rate_limit(mut self, rate_limit: RateLimit) -> Self {
        self.rate_limit = rate_limit;
        self
    }

    /// Paces through a limiter shared with other clients, processes or machines (the Redis
    /// limiter of `cert-ratelimit-redis`) instead of this client's own token bucket. The rate
    /// is still the one [`rate_limit`](Self::rate_limit) chooses; with [`RateLimit::Off`] the
    /// shared limiter is not used. The limiter keys its state by [`LimitKey`]: vendor, account
    /// (a hash of the key id), region and action.
    pub fn shared_rate_limiter(mut self, limiter: Arc<dyn Limiter>) -> Self {
        self.shared_limiter = Some(limiter);
        self
    }

    /// Signs with `algorithm`: HMAC-SHA256 (the default), or, with the cargo feature `sm3`,
    /// HMAC-SM3 (Huawei `SDK-HMAC-SM3`, Aliyun `ACS3-HMAC-SM3`) for rules that require the
    /// Chinese national algorithms. Tencent Cloud signs only with `TC3-HMAC-SHA256`: its
    /// client refuses any other when it is built.
    pub fn signing_algorithm(mut self, algorithm: crate::sign::SigningAlgorithm) -> Self {
        self.signing_algorithm = algorithm;
        self
    }

    /// Trusts the roots of this PEM bundle too (corporate proxies that re-sign TLS), on top
    /// of the platform's (or, with the `webpki-roots` feature, the bundled) roots. Without it,
    /// the file `SSL_CERT_FILE` names is used the same way. A bundle that cannot be read is a
    /// configuration error when the client is built. See [`crate::tls`].
    pub fn ca_bundle(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.ca_bundle = Some(path.into());
        self
    }

    /// `env` with `SSL_CERT_FILE` reading the [`ca_bundle`](Self::ca_bundle) when one is set:
    /// the environment the credential chain is built from, so its STS and IAM calls trust the
    /// same roots as the API calls.
    pub fn credential_env(&self, env: crate::credentials::Env) -> crate::credentials::Env {
        match &self.ca_bundle {
            Some(p) => env.with(crate::tls::SSL_CERT_FILE, p.display().to_string()),
            None => env,
        }
    }

    /// Sets the connect timeout (of the default transport) and the attempt timeout (of every
    /// attempt, whatever the transport).
    pub fn timeouts(mut self, config: TransportConfig) -> Self {
        self.transport_config = config;
        self
    }

    /// Sends through the caller's own `reqwest::Client` (feature `reqwest-client`: reqwest's
    /// types are in this crate's API only with it, so a reqwest upgrade is not a breaking
    /// change for anyone else).
    #[cfg(feature = "reqwest-client")]
    pub fn reqwest_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(Transport::Reqwest(ReqwestTransport::from_client(client)));
        self
    }

    /// Sends through any [`HttpSend`] (a test double, a recording transport...).
    pub fn http(mut self, http: Arc<dyn HttpSend>) -> Self {
        self.http = Some(Transport::Custom(http));
        self
    }

    /// Replaces the clock and sleep (tests: [`crate::time::ManualClock`] serves as both).
    pub fn time(mut self, clock: Arc<dyn Clock>, sleep: Arc<dyn Sleep>) -> Self {
        self.clock = clock;
        self.sleep = sleep;
        self
    }

    /// Replaces the randomness used for jitter, nonces and client request ids.
    pub fn random(mut self, random: Arc<dyn Random>) -> Self {
        self.random = random;
        self
    }

    /// Appends an application name to the User-Agent.
    pub fn app_name(mut self, name: impl Into<String>) -> Self {
        self.app_name = Some(name.into());
        self
    }

    /// Replaces the whole User-Agent (it is a signed header for Huawei and Aliyun; tests use
    /// this to reproduce the vendors' vectors).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Whether to send a client request id header where the vendor has no native slot for one
    /// (Huawei: `X-Client-Request-Id`). On by default. Tencent always sends `X-TC-TraceId`.
    pub fn client_request_id_header(mut self, on: bool) -> Self {
        self.client_request_id_header = on;
        self
    }

    /// Allows plain `http://` endpoints on hosts other than this machine's loopback
    /// (`127.0.0.0/8`, `::1`, `localhost`). Off by default: over plain HTTP, signed requests,
    /// security tokens and IAM tokens travel in clear text, so such an endpoint is refused
    /// with an [`ErrorKind::Config`] error before anything is sent. Loopback endpoints (a
    /// local emulator) are always allowed.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// The retry policy.
    pub fn retry_config(&self) -> &RetryConfig {
        &self.retry
    }
}

/// Checks that `endpoint` may be used: `https`, or plain `http` to a loopback host, or plain
/// `http` anywhere when `allow_insecure_http` is set. The runtime checks every request; a
/// client checks its endpoint when it is built, so the error comes before anything is sent.
pub fn check_endpoint_scheme(
    scheme: &str,
    host: &str,
    allow_insecure_http: bool,
) -> Result<(), Error> {
    if scheme.eq_ignore_ascii_case("http")
        && !allow_insecure_http
        && !crate::answer::is_loopback_host(host)
    {
        return Err(Error::config(format!(
            "endpoint http://{host}: plain http is allowed only to this machine's loopback \
             addresses; signatures and security tokens would travel in clear text. Use https, \
             or opt in explicitly (ClientOptions::allow_insecure_http, certctl --allow-insecure-http)"
        )));
    }
    Ok(())
}

impl Operation {
    /// `e`, naming this operation's provider and action (where it names none yet).
    pub fn tag(&self, e: Error) -> Error {
        let e = if e.provider().is_none() {
            e.with_provider(self.provider)
        } else {
            e
        };
        if e.action().is_none() {
            e.with_action(self.action)
        } else {
            e
        }
    }
}

/// Facts about an operation that the runtime needs.
#[derive(Debug, Clone, Copy)]
pub struct Operation {
    /// The provider.
    pub provider: Provider,
    /// The vendor's action name (`BatchDeleteCSR`).
    pub action: &'static str,
    /// Whether each attempt signs a fresh nonce (Aliyun's `x-acs-signature-nonce`); when
    /// false, [`Attempt::nonce`] is empty and no randomness is spent on it.
    pub signs_nonce: bool,
}

/// What an attempt's request builder gets.
#[derive(Debug)]
pub struct Attempt<'a> {
    /// 1 for the first attempt.
    pub number: u32,
    /// Credentials for this attempt.
    pub credentials: &'a Credentials,
    /// The wall time to sign with.
    pub now: SystemTime,
    /// The client request id of this logical call (the same on every attempt).
    pub client_request_id: &'a str,
    /// A fresh nonce for this attempt (32 hex characters) when the operation
    /// [signs one](Operation::signs_nonce), else empty.
    pub nonce: String,
}

impl Attempt<'_> {
    /// `now` as a UTC calendar time.
    pub fn utc(&self) -> UtcDateTime {
        UtcDateTime::from_system_time(self.now)
    }

    /// `now` as Unix seconds.
    pub fn unix(&self) -> i64 {
        unix_seconds(self.now)
    }
}

/// What the parse step knows of the attempt whose answer it reads: it travels with the
/// answer, so no parser needs a side channel to its request builder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct AttemptContext {
    /// 1 for the first attempt.
    pub number: u32,
    /// The wall time the request was signed with (the injected clock's).
    pub signed_at: SystemTime,
    /// True when an earlier, failed attempt of this call may have taken effect.
    pub earlier_attempt_may_have_applied: bool,
}

/// A successful call.
#[derive(Debug, Clone)]
pub struct Executed<T> {
    /// The parsed value.
    pub value: T,
    /// Attempts made.
    pub attempts: u32,
    /// True when an earlier, failed attempt may have taken effect on the server (so a result
    /// such as "not found" may be the echo of our own earlier delete).
    pub earlier_attempt_may_have_applied: bool,
    /// The client request id sent with every attempt.
    pub client_request_id: String,
}

impl Executed<Option<String>> {
    /// What a call that failed after it was sent did: its request id, attempts, and whether
    /// it may have applied (no client request id is kept).
    pub fn of_failure(e: &Error) -> Self {
        Executed {
            value: e.request_id().map(str::to_string),
            attempts: e.attempts(),
            earlier_attempt_may_have_applied: e.may_have_applied(),
            client_request_id: String::new(),
        }
    }
}

impl<T> Executed<T> {
    /// The same call, its value mapped.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Executed<U> {
        Executed {
            value: f(self.value),
            attempts: self.attempts,
            earlier_attempt_may_have_applied: self.earlier_attempt_may_have_applied,
            client_request_id: self.client_request_id,
        }
    }
}

/// The longest server wait hint honoured when the operation has no deadline.
const MAX_HINT_WITHOUT_DEADLINE: Duration = Duration::from_secs(600);

/// The shared engine of a client. Cheap to clone: clones share the HTTP pool, the rate
/// limiter and the retry budget.
#[derive(Debug, Clone)]
pub struct Runtime {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    http: Transport,
    credentials: Arc<dyn ProvideCredentials>,
    pacer: Option<Pacer>,
    region: Option<String>,
    retry: RetryConfig,
    budget: RetryBudget,
    clock: Arc<dyn Clock>,
    sleep: Arc<dyn Sleep>,
    random: Arc<dyn Random>,
    user_agent: String,
    client_request_id_header: bool,
    allow_insecure_http: bool,
    attempt_timeout: Duration,
    signing_algorithm: crate::sign::SigningAlgorithm,
    max_concurrency: Option<usize>,
    /// The host of the client's endpoint, shared by every attempt's error context (so an
    /// attempt to it copies no string).
    endpoint_host: Option<Arc<str>>,
}

/// How a runtime paces: its own bucket (static dispatch, nothing allocated per request), or a
/// limiter shared with others, keyed per request.
#[derive(Debug)]
enum Pacer {
    Local(RateLimiter),
    Shared {
        limiter: Arc<dyn Limiter>,
        config: RateLimitConfig,
    },
}

/// The User-Agent of a provider crate: `cloud-cert-sdk-rust/<crate>/<version>`.
pub fn user_agent(crate_name: &str, crate_version: &str, app_name: Option<&str>) -> String {
    let mut ua = format!("cloud-cert-sdk-rust/{crate_name}/{crate_version}");
    if let Some(app) = app_name {
        ua.push_str(" app/");
        ua.push_str(app);
    }
    ua
}

/// What a provider crate's client tells [`Runtime::for_api`] about itself.
#[derive(Debug, Clone, Copy)]
pub struct ApiInfo {
    /// The vendor (its errors are tagged with it).
    pub provider: Provider,
    /// The API's documented limit (requests per second), if it has one.
    pub documented_rate: Option<f64>,
    /// The crate's name, for the User-Agent (`env!("CARGO_PKG_NAME")`).
    pub crate_name: &'static str,
    /// The crate's version, for the User-Agent (`env!("CARGO_PKG_VERSION")`).
    pub crate_version: &'static str,
}

impl Runtime {
    /// The runtime of one client of `api` sending to `endpoint`: [`Runtime::new`], keyed by
    /// `region` (else the endpoint's host) for a shared limiter, once the endpoint's scheme is
    /// allowed ([`Runtime::check_endpoint`]). Every provider crate's client is built this way.
    pub fn for_api(
        options: ClientOptions,
        credentials: Arc<dyn ProvideCredentials>,
        api: &ApiInfo,
        endpoint: &crate::Endpoint,
        region: Option<&str>,
    ) -> Result<Self, Error> {
        let tag = |e: Error| e.with_provider(api.provider);
        let runtime = Runtime::new(
            options,
            credentials,
            api.documented_rate,
            api.crate_name,
            api.crate_version,
        )
        .map_err(tag)?
        .in_region(Some(region.unwrap_or(endpoint.host())))
        .at_host(endpoint.host());
        runtime.check_endpoint(endpoint).map_err(tag)?;
        Ok(runtime)
    }

    /// Builds a runtime from options. `documented_rate` is the API's documented limit
    /// (requests per second), used when options say [`RateLimit::Documented`].
    pub fn new(
        options: ClientOptions,
        credentials: Arc<dyn ProvideCredentials>,
        documented_rate: Option<f64>,
        crate_name: &str,
        crate_version: &str,
    ) -> Result<Self, Error> {
        let user_agent = options
            .user_agent
            .clone()
            .unwrap_or_else(|| user_agent(crate_name, crate_version, options.app_name.as_deref()));
        let http = match options.http {
            Some(h) => h,
            None => Transport::Reqwest(ReqwestTransport::with_trust(
                options.transport_config,
                &user_agent,
                &crate::tls::Trust::resolve(
                    options.ca_bundle.clone(),
                    &crate::credentials::Env::process(),
                ),
            )?),
        };
        let limit = match options.rate_limit {
            RateLimit::Documented => documented_rate.map(RateLimitConfig::per_second),
            RateLimit::Custom(c) => Some(c),
            RateLimit::Off => None,
        };
        let pacer = limit.map(|config| match &options.shared_limiter {
            Some(limiter) => Pacer::Shared {
                limiter: limiter.clone(),
                config,
            },
            None => Pacer::Local(RateLimiter::with_time(
                config,
                options.clock.clone(),
                options.sleep.clone(),
            )),
        });
        Ok(Runtime {
            inner: Arc::new(Inner {
                http,
                credentials,
                pacer,
                region: None,
                budget: RetryBudget::new(options.retry.budget_capacity),
                retry: options.retry,
                clock: options.clock,
                sleep: options.sleep,
                random: options.random,
                user_agent,
                client_request_id_header: options.client_request_id_header,
                allow_insecure_http: options.allow_insecure_http,
                attempt_timeout: options.transport_config.attempt_timeout,
                signing_algorithm: options.signing_algorithm,
                max_concurrency: options.max_concurrency,
                endpoint_host: None,
            }),
        })
    }

    /// Requests in flight at once for one call over many ids: the configured
    /// [`ClientOptions::max_concurrency`], else `api_default`.
    pub fn max_concurrency(&self, api_default: usize) -> usize {
        self.inner.max_concurrency.unwrap_or(api_default).max(1)
    }

    /// Names the client's region, which a [shared limiter](ClientOptions::shared_rate_limiter)
    /// keys its state by. Call it on a runtime just built, before it is cloned (a shared
    /// runtime keeps its region).
    pub fn in_region(mut self, region: Option<&str>) -> Self {
        if let Some(inner) = Arc::get_mut(&mut self.inner) {
            inner.region = region.map(str::to_string);
        }
        self
    }

    /// The runtime, knowing that its requests go to `host` (before it is shared).
    fn at_host(mut self, host: &str) -> Self {
        if let Some(inner) = Arc::get_mut(&mut self.inner) {
            inner.endpoint_host = Some(Arc::from(host));
        }
        self
    }

    /// The User-Agent to send.
    pub fn user_agent(&self) -> &str {
        &self.inner.user_agent
    }

    /// The retry policy.
    pub fn retry_config(&self) -> &RetryConfig {
        &self.inner.retry
    }

    /// Whether to send a client request id header (see [`ClientOptions::client_request_id_header`]).
    pub fn sends_client_request_id_header(&self) -> bool {
        self.inner.client_request_id_header
    }

    /// Checks a client's endpoint against the plain-`http` rule
    /// ([`ClientOptions::allow_insecure_http`]); provider clients call it when they are built.
    pub fn check_endpoint(&self, endpoint: &crate::Endpoint) -> Result<(), Error> {
        check_endpoint_scheme(
            endpoint.scheme(),
            endpoint.host(),
            self.inner.allow_insecure_http,
        )
    }

    /// The client's own rate limiter, if pacing is on and not [shared](ClientOptions::shared_rate_limiter).
    pub fn rate_limiter(&self) -> Option<&RateLimiter> {
        match &self.inner.pacer {
            Some(Pacer::Local(l)) => Some(l),
            _ => None,
        }
    }

    /// The retry budget.
    pub fn retry_budget(&self) -> &RetryBudget {
        &self.inner.budget
    }

    /// The randomness source.
    pub fn random(&self) -> &dyn Random {
        self.inner.random.as_ref()
    }

    /// The algorithm requests are signed with ([`ClientOptions::signing_algorithm`]).
    pub fn signing_algorithm(&self) -> crate::sign::SigningAlgorithm {
        self.inner.signing_algorithm
    }

    /// The credentials the next attempt would use (resolving the provider chain).
    pub async fn credentials(&self) -> Result<Credentials, Error> {
        crate::credentials::provide(self.inner.credentials.as_ref()).await
    }

    /// The account the credentials belong to, as a hash of the access key id
    /// ([`LimitKey::account_of`]); never the key.
    pub async fn account(&self) -> Result<String, Error> {
        let credentials = match self.inner.credentials.fixed() {
            Some(fixed) => fixed.clone(),
            None => self.credentials().await?,
        };
        Ok(LimitKey::account_of(match &credentials {
            Credentials::AccessKey(k) => k.id(),
            Credentials::IamToken(t) => t.expose(),
        }))
    }

    /// Where and as whom this client works (see [`Scope`](crate::Scope)), with the
    /// credentials resolved now (sends nothing).
    pub async fn scope(
        &self,
        api: &'static str,
        endpoint: &crate::Endpoint,
    ) -> Result<crate::Scope, Error> {
        let credentials = match self.inner.credentials.fixed() {
            Some(fixed) => fixed.clone(),
            None => self.credentials().await?,
        };
        let (account, key_id) = match &credentials {
            Credentials::AccessKey(k) => (
                LimitKey::account_of(k.id()),
                crate::credentials::mask(k.id()),
            ),
            Credentials::IamToken(t) => (LimitKey::account_of(t.expose()), "IAM token".to_string()),
        };
        Ok(crate::Scope::new(
            api,
            endpoint.to_string(),
            self.region().map(str::to_string),
            account,
        )
        .with_credentials(self.inner.credentials.describe(), key_id))
    }

    /// The region a shared limiter keys this client by (see [`in_region`](Self::in_region)).
    pub fn region(&self) -> Option<&str> {
        self.inner.region.as_deref()
    }

    /// Checks that the credentials the next attempt would use exist and suit the caller
    /// (`suits` says whether they do: a vendor that signs only with access keys, say), so an
    /// operation can refuse before it sends anything. Fixed credentials are checked in place,
    /// without a copy.
    pub async fn check_credentials(
        &self,
        suits: impl FnOnce(&Credentials) -> Result<(), Error>,
    ) -> Result<(), Error> {
        match self.inner.credentials.fixed() {
            Some(fixed) => suits(fixed),
            None => suits(&self.credentials().await?),
        }
    }

    /// The shared-limit key of an attempt of `op` with `credentials`.
    fn limit_key(&self, op: Operation, credentials: &Credentials) -> LimitKey {
        let id = match credentials {
            Credentials::AccessKey(k) => k.id(),
            Credentials::IamToken(t) => t.expose(),
        };
        LimitKey::new(
            op.provider.as_str(),
            id,
            self.inner.region.as_deref(),
            op.action,
        )
    }

    /// Runs an operation with retries. `build` makes the signed request of an attempt;
    /// `parse` turns a response into a value or an [`Error`] (whose [`RetryClass`] decides
    /// whether to retry).
    ///
    /// [`RetryClass`]: crate::retry::RetryClass
    pub async fn execute<T, B, P>(
        &self,
        op: Operation,
        mut build: B,
        mut parse: P,
    ) -> Result<Executed<T>, Error>
    where
        B: FnMut(&Attempt<'_>) -> Result<HttpRequest, Error>,
        P: FnMut(&HttpResponse, &AttemptContext) -> Result<T, Error>,
    {
        let rt = &self.inner;
        let start = rt.clock.monotonic();
        // A deadline too far to represent is no deadline.
        let deadline = rt
            .retry
            .operation_timeout
            .and_then(|t| start.checked_add(t));
        let client_request_id = rt.random.uuid();
        let mut maybe_applied = false;
        let tag = |e: Error| op.tag(e);
        let mut attempt: u32 = 0;
        let mut refreshed_credentials = false;
        loop {
            attempt += 1;
            if let Some(Pacer::Local(l)) = &rt.pacer {
                l.acquire().await;
            }
            // Fixed credentials are lent, not copied (no shared reference counts touched).
            let provided;
            let credentials = match rt.credentials.fixed() {
                Some(fixed) => fixed,
                None => {
                    provided = crate::credentials::provide(rt.credentials.as_ref())
                        .await
                        .map_err(|mut e| {
                            e.set_attempts(attempt - 1);
                            e.set_may_have_applied(maybe_applied);
                            tag(e)
                        })?;
                    &provided
                }
            };
            // A shared limiter keys its state by account, which the credentials name.
            let shared = match &rt.pacer {
                Some(Pacer::Shared { limiter, config }) => {
                    let key = self.limit_key(op, credentials);
                    limiter.acquire(&key, config).await;
                    Some((limiter, config, key))
                }
                _ => None,
            };
            let signed_at = rt.clock.now();
            let request = build(&Attempt {
                number: attempt,
                credentials,
                now: signed_at,
                client_request_id: &client_request_id,
                nonce: if op.signs_nonce {
                    rt.random.hex_nonce()
                } else {
                    String::new()
                },
            })
            .map_err(|mut e| {
                e.set_attempts(attempt - 1);
                e.set_may_have_applied(maybe_applied);
                tag(e)
            })?;
            check_endpoint_scheme(&request.scheme, &request.host, rt.allow_insecure_http).map_err(
                |mut e| {
                    e.set_attempts(attempt - 1);
                    e.set_may_have_applied(maybe_applied);
                    tag(e)
                },
            )?;
            let endpoint = EndpointName::of(&request, rt.endpoint_host.as_ref());
            let logged = SentRequest::capture(&request, rt.clock.as_ref());
            // The first attempt goes out microseconds after `start`: no second clock read.
            let sent_at = if attempt == 1 {
                start
            } else {
                rt.clock.monotonic()
            };
            // One timer per attempt bounds it by the attempt timeout and the operation
            // deadline, whichever comes first.
            let left = deadline.map(|d| d.saturating_sub(sent_at));
            let limit = left.map_or(rt.attempt_timeout, |l| l.min(rt.attempt_timeout));
            let sent = if left.is_some_and(|l| l.is_zero()) {
                Err(Error::new(
                    ErrorKind::Timeout,
                    "the operation deadline passed",
                ))
            } else {
                match tokio::time::timeout(limit, rt.http.send(request)).await {
                    Ok(r) => r,
                    Err(_) => Err(Error::new(
                        ErrorKind::Timeout,
                        if left.is_some_and(|l| l <= rt.attempt_timeout) {
                            "the operation deadline passed while waiting for the server".to_string()
                        } else {
                            format!(
                                "no complete answer within the attempt timeout ({} ms)",
                                rt.attempt_timeout.as_millis()
                            )
                        },
                    )
                    .with_may_have_applied(true)),
                }
            };
            let (result, response) = match sent {
                Ok(response) => (
                    parse(
                        &response,
                        &AttemptContext {
                            number: attempt,
                            signed_at,
                            earlier_attempt_may_have_applied: maybe_applied,
                        },
                    )
                    .map_err(|e| self.annotate(e, &response, &endpoint)),
                    Some(response),
                ),
                Err(e) => (Err(e), None),
            };
            log_attempt(
                op,
                logged.as_ref(),
                response.as_ref(),
                &result,
                attempt,
                rt.clock.as_ref(),
                &client_request_id,
            );
            match result {
                Ok(value) => {
                    rt.budget.refund(SUCCESS_REFUND);
                    match (&rt.pacer, &shared) {
                        (Some(Pacer::Local(l)), _) => l.on_success(),
                        (_, Some((limiter, config, key))) => limiter.on_success(key, config).await,
                        _ => {}
                    }
                    return Ok(Executed {
                        value,
                        attempts: attempt,
                        earlier_attempt_may_have_applied: maybe_applied,
                        client_request_id,
                    });
                }
                Err(e) => {
                    let mut e = tag(e);
                    e.set_attempts(attempt);
                    maybe_applied |= e.may_have_applied();
                    e.set_may_have_applied(maybe_applied);
                    if e.is_throttling() {
                        match (&rt.pacer, &shared) {
                            (Some(Pacer::Local(l)), _) => l.on_throttled(),
                            (_, Some((limiter, config, key))) => {
                                limiter.on_throttled(key, config).await;
                            }
                            _ => {}
                        }
                    }
                    // Temporary credentials the server refused (expired early, rotated):
                    // fetch new ones and try once more, at once. Nothing refused was applied.
                    if e.kind() == ErrorKind::Credentials
                        && response.is_some()
                        && !refreshed_credentials
                        && e.code_meaning() == Some(CodeMeaning::CredentialsRefused)
                        && rt.credentials.refreshable()
                        && attempt < rt.retry.max_attempts
                        && rt.budget.try_acquire(RETRY_COST)
                    {
                        refreshed_credentials = true;
                        rt.credentials.invalidate(credentials);
                        tracing::debug!(
                            target: "cert_common::credentials",
                            provider = %op.provider, action = op.action, attempt,
                            source = %rt.credentials.describe(),
                            "the server refused the credentials; retrying once with fresh ones"
                        );
                        continue;
                    }
                    if !e.retry_class().is_retryable() {
                        return Err(e);
                    }
                    if attempt >= rt.retry.max_attempts {
                        let why = format!("all {attempt} attempt(s) failed");
                        return Err(Error::retries_exhausted(e, attempt, why));
                    }
                    let cost = match e.kind() {
                        ErrorKind::Timeout | ErrorKind::Transport => RETRY_TIMEOUT_COST,
                        _ => RETRY_COST,
                    };
                    if !rt.budget.try_acquire(cost) {
                        return Err(Error::retries_exhausted(
                            e,
                            attempt,
                            "the client's retry budget is used up",
                        ));
                    }
                    let delay = rt.retry.delay(attempt, rt.random.unit(), e.retry_after());
                    let now = rt.clock.monotonic();
                    let left = deadline.map(|d| d.saturating_sub(now));
                    if let Some(hint) = e.retry_after() {
                        // A server's hint past the deadline (or absurdly long, with no
                        // deadline) is not waited for: give up now, and say why.
                        let limit = left.unwrap_or(MAX_HINT_WITHOUT_DEADLINE);
                        if hint > limit {
                            let why = format!(
                                "the server asked to wait {} s before retrying, longer than the {} s {}",
                                hint.as_secs(),
                                limit.as_secs(),
                                if left.is_some() {
                                    "left before the operation deadline"
                                } else {
                                    "this client waits for a server's hint"
                                }
                            );
                            return Err(Error::retries_exhausted(e, attempt, why));
                        }
                    }
                    if let Some(left) = left
                        && delay > left
                    {
                        let why = format!(
                            "waiting {} ms more would pass the operation deadline",
                            delay.as_millis()
                        );
                        return Err(Error::retries_exhausted(e, attempt, why));
                    }
                    tracing::debug!(
                        target: "cert_common::retry",
                        provider = %op.provider, action = op.action, attempt,
                        delay_ms = delay.as_millis() as u64, class = ?e.retry_class(),
                        "retrying"
                    );
                    rt.sleep.sleep(delay).await;
                }
            }
        }
    }

    /// Adds what the runtime knows to a provider's error: the server's clock offset when the
    /// server refused the signature's timestamp, and "may have applied" for 5xx and undecodable
    /// success answers.
    fn annotate(&self, e: Error, response: &HttpResponse, endpoint: &EndpointName) -> Error {
        if e.kind() == ErrorKind::Config {
            // What was reached, in the words of the message: the endpoint (no path, no query).
            let message = format!("{} [reached {endpoint}]", e.message());
            return e.with_message(message);
        }
        let skew_code = e.code_meaning() == Some(CodeMeaning::ClockSkew);
        let auth_status = matches!(response.status, 401 | 403);
        let e = if skew_code || auth_status {
            let ours = unix_seconds(self.inner.clock.now());
            let skew = response
                .header("date")
                .and_then(UtcDateTime::parse_http_date)
                .map(|d| d.to_unix().saturating_sub(ours));
            match skew {
                Some(s) if skew_code || s.unsigned_abs() >= 300 => e.with_clock_skew(Some(s)),
                _ => e,
            }
        } else {
            e
        };
        if response.status >= 500
            || (e.kind() == ErrorKind::Decode && (200..300).contains(&response.status))
        {
            e.with_may_have_applied(true)
        } else {
            e
        }
    }
}

/// `scheme://host` of a request, for error messages (kept once the request is handed to the
/// transport).
struct EndpointName {
    scheme: std::borrow::Cow<'static, str>,
    host: Arc<str>,
}

impl EndpointName {
    /// Of `request`; its host is `known` (shared, not copied) when it is the client's.
    fn of(request: &HttpRequest, known: Option<&Arc<str>>) -> EndpointName {
        let host = match known {
            Some(k) if **k == *request.host => k.clone(),
            _ => Arc::from(request.host.as_str()),
        };
        EndpointName {
            scheme: request.scheme.clone(),
            host,
        }
    }
}

impl std::fmt::Display for EndpointName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}://{}", self.scheme, self.host)
    }
}

/// What the request log needs of a request that was handed to the transport; captured only
/// when debug logging of `cert_common::http` is on.
struct SentRequest {
    /// When it was handed to the transport.
    sent_at: Duration,
    method: std::borrow::Cow<'static, str>,
    host: String,
    path: String,
    /// The redacted `Debug` of the request, when trace logging is on.
    trace: Option<String>,
}

impl SentRequest {
    fn capture(request: &HttpRequest, clock: &dyn Clock) -> Option<SentRequest> {
        if !tracing::enabled!(target: "cert_common::http", tracing::Level::DEBUG) {
            return None;
        }
        let trace = tracing::enabled!(target: "cert_common::http", tracing::Level::TRACE)
            .then(|| format!("{request:?}"));
        Some(SentRequest {
            sent_at: clock.monotonic(),
            method: request.method.clone(),
            host: request.host.clone(),
            path: request.path.clone(),
            trace,
        })
    }
}

fn log_attempt<T>(
    op: Operation,
    request: Option<&SentRequest>,
    response: Option<&HttpResponse>,
    result: &Result<T, Error>,
    attempt: u32,
    clock: &dyn Clock,
    client_request_id: &str,
) {
    let Some(request) = request else {
        return;
    };
    let status = response.map(|r| r.status);
    let request_id = match result {
        Err(e) => e.request_id().map(str::to_string),
        Ok(_) => None,
    }
    .or_else(|| {
        let name = crate::vendors::request_id_header(op.provider)?;
        response.and_then(|r| r.header(name)).map(str::to_string)
    });
    let latency_ms = clock
        .monotonic()
        .saturating_sub(request.sent_at)
        .as_millis() as u64;
    match result {
        Ok(_) => tracing::debug!(
            target: "cert_common::http",
            provider = %op.provider, action = op.action, method = %request.method, host = %request.host,
            path = %request.path, status, attempt, latency_ms, request_id = request_id.as_deref(),
            client_request_id, "request succeeded"
        ),
        Err(e) => tracing::debug!(
            target: "cert_common::http",
            provider = %op.provider, action = op.action, method = %request.method, host = %request.host,
            path = %request.path, status, attempt, latency_ms, request_id = request_id.as_deref(),
            client_request_id, error = %e, "request failed"
        ),
    }
    if let Some(trace) = &request.trace {
        tracing::trace!(target: "cert_common::http", request = %trace, "request sent (secrets redacted)");
    }
}
