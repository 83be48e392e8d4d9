//! The client reproduces the vendor SDK's requests and signatures
//! (`crates/cert-common/tests/data/signing-vectors.json`), with clock and trace id pinned.

use cert_common::credentials::AccessKey;
use cert_common::time::ManualClock;
use serde_json::Value;
use tencent_ssl::{Client, Config, Language};

use crate::common::{
    Recorder, VectorRandom, hex_bytes, json_response, pinned_options, success_body,
};

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

async fn check(id: &str) {
    let v = vector(id);
    let input = &v["input"];
    let output = &v["output"];
    let s = |x: &Value| x.as_str().expect("string").to_string();
    let creds = &input["credentials"];
    let key = match creds["token"].as_str() {
        Some(t) => AccessKey::temporary(s(&creds["secret_id"]), s(&creds["secret_key"]), t),
        None => AccessKey::new(s(&creds["secret_id"]), s(&creds["secret_key"])),
    };
    let ids: Vec<u64> = input["sdk_params"]["CSRIds"]
        .as_array()
        .expect("ids")
        .iter()
        .map(|i| i.as_u64().expect("u64"))
        .collect();
    let clock = ManualClock::at_unix(input["timestamp"].as_u64().expect("timestamp"));
    let random = VectorRandom::new(vec![hex_bytes(&s(&input["trace_id"]))]);
    let recorder = Recorder::new(vec![json_response(200, &success_body(&ids, "rid"))]);
    let mut options = pinned_options(&clock, random).http(recorder.clone());
    options = options.user_agent(s(&input["request_client"]));
    let host = s(&input["host"]);
    let mut config = Config::builder()
        .credentials(key)
        .language(s(&input["language"]).parse::<Language>().expect("language"))
        .options(options);
    if host == "ssl.intl.tencentcloudapi.com" {
        config = config.international(true);
    } else {
        assert_eq!(host, "ssl.tencentcloudapi.com");
    }
    config = config.region(s(&input["region"]));
    let client = Client::new(config.build().expect("config")).expect("client");

    let out = client
        .batch_delete_csr()
        .csr_ids(ids.clone())
        .send()
        .await
        .expect("send");
    assert!(out.report().all_gone(), "{id}");

    let seen = recorder.seen();
    assert_eq!(seen.len(), 1, "{id}: one request");
    let req = &seen[0];
    assert_eq!(req.url(), s(&output["url"]), "{id}");
    assert_eq!(req.method, s(&input["method"]), "{id}");
    assert_eq!(
        String::from_utf8(req.body.clone()).expect("utf8"),
        s(&input["body_text"]),
        "{id}: body bytes"
    );
    // serde_json keeps object keys sorted, so compare sorted; the SDK's header order is
    // checked in cert-common's provider tests.
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
async fn tc_basic() {
    check("tc-basic").await;
}

#[tokio::test]
async fn tc_sts_token_region() {
    check("tc-sts-token-region").await;
}

#[tokio::test]
async fn tc_intl_en() {
    check("tc-intl-en").await;
}

#[tokio::test]
async fn tc_max_100() {
    check("tc-max-100").await;
}
