//! The client reproduces the vendor SDK's requests and signatures
//! (`crates/cert-common/tests/data/signing-vectors.json`), with clock and nonce pinned.

use aliyun_cas::{Client, Config, ErrorKind};
use cert_common::credentials::AccessKey;
use cert_common::time::{ManualClock, UtcDateTime};
use serde_json::Value;

use crate::common::{Recorder, VectorRandom, hex_bytes, json_response, pinned_options};

fn vector(id: &str) -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../cert-common/tests/data/signing-vectors.json"
    );
    let all: Value = serde_json::from_str(&std::fs::read_to_string(path).expect("vectors file"))
        .expect("vectors json");
    all["vectors"]
        .as_array()
        .expect("vectors")
        .iter()
        .find(|v| v["id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("no vector {id}"))
}

fn s(x: &Value) -> String {
    x.as_str().expect("string").to_string()
}

/// A client set up as the vector's SDK was; returns it with its recorder.
fn client_for(v: &Value) -> (Client, std::sync::Arc<Recorder>) {
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
    let random = VectorRandom::new(vec![vec![0; 16], hex_bytes(&s(&input["nonce"]))]);
    let recorder = Recorder::new(vec![json_response(200, r#"{"RequestId":"R"}"#)]);
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
    (
        Client::new(config.build().expect("config")).expect("client"),
        recorder,
    )
}

async fn check(id: &str) {
    let v = vector(id);
    let input = &v["input"];
    let output = &v["output"];
    let (client, recorder) = client_for(&v);
    let cert_id: i64 = s(&input["query"]["CertId"]).parse().expect("id");
    let out = client
        .delete_user_certificate()
        .cert_id(cert_id)
        .send()
        .await
        .expect("send");
    assert_eq!(out.request_id, "R");
    assert_eq!(out.client_token, None);
    let seen = recorder.seen();
    assert_eq!(seen.len(), 1);
    let req = &seen[0];
    assert_eq!(req.url(), s(&output["url"]), "{id}");
    assert_eq!(req.method, "POST");
    assert!(req.body.is_empty(), "{id}: no body");
    // serde_json keeps object keys sorted, so compare sorted; the SDK's header order is
    // checked in cert-common's signer tests.
    let mut want: Vec<(String, String)> = output["headers"]
        .as_object()
        .expect("headers")
        .iter()
        .map(|(k, v)| (k.clone(), s(v)))
        .collect();
    want.sort();
    let mut got = req.headers.clone();
    got.sort();
    assert_eq!(got, want, "{id}: headers and values");
    assert_eq!(
        req.header("Authorization"),
        Some(s(&output["authorization"]).as_str())
    );
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
    let v = vector("al-v3-clienttoken-encoding");
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
    assert_eq!(out.client_token.as_deref(), Some(ascii.as_str()));
    let req = &recorder.seen()[0];
    assert_eq!(
        req.url(),
        "https://cas.aliyuncs.com/?CertId=1&ClientToken=tok+en%2F%2B%2A~%3D%26u"
    );
}
