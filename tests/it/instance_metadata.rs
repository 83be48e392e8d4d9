//! Credentials from the vendors' instance metadata services (the emulator plays them): each
//! provider crate deletes with them end to end; one fetch serves a thousand concurrent calls;
//! a run longer than the keys' life loses nothing; keys the server refuses early are replaced
//! once, and the call succeeds.

use std::sync::Arc;
use std::time::Duration;

use cert_common::Provider;
use cert_common::credentials::Env;
use cert_emulator::{AliyunCertificate, Api, Emulator};
use huawei_csms::InstanceType;
use integration_tests::{PROJECT, options, rejected_with, shape};

/// An environment with only `pairs` (no keys, no HOME): the chain must reach the metadata.
fn env(pairs: &[(&str, String)]) -> Env {
    let m: std::collections::HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    Env::from_fn(move |k| m.get(k).cloned())
}

fn tencent(emu: &Emulator) -> tencent_ssl::Client {
    let config = tencent_ssl::Config::builder()
        .endpoint(emu.url())
        .options(options())
        .env(env(&[("CERT_SDK_TENCENT_METADATA_ENDPOINT", emu.url())]))
        .build();
    tencent_ssl::Client::new(config).expect("client")
}

fn aliyun_env(emu: &Emulator, extra: &[(&str, String)]) -> aliyun_cas::Client {
    let mut pairs = vec![("CERT_SDK_ALIYUN_METADATA_ENDPOINT", emu.url())];
    pairs.extend(extra.iter().cloned());
    let config = aliyun_cas::Config::builder()
        .endpoint(emu.url())
        .options(options())
        .env(env(&pairs))
        .build();
    aliyun_cas::Client::new(config).expect("client")
}

fn aliyun(emu: &Emulator) -> aliyun_cas::Client {
    aliyun_env(emu, &[])
}

fn huawei_config(emu: &Emulator) -> huawei_elb::Config {
    let url = emu.url();
    huawei_elb::Config::builder()
        .endpoint(emu.url())
        .project_id(PROJECT)
        .options(options())
        .env_lookup(move |k| (k == "CERT_SDK_HUAWEI_METADATA_ENDPOINT").then(|| url.clone()))
        .build()
}

fn principals(emu: &Emulator, api: Api) -> Vec<String> {
    emu.requests()
        .into_iter()
        .filter(|r| r.api == Some(api))
        .filter_map(|r| r.principal)
        .collect()
}

#[tokio::test]
async fn tencent_cvm_role_keys_delete_end_to_end() {
    let emu = Emulator::start().await.expect("emulator");
    let out = tencent(&emu)
        .batch_delete_csr()
        .csr_ids([11, 22])
        .send()
        .await
        .expect("sent");
    assert_eq!(
        shape(out.report()),
        [("11".to_string(), "deleted"), ("22".to_string(), "deleted")]
    );
    assert_eq!(emu.metadata_keys_issued(Provider::Tencent), 1);
    let p = principals(&emu, Api::TencentSsl);
    assert!(p.len() == 1 && p[0].starts_with("AKIDEMUCVM"), "{p:?}");
}

#[tokio::test]
async fn aliyun_ecs_ram_role_keys_delete_end_to_end_with_imdsv2() {
    let emu = Emulator::start().await.expect("emulator");
    // IMDSv2 only: the SDK must fetch and send a metadata token.
    emu.set_metadata_tokens_required(true);
    aliyun(&emu)
        .delete_user_certificate()
        .cert_id(7562353)
        .send()
        .await
        .expect("deleted");
    assert!(!emu.aliyun_certificates().iter().any(|c| c.id == 7562353));
    assert_eq!(emu.metadata_keys_issued(Provider::Aliyun), 1);
    let p = principals(&emu, Api::AliyunCas);
    assert!(p.len() == 1 && p[0].starts_with("STS.EMUECS"), "{p:?}");
}

