//! The exact wire request and the parsing of every documented answer, against a loopback
//! mock server through the default (reqwest) transport.

use std::sync::Arc;

use cert_common::http::HttpRequest;
use cert_common::random::FixedRandom;
use cert_common::sign::huawei::sign;
use cert_common::time::ManualClock;
use cert_common::{
    AccessKey, ClientOptions, Credentials, Error, ErrorKind, Outcome, RetryConfig, Secret,
};
use httpmock::prelude::*;
use huawei_elb::{Client, Config};

use crate::support::{AK, PROJECT, SK, T0};

const PATH: &str = "/v3/0123456789abcdef0123456789abcdef/elb/certificates/batch-delete";
const CRID: &str = "abababab-abab-4bab-abab-abababababab";

fn client(server: &MockServer, credentials: Credentials, retry: RetryConfig) -> Client {
    let clock = ManualClock::at_unix(T0);
    Client::new(
        Config::builder()
            .endpoint(format!("http://{}", server.address()))
            .project_id(PROJECT)
            .credentials(credentials)
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

fn key() -> Credentials {
    AccessKey::new(AK, SK).into()
}

/// The Authorization the server should see, computed from the headers it should see.
fn expected_authorization(server: &MockServer, body: &str) -> String {
    let mut r = HttpRequest::new("POST", "http", &server.address().to_string(), PATH);
    r.set_header("Content-Type", "application/json;charset=utf-8");
    r.set_header(
        "User-Agent",
        format!(
            "cloud-cert-sdk-rust/huawei-elb/{}",
            env!("CARGO_PKG_VERSION")
        ),
    );
    r.set_header("X-Client-Request-Id", CRID);
    r.set_header("X-Project-Id", PROJECT);
    r.set_header("X-Sdk-Date", "20240102T030405Z");
    r.set_header("Host", server.address().to_string());
    r.body = body.as_bytes().to_vec().into();
    let signed = sign(&r, AK, SK, "20240102T030405Z");
    assert_eq!(
        signed.signed_headers,
        "content-type;host;user-agent;x-client-request-id;x-project-id;x-sdk-date"
    );
    signed.authorization
}

#[tokio::test]
async fn seed_example_exact_request_and_repeated_id_in_the_answer() {
    let server = MockServer::start_async().await;
    let body = r#"{"certificates": ["de3404aeb44f499893fb42a0b218a515", "de3404aeb44f499893fb42a0b218a123"]}"#;
    let auth = expected_authorization(&server, body);
    let m = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(PATH)
                .query_param_count(".*", ".*", 0)
                .header("content-type", "application/json;charset=utf-8")
                .header(
                    "user-agent",
                    format!(
                        "cloud-cert-sdk-rust/huawei-elb/{}",
                        env!("CARGO_PKG_VERSION")
                    ),
                )
                .header("x-client-request-id", CRID)
                .header("x-project-id", PROJECT)
                .header("x-sdk-date", "20240102T030405Z")
                .header("host", server.address().to_string())
                .header("authorization", auth.clone())
                .header_missing("x-security-token")
                .header_missing("x-auth-token")
                .body(body);
            then.status(200).body(
                r#"{
  "certificates" : [ {
    "id" : "de3404aeb44f499893fb42a0b218a515",
    "ret_status" : "successful"
  }, {
    "id" : "de3404aeb44f499893fb42a0b218a515",
    "ret_status" : "successful"
  } ],
  "request_id" : "98414965-856c-4be3-8a33-3e08432a222e"
}"#,
            );
        })
        .await;
    let out = client(&server, key(), RetryConfig::disabled())
        .batch_delete_certificates()
        .certificate_ids([
            "de3404aeb44f499893fb42a0b218a515",
            "de3404aeb44f499893fb42a0b218a123",
            "de3404aeb44f499893fb42a0b218a515",
        ])
        .send()
        .await
        .expect("sent");
    m.assert_async().await;
    let items = out.report().items();
    assert_eq!(items.len(), 2, "{items:?}");
    assert_eq!(items[0].id, "de3404aeb44f499893fb42a0b218a515");
    assert_eq!(items[0].outcome, Outcome::Deleted);
    assert_eq!(
        items[0].request_id.as_deref(),
        Some("98414965-856c-4be3-8a33-3e08432a222e")
    );
    assert_eq!(items[1].id, "de3404aeb44f499893fb42a0b218a123");
    assert_eq!(items[1].outcome.as_str(), "unconfirmed");
    assert_eq!(
        out.request_id(),
        Some("98414965-856c-4be3-8a33-3e08432a222e")
    );
    assert!(out.unexpected_ids().is_empty());
    assert!(out.error().is_none());
    assert_eq!(out.attempts(), 1);
}

