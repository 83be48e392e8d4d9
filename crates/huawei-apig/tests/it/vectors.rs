//! The client reproduces the vendor SDK's requests and signatures for this operation
//! (cert-common's signing vectors, `cert_common::test_util::signing_vector`).

use cert_common::test_util::{
    ScriptedHttp, assert_wire_matches, huawei_vector_config, response, signing_vector,
};
use huawei_apig::Client;
use serde_json::Value;

fn s(v: &Value) -> &str {
    v.as_str().expect("string")
}

async fn reproduce(id: &str) {
    let v = signing_vector(id);
    let input = &v["input"];
    assert_eq!(s(&v["operation"]), "apig.DeleteCertificateV2");
    let http = ScriptedHttp::new(vec![Ok(response(204, &[], ""))]);
    let client = Client::new(huawei_vector_config(&v, http.clone())).expect("client");
    let out = client
        .delete_certificate()
        .certificate_id(s(&input["sdk_params"]["certificate_id"]))
        .send()
        .await
        .expect("sent");
    assert_eq!(
        out.report().items()[0].outcome,
        cert_common::Outcome::Deleted
    );
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