#[tokio::test]
async fn aliyun_switches_turn_the_role_off_or_refuse_imdsv1() {
    let emu = Emulator::start().await.expect("emulator");
    let off = aliyun_env(
        &emu,
        &[("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true".into())],
    )
    .delete_user_certificate()
    .cert_id(7562353)
    .send()
    .await
    .expect_err("no credentials anywhere");
    assert!(
        off.message()
            .contains("ALIBABA_CLOUD_ECS_METADATA_DISABLED"),
        "{off}"
    );
    // A role named by ALIBABA_CLOUD_ECS_METADATA that the instance lacks: an error, not a
    // fall-through.
    let wrong = aliyun_env(
        &emu,
        &[("ALIBABA_CLOUD_ECS_METADATA", "no-such-role".into())],
    )
    .delete_user_certificate()
    .cert_id(7562353)
    .send()
    .await
    .expect_err("unknown role");
    assert!(
        wrong
            .message()
            .contains("HTTP 404 for the role no-such-role"),
        "{wrong}"
    );
    assert!(emu.aliyun_certificates().iter().any(|c| c.id == 7562353));
    assert_eq!(emu.metadata_keys_issued(Provider::Aliyun), 0);
}

#[tokio::test]
async fn huawei_agency_keys_delete_on_elb_apig_and_csms() {
    let emu = Emulator::start().await.expect("emulator");
    emu.set_metadata_tokens_required(true);
    let config = huawei_config(&emu);
    let elb = huawei_elb::Client::new(config.clone()).expect("client");
    let out = elb
        .batch_delete_certificates()
        .certificate_id("e1b00000000000000000000000000001")
        .send()
        .await
        .expect("sent");
    assert_eq!(
        shape(out.report()),
        [("e1b00000000000000000000000000001".to_string(), "deleted")]
    );
    let apig = huawei_apig::Client::new(config.clone()).expect("client");
    let out = apig
        .delete_certificate()
        .certificate_id("a9900000000000000000000000000001")
        .send()
        .await
        .expect("deleted");
    assert_eq!(
        out.report().items()[0].outcome,
        cert_common::Outcome::Deleted
    );
    let csms = huawei_csms::Client::new(config).expect("client");
    let out = csms
        .batch_delete_secrets()
        .instance_id("apig-instance-0001")
        .instance_type(InstanceType::Apig)
        .send()
        .await
        .expect("deleted");
    assert_eq!(out.deleted, ["apig-secret-1"]);
    // Three clients, three caches: one key each.
    assert_eq!(emu.metadata_keys_issued(Provider::Huawei), 3);
    for api in [Api::Elb, Api::Apig, Api::Csms] {
        let p = principals(&emu, api);
        assert!(
            p.len() == 1 && p[0].starts_with("EMUAGENCY"),
            "{api:?} {p:?}"
        );
    }
}

