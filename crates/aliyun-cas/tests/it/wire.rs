//! The exact wire request, every documented answer shape, retries and `delete_many`,
//! against a local HTTP server (httpmock) or a scripted transport, with a pinned clock.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use aliyun_cas::{Client, Config, ErrorCode, ErrorKind, Outcome, error_code};
use async_trait::async_trait;
use cert_common::credentials::AccessKey;
use cert_common::http::{HttpRequest, HttpResponse};
use cert_common::sign::aliyun::sign;
use cert_common::sign::sha256_hex;
use cert_common::test_util::{QueuedRandom, ScriptedHttp, hex_bytes, json_response};
use cert_common::time::ManualClock;
use cert_common::transport::HttpSend;
use cert_common::{Deleter, RateLimit};
use httpmock::prelude::*;

use crate::common::{AK, NONCE, SECRET, TOKEN_UUID, USER_AGENT, mock_client, pinned_options};

/// The outcome of a one-id call's result (the id's outcome, or the error's when nothing was
/// sent or the run stopped).
fn outcome_of(
    result: &Result<aliyun_cas::DeleteUserCertificateOutput, cert_common::Error>,
) -> Outcome {
    match result {
        Ok(out) => out.report().items()[0].outcome.clone(),
        Err(e) => Outcome::from_error(e),
    }
}

const T0: u64 = 1_704_164_645; // 2024-01-02T03:04:05Z
const SEED_RID: &str = "3E50D480-9765-5CFD-9650-9BACCECA5135";

#[tokio::test]
async fn exact_wire_request_and_the_seed_success_example() {
    let server = MockServer::start_async().await;
    let host = server.address().to_string();
    // What an ACS3 verifier expects, built independently of the client from the documented
    // header set.
    let mut expected = HttpRequest::new("POST", "http", &host, "/");
    expected.query = format!("CertId=7562353&ClientToken={TOKEN_UUID}");
    for (k, v) in [
        ("host", host.as_str()),
        ("x-acs-version", "2020-04-07"),
        ("x-acs-action", "DeleteUserCertificate"),
        ("user-agent", USER_AGENT),
        ("x-acs-date", "2024-01-02T03:04:05Z"),
        ("x-acs-signature-nonce", NONCE),
        ("accept", "application/json"),
        ("x-acs-content-sha256", &sha256_hex(b"")),
        ("x-acs-credentials-provider", "static_ak"),
    ] {
        expected.headers.push((k.to_string().into(), v.to_string()));
    }
    let auth = sign(&expected, AK, SECRET).authorization;
    let mock = server
        .mock_async(|when, then| {
            let mut w = when
                .method(POST)
                .path("/")
                .query_param("CertId", "7562353")
                .query_param("ClientToken", TOKEN_UUID)
                .is_true(|req| req.query_params().len() == 2 && req.body_ref().is_empty())
                .header("Authorization", auth)
                .header_missing("content-type")
                .header_missing("x-acs-security-token");
            for (k, v) in &expected.headers {
                w = w.header(k.clone(), v.clone());
            }
            then.status(200)
                .header("Content-Type", "application/json")
                .body(format!(r#"{{"RequestId":"{SEED_RID}"}}"#));
        })
        .await;
    let clock = ManualClock::at_unix(T0);
    let client = mock_client(&server.base_url(), &clock, RateLimit::Off);
    let result = client
        .delete_user_certificate()
        .cert_id(7_562_353)
        .send()
        .await;
    mock.assert_async().await;
    let out = result.as_ref().expect("deleted");
    assert_eq!(out.request_id(), Some(SEED_RID));
    assert_eq!(out.attempts(), 1);
    assert_eq!(out.idempotency_token(), Some(TOKEN_UUID));
    assert_eq!(outcome_of(&result), Outcome::Deleted);
}

async fn one_answer(
    status: u16,
    headers: &[(&str, &str)],
    body: &str,
) -> (aliyun_cas::Error, usize) {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST);
            let mut t = then.status(status).body(body);
            for (k, v) in headers {
                t = t.header(*k, *v);
            }
        })
        .await;
    let clock = ManualClock::at_unix(T0);
    let client = mock_client(&server.base_url(), &clock, RateLimit::Off);
    // A refusal is an outcome with the request's error beside it; a stopped run, an `Err`.
    let e = match client.delete_user_certificate().cert_id(1).send().await {
        Err(e) => e,
        Ok(out) => out.into_error().expect("the request failed"),
    };
    (e, mock.calls_async().await)
}

