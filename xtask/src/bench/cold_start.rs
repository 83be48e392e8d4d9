//! Cold start: `target/release/certctl tencent-ssl delete-csrs --endpoint URL <id>`, from
//! process start to exit, against the `cert-emulator` binary.
//!
//! Every run deletes a different seeded id, so each one is a real delete answered `Deleted`
//! (the same id twice would be answered "not listed in Success" the second time). The
//! emulator's rate limit is off: the runs follow each other faster than Tencent's 10/s.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use super::{EmulatorProcess, Row, quantile, tencent_seed_file};

const BENCH: &str = "cold-start";
const FIRST_ID: u64 = 5_000_001;

pub fn run(bin: &Path, quick: bool) -> Result<Vec<Row>, String> {
    let (warmup, runs) = if quick { (2, 10) } else { (5, 50) };
    let total = warmup + runs;
    let seed = tencent_seed_file("cold-start", FIRST_ID..FIRST_ID + total)?;
    let seed_arg = seed.to_string_lossy().into_owned();
    let emu = EmulatorProcess::spawn(bin, &["--seed", &seed_arg, "--no-rate-limits"])?;
    let certctl = bin.join("certctl");
    let mut samples = Vec::with_capacity(runs as usize);
    for i in 0..total {
        let id = (FIRST_ID + i).to_string();
        let started = Instant::now();
        let out = Command::new(&certctl)
            .args(["tencent-ssl", "delete-csrs", "--endpoint", &emu.url, &id])
            .env("TENCENTCLOUD_SECRET_ID", "AKIDEMULATOR00000000000000000001")
            .env(
                "TENCENTCLOUD_SECRET_KEY",
                "emulator-tencent-secret-key-0001",
            )
            .env_remove("TENCENTCLOUD_SESSION_TOKEN")
            .env_remove("TENCENTCLOUD_SECURITY_TOKEN")
            .env_remove("TENCENTCLOUD_TOKEN")
            .output()
            .map_err(|e| format!("could not run certctl: {e}"))?;
        let elapsed = started.elapsed();
        let stdout = String::from_utf8_lossy(&out.stdout);
        if !out.status.success() || !stdout.to_ascii_lowercase().contains("deleted") {
            return Err(format!(
                "certctl delete of {id} did not report it deleted ({}):\n{stdout}\n{}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        if i >= warmup {
            samples.push(elapsed.as_secs_f64() * 1000.0);
        }
    }
    drop(emu);
    let _ = std::fs::remove_file(&seed);
    samples.sort_by(f64::total_cmp);
    let case = |what: &str| format!("certctl one-id delete, {what} of {runs} runs");
    Ok(vec![
        Row::info(BENCH, case("median"), quantile(&samples, 0.5), "ms"),
        Row::info(BENCH, case("p90"), quantile(&samples, 0.9), "ms"),
        Row::info(BENCH, case("min"), samples[0], "ms"),
        Row::info(BENCH, case("max"), samples[samples.len() - 1], "ms"),
    ])
}
