//! Scale: deleting 100,000 Tencent CSR ids (1,000 requests of 100, client limiter off) against
//! the `cert-emulator` binary (its limit off too), measured in a child process that holds only
//! the SDK: its peak RSS (`VmHWM`) and the time per request.
//!
//! Three runs, each against a fresh emulator:
//! - `chunks`, seeded: 100 `send()` calls of 1,000 ids (10 requests each, concurrent), one after
//!   the other; time per request of every call, so the first thousand ids can be compared
//!   with the last. Every id exists, so every id is really deleted.
//! - `chunks`, absent ids: the same calls against an empty emulator, whose answer then costs it
//!   nothing; isolates the client's time per request from the emulator's (which keeps its
//!   CSR ids in a `Vec` and scans it for every id).
//! - `single`: one `send()` of all 100,000 ids (1,000 requests at once), seeded.

use std::path::Path;

use super::{EmulatorProcess, Row, run_child_process, tencent_seed_file};

pub fn run(bin: &Path, quick: bool) -> Result<Vec<Row>, String> {
    let ids: u64 = if quick { 20_000 } else { 100_000 };
    let mut rows = Vec::new();
    for (mode, seeded) in [("chunks", true), ("chunks", false), ("single", true)] {
        let seed = if seeded {
            tencent_seed_file("scale", 1..=ids)?
        } else {
            tencent_seed_file("scale", std::iter::empty())?
        };
        let seed_arg = seed.to_string_lossy().into_owned();
        let emu = EmulatorProcess::spawn(bin, &["--seed", &seed_arg, "--no-rate-limits"])?;
        let ids_arg = ids.to_string();
        let label = if seeded { "seeded" } else { "absent" };
        let got = run_child_process(
            bin,
            &[
                "scale-child",
                "--endpoint",
                &emu.url,
                "--ids",
                &ids_arg,
                "--mode",
                mode,
                "--label",
                label,
            ],
        );
        drop(emu);
        let _ = std::fs::remove_file(&seed);
        rows.extend(got?);
    }
    Ok(rows)
}

/// The measured process: `xtask bench-run scale-child --endpoint URL --ids N --mode M --label L`.
#[cfg(feature = "bench")]
pub mod child {
    use std::time::Instant;

    use cert_common::credentials::AccessKey;
    use cert_common::{ClientOptions, RateLimit};
    use tencent_ssl::{Client, Config};

    use super::super::{Row, quantile};

    const BENCH: &str = "scale";
    const CHUNK: u64 = 1_000;

    struct Args {
        endpoint: String,
        ids: u64,
        mode: String,
        label: String,
    }

    fn parse(args: &[&str]) -> Result<Args, String> {
        let mut a = Args {
            endpoint: String::new(),
            ids: 100_000,
            mode: "chunks".into(),
            label: String::new(),
        };
        let mut it = args.iter();
        while let Some(&arg) = it.next() {
            let value = it.next().ok_or(format!("{arg} needs a value"))?;
            match arg {
                "--endpoint" => a.endpoint = value.to_string(),
                "--ids" => a.ids = value.parse().map_err(|_| "--ids: not a number")?,
                "--mode" => a.mode = value.to_string(),
                "--label" => a.label = value.to_string(),
                _ => return Err(format!("scale-child: unknown argument {arg}")),
            }
        }
        if a.endpoint.is_empty() {
            return Err("scale-child: --endpoint is required".into());
        }
        Ok(a)
    }

    /// `VmHWM` (peak resident set) of this process, in MiB.
    fn peak_rss_mib() -> Result<f64, String> {
        let status = std::fs::read_to_string("/proc/self/status").map_err(|e| e.to_string())?;
        let kib: f64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .ok_or("no VmHWM in /proc/self/status")?;
        Ok(kib / 1024.0)
    }

