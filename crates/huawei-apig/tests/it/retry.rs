//! Retries of a single delete: throttling, server errors, the deadline, reconciliation.

use std::time::Duration;

use cert_common::test_util::{ScriptedHttp, response};
use cert_common::time::ManualClock;
use cert_common::{ErrorKind, Outcome, RetryConfig};

use crate::support::scripted;

fn retry_fast() -> RetryConfig {
    RetryConfig::default().with_backoff(Duration::from_millis(100), Duration::from_secs(2))
}

const THROTTLED: &str =
    r#"{"error_code":"APIG.0308","error_msg":"The throttling threshold has been reached"}"#;

#[tokio::test]
async fn throttled_then_success() {
    let clock = ManualClock::at_unix(1_704_164_645);
    let http = ScriptedHttp::new(vec![
        Ok(response(429, &[("Retry-After", "1")], THROTTLED)),
        Ok(response(204, &[("X-Request-Id", "rid-ok")], "")),
    ]);
    let out = scripted(http.clone(), &clock, retry_fast())
        .delete_certificate()
        .certificate_id("c1")
        .send()
        .await
        .expect("deleted");
    assert_eq!(out.report().items()[0].outcome, Outcome::Deleted);
    assert_eq!(out.attempts(), 2);
    assert_eq!(out.request_id(), Some("rid-ok"));
    assert_eq!(clock.sleeps(), vec![Duration::from_secs(1)]);
    let seen = http.seen();
    assert_eq!(seen[0].header("X-Sdk-Date"), Some("20240102T030405Z"));
    assert_eq!(seen[1].header("X-Sdk-Date"), Some("20240102T030406Z"));
    assert_ne!(
        seen[0].header("Authorization"),
        seen[1].header("Authorization")
    );
}

#[tokio::test]
async fn server_errors_exhausted_return_the_last_error_with_its_request_id() {
    let clock = ManualClock::at_unix(0);
    let err = r#"{"error_code":"APIG.9999","error_msg":"System error"}"#;
    let http = ScriptedHttp::new(vec![
        Ok(response(500, &[("X-Request-Id", "r1")], err)),
        Ok(response(
            503,
            &[("X-Request-Id", "r2")],
            "Service Unavailable",
        )),
        Ok(response(500, &[("X-Request-Id", "r3")], err)),
    ]);
    let e = scripted(http.clone(), &clock, retry_fast())
        .delete_certificate()
        .certificate_id("c1")
        .send()
        .await
        .expect("sent")
        .into_error()
        .expect("the request failed");
    assert_eq!(http.seen().len(), 3);
    assert_eq!(e.kind(), ErrorKind::RetriesExhausted);
    assert_eq!(e.attempts(), 3);
    assert_eq!(e.code(), Some("APIG.9999"));
    assert_eq!(e.request_id(), Some("r3"));
    assert!(e.may_have_applied());
    assert_eq!(
        clock.sleeps(),
        vec![Duration::from_millis(50), Duration::from_millis(100)]
    );
}

#[tokio::test]
async fn the_deadline_is_respected() {
    let clock = ManualClock::at_unix(0);
    let http = ScriptedHttp::new(vec![Ok(response(
        429,
        &[("Retry-After", "60"), ("X-Request-Id", "rid-t")],
        THROTTLED,
    ))]);
    let retry = retry_fast().with_operation_timeout(Some(Duration::from_secs(5)));
    let e = scripted(http.clone(), &clock, retry)
        .delete_certificate()
        .certificate_id("c1")
        .send()
        .await
        .expect("sent")
        .into_error()
        .expect("the request failed");
    assert_eq!(http.seen().len(), 1);
    assert!(clock.sleeps().is_empty());
    assert_eq!(e.kind(), ErrorKind::RetriesExhausted);
    assert_eq!(e.code(), Some("APIG.0308"));
    assert_eq!(e.request_id(), Some("rid-t"));
}

#[tokio::test]
async fn not_found_after_a_5xx_is_absent_and_flagged() {
    let clock = ManualClock::at_unix(0);
    let http = ScriptedHttp::new(vec![
        Ok(response(502, &[], "Bad Gateway")),
        Ok(response(
            404,
            &[("X-Request-Id", "rid-404")],
            r#"{"error_code":"APIG.3021","error_msg":"Certificate does not exist"}"#,
        )),
    ]);
    let out = scripted(http, &clock, retry_fast())
        .delete_certificate()
        .certificate_id("c1")
        .send()
        .await
        .expect("outcome");
    assert_eq!(out.report().items()[0].outcome, Outcome::Absent);
    assert!(out.earlier_attempt_may_have_applied());
    assert_eq!(out.request_id(), Some("rid-404"));
}
