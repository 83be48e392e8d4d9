//! The exact wire request and the parsing of the documented answers, against a loopback mock
//! server through the reqwest transport.

use std::sync::Arc;

use cert_common::http::HttpRequest;
use cert_common::random::FixedRandom;
use cert_common::sign::huawei::sign;
use cert_common::time::ManualClock;
use cert_common::{AccessKey, ClientOptions, ErrorKind, RetryConfig};
use httpmock::prelude::*;
use huawei_csms::{Client, Config, FailedSecret, InstanceType};

use crate::support::{AK, PROJECT, SK, T0};

const PATH: &str = "/v1/0123456789abcdef0123456789abcdef/secrets/batch-delete";
const CRID: &str = "abababab-abab-4bab-abab-abababababab";

fn client(server: &MockServer, retry: RetryConfig) -> Client {
    let clock = ManualClock::at_unix(T0);
    Client::new(
        Config::builder()
            .endpoint(format!("http://{}", server.address()))
            .project_id(PROJECT)
            .credentials(AccessKey::temporary(AK, SK, "sts-token"))
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
        "cloud-cert-sdk-rust/huawei-csms/{}",
        env!("CARGO_PKG_VERSION")
    )
}

#[tokio::test]
async fn exact_request_and_the_seed_example_answer() {
    let server = MockServer::start_async().await;
    let body = r#"{"instance_id": "rds-1", "instance_type": "TaurusDB"}"#;
    let mut r = HttpRequest::new("POST", "http", &server.address().to_string(), PATH);
    r.set_header("Content-Type", "application/json;charset=utf-8");
    r.set_header("User-Agent", user_agent());
    r.set_header("X-Client-Request-Id", CRID);
    r.set_header("X-Project-Id", PROJECT);
    r.set_header("X-Security-Token", "sts-token");
    r.set_header("X-Sdk-Date", "20240102T030405Z");
    r.set_header("Host", server.address().to_string());
    r.body = body.as_bytes().to_vec().into();
    let signed = sign(&r, AK, SK, "20240102T030405Z");
    assert!(signed.signed_headers.contains("x-security-token"));
    let m = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(PATH)
                .query_param_count(".*", ".*", 0)
                .header("content-type", "application/json;charset=utf-8")
                .header("user-agent", user_agent())
                .header("x-client-request-id", CRID)
                .header("x-project-id", PROJECT)
                .header("x-security-token", "sts-token")
                .header("x-sdk-date", "20240102T030405Z")
                .header("authorization", signed.authorization.clone())
                .body(body);
            then.status(200).header("X-Request-Id", "rid-ok").body(
                r#"{
  "total" : 3,
  "success_secrets" : [ "secretName1", "secretName2" ],
  "failed_secrets" : [ {
    "secret_name" : "secretName3",
    "error_msg" : "CSMS.0107: Secret is already in the **Pending deletion** state."
  } ]
}"#,
            );
        })
        .await;
    let out = client(&server, RetryConfig::disabled())
        .batch_delete_secrets()
        .instance_id("rds-1")
        .instance_type(InstanceType::TaurusDb)
        .send()
        .await
        .expect("sent");
    m.assert_async().await;
    assert_eq!(out.total, Some(3));
    assert_eq!(out.deleted, vec!["secretName1", "secretName2"]);
    assert_eq!(out.failed.len(), 1);
    let FailedSecret {
        name,
        code,
        message,
        ..
    } = &out.failed[0];
    assert_eq!(name, "secretName3");
    assert_eq!(code.as_deref(), Some("CSMS.0107"));
    assert_eq!(
        message,
        "CSMS.0107: Secret is already in the **Pending deletion** state."
    );
    assert_eq!(out.request_id(), Some("rid-ok"));
    assert_eq!(out.attempts(), 1);
}

#[tokio::test]
async fn an_answer_without_optional_fields_decodes() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path(PATH).body(r#"{"instance_id": "x"}"#);
            then.status(200).body(r#"{"total": 0}"#);
        })
        .await;
    let out = client(&server, RetryConfig::disabled())
        .batch_delete_secrets()
        .instance_id("x")
        .send()
        .await
        .expect("sent");
    assert_eq!(out.total, Some(0));
    assert!(out.deleted.is_empty() && out.failed.is_empty());
}