#[tokio::test]
async fn every_ret_status_maps_to_its_outcome_and_nothing_is_invented() {
    let server = MockServer::start_async().await;
    let m = server
        .mock_async(|when, then| {
            when.method(POST).path(PATH);
            then.status(200).header("X-Request-Id", "hdr-rid").body(
                r#"{"certificates":[
                    {"id":"a","ret_status":"successful"},
                    {"id":"b","ret_status":"not found"},
                    {"id":"c","ret_status":"failed","ret_code":"ELB.8902"},
                    {"id":"zzz","ret_status":"successful"},
                    {"id":"zzz","ret_status":"successful"}
                ],"request_id":"body-rid"}"#,
            );
        })
        .await;
    let out = client(&server, key(), RetryConfig::disabled())
        .batch_delete_certificates()
        .certificate_ids(["a", "b", "c", "d"])
        .send()
        .await
        .expect("sent");
    m.assert_async().await;
    let r = &out.report();
    let get = |id: &str| r.get(&id.to_string()).expect("id in report").clone();
    assert_eq!(get("a").outcome, Outcome::Deleted);
    assert_eq!(get("b").outcome, Outcome::Absent);
    // A ret_status the API does not document says nothing certain: unconfirmed, with its code.
    assert_eq!(get("c").outcome.as_str(), "unconfirmed");
    assert_eq!(get("c").outcome.code(), Some("ELB.8902"));
    assert_eq!(get("d").outcome.as_str(), "unconfirmed");
    assert_eq!(get("a").request_id.as_deref(), Some("hdr-rid"));
    assert_eq!(r.items().len(), 4);
    assert!(r.get(&"zzz".to_string()).is_none());
    assert_eq!(out.unexpected_ids(), vec!["zzz".to_string()]);
    assert_eq!(out.request_id(), Some("hdr-rid"));
    let t = r.totals();
    assert_eq!(
        (t.deleted, t.absent, t.refused, t.unconfirmed),
        (1, 1, 0, 2)
    );
}

#[tokio::test]
async fn error_bodies_of_every_shape_refuse_every_id_with_code_and_request_id() {
    let cases: [(u16, &str, &str, &str); 3] = [
        (
            400,
            r#"{"error_code":"ELB.1001","error_msg":"Invalid parameter","request_id":"b1"}"#,
            "ELB.1001",
            "Invalid parameter",
        ),
        (
            403,
            r#"{"errorCode":"ELB.0001","errorMsg":"Forbidden"}"#,
            "ELB.0001",
            "Forbidden",
        ),
        (
            409,
            r#"{"error":{"code":"ELB.8902","message":"certificate in use"}}"#,
            "ELB.8902",
            "certificate in use",
        ),
    ];
    for (status, body, code, message) in cases {
        let server = MockServer::start_async().await;
        let m = server
            .mock_async(|when, then| {
                when.method(POST).path(PATH);
                then.status(status)
                    .header("X-Request-Id", "rid-e")
                    .body(body);
            })
            .await;
        let out = client(&server, key(), RetryConfig::default())
            .batch_delete_certificates()
            .certificate_ids(["a", "b"])
            .send()
            .await
            .expect("a service failure is a per-id outcome");
        m.assert_calls_async(1).await; // permanent: not retried
        for item in out.report().items() {
            assert_eq!(item.outcome.as_str(), "refused", "{status}");
            assert_eq!(item.outcome.code(), Some(code), "{status}");
            assert!(item.outcome.message().expect("msg").contains(message));
            assert_eq!(item.request_id.as_deref(), Some("rid-e"));
        }
        let e = out.error().expect("error kept");
        assert_eq!(e.status(), Some(status));
        assert_eq!(e.kind(), ErrorKind::Service);
    }
}

