//! Deletes every secret of one service instance (irreversible) and prints the server's report.
//!
//! ```text
//! HUAWEICLOUD_SDK_AK=... HUAWEICLOUD_SDK_SK=... HUAWEICLOUD_SDK_PROJECT_ID=... \
//! HUAWEICLOUD_SDK_REGION=cn-north-4 \
//! cargo run -p huawei-csms --example batch_delete_secrets -- <instance-id> [RDS|TaurusDB|GaussDB|APIG]
//! ```
//!
//! Set `HUAWEI_CSMS_ENDPOINT=http://127.0.0.1:PORT` to run against a local emulator.

use huawei_csms::{Client, Config, InstanceType};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let Some(instance_id) = args.next() else {
        eprintln!("usage: batch_delete_secrets <instance-id> [RDS|TaurusDB|GaussDB|APIG]");
        std::process::exit(2);
    };
    let instance_type = match args.next() {
        Some(t) => Some(
            *InstanceType::ALL
                .iter()
                .find(|k| k.as_str() == t)
                .ok_or_else(|| format!("unknown instance type {t:?}"))?,
        ),
        None => None,
    };
    let mut config = Config::builder()
        .region(std::env::var("HUAWEICLOUD_SDK_REGION").unwrap_or_else(|_| "cn-north-4".into()));
    if let Ok(endpoint) = std::env::var("HUAWEI_CSMS_ENDPOINT") {
        config = config.endpoint(endpoint);
    }
    let client = Client::new(config.build())?;
    let mut call = client.batch_delete_secrets().instance_id(instance_id);
    if let Some(t) = instance_type {
        call = call.instance_type(t);
    }
    let out = call.send().await?.error_for_failure()?;
    println!(
        "matched {}, request id {}",
        out.total.unwrap_or(0),
        out.request_id().unwrap_or("-")
    );
    for name in &out.deleted {
        println!("deleted\t{name}");
    }
    for f in &out.failed {
        println!("failed\t{}\t{}", f.name, f.message);
    }
    if out.earlier_attempt_may_have_applied() {
        println!("note: an earlier attempt may have deleted secrets not listed here");
    }
    Ok(())
}
