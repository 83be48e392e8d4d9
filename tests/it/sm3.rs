//! SM3 signing (`ClientOptions::signing_algorithm(SigningAlgorithm::HmacSm3)`, feature `sm3`):
//! Huawei `SDK-HMAC-SM3` and Aliyun `ACS3-HMAC-SM3` requests are what is sent, the emulator
//! (whose verifier is written from the protocol, not from the signer) accepts them and refuses
//! a wrong key, and Tencent, which has no SM3 scheme, refuses the option when built.

use cert_common::credentials::AccessKey;
use cert_common::sign::SigningAlgorithm;
use cert_common::{Credentials, ErrorKind};
use cert_emulator::Emulator;
use cert_emulator::credentials as creds;
use integration_tests::wire::{ScriptedServer, json};
use integration_tests::{aliyun_key, aliyun_with, elb_with, huawei_key, options, shape};

fn sm3() -> cert_common::ClientOptions {
    options().signing_algorithm(SigningAlgorithm::HmacSm3)
}

#[tokio::test]
async fn huawei_and_aliyun_delete_with_sm3_signatures_the_emulator_verifies() {
    let emu = Emulator::start().await.expect("emulator");
    let out = elb_with(&emu, huawei_key(), sm3())
        .batch_delete_certificates()
        .certificate_id("e1b00000000000000000000000000001")
        .send()
        .await
        .expect("sent");
    assert_eq!(
        shape(out.report()),
        [("e1b00000000000000000000000000001".to_string(), "deleted")]
    );
    aliyun_with(&emu, aliyun_key(), sm3())
        .delete_user_certificate()
        .cert_id(1001)
        .send()
        .await
        .expect("deleted");
    assert!(!emu.aliyun_certificates().iter().any(|c| c.id == 1001));

    // A wrong secret under SM3 is refused, so the verifier really checks the SM3 signature.
    let wrong = |id: &str| Credentials::from(AccessKey::new(id, "not-the-secret"));
    let e = aliyun_with(&emu, wrong(creds::ALIYUN_ACCESS_KEY_ID), sm3())
        .delete_user_certificate()
        .cert_id(1002)
        .send()
        .await
        .expect("sent")
        .into_error()
        .expect("refused");
    assert_eq!(e.code(), Some("SignatureDoesNotMatch"), "{e}");
    let out = elb_with(&emu, wrong(creds::HUAWEI_AK), sm3())
        .batch_delete_certificates()
        .certificate_id("e1b00000000000000000000000000002")
        .send()
        .await;
    let refused = match out {
        Err(e) => e.kind() == ErrorKind::Credentials,
        Ok(o) => shape(o.report())[0].1 == "refused",
    };
    assert!(refused);
    assert!(
        emu.elb_certificates(integration_tests::PROJECT)
            .contains(&"e1b00000000000000000000000000002".to_string())
    );
}

#[tokio::test]
async fn the_sm3_scheme_is_what_goes_on_the_wire() {
    let server = ScriptedServer::always(|| json(200, r#"{"RequestId":"R-1"}"#));
    let config = aliyun_cas::Config::builder()
        .endpoint(server.url())
        .credentials(aliyun_key())
        .options(sm3())
        .build();
    let _ = aliyun_cas::Client::new(config)
        .expect("client")
        .delete_user_certificate()
        .cert_id(7)
        .send()
        .await;
    let sent = server.received();
    let auth = sent[0].header("Authorization").expect("Authorization");
    assert!(auth.starts_with("ACS3-HMAC-SM3 Credential="), "{auth}");
    let body_hash = sent[0]
        .header("x-acs-content-sha256")
        .expect("payload hash");
    assert_eq!(body_hash, cert_common::sign::sm3::hex(b""));

    let server = ScriptedServer::always(|| json(200, r#"{"failed":[]}"#));
    let config = huawei_elb::Config::builder()
        .endpoint(server.url())
        .project_id(integration_tests::PROJECT)
        .credentials(huawei_key())
        .options(sm3())
        .env_lookup(|_| None)
        .build();
    let _ = huawei_elb::Client::new(config)
        .expect("client")
        .batch_delete_certificates()
        .certificate_id("e1b00000000000000000000000000003")
        .send()
        .await;
    let auth = server.received()[0]
        .header("Authorization")
        .expect("Authorization")
        .to_string();
    assert!(auth.starts_with("SDK-HMAC-SM3 Access="), "{auth}");
}

#[test]
fn tencent_has_no_sm3_scheme_and_says_so_when_built() {
    let config = tencent_ssl::Config::builder()
        .endpoint("http://127.0.0.1:9")
        .credentials(integration_tests::tencent_key())
        .options(sm3())
        .build();
    let e = tencent_ssl::Client::new(config).expect_err("no SM3 for Tencent");
    assert_eq!(e.kind(), ErrorKind::Config);
    assert!(e.message().contains("TC3-HMAC-SHA256"), "{e}");
}