    pub fn run(args: &[&str]) -> Result<Vec<Row>, String> {
        let a = parse(args)?;
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        let client = Client::new(
            Config::builder()
                .endpoint(a.endpoint.clone())
                .credentials(AccessKey::new(
                    cert_emulator::credentials::TENCENT_SECRET_ID,
                    cert_emulator::credentials::TENCENT_SECRET_KEY,
                ))
                .options(ClientOptions::default().rate_limit(RateLimit::Off))
                .build(),
        )
        .map_err(|e| e.to_string())?;
        let rss_before = peak_rss_mib()?;
        let case = |what: &str| format!("{} {} ids, {}: {what}", a.mode, a.ids, a.label);
        let started = Instant::now();
        let mut rows = Vec::new();
        let mut deleted = 0usize;
        let requests = a.ids.div_ceil(100);
        match a.mode.as_str() {
            "chunks" => {
                // Keep every report, as a caller deleting in chunks would.
                let mut reports = Vec::new();
                let mut per_request_ms = Vec::new();
                for start in (1..=a.ids).step_by(CHUNK as usize) {
                    let end = (start + CHUNK - 1).min(a.ids);
                    let t = Instant::now();
                    let out = rt
                        .block_on(client.batch_delete_csr().csr_ids(start..=end).send())
                        .map_err(|e| e.to_string())?;
                    let calls = (end - start + 1).div_ceil(100) as f64;
                    per_request_ms.push(t.elapsed().as_secs_f64() * 1000.0 / calls);
                    if let Some(e) = out.requests().iter().find_map(|b| b.error.as_ref()) {
                        return Err(format!("a request failed: {e}"));
                    }
                    deleted += out.report().totals().deleted;
                    reports.push(out.into_report());
                }
                let n = per_request_ms.len();
                let tenth = (n / 10).max(1);
                let mean = |s: &[f64]| s.iter().sum::<f64>() / s.len() as f64;
                rows.push(Row::info(
                    BENCH,
                    case("time/request, first 1,000 ids"),
                    per_request_ms[0],
                    "ms",
                ));
                rows.push(Row::info(
                    BENCH,
                    case("time/request, last 1,000 ids"),
                    per_request_ms[n - 1],
                    "ms",
                ));
                rows.push(Row::info(
                    BENCH,
                    case("time/request, first 10% mean"),
                    mean(&per_request_ms[..tenth]),
                    "ms",
                ));
                rows.push(Row::info(
                    BENCH,
                    case("time/request, last 10% mean"),
                    mean(&per_request_ms[n - tenth..]),
                    "ms",
                ));
                let mut sorted = per_request_ms.clone();
                sorted.sort_by(f64::total_cmp);
                rows.push(Row::info(
                    BENCH,
                    case("time/request, median of calls"),
                    quantile(&sorted, 0.5),
                    "ms",
                ));
                eprintln!(
                    "scale {}: per-request ms of each 1,000-id call: {}",
                    a.label,
                    per_request_ms
                        .iter()
                        .map(|v| format!("{v:.2}"))
                        .collect::<Vec<_>>()
                        .join(" ")
                );
                drop(reports);
            }
            "single" => {
                let out = rt
                    .block_on(client.batch_delete_csr().csr_ids(1..=a.ids).send())
                    .map_err(|e| e.to_string())?;
                let failed = out.requests().iter().filter(|b| b.error.is_some()).count();
                if failed > 0 {
                    let first = out.requests().iter().find_map(|b| b.error.as_ref());
                    eprintln!("scale single: {failed} requests failed; first: {first:?}");
                }
                deleted = out.report().totals().deleted;
                rows.push(Row::info(BENCH, case("requests failed"), failed as f64, ""));
            }
            other => return Err(format!("scale-child: unknown mode {other}")),
        }
        let elapsed = started.elapsed().as_secs_f64();
        let rss = peak_rss_mib()?;
        rows.push(Row::info(BENCH, case("wall time"), elapsed, "s"));
        rows.push(Row::info(
            BENCH,
            case("time/request, overall"),
            elapsed * 1000.0 / requests as f64,
            "ms",
        ));
        rows.push(Row::info(BENCH, case("ids deleted"), deleted as f64, ""));
        rows.push(Row::info(
            BENCH,
            case("peak RSS before sending"),
            rss_before,
            "MiB",
        ));
        rows.push(
            Row::info(BENCH, case("peak RSS (VmHWM)"), rss, "MiB")
                .checked("<= 40 MB", rss * 1.048_576 <= 40.0),
        );
        Ok(rows)
    }
}
