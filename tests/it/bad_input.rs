//! Bad input and bad configuration: each case is a typed `cert_common::Error` (kind
//! `InvalidInput`, or `Config` for configuration) and no request reaches the emulator.

use std::future::Future;
use std::pin::Pin;

use cert_common::{Deleter, Error, ErrorKind};
use cert_emulator::Emulator;
use huawei_csms::InstanceType;
use integration_tests::{
    PROJECT, aliyun, aliyun_key, apig, csms, elb, huawei_key, options, tencent, tencent_key,
};

type Case = Pin<Box<dyn Future<Output = Result<(), Error>> + Send>>;

fn case<F>(f: F) -> Case
where
    F: Future<Output = Result<(), Error>> + Send + 'static,
{
    Box::pin(f)
}

/// A Huawei config for `emu` with another project id.
fn huawei_project(emu: &Emulator, project: &str) -> huawei_elb::Config {
    huawei_elb::Config::builder()
        .endpoint(emu.url())
        .project_id(project)
        .credentials(huawei_key())
        .options(options())
        .env_lookup(|_| None)
        .build()
}

fn strings(ids: &[&str]) -> Vec<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

fn input_cases(emu: &Emulator) -> Vec<(&'static str, Case)> {
    let (elb, apig, csms, tencent, aliyun) =
        (elb(emu), apig(emu), csms(emu), tencent(emu), aliyun(emu));
    let long_project = "0123456789abcdef0123456789abcdef0"; // 33 characters
    let upper_project = "0123456789ABCDEF0123456789ABCDEF";
    let elb_long = huawei_elb::Client::new(huawei_project(emu, long_project)).expect("client");
    let elb_upper = huawei_elb::Client::new(huawei_project(emu, upper_project)).expect("client");
    let elb_slash = huawei_elb::Client::new(huawei_project(emu, "../v3")).expect("client");
    let elb_empty = huawei_elb::Client::new(huawei_project(emu, "")).expect("client");
    let apig_dots = huawei_apig::Client::new(huawei_project(emu, "..")).expect("client");
    let apig_empty = huawei_apig::Client::new(huawei_project(emu, "")).expect("client");
    let csms_empty = huawei_csms::Client::new(huawei_project(emu, "")).expect("client");

    vec![
        // Huawei ELB
        ("elb: no ids", {
            let c = elb.clone();
            case(async move { c.batch_delete_certificates().send().await.map(drop) })
        }),
        ("elb: an empty id", {
            let c = elb.clone();
            case(async move {
                c.batch_delete_certificates()
                    .certificate_ids(["ok", ""])
                    .send()
                    .await
                    .map(drop)
            })
        }),
        ("elb: a blank id", {
            let c = elb.clone();
            case(async move {
                c.batch_delete_certificates()
                    .certificate_id("   ")
                    .send()
                    .await
                    .map(drop)
            })
        }),
        ("elb: project id of 33 characters", {
            let c = elb_long;
            case(async move {
                c.batch_delete_certificates()
                    .certificate_id("x")
                    .send()
                    .await
                    .map(drop)
            })
        }),
        ("elb: project id in upper case", {
            let c = elb_upper;
            case(async move {
                c.batch_delete_certificates()
                    .certificate_id("x")
                    .send()
                    .await
                    .map(drop)
            })
        }),
        ("elb: project id with a path", {
            let c = elb_slash;
            case(async move {
                c.batch_delete_certificates()
                    .certificate_id("x")
                    .send()
                    .await
                    .map(drop)
            })
        }),
        ("elb: empty project id", {
            let c = elb_empty;
            case(async move {
                c.batch_delete_certificates()
                    .certificate_id("x")
                    .send()
                    .await
                    .map(drop)
            })
        }),
        ("elb: Deleter with no ids", {
            let c = elb.clone();
            case(async move { Deleter::delete(&c, &[]).await.map(drop) })
        }),
        // Huawei APIG
        ("apig: no certificate id", {
            let c = apig.clone();
            case(async move { c.delete_certificate().send().await.map(drop) })
        }),
        ("apig: empty certificate id", {
            let c = apig.clone();
            case(async move {
                c.delete_certificate()
                    .certificate_id("")
                    .send()
                    .await
                    .map(drop)
            })
        }),
        ("apig: certificate id ..", {
            let c = apig.clone();
            case(async move {
                c.delete_certificate()
                    .certificate_id("..")
                    .send()
                    .await
                    .map(drop)
            })
        }),
        ("apig: certificate id .", {
            let c = apig.clone();
            case(async move {
                c.delete_certificate()
                    .certificate_id(".")
                    .send()
                    .await
                    .map(drop)
            })
        }),
        ("apig: one bad id among good ones stops the whole batch", {
            let c = apig.clone();
            case(async move {
                c.delete_certificate()
                    .certificate_ids(["a9900000000000000000000000000001", ".."])
                    .send()
                    .await
                    .map(|o| o.into_report())
                    .map(drop)
            })
        }),
        ("apig: Deleter with an empty id", {
            let c = apig.clone();
            case(async move { Deleter::delete(&c, &strings(&["a", ""])).await.map(drop) })
        }),
        ("apig: project id ..", {
            let c = apig_dots;
            case(async move {
                c.delete_certificate()
                    .certificate_id("x")
                    .send()
                    .await
                    .map(drop)
            })
        }),
        ("apig: empty project id", {
            let c = apig_empty;
            case(async move {
                c.delete_certificate()
                    .certificate_id("x")
                    .send()
                    .await
                    .map(drop)
            })
        }),
        ("apig: delete_many with no ids", {
            let c = apig.clone();
            case(async move {
                c.delete_certificate()
                    .certificate_ids(Vec::<String>::new())
                    .send()
                    .await
                    .map(|o| o.into_report())
                    .map(drop)
            })
        }),
        ("apig: Deleter with no ids", {
            let c = apig.clone();
            case(async move { Deleter::delete(&c, &[]).await.map(drop) })
        }),
        // Huawei CSMS
        ("csms: no instance id, no opt-in", {
            let c = csms.clone();
            case(async move { c.batch_delete_secrets().send().await.map(drop) })
        }),
        ("csms: only an instance type, no opt-in", {
            let c = csms.clone();
            case(async move {
                c.batch_delete_secrets()
                    .instance_type(InstanceType::Rds)
                    .send()
                    .await
                    .map(drop)
            })
        }),
        ("csms: empty instance id", {
            let c = csms.clone();
            case(async move {
                c.batch_delete_secrets()
                    .instance_id("")
                    .send()
                    .await
                    .map(drop)
            })
        }),
        ("csms: blank instance id, even with the opt-in", {
            let c = csms.clone();
            case(async move {
                c.batch_delete_secrets()
                    .instance_id("  ")
                    .delete_without_instance_id_i_understand_this_is_irreversible()
                    .send()
                    .await
                    .map(drop)
            })
        }),
        ("csms: empty project id", {
            let c = csms_empty;
            case(async move {
                c.batch_delete_secrets()
                    .instance_id("rds-instance-0001")
                    .send()
                    .await
                    .map(drop)
            })
        }),
        // Tencent SSL
        ("tencent: no ids", {
            let c = tencent.clone();
            case(async move { c.batch_delete_csr().send().await.map(drop) })
        }),
        ("tencent: Deleter with no ids", {
            let c = tencent.clone();
            case(async move { Deleter::delete(&c, &[]).await.map(drop) })
        }),
        ("tencent: Deleter with a non-integer id", {
            let c = tencent.clone();
            case(async move {
                Deleter::delete(&c, &strings(&["11", "abc"]))
                    .await
                    .map(drop)
            })
        }),
        ("tencent: Deleter with a negative id", {
            let c = tencent.clone();
            case(async move { Deleter::delete(&c, &strings(&["-11"])).await.map(drop) })
        }),
        ("tencent: Deleter with a decimal id", {
            let c = tencent.clone();
            case(async move { Deleter::delete(&c, &strings(&["1.5"])).await.map(drop) })
        }),
        ("tencent: Deleter with an id beyond u64", {
            let c = tencent.clone();
            case(async move {
                Deleter::delete(&c, &strings(&["18446744073709551616"]))
                    .await
                    .map(drop)
            })
        }),
        // Alibaba Cloud CAS
        ("aliyun: no certificate id", {
            let c = aliyun.clone();
            case(async move { c.delete_user_certificate().send().await.map(drop) })
        }),
        ("aliyun: delete_many with no ids", {
            let c = aliyun.clone();
            case(async move {
                c.delete_user_certificate()
                    .cert_ids([])
                    .send()
                    .await
                    .map(|o| o.into_report())
                    .map(drop)
            })
        }),
        ("aliyun: Deleter with no ids", {
            let c = aliyun.clone();
            case(async move { Deleter::delete(&c, &[]).await.map(drop) })
        }),
        ("aliyun: Deleter with a non-integer id", {
            let c = aliyun.clone();
            case(async move {
                Deleter::delete(&c, &strings(&["1001", "cert-7"]))
                    .await
                    .map(drop)
            })
        }),
        ("aliyun: client token of 65 characters", {
            let c = aliyun.clone();
            case(async move {
                c.delete_user_certificate()
                    .cert_id(1001)
                    .client_token("t".repeat(65))
                    .send()
                    .await
                    .map(drop)
            })
        }),
        ("aliyun: non-ASCII client token", {
            let c = aliyun.clone();
            case(async move {
                c.delete_user_certificate()
                    .cert_id(1001)
                    .client_token("jeton-été")
                    .send()
                    .await
                    .map(drop)
            })
        }),
    ]
}

