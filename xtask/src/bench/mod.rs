//! `cargo xtask bench`: the benchmarks that are not micro-benchmarks (those are criterion's,
//! `cargo bench -p cert-common --bench sign`). None of them is part of the test suite.
//!
//! - `overhead`: requests per second through each client against a canned loopback server,
//!   beside a bare reqwest loop sending the same bytes (`overhead.rs`).
//! - `rate-limit`: achieved rate and throttled answers against the emulator's server-side
//!   limits (`rate_limit.rs`).
//! - `scale`: 100,000 Tencent CSR ids, peak RSS and time per request (`scale.rs`).
//! - `allocs`: heap allocations per call of each client, with and without the network, beside
//!   the bare reqwest call, counted by valgrind's dhat (`allocs.rs`).
//! - `cold-start`: `certctl` process start to exit for a one-id delete (`cold_start.rs`).
//! - `cli`: `certctl` deleting 30,000 Aliyun ids end to end against the canned server, beside
//!   a bare reqwest program doing the same work, at concurrency 1 and 32 (`cli.rs`).
//! - `cli-memory`: `certctl` reading 1,000,000 ids from a pipe; its peak RSS (`cli.rs`).
//!
//! Results and method: `docs/performance.md`.
//!
//! This (debug) process only orchestrates: it builds `xtask --features bench`, `certctl` and
//! `cert-emulator` in release mode, then runs each benchmark in a child process
//! (`target/release/xtask bench-run <name>`), which prints its numbers as `RESULT {json}`
//! lines. Every benchmark runs for a bounded time and stops by itself.

mod allocs;
#[cfg(feature = "bench")]
mod bare_hyper;
#[cfg(feature = "bench")]
mod canned_server;
#[cfg(feature = "bench")]
mod cli;
mod cold_start;
#[cfg(feature = "bench")]
mod overhead;
#[cfg(feature = "bench")]
mod rate_limit;
mod scale;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use serde::{Deserialize, Serialize};

pub const USAGE: &str =
    "usage: cargo xtask bench [--only NAME[,NAME...]] [--quick] [--rounds N] [--out FILE.json]

benchmarks: overhead, allocs, rate-limit, scale, cold-start, cli, cli-memory
            (default: all, in that order)
  --quick   shorter runs (a smoke test of the drivers; numbers are not the reference ones)
  --rounds  rounds of bare and SDK per API and concurrency in `overhead` (default 11), and of
            certctl and the bare program per concurrency in `cli` (default 7); more rounds
            narrow the interval of the median on a noisy machine
  --out     also write every number, with the machine and load, as JSON";

/// One measured number.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Row {
    /// The benchmark (`overhead`, ...).
    pub bench: String,
    /// What was measured.
    pub case: String,
    /// The number.
    pub value: f64,
    /// Its unit.
    pub unit: String,
    /// The target, when there is one (e.g. `>= 85%`).
    pub target: String,
    /// `met`, `MISSED` or empty (no target).
    pub verdict: String,
}

impl Row {
    /// A number without a target.
    pub fn info(bench: &str, case: impl Into<String>, value: f64, unit: &str) -> Row {
        Row {
            bench: bench.to_string(),
            case: case.into(),
            value,
            unit: unit.to_string(),
            target: String::new(),
            verdict: String::new(),
        }
    }

    /// A number checked against a target.
    #[cfg_attr(not(feature = "bench"), allow(dead_code))]
    pub fn checked(mut self, target: &str, met: bool) -> Row {
        self.target = target.to_string();
        self.verdict = if met { "met" } else { "MISSED" }.to_string();
        self
    }

    /// Prints the row for the orchestrator (child side).
    #[cfg_attr(not(feature = "bench"), allow(dead_code))]
    pub fn emit(&self) {
        match serde_json::to_string(self) {
            Ok(json) => println!("RESULT {json}"),
            Err(e) => eprintln!("cannot serialise a result: {e}"),
        }
    }
}

/// The benchmarks, in the order they run.
const ALL: [&str; 7] = [
    "overhead",
    "allocs",
    "rate-limit",
    "scale",
    "cold-start",
    "cli",
    "cli-memory",
];

struct Options {
    selected: Vec<&'static str>,
    quick: bool,
    rounds: Option<String>,
    out: Option<PathBuf>,
}

