//! The exact wire request and the parsing of every documented answer (the seed's 400, 401,
//! 403, 404 and 500 bodies), against a loopback mock server through the reqwest transport.

use std::sync::Arc;

use cert_common::http::HttpRequest;
use cert_common::random::FixedRandom;
use cert_common::sign::huawei::sign;
use cert_common::time::ManualClock;
use cert_common::{AccessKey, ClientOptions, ErrorKind, Outcome, RetryConfig};
use httpmock::prelude::*;
use huawei_apig::{Client, Config};

use crate::support::{AK, PROJECT, SK, T0};

const CERT: &str = "3c6b2f1a9e8d4c7b8a6f5e4d3c2b1a09";
const PATH: &str =
    "/v2/0123456789abcdef0123456789abcdef/apigw/certificates/3c6b2f1a9e8d4c7b8a6f5e4d3c2b1a09";
const CRID: &str = "abababab-abab-4bab-abab-abababababab";

fn client(server: &MockServer, retry: RetryConfig) -> Client {
    let clock = ManualClock::at_unix(T0);
    Client::new(
        Config::builder()
            .endpoint(format!("http://{}", server.address()))
            .project_id(PROJECT)
            .credentials(AccessKey::new(AK, SK))
            .options(
                ClientOptions::default()
                    .time(Arc::new(clock.clone()), Arc::new(clock))
                    .random(Arc::new(FixedRandom(0.5)))
                    .retry(retry),
            )
            .env_lookup(|_| None)
            .build(),
    )
    .expect("client")
}

fn user_agent() -> String {
    format!(
        "cloud-cert-sdk-rust/huawei-apig/{}",
        env!("CARGO_PKG_VERSION")
    )
}

#[tokio::test]
async fn exact_delete_request_and_204() {
    let server = MockServer::start_async().await;
    let mut r = HttpRequest::new("DELETE", "http", &server.address().to_string(), PATH);
    r.set_header("Content-Type", "application/json");
    r.set_header("User-Agent", user_agent());
    r.set_header("X-Client-Request-Id", CRID);
    r.set_header("X-Project-Id", PROJECT);
    r.set_header("X-Sdk-Date", "20240102T030405Z");
    r.set_header("Host", server.address().to_string());
    let auth = sign(&r, AK, SK, "20240102T030405Z").authorization;
    let m = server
        .mock_async(|when, then| {
            when.method(DELETE)
                .path(PATH)
                .query_param_count(".*", ".*", 0)
                .header("content-type", "application/json")
                .header("user-agent", user_agent())
                .header("x-client-request-id", CRID)
                .header("x-project-id", PROJECT)
                .header("x-sdk-date", "20240102T030405Z")
                .header("authorization", auth.clone())
                .header_missing("x-security-token")
                .body("");
            then.status(204).header("X-Request-Id", "rid-204");
        })
        .await;
    let out = client(&server, RetryConfig::disabled())
        .delete_certificate()
        .certificate_id(CERT)
        .send()
        .await
        .expect("deleted");
    m.assert_async().await;
    assert_eq!(out.report().items()[0].outcome, Outcome::Deleted);
    assert_eq!(out.request_id(), Some("rid-204"));
    assert_eq!(out.attempts(), 1);
}

async fn answer(
    status: u16,
    body: &str,
) -> Result<huawei_apig::DeleteCertificateOutput, cert_common::Error> {
    let server = MockServer::start_async().await;
    let m = server
        .mock_async(|when, then| {
            when.method(DELETE).path(PATH);
            then.status(status)
                .header("X-Request-Id", format!("rid-{status}"))
                .header("Content-Type", "application/json")
                .body(body);
        })
        .await;
    let r = client(&server, RetryConfig::disabled())
        .delete_certificate()
        .certificate_id(CERT)
        .send()
        .await;
    m.assert_calls_async(1).await;
    r
}

