//! The attempt loop with a scripted transport and a manual clock: exact delays, instantly.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use cert_common::answer::{CodeMeaning, CodeRule, meaning, service_error};
use cert_common::credentials::{AccessKey, StaticProvider};
use cert_common::error::{Error, ErrorKind, Provider};
use cert_common::http::{HttpRequest, HttpResponse};
use cert_common::random::FixedRandom;
use cert_common::retry::{RetryClass, server_retry_hint};
use cert_common::runtime::AttemptContext;
use cert_common::runtime::{Attempt, ClientOptions, Operation, RateLimit, Runtime};
use cert_common::time::ManualClock;
use cert_common::transport::HttpSend;
use cert_common::{RateLimitConfig, RetryConfig};

#[derive(Debug, Default)]
struct Scripted {
    answers: Mutex<VecDeque<Result<HttpResponse, Error>>>,
    seen: Mutex<Vec<HttpRequest>>,
}

impl Scripted {
    fn new(answers: Vec<Result<HttpResponse, Error>>) -> Arc<Self> {
        Arc::new(Scripted {
            answers: Mutex::new(answers.into()),
            seen: Mutex::default(),
        })
    }
    fn seen(&self) -> Vec<HttpRequest> {
        self.seen.lock().expect("lock").clone()
    }
}

#[async_trait]
impl HttpSend for Scripted {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, Error> {
        self.seen.lock().expect("lock").push(request);
        self.answers
            .lock()
            .expect("lock")
            .pop_front()
            .unwrap_or_else(|| Err(Error::new(ErrorKind::Transport, "script exhausted")))
    }
}

fn resp(status: u16, headers: &[(&str, &str)], body: &str) -> Result<HttpResponse, Error> {
    headers.iter().try_fold(
        HttpResponse::new(status, body.as_bytes().to_vec()),
        |r, (k, v)| r.with_header(k, v),
    )
}

const OP: Operation = Operation {
    provider: Provider::Huawei,
    action: "DeleteCertificateV2",
    signs_nonce: true,
};

fn runtime(
    http: Arc<Scripted>,
    clock: &ManualClock,
    retry: RetryConfig,
    rate: RateLimit,
) -> Runtime {
    let options = ClientOptions::default()
        .http(http)
        .time(Arc::new(clock.clone()), Arc::new(clock.clone()))
        .random(Arc::new(FixedRandom(0.5)))
        .retry(retry)
        .rate_limit(rate);
    Runtime::new(
        options,
        Arc::new(StaticProvider::new(AccessKey::new("ak", "sk"))),
        None,
        "test",
        "0",
    )
    .expect("runtime")
}

fn build(a: &Attempt<'_>) -> Result<HttpRequest, Error> {
    let mut r = HttpRequest::new("DELETE", "https", "apig.example", "/x");
    r.set_header("X-Attempt", a.number.to_string());
    r.set_header("X-Sdk-Date", a.utc().compact());
    r.set_header("X-Nonce", a.nonce.clone());
    r.set_header("X-Client-Request-Id", a.client_request_id);
    Ok(r)
}

/// A Huawei-like error table.
const RULES: &[CodeRule] = &[
    CodeRule::exact("APIG.0308", CodeMeaning::Throttling),
    CodeRule::exact("APIG.0301", CodeMeaning::Auth),
];

/// A Huawei-style parser: 2xx is success, anything else an error classified by status and
/// code through a table.
fn parse(r: &HttpResponse, attempt: &AttemptContext) -> Result<u16, Error> {
    if (200..300).contains(&r.status) {
        return Ok(r.status);
    }
    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap_or_default();
    let code = v["error_code"].as_str().map(str::to_string);
    let m = meaning(RULES, r.status, code.as_deref());
    Err(
        service_error(m, r.status, code, v["error_msg"].as_str().unwrap_or(""))
            .with_request_id(r.header("x-request-id").map(str::to_string))
            .with_retry_after(server_retry_hint(&r.headers, attempt.signed_at)),
    )
}

