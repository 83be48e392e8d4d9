//! Injected faults: statuses, connection closes before and after the effect, delays,
//! malformed bodies, the seeded probabilistic mode, and garbage input.

use std::time::{Duration, Instant};

use cert_common::http::HttpRequest;
use cert_emulator::{Api, Chaos, Decision, Emulator, Fault, Seed};

use crate::common::*;

const ELB: &str = "/v3/0123456789abcdef0123456789abcdef/elb/certificates/batch-delete";

#[tokio::test]
async fn status_faults_use_each_providers_shape_and_change_nothing() {
    let env = start().await;
    env.emu.inject(Api::TencentSsl, Fault::Status(503), 1);
    env.emu.inject(Api::Elb, Fault::Status(502), 1);
    env.emu.inject(Api::AliyunCas, Fault::Status(503), 1);
    env.emu.inject(Api::Apig, Fault::Status(500), 1);
    assert_eq!(env.emu.pending_faults(Api::Elb), 1);

    let r = env.send(&env.tencent(r#"{"CSRIds": [11]}"#)).await;
    assert_eq!(r.status, 503);
    assert_eq!(json(&r)["Response"]["Error"]["Code"], "InternalError");
    let r = env
        .send(&env.huawei(
            "POST",
            ELB,
            r#"{"certificates": ["e1b00000000000000000000000000001"]}"#,
        ))
        .await;
    assert_eq!(huawei_error(&r), (502, "APIG.0201".into()));
    let r = env.send(&env.aliyun("CertId=1001")).await;
    assert_eq!(aliyun_error(&r), (503, "ServiceUnavailable".into()));
    let r = env
        .send(&env.huawei(
            "DELETE",
            &format!("/v2/{PROJECT}/apigw/certificates/a9900000000000000000000000000001"),
            "",
        ))
        .await;
    assert_eq!(huawei_error(&r), (500, "APIG.9999".into()));
    assert_eq!(env.emu.tencent_csrs().len(), 5);
    assert_eq!(env.emu.elb_certificates(PROJECT).len(), 5);
    assert_eq!(env.emu.aliyun_certificates().len(), 4);
    assert_eq!(env.emu.apig_certificates(PROJECT).len(), 3);
    assert!(
        env.emu
            .requests()
            .iter()
            .all(|l| l.decision == Decision::NotProcessed && l.fault.is_some())
    );

    // The next request is normal again.
    let r = env.send(&env.tencent(r#"{"CSRIds": [11]}"#)).await;
    assert_eq!(json(&r)["Response"]["Success"], serde_json::json!([11]));
    // Tencent's own transient error arrives in a 200 body.
    env.emu.inject(Api::TencentSsl, Fault::InternalError, 1);
    assert_eq!(
        tencent_code(&env.send(&env.tencent(r#"{"CSRIds": [22]}"#)).await),
        "InternalError"
    );
    assert!(env.emu.tencent_csrs().contains(&22));
}

#[tokio::test]
async fn closed_before_the_effect_deletes_nothing() {
    let env = start().await;
    env.emu.inject(Api::TencentSsl, Fault::CloseBeforeEffect, 1);
    let e = env
        .try_send(&env.tencent(r#"{"CSRIds": [11]}"#))
        .await
        .expect_err("connection closed");
    assert_eq!(e.kind(), cert_common::ErrorKind::Transport, "{e}");
    assert!(env.emu.tencent_csrs().contains(&11));
    let log = env.emu.requests();
    assert_eq!(
        (log[0].status, &log[0].decision),
        (None, &Decision::NotProcessed)
    );
}

#[tokio::test]
async fn closed_after_the_effect_has_deleted() {
    let env = start().await;
    env.emu.inject(Api::AliyunCas, Fault::CloseAfterEffect, 1);
    assert!(env.try_send(&env.aliyun("CertId=1001")).await.is_err());
    assert!(!env.emu.aliyun_certificates().iter().any(|c| c.id == 1001));
    let log = env.emu.requests();
    assert_eq!(
        (log[0].status, &log[0].decision),
        (None, &Decision::Accepted)
    );
    assert_eq!(log[0].fault, Some(Fault::CloseAfterEffect));
    // A retry now finds it gone.
    let r = env.send(&env.aliyun("CertId=1001")).await;
    assert_eq!(aliyun_error(&r).1, "InvalidCertificate.NotFound");
}

#[tokio::test]
async fn delay_then_normal_answer() {
    let env = start().await;
    env.emu
        .inject(Api::Elb, Fault::Delay(Duration::from_millis(150)), 1);
    let started = Instant::now();
    let r = env
        .send(&env.huawei(
            "POST",
            ELB,
            r#"{"certificates": ["e1b00000000000000000000000000001"]}"#,
        ))
        .await;
    assert!(started.elapsed() >= Duration::from_millis(150));
    assert_eq!(r.status, 200);
    assert_eq!(env.emu.elb_certificates(PROJECT).len(), 4);
}

#[tokio::test]
async fn malformed_body_after_the_effect() {
    let env = start().await;
    env.emu.inject(Api::TencentSsl, Fault::MalformedBody, 1);
    env.emu.inject(Api::Apig, Fault::MalformedBody, 1);
    let r = env.send(&env.tencent(r#"{"CSRIds": [11]}"#)).await;
    assert_eq!(r.status, 200);
    assert!(serde_json::from_slice::<serde_json::Value>(&r.body).is_err());
    assert!(!env.emu.tencent_csrs().contains(&11));
    let r = env
        .send(&env.huawei(
            "DELETE",
            &format!("/v2/{PROJECT}/apigw/certificates/a9900000000000000000000000000001"),
            "",
        ))
        .await;
    assert_eq!(r.status, 200);
    assert!(serde_json::from_slice::<serde_json::Value>(&r.body).is_err());
    assert_eq!(env.emu.apig_certificates(PROJECT).len(), 2);
}

async fn chaos_run(seed: u64) -> Vec<Option<u16>> {
    let env = start_with(Emulator::builder().seed(Seed::empty())).await;
    env.emu.set_chaos(
        Api::Elb,
        Some(Chaos::new(0.3, seed).with_faults(vec![
            Fault::Status(500),
            Fault::Status(503),
            Fault::CloseBeforeEffect,
            Fault::CloseAfterEffect,
            Fault::MalformedBody,
        ])),
    );
    let mut out = Vec::new();
    for _ in 0..30 {
        let req = env.huawei_with(
            "POST",
            ELB,
            r#"{"certificates": ["x"]}"#,
            &huawei_token(),
            env.now(),
        );
        out.push(match env.try_send(&req).await {
            Ok(r) if serde_json::from_slice::<serde_json::Value>(&r.body).is_ok() => Some(r.status),
            Ok(_) => Some(0),
            Err(_) => None,
        });
    }
    out
}

#[tokio::test]
async fn chaos_is_deterministic_for_a_seed() {
    let a = chaos_run(7).await;
    assert_eq!(a, chaos_run(7).await);
    let faults = a.iter().filter(|s| **s != Some(200)).count();
    assert!((1..=20).contains(&faults), "{a:?}");
    assert_ne!(a, chaos_run(8).await);
}

#[tokio::test]
async fn garbage_never_crashes_the_server() {
    let env = start().await;
    let bodies: [&[u8]; 6] = [
        b"",
        b"\xff\xfe\x00",
        b"{\"CSRIds\":[",
        b"null",
        b"{\"certificates\":[null]}",
        &[b'['; 4096],
    ];
    let paths = [
        "/",
        "/v3//elb/certificates/batch-delete",
        "/v2/%zz/apigw/certificates/%",
        "/v1/p/secrets/batch-delete",
        "/v9/x",
    ];
    for (i, path) in paths.iter().enumerate() {
        for body in bodies {
            for headers in [
                vec![],
                vec![
                    ("X-TC-Action", "BatchDeleteCSR"),
                    ("X-TC-Version", "2019-12-05"),
                    ("Authorization", "TC3-HMAC-SHA256 Credential=a/b"),
                ],
                vec![
                    ("x-acs-action", "DeleteUserCertificate"),
                    ("x-acs-version", "2020-04-07"),
                    ("Authorization", "ACS3-HMAC-SHA256 ,,,"),
                ],
                vec![(
                    "Authorization",
                    "SDK-HMAC-SHA256 Access=x, SignedHeaders=, Signature=",
                )],
                vec![("X-Auth-Token", "")],
            ] {
                let mut req = HttpRequest::new(
                    if i % 2 == 0 { "POST" } else { "DELETE" },
                    "http",
                    &env.host(),
                    path,
                );
                req.query = "CertId=&CertId=%ff&a".into();
                for (k, v) in headers {
                    req.set_header(k, v);
                }
                req.body = body.to_vec().into();
                let r = env.send(&req).await;
                assert!(
                    r.status == 200 || (400..500).contains(&r.status),
                    "{path}: {}",
                    r.status
                );
            }
        }
    }
    let r = env.send(&env.tencent(r#"{"CSRIds": [11]}"#)).await;
    assert_eq!(json(&r)["Response"]["Success"], serde_json::json!([11]));
}
