//! Retries through cert-common's runtime: throttling, server errors, the deadline, and
//! reconciliation after an attempt that may have applied.

use std::time::Duration;

use cert_common::test_util::{ScriptedHttp, response};
use cert_common::time::ManualClock;
use cert_common::{Error, ErrorKind, Outcome, RetryConfig};

use crate::support::scripted;

fn retry_fast() -> RetryConfig {
    RetryConfig::default().with_backoff(Duration::from_millis(100), Duration::from_secs(2))
}

const THROTTLED: &str = r#"{"error_code":"APIG.0308","error_msg":"The throttling threshold has been reached: policy user over ratelimit,limit:1,time:1 second","request_id":"rid-t"}"#;

#[tokio::test]
async fn throttled_then_success_waits_and_signs_afresh() {
    let clock = ManualClock::at_unix(1_704_164_645);
    let http = ScriptedHttp::new(vec![
        Ok(response(
            429,
            &[("Retry-After", "2"), ("X-Request-Id", "rid-t")],
            THROTTLED,
        )),
        Ok(response(
            200,
            &[("X-Request-Id", "rid-ok")],
            r#"{"certificates":[{"id":"a","ret_status":"successful"}]}"#,
        )),
    ]);
    let out = scripted(http.clone(), &clock, retry_fast())
        .batch_delete_certificates()
        .certificate_id("a")
        .send()
        .await
        .expect("sent");
    assert_eq!(out.report().items()[0].outcome, Outcome::Deleted);
    assert_eq!(
        out.report().items()[0].request_id.as_deref(),
        Some("rid-ok")
    );
    assert_eq!(out.attempts(), 2);
    assert!(!out.earlier_attempt_may_have_applied());
    assert_eq!(clock.sleeps(), vec![Duration::from_secs(2)]);
    let seen = http.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].header("X-Sdk-Date"), Some("20240102T030405Z"));
    assert_eq!(seen[1].header("X-Sdk-Date"), Some("20240102T030407Z"));
    assert_ne!(
        seen[0].header("Authorization"),
        seen[1].header("Authorization")
    );
    assert_eq!(
        seen[0].header("X-Client-Request-Id"),
        seen[1].header("X-Client-Request-Id")
    );
    assert_eq!(seen[0].body, seen[1].body);
}

#[tokio::test]
async fn server_errors_exhausted_leave_every_id_unconfirmed_with_the_last_request_id() {
    let clock = ManualClock::at_unix(0);
    let err = r#"{"error_code":"ELB.9999","error_msg":"System error"}"#;
    let http = ScriptedHttp::new(vec![
        Ok(response(500, &[("X-Request-Id", "r1")], err)),
        Ok(response(502, &[("X-Request-Id", "r2")], err)),
        Ok(response(503, &[("X-Request-Id", "r3")], err)),
    ]);
    let out = scripted(http.clone(), &clock, retry_fast())
        .batch_delete_certificates()
        .certificate_ids(["a", "b"])
        .send()
        .await
        .expect("a request failure is reported per id");
    assert_eq!(http.seen().len(), 3);
    for item in out.report().items() {
        assert_eq!(item.outcome.as_str(), "unconfirmed");
        assert_eq!(item.outcome.code(), Some("ELB.9999"));
        assert_eq!(item.request_id.as_deref(), Some("r3"));
    }
    let e = out.error().expect("error");
    assert_eq!(e.kind(), ErrorKind::RetriesExhausted);
    assert_eq!(e.status(), Some(503));
    assert_eq!(e.request_id(), Some("r3"));
    assert!(e.to_string().contains("System error"), "{e}");
    assert_eq!(out.attempts(), 3);
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
        &[("Retry-After", "30"), ("X-Request-Id", "rid-t")],
        THROTTLED,
    ))]);
    let retry = retry_fast().with_operation_timeout(Some(Duration::from_secs(10)));
    let out = scripted(http.clone(), &clock, retry)
        .batch_delete_certificates()
        .certificate_id("a")
        .send()
        .await
        .expect("sent");
    assert_eq!(http.seen().len(), 1);
    assert!(clock.sleeps().is_empty(), "no sleep past the deadline");
    let e = out.error().expect("error");
    assert_eq!(e.kind(), ErrorKind::RetriesExhausted);
    assert_eq!(e.code(), Some("APIG.0308"));
    assert_eq!(e.request_id(), Some("rid-t"));
    // a throttled request was not applied: refused, with the throttling code
    let item = &out.report().items()[0];
    assert_eq!(item.outcome.as_str(), "refused");
    assert_eq!(item.outcome.code(), Some("APIG.0308"));
}

#[tokio::test]
async fn not_found_after_an_attempt_that_may_have_applied_is_absent_never_deleted() {
    let clock = ManualClock::at_unix(0);
    let http = ScriptedHttp::new(vec![
        Err(Error::new(ErrorKind::Transport, "connection reset").with_may_have_applied(true)),
        Ok(response(
            200,
            &[],
            r#"{"certificates":[{"id":"a","ret_status":"not found"},{"id":"b","ret_status":"successful"}]}"#,
        )),
    ]);
    let out = scripted(http.clone(), &clock, retry_fast())
        .batch_delete_certificates()
        .certificate_ids(["a", "b"])
        .send()
        .await
        .expect("sent");
    assert!(out.earlier_attempt_may_have_applied());
    assert_eq!(out.report().items()[0].outcome, Outcome::Absent);
    assert_eq!(out.report().items()[1].outcome, Outcome::Deleted);
    assert!(out.report().all_gone());
}

#[tokio::test]
async fn a_broken_connection_on_the_last_attempt_is_unconfirmed() {
    let clock = ManualClock::at_unix(0);
    let http = ScriptedHttp::new(vec![Err(Error::new(
        ErrorKind::Transport,
        "connection reset",
    )
    .with_may_have_applied(true))]);
    let out = scripted(http, &clock, RetryConfig::disabled())
        .batch_delete_certificates()
        .certificate_id("a")
        .send()
        .await
        .expect("sent");
    assert_eq!(out.report().items()[0].outcome.as_str(), "unconfirmed");
    assert!(
        out.report().items()[0]
            .outcome
            .message()
            .expect("message")
            .contains("connection reset")
    );
}