fn retry_fast() -> RetryConfig {
    RetryConfig::default().with_backoff(Duration::from_millis(100), Duration::from_secs(2))
}

#[tokio::test]
async fn throttled_then_success_waits_the_servers_hint_and_signs_afresh() {
    let clock = ManualClock::at_unix(1_700_000_000);
    let http = Scripted::new(vec![
        resp(
            429,
            &[("Retry-After", "3")],
            r#"{"error_code":"APIG.0308","error_msg":"throttled"}"#,
        ),
        resp(204, &[], ""),
    ]);
    let rt = runtime(http.clone(), &clock, retry_fast(), RateLimit::Off);
    let out = rt.execute(OP, build, parse).await.expect("success");
    assert_eq!(out.value, 204);
    assert_eq!(out.attempts, 2);
    assert!(!out.earlier_attempt_may_have_applied);
    assert_eq!(clock.sleeps(), vec![Duration::from_secs(3)]);
    let seen = http.seen();
    assert_eq!(seen[0].header("X-Attempt"), Some("1"));
    assert_eq!(seen[1].header("X-Attempt"), Some("2"));
    assert_ne!(
        seen[0].header("X-Sdk-Date"),
        seen[1].header("X-Sdk-Date"),
        "re-signed with a fresh time"
    );
    let nonces = [seen[0].header("X-Nonce"), seen[1].header("X-Nonce")];
    // (This runtime's randomness is pinned, so the two are equal here.)
    assert!(
        nonces.iter().all(|n| n.is_some_and(|n| n.len() == 32)),
        "{nonces:?}"
    );
    assert_eq!(
        seen[0].header("X-Client-Request-Id"),
        seen[1].header("X-Client-Request-Id")
    );
}

#[tokio::test]
async fn server_errors_back_off_with_full_jitter_then_keep_the_last_error() {
    let clock = ManualClock::at_unix(0);
    let err = r#"{"error_code":"APIG.9999","error_msg":"System error"}"#;
    let http = Scripted::new(vec![
        resp(500, &[("X-Request-Id", "r1")], err),
        resp(502, &[("X-Request-Id", "r2")], err),
        resp(503, &[("X-Request-Id", "r3")], err),
    ]);
    let rt = runtime(http, &clock, retry_fast(), RateLimit::Off);
    let e = rt.execute(OP, build, parse).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RetriesExhausted);
    assert_eq!(e.attempts(), 3);
    assert_eq!(e.status(), Some(503));
    assert_eq!(e.code(), Some("APIG.9999"));
    assert_eq!(e.request_id(), Some("r3"));
    assert!(e.may_have_applied(), "a 5xx may have taken effect");
    // unit 0.5: 0.5 * min(100ms * 2^(n-1), 2s)
    assert_eq!(
        clock.sleeps(),
        vec![Duration::from_millis(50), Duration::from_millis(100)]
    );
    assert!(e.to_string().contains("request id r3"), "{e}");
}

#[tokio::test]
async fn an_operation_that_signs_no_nonce_gets_none() {
    let clock = ManualClock::at_unix(0);
    let http = Scripted::new(vec![resp(204, &[], "")]);
    let rt = runtime(http.clone(), &clock, retry_fast(), RateLimit::Off);
    let op = Operation {
        signs_nonce: false,
        ..OP
    };
    rt.execute(op, build, parse).await.expect("success");
    assert_eq!(http.seen()[0].header("X-Nonce"), Some(""));
}

#[tokio::test]
async fn permanent_errors_are_not_retried() {
    let clock = ManualClock::at_unix(0);
    let http = Scripted::new(vec![resp(
        400,
        &[],
        r#"{"error_code":"APIG.2012","error_msg":"bad"}"#,
    )]);
    let rt = runtime(http.clone(), &clock, retry_fast(), RateLimit::Off);
    let e = rt.execute(OP, build, parse).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Service);
    assert_eq!(e.retry_class(), RetryClass::Permanent);
    assert_eq!(http.seen().len(), 1);
    assert!(clock.sleeps().is_empty());
    assert_eq!(
        e.to_string(),
        "huawei DeleteCertificateV2: service error [APIG.2012]: bad (HTTP 400)"
    );
}