#[tokio::test]
async fn no_code_is_absent_in_use_is_refused_and_a_wrong_action_stops() {
    // CAS documents no not-found code for this API: a "NotFound" code (or any code containing
    // it) is a refusal with its code, never "absent".
    for code in [
        "NotFound",
        "InvalidCertificate.NotFound",
        "Certificate.NotExist",
    ] {
        let (e, calls) = one_answer(
            404,
            &[],
            &format!(r#"{{"RequestId":"R404","HostId":"cas.aliyuncs.com","Code":"{code}","Message":"The certificate does not exist.","Recommend":"https://api.aliyun.com/troubleshoot?q=NotFound"}}"#),
        )
        .await;
        assert_eq!(calls, 1);
        assert_eq!(e.request_id(), Some("R404"));
        assert!(e.message().contains("troubleshoot"), "{e}");
        assert_eq!(outcome_of(&Err(e)).as_str(), "refused", "{code}");
    }
    // A wrong action or version is the endpoint's fault: a configuration error, not an outcome.
    let (e, _) = one_answer(
        404,
        &[],
        r#"{"RequestId":"R1","Code":"InvalidAction.NotFound","Message":"Specified api is not found, please check your url and method."}"#,
    )
    .await;
    assert_eq!(e.kind(), ErrorKind::Config, "{e}");
    assert!(e.stops_run());

    let (e, calls) = one_answer(
        400,
        &[],
        r#"{"RequestId":"R400","Code":"Certificate.InUse","Message":"The certificate is bound to domain www.example.com."}"#,
    )
    .await;
    assert_eq!(calls, 1, "in use is permanent");
    assert_eq!(
        e.request_id(),
        Some("R400"),
        "the request id travels beside the outcome"
    );
    match outcome_of(&Err(e)) {
        Outcome::Refused { code, message } => {
            assert_eq!(code.as_deref(), Some("Certificate.InUse"));
            assert!(message.contains("www.example.com"), "{message}");
        }
        other => panic!("expected refused, got {other}"),
    }

    let (e, _) = one_answer(
        404,
        &[],
        r#"{"RequestId":"R9","Code":"InvalidAccessKeyId.NotFound","Message":"Specified access key is not found."}"#,
    )
    .await;
    assert_eq!(error_code(&e), Some(ErrorCode::InvalidAccessKeyIdNotFound));
    assert_eq!(outcome_of(&Err(e)).as_str(), "refused");
}

#[tokio::test]
async fn throttling_by_header_waits_the_servers_hint() {
    let server = MockServer::start_async().await;
    let throttled = server
        .mock_async(|when, then| {
            when.method(POST);
            then.status(403)
                .header("x-acs-retry-after", "1500")
                .body(r#"{"RequestId":"RT","Code":"Throttling.User","Message":"Request was denied due to user flow control."}"#);
        })
        .await;
    throttled.up_to_n_times_async(1).await;
    let ok = server
        .mock_async(|when, then| {
            when.method(POST).query_param("ClientToken", TOKEN_UUID);
            then.status(200).body(r#"{"RequestId":"R2"}"#);
        })
        .await;
    let clock = ManualClock::at_unix(T0);
    let client = mock_client(&server.base_url(), &clock, RateLimit::Off);
    let out = client
        .delete_user_certificate()
        .cert_id(5)
        .send()
        .await
        .expect("send");
    ok.assert_calls_async(1).await;
    assert_eq!(out.attempts(), 2);
    assert_eq!(clock.sleeps(), vec![Duration::from_millis(1500)]);
}

fn scripted_client(recorder: Arc<ScriptedHttp>, clock: &ManualClock) -> Client {
    let random = QueuedRandom::new(vec![
        hex_bytes(TOKEN_UUID),
        hex_bytes(NONCE),
        vec![0x11; 16],
        vec![0x22; 16],
    ]);
    Client::new(
        Config::builder()
            .region("cn-hangzhou")
            .credentials(AccessKey::new(AK, SECRET))
            .options(
                pinned_options(clock, random)
                    .http(recorder)
                    .rate_limit(RateLimit::Off),
            )
            .build(),
    )
    .expect("client")
}

#[tokio::test]
async fn throttled_then_success_reuses_the_client_token_and_signs_afresh() {
    let clock = ManualClock::at_unix(T0);
    let recorder = ScriptedHttp::repeating_last(vec![
        json_response(
            400,
            r#"{"RequestId":"R1","Code":"Throttling.User","Message":"slow"}"#,
        ),
        json_response(200, r#"{"RequestId":"R2"}"#),
    ]);
    let client = scripted_client(recorder.clone(), &clock);
    let out = client
        .delete_user_certificate()
        .cert_id(42)
        .send()
        .await
        .expect("send");
    assert_eq!(out.request_id(), Some("R2"));
    let seen = recorder.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].url(), seen[1].url(), "same CertId and ClientToken");
    assert!(seen[0].url().contains(&format!("ClientToken={TOKEN_UUID}")));
    assert_ne!(
        seen[0].header("x-acs-signature-nonce"),
        seen[1].header("x-acs-signature-nonce"),
        "fresh nonce per attempt"
    );
    assert_ne!(
        seen[0].header("Authorization"),
        seen[1].header("Authorization")
    );
    assert_eq!(clock.sleeps(), vec![Duration::from_millis(100)]);
}

#[tokio::test]
async fn server_errors_exhaust_retries_and_keep_the_last_request_id() {
    let clock = ManualClock::at_unix(T0);
    let body = |rid: &str| {
        format!(
            r#"{{"RequestId":"{rid}","Code":"ServiceUnavailable","Message":"The request has failed due to a temporary failure of the server."}}"#
        )
    };
    let recorder = ScriptedHttp::repeating_last(vec![
        json_response(503, &body("R1")),
        json_response(503, &body("R2")),
        json_response(503, &body("R3")),
    ]);
    let client = scripted_client(recorder.clone(), &clock);
    let result = client.delete_user_certificate().cert_id(9).send().await;
    let out = result.as_ref().expect("sent");
    let e = out.error().expect("the request failed");
    assert_eq!(e.kind(), ErrorKind::RetriesExhausted);
    assert_eq!(e.attempts(), 3);
    assert_eq!(e.request_id(), Some("R3"));
    assert_eq!(error_code(e), Some(ErrorCode::ServiceUnavailable));
    assert!(e.to_string().contains("request id R3"), "{e}");
    assert_eq!(recorder.seen().len(), 3);
    assert_eq!(
        clock.sleeps(),
        vec![Duration::from_millis(100), Duration::from_millis(200)]
    );
    assert_eq!(outcome_of(&result).as_str(), "unconfirmed");
}

#[tokio::test]
async fn bad_input_sends_nothing() {
    let clock = ManualClock::at_unix(T0);
    let recorder = ScriptedHttp::repeating_last(vec![json_response(200, r#"{"RequestId":"R"}"#)]);
    let client = scripted_client(recorder.clone(), &clock);
    let e = client.delete_user_certificate().send().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    for bad in ["x".repeat(65), "tökén".to_string()] {
        let e = client
            .delete_user_certificate()
            .cert_id(1)
            .client_token(bad)
            .send()
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e}");
    }
    let ok = client
        .delete_user_certificate()
        .cert_id(1)
        .client_token("x".repeat(64))
        .send()
        .await;
    assert!(ok.is_ok());
    assert_eq!(recorder.seen().len(), 1, "only the valid call was sent");
    let e = client
        .delete_user_certificate()
        .cert_ids(Vec::new())
        .send()
        .await
        .map(|o| o.into_report())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    let e = client
        .delete(&["1".into(), "one".into()])
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert_eq!(
        client.plan(&[]).unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
    assert_eq!(recorder.seen().len(), 1);
}

/// `build()` checks nothing (as in every crate); the client takes its endpoint from the
/// override or the region, and refuses neither or a bad region.
#[test]
fn endpoints_from_region_or_override() {
    let client = |b: aliyun_cas::ConfigBuilder| Client::new(b.build());
    let e = client(Config::builder()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    let c = client(Config::builder().region("cn-shanghai")).expect("client");
    assert_eq!(c.endpoint().to_string(), "https://cas.aliyuncs.com");
    let c = client(Config::builder().region("ap-southeast-1")).expect("client");
    assert_eq!(
        c.endpoint().to_string(),
        "https://cas.ap-southeast-1.aliyuncs.com"
    );
    let c = client(
        Config::builder()
            .region("cn-hangzhou")
            .endpoint("http://127.0.0.1:9"),
    )
    .expect("client");
    assert_eq!(c.endpoint().to_string(), "http://127.0.0.1:9");
    assert!(client(Config::builder().region("cn hangzhou")).is_err());
}

/// Answers by CertId, counting requests in flight.
#[derive(Debug, Default)]
struct ByCertId {
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    calls: AtomicUsize,
}

#[async_trait]
impl HttpSend for ByCertId {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, cert_common::Error> {
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight.fetch_max(now, Ordering::SeqCst);
        self.calls.fetch_add(1, Ordering::SeqCst);
        tokio::task::yield_now().await;
        tokio::task::yield_now().await;
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        let id = request
            .query
            .split('&')
            .find_map(|p| p.strip_prefix("CertId="))
            .unwrap_or("");
        Ok(match id {
            "2" => json_response(
                404,
                r#"{"RequestId":"N2","Code":"NotFound","Message":"gone"}"#,
            ),
            "3" => json_response(
                400,
                r#"{"RequestId":"U3","Code":"Certificate.InUse","Message":"bound to example.com"}"#,
            ),
            _ => json_response(200, &format!(r#"{{"RequestId":"D{id}"}}"#)),
        })
    }
}

#[tokio::test]
async fn delete_many_is_bounded_and_reports_each_id_once() {
    let clock = ManualClock::at_unix(T0);
    let http = Arc::new(ByCertId::default());
    let client = Client::new(
        Config::builder()
            .endpoint("https://cas.aliyuncs.com")
            .credentials(AccessKey::new(AK, SECRET))
            .options(
                cert_common::ClientOptions::default()
                    .max_concurrency(2)
                    .time(Arc::new(clock.clone()), Arc::new(clock.clone()))
                    .http(http.clone()),
            )
            .build(),
    )
    .expect("client");
    let ids: Vec<i64> = vec![1, 2, 3, 4, 5, 6, 7, 8, 1, 2];
    let report = client
        .delete_user_certificate()
        .cert_ids(ids)
        .send()
        .await
        .map(|o| o.into_report())
        .expect("report");
    assert_eq!(
        http.calls.load(Ordering::SeqCst),
        8,
        "repeats sent once: {report:#?}"
    );
    assert_eq!(http.max_in_flight.load(Ordering::SeqCst), 2);
    let got: Vec<(i64, &str)> = report
        .items()
        .iter()
        .map(|i| (i.id, i.outcome.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (1, "deleted"),
            (2, "refused"),
            (3, "refused"),
            (4, "deleted"),
            (5, "deleted"),
            (6, "deleted"),
            (7, "deleted"),
            (8, "deleted")
        ]
    );
    assert_eq!(report.items()[1].request_id.as_deref(), Some("N2"));
    assert_eq!(report.items()[2].outcome.code(), Some("Certificate.InUse"));
    assert_eq!(report.items()[3].request_id.as_deref(), Some("D4"));
    // 100 requests/s documented: 8 requests, burst 1, 10 ms apart.
    let paced: Duration = clock.sleeps().iter().sum();
    assert!(paced >= Duration::from_millis(69), "{paced:?}");

    let strings = client
        .delete(&["1".into(), "2".into(), "1".into()])
        .await
        .expect("delete");
    let ids: Vec<&str> = strings.items().iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["1", "2"]);
    // Another spelling of an id is refused before anything is sent.
    for bad in ["01", "+1", " 1"] {
        let e = client.delete(&[bad.into()]).await.expect_err(bad);
        assert_eq!(e.kind(), ErrorKind::InvalidInput, "{bad}");
    }
    let plan = client
        .plan(&["5".into(), "5".into(), "6".into()])
        .expect("plan");
    assert_eq!(plan.len(), 2);
    assert_eq!(
        plan[0].target,
        "https://cas.aliyuncs.com/ DeleteUserCertificate"
    );
    assert_eq!(client.name(), "aliyun-cas");
}

#[tokio::test]
async fn delete_many_with_no_credentials_sends_nothing() {
    let http = Arc::new(ByCertId::default());
    let client = Client::new(
        Config::builder()
            .region("cn-hangzhou")
            .credentials_provider(Arc::new(
                cert_common::credentials::EnvProvider::with_lookup(
                    cert_common::credentials::EnvVars::ALIYUN,
                    |_| None,
                ),
            ))
            .options(cert_common::ClientOptions::default().http(http.clone()))
            .build(),
    )
    .expect("client");
    let e = client
        .delete_user_certificate()
        .cert_ids([1, 2])
        .send()
        .await
        .map(|o| o.into_report())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Credentials);
    assert!(e.to_string().contains("ALIBABA_CLOUD_ACCESS_KEY_ID"), "{e}");
    assert_eq!(http.calls.load(Ordering::SeqCst), 0);
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

#[tokio::test]
async fn an_unreadable_success_is_retried_with_the_same_client_token() {
    let clock = ManualClock::at_unix(T0);
    let recorder = ScriptedHttp::repeating_last(vec![
        json_response(200, r#"{"RequestId":"R1""#),
        json_response(200, r#"{"RequestId":"R1"}"#),
    ]);
    let client = scripted_client(recorder.clone(), &clock);
    let out = client
        .delete_user_certificate()
        .cert_id(7)
        .send()
        .await
        .expect("the retry reads the server's replayed answer");
    assert_eq!(out.request_id(), Some("R1"));
    assert_eq!(out.attempts(), 2);
    let seen = recorder.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(
        seen[0].url(),
        seen[1].url(),
        "same ClientToken on the retry"
    );
}

#[tokio::test]
async fn without_a_client_token_an_unreadable_success_is_not_retried() {
    let clock = ManualClock::at_unix(T0);
    let recorder = ScriptedHttp::repeating_last(vec![json_response(200, r#"{"RequestId":"#)]);
    let client = Client::new(
        Config::builder()
            .endpoint("https://cas.aliyuncs.com")
            .credentials(AccessKey::new(AK, SECRET))
            .options(
                pinned_options(&clock, QueuedRandom::new(vec![]))
                    .http(recorder.clone())
                    .rate_limit(RateLimit::Off),
            )
            .auto_client_token(false)
            .build(),
    )
    .expect("client");
    let result = client.delete_user_certificate().cert_id(7).send().await;
    let out = result.as_ref().expect("sent");
    let e = out.error().expect("the request failed");
    assert_eq!(e.kind(), ErrorKind::Decode);
    assert!(e.may_have_applied());
    assert_eq!(recorder.seen().len(), 1);
    assert_eq!(outcome_of(&result).as_str(), "unconfirmed");
}

fn crate_rules() -> &'static [cert_common::answer::CodeRule] {
    aliyun_cas::generated::errors::RULES
}
