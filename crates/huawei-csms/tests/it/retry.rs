//! Retries: throttling, server errors, the deadline.

use std::time::Duration;

use cert_common::test_util::{ScriptedHttp, response};
use cert_common::time::ManualClock;
use cert_common::{ErrorKind, RetryConfig};

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
        Ok(response(
            429,
            &[("X-Request-Id", "rid-t"), ("Retry-After", "1")],
            THROTTLED,
        )),
        Ok(response(
            200,
            &[("X-Request-Id", "rid-ok")],
            r#"{"total":1,"success_secrets":["s1"],"failed_secrets":[]}"#,
        )),
    ]);
    let out = scripted(http.clone(), &clock, retry_fast())
        .batch_delete_secrets()
        .instance_id("i")
        .send()
        .await
        .expect("sent");
    assert_eq!(out.deleted, vec!["s1"]);
    assert_eq!(out.attempts(), 2);
    assert!(!out.earlier_attempt_may_have_applied());
    assert_eq!(clock.sleeps(), vec![Duration::from_secs(1)]);
    let seen = http.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].body, seen[1].body);
    assert_eq!(seen[0].header("X-Sdk-Date"), Some("20240102T030405Z"));
    assert_eq!(seen[1].header("X-Sdk-Date"), Some("20240102T030406Z"));
}

#[tokio::test]
async fn a_5xx_then_success_is_flagged_as_possibly_incomplete() {
    let clock = ManualClock::at_unix(0);
    let http = ScriptedHttp::new(vec![
        Ok(response(
            500,
            &[],
            r#"{"error_code":"CSMS.0500","error_msg":"internal"}"#,
        )),
        Ok(response(
            200,
            &[],
            r#"{"total":0,"success_secrets":[],"failed_secrets":[]}"#,
        )),
    ]);
    let out = scripted(http, &clock, retry_fast())
        .batch_delete_secrets()
        .instance_id("i")
        .send()
        .await
        .expect("sent");
    assert!(out.earlier_attempt_may_have_applied());
}

#[tokio::test]
async fn server_errors_exhausted_keep_the_last_error() {
    let clock = ManualClock::at_unix(0);
    let http = ScriptedHttp::new(vec![
        Ok(response(502, &[("X-Request-Id", "r1")], "bad gateway")),
        Ok(response(
            500,
            &[("X-Request-Id", "r2")],
            r#"{"error_code":"CSMS.0500","error_msg":"internal"}"#,
        )),
        Ok(response(
            504,
            &[("X-Request-Id", "r3")],
            r#"{"error_code":"CSMS.0504","error_msg":"timeout"}"#,
        )),
    ]);
    let out = scripted(http.clone(), &clock, retry_fast())
        .batch_delete_secrets()
        .instance_id("i")
        .send()
        .await
        .expect("sent");
    assert_eq!(http.seen().len(), 3);
    assert_eq!(
        (out.attempts(), out.earlier_attempt_may_have_applied()),
        (3, true)
    );
    assert!(
        out.stopped().is_none(),
        "retries ran out: nothing stops a run"
    );
    let e = out.into_error().expect("the last error");
    assert_eq!(e.kind(), ErrorKind::RetriesExhausted);
    assert_eq!(e.code(), Some("CSMS.0504"));
    assert_eq!(e.request_id(), Some("r3"));
    assert!(e.may_have_applied());
}

#[tokio::test]
async fn the_deadline_is_respected() {
    let clock = ManualClock::at_unix(0);
    let http = ScriptedHttp::new(vec![Ok(response(429, &[("Retry-After", "45")], THROTTLED))]);
    let retry = retry_fast().with_operation_timeout(Some(Duration::from_secs(30)));
    let e = scripted(http.clone(), &clock, retry)
        .batch_delete_secrets()
        .instance_id("i")
        .send()
        .await
        .expect("sent")
        .into_error()
        .expect("the deadline came before a retry");
    assert_eq!(http.seen().len(), 1);
    assert!(clock.sleeps().is_empty());
    assert_eq!(e.kind(), ErrorKind::RetriesExhausted);
    assert_eq!(e.code(), Some("APIG.0308"));
}
