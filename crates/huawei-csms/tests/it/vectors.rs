//! The client reproduces the vendor SDK's requests and signatures for this operation
//! (cert-common's signing vectors, `cert_common::test_util::signing_vector`).

use cert_common::test_util::{
    ScriptedHttp, assert_wire_matches, huawei_vector_config, response, signing_vector,
};
use huawei_csms::{Client, InstanceType};
use serde_json::Value;

fn s(v: &Value) -> &str {
    v.as_str().expect("string")
}

async fn reproduce(id: &str) {
    let v = signing_vector(id);
    let input = &v["input"];
    assert_eq!(s(&v["operation"]), "csms.BatchDeleteSecrets");
    let http = ScriptedHttp::new(vec![Ok(response(200, &[], r#"{"total": 0}"#))]);
    let client = Client::new(huawei_vector_config(&v, http.clone())).expect("client");
    let params = &input["sdk_params"];
    let mut call = client.batch_delete_secrets();
    match params["instance_id"].as_str() {
        Some(i) => call = call.instance_id(i),
        None => call = call.delete_without_instance_id_i_understand_this_is_irreversible(),
    }
    if let Some(t) = params["instance_type"].as_str() {
        let t = *InstanceType::ALL
            .iter()
            .find(|k| k.as_str() == t)
            .expect("known instance type");
        call = call.instance_type(t);
    }
    call.send().await.expect("sent");
    let seen = http.seen();
    assert_eq!(seen.len(), 1);
    let req = &seen[0];
    assert_eq!(req.method, s(&input["method"]), "{id}");
    assert_eq!(req.body, s(&input["body_text"]).as_bytes(), "{id}");
    assert_wire_matches(req, &v);
}

#[tokio::test]
async fn hw_csms_instance() {
    reproduce("hw-csms-instance").await;
}

#[tokio::test]
async fn hw_csms_empty_body() {
    reproduce("hw-csms-empty-body").await;
}
