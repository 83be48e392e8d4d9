//! Huawei CSMS `BatchDeleteSecrets` end to end.

use cert_common::ErrorKind;
use cert_emulator::Emulator;
use huawei_csms::InstanceType;
use integration_tests::{PROJECT, csms};

fn names(emu: &Emulator) -> Vec<String> {
    emu.csms_secrets(PROJECT)
        .into_iter()
        .map(|s| s.name)
        .collect()
}

#[tokio::test]
async fn deletes_an_instances_secrets_and_reports_the_pending_one_as_failed() {
    let emu = Emulator::start().await.expect("emulator");
    let out = csms(&emu)
        .batch_delete_secrets()
        .instance_id("rds-instance-0001")
        .instance_type(InstanceType::Rds)
        .send()
        .await
        .expect("deleted");
    assert_eq!(out.total, Some(3));
    let mut deleted = out.deleted.clone();
    deleted.sort();
    assert_eq!(deleted, ["rds-secret-1", "rds-secret-2"]);
    assert_eq!(out.failed.len(), 1);
    assert_eq!(out.failed[0].name, "rds-secret-pending");
    assert_eq!(out.failed[0].code.as_deref(), Some("CSMS.0107"));
    assert!(out.request_id().is_some());
    assert!(!out.earlier_attempt_may_have_applied());
    // Deleted ones are gone; the failed one and the other instance's secret stay.
    assert_eq!(names(&emu), ["rds-secret-pending", "apig-secret-1"]);

    // Again: only the pending secret matches, and it still fails.
    let again = csms(&emu)
        .batch_delete_secrets()
        .instance_id("rds-instance-0001")
        .send()
        .await
        .expect("answered");
    assert_eq!(again.total, Some(1));
    assert!(again.deleted.is_empty());
    assert_eq!(again.failed[0].name, "rds-secret-pending");
    assert_eq!(names(&emu), ["rds-secret-pending", "apig-secret-1"]);
}

#[tokio::test]
async fn an_unknown_instance_or_another_type_matches_nothing() {
    let emu = Emulator::start().await.expect("emulator");
    let none = csms(&emu)
        .batch_delete_secrets()
        .instance_id("no-such-instance")
        .send()
        .await
        .expect("answered");
    assert_eq!((none.total, none.deleted.len()), (Some(0), 0));
    let wrong_type = csms(&emu)
        .batch_delete_secrets()
        .instance_id("apig-instance-0001")
        .instance_type(InstanceType::Rds)
        .send()
        .await
        .expect("answered");
    assert_eq!((wrong_type.total, wrong_type.deleted.len()), (Some(0), 0));
    assert_eq!(names(&emu).len(), 4);
}

#[tokio::test]
async fn the_opt_in_sends_an_unfiltered_delete_and_the_servers_refusal_is_typed() {
    let emu = Emulator::start().await.expect("emulator");
    let err = csms(&emu)
        .batch_delete_secrets()
        .delete_without_instance_id_i_understand_this_is_irreversible()
        .send()
        .await
        .expect("sent")
        .into_error()
        .expect("the emulator refuses unfiltered deletes");
    assert_eq!(err.kind(), ErrorKind::Service);
    assert_eq!(err.status(), Some(400));
    assert_eq!(err.code(), Some("CSMS.0005"));
    assert!(err.request_id().is_some());
    assert_eq!(emu.requests().len(), 1, "a 400 is not retried");
    assert_eq!(names(&emu).len(), 4);
}
