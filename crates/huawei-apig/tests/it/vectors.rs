//! The client reproduces the vendor SDK's requests and signatures for this operation
//! (cert-common's signing vectors, `cert_common::test_util::signing_vector`).

use cert_common::test_util::{
    ScriptedHttp, assert_wire_matches, manual_options, response, signing_vector,
};
use cert_common::time::{ManualClock, UtcDateTime};
use cert_common::{AccessKey, Credentials, RetryConfig};
use huawei_apig::{Client, Config};
use serde_json::Value;

fn s(v: &Value) -> &str {
    v.as_str().expect("string")
}

async fn reproduce(id: &str) {
    let v = signing_vector(id);
    let input = &v["input"];
    assert_eq!(s(&v["operation"]), "apig.DeleteCertificateV2");
    let ts = UtcDateTime::parse_compact(s(&input["timestamp"])).expect("timestamp");
    let clock = ManualClock::at_unix(ts.to_unix() as u64);
    let c = &input["credentials"];
    let credentials: Credentials = match c["security_token"].as_str() {
        Some(t) => AccessKey::temporary(s(&c["ak"]), s(&c["sk"]), t).into(),
        None => AccessKey::new(s(&c["ak"]), s(&c["sk"])).into(),
    };
    let http = ScriptedHttp::new(vec![Ok(response(204, &[], ""))]);
    let client = Client::new(
        Config::builder()
            .region(s(&input["region"]))
            .project_id(s(&c["project_id"]))
            .credentials(credentials)
            .options(
                manual_options(&clock)
                    .http(http.clone())
                    .retry(RetryConfig::disabled())
                    .user_agent("huaweicloud-usdk-python/3.0; vector-gen/1.0")
                    .client_request_id_header(false),
            )
            .env_lookup(|_| None)
            .build(),
    )
    .expect("client");
    let out = client
        .delete_certificate()
        .certificate_id(s(&input["sdk_params"]["certificate_id"]))
        .send()
        .await
        .expect("sent");
    assert_eq!(out.outcome, cert_common::Outcome::Deleted);
    let seen = http.seen();
    assert_eq!(seen.len(), 1);
    let req = &seen[0];
    assert_eq!(req.method, s(&input["method"]), "{id}");
    assert!(input["body_text"].is_null());
    assert!(req.body.is_empty(), "{id}: no body");
    assert_eq!(req.path, s(&input["path"]), "{id}");
    assert_wire_matches(req, &v);
}

#[tokio::test]
async fn hw_apig_basic() {
    reproduce("hw-apig-basic").await;
}

#[tokio::test]
async fn hw_apig_special_path() {
    reproduce("hw-apig-special-path").await;
}
