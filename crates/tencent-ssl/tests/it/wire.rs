//! The exact wire request, every documented answer shape, batching, pacing and retries,
//! against a local HTTP server (httpmock) with a pinned clock.

use std::time::Duration;

use cert_common::RateLimit;
use cert_common::sign::tencent::{SignInput, sign};
use cert_common::time::ManualClock;
use httpmock::prelude::*;
use tencent_ssl::{ErrorCode, ErrorKind, Outcome, error_code};

use crate::common::{
    REQUEST_CLIENT, SECRET_ID, SECRET_KEY, TRACE_ID, error_body, mock_client, success_body,
};

const T0: u64 = 1_704_164_645;

/// The Authorization a TC3 verifier expects for this host, body and time.
fn expected_authorization(server: &MockServer, body: &str, timestamp: u64) -> String {
    let host = server.address().to_string();
    sign(
        &SignInput {
            method: "POST",
            host: &host,
            query: "",
            content_type: "application/json",
            payload: body.as_bytes(),
            unsigned_payload: false,
            timestamp: timestamp as i64,
            service: "ssl",
        },
        SECRET_ID,
        SECRET_KEY,
    )
    .authorization
}

#[tokio::test]
async fn exact_wire_request_and_the_seed_example_answer() {
    let server = MockServer::start_async().await;
    let body = r#"{"CSRIds": [11, 22, 33]}"#;
    let auth = expected_authorization(&server, body, T0);
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/")
                .is_true(|req| req.query_params().is_empty())
                .header("Content-Type", "application/json")
                .header("Host", server.address().to_string())
                .header("X-TC-Action", "BatchDeleteCSR")
                .header("X-TC-Version", "2019-12-05")
                .header("X-TC-Timestamp", T0.to_string())
                .header("X-TC-TraceId", TRACE_ID)
                .header("X-TC-Language", "zh-CN")
                .header("X-TC-RequestClient", REQUEST_CLIENT)
                .header("Authorization", auth)
                .header_missing("X-TC-Region")
                .header_missing("X-TC-Token")
                .body(body);
            then.status(200)
                .header("Content-Type", "application/json")
                .body(
                    r#"{"Response":{"Success":[22,33],"RequestId":"5779b652-9c64-45b3-a6f4-641db7376a2e"}}"#,
                );
        })
        .await;
    let clock = ManualClock::at_unix(T0);
    let client = mock_client(&server.base_url(), &clock, RateLimit::Off);
    let out = client
        .batch_delete_csr()
        .csr_ids([11, 22, 33])
        .send()
        .await
        .expect("send");
    mock.assert_async().await;
    let r = out.report();
    let rid = "5779b652-9c64-45b3-a6f4-641db7376a2e";
    assert_eq!(r.get(&22).map(|i| &i.outcome), Some(&Outcome::Deleted));
    assert_eq!(r.get(&33).map(|i| &i.outcome), Some(&Outcome::Deleted));
    let eleven = r.get(&11).expect("11");
    assert_eq!(eleven.outcome.as_str(), "unconfirmed");
    assert!(
        eleven
            .outcome
            .message()
            .expect("message")
            .contains("does not say why"),
        "{}",
        eleven.outcome
    );
    assert_eq!(eleven.request_id.as_deref(), Some(rid));
    assert_eq!(out.request_ids(), vec![rid]);
    let ids: Vec<u64> = r.items().iter().map(|i| i.id).collect();
    assert_eq!(ids, [11, 22, 33]);
    assert!(clock.sleeps().is_empty());
}

#[tokio::test]
async fn region_is_sent_only_when_set_and_repeats_are_sent_once() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .header("X-TC-Region", "ap-guangzhou")
                .header("X-TC-Language", "en-US")
                .body(r#"{"CSRIds": [5, 6]}"#);
            then.status(200).body(success_body(&[5, 6], "r"));
        })
        .await;
    let clock = ManualClock::at_unix(T0);
    let client = tencent_ssl::Client::new(
        tencent_ssl::Config::builder()
            .endpoint(server.base_url())
            .region("ap-guangzhou")
            .credentials(cert_common::AccessKey::new(SECRET_ID, SECRET_KEY))
            .options(
                cert_common::ClientOptions::default()
                    .time(
                        std::sync::Arc::new(clock.clone()),
                        std::sync::Arc::new(clock.clone()),
                    )
                    .rate_limit(RateLimit::Off),
            )
            .build(),
    )
    .expect("client");
    let out = client
        .batch_delete_csr()
        .csr_ids([5, 6, 5])
        .csr_id(6)
        .send()
        .await
        .expect("send");
    mock.assert_async().await;
    assert_eq!(out.report().items().len(), 2);
    assert!(out.report().all_gone());
}