#[tokio::test]
async fn unauthorized_is_a_credentials_error_kept_in_the_output() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path(PATH);
            then.status(401).header("X-Request-Id", "rid-401").body(
                r#"{"error_code":"APIG.1002","error_msg":"Incorrect token or token resolution failed"}"#,
            );
        })
        .await;
    let out = client(&server, key(), RetryConfig::default())
        .batch_delete_certificates()
        .certificate_id("a")
        .send()
        .await
        .expect("sent");
    assert_eq!(out.report().items()[0].outcome.code(), Some("APIG.1002"));
    let e = out.error().expect("error");
    assert_eq!(e.kind(), ErrorKind::Credentials);
    assert_eq!(e.request_id(), Some("rid-401"));
}

#[tokio::test]
async fn a_cut_short_success_is_unconfirmed_not_refused() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path(PATH);
            then.status(200)
                .body(r#"{"certificates":[{"id":"a","ret_status":"succ"#);
        })
        .await;
    let out = client(&server, key(), RetryConfig::disabled())
        .batch_delete_certificates()
        .certificate_id("a")
        .send()
        .await
        .expect("sent");
    assert_eq!(out.report().items()[0].outcome.as_str(), "unconfirmed");
    assert_eq!(out.error().expect("error").kind(), ErrorKind::Decode);
}

#[tokio::test]
async fn a_success_of_another_shape_stops_with_every_id_unconfirmed() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path(PATH);
            then.status(200).body(r#"{"certificates": "oops"}"#);
        })
        .await;
    let out = client(&server, key(), RetryConfig::disabled())
        .batch_delete_certificates()
        .certificate_ids(["a", "b"])
        .send()
        .await
        .expect("it was sent");
    let outcomes: Vec<&str> = out
        .report()
        .items()
        .iter()
        .map(|i| i.outcome.as_str())
        .collect();
    assert_eq!(outcomes, ["unconfirmed", "unconfirmed"]);
    assert_eq!(out.stopped().map(Error::kind), Some(ErrorKind::Config));
    // What a bulk run gets: the stopping error, what may have applied as its partial report.
    let mut e = out.into_result().expect_err("not this API's answer");
    assert_eq!(e.kind(), ErrorKind::Config);
    let partial = e.take_partial_report().expect("it may have applied");
    let outcomes: Vec<&str> = partial.items().iter().map(|i| i.outcome.as_str()).collect();
    assert_eq!(outcomes, ["unconfirmed", "unconfirmed"]);
}

#[tokio::test]
async fn a_foreign_404_stops_and_claims_nothing() {
    for body in [
        "no such route",
        "<html>404</html>",
        r#"{"detail":"not found"}"#,
        "",
    ] {
        let server = MockServer::start_async().await;
        let m = server
            .mock_async(|when, then| {
                when.method(POST).path(PATH);
                then.status(404).body(body);
            })
            .await;
        let out = client(&server, key(), RetryConfig::default())
            .batch_delete_certificates()
            .certificate_ids(["a", "b"])
            .send()
            .await
            .expect("it was sent");
        m.assert_calls_async(1).await;
        for item in out.report().items() {
            assert_eq!(
                item.outcome.as_str(),
                "unconfirmed",
                "{body:?}: claims nothing"
            );
        }
        let e = out.stopped().expect("a foreign 404 stops the call");
        assert_eq!(e.kind(), ErrorKind::Config, "{body:?}");
        assert!(e.partial_report().is_none(), "nothing was done");
        assert!(e.message().contains("HTTP 404"), "{e}");
    }
}

#[tokio::test]
async fn iam_token_is_sent_as_x_auth_token_without_signature() {
    let server = MockServer::start_async().await;
    let m = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(PATH)
                .header("x-auth-token", "MIIEXAMPLE-token")
                .header("x-project-id", PROJECT)
                .header_missing("authorization")
                .header_missing("x-sdk-date")
                .body(r#"{"certificates": ["a"]}"#);
            then.status(200)
                .body(r#"{"certificates":[{"id":"a","ret_status":"successful"}]}"#);
        })
        .await;
    let out = client(
        &server,
        Credentials::IamToken(Secret::new("MIIEXAMPLE-token")),
        RetryConfig::disabled(),
    )
    .batch_delete_certificates()
    .certificate_id("a")
    .send()
    .await
    .expect("sent");
    m.assert_async().await;
    assert_eq!(out.report().items()[0].outcome, Outcome::Deleted);
    assert_eq!(out.request_id(), None);
}
