//! Alibaba Cloud DeleteUserCertificate over HTTP.

use cert_common::credentials::AccessKey;
use cert_common::time::UtcDateTime;
use cert_emulator::{AliyunCertificate, Api, credentials as c};

use crate::common::*;

#[tokio::test]
async fn deletes_refuses_in_use_and_reports_not_found() {
    let env = start().await;
    let r = env.send(&env.aliyun("CertId=1001")).await;
    assert_eq!(r.status, 200, "{:?}", String::from_utf8_lossy(&r.body));
    assert!(json(&r)["RequestId"].is_string());
    assert!(!env.emu.aliyun_certificates().iter().any(|c| c.id == 1001));
    let r = env.send(&env.aliyun("CertId=1001")).await;
    assert_eq!(
        aliyun_error(&r),
        (404, "InvalidCertificate.NotFound".into())
    );
    let r = env.send(&env.aliyun("CertId=2001")).await;
    assert_eq!(aliyun_error(&r), (400, "InvalidCertificate.InUse".into()));
    assert!(
        json(&r)["Message"]
            .as_str()
            .unwrap_or("")
            .contains("cdn:www.example.com")
    );
    assert!(env.emu.aliyun_certificates().iter().any(|c| c.id == 2001));
    assert_eq!(
        env.emu.requests()[0].principal.as_deref(),
        Some(c::ALIYUN_ACCESS_KEY_ID)
    );
}

#[tokio::test]
async fn validation_answers() {
    let env = start().await;
    let long = format!("CertId=1002&ClientToken={}", "a".repeat(65));
    for (query, code) in [
        ("", "MissingCertId"),
        ("ClientToken=x", "MissingCertId"),
        ("CertId=abc", "InvalidParameter"),
        ("CertId=-3", "InvalidParameter"),
        ("CertId=1.5", "InvalidParameter"),
        ("CertId=99999999999999999999", "InvalidParameter"),
        (long.as_str(), "InvalidParameter"),
    ] {
        let r = env.send(&env.aliyun(query)).await;
        assert_eq!(aliyun_error(&r), (400, code.to_string()), "{query}");
    }
    assert_eq!(env.emu.aliyun_certificates().len(), 4);
}

#[tokio::test]
async fn client_token_makes_a_retry_idempotent() {
    let env = start().await;
    let first = env
        .send(&env.aliyun("CertId=1002&ClientToken=tok%20en"))
        .await;
    assert_eq!(first.status, 200);
    let again = env
        .send(&env.aliyun("CertId=1002&ClientToken=tok+en"))
        .await;
    assert_eq!(again.status, 200);
    assert_eq!(json(&first)["RequestId"], json(&again)["RequestId"]);
    let other = env
        .send(&env.aliyun("CertId=7562353&ClientToken=tok+en"))
        .await;
    assert_eq!(
        aliyun_error(&other),
        (400, "IdempotentParameterMismatch".into())
    );
    let no_token = env.send(&env.aliyun("CertId=1002")).await;
    assert_eq!(
        aliyun_error(&no_token),
        (404, "InvalidCertificate.NotFound".into())
    );
}