fn parse(args: &[&str]) -> Result<Options, String> {
    let mut o = Options {
        selected: ALL.to_vec(),
        quick: false,
        rounds: None,
        out: None,
    };
    let mut it = args.iter();
    while let Some(&arg) = it.next() {
        match arg {
            "--quick" => o.quick = true,
            "--rounds" => {
                let n = it.next().ok_or("--rounds needs a number")?;
                match n.parse::<usize>() {
                    Ok(r) if r >= 1 => o.rounds = Some(n.to_string()),
                    _ => return Err(format!("--rounds {n:?}: expected a number of at least 1")),
                }
            }
            "--out" => o.out = Some(PathBuf::from(it.next().ok_or("--out needs a file")?)),
            "--only" => {
                let names = it.next().ok_or("--only needs a list")?;
                let mut selected = Vec::new();
                for name in names.split(',') {
                    let known = ALL.iter().find(|b| **b == name);
                    selected.push(*known.ok_or(format!("unknown benchmark {name:?}\n{USAGE}"))?);
                }
                o.selected = ALL.into_iter().filter(|b| selected.contains(b)).collect();
            }
            _ => return Err(format!("unknown argument {arg:?}\n\n{USAGE}")),
        }
    }
    Ok(o)
}

/// `cargo xtask bench ...`: builds, runs the selected benchmarks, prints the table.
pub fn run(root: &Path, args: &[&str]) -> Result<(), String> {
    let opts = parse(args)?;
    build(root)?;
    let bin = target_dir(root).join("release");
    let machine = Machine::read();
    eprintln!("{}", machine.describe());
    let started = Instant::now();
    let mut rows = Vec::new();
    for name in &opts.selected {
        eprintln!("==> bench {name}");
        let got = match *name {
            "scale" => scale::run(&bin, opts.quick)?,
            "cold-start" => cold_start::run(&bin, opts.quick)?,
            "allocs" => allocs::run(&bin, opts.quick)?,
            "overhead" | "cli" => match &opts.rounds {
                Some(n) => child_rows(&bin, &[name, "--rounds", n], opts.quick)?,
                None => child_rows(&bin, &[name], opts.quick)?,
            },
            other => child_rows(&bin, &[other], opts.quick)?,
        };
        rows.extend(got);
    }
    let load_after = Machine::loadavg();
    print_table(&rows);
    eprintln!(
        "benchmarks took {:.0} s; load average before {}, after {load_after}",
        started.elapsed().as_secs_f64(),
        machine.load
    );
    if let Some(path) = opts.out {
        let doc = serde_json::json!({
            "machine": machine,
            "load_after": load_after,
            "quick": opts.quick,
            "rows": rows,
        });
        let text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
        std::fs::write(&path, text + "\n")
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        eprintln!("wrote {}", path.display());
    }
    if rows.iter().any(|r| r.verdict == "MISSED") {
        eprintln!("note: at least one target was missed (see the table)");
    }
    Ok(())
}

/// `xtask bench-run <name> [...]`, in the release build with the `bench` feature.
pub fn run_child(args: &[&str]) -> Result<(), String> {
    #[cfg(feature = "bench")]
    {
        let quick = args.contains(&"--quick");
        let rows = match args.first() {
            Some(&"overhead") => overhead::run(&args[1..])?,
            Some(&"canned-server") => {
                canned_server::run()?;
                Vec::new()
            }
            Some(&"allocs-loop") => {
                overhead::allocs_loop(&args[1..])?;
                Vec::new()
            }
            Some(&"rate-limit") => rate_limit::run(quick)?,
            Some(&"scale-child") => scale::child::run(&args[1..])?,
            Some(&"cli") => cli::run(&args[1..])?,
            Some(&"cli-memory") => cli::memory(&args[1..])?,
            Some(&"cli-bare") => {
                cli::bare(&args[1..])?;
                Vec::new()
            }
            other => return Err(format!("bench-run: unknown benchmark {other:?}")),
        };
        for row in rows {
            row.emit();
        }
        Ok(())
    }
    #[cfg(not(feature = "bench"))]
    {
        Err(format!(
            "bench-run {args:?}: this xtask was built without the `bench` feature; \
             run `cargo xtask bench`"
        ))
    }
}

fn build(root: &Path) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let args = [
        "build",
        "--release",
        "--package",
        "xtask",
        "--package",
        "certctl",
        "--package",
        "cert-emulator",
        "--features",
        "xtask/bench",
        "--bins",
    ];
    eprintln!("==> cargo {}", args.join(" "));
    let status = Command::new(cargo)
        .args(args)
        .current_dir(root)
        .status()
        .map_err(|e| format!("could not run cargo build: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err("the release build failed".to_string())
    }
}

fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
}

/// Runs `xtask bench-run <args>` and collects its `RESULT` lines; its stderr passes through.
pub fn run_child_process(bin: &Path, args: &[&str]) -> Result<Vec<Row>, String> {
    let out = Command::new(bin.join("xtask"))
        .arg("bench-run")
        .args(args)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("could not run xtask bench-run {args:?}: {e}"))?;
    if !out.status.success() {
        return Err(format!("xtask bench-run {args:?} failed ({})", out.status));
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    stdout
        .lines()
        .filter_map(|l| l.strip_prefix("RESULT "))
        .map(|json| serde_json::from_str(json).map_err(|e| format!("bad result line: {e}")))
        .collect()
}

