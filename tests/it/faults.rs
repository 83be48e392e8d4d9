//! Faults: with about 20% of requests failing in every way the emulator can inject (statuses,
//! internal errors, connections closed before and after the delete took effect, malformed
//! bodies, delays), every crate's report still names each requested id exactly once and never
//! claims more than the server did. Several deterministic seeds.

use std::collections::HashSet;

use cert_common::ClientOptions;
use cert_emulator::{AliyunCertificate, ApigCertificate, Chaos, CsmsSecret, Emulator, Fault, Seed};
use integration_tests::{
    Agreement, PROJECT, aliyun_key, aliyun_with, apig_with, assert_agrees_with_state,
    assert_one_outcome_per_id, csms_with, elb_with, fast_retry, huawei_key, tencent_key,
    tencent_with,
};

const SEEDS: [u64; 4] = [1, 7, 42, 2024];

fn chaos_options() -> ClientOptions {
    // No pacing: the server's rate limits are off too; this is about faults, not throttling.
    ClientOptions::default()
        .retry(fast_retry(4))
        .rate_limit(cert_common::RateLimit::Off)
}

async fn chaotic_emulator(seed: u64) -> Emulator {
    let emu = Emulator::builder()
        .seed(Seed::empty())
        .no_rate_limits()
        .start()
        .await
        .expect("emulator");
    emu.set_chaos_all(Chaos::new(0.2, seed));
    emu
}

/// Requests whose delete took effect but whose answer was lost (connection closed after the
/// effect, or a malformed body): the hard case for an honest report.
fn effect_without_answer(emu: &Emulator) -> usize {
    emu.requests()
        .iter()
        .filter(|r| {
            matches!(
                r.fault,
                Some(Fault::CloseAfterEffect | Fault::MalformedBody)
            )
        })
        .count()
}

fn add(total: &mut Agreement, a: Agreement) {
    total.deleted += a.deleted;
    total.absent += a.absent;
    total.refused += a.refused;
    total.unconfirmed_gone += a.unconfirmed_gone;
    total.unconfirmed_kept += a.unconfirmed_kept;
}