#[tokio::test]
async fn authentication() {
    let env = start().await;
    let mut req = env.aliyun("CertId=1001");
    req.query = "CertId=1002".into();
    assert_eq!(
        aliyun_error(&env.send(&req).await),
        (400, "SignatureDoesNotMatch".into())
    );
    let mut req = env.aliyun("CertId=1001");
    req.body = b"x".to_vec().into();
    assert_eq!(
        aliyun_error(&env.send(&req).await),
        (400, "SignatureDoesNotMatch".into())
    );
    let unknown = env.aliyun_with(
        "CertId=1001",
        &AccessKey::new("LTAINOPE", "s"),
        &env.now().iso8601(),
    );
    assert_eq!(
        aliyun_error(&env.send(&unknown).await),
        (404, "InvalidAccessKeyId.NotFound".into())
    );
    let late = UtcDateTime::from_unix(env.unix() + 16 * 60).iso8601();
    let r = env
        .send(&env.aliyun_with("CertId=1001", &aliyun_key(), &late))
        .await;
    assert_eq!(aliyun_error(&r), (400, "InvalidTimeStamp.Expired".into()));
    let mut req = env.aliyun("CertId=1001");
    req.set_header("x-acs-extra", "unsigned");
    assert_eq!(
        aliyun_error(&env.send(&req).await),
        (400, "IncompleteSignature".into())
    );
    // The same signed request twice: the nonce is spent.
    let req = env.aliyun("CertId=999");
    assert_eq!(
        aliyun_error(&env.send(&req).await).1,
        "InvalidCertificate.NotFound"
    );
    assert_eq!(
        aliyun_error(&env.send(&req).await),
        (400, "SignatureNonceUsed".into())
    );
    // STS credentials.
    let sts = AccessKey::temporary(
        c::ALIYUN_TEMP_ACCESS_KEY_ID,
        c::ALIYUN_TEMP_ACCESS_KEY_SECRET,
        c::ALIYUN_SECURITY_TOKEN,
    );
    assert_eq!(
        env.send(&env.aliyun_with("CertId=1001", &sts, &env.now().iso8601()))
            .await
            .status,
        200
    );
    let wrong = AccessKey::temporary(
        c::ALIYUN_TEMP_ACCESS_KEY_ID,
        c::ALIYUN_TEMP_ACCESS_KEY_SECRET,
        "nope",
    );
    let r = env
        .send(&env.aliyun_with("CertId=1002", &wrong, &env.now().iso8601()))
        .await;
    assert_eq!(
        aliyun_error(&r),
        (400, "InvalidSecurityToken.MismatchWithAccessKey".into())
    );
    assert!(env.emu.aliyun_certificates().iter().any(|c| c.id == 1002));
}

#[tokio::test]
async fn unknown_action_and_version() {
    let env = start().await;
    let mut req = env.aliyun("CertId=1001");
    req.set_header("x-acs-action", "DeleteCertificateRequest");
    assert_eq!(
        aliyun_error(&env.send(&req).await),
        (404, "InvalidAction.NotFound".into())
    );
    let mut req = env.aliyun("CertId=1001");
    req.set_header("x-acs-version", "2018-07-13");
    assert_eq!(
        aliyun_error(&env.send(&req).await),
        (400, "InvalidVersion".into())
    );
    assert_eq!(env.emu.aliyun_certificates().len(), 4);
}

#[tokio::test]
async fn throttling_carries_retry_after() {
    let env = start().await;
    env.emu.set_rate_limit(Api::AliyunCas, Some(3));
    env.emu.seed_aliyun_certificate(AliyunCertificate {
        id: 5,
        in_use_by: vec![],
    });
    for _ in 0..3 {
        assert_eq!(env.send(&env.aliyun("CertId=999")).await.status, 404);
    }
    let r = env.send(&env.aliyun("CertId=5")).await;
    assert_eq!(aliyun_error(&r), (400, "Throttling.User".into()));
    let after: u64 = r
        .header("x-acs-retry-after")
        .and_then(|v| v.parse().ok())
        .expect("retry-after");
    assert!((1..=334).contains(&after), "{after}");
    assert!(env.emu.aliyun_certificates().iter().any(|c| c.id == 5));
    assert_eq!(env.emu.rate_limit(Api::AliyunCas), Some(3));
}

#[tokio::test]
async fn hundred_per_second_by_default() {
    let env = start().await;
    for _ in 0..100 {
        assert_eq!(env.send(&env.aliyun("CertId=999")).await.status, 404);
    }
    let r = env.send(&env.aliyun("CertId=999")).await;
    assert_eq!(aliyun_error(&r).1, "Throttling.User");
}
