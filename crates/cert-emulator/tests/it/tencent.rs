//! Tencent BatchDeleteCSR over HTTP.

use std::time::Duration;

use cert_common::credentials::AccessKey;
use cert_common::http::HttpRequest;
use cert_emulator::{Api, Decision, credentials as c};

use crate::common::*;

#[tokio::test]
async fn deletes_and_omits_absent_ids() {
    let env = start().await;
    let r = env.send(&env.tencent(r#"{"CSRIds": [11, 22, 999]}"#)).await;
    assert_eq!(tencent_code(&r), "");
    assert_eq!(json(&r)["Response"]["Success"], serde_json::json!([11, 22]));
    assert_eq!(env.emu.tencent_csrs(), vec![33, 44, 55]);
    let r = env.send(&env.tencent(r#"{"CSRIds": [11, 33]}"#)).await;
    assert_eq!(json(&r)["Response"]["Success"], serde_json::json!([33]));
    let log = env.emu.requests();
    assert_eq!(log[0].action, "BatchDeleteCSR");
    assert_eq!(log[0].principal.as_deref(), Some(c::TENCENT_SECRET_ID));
    assert_eq!(log[1].decision, Decision::Accepted);
}

#[tokio::test]
async fn validation_answers() {
    let env = start().await;
    let many = format!(
        "{{\"CSRIds\": [{}]}}",
        (1..=101)
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(",")
    );
    let cases = [
        (many.as_str(), "InvalidParameterValue"),
        (r#"{"CSRIds": []}"#, "InvalidParameterValue"),
        (r#"{"CSRIds": ["11"]}"#, "InvalidParameter.InvalidCSRId"),
        (r#"{"CSRIds": [-1]}"#, "InvalidParameter.InvalidCSRId"),
        (r#"{"CSRIds": [1.5]}"#, "InvalidParameter.InvalidCSRId"),
        (r#"{"CSRIds": 11}"#, "InvalidParameter"),
        (r#"{}"#, "MissingParameter"),
        (r#"{"CSRIds": [11], "Other": 1}"#, "UnknownParameter"),
        ("{", "InvalidParameter"),
    ];
    for (body, code) in cases {
        assert_eq!(
            tencent_code(&env.send(&env.tencent(body)).await),
            code,
            "{body}"
        );
    }
    assert_eq!(env.emu.tencent_csrs().len(), 5);
    // 100 ids is the documented maximum and fine.
    let hundred = format!(
        "{{\"CSRIds\": [{}]}}",
        (1..=100)
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(",")
    );
    assert_eq!(tencent_code(&env.send(&env.tencent(&hundred)).await), "");
}

#[tokio::test]
async fn authentication_answers_in_a_200_body() {
    let env = start().await;
    let body = r#"{"CSRIds": [11]}"#;
    let mut req = env.tencent(body);
    req.body = br#"{"CSRIds": [22]}"#.to_vec().into();
    assert_eq!(
        tencent_code(&env.send(&req).await),
        "AuthFailure.SignatureFailure"
    );
    let old = env.tencent_with(body, &tencent_key(), env.unix() - 301);
    assert_eq!(
        tencent_code(&env.send(&old).await),
        "AuthFailure.SignatureExpire"
    );
    let near = env.tencent_with(r#"{"CSRIds": [999]}"#, &tencent_key(), env.unix() - 290);
    assert_eq!(tencent_code(&env.send(&near).await), "");
    let unknown = env.tencent_with(
        body,
        &AccessKey::new("AKIDNOPE", c::TENCENT_SECRET_KEY),
        env.unix(),
    );
    assert_eq!(
        tencent_code(&env.send(&unknown).await),
        "AuthFailure.SecretIdNotFound"
    );
    let temp = AccessKey::temporary(
        c::TENCENT_TEMP_SECRET_ID,
        c::TENCENT_TEMP_SECRET_KEY,
        c::TENCENT_TOKEN,
    );
    assert_eq!(
        tencent_code(
            &env.send(&env.tencent_with(r#"{"CSRIds": [44]}"#, &temp, env.unix()))
                .await
        ),
        ""
    );
    let wrong = AccessKey::temporary(
        c::TENCENT_TEMP_SECRET_ID,
        c::TENCENT_TEMP_SECRET_KEY,
        "nope",
    );
    assert_eq!(
        tencent_code(&env.send(&env.tencent_with(body, &wrong, env.unix())).await),
        "AuthFailure.TokenFailure"
    );
    let mut req = env.tencent(body);
    req.remove_header("Authorization");
    assert_eq!(
        tencent_code(&env.send(&req).await),
        "AuthFailure.SignatureFailure"
    );
    let mut req = env.tencent(body);
    // A signed header changed after signing (the transport always sends Host from the URL;
    // the vector tests cover a changed Host).
    req.set_header("Content-Type", "application/json; charset=utf-8");
    assert_eq!(
        tencent_code(&env.send(&req).await),
        "AuthFailure.SignatureFailure"
    );
    assert_eq!(env.emu.tencent_csrs(), vec![11, 22, 33, 55]);
}

#[tokio::test]
async fn unknown_action_and_version() {
    let env = start().await;
    let mut req = env.tencent(r#"{"CSRIds": [11]}"#);
    req.set_header("X-TC-Action", "DescribeCertificates");
    assert_eq!(tencent_code(&env.send(&req).await), "InvalidAction");
    let mut req = env.tencent(r#"{"CSRIds": [11]}"#);
    req.set_header("X-TC-Version", "2018-01-01");
    assert_eq!(tencent_code(&env.send(&req).await), "NoSuchVersion");
    let mut req: HttpRequest = env.tencent(r#"{"CSRIds": [11]}"#);
    req.path = "/elsewhere".into();
    let r = env.send(&req).await;
    assert_eq!(r.status, 404);
    assert_eq!(json(&r)["Response"]["Error"]["Code"], "InvalidAction");
    assert_eq!(env.emu.tencent_csrs().len(), 5);
}

#[tokio::test]
async fn ten_requests_per_second() {
    let env = start().await;
    for _ in 0..10 {
        assert_eq!(
            tencent_code(&env.send(&env.tencent(r#"{"CSRIds": [999]}"#)).await),
            ""
        );
    }
    let r = env.send(&env.tencent(r#"{"CSRIds": [11]}"#)).await;
    assert_eq!(tencent_code(&r), "RequestLimitExceeded");
    assert!(env.emu.tencent_csrs().contains(&11));
    env.clock.advance(Duration::from_secs(1));
    for _ in 0..10 {
        assert_eq!(
            tencent_code(&env.send(&env.tencent(r#"{"CSRIds": [999]}"#)).await),
            ""
        );
    }
    env.emu.set_rate_limit(Api::TencentSsl, None);
    for _ in 0..15 {
        assert_eq!(
            tencent_code(&env.send(&env.tencent(r#"{"CSRIds": [999]}"#)).await),
            ""
        );
    }
}
