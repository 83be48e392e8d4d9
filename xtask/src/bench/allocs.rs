//! Heap allocations per call: each client without any network (a canned `HttpSend`), each
//! client against the canned loopback server, and the bare reqwest call sending the same
//! bytes. Only the client process is counted (the server runs in a process of its own).
//!
//! Counted by valgrind's dhat, not timed: `xtask bench-run allocs-loop` runs under
//! `valgrind --tool=dhat` twice, with two numbers of calls, and the difference in allocated
//! blocks divided by the difference in calls is one call's allocations, set-up excluded. The
//! numbers repeat from run to run, whatever else the machine does, so they show a change in
//! the SDK's allocation behaviour that the throughput benchmark's noise would hide. (With
//! glibc's allocator, allocations freed on another thread are what the concurrency-32
//! throughput pays for: see `docs/performance.md`.)
//!
//! Skipped, with a note, when `valgrind` is not installed.

use std::path::Path;
use std::process::Command;

use super::Row;

const BENCH: &str = "allocs";
const APIS: [&str; 5] = [
    "huawei-elb",
    "huawei-apig",
    "huawei-csms",
    "tencent-ssl",
    "aliyun-cas",
];

pub fn run(bin: &Path, quick: bool) -> Result<Vec<Row>, String> {
    if Command::new("valgrind").arg("--version").output().is_err() {
        eprintln!("allocs: skipped, valgrind is not installed");
        return Ok(Vec::new());
    }
    let (few, many) = if quick { (10, 60) } else { (100, 600) };
    let mut rows = Vec::new();
    for api in APIS {
        let per_call = |side: &str| -> Result<f64, String> {
            let a = blocks(bin, api, side, few)?;
            let b = blocks(bin, api, side, many)?;
            Ok((b as f64 - a as f64) / (many - few) as f64)
        };
        let nonet = per_call("nonet")?;
        let sdk = per_call("sdk")?;
        let bare = per_call("bare")?;
        eprintln!("allocs {api}: no network {nonet:.1}, SDK {sdk:.1}, bare {bare:.1}");
        let case = |what: &str| format!("{api}: {what}");
        rows.push(Row::info(
            BENCH,
            case("SDK, no network"),
            nonet,
            "allocs/call",
        ));
        rows.push(Row::info(
            BENCH,
            case("SDK, loopback (client process)"),
            sdk,
            "allocs/call",
        ));
        rows.push(Row::info(
            BENCH,
            case("bare reqwest, loopback (client process)"),
            bare,
            "allocs/call",
        ));
    }
    Ok(rows)
}

/// Blocks allocated by `xtask bench-run allocs-loop` making `calls` calls, as dhat counts them.
fn blocks(bin: &Path, api: &str, side: &str, calls: u32) -> Result<u64, String> {
    let calls = calls.to_string();
    let out = Command::new("valgrind")
        .args(["--tool=dhat", "--dhat-out-file=/dev/null"])
        .arg(bin.join("xtask"))
        .args([
            "bench-run",
            "allocs-loop",
            "--api",
            api,
            "--side",
            side,
            "--calls",
            &calls,
        ])
        .output()
        .map_err(|e| format!("could not run valgrind: {e}"))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(format!(
            "allocs-loop {api} {side} {calls} failed ({}):\n{stderr}",
            out.status
        ));
    }
    total_blocks(&stderr).ok_or(format!(
        "no `Total: ... bytes in N blocks` line in dhat's output:\n{stderr}"
    ))
}

/// `N` of dhat's `==PID== Total:     103,619,606 bytes in 470,549 blocks`.
fn total_blocks(stderr: &str) -> Option<u64> {
    let line = stderr.lines().find(|l| l.contains("Total:"))?;
    let n = line.split(" in ").nth(1)?.split_whitespace().next()?;
    n.replace(',', "").parse().ok()
}

#[cfg(test)]
mod tests {
    use super::total_blocks;

    #[test]
    fn reads_dhats_total() {
        let err = "==1== Copyright\n==20204== Total:     103,619,606 bytes in 470,549 blocks\n";
        assert_eq!(total_blocks(err), Some(470_549));
        assert_eq!(total_blocks("no total here"), None);
    }
}