#[tokio::test]
async fn the_deadline_is_never_passed() {
    let clock = ManualClock::at_unix(0);
    let http = Scripted::new(vec![resp(
        429,
        &[("Retry-After", "30")],
        r#"{"error_code":"APIG.0308","error_msg":"slow"}"#,
    )]);
    let retry = retry_fast().with_operation_timeout(Some(Duration::from_secs(10)));
    let rt = runtime(http, &clock, retry, RateLimit::Off);
    let e = rt.execute(OP, build, parse).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RetriesExhausted);
    assert!(e.to_string().contains("deadline"), "{e}");
    assert!(
        clock.sleeps().is_empty(),
        "gave up instead of sleeping past the deadline"
    );
    assert_eq!(e.last_error().map(Error::kind), Some(ErrorKind::Throttled));
}

#[tokio::test]
async fn the_retry_budget_is_shared_and_runs_out() {
    let clock = ManualClock::at_unix(0);
    let err = r#"{"error_code":"APIG.9999","error_msg":"down"}"#;
    let answers = (0..10).map(|_| resp(503, &[], err)).collect();
    let http = Scripted::new(answers);
    let mut retry = retry_fast().with_max_attempts(10);
    retry.budget_capacity = 12; // two retries at 5 tokens each
    let rt = runtime(http.clone(), &clock, retry, RateLimit::Off);
    let clone = rt.clone();
    let e = clone.execute(OP, build, parse).await.unwrap_err();
    assert!(e.to_string().contains("retry budget"), "{e}");
    assert_eq!(http.seen().len(), 3);
    assert_eq!(rt.retry_budget().available(), 2, "clones share one budget");
}

#[tokio::test]
async fn throttling_slows_the_shared_limiter() {
    let clock = ManualClock::at_unix(0);
    let http = Scripted::new(vec![
        resp(429, &[], r#"{"error_code":"APIG.0308","error_msg":"slow"}"#),
        resp(204, &[], ""),
    ]);
    let rt = runtime(
        http,
        &clock,
        retry_fast(),
        RateLimit::Custom(RateLimitConfig::per_second(10.0)),
    );
    rt.execute(OP, build, parse).await.expect("ok");
    let rate = rt.rate_limiter().expect("limiter").current_rate();
    assert!(
        (rate - 5.5).abs() < 1e-9,
        "halved on throttle, +1/20 on success: {rate}"
    );
}

#[tokio::test]
async fn transport_failures_are_retried_and_marked_ambiguous() {
    let clock = ManualClock::at_unix(0);
    let http = Scripted::new(vec![
        Err(Error::new(ErrorKind::Timeout, "read timed out").with_may_have_applied(true)),
        resp(404, &[], r#"{"error_code":"APIG.3093","error_msg":"gone"}"#),
    ]);
    let rt = runtime(http, &clock, retry_fast(), RateLimit::Off);
    let e = rt.execute(OP, build, parse).await.unwrap_err();
    assert_eq!(e.status(), Some(404));
    assert!(
        e.may_have_applied(),
        "the earlier timeout may have deleted it"
    );
}

#[tokio::test]
async fn an_expired_signature_names_the_clock_offset() {
    let clock = ManualClock::at_unix(1_700_000_000);
    let server_date = cert_common::time::UtcDateTime::from_unix(1_700_000_000 + 1200).http_date();
    let http = Scripted::new(vec![resp(
        401,
        &[("Date", &server_date)],
        r#"{"error_code":"APIG.0301","error_msg":"Incorrect IAM authentication information"}"#,
    )]);
    let rt = runtime(http, &clock, retry_fast(), RateLimit::Off);
    let e = rt.execute(OP, build, parse).await.unwrap_err();
    assert_eq!(e.clock_skew(), Some(1200));
    assert!(e.to_string().contains("1200 s ahead of ours"), "{e}");
}
