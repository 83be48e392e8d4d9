//! Huawei ELB, APIG and CSMS over HTTP.

use std::time::Duration;

use cert_common::credentials::{AccessKey, Credentials, Secret};
use cert_common::time::UtcDateTime;
use cert_emulator::{Api, ApigCertificate, Decision, credentials as c};

use crate::common::*;

const ELB: &str = "/v3/0123456789abcdef0123456789abcdef/elb/certificates/batch-delete";
const CSMS: &str = "/v1/0123456789abcdef0123456789abcdef/secrets/batch-delete";

fn apig(id: &str) -> String {
    format!("/v2/{PROJECT}/apigw/certificates/{id}")
}

#[tokio::test]
async fn elb_deletes_and_reports_not_found_the_second_time() {
    let env = start().await;
    let body = r#"{"certificates": ["e1b00000000000000000000000000001", "e1b00000000000000000000000000002", "nope"]}"#;
    let r = env.send(&env.huawei("POST", ELB, body)).await;
    assert_eq!(r.status, 200);
    let v = json(&r);
    let statuses: Vec<&str> = v["certificates"]
        .as_array()
        .expect("list")
        .iter()
        .map(|x| x["ret_status"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(statuses, ["successful", "successful", "not found"]);
    assert!(v["request_id"].is_string());
    let left = env.emu.elb_certificates(PROJECT);
    assert_eq!(left.len(), 3);
    assert!(!left.contains(&"e1b00000000000000000000000000001".to_string()));

    let r = env.send(&env.huawei("POST", ELB, body)).await;
    let v = json(&r);
    assert!(
        v["certificates"]
            .as_array()
            .expect("list")
            .iter()
            .all(|x| x["ret_status"] == "not found"),
        "{v}"
    );

    let log = env.emu.requests();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].api, Some(Api::Elb));
    assert_eq!(log[0].action, "BatchDeleteCertificates");
    assert_eq!(log[0].decision, Decision::Accepted);
    assert_eq!(log[0].principal.as_deref(), Some(c::HUAWEI_AK));
    assert_eq!(log[0].status, Some(200));
}

#[tokio::test]
async fn huawei_authentication() {
    let env = start().await;
    let body = r#"{"certificates": ["x"]}"#;
    // IAM token, good and bad.
    let r = env
        .send(&env.huawei_with("POST", ELB, body, &huawei_token(), env.now()))
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        env.emu.requests()[0].principal.as_deref(),
        Some("iam-token")
    );
    let bad = Credentials::IamToken(Secret::new("wrong"));
    let r = env
        .send(&env.huawei_with("POST", ELB, body, &bad, env.now()))
        .await;
    assert_eq!(huawei_error(&r), (401, "APIG.1002".into()));
    // Signed one body, sent another.
    let mut req = env.huawei("POST", ELB, body);
    req.body = br#"{"certificates": ["y"]}"#.to_vec().into();
    let r = env.send(&req).await;
    assert_eq!(huawei_error(&r), (401, "APIG.0301".into()));
    // Signed one path, sent another.
    let mut req = env.huawei("POST", ELB, body);
    req.path = ELB.replace(
        "0123456789abcdef0123456789abcdef",
        "0123456789abcdef0123456789abcdee",
    );
    assert_eq!(
        huawei_error(&env.send(&req).await),
        (401, "APIG.0301".into())
    );
    // Clock 16 minutes off; 14 minutes is fine.
    let late = UtcDateTime::from_unix(env.unix() - 16 * 60);
    let r = env
        .send(&env.huawei_with("POST", ELB, body, &huawei_key(), late))
        .await;
    let (status, code) = huawei_error(&r);
    assert_eq!((status, code.as_str()), (401, "APIG.0301"));
    assert!(
        json(&r)["error_msg"]
            .as_str()
            .unwrap_or("")
            .contains("15 minutes")
    );
    let ok = UtcDateTime::from_unix(env.unix() + 14 * 60);
    assert_eq!(
        env.send(&env.huawei_with("POST", ELB, body, &huawei_key(), ok))
            .await
            .status,
        200
    );
    // No credentials at all.
    let mut req = env.huawei("POST", ELB, body);
    req.remove_header("Authorization");
    assert_eq!(
        huawei_error(&env.send(&req).await),
        (401, "APIG.0301".into())
    );
    // Unknown key; temporary key with and without its token.
    let unknown = Credentials::AccessKey(AccessKey::new("NOPE", c::HUAWEI_SK));
    let r = env
        .send(&env.huawei_with("POST", ELB, body, &unknown, env.now()))
        .await;
    assert_eq!(huawei_error(&r), (401, "APIG.0301".into()));
    let temp = Credentials::AccessKey(AccessKey::temporary(
        c::HUAWEI_TEMP_AK,
        c::HUAWEI_TEMP_SK,
        c::HUAWEI_SECURITY_TOKEN,
    ));
    assert_eq!(
        env.send(&env.huawei_with("POST", ELB, body, &temp, env.now()))
            .await
            .status,
        200
    );
    let wrong = Credentials::AccessKey(AccessKey::temporary(
        c::HUAWEI_TEMP_AK,
        c::HUAWEI_TEMP_SK,
        "other-token",
    ));
    let r = env
        .send(&env.huawei_with("POST", ELB, body, &wrong, env.now()))
        .await;
    assert_eq!(huawei_error(&r), (401, "APIG.0301".into()));
    let no_token = Credentials::AccessKey(AccessKey::new(c::HUAWEI_TEMP_AK, c::HUAWEI_TEMP_SK));
    let r = env
        .send(&env.huawei_with("POST", ELB, body, &no_token, env.now()))
        .await;
    assert_eq!(huawei_error(&r), (401, "APIG.0301".into()));
    let rejected = env
        .emu
        .requests()
        .iter()
        .filter(|l| matches!(&l.decision, Decision::Rejected { code } if code.starts_with("APIG.")))
        .count();
    assert_eq!(rejected, 8);
}

