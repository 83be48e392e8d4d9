//! `certctl demo`: the emulator in-process, every crate deleting against it, a table per API.

use cert_common::{AccessKey, ClientOptions, Credentials, DeleteReport, Deleter, Error};
use cert_emulator::{Emulator, credentials as c};

use crate::cli::OutputFormat;

fn huawei_config(url: &str) -> huawei_elb::Config {
    huawei_elb::Config::builder()
        .endpoint(url)
        .project_id(c::HUAWEI_PROJECT_ID)
        .credentials(AccessKey::new(c::HUAWEI_AK, c::HUAWEI_SK))
        .options(ClientOptions::default().app_name("certctl-demo"))
        .build()
}

async fn run_one(
    title: &str,
    deleter: &dyn Deleter,
    ids: &[&str],
) -> Result<DeleteReport<String>, Error> {
    let ids: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
    println!("\n== {title}");
    let report = deleter.delete(&ids).await?;
    crate::run::print_report(deleter.name(), &report, OutputFormat::Table);
    Ok(report)
}

/// Runs the demo; returns the exit status (0 when every step behaved as the seeded state says).
pub async fn run() -> u8 {
    match demo().await {
        Ok(()) => crate::report::EXIT_OK,
        Err(e) => {
            eprintln!("certctl demo: {e}");
            crate::report::EXIT_INCOMPLETE
        }
    }
}

async fn demo() -> Result<(), Error> {
    let emulator = Emulator::start()
        .await
        .map_err(|e| Error::config(format!("cannot start the emulator: {e}")))?;
    let url = emulator.url();
    println!(
        "certctl demo: the bundled emulator is listening on {url} (loopback only; no cloud account needed)"
    );
    println!(
        "Each API gets ids that exist, one that does not, and where the API has one, one that is in use."
    );

    let elb = huawei_elb::Client::new(huawei_config(&url))?;
    run_one(
        "Huawei ELB v3: batch delete certificates (two exist, one does not)",
        &elb,
        &[
            "e1b00000000000000000000000000001",
            "e1b00000000000000000000000000002",
            "0000000000000000000000000000dead",
        ],
    )
    .await?;

    let apig = huawei_apig::Client::new(huawei_config(&url))?;
    run_one(
        "Huawei APIG v2: delete SSL certificates (one free, one bound to api.example.com, one absent)",
        &apig,
        &["a9900000000000000000000000000001", "a99000000000000000000000000000b1", "a99000000000000000000000000000ff"],
    )
    .await?;

    let csms = huawei_csms::Client::new(huawei_config(&url))?;
    println!("\n== Huawei CSMS v1: batch delete the secrets of instance rds-instance-0001");
    let out = csms
        .batch_delete_secrets()
        .instance_id("rds-instance-0001")
        .instance_type(huawei_csms::InstanceType::Rds)
        .send()
        .await?
        .error_for_failure()?;
    println!("huawei-csms");
    for name in &out.deleted {
        println!("  {name:<24}  deleted");
    }
    for f in &out.failed {
        println!("  {:<24}  failed       {}", f.name, f.message);
    }

    let tencent = tencent_ssl::Client::new(
        tencent_ssl::Config::builder()
            .endpoint(&url)
            .credentials(AccessKey::new(c::TENCENT_SECRET_ID, c::TENCENT_SECRET_KEY))
            .build(),
    )?;
    run_one(
        "Tencent SSL BatchDeleteCSR (three exist, one does not: the API only lists what it deleted)",
        &tencent,
        &["11", "22", "33", "99"],
    )
    .await?;

    let aliyun = aliyun_cas::Client::new(
        aliyun_cas::Config::builder()
            .endpoint(&url)
            .credentials(Credentials::AccessKey(AccessKey::new(
                c::ALIYUN_ACCESS_KEY_ID,
                c::ALIYUN_ACCESS_KEY_SECRET,
            )))
            .build(),
    )?;
    run_one(
        "Alibaba Cloud CAS DeleteUserCertificate (two free, one in use by a CDN domain, one absent)",
        &aliyun,
        &["7562353", "1001", "2001", "424242"],
    )
    .await?;

    let log = emulator.requests();
    println!(
        "\nThe emulator checked the signature of each of the {} requests it received.",
        log.len()
    );
    emulator.shutdown();
    Ok(())
}
