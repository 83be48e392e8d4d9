//! Tencent SSL `BatchDeleteCSR` end to end.

use cert_emulator::{Api, Decision, Emulator};
use integration_tests::{assert_agrees_with_state, assert_one_outcome_per_id, shape, tencent};

#[tokio::test]
async fn deletes_listed_ids_and_leaves_unlisted_ones_unconfirmed() {
    let emu = Emulator::start().await.expect("emulator");
    let before = emu.tencent_csrs();
    let requested = vec![11, 22, 999, 11];
    let out = tencent(&emu)
        .batch_delete_csr()
        .csr_ids(requested.clone())
        .send()
        .await
        .expect("sent");
    assert_one_outcome_per_id(out.report(), &requested);
    // The API lists deleted ids only; an id it does not list is unconfirmed, never "absent".
    assert_eq!(
        shape(out.report()),
        [
            ("11".to_string(), "deleted"),
            ("22".to_string(), "deleted"),
            ("999".to_string(), "unconfirmed")
        ]
    );
    assert_eq!(out.requests().len(), 1);
    assert_eq!(out.request_ids().len(), 1);
    assert!(out.unexpected_ids().is_empty());
    assert_eq!(emu.tencent_csrs(), [33, 44, 55]);
    let now = emu.tencent_csrs();
    let a = assert_agrees_with_state(out.report(), |i| before.contains(i), |i| now.contains(i));
    assert_eq!((a.deleted, a.unconfirmed_kept), (2, 1));
}

#[tokio::test]
async fn more_than_100_ids_are_split_not_refused() {
    let emu = Emulator::start().await.expect("emulator");
    let ids: Vec<u64> = (1000..1250).collect();
    emu.seed_tencent_csrs(ids.clone());
    let client = tencent(&emu);
    let plan = client
        .batch_delete_csr()
        .csr_ids(ids.clone())
        .plan()
        .expect("plan");
    assert_eq!(
        plan.iter().map(|p| p.ids.len()).collect::<Vec<_>>(),
        [100, 100, 50]
    );
    assert!(emu.requests().is_empty(), "plan sends nothing");

    let out = client
        .batch_delete_csr()
        .csr_ids(ids.clone())
        .send()
        .await
        .expect("sent");
    assert_one_outcome_per_id(out.report(), &ids);
    assert!(
        out.report()
            .items()
            .iter()
            .all(|i| i.outcome.as_str() == "deleted")
    );
    assert_eq!(out.requests().len(), 3);
    assert!(
        out.requests()
            .iter()
            .all(|b| b.error.is_none() && b.attempts == 1)
    );
    let log = emu.requests();
    assert_eq!(log.len(), 3);
    assert!(
        log.iter()
            .all(|r| r.api == Some(Api::TencentSsl) && r.decision == Decision::Accepted)
    );
    assert_eq!(emu.tencent_csrs(), [11, 22, 33, 44, 55]);
}
