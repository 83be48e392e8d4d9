//! The client reproduces the vendor SDK's requests and signatures
//! (cert-common's signing vectors, `cert_common::test_util::signing_vector`), with clock and
//! nonce pinned.

use aliyun_cas::{Client, Config, ErrorKind};
use cert_common::credentials::AccessKey;
use cert_common::test_util::{
    QueuedRandom, ScriptedHttp, assert_wire_matches, hex_bytes, json_response, signing_vector,
};
use cert_common::time::{ManualClock, UtcDateTime};
use serde_json::Value;

use crate::common::pinned_options;

fn s(x: &Value) -> String {
    x.as_str().expect("string").to_string()
}

/// A client set up as the vector's SDK was; returns it with its recorder.
fn client_for(v: &Value) -> (Client, std::sync::Arc<ScriptedHttp>) {
    let input = &v["input"];
    let creds = &input["credentials"];
    let key = match creds["security_token"].as_str() {
        Some(t) => AccessKey::temporary(
            s(&creds["access_key_id"]),
            s(&creds["access_key_secret"]),
            t,
        ),
        None => AccessKey::new(s(&creds["access_key_id"]), s(&creds["access_key_secret"])),
    };
    let at = UtcDateTime::parse_iso8601(&s(&input["timestamp"])).expect("timestamp");
    let clock = ManualClock::at_unix(at.to_unix() as u64);
    // First draw: the call's client request id (unused here); second: the attempt's nonce.
    let random = QueuedRandom::new(vec![vec![0; 16], hex_bytes(&s(&input["nonce"]))]);
    let recorder = ScriptedHttp::repeating_last(vec![json_response(200, r#"{"RequestId":"R"}"#)]);
    let options = pinned_options(&clock, random)
        .user_agent(s(&input["user_agent"]))
        .http(recorder.clone());
    let mut config = Config::builder()
        .credentials(key)
        .options(options)
        .auto_client_token(false);
    config = match input["endpoint_config"].as_str() {
        Some(e) => config.endpoint(e),
        None => config.region(s(&input["region"])),
    };
    (Client::new(config.build()).expect("client"), recorder)
}

async fn check(id: &str) {
    let v = signing_vector(id);
    let input = &v["input"];
    let (client, recorder) = client_for(&v);
    let cert_id: i64 = s(&input["query"]["CertId"]).parse().expect("id");
    let out = client
        .delete_user_certificate()
        .cert_id(cert_id)
        .send()
        .await
        .expect("send");
    assert_eq!(out.request_id(), Some("R"));
    assert_eq!(out.idempotency_token(), None);
    let seen = recorder.seen();
    assert_eq!(seen.len(), 1);
    let req = &seen[0];
    assert_eq!(req.method, "POST");
    assert!(req.body.is_empty(), "{id}: no body");
    // Header order is checked in cert-common's signer tests (JSON objects keep none).
    assert_wire_matches(req, &v);
}

#[tokio::test]
async fn al_v3_basic() {
    check("al-v3-basic").await;
}

#[tokio::test]
async fn al_v3_sts() {
    check("al-v3-sts").await;
}

#[tokio::test]
async fn al_v3_intl_region_endpoint() {
    check("al-v3-intl").await;
}

#[tokio::test]
async fn al_v3_large_id_explicit_endpoint() {
    check("al-v3-large-id-endpoint").await;
}

/// The vector's token holds a non-ASCII character, which the documented limit (at most 64
/// ASCII characters) refuses before sending; cert-common's provider tests reproduce the vector's
/// signature itself. Here: the refusal, and the same encoding rules for an ASCII token.
#[tokio::test]
async fn al_v3_clienttoken_encoding() {
    let v = signing_vector("al-v3-clienttoken-encoding");
    let (client, recorder) = client_for(&v);
    let token = s(&v["input"]["query"]["ClientToken"]);
    let e = client
        .delete_user_certificate()
        .cert_id(1)
        .client_token(token.clone())
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(e.to_string().contains("ClientToken"), "{e}");
    assert!(recorder.seen().is_empty(), "nothing sent");

    let ascii = token.replace('\u{fc}', "u");
    let out = client
        .delete_user_certificate()
        .cert_id(1)
        .client_token(ascii.clone())
        .send()
        .await
        .expect("send");
    assert_eq!(out.idempotency_token(), Some(ascii.as_str()));
    let req = &recorder.seen()[0];
    assert_eq!(
        req.url(),
        "https://cas.aliyuncs.com/?CertId=1&ClientToken=tok+en%2F%2B%2A~%3D%26u"
    );
}