#[tokio::test]
async fn malformed_input_is_invalid_input_and_sends_nothing() {
    let emu = Emulator::start().await.expect("emulator");
    let cases = input_cases(&emu);
    assert!(cases.len() >= 20);
    for (name, run) in cases {
        let err = run.await.expect_err(name);
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{name}: {err}");
        assert!(
            emu.requests().is_empty(),
            "{name}: a request reached the emulator"
        );
    }
    // Plans refuse the same input without sending.
    assert!(elb(&emu).plan(&[]).is_err());
    assert!(apig(&emu).plan(&strings(&[".."])).is_err());
    assert!(tencent(&emu).plan(&strings(&["x"])).is_err());
    assert!(aliyun(&emu).plan(&strings(&["x"])).is_err());
    assert!(emu.requests().is_empty());
    // Nothing was deleted.
    assert_eq!(emu.elb_certificates(PROJECT).len(), 5);
    assert_eq!(emu.apig_certificates(PROJECT).len(), 3);
    assert_eq!(emu.csms_secrets(PROJECT).len(), 4);
    assert_eq!(emu.tencent_csrs().len(), 5);
    assert_eq!(emu.aliyun_certificates().len(), 4);
}

fn huawei(
    endpoint: Option<&str>,
    region: Option<&str>,
    project: Option<&str>,
) -> Result<(), Error> {
    let mut b = huawei_elb::Config::builder()
        .credentials(huawei_key())
        .env_lookup(|_| None);
    if let Some(e) = endpoint {
        b = b.endpoint(e);
    }
    if let Some(r) = region {
        b = b.region(r);
    }
    if let Some(p) = project {
        b = b.project_id(p);
    }
    let config = b.build();
    huawei_elb::Client::new(config.clone()).map(drop)?;
    huawei_apig::Client::new(config.clone()).map(drop)?;
    huawei_csms::Client::new(config).map(drop)
}

