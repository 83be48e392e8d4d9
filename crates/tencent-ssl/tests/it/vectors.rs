//! The client reproduces the vendor SDK's requests and signatures
//! (cert-common's signing vectors, `cert_common::test_util::signing_vector`), with clock and
//! trace id pinned.

use cert_common::credentials::AccessKey;
use cert_common::test_util::{
    QueuedRandom, ScriptedHttp, assert_wire_matches, hex_bytes, json_response, signing_vector,
};
use cert_common::time::ManualClock;
use serde_json::Value;
use tencent_ssl::{Client, Config, Language};

use crate::common::{pinned_options, success_body};

async fn check(id: &str) {
    let v = signing_vector(id);
    let input = &v["input"];
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
    let random = QueuedRandom::new(vec![hex_bytes(&s(&input["trace_id"]))]);
    let recorder =
        ScriptedHttp::repeating_last(vec![json_response(200, &success_body(&ids, "rid"))]);
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
    let client = Client::new(config.build()).expect("client");

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
    assert_eq!(req.method, s(&input["method"]), "{id}");
    assert_eq!(
        String::from_utf8(req.body.to_vec()).expect("utf8"),
        s(&input["body_text"]),
        "{id}: body bytes"
    );
    // Header order is checked in cert-common's signer tests (JSON objects keep none).
    assert_wire_matches(req, &v);
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
