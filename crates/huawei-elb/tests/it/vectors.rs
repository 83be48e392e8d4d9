//! The client reproduces the vendor SDK's requests and signatures for this operation
//! (cert-common's signing vectors, `cert_common::test_util::signing_vector`).

use cert_common::test_util::{
    ScriptedHttp, assert_wire_matches, huawei_vector_config, response, signing_vector,
};
use huawei_elb::Client;
use serde_json::Value;

fn s(v: &Value) -> &str {
    v.as_str().expect("string")
}

async fn reproduce(id: &str) {
    let v = signing_vector(id);
    let input = &v["input"];
    assert_eq!(s(&v["operation"]), "elb.BatchDeleteCertificates");
    let http = ScriptedHttp::new(vec![Ok(response(200, &[], r#"{"certificates": []}"#))]);
    let client = Client::new(huawei_vector_config(&v, http.clone())).expect("client");
    let ids: Vec<String> = input["sdk_params"]["certificates"]
        .as_array()
        .expect("ids")
        .iter()
        .map(|i| s(i).to_string())
        .collect();
    client
        .batch_delete_certificates()
        .certificate_ids(ids)
        .send()
        .await
        .expect("sent");
    let seen = http.seen();
    assert_eq!(seen.len(), 1);
    let req = &seen[0];
    assert_eq!(req.method, s(&input["method"]), "{id}");
    assert_eq!(req.body, s(&input["body_text"]).as_bytes(), "{id}");
    assert_wire_matches(req, &v);
}

#[tokio::test]
async fn hw_elb_basic() {
    reproduce("hw-elb-basic").await;
}

#[tokio::test]
async fn hw_elb_sts_token() {
    reproduce("hw-elb-sts-token").await;
}