#[tokio::test]
async fn an_error_in_a_200_body_with_charset_content_type_is_detected() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST);
            then.status(200)
                .header("Content-Type", "application/json; charset=utf-8")
                .body(error_body(
                    "InvalidParameter.InvalidCSRId",
                    "Incorrect CSR ID.",
                    "rid-err",
                ));
        })
        .await;
    let clock = ManualClock::at_unix(T0);
    let client = mock_client(&server.base_url(), &clock, RateLimit::Off);
    let out = client
        .batch_delete_csr()
        .csr_ids([1, 2])
        .send()
        .await
        .expect("send");
    mock.assert_calls_async(1).await;
    for item in out.report().items() {
        match &item.outcome {
            Outcome::Refused { code, message } => {
                assert_eq!(code.as_deref(), Some("InvalidParameter.InvalidCSRId"));
                assert!(message.contains("Incorrect CSR ID."), "{message}");
            }
            other => panic!("expected refused, got {other}"),
        }
        assert_eq!(item.request_id.as_deref(), Some("rid-err"));
    }
    let err = out.requests()[0].error.as_ref().expect("batch error");
    assert_eq!(err.kind(), ErrorKind::Service);
    assert_eq!(
        error_code(err),
        Some(ErrorCode::InvalidParameterInvalidCsrId)
    );
    assert!(clock.sleeps().is_empty(), "not retried");
}

#[tokio::test]
async fn every_documented_error_code_is_typed_and_classified_as_documented() {
    for code in ErrorCode::DOCUMENTED {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                when.method(POST);
                then.status(200)
                    .body(error_body(code.as_str(), "m", "rid-x"));
            })
            .await;
        let clock = ManualClock::at_unix(T0);
        let client = mock_client(&server.base_url(), &clock, RateLimit::Off);
        let sent = client.batch_delete_csr().csr_id(7).send().await;
        if code.meaning() == Some(cert_common::answer::CodeMeaning::WrongEndpoint) {
            let out = sent.expect("it was sent");
            let e = out.stopped().expect("a wrong endpoint stops the call");
            assert_eq!(e.kind(), ErrorKind::Config, "{code}");
            assert_eq!(out.report().items()[0].outcome.as_str(), "unconfirmed");
            assert!(e.partial_report().is_none(), "{code}: nothing was done");
            assert_eq!(mock.calls_async().await, 1, "{code} not retried");
            continue;
        }
        let out = sent.expect("send");
        let err = out.requests()[0].error.as_ref().expect("error");
        assert_eq!(error_code(err).as_ref(), Some(code));
        let calls = mock.calls_async().await;
        if code.class().is_retryable() {
            assert_eq!(calls, 3, "{code} retried");
            assert_eq!(err.kind(), ErrorKind::RetriesExhausted, "{code}");
            assert_eq!(
                err.last_error().map(|e| e.retry_class()),
                Some(code.class())
            );
            assert_eq!(err.request_id(), Some("rid-x"));
        } else {
            assert_eq!(calls, 1, "{code} not retried");
            assert_eq!(err.retry_class(), code.class(), "{code}");
            let expected = match code.meaning() {
                Some(cert_common::answer::CodeMeaning::NotFound) => "absent",
                _ => "refused",
            };
            assert_eq!(out.report().items()[0].outcome.as_str(), expected, "{code}");
        }
    }
}

