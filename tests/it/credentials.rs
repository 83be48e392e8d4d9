//! Credentials: temporary keys with tokens and Huawei IAM tokens are accepted; wrong keys are
//! rejected with each client's documented error or outcome, and nothing is deleted.

use cert_common::{AccessKey, Credentials, ErrorKind, Outcome};
use cert_emulator::credentials as creds;
use cert_emulator::{Decision, Emulator};
use huawei_csms::InstanceType;
use integration_tests::{
    PROJECT, aliyun_temporary_key, aliyun_with, apig_with, csms_with, elb_with, huawei_iam_token,
    huawei_temporary_key, options, shape, tencent_temporary_key, tencent_with,
};

const ELB_1: &str = "e1b00000000000000000000000000001";
const APIG_1: &str = "a9900000000000000000000000000001";

fn principals(emu: &Emulator) -> Vec<Option<String>> {
    emu.requests().into_iter().map(|r| r.principal).collect()
}

/// Deletes one resource on each Huawei API with `credentials` and checks it is gone.
async fn huawei_deletes_with(credentials: Credentials, principal: &str) {
    let emu = Emulator::start().await.expect("emulator");
    let elb = elb_with(&emu, credentials.clone(), options())
        .batch_delete_certificates()
        .certificate_id(ELB_1)
        .send()
        .await
        .expect("sent");
    assert_eq!(shape(elb.report()), [(ELB_1.to_string(), "deleted")]);
    let apig = apig_with(&emu, credentials.clone(), options())
        .delete_certificate()
        .certificate_id(APIG_1)
        .send()
        .await
        .expect("deleted");
    assert_eq!(apig.report().items()[0].outcome, Outcome::Deleted);
    let csms = csms_with(&emu, credentials, options())
        .batch_delete_secrets()
        .instance_id("apig-instance-0001")
        .instance_type(InstanceType::Apig)
        .send()
        .await
        .expect("deleted");
    assert_eq!(csms.deleted, ["apig-secret-1"]);
    assert!(!emu.elb_certificates(PROJECT).contains(&ELB_1.to_string()));
    assert!(
        !emu.apig_certificates(PROJECT)
            .iter()
            .any(|c| c.id == APIG_1)
    );
    assert_eq!(principals(&emu), vec![Some(principal.to_string()); 3]);
}

#[tokio::test]
async fn huawei_temporary_keys_with_a_security_token_are_accepted() {
    huawei_deletes_with(huawei_temporary_key(), creds::HUAWEI_TEMP_AK).await;
}

#[tokio::test]
async fn huawei_iam_token_is_accepted() {
    huawei_deletes_with(huawei_iam_token(), "iam-token").await;
}

#[tokio::test]
async fn tencent_temporary_keys_with_a_token_are_accepted() {
    let emu = Emulator::start().await.expect("emulator");
    let out = tencent_with(&emu, tencent_temporary_key(), options())
        .batch_delete_csr()
        .csr_ids([11, 22])
        .send()
        .await
        .expect("sent");
    assert_eq!(
        shape(out.report()),
        [("11".to_string(), "deleted"), ("22".to_string(), "deleted")]
    );
    assert_eq!(emu.tencent_csrs(), [33, 44, 55]);
    assert_eq!(
        principals(&emu),
        [Some(creds::TENCENT_TEMP_SECRET_ID.to_string())]
    );
}

#[tokio::test]
async fn aliyun_sts_keys_with_a_security_token_are_accepted() {
    let emu = Emulator::start().await.expect("emulator");
    let report = aliyun_with(&emu, aliyun_temporary_key(), options())
        .delete_user_certificate()
        .cert_ids([1001])
        .send()
        .await
        .map(|o| o.into_report())
        .expect("sent");
    assert_eq!(shape(&report), [("1001".to_string(), "deleted")]);
    assert!(!emu.aliyun_certificates().iter().any(|c| c.id == 1001));
    assert_eq!(
        principals(&emu),
        [Some(creds::ALIYUN_TEMP_ACCESS_KEY_ID.to_string())]
    );
}