/// Requests `present` plus some ids that never existed, in chunks of `chunk`, each chunk with
/// one id repeated.
fn chunks_with_repeats<T: Clone>(all: &[T], chunk: usize) -> Vec<Vec<T>> {
    all.chunks(chunk)
        .map(|c| {
            let mut v = c.to_vec();
            v.push(c[0].clone());
            v
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn elb_reports_agree_with_the_state_under_faults() {
    let mut hard = 0;
    for seed in SEEDS {
        let emu = chaotic_emulator(seed).await;
        let present: Vec<String> = (0..40).map(|i| format!("elb-{i:02}")).collect();
        emu.seed_elb_certificates(PROJECT, present.clone());
        let mut all = present.clone();
        all.extend((0..8).map(|i| format!("never-{i}")));
        let client = elb_with(&emu, huawei_key(), chaos_options());
        let mut total = Agreement::default();
        for ids in chunks_with_repeats(&all, 4) {
            let out = client
                .batch_delete_certificates()
                .certificate_ids(ids.clone())
                .send()
                .await
                .expect("sent");
            assert_one_outcome_per_id(out.report(), &ids);
            let now: HashSet<String> = emu.elb_certificates(PROJECT).into_iter().collect();
            add(
                &mut total,
                assert_agrees_with_state(
                    out.report(),
                    |i| present.contains(i),
                    |i| now.contains(i),
                ),
            );
        }
        assert!(total.deleted > 0, "seed {seed}: {total:?}");
        hard += effect_without_answer(&emu);
        let faults = emu.requests().iter().filter(|r| r.fault.is_some()).count();
        assert!(faults > 0, "seed {seed}: no fault was injected");
    }
    assert!(
        hard > 0,
        "no delete took effect without an answer: the hard case was not exercised"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apig_reports_agree_with_the_state_under_faults() {
    let mut hard = 0;
    for seed in SEEDS {
        let emu = chaotic_emulator(seed).await;
        let mut present = Vec::new();
        for i in 0..30 {
            let id = format!("apig-{i:02}");
            emu.seed_apig_certificate(PROJECT, ApigCertificate::unbound(id.clone()));
            present.push(id);
        }
        for i in 0..4 {
            let id = format!("bound-{i}");
            emu.seed_apig_certificate(
                PROJECT,
                ApigCertificate {
                    id: id.clone(),
                    domains: vec!["api.example.com".into()],
                },
            );
            present.push(id);
        }
        let mut all = present.clone();
        all.extend((0..4).map(|i| format!("never-{i}")));
        all.push(all[0].clone());
        let report = apig_with(&emu, huawei_key(), chaos_options().max_concurrency(4))
            .delete_certificate()
            .certificate_ids(all.clone())
            .send()
            .await
            .expect("sent")
            .into_report();
        assert_one_outcome_per_id(&report, &all);
        let now: HashSet<String> = emu
            .apig_certificates(PROJECT)
            .into_iter()
            .map(|c| c.id)
            .collect();
        let a = assert_agrees_with_state(&report, |i| present.contains(i), |i| now.contains(i));
        assert!(a.deleted > 0, "seed {seed}: {a:?}");
        hard += effect_without_answer(&emu);
        // Bound certificates are never deleted, whatever the faults.
        assert!(
            (0..4).all(|i| now.contains(&format!("bound-{i}"))),
            "seed {seed}"
        );
    }
    assert!(
        hard > 0,
        "no delete took effect without an answer: the hard case was not exercised"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tencent_reports_agree_with_the_state_under_faults() {
    let mut hard = 0;
    for seed in SEEDS {
        let emu = chaotic_emulator(seed).await;
        let present: Vec<u64> = (1..=300).collect();
        emu.seed_tencent_csrs(present.clone());
        let mut all = present.clone();
        all.extend(9001..=9020);
        let client = tencent_with(&emu, tencent_key(), chaos_options());
        let mut total = Agreement::default();
        for ids in chunks_with_repeats(&all, 16) {
            let out = client
                .batch_delete_csr()
                .csr_ids(ids.clone())
                .send()
                .await
                .expect("sent");
            assert_one_outcome_per_id(out.report(), &ids);
            let now: HashSet<u64> = emu.tencent_csrs().into_iter().collect();
            add(
                &mut total,
                assert_agrees_with_state(
                    out.report(),
                    |i| present.contains(i),
                    |i| now.contains(i),
                ),
            );
        }
        // And one call large enough to be split, over everything again: ids the earlier
        // calls deleted are not listed in `Success` now, so they cannot be claimed twice.
        let before: HashSet<u64> = emu.tencent_csrs().into_iter().collect();
        let out = client
            .batch_delete_csr()
            .csr_ids(all.clone())
            .send()
            .await
            .expect("sent");
        assert_eq!(out.requests().len(), 4);
        assert_one_outcome_per_id(out.report(), &all);
        let now: HashSet<u64> = emu.tencent_csrs().into_iter().collect();
        let a = assert_agrees_with_state(out.report(), |i| before.contains(i), |i| now.contains(i));
        assert!(a.deleted <= before.len(), "seed {seed}");
        assert!(total.deleted > 0, "seed {seed}: {total:?}");
        hard += effect_without_answer(&emu);
    }
    assert!(
        hard > 0,
        "no delete took effect without an answer: the hard case was not exercised"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aliyun_reports_agree_with_the_state_under_faults() {
    let mut hard = 0;
    for seed in SEEDS {
        let emu = chaotic_emulator(seed).await;
        let mut present = Vec::new();
        for id in 100..130 {
            emu.seed_aliyun_certificate(AliyunCertificate {
                id,
                in_use_by: vec![],
            });
            present.push(id);
        }
        for id in 200..204 {
            emu.seed_aliyun_certificate(AliyunCertificate {
                id,
                in_use_by: vec!["cdn:www.example.com".into()],
            });
            present.push(id);
        }
        let mut all = present.clone();
        all.extend(900..904);
        all.push(100);
        let report = aliyun_with(&emu, aliyun_key(), chaos_options())
            .delete_user_certificate()
            .cert_ids(all.clone())
            .send()
            .await
            .map(|o| o.into_report())
            .expect("sent");
        assert_one_outcome_per_id(&report, &all);
        let now: HashSet<i64> = emu
            .aliyun_certificates()
            .into_iter()
            .map(|c| c.id)
            .collect();
        let a = assert_agrees_with_state(&report, |i| present.contains(i), |i| now.contains(i));
        assert!(a.deleted > 0, "seed {seed}: {a:?}");
        hard += effect_without_answer(&emu);
        assert!(
            (200..204).all(|i| now.contains(&i)),
            "seed {seed}: in-use kept"
        );
    }
    assert!(
        hard > 0,
        "no delete took effect without an answer: the hard case was not exercised"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csms_reports_agree_with_the_state_under_faults() {
    let mut hard = 0;
    for seed in SEEDS {
        let emu = chaotic_emulator(seed).await;
        for inst in 0..12 {
            for s in 0..3 {
                emu.seed_csms_secret(
                    PROJECT,
                    CsmsSecret::new(format!("s-{inst}-{s}"), format!("inst-{inst}"), "RDS"),
                );
            }
            emu.seed_csms_secret(
                PROJECT,
                CsmsSecret {
                    pending_deletion: true,
                    ..CsmsSecret::new(format!("pending-{inst}"), format!("inst-{inst}"), "RDS")
                },
            );
        }
        let client = csms_with(&emu, huawei_key(), chaos_options());
        let (mut oks, mut errors) = (0, 0);
        for inst in 0..12 {
            let instance = format!("inst-{inst}");
            let before: Vec<String> = names_of(&emu, &instance);
            let result = client
                .batch_delete_secrets()
                .instance_id(&instance)
                .send()
                .await
                .and_then(|out| out.error_for_failure());
            let after: Vec<String> = names_of(&emu, &instance);
            // The pending secret is never deleted.
            assert!(after.contains(&format!("pending-{inst}")), "seed {seed}");
            match result {
                Ok(out) => {
                    oks += 1;
                    for name in &out.deleted {
                        assert!(
                            before.contains(name) && !after.contains(name),
                            "seed {seed}: {name}"
                        );
                    }
                    for f in &out.failed {
                        assert!(
                            after.contains(&f.name),
                            "seed {seed}: failed {} is gone",
                            f.name
                        );
                    }
                    if !out.earlier_attempt_may_have_applied() {
                        let gone: Vec<&String> =
                            before.iter().filter(|n| !after.contains(n)).collect();
                        let mut deleted: Vec<&String> = out.deleted.iter().collect();
                        deleted.sort();
                        assert_eq!(gone, deleted, "seed {seed}: one attempt, exact report");
                    }
                }
                Err(e) => {
                    // An error that says the request cannot have taken effect deleted nothing.
                    if !e.may_have_applied() {
                        assert_eq!(before, after, "seed {seed}: {e}");
                    }
                    errors += 1;
                }
            }
        }
        hard += effect_without_answer(&emu);
        assert!(
            oks > 0,
            "seed {seed}: no delete succeeded ({errors} errors)"
        );
    }
    assert!(
        hard > 0,
        "no delete took effect without an answer: the hard case was not exercised"
    );
}

fn names_of(emu: &Emulator, instance: &str) -> Vec<String> {
    let mut v: Vec<String> = emu
        .csms_secrets(PROJECT)
        .into_iter()
        .filter(|s| s.instance_id == instance)
        .map(|s| s.name)
        .collect();
    v.sort();
    v
}

/// The state check itself catches overclaims (so the tests above can fail).
#[test]
fn the_state_check_catches_overclaims() {
    use cert_common::Outcome;
    use cert_common::outcome::ReportBuilder;
    let report = |o: Outcome| {
        let mut b = ReportBuilder::new(["a".to_string()]);
        b.record(&"a".to_string(), o, None);
        b.finish(Outcome::Absent, None)
    };
    let refused = Outcome::Refused {
        code: None,
        message: "in use".into(),
    };
    let overclaims = [
        (
            "deleted but still there",
            report(Outcome::Deleted),
            true,
            true,
        ),
        (
            "deleted but never existed",
            report(Outcome::Deleted),
            false,
            false,
        ),
        (
            "absent but still there",
            report(Outcome::Absent),
            true,
            true,
        ),
        ("refused but gone", report(refused.clone()), true, false),
    ];
    for (what, r, before, now) in overclaims {
        let caught = std::panic::catch_unwind(|| {
            assert_agrees_with_state(&r, |_| before, |_| now);
        });
        assert!(caught.is_err(), "{what} was not caught");
    }
    // And honest reports pass.
    assert_agrees_with_state(&report(Outcome::Deleted), |_| true, |_| false);
    assert_agrees_with_state(&report(refused), |_| true, |_| true);
}

/// The reconciliation property: for a random fault schedule (probability, seed and the kinds
/// of fault), a bulk delete through each of the per-id and batch crates reports every id
/// exactly once, and the report agrees with the emulator's final state (nothing deleted that
/// the server did not delete; nothing refused that it did). A bounded case count for CI.
mod reconciliation {
    use super::*;
    use proptest::prelude::*;
    use std::time::Duration;

    fn fault_kinds() -> impl Strategy<Value = Vec<Fault>> {
        proptest::sample::subsequence(
            vec![
                Fault::Status(500),
                Fault::Status(503),
                Fault::Status(400),
                Fault::InternalError,
                Fault::CloseBeforeEffect,
                Fault::CloseAfterEffect,
                Fault::Delay(Duration::from_millis(3)),
                Fault::MalformedBody,
            ],
            1..=8,
        )
    }

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime")
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

        #[test]
        fn apig_and_aliyun_and_tencent_reports_agree_with_any_fault_schedule(
            probability in 0.05f64..0.6,
            seed in any::<u64>(),
            faults in fault_kinds(),
        ) {
            runtime().block_on(async {
                let emu = Emulator::builder()
                    .seed(Seed::empty())
                    .no_rate_limits()
                    .start()
                    .await
                    .expect("emulator");
                emu.set_chaos_all(Chaos::new(probability, seed).with_faults(faults.clone()));

                // APIG: one request per id, concurrently.
                let mut present = Vec::new();
                for i in 0..12 {
                    let id = format!("apig-{i:02}");
                    emu.seed_apig_certificate(PROJECT, ApigCertificate::unbound(id.clone()));
                    present.push(id);
                }
                let mut all = present.clone();
                all.push("never-1".into());
                all.push(all[0].clone());
                let report = apig_with(&emu, huawei_key(), chaos_options().max_concurrency(4))
                    .delete_certificate()
                    .certificate_ids(all.clone())
                    .send()
                    .await
                    .expect("sent")
        .into_report();
                assert_one_outcome_per_id(&report, &all);
                let now: HashSet<String> =
                    emu.apig_certificates(PROJECT).into_iter().map(|c| c.id).collect();
                assert_agrees_with_state(&report, |i| present.contains(i), |i| now.contains(i));

                // Tencent: batches.
                let csrs: Vec<u64> = (1..=40).collect();
                emu.seed_tencent_csrs(csrs.clone());
                let mut ids = csrs.clone();
                ids.extend([9001, 9002, 1]);
                let out = tencent_with(&emu, tencent_key(), chaos_options())
                    .batch_delete_csr()
                    .csr_ids(ids.clone())
                    .send()
                    .await
                    .expect("sent");
                assert_one_outcome_per_id(out.report(), &ids);
                let now: HashSet<u64> = emu.tencent_csrs().into_iter().collect();
                assert_agrees_with_state(out.report(), |i| csrs.contains(i), |i| now.contains(i));

                // Aliyun: one request per id with a ClientToken.
                let certs: Vec<i64> = (5001..=5012).collect();
                for id in &certs {
                    emu.seed_aliyun_certificate(AliyunCertificate {
                        id: *id,
                        in_use_by: Vec::new(),
                    });
                }
                let mut ids = certs.clone();
                ids.push(6001);
                let report = aliyun_with(&emu, aliyun_key(), chaos_options())
                    .delete_user_certificate().cert_ids(ids.clone())
                    .send().await.map(|o| o.into_report())
                    .expect("sent");
                assert_one_outcome_per_id(&report, &ids);
                let now: HashSet<i64> = emu.aliyun_certificates().into_iter().map(|c| c.id).collect();
                assert_agrees_with_state(&report, |i| certs.contains(i), |i| now.contains(i));
            });
        }
    }
}
