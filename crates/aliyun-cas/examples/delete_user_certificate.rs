//! Deletes certificates given on the command line and prints one outcome per id.
//!
//! ```sh
//! ALIBABA_CLOUD_ACCESS_KEY_ID=... ALIBABA_CLOUD_ACCESS_KEY_SECRET=... \
//!   cargo run -p aliyun-cas --example delete_user_certificate -- 7562353 7562354
//! ```
//!
//! `ALIYUN_CAS_ENDPOINT` (e.g. `http://127.0.0.1:8080` for a local emulator) wins over
//! `ALIBABA_CLOUD_REGION_ID` (default `cn-hangzhou`).

use aliyun_cas::{Client, Config};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let ids = std::env::args()
        .skip(1)
        .map(|a| a.parse::<i64>())
        .collect::<Result<Vec<_>, _>>()?;
    let region = std::env::var("ALIBABA_CLOUD_REGION_ID").unwrap_or_else(|_| "cn-hangzhou".into());
    let mut config = Config::builder().region(region);
    if let Ok(endpoint) = std::env::var("ALIYUN_CAS_ENDPOINT") {
        config = config.endpoint(endpoint);
    }
    let client = Client::new(config.build())?;
    let report = client
        .delete_user_certificate()
        .cert_ids(ids)
        .send()
        .await
        .map(|o| o.into_report())?;
    for item in report.items() {
        println!(
            "{}\t{}\t{}",
            item.id,
            item.outcome,
            item.request_id.as_deref().unwrap_or("-")
        );
    }
    let t = report.totals();
    println!(
        "requested {}, deleted {}, absent {}, refused {}, unconfirmed {}",
        t.requested, t.deleted, t.absent, t.refused, t.unconfirmed
    );
    Ok(())
}