#[tokio::test]
async fn two_hundred_fifty_ids_go_out_as_100_100_50_under_the_rate_limiter() {
    let server = MockServer::start_async().await;
    let ids: Vec<u64> = (1..=250).collect();
    let mut mocks = Vec::new();
    for (n, chunk) in ids.chunks(100).enumerate() {
        let body = format!(
            r#"{{"CSRIds": [{}]}}"#,
            chunk
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        );
        // The middle batch leaves out its first id.
        let deleted: Vec<u64> = if n == 1 {
            chunk[1..].to_vec()
        } else {
            chunk.to_vec()
        };
        let answer = success_body(&deleted, &format!("rid-{n}"));
        mocks.push(
            server
                .mock_async(|when, then| {
                    when.method(POST).body(body);
                    then.status(200).body(answer);
                })
                .await,
        );
    }
    let clock = ManualClock::at_unix(T0);
    let client = mock_client(&server.base_url(), &clock, RateLimit::Documented);
    let planned = client
        .batch_delete_csr()
        .csr_ids(ids.clone())
        .plan()
        .expect("plan");
    assert_eq!(
        planned.iter().map(|p| p.ids.len()).collect::<Vec<_>>(),
        [100, 100, 50]
    );
    let out = client
        .batch_delete_csr()
        .csr_ids(ids.clone())
        .send()
        .await
        .expect("send");
    for m in &mocks {
        m.assert_calls_async(1).await;
    }
    // 10 requests/s, burst 1: the second request waits 100 ms; the manual clock advances
    // during that sleep, so the third then waits 100 ms more: slots at 0, 100 and 200 ms.
    assert_eq!(
        clock.sleeps(),
        vec![Duration::from_millis(100), Duration::from_millis(100)]
    );
    assert_eq!(clock.elapsed(), Duration::from_millis(200));
    let t = out.report().totals();
    assert_eq!((t.requested, t.deleted, t.unconfirmed), (250, 249, 1));
    let missing = out.report().get(&101).expect("101");
    assert_eq!(missing.outcome.as_str(), "unconfirmed");
    assert_eq!(missing.request_id.as_deref(), Some("rid-1"));
    assert_eq!(out.request_ids(), vec!["rid-0", "rid-1", "rid-2"]);
}

#[tokio::test]
async fn a_throttled_answer_is_retried_after_backoff() {
    let server = MockServer::start_async().await;
    let throttled = server
        .mock_async(|when, then| {
            when.method(POST);
            then.status(200).body(error_body(
                "RequestLimitExceeded",
                "Your current request times equals to `11` in a second",
                "rid-t",
            ));
        })
        .await;
    throttled.up_to_n_times_async(1).await;
    let ok = server
        .mock_async(|when, then| {
            when.method(POST).header("X-TC-TraceId", TRACE_ID);
            then.status(200).body(success_body(&[8], "rid-ok"));
        })
        .await;
    let clock = ManualClock::at_unix(T0);
    let client = mock_client(&server.base_url(), &clock, RateLimit::Off);
    let out = client
        .batch_delete_csr()
        .csr_id(8)
        .send()
        .await
        .expect("send");
    throttled.assert_calls_async(1).await;
    ok.assert_calls_async(1).await;
    assert_eq!(out.report().items()[0].outcome, Outcome::Deleted);
    assert_eq!(out.requests()[0].attempts, 2);
    // Full jitter with unit 0.5: 0.5 * 200 ms.
    assert_eq!(clock.sleeps(), vec![Duration::from_millis(100)]);
}

#[tokio::test]
async fn server_errors_exhaust_retries_and_keep_the_last_error_with_its_request_id() {
    let server = MockServer::start_async().await;
    let mut mocks = Vec::new();
    for n in 1..=3 {
        let m = server
            .mock_async(|when, then| {
                when.method(POST);
                then.status(503)
                    .body(error_body("InternalError", "busy", &format!("r{n}")));
            })
            .await;
        m.up_to_n_times_async(1).await;
        mocks.push(m);
    }
    let clock = ManualClock::at_unix(T0);
    let client = mock_client(&server.base_url(), &clock, RateLimit::Off);
    let out = client
        .batch_delete_csr()
        .csr_ids([1, 2])
        .send()
        .await
        .expect("send");
    let err = out.requests()[0].error.as_ref().expect("error");
    assert_eq!(err.kind(), ErrorKind::RetriesExhausted);
    assert_eq!(err.attempts(), 3);
    assert_eq!(err.status(), Some(503));
    assert_eq!(err.request_id(), Some("r3"));
    assert!(err.to_string().contains("request id r3"), "{err}");
    // A 5xx may have taken effect: never "refused".
    for item in out.report().items() {
        assert_eq!(item.outcome.as_str(), "unconfirmed", "{}", item.outcome);
        assert_eq!(item.request_id.as_deref(), Some("r3"));
    }
    assert_eq!(
        clock.sleeps(),
        vec![Duration::from_millis(100), Duration::from_millis(200)]
    );
}