/// Wrong Huawei credentials and the code the emulator answers them with (HTTP 401 for all).
fn wrong_huawei_keys() -> Vec<(&'static str, Credentials, &'static str)> {
    vec![
        (
            "wrong secret",
            AccessKey::new(creds::HUAWEI_AK, "not-the-secret").into(),
            "APIG.0301",
        ),
        (
            "unknown key",
            AccessKey::new("NOSUCHKEY", creds::HUAWEI_SK).into(),
            "APIG.0301",
        ),
        (
            "temporary key without its token",
            AccessKey::new(creds::HUAWEI_TEMP_AK, creds::HUAWEI_TEMP_SK).into(),
            "APIG.0301",
        ),
        (
            "wrong IAM token",
            Credentials::IamToken("not-a-token".into()),
            "APIG.1002",
        ),
    ]
}

fn all_rejected_with(emu: &Emulator, code: &str) {
    let log = emu.requests();
    assert!(!log.is_empty());
    for r in log {
        assert_eq!(r.principal, None);
        assert_eq!(r.decision, Decision::Rejected { code: code.into() });
    }
}

#[tokio::test]
async fn huawei_wrong_credentials_are_a_credentials_error_and_delete_nothing() {
    for (what, key, code) in wrong_huawei_keys() {
        let emu = Emulator::start().await.expect("emulator");
        // ELB: the request failed as a whole; each id is refused (nothing applied) and the
        // Credentials error is kept in `error`.
        let out = elb_with(&emu, key.clone(), options())
            .batch_delete_certificates()
            .certificate_id(ELB_1)
            .send()
            .await
            .expect("sent");
        let err = out.error().unwrap_or_else(|| panic!("{what}: no error"));
        assert_eq!(err.kind(), ErrorKind::Credentials, "{what}: {err}");
        assert_eq!(err.status(), Some(401), "{what}");
        assert_eq!(err.code(), Some(code), "{what}");
        assert_eq!(out.attempts(), 1, "{what}: not retried");
        assert_eq!(
            shape(out.report()),
            [(ELB_1.to_string(), "refused")],
            "{what}"
        );

        // APIG: the request's error is of kind Credentials; the id is refused.
        let client = apig_with(&emu, key.clone(), options());
        let err = client
            .delete_certificate()
            .certificate_id(APIG_1)
            .send()
            .await
            .expect("sent")
            .into_error()
            .expect("rejected");
        assert_eq!(err.kind(), ErrorKind::Credentials, "{what}: {err}");
        let report = client
            .delete_certificate()
            .certificate_ids([APIG_1])
            .send()
            .await
            .map(|o| o.into_report())
            .expect("sent");
        assert_eq!(shape(&report), [(APIG_1.to_string(), "refused")], "{what}");

        // CSMS: the output's error, of kind Credentials (it was sent); no secret named.
        let out = csms_with(&emu, key, options())
            .batch_delete_secrets()
            .instance_id("rds-instance-0001")
            .send()
            .await
            .expect("sent");
        assert!(
            out.deleted.is_empty() && out.report().items().is_empty(),
            "{what}"
        );
        assert!(out.stopped().is_none(), "{what}: a refusal, not a stop");
        let err = out.into_error().expect("rejected");
        assert_eq!(err.kind(), ErrorKind::Credentials, "{what}: {err}");
        assert!(err.request_id().is_some(), "{what}");

        all_rejected_with(&emu, code);
        assert_eq!(emu.elb_certificates(PROJECT).len(), 5, "{what}");
        assert_eq!(emu.apig_certificates(PROJECT).len(), 3, "{what}");
        assert_eq!(emu.csms_secrets(PROJECT).len(), 4, "{what}");
    }
}

