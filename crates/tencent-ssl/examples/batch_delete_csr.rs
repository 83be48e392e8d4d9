//! Deletes CSRs given on the command line and prints one outcome per id.
//!
//! ```sh
//! TENCENTCLOUD_SECRET_ID=... TENCENTCLOUD_SECRET_KEY=... \
//!   cargo run -p tencent-ssl --example batch_delete_csr -- 11 22 33
//! ```
//!
//! `TENCENT_SSL_ENDPOINT` (e.g. `http://127.0.0.1:8080` for a local emulator),
//! `TENCENTCLOUD_REGION` and `TENCENT_SSL_INTERNATIONAL=1` are optional.

use tencent_ssl::{Client, Config};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let ids = std::env::args()
        .skip(1)
        .map(|a| a.parse::<u64>())
        .collect::<Result<Vec<_>, _>>()?;
    let mut config = Config::builder()
        .international(std::env::var("TENCENT_SSL_INTERNATIONAL").is_ok_and(|v| v == "1"));
    if let Ok(endpoint) = std::env::var("TENCENT_SSL_ENDPOINT") {
        config = config.endpoint(endpoint);
    }
    if let Ok(region) = std::env::var("TENCENTCLOUD_REGION") {
        config = config.region(region);
    }
    let client = Client::new(config.build())?;
    let out = client.batch_delete_csr().csr_ids(ids).send().await?;
    for item in out.report().items() {
        println!(
            "{}\t{}\t{}",
            item.id,
            item.outcome,
            item.request_id.as_deref().unwrap_or("-")
        );
    }
    let t = out.report().totals();
    println!(
        "requested {}, deleted {}, unconfirmed {}, refused {}",
        t.requested, t.deleted, t.unconfirmed, t.refused
    );
    Ok(())
}