#[tokio::test]
async fn after_an_attempt_that_may_have_applied_a_missing_id_is_unconfirmed() {
    let server = MockServer::start_async().await;
    let bad = server
        .mock_async(|when, then| {
            when.method(POST);
            then.status(502).body("<html>Bad Gateway</html>");
        })
        .await;
    bad.up_to_n_times_async(1).await;
    let ok = server
        .mock_async(|when, then| {
            when.method(POST);
            then.status(200).body(success_body(&[22], "rid-2"));
        })
        .await;
    let clock = ManualClock::at_unix(T0);
    let client = mock_client(&server.base_url(), &clock, RateLimit::Off);
    let out = client
        .batch_delete_csr()
        .csr_ids([11, 22])
        .send()
        .await
        .expect("send");
    ok.assert_calls_async(1).await;
    let eleven = &out.report().items()[0];
    assert_eq!(eleven.id, 11);
    assert_eq!(eleven.outcome.as_str(), "unconfirmed");
    assert!(
        eleven
            .outcome
            .message()
            .expect("message")
            .contains("earlier attempt"),
        "{}",
        eleven.outcome
    );
    assert_eq!(out.report().items()[1].outcome, Outcome::Deleted);
}

#[tokio::test]
async fn nothing_is_sent_for_bad_input_or_missing_credentials() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(200).body(success_body(&[], "r"));
        })
        .await;
    let clock = ManualClock::at_unix(T0);
    let client = mock_client(&server.base_url(), &clock, RateLimit::Off);
    let e = client.batch_delete_csr().send().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(e.to_string().contains("CSRIds"), "{e}");

    let no_creds = tencent_ssl::Client::new(
        tencent_ssl::Config::builder()
            .endpoint(server.base_url())
            .credentials_provider(std::sync::Arc::new(
                cert_common::credentials::EnvProvider::with_lookup(
                    cert_common::credentials::EnvVars::TENCENT,
                    |_| None,
                ),
            ))
            .build(),
    )
    .expect("client");
    let e = no_creds
        .batch_delete_csr()
        .csr_id(1)
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Credentials);
    assert!(e.to_string().contains("TENCENTCLOUD_SECRET_ID"), "{e}");
    any.assert_calls_async(0).await;
}

/// `build()` checks nothing (as in every crate); the client refuses a bad configuration.
#[test]
fn the_client_refuses_bad_endpoints_and_regions() {
    let client = |b: tencent_ssl::ConfigBuilder| tencent_ssl::Client::new(b.build());
    let e = client(tencent_ssl::Config::builder().endpoint("ftp://x")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    let e = client(tencent_ssl::Config::builder().region("ap guangzhou\r\n")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    let config = tencent_ssl::Config::builder().international(true).build();
    assert_eq!(config.language().as_str(), "en-US");
    let c = tencent_ssl::Client::new(config).expect("client");
    assert_eq!(
        c.endpoint().to_string(),
        "https://ssl.intl.tencentcloudapi.com"
    );
    let c = client(
        tencent_ssl::Config::builder()
            .international(true)
            .endpoint("http://127.0.0.1:9")
            .region(""),
    )
    .expect("client");
    assert_eq!(c.endpoint().to_string(), "http://127.0.0.1:9");
}

#[test]
fn the_generated_table_is_what_classifies_every_documented_code() {
    use cert_common::answer::meaning;
    for code in ErrorCode::DOCUMENTED {
        let status = code.http_status().filter(|s| *s < 500).unwrap_or(400);
        let m = meaning(crate_rules(), status, Some(code.as_str()));
        assert_eq!(Some(m), code.meaning(), "{code}");
        assert_eq!(m.retry_class(), code.class(), "{code}");
    }
}

fn crate_rules() -> &'static [cert_common::answer::CodeRule] {
    tencent_ssl::generated::errors::RULES
}

#[test]
fn a_code_of_a_documented_family_means_what_the_runtime_acts_on() {
    use cert_common::answer::CodeMeaning;
    use cert_common::retry::RetryClass;
    let code = ErrorCode::from_code("RequestLimitExceeded.IPLimitExceeded");
    assert!(
        matches!(code, ErrorCode::Unknown(_)),
        "no variant of its own"
    );
    assert_eq!(code.meaning(), Some(CodeMeaning::Throttling));
    assert_eq!(code.class(), RetryClass::Throttling);
    let unknown = ErrorCode::from_code("NoSuch.Code");
    assert_eq!(
        (unknown.meaning(), unknown.class()),
        (None, RetryClass::Permanent)
    );
}