#[tokio::test]
async fn tencent_wrong_credentials_are_refused_with_the_auth_failure_code() {
    let cases: Vec<(&str, Credentials, &str)> = vec![
        (
            "wrong secret",
            AccessKey::new(creds::TENCENT_SECRET_ID, "not-the-secret").into(),
            "AuthFailure.SignatureFailure",
        ),
        (
            "unknown SecretId",
            AccessKey::new("AKIDNOSUCHKEY", creds::TENCENT_SECRET_KEY).into(),
            "AuthFailure.SecretIdNotFound",
        ),
        (
            "temporary key without its token",
            AccessKey::new(
                creds::TENCENT_TEMP_SECRET_ID,
                creds::TENCENT_TEMP_SECRET_KEY,
            )
            .into(),
            "AuthFailure.TokenFailure",
        ),
    ];
    for (what, key, code) in cases {
        let emu = Emulator::start().await.expect("emulator");
        let out = tencent_with(&emu, key, options())
            .batch_delete_csr()
            .csr_ids([11, 22])
            .send()
            .await
            .expect("sent");
        for item in out.report().items() {
            assert_eq!(item.outcome.as_str(), "refused", "{what}: {}", item.outcome);
            assert_eq!(item.outcome.code(), Some(code), "{what}");
            assert!(item.request_id.is_some(), "{what}");
        }
        let batch_error = out.requests()[0].error.as_ref().expect("batch error");
        assert_eq!(
            tencent_ssl::error_code(batch_error).map(|c| c.as_str().to_string()),
            Some(code.to_string()),
            "{what}"
        );
        assert_eq!(out.requests()[0].attempts, 1, "{what}: not retried");
        all_rejected_with(&emu, code);
        assert_eq!(emu.tencent_csrs(), [11, 22, 33, 44, 55], "{what}");
    }
}

#[tokio::test]
async fn aliyun_wrong_credentials_are_an_error_and_refused_in_a_batch() {
    let cases: Vec<(&str, Credentials, &str)> = vec![
        (
            "wrong secret",
            AccessKey::new(creds::ALIYUN_ACCESS_KEY_ID, "not-the-secret").into(),
            "SignatureDoesNotMatch",
        ),
        (
            "unknown AccessKey id",
            AccessKey::new("LTAINOSUCHKEY", creds::ALIYUN_ACCESS_KEY_SECRET).into(),
            "InvalidAccessKeyId.NotFound",
        ),
    ];
    for (what, key, code) in cases {
        let emu = Emulator::start().await.expect("emulator");
        let client = aliyun_with(&emu, key, options());
        let result = client.delete_user_certificate().cert_id(1001).send().await;
        let err = result.as_ref().expect("sent").error().expect("rejected");
        assert_eq!(err.code(), Some(code), "{what}: {err}");
        assert_eq!(err.attempts(), 1, "{what}: not retried");
        // InvalidAccessKeyId.NotFound names "not found" but is about the key, not the
        // certificate: never reported absent.
        assert_eq!(
            cert_common::Outcome::from_error(err).as_str(),
            "refused",
            "{what}"
        );
        let report = client
            .delete_user_certificate()
            .cert_ids([1001, 1002])
            .send()
            .await
            .map(|o| o.into_report())
            .expect("sent");
        assert_eq!(
            shape(&report),
            [
                ("1001".to_string(), "refused"),
                ("1002".to_string(), "refused")
            ],
            "{what}"
        );
        all_rejected_with(&emu, code);
        assert_eq!(emu.aliyun_certificates().len(), 4, "{what}");
    }
}

#[tokio::test]
async fn a_huawei_iam_token_on_tencent_or_aliyun_is_refused_before_sending() {
    let emu = Emulator::start().await.expect("emulator");
    let tencent = tencent_with(&emu, huawei_iam_token(), options());
    let e = tencent
        .batch_delete_csr()
        .csr_ids([11, 22])
        .send()
        .await
        .expect_err("an IAM token cannot sign TC3");
    assert_eq!(e.kind(), ErrorKind::Credentials, "{e}");

    let aliyun = aliyun_with(&emu, huawei_iam_token(), options());
    let e = aliyun
        .delete_user_certificate()
        .cert_ids([1001, 1002])
        .send()
        .await
        .map(|o| o.into_report())
        .expect_err("an IAM token cannot sign ACS3");
    assert_eq!(e.kind(), ErrorKind::Credentials, "{e}");
    let e = aliyun
        .delete_user_certificate()
        .cert_id(1001)
        .send()
        .await
        .expect_err("an IAM token cannot sign ACS3");
    assert_eq!(e.kind(), ErrorKind::Credentials, "{e}");

    assert!(emu.requests().is_empty(), "sent: {:?}", emu.requests());
    assert_eq!(emu.tencent_csrs(), vec![11, 22, 33, 44, 55]);
}