#[tokio::test]
async fn only_the_certificate_not_found_codes_are_absent() {
    for code in ["APIG.3021", "APIG.3025"] {
        let out = answer(
            404,
            &format!(r#"{{ "error_code" : "{code}", "error_msg" : "The SSL certificate does not exist" }}"#),
        )
        .await
        .expect("absent is an outcome");
        assert_eq!(out.report().items()[0].outcome, Outcome::Absent, "{code}");
        assert_eq!(out.request_id(), Some("rid-404"));
    }
    // The seed's own 404 example names an app quota: a refusal, not a missing certificate.
    let out = answer(
        404,
        r#"{ "error_code" : "APIG.3093", "error_msg" : "App quota c900c5612dbe451bb43cbcc49cfaf2f3 does not exist" }"#,
    )
    .await
    .expect("a refusal is an outcome");
    assert_eq!(out.report().items()[0].outcome.as_str(), "refused");
    assert_eq!(out.report().items()[0].outcome.code(), Some("APIG.3093"));
}

#[tokio::test]
async fn a_404_that_says_the_api_does_not_exist_stops_with_a_configuration_error() {
    for body in [
        r#"{"error_code":"APIG.0101","error_msg":"The API does not exist or has not been published in the environment"}"#,
        r#"{"error_code":"APIGW.0101","error_msg":"The API does not exist"}"#,
        "<html><body><h1>404 Not Found</h1>nginx</body></html>",
        r#"{"message":"Not Found"}"#,
    ] {
        let out = answer(404, body).await.expect("it was sent");
        let e = out.stopped().expect("a wrong endpoint stops the call");
        assert_eq!(e.kind(), ErrorKind::Config, "{body}: {e}");
        assert!(e.message().contains("404"), "{e}");
        assert!(e.partial_report().is_none(), "nothing was done");
        let outcome = &out.report().items()[0].outcome;
        assert_eq!(
            outcome.as_str(),
            "unconfirmed",
            "{body}: never refused nor absent"
        );
        assert!(
            outcome.message().unwrap_or("").starts_with("not done"),
            "{outcome}"
        );
    }
}

#[tokio::test]
async fn seed_400_is_a_refusal_with_code_and_message() {
    let out = answer(
        400,
        r#"{ "error_code" : "APIG.2012", "error_msg" : "Invalid parameter value,parameterName:instance_id. Please refer to the support documentation" }"#,
    )
    .await
    .expect("refusal is an outcome");
    assert_eq!(
        out.report().items()[0].outcome,
        Outcome::Refused {
            code: Some("APIG.2012".into()),
            message: "Invalid parameter value,parameterName:instance_id. Please refer to the support documentation".into(),
        }
    );
    assert_eq!(out.request_id(), Some("rid-400"));
}

#[tokio::test]
async fn a_certificate_bound_to_a_domain_is_refused_with_the_servers_words() {
    let out = answer(
        409,
        r#"{"error_code":"APIG.3474","error_msg":"The certificate is bound to domain names: api.example.com"}"#,
    )
    .await
    .expect("refusal");
    assert_eq!(out.report().items()[0].outcome.code(), Some("APIG.3474"));
    assert!(
        out.report().items()[0]
            .outcome
            .message()
            .expect("msg")
            .contains("api.example.com")
    );
}

#[tokio::test]
async fn seed_401_is_a_credentials_error() {
    let e = answer(
        401,
        r#"{ "error_code" : "APIG.1002", "error_msg" : "Incorrect token or token resolution failed" }"#,
    )
    .await
    .expect("sent")
        .into_error()
        .expect("the request failed");
    assert_eq!(e.kind(), ErrorKind::Credentials);
    assert_eq!(e.code(), Some("APIG.1002"));
    assert_eq!(e.message(), "Incorrect token or token resolution failed");
    assert_eq!(e.request_id(), Some("rid-401"));
    assert_eq!(e.status(), Some(401));
}

#[tokio::test]
async fn seed_403_is_a_permission_error() {
    let e = answer(
        403,
        r#"{ "error_code" : "APIG.1005", "error_msg" : "No permissions to request this method" }"#,
    )
    .await
    .expect("sent")
    .into_error()
    .expect("the request failed");
    assert_eq!(e.kind(), ErrorKind::Credentials);
    assert_eq!(e.code(), Some("APIG.1005"));
    assert_eq!(e.request_id(), Some("rid-403"));
}

#[tokio::test]
async fn seed_500_is_an_error_with_code_and_request_id() {
    let e = answer(
        500,
        r#"{ "error_code" : "APIG.9999", "error_msg" : "System error" }"#,
    )
    .await
    .expect("sent")
    .into_error()
    .expect("the request failed");
    assert_eq!(e.code(), Some("APIG.9999"));
    assert_eq!(e.status(), Some(500));
    assert_eq!(e.request_id(), Some("rid-500"));
    assert!(e.may_have_applied());
    assert!(e.to_string().contains("System error"), "{e}");
}

#[tokio::test]
async fn a_throttled_delete_keeps_code_message_and_request_id() {
    let server = MockServer::start_async().await;
    let m = server
        .mock_async(|when, then| {
            when.method(DELETE).path(PATH);
            then.status(429).header("X-Request-Id", "rid-429").body(
                r#"{"error_code":"APIG.0308","error_msg":"The throttling threshold has been reached: policy user over ratelimit,limit:1,time:1 second","request_id":"rid-429"}"#,
            );
        })
        .await;
    let e = client(
        &server,
        RetryConfig::default()
            .with_max_attempts(2)
            .with_backoff(std::time::Duration::ZERO, std::time::Duration::ZERO),
    )
    .delete_certificate()
    .certificate_id(CERT)
    .send()
    .await
    .expect("sent")
    .into_error()
    .expect("the request failed");
    m.assert_calls_async(2).await;
    assert_eq!(e.kind(), ErrorKind::RetriesExhausted);
    let last = e.last_error().expect("last");
    assert_eq!(last.kind(), ErrorKind::Throttled);
    assert_eq!(e.code(), Some("APIG.0308"));
    assert_eq!(e.request_id(), Some("rid-429"));
    assert!(last.message().contains("throttling threshold"), "{e}");
}
