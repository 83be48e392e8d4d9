//! Huawei APIG `DeleteCertificateV2` end to end: one at a time and many concurrently.

use cert_common::Outcome;
use cert_emulator::{Api, Decision, Emulator};
use integration_tests::{
    PROJECT, apig, apig_with, assert_agrees_with_state, assert_one_outcome_per_id, huawei_key,
    options, shape,
};

const FREE_1: &str = "a9900000000000000000000000000001";
const FREE_2: &str = "a9900000000000000000000000000002";
const BOUND: &str = "a99000000000000000000000000000b1";
const MISSING: &str = "a99000000000000000000000000000ff";

fn held(emu: &Emulator) -> Vec<String> {
    emu.apig_certificates(PROJECT)
        .into_iter()
        .map(|c| c.id)
        .collect()
}

#[tokio::test]
async fn one_certificate_deleted_then_absent() {
    let emu = Emulator::start().await.expect("emulator");
    let client = apig(&emu);

    let out = client
        .delete_certificate()
        .certificate_id(FREE_1)
        .send()
        .await
        .expect("deleted");
    assert_eq!(out.report().items()[0].outcome, Outcome::Deleted);
    assert!(out.request_id().is_some());
    assert_eq!(out.attempts(), 1);
    assert!(!held(&emu).contains(&FREE_1.to_string()));

    let again = client
        .delete_certificate()
        .certificate_id(FREE_1)
        .send()
        .await
        .expect("answered");
    assert_eq!(again.report().items()[0].outcome, Outcome::Absent);
    assert_eq!(held(&emu), [FREE_2, BOUND]);
}

#[tokio::test]
async fn a_bound_certificate_is_refused_with_apig_3474_and_kept() {
    let emu = Emulator::start().await.expect("emulator");
    let out = apig(&emu)
        .delete_certificate()
        .certificate_id(BOUND)
        .send()
        .await
        .expect("answered");
    match &out.report().items()[0].outcome {
        Outcome::Refused { code, message } => {
            assert_eq!(code.as_deref(), Some("APIG.3474"));
            assert!(message.contains("api.example.com"), "{message}");
        }
        other => panic!("expected refused, got {other}"),
    }
    assert_eq!(out.attempts(), 1, "a refusal is not retried");
    assert!(held(&emu).contains(&BOUND.to_string()));
}

#[tokio::test]
async fn many_concurrently_one_outcome_each_and_the_state_agrees() {
    let emu = Emulator::start().await.expect("emulator");
    let before = held(&emu);
    let requested: Vec<String> = [FREE_1, BOUND, MISSING, FREE_2, FREE_1]
        .map(String::from)
        .to_vec();
    let report = apig_with(&emu, huawei_key(), options().max_concurrency(3))
        .delete_certificate()
        .certificate_ids(requested.clone())
        .send()
        .await
        .expect("sent")
        .into_report();
    assert_one_outcome_per_id(&report, &requested);
    assert_eq!(
        shape(&report),
        [
            (FREE_1.to_string(), "deleted"),
            (BOUND.to_string(), "refused"),
            (MISSING.to_string(), "absent"),
            (FREE_2.to_string(), "deleted"),
        ]
    );
    assert_eq!(report.items()[1].outcome.code(), Some("APIG.3474"));
    assert!(report.items().iter().all(|i| i.request_id.is_some()));
    let now = held(&emu);
    assert_eq!(now, [BOUND]);
    let a = assert_agrees_with_state(&report, |i| before.contains(i), |i| now.contains(i));
    assert_eq!((a.deleted, a.refused, a.absent), (2, 1, 1));
    assert_eq!(emu.requests().len(), 4, "one DELETE per distinct id");
}

#[tokio::test]
async fn an_id_with_reserved_characters_stays_one_path_segment() {
    let emu = Emulator::start().await.expect("emulator");
    let out = apig(&emu)
        .delete_certificate()
        .certificate_id("a/b?c#d")
        .send()
        .await
        .expect("answered");
    assert_eq!(out.report().items()[0].outcome, Outcome::Absent);
    let log = emu.requests();
    assert_eq!(log.len(), 1);
    // Routed to APIG and answered "certificate not found", not "no such route".
    assert_eq!(log[0].api, Some(Api::Apig));
    assert_eq!(
        log[0].decision,
        Decision::Rejected {
            code: "APIG.3021".into()
        }
    );
    assert_eq!(held(&emu).len(), 3);
}