#[tokio::test]
async fn elb_validation() {
    let env = start().await;
    let long = "0".repeat(33);
    let cases = [
        (
            format!("/v3/{long}/elb/certificates/batch-delete"),
            r#"{"certificates": ["a"]}"#,
        ),
        (
            "/v3/ABC/elb/certificates/batch-delete".to_string(),
            r#"{"certificates": ["a"]}"#,
        ),
        (ELB.to_string(), "not json"),
        (ELB.to_string(), "[]"),
        (ELB.to_string(), "{}"),
        (ELB.to_string(), r#"{"certificates": []}"#),
        (ELB.to_string(), r#"{"certificates": [1]}"#),
        (ELB.to_string(), r#"{"certificates": "a"}"#),
        (ELB.to_string(), r#"{"certificates": ["a"], "other": 1}"#),
    ];
    for (path, body) in cases {
        let r = env.send(&env.huawei("POST", &path, body)).await;
        assert_eq!(huawei_error(&r), (400, "ELB.8902".into()), "{path} {body}");
    }
    assert_eq!(env.emu.elb_certificates(PROJECT).len(), 5);
}

#[tokio::test]
async fn apig_deletes_refuses_bound_and_reports_not_found() {
    let env = start().await;
    let id = "a9900000000000000000000000000001";
    let r = env.send(&env.huawei("DELETE", &apig(id), "")).await;
    assert_eq!(r.status, 204);
    assert!(r.body.is_empty());
    assert!(r.header("x-request-id").is_some());
    assert!(
        !env.emu
            .apig_certificates(PROJECT)
            .iter()
            .any(|c| c.id == id)
    );
    let r = env.send(&env.huawei("DELETE", &apig(id), "")).await;
    assert_eq!(huawei_error(&r), (404, "APIG.3021".into()));

    let bound = "a99000000000000000000000000000b1";
    let r = env.send(&env.huawei("DELETE", &apig(bound), "")).await;
    assert_eq!(huawei_error(&r), (400, "APIG.3474".into()));
    assert!(
        json(&r)["error_msg"]
            .as_str()
            .unwrap_or("")
            .contains("api.example.com")
    );
    assert!(
        env.emu
            .apig_certificates(PROJECT)
            .iter()
            .any(|c| c.id == bound)
    );

    let r = env
        .send(&env.huawei("DELETE", "/v2/Bad-Project/apigw/certificates/x", ""))
        .await;
    assert_eq!(huawei_error(&r), (400, "APIG.2012".into()));
    // An id with an encoded slash, space and unicode is one id.
    env.emu
        .seed_apig_certificate(PROJECT, ApigCertificate::unbound("cert id/ü~x"));
    let r = env
        .send(&env.huawei("DELETE", &apig("cert%20id%2F%C3%BC~x"), ""))
        .await;
    assert_eq!(r.status, 204);
}

#[tokio::test]
async fn csms_deletes_by_instance() {
    let env = start().await;
    let r = env
        .send(&env.huawei(
            "POST",
            CSMS,
            r#"{"instance_id": "rds-instance-0001", "instance_type": "RDS"}"#,
        ))
        .await;
    assert_eq!(r.status, 200);
    let v = json(&r);
    assert_eq!(v["total"], 3);
    assert_eq!(
        v["success_secrets"],
        serde_json::json!(["rds-secret-1", "rds-secret-2"])
    );
    assert_eq!(v["failed_secrets"][0]["secret_name"], "rds-secret-pending");
    assert!(
        v["failed_secrets"][0]["error_msg"]
            .as_str()
            .unwrap_or("")
            .starts_with("CSMS.0107")
    );
    let names: Vec<String> = env
        .emu
        .csms_secrets(PROJECT)
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(names, ["rds-secret-pending", "apig-secret-1"]);
    // A type that does not match deletes nothing.
    let r = env
        .send(&env.huawei(
            "POST",
            CSMS,
            r#"{"instance_id": "apig-instance-0001", "instance_type": "RDS"}"#,
        ))
        .await;
    assert_eq!(json(&r)["total"], 0);
    for body in [
        r#"{"instance_id": "x", "instance_type": "MySQL"}"#,
        r#"{"instance_type": "RDS"}"#,
        "{}",
        "",
        r#"{"instance_id": 5}"#,
        "[1]",
    ] {
        let r = env.send(&env.huawei("POST", CSMS, body)).await;
        assert_eq!(huawei_error(&r), (400, "CSMS.0005".into()), "{body}");
    }
    assert_eq!(env.emu.csms_secrets(PROJECT).len(), 2);
}

#[tokio::test]
async fn unknown_routes_get_a_gateway_404() {
    let env = start().await;
    for (method, path) in [
        ("GET", ELB),
        ("POST", "/v3/x/elb/listeners"),
        ("GET", "/"),
        ("PUT", "/v2/p/apigw/certificates/x"),
    ] {
        let r = env.send(&env.huawei(method, path, "")).await;
        assert_eq!(
            huawei_error(&r),
            (404, "APIG.0101".into()),
            "{method} {path}"
        );
    }
    assert!(env.emu.requests().iter().all(|l| l.api.is_none()));
}

#[tokio::test]
async fn huawei_rate_limit_is_optional() {
    let env = start().await;
    let body = r#"{"certificates": ["x"]}"#;
    for _ in 0..20 {
        assert_eq!(env.send(&env.huawei("POST", ELB, body)).await.status, 200);
    }
    env.emu.set_rate_limit(Api::Elb, Some(2));
    assert_eq!(env.send(&env.huawei("POST", ELB, body)).await.status, 200);
    assert_eq!(env.send(&env.huawei("POST", ELB, body)).await.status, 200);
    let r = env.send(&env.huawei("POST", ELB, body)).await;
    assert_eq!(huawei_error(&r), (429, "APIG.0308".into()));
    env.clock.advance(Duration::from_millis(500));
    assert_eq!(env.send(&env.huawei("POST", ELB, body)).await.status, 200);
    // APIG is limited separately.
    assert_eq!(
        env.send(&env.huawei("DELETE", &apig("zz"), ""))
            .await
            .status,
        404
    );
}
