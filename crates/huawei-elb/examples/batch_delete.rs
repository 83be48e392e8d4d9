//! Batch-deletes ELB certificates and prints one outcome per id.
//!
//! ```text
//! HUAWEICLOUD_SDK_AK=... HUAWEICLOUD_SDK_SK=... HUAWEICLOUD_SDK_PROJECT_ID=... \
//! HUAWEICLOUD_SDK_REGION=cn-north-4 \
//! cargo run -p huawei-elb --example batch_delete -- <certificate-id>...
//! ```
//!
//! Set `HUAWEI_ELB_ENDPOINT=http://127.0.0.1:PORT` to run against a local emulator.

use huawei_elb::{Client, Config};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let ids: Vec<String> = std::env::args().skip(1).collect();
    let mut config = Config::builder()
        .region(std::env::var("HUAWEICLOUD_SDK_REGION").unwrap_or_else(|_| "cn-north-4".into()));
    if let Ok(endpoint) = std::env::var("HUAWEI_ELB_ENDPOINT") {
        config = config.endpoint(endpoint);
    }
    let client = Client::new(config.build())?;
    let out = client
        .batch_delete_certificates()
        .certificate_ids(ids)
        .send()
        .await?;
    for item in out.report().items() {
        let rid = item.request_id.as_deref().unwrap_or("-");
        println!("{}\t{}\t(request id {rid})", item.id, item.outcome);
    }
    if let Some(e) = out.error() {
        eprintln!("the request failed: {e}");
    }
    let t = out.report().totals();
    println!(
        "deleted {}, absent {}, refused {}, unconfirmed {}",
        t.deleted, t.absent, t.refused, t.unconfirmed
    );
    Ok(())
}