#[tokio::test]
async fn an_instance_without_a_role_falls_through_to_a_clear_error() {
    let emu = Emulator::start().await.expect("emulator");
    emu.set_instance_role(Provider::Tencent, false);
    let e = tencent(&emu)
        .batch_delete_csr()
        .csr_ids([11])
        .send()
        .await
        .expect_err("no credentials");
    assert!(e.message().contains("no role is attached"), "{e}");
    assert!(e.message().contains("TENCENTCLOUD_SECRET_ID"), "{e}");
    assert!(emu.tencent_csrs().contains(&11));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_calls_make_one_metadata_fetch() {
    let emu = Emulator::builder()
        .no_rate_limits()
        .start()
        .await
        .expect("emulator");
    let client = Arc::new(aliyun(&emu));
    let calls: Vec<_> = (0..1000)
        .map(|i| {
            let client = client.clone();
            tokio::spawn(async move {
                client
                    .delete_user_certificate()
                    .cert_id(900_000 + i)
                    .send()
                    .await
                    .map(|o| o.into_error().and_then(|e| e.code().map(str::to_string)))
                    .map_err(|e| e.code().map(str::to_string))
            })
        })
        .collect();
    for c in calls {
        let answer = c.await.expect("task");
        assert_eq!(
            answer,
            Ok(Some("InvalidCertificate.NotFound".to_string())),
            "every call is authenticated and answered"
        );
    }
    assert_eq!(emu.metadata_keys_issued(Provider::Aliyun), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_longer_than_the_keys_life_deletes_every_id_and_none_is_refused() {
    // Keys live 2 s; the run takes about 4 s (400 ids, one per call, 100 a second).
    let emu = Emulator::builder()
        .temporary_key_lifetime(Duration::from_secs(2))
        .rate_limit(Api::AliyunCas, Some(100))
        .start()
        .await
        .expect("emulator");
    let ids: Vec<i64> = (0..400).map(|i| 5_000_000 + i).collect();
    for &id in &ids {
        emu.seed_aliyun_certificate(AliyunCertificate {
            id,
            in_use_by: Vec::new(),
        });
    }
    let client = aliyun(&emu);
    let started = std::time::Instant::now();
    for &id in &ids {
        let mut tries = 0;
        loop {
            tries += 1;
            // The emulator's 100/s limit may throttle past the client's own retries; any
            // other failure fails the test.
            match client.delete_user_certificate().cert_id(id).send().await {
                Ok(_) => break,
                Err(e) if e.is_throttling() && tries < 5 => continue,
                Err(e) => panic!("{id}: {e}"),
            }
        }
    }
    assert!(
        started.elapsed() > Duration::from_secs(3),
        "the run must outlive the keys: {:?}",
        started.elapsed()
    );
    let left: Vec<i64> = emu
        .aliyun_certificates()
        .iter()
        .map(|c| c.id)
        .filter(|id| ids.contains(id))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    assert_eq!(rejected_with(&emu, "InvalidSecurityToken.Expired"), 0);
    assert!(emu.metadata_keys_issued(Provider::Aliyun) >= 3);
}

#[tokio::test]
async fn keys_refused_early_are_replaced_once_and_the_call_succeeds() {
    let emu = Emulator::start().await.expect("emulator");
    let client = tencent(&emu);
    let first = client
        .batch_delete_csr()
        .csr_ids([11])
        .send()
        .await
        .expect("sent");
    assert_eq!(shape(first.report()), [("11".to_string(), "deleted")]);
    // The server stops accepting the cached keys before their stated expiry.
    emu.expire_temporary_keys();
    let second = client
        .batch_delete_csr()
        .csr_ids([22])
        .send()
        .await
        .expect("sent");
    assert_eq!(shape(second.report()), [("22".to_string(), "deleted")]);
    assert_eq!(rejected_with(&emu, "AuthFailure.TokenFailure"), 1);
    assert_eq!(emu.metadata_keys_issued(Provider::Tencent), 2);
    // Refused again after the refresh: the error stands (one refresh per call, not a loop).
    emu.set_instance_role(Provider::Tencent, true);
    emu.expire_temporary_keys();
    emu.set_temporary_key_lifetime(Duration::from_secs(0));
    let third = client.batch_delete_csr().csr_ids([33]).send().await;
    let refused = match third {
        Err(e) => e.kind() == cert_common::ErrorKind::Credentials,
        Ok(o) => shape(o.report())[0].1 != "deleted",
    };
    assert!(refused);
    assert!(emu.tencent_csrs().contains(&33));
    assert_eq!(emu.metadata_keys_issued(Provider::Tencent), 3);
}

#[tokio::test]
async fn an_aliyun_ecs_ram_role_profile_names_the_role() {
    let emu = Emulator::start().await.expect("emulator");
    let home = std::env::temp_dir().join(format!("it-ecs-profile-{}", std::process::id()));
    std::fs::create_dir_all(home.join(".alibabacloud")).expect("dir");
    std::fs::write(
        home.join(".alibabacloud/credentials"),
        format!(
            "[default]\ntype = ecs_ram_role\nrole_name = {}\n[wrong]\ntype = ecs_ram_role\nrole_name = nope\n",
            cert_emulator::metadata::ALIYUN_ECS_ROLE
        ),
    )
    .expect("write");
    let home = home.display().to_string();
    aliyun_env(&emu, &[("HOME", home.clone())])
        .delete_user_certificate()
        .cert_id(1001)
        .send()
        .await
        .expect("deleted");
    let p = principals(&emu, Api::AliyunCas);
    assert!(p.len() == 1 && p[0].starts_with("STS.EMUECS"), "{p:?}");
    let e = aliyun_env(
        &emu,
        &[("HOME", home), ("ALIBABA_CLOUD_PROFILE", "wrong".into())],
    )
    .delete_user_certificate()
    .cert_id(1002)
    .send()
    .await
    .expect_err("no such role");
    assert!(e.message().contains("HTTP 404 for the role nope"), "{e}");
}