fn tencent_config(endpoint: Option<&str>, region: Option<&str>) -> Result<(), Error> {
    let mut b = tencent_ssl::Config::builder().credentials(tencent_key());
    if let Some(e) = endpoint {
        b = b.endpoint(e);
    }
    if let Some(r) = region {
        b = b.region(r);
    }
    tencent_ssl::Client::new(b.build()).map(drop)
}

fn aliyun_config(endpoint: Option<&str>, region: Option<&str>) -> Result<(), Error> {
    let mut b = aliyun_cas::Config::builder().credentials(aliyun_key());
    if let Some(e) = endpoint {
        b = b.endpoint(e);
    }
    if let Some(r) = region {
        b = b.region(r);
    }
    aliyun_cas::Client::new(b.build()).map(drop)
}

#[tokio::test]
async fn bad_configuration_is_a_config_error_before_anything_is_sent() {
    let emu = Emulator::start().await.expect("emulator");
    let url = emu.url();
    let with_path = format!("{url}/v3");
    let with_user = url.replace("http://", "http://user@");
    let p = Some(PROJECT);
    let cases: Vec<(&str, Result<(), Error>)> = vec![
        (
            "huawei: ftp endpoint",
            huawei(Some("ftp://127.0.0.1:1"), None, p),
        ),
        (
            "huawei: port out of range",
            huawei(Some("http://127.0.0.1:99999"), None, p),
        ),
        (
            "huawei: endpoint with a path",
            huawei(Some(&with_path), None, p),
        ),
        (
            "huawei: endpoint with user info",
            huawei(Some(&with_user), None, p),
        ),
        (
            "huawei: endpoint without a host",
            huawei(Some("http://"), None, p),
        ),
        ("huawei: neither region nor endpoint", huawei(None, None, p)),
        (
            "huawei: region with spaces",
            huawei(None, Some("cn north 4"), p),
        ),
        (
            "huawei: region in upper case",
            huawei(None, Some("CN-NORTH-4"), p),
        ),
        ("huawei: empty region", huawei(None, Some(""), p)),
        (
            "huawei: no project id anywhere",
            huawei(Some(&url), None, None),
        ),
        (
            "tencent: endpoint without a host",
            tencent_config(Some("http://"), None),
        ),
        (
            "tencent: endpoint with a query",
            tencent_config(Some("http://127.0.0.1:1?x=1"), None),
        ),
        (
            "tencent: region with a slash",
            tencent_config(Some(&url), Some("ap-guangzhou/x")),
        ),
        (
            "aliyun: neither region nor endpoint",
            aliyun_config(None, None),
        ),
        (
            "aliyun: region with an underscore",
            aliyun_config(None, Some("cn_hangzhou")),
        ),
        ("aliyun: empty region", aliyun_config(None, Some(""))),
        (
            "aliyun: endpoint with user info",
            aliyun_config(Some(&with_user), None),
        ),
        (
            "aliyun: endpoint with a bad scheme",
            aliyun_config(Some("gopher://x"), None),
        ),
    ];
    for (name, result) in cases {
        let err = result.expect_err(name);
        assert_eq!(err.kind(), ErrorKind::Config, "{name}: {err}");
    }
    assert!(emu.requests().is_empty());
}