#[tokio::test]
async fn documented_error_statuses_keep_code_message_and_request_id() {
    let cases: [(u16, &str, ErrorKind, &str); 5] = [
        (
            400,
            r#"{"error_code":"CSMS.0205","error_msg":"Invalid instance_type"}"#,
            ErrorKind::Service,
            "CSMS.0205",
        ),
        (
            401,
            r#"{"error_code":"APIG.1002","error_msg":"Incorrect token"}"#,
            ErrorKind::Credentials,
            "APIG.1002",
        ),
        (
            403,
            r#"{"error_code":"CSMS.0403","error_msg":"Forbidden"}"#,
            ErrorKind::Service,
            "CSMS.0403",
        ),
        (
            404,
            r#"{"error":{"code":"CSMS.0404","message":"instance not found"}}"#,
            ErrorKind::Service,
            "CSMS.0404",
        ),
        (504, "Gateway Time-out", ErrorKind::RetriesExhausted, "504"),
    ];
    for (status, body, kind, code) in cases {
        let server = MockServer::start_async().await;
        let m = server
            .mock_async(|when, then| {
                when.method(POST).path(PATH);
                then.status(status)
                    .header("X-Request-Id", "rid-e")
                    .body(body);
            })
            .await;
        let out = client(&server, RetryConfig::disabled())
            .batch_delete_secrets()
            .instance_id("i")
            .send()
            .await
            .expect("it was sent: the failure is in the output");
        m.assert_calls_async(1).await;
        assert!(out.deleted.is_empty() && out.failed.is_empty() && out.total.is_none());
        assert!(out.report().items().is_empty(), "no answer named a secret");
        assert_eq!(out.request_id(), Some("rid-e"));
        assert_eq!(out.request_ids(), ["rid-e"]);
        let e = out.into_error().expect("the request's error");
        assert_eq!(e.kind(), kind, "{status}");
        assert_eq!(e.code(), Some(code), "{status}");
        assert_eq!(e.status(), Some(status));
        assert_eq!(e.request_id(), Some("rid-e"));
    }
}

#[tokio::test]
async fn a_secret_listed_both_deleted_and_failed_is_unconfirmed_and_each_name_is_reported_once() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path(PATH);
            then.status(200).header("X-Request-Id", "rid-c").body(
                r#"{"total":4,"success_secrets":["a","both","a"],
                   "failed_secrets":[{"secret_name":"both","error_msg":"CSMS.0107: pending"},
                                     {"secret_name":"f","error_msg":"locked"},
                                     {"secret_name":"f","error_msg":"locked again"}]}"#,
            );
        })
        .await;
    let out = client(&server, RetryConfig::disabled())
        .batch_delete_secrets()
        .instance_id("i")
        .send()
        .await
        .expect("sent");
    let got: Vec<(&str, &str)> = out
        .report()
        .items()
        .iter()
        .map(|i| (i.id.as_str(), i.outcome.as_str()))
        .collect();
    assert_eq!(
        got,
        [("a", "deleted"), ("both", "unconfirmed"), ("f", "refused")],
        "the contradiction is never deleted nor refused"
    );
    assert_eq!(out.report().items()[2].outcome.message(), Some("locked"));
    assert!(
        out.report()
            .items()
            .iter()
            .all(|i| i.request_id.as_deref() == Some("rid-c"))
    );
    assert!(out.error().is_none() && out.stopped().is_none());
    assert_eq!(out.into_report().items().len(), 3);
}

#[tokio::test]
async fn a_failed_secret_is_what_the_error_table_says_of_its_code() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path(PATH);
            then.status(200).header("X-Request-Id", "rid-t").body(
                r#"{"total":6,"success_secrets":[],
                   "failed_secrets":[{"secret_name":"kms","error_msg":"KMS.0101: KMS is busy"},
                                     {"secret_name":"slow","error_msg":"APIG.0308: throttled"},
                                     {"secret_name":"pending","error_msg":"CSMS.0107: pending"},
                                     {"secret_name":"odd","error_msg":"CSMS.9999: undocumented"},
                                     {"secret_name":"bare","error_msg":"no code here"},
                                     {"secret_name":"twice","error_msg":"KMS.0102: busy"},
                                     {"secret_name":"twice","error_msg":"CSMS.0107: pending"}]}"#,
            );
        })
        .await;
    let out = client(&server, RetryConfig::disabled())
        .batch_delete_secrets()
        .instance_id("i")
        .send()
        .await
        .expect("sent");
    let got: Vec<(&str, &str, Option<&str>)> = out
        .report()
        .items()
        .iter()
        .map(|i| (i.id.as_str(), i.outcome.as_str(), i.outcome.code()))
        .collect();
    assert_eq!(
        got,
        [
            ("kms", "unconfirmed", Some("KMS.0101")),
            ("slow", "unconfirmed", Some("APIG.0308")),
            ("pending", "refused", Some("CSMS.0107")),
            ("odd", "refused", Some("CSMS.9999")),
            ("bare", "refused", None),
            ("twice", "unconfirmed", None),
        ],
        "a server error or throttling is never a final refusal"
    );
    assert_eq!(out.failed.len(), 7, "the answer's lists are kept as sent");
}
