//! Alibaba Cloud CAS `DeleteUserCertificate` end to end.

use cert_common::Outcome;
use cert_emulator::Emulator;
use integration_tests::{aliyun, assert_agrees_with_state, assert_one_outcome_per_id, shape};

/// The outcome of a one-id call's result (the id's outcome, or the error's when nothing was
/// sent or the run stopped).
fn outcome_of(
    result: &Result<aliyun_cas::DeleteUserCertificateOutput, cert_common::Error>,
) -> Outcome {
    match result {
        Ok(out) => out.report().items()[0].outcome.clone(),
        Err(e) => Outcome::from_error(e),
    }
}

fn held(emu: &Emulator) -> Vec<i64> {
    emu.aliyun_certificates()
        .into_iter()
        .map(|c| c.id)
        .collect()
}

#[tokio::test]
async fn one_certificate_deleted_then_refused_with_the_servers_code() {
    let emu = Emulator::start().await.expect("emulator");
    let client = aliyun(&emu);
    let out = client
        .delete_user_certificate()
        .cert_id(1001)
        .send()
        .await
        .expect("deleted");
    assert!(out.request_id().is_some_and(|r| !r.is_empty()));
    assert_eq!(out.attempts(), 1);
    assert!(
        out.idempotency_token().is_some(),
        "an automatic ClientToken is sent"
    );
    assert!(!held(&emu).contains(&1001));

    let again = client.delete_user_certificate().cert_id(1001).send().await;
    let err = again
        .as_ref()
        .expect("sent")
        .error()
        .expect("not found fails");
    assert_eq!(err.code(), Some("InvalidCertificate.NotFound"));
    assert_eq!(err.status(), Some(404));
    // CAS documents no not-found code: the answer is a refusal with the server's code, never
    // a claim that the certificate is absent.
    assert_eq!(outcome_of(&again).as_str(), "refused");
    assert_eq!(
        outcome_of(&again).code(),
        Some("InvalidCertificate.NotFound")
    );
}

#[tokio::test]
async fn an_in_use_certificate_is_refused_and_kept() {
    let emu = Emulator::start().await.expect("emulator");
    let result = aliyun(&emu)
        .delete_user_certificate()
        .cert_id(2001)
        .send()
        .await;
    let err = result.as_ref().expect("sent").error().expect("in use");
    assert_eq!(err.code(), Some("InvalidCertificate.InUse"));
    assert_eq!(err.attempts(), 1, "a refusal is not retried");
    match outcome_of(&result) {
        Outcome::Refused { code, message } => {
            assert_eq!(code.as_deref(), Some("InvalidCertificate.InUse"));
            assert!(message.contains("cdn:www.example.com"), "{message}");
        }
        other => panic!("expected refused, got {other}"),
    }
    assert!(held(&emu).contains(&2001));
}

#[tokio::test]
async fn many_one_outcome_each_and_the_state_agrees() {
    let emu = Emulator::start().await.expect("emulator");
    let before = held(&emu);
    let requested = vec![1002, 2001, 424_242, 7_562_353, 1002];
    let report = aliyun(&emu)
        .delete_user_certificate()
        .cert_ids(requested.clone())
        .send()
        .await
        .map(|o| o.into_report())
        .expect("sent");
    assert_one_outcome_per_id(&report, &requested);
    assert_eq!(
        shape(&report),
        [
            ("1002".to_string(), "deleted"),
            ("2001".to_string(), "refused"),
            ("424242".to_string(), "refused"),
            ("7562353".to_string(), "deleted"),
        ]
    );
    assert!(report.items().iter().all(|i| i.request_id.is_some()));
    let now = held(&emu);
    assert_eq!(now, [1001, 2001]);
    let a = assert_agrees_with_state(&report, |i| before.contains(i), |i| now.contains(i));
    assert_eq!((a.deleted, a.refused, a.absent), (2, 2, 0));
}

#[tokio::test]
async fn an_explicit_client_token_makes_a_repeat_idempotent() {
    let emu = Emulator::start().await.expect("emulator");
    let client = aliyun(&emu);
    let first = client
        .delete_user_certificate()
        .cert_id(1001)
        .client_token("cleanup-run-7")
        .send()
        .await
        .expect("deleted");
    assert_eq!(first.idempotency_token(), Some("cleanup-run-7"));
    // The same token again: the first success again, with the same request id.
    let repeat = client
        .delete_user_certificate()
        .cert_id(1001)
        .client_token("cleanup-run-7")
        .send()
        .await
        .expect("the first answer again");
    assert_eq!(repeat.request_id(), first.request_id());
    // The same token for another certificate is a mismatch, refused; nothing deleted.
    let other = client
        .delete_user_certificate()
        .cert_id(1002)
        .client_token("cleanup-run-7")
        .send()
        .await;
    assert_eq!(
        other
            .as_ref()
            .expect("sent")
            .error()
            .expect("mismatch")
            .code(),
        Some("IdempotentParameterMismatch")
    );
    assert_eq!(outcome_of(&other).as_str(), "refused");
    assert_eq!(held(&emu), [7_562_353, 1002, 2001]);
}