#[test]
fn a_well_formed_region_without_a_table_entry_uses_the_documented_pattern() {
    // Not an error: the vendors add regions faster than tables; an override covers the rest.
    let elb = huawei_elb::Client::new(
        huawei_elb::Config::builder()
            .region("xx-nowhere-9")
            .project_id(PROJECT)
            .credentials(huawei_key())
            .env_lookup(|_| None)
            .build(),
    )
    .expect("client");
    assert_eq!(elb.endpoint().host(), "elb.xx-nowhere-9.myhuaweicloud.com");
    assert_eq!(elb.endpoint().scheme(), "https");
    let cas = aliyun_cas::Client::new(
        aliyun_cas::Config::builder()
            .region("xx-nowhere-9")
            .credentials(aliyun_key())
            .build(),
    )
    .expect("client");
    assert_eq!(cas.endpoint().host(), "cas.xx-nowhere-9.aliyuncs.com");
}

/// Known gap, reported: `huawei-elb` checks the project id against the documented form (1 to
/// 32 digits and lowercase letters) before sending, but `huawei-apig` and `huawei-csms` only
/// check that it is not empty, so a malformed project id is sent and refused by the server
/// (the emulator answers 400 `APIG.2012` / `CSMS.0005`). Their generated specs carry no such
/// limit; the fix belongs in their `spec/*.json` and `cargo xtask codegen`.
#[tokio::test]
async fn apig_and_csms_refuse_a_malformed_project_id_before_sending() {
    let emu = Emulator::start().await.expect("emulator");
    for project in ["0123456789abcdef0123456789abcdef0", "0123456789ABCDEF"] {
        let apig = huawei_apig::Client::new(huawei_project(&emu, project)).expect("client");
        let err = apig
            .delete_certificate()
            .certificate_id("x")
            .send()
            .await
            .map(|o| o.report().items()[0].outcome.clone());
        assert_eq!(
            err.map_err(|e| e.kind()),
            Err(ErrorKind::InvalidInput),
            "apig {project}"
        );
        let csms = huawei_csms::Client::new(huawei_project(&emu, project)).expect("client");
        let err = csms
            .batch_delete_secrets()
            .instance_id("rds-instance-0001")
            .send()
            .await
            .map(drop);
        assert_eq!(
            err.map_err(|e| e.kind()),
            Err(ErrorKind::InvalidInput),
            "csms {project}"
        );
    }
    assert!(emu.requests().is_empty());
}
