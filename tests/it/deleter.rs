//! The provider-neutral `cert_common::Deleter` view: the same scenario through ELB, APIG,
//! Tencent and Aliyun gives reports of the same shape.

use cert_common::Deleter;
use cert_emulator::{AliyunCertificate, ApigCertificate, Emulator, Seed};
use integration_tests::{PROJECT, aliyun, apig, elb, shape, tencent};

/// Two existing ids (the first repeated) and one that never existed, as each provider spells
/// its ids.
struct Scenario {
    deleter: Box<dyn Deleter>,
    name: &'static str,
    present: [&'static str; 2],
    missing: &'static str,
}

async fn scenarios(emu: &Emulator) -> Vec<Scenario> {
    emu.seed_elb_certificates(PROJECT, ["elb-a", "elb-b"]);
    emu.seed_apig_certificate(PROJECT, ApigCertificate::unbound("apig-a"));
    emu.seed_apig_certificate(PROJECT, ApigCertificate::unbound("apig-b"));
    emu.seed_tencent_csrs([101, 102]);
    for id in [201, 202] {
        emu.seed_aliyun_certificate(AliyunCertificate {
            id,
            in_use_by: vec![],
        });
    }
    vec![
        Scenario {
            deleter: Box::new(elb(emu)),
            name: "huawei-elb",
            present: ["elb-a", "elb-b"],
            missing: "elb-zzz",
        },
        Scenario {
            deleter: Box::new(apig(emu)),
            name: "huawei-apig",
            present: ["apig-a", "apig-b"],
            missing: "apig-zzz",
        },
        Scenario {
            deleter: Box::new(tencent(emu)),
            name: "tencent-ssl",
            present: ["101", "102"],
            missing: "999",
        },
        Scenario {
            deleter: Box::new(aliyun(emu)),
            name: "aliyun-cas",
            present: ["201", "202"],
            missing: "999",
        },
    ]
}

#[tokio::test]
async fn the_four_deleters_report_the_same_shape() {
    let emu = Emulator::builder()
        .seed(Seed::empty())
        .start()
        .await
        .expect("emulator");
    let mut shapes = Vec::new();
    for s in scenarios(&emu).await {
        assert_eq!(s.deleter.name(), s.name);
        let ids: Vec<String> = [s.present[0], s.present[1], s.missing, s.present[0]]
            .map(String::from)
            .to_vec();

        let before = emu.requests().len();
        let plan = s.deleter.plan(&ids).expect("plan");
        let planned: Vec<String> = plan.iter().flat_map(|p| p.ids.clone()).collect();
        assert_eq!(
            planned,
            ids[..3],
            "{}: each distinct id planned once",
            s.name
        );
        assert_eq!(
            emu.requests().len(),
            before,
            "{}: plan sends nothing",
            s.name
        );

        let report = s.deleter.delete(&ids).await.expect("sent");
        let outcomes: Vec<&str> = shape(&report).into_iter().map(|(_, o)| o).collect();
        let reported: Vec<String> = shape(&report).into_iter().map(|(id, _)| id).collect();
        assert_eq!(
            reported,
            ids[..3],
            "{}: ids as given, once each, in order",
            s.name
        );
        assert!(
            report.items().iter().all(|i| i.request_id.is_some()),
            "{}",
            s.name
        );
        shapes.push((s.name, outcomes));
    }
    // Identical, except where the API has no documented "no such resource" answer:
    // Tencent lists only what it deleted (so a missing id is unconfirmed), and Aliyun CAS
    // documents no not-found code (so the refusal stays a refusal). See docs/outcomes.md.
    for (name, outcomes) in &shapes {
        let missing = match *name {
            "tencent-ssl" => "unconfirmed",
            "aliyun-cas" => "refused",
            _ => "absent",
        };
        assert_eq!(outcomes, &["deleted", "deleted", missing], "{name}");
    }
    assert!(emu.elb_certificates(PROJECT).is_empty());
    assert!(emu.apig_certificates(PROJECT).is_empty());
    assert!(emu.tencent_csrs().is_empty());
    assert!(emu.aliyun_certificates().is_empty());
}

#[tokio::test]
async fn a_refusal_looks_the_same_through_apig_and_aliyun() {
    let emu = Emulator::start().await.expect("emulator");
    let cases: Vec<(Box<dyn Deleter>, &str, &str)> = vec![
        (
            Box::new(apig(&emu)),
            "a99000000000000000000000000000b1",
            "APIG.3474",
        ),
        (Box::new(aliyun(&emu)), "2001", "InvalidCertificate.InUse"),
    ];
    for (deleter, id, code) in cases {
        let report = deleter.delete(&[id.to_string()]).await.expect("sent");
        let item = &report.items()[0];
        assert_eq!(item.outcome.as_str(), "refused", "{}", deleter.name());
        assert_eq!(item.outcome.code(), Some(code), "{}", deleter.name());
    }
    assert_eq!(emu.apig_certificates(PROJECT).len(), 3);
    assert_eq!(emu.aliyun_certificates().len(), 4);
}