fn child_rows(bin: &Path, args: &[&str], quick: bool) -> Result<Vec<Row>, String> {
    let mut args = args.to_vec();
    if quick {
        args.push("--quick");
    }
    run_child_process(bin, &args)
}

/// The `cert-emulator` binary, running until dropped.
pub struct EmulatorProcess {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub url: String,
}

impl EmulatorProcess {
    /// Starts `cert-emulator <args>` on an ephemeral port and waits for its address.
    pub fn spawn(bin: &Path, args: &[&str]) -> Result<Self, String> {
        let mut child = Command::new(bin.join("cert-emulator"))
            .args(["--port", "0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("could not start cert-emulator: {e}"))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let mut url = None;
        for line in lines.by_ref() {
            let line = line.map_err(|e| e.to_string())?;
            if let Some(u) = line.strip_prefix("cert-emulator listening on ") {
                url = Some(u.trim().to_string());
                break;
            }
        }
        // Keep draining, so the emulator never writes to a closed pipe.
        std::thread::spawn(move || lines.for_each(drop));
        match url {
            Some(url) => Ok(EmulatorProcess { child, url }),
            None => {
                let _ = child.kill();
                let _ = child.wait();
                Err("cert-emulator exited without printing its address".to_string())
            }
        }
    }
}

impl Drop for EmulatorProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Writes an emulator seed holding these Tencent CSR ids (and nothing else) to a temporary
/// file, and returns its path.
pub fn tencent_seed_file(name: &str, ids: impl Iterator<Item = u64>) -> Result<PathBuf, String> {
    let ids: Vec<u64> = ids.collect();
    let path = std::env::temp_dir().join(format!("xtask-bench-{}-{name}.json", std::process::id()));
    let text = serde_json::json!({ "tencent_csrs": ids }).to_string();
    std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}

/// The value at quantile `q` (0..=1) of sorted samples (nearest rank).
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// What the numbers were measured on.
#[derive(Debug, Serialize)]
struct Machine {
    nproc: usize,
    cpu: String,
    memory: String,
    load: String,
}

impl Machine {
    fn read() -> Machine {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let field = |text: &str, name: &str| {
            text.lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
                .unwrap_or_else(|| "unknown".to_string())
        };
        Machine {
            nproc: std::thread::available_parallelism().map_or(0, |n| n.get()),
            cpu: field(&cpuinfo, "model name"),
            memory: field(&meminfo, "MemTotal"),
            load: Machine::loadavg(),
        }
    }

    fn loadavg() -> String {
        std::fs::read_to_string("/proc/loadavg")
            .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
            .unwrap_or_default()
    }

    fn describe(&self) -> String {
        format!(
            "machine: {} CPUs ({}), {} memory, load average {}",
            self.nproc, self.cpu, self.memory, self.load
        )
    }
}

fn print_table(rows: &[Row]) {
    let value = |r: &Row| {
        if r.value.abs() >= 100.0 || r.value == r.value.trunc() {
            format!("{:.0} {}", r.value, r.unit)
        } else {
            format!("{:.2} {}", r.value, r.unit)
        }
    };
    let w_bench = rows.iter().map(|r| r.bench.len()).max().unwrap_or(5).max(5);
    let w_case = rows.iter().map(|r| r.case.len()).max().unwrap_or(4).max(4);
    let w_value = rows
        .iter()
        .map(|r| value(r).len())
        .max()
        .unwrap_or(5)
        .max(5);
    println!(
        "{:w_bench$}  {:w_case$}  {:>w_value$}  {:10}  verdict",
        "bench", "case", "value", "target"
    );
    for r in rows {
        println!(
            "{:w_bench$}  {:w_case$}  {:>w_value$}  {:10}  {}",
            r.bench,
            r.case,
            value(r),
            r.target,
            r.verdict
        );
    }
}

/// The numeric fields of `/proc/self/stat` after the command name, from field 3 (the state,
/// read as 0) on: index `i` is field `i + 3`. Empty where there is no `/proc`.
#[cfg(feature = "bench")]
fn self_stat_fields() -> Vec<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    after
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0))
        .collect()
}

/// The value of `--rounds` (at least 1), or `default` when it is not given.
#[cfg(feature = "bench")]
fn rounds(given: Option<&str>, default: usize) -> Result<usize, String> {
    match given {
        Some(n) => n
            .parse::<usize>()
            .ok()
            .filter(|r| *r >= 1)
            .ok_or(format!("--rounds {n:?}: expected a number of at least 1")),
        None => Ok(default),
    }
}
