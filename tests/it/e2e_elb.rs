//! Huawei ELB `BatchDeleteCertificates` end to end.

use cert_emulator::{Api, Decision, Emulator};
use integration_tests::{PROJECT, assert_agrees_with_state, assert_one_outcome_per_id, elb, shape};

fn id(n: u32) -> String {
    format!("e1b{n:029}")
}

#[tokio::test]
async fn deletes_present_ids_reports_absent_ones_and_the_state_agrees() {
    let emu = Emulator::start().await.expect("emulator");
    let before = emu.elb_certificates(PROJECT);
    let requested = vec![id(1), id(2), id(99), id(1)];

    let out = elb(&emu)
        .batch_delete_certificates()
        .certificate_ids(requested.clone())
        .send()
        .await
        .expect("sent");

    assert!(out.error().is_none(), "{:?}", out.error());
    assert_one_outcome_per_id(out.report(), &requested);
    assert_eq!(
        shape(out.report()),
        [(id(1), "deleted"), (id(2), "deleted"), (id(99), "absent")]
    );
    assert!(out.request_id().is_some());
    assert!(
        out.report()
            .items()
            .iter()
            .all(|i| i.request_id.as_deref() == out.request_id())
    );
    assert!(out.unexpected_ids().is_empty());
    assert_eq!(out.attempts(), 1);
    assert_eq!(emu.elb_certificates(PROJECT), [id(3), id(4), id(5)]);
    let now = emu.elb_certificates(PROJECT);
    let a = assert_agrees_with_state(out.report(), |i| before.contains(i), |i| now.contains(i));
    assert_eq!((a.deleted, a.absent), (2, 1));

    // One request, repeated id sent once, accepted.
    let log = emu.requests();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].api, Some(Api::Elb));
    assert_eq!(log[0].decision, Decision::Accepted);
    assert_eq!(
        log[0].path,
        format!("/v3/{PROJECT}/elb/certificates/batch-delete")
    );

    // A second delete of the same ids: everything is absent now, nothing else changes.
    let again = elb(&emu)
        .batch_delete_certificates()
        .certificate_ids([id(1), id(2)])
        .send()
        .await
        .expect("sent");
    assert_eq!(
        shape(again.report()),
        [(id(1), "absent"), (id(2), "absent")]
    );
    assert_eq!(emu.elb_certificates(PROJECT), [id(3), id(4), id(5)]);
}

#[tokio::test]
async fn deletes_in_another_project_only_there() {
    let emu = Emulator::start().await.expect("emulator");
    let other = "fedcba9876543210fedcba9876543210";
    emu.seed_elb_certificates(other, ["x-1", "x-2"]);
    let config = huawei_elb::Config::builder()
        .endpoint(emu.url())
        .project_id(other)
        .credentials(integration_tests::huawei_key())
        .options(integration_tests::options())
        .env_lookup(|_| None)
        .build();
    let client = huawei_elb::Client::new(config).expect("client");
    let out = client
        .batch_delete_certificates()
        .certificate_ids(["x-1", &id(1)])
        .send()
        .await
        .expect("sent");
    assert_eq!(
        shape(out.report()),
        [("x-1".to_string(), "deleted"), (id(1), "absent")]
    );
    assert_eq!(emu.elb_certificates(other), ["x-2"]);
    assert_eq!(
        emu.elb_certificates(PROJECT).len(),
        5,
        "the other project is untouched"
    );
}
