//! `certctl` end to end, against the canned loopback server ([`super::canned_server`], its
//! Aliyun answer): process start, reading the ids, every request and the report included.
//!
//! - `cli` (`bench-run cli [--rounds N] [--quick]`): 30,000 Aliyun ids from a file through
//!   `certctl aliyun-cas delete-certificates --ids-from FILE --concurrency C --qps 100000
//!   --output json`, beside a bare reqwest program doing the same work as a separate process
//!   (`bench-run cli-bare`, below): the same ids file, the same 30,000 requests (method, path
//!   and query as certctl sends them, no signature) at the same concurrency on one
//!   `reqwest::Client`, and a JSON report of the outcomes on stdout. At C = 1 and C = 32, the
//!   runs interleaved (certctl, bare, certctl, bare, ...), the median wall time of each
//!   reported, with throughput, the ratio and CPU time per id (user + system, from the
//!   children's times in `/proc/self/stat`, which a child adds to when it is waited for).
//! - `cli-memory` (`bench-run cli-memory [--quick]`): 1,000,000 ids written into certctl's
//!   stdin (`--ids-from -`) while it reads, at C = 32; its peak RSS (`ru_maxrss`, as GNU
//!   `time` reports it from `wait4`) and wall time.
//!
//! Every run must exit 0 and report every id deleted (the `"deleted"` values of its JSON are
//! counted as the output streams by, whatever the document's shape or key order), or the
//! benchmark fails: a fast failing run is no measurement.

use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde::Serialize;

use super::Row;
use super::canned_server::CannedServer;

const BENCH: &str = "cli";
const BENCH_MEMORY: &str = "cli-memory";
/// certctl's `--qps`: its maximum, far above what loopback reaches, so the limiter never waits.
const QPS: &str = "100000";
/// Dummy credentials: the canned server checks no signature.
const ACCESS_KEY_ID: &str = "LTAI5tBenchDummyKeyId000";
const ACCESS_KEY_SECRET: &str = "bench-dummy-access-key-secret-0001";
/// The longest one run may take before it is killed and the benchmark fails.
const HUAWEI_AK: &str = "BENCHDUMMYHUAWEIAK01";
const HUAWEI_PROJECT_ID: &str = "0123456789abcdef0123456789abcdef";
const RUN_LIMIT: Duration = Duration::from_secs(600);

/// What one measured process did.
struct Run {
    /// Spawn to exit, seconds.
    wall: f64,
    /// User and system CPU of the process (and anything it waited for), seconds.
    user: f64,
    sys: f64,
    /// `"deleted"` values in its stdout.
    deleted: u64,
}

/// `ids` lines `1\n2\n...`.
fn write_ids(out: impl Write, ids: u64, shape: Shape) -> std::io::Result<()> {
    let mut w = BufWriter::with_capacity(64 * 1024, out);
    for id in 1..=ids {
        match shape {
            Shape::Decimal => writeln!(w, "{id}")?,
            // Distinct 32-digit lowercase hex ids, spread over the whole range as real
            // UUID-like ids are (Knuth's multiplicative hash of the counter).
            Shape::Hex32 => writeln!(
                w,
                "{:032x}",
                u128::from(id).wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835)
            )?,
        }
    }
    w.flush()
}

/// The ids written into certctl's stdin: Aliyun's numeric certificate ids (1, 2, 3, …) or
/// Huawei's 32 lowercase hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Decimal,
    Hex32,
}

/// The user and system CPU time of this process's waited-for children so far, in seconds
/// (`cutime`, `cstime`: fields 16 and 17 of `/proc/self/stat`, in clock ticks of 10 ms).
fn children_cpu() -> (f64, f64) {
    let f = super::self_stat_fields();
    let tick = |i: usize| f.get(i).copied().unwrap_or(0) as f64 / 100.0;
    // After the `)`: field 3 (state) is index 0, so field 16 is index 13.
    (tick(13), tick(14))
}

/// Counts the JSON string *values* equal to `"deleted"` (not keys: a `"deleted": 3` total is
/// not counted) in a byte stream, across any chunking, for a pretty, compact or line-per-item
/// document alike.
#[derive(Default)]
struct DeletedCounter {
    in_string: bool,
    escape: bool,
    text: Vec<u8>,
    /// The string is not `deleted` (too long, or escaped).
    other: bool,
    /// A `"deleted"` string ended; a `:` next makes it a key.
    pending: bool,
    count: u64,
}

impl DeletedCounter {
    fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if self.in_string {
                if self.escape {
                    self.escape = false;
                } else if b == b'\\' {
                    self.escape = true;
                    self.other = true;
                } else if b == b'"' {
                    self.in_string = false;
                    self.pending = !self.other && self.text == b"deleted";
                } else if self.text.len() < 8 {
                    self.text.push(b);
                } else {
                    self.other = true;
                }
                continue;
            }
            if b.is_ascii_whitespace() {
                continue;
            }
            if self.pending {
                self.pending = false;
                if b != b':' {
                    self.count += 1;
                }
            }
            if b == b'"' {
                self.in_string = true;
                self.text.clear();
                self.other = false;
            }
        }
    }

    fn finish(mut self) -> u64 {
        if self.pending {
            self.count += 1;
            self.pending = false;
        }
        self.count
    }
}

fn count_deleted(mut from: impl Read) -> u64 {
    let mut counter = DeletedCounter::default();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => counter.feed(&buf[..n]),
        }
    }
    counter.finish()
}

/// The last `max` bytes of a stream, as text.
fn tail(mut from: impl Read, max: usize) -> String {
    let mut all = Vec::new();
    let _ = from.read_to_end(&mut all);
    let start = all.len().saturating_sub(max);
    String::from_utf8_lossy(&all[start..]).into_owned()
}

/// Runs `cmd` (stdout counted, stderr kept, stdin fed `stdin_ids` ids if given), waits at most
/// [`RUN_LIMIT`], and checks that it exited 0 having reported `expect` ids deleted.
fn measure(
    mut cmd: Command,
    stdin_ids: Option<(u64, Shape)>,
    expect: u64,
    what: &str,
) -> Result<Run, String> {
    cmd.stdin(if stdin_ids.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let (u0, s0) = children_cpu();
    let started = Instant::now();
    let mut child: Child = cmd
        .spawn()
        .map_err(|e| format!("could not start {what}: {e}"))?;
    let pid = child.id();
    let feeder = match (stdin_ids, child.stdin.take()) {
        (Some((n, shape)), Some(stdin)) => {
            Some(std::thread::spawn(move || write_ids(stdin, n, shape)))
        }
        _ => None,
    };
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let counter = std::thread::spawn(move || count_deleted(stdout));
    let stderr = child.stderr.take().ok_or("no stderr")?;
    let errors = std::thread::spawn(move || tail(stderr, 4096));
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let status = child.wait();
        let _ = tx.send((status, started.elapsed()));
    });
    let (status, wall): (std::io::Result<ExitStatus>, Duration) = match rx.recv_timeout(RUN_LIMIT) {
        Ok(done) => done,
        Err(_) => {
            // Still running (not waited for, so the pid is still its own).
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
            return Err(format!("{what} ran longer than {RUN_LIMIT:?}; killed"));
        }
    };
    let status = status.map_err(|e| format!("waiting for {what}: {e}"))?;
    let (u1, s1) = children_cpu();
    let deleted = counter.join().map_err(|_| "the stdout reader panicked")?;
    let stderr = errors.join().unwrap_or_default();
    if let Some(feeder) = feeder {
        match feeder.join() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(format!("{what}: writing ids to its stdin failed: {e}")),
            Err(_) => return Err("the stdin writer panicked".into()),
        }
    }
    if !status.success() || deleted != expect {
        return Err(format!(
            "{what}: exited {status} and reported {deleted} of {expect} ids deleted; its stderr \
             ends:\n{stderr}"
        ));
    }
    Ok(Run {
        wall: wall.as_secs_f64(),
        user: u1 - u0,
        sys: s1 - s0,
        deleted,
    })
}

fn certctl_command(
    program: &Path,
    prefix: &[&str],
    url: &str,
    ids_from: &str,
    concurrency: usize,
) -> Command {
    certctl_command_for(
        program,
        prefix,
        &["aliyun-cas", "delete-certificates"],
        url,
        ids_from,
        concurrency,
    )
}

/// certctl running `command` (provider and action) against `url`, with every vendor's dummy
/// keys in its environment.
fn certctl_command_for(
    program: &Path,
    prefix: &[&str],
    command: &[&str],
    url: &str,
    ids_from: &str,
    concurrency: usize,
) -> Command {
    let mut cmd = Command::new(program);
    cmd.args(prefix)
        .args(command)
        .args(["--endpoint", url])
        .args(["--ids-from", ids_from])
        .args(["--concurrency", &concurrency.to_string()])
        .args(["--qps", QPS, "--output", "json"])
        .env("ALIBABA_CLOUD_ACCESS_KEY_ID", ACCESS_KEY_ID)
        .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", ACCESS_KEY_SECRET)
        .env_remove("ALIBABA_CLOUD_SECURITY_TOKEN")
        .env("HUAWEICLOUD_SDK_AK", HUAWEI_AK)
        .env("HUAWEICLOUD_SDK_SK", ACCESS_KEY_SECRET)
        .env("HUAWEICLOUD_SDK_PROJECT_ID", HUAWEI_PROJECT_ID)
        .env_remove("HUAWEICLOUD_SDK_SECURITY_TOKEN")
        .env_remove("RUST_LOG");
    cmd
}

fn bare_command(exe: &Path, url: &str, ids_from: &str, concurrency: usize) -> Command {
    let mut cmd = Command::new(exe);
    cmd.args(["bench-run", "cli-bare", "--endpoint", url])
        .args(["--ids-from", ids_from])
        .args(["--concurrency", &concurrency.to_string()]);
    cmd
}

fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

fn arg<'a>(args: &[&'a str], name: &str) -> Option<&'a str> {
    args.iter()
        .position(|a| *a == name)
        .and_then(|i| args.get(i + 1))
        .copied()
}

/// The release executables beside this one (`target/release`).
fn exe_and_certctl() -> Result<(PathBuf, PathBuf), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let certctl = exe.with_file_name("certctl");
    if !certctl.exists() {
        return Err(format!("{} is not built", certctl.display()));
    }
    Ok((exe, certctl))
}

/// `bench-run cli [--rounds N] [--quick]`.
pub fn run(args: &[&str]) -> Result<Vec<Row>, String> {
    let quick = args.contains(&"--quick");
    let (ids, default_rounds) = if quick { (3_000u64, 2) } else { (30_000u64, 7) };
    let rounds = super::rounds(arg(args, "--rounds"), default_rounds)?;
    let (exe, certctl) = exe_and_certctl()?;
    let file = std::env::temp_dir().join(format!("xtask-bench-{}-cli-ids.txt", std::process::id()));
    let f = std::fs::File::create(&file).map_err(|e| format!("{}: {e}", file.display()))?;
    write_ids(f, ids, Shape::Decimal).map_err(|e| format!("{}: {e}", file.display()))?;
    let file_arg = file.to_string_lossy().into_owned();
    let server = CannedServer::start()?;
    let url = format!("http://{}", server.addr);
    let result = rounds_at(&exe, &certctl, &url, &file_arg, ids, rounds);
    drop(server);
    let _ = std::fs::remove_file(&file);
    result
}

fn rounds_at(
    exe: &Path,
    certctl: &Path,
    url: &str,
    file: &str,
    ids: u64,
    rounds: usize,
) -> Result<Vec<Row>, String> {
    let sdk = |c: usize| certctl_command(certctl, &[], url, file, c);
    let bare = |c: usize| bare_command(exe, url, file, c);
    // Warm-up (page cache, the server's first connections), not counted.
    measure(sdk(32), None, ids, "certctl (warm-up)")?;
    measure(bare(32), None, ids, "the bare program (warm-up)")?;
    let mut rows = Vec::new();
    for c in [1usize, 32] {
        let (mut sdk_runs, mut bare_runs) = (Vec::new(), Vec::new());
        for round in 0..rounds {
            let s = measure(sdk(c), None, ids, "certctl")?;
            let b = measure(bare(c), None, ids, "the bare program")?;
            eprintln!(
                "cli c={c} round {}: certctl {:.3} s ({:.0} ids/s, cpu {:.1} us/id), bare {:.3} s \
                 ({:.0} ids/s, cpu {:.1} us/id), ratio {:.1} %",
                round + 1,
                s.wall,
                ids as f64 / s.wall,
                (s.user + s.sys) * 1e6 / ids as f64,
                b.wall,
                ids as f64 / b.wall,
                (b.user + b.sys) * 1e6 / ids as f64,
                100.0 * b.wall / s.wall
            );
            sdk_runs.push(s);
            bare_runs.push(b);
        }
        let case = |what: &str| format!("{ids} Aliyun ids c={c}: {what}");
        let wall = |runs: &[Run]| median(&runs.iter().map(|r| r.wall).collect::<Vec<_>>());
        let per_id = |runs: &[Run], f: fn(&Run) -> f64| {
            median(
                &runs
                    .iter()
                    .map(|r| f(r) * 1e6 / ids as f64)
                    .collect::<Vec<_>>(),
            )
        };
        let (sdk_wall, bare_wall) = (wall(&sdk_runs), wall(&bare_runs));
        let ratio = 100.0 * bare_wall / sdk_wall;
        let pair_ratios: Vec<f64> = sdk_runs
            .iter()
            .zip(&bare_runs)
            .map(|(s, b)| 100.0 * b.wall / s.wall)
            .collect();
        let (lo, hi) = pair_ratios
            .iter()
            .fold((f64::MAX, f64::MIN), |(lo, hi), r| (lo.min(*r), hi.max(*r)));
        let target = if c == 1 { 80.0 } else { 85.0 };
        let of = format!("median of {rounds}");
        rows.push(Row::info(
            BENCH,
            case(&format!("certctl wall time, {of}")),
            sdk_wall,
            "s",
        ));
        rows.push(Row::info(
            BENCH,
            case(&format!("bare reqwest wall time, {of}")),
            bare_wall,
            "s",
        ));
        rows.push(Row::info(
            BENCH,
            case("certctl throughput"),
            ids as f64 / sdk_wall,
            "ids/s",
        ));
        rows.push(Row::info(
            BENCH,
            case("bare reqwest throughput"),
            ids as f64 / bare_wall,
            "ids/s",
        ));
        rows.push(
            Row::info(BENCH, case("certctl / bare throughput"), ratio, "%")
                .checked(&format!(">= {target:.0}%"), ratio >= target),
        );
        rows.push(Row::info(
            BENCH,
            case("certctl / bare, median round"),
            median(&pair_ratios),
            "%",
        ));
        rows.push(Row::info(
            BENCH,
            case("certctl / bare, lowest round"),
            lo,
            "%",
        ));
        rows.push(Row::info(
            BENCH,
            case("certctl / bare, highest round"),
            hi,
            "%",
        ));
        for (who, runs) in [("certctl", &sdk_runs), ("bare reqwest", &bare_runs)] {
            rows.push(Row::info(
                BENCH,
                case(&format!("{who} CPU per id, user+sys")),
                per_id(runs, |r| r.user + r.sys),
                "us",
            ));
            rows.push(Row::info(
                BENCH,
                case(&format!("{who} CPU per id, user")),
                per_id(runs, |r| r.user),
                "us",
            ));
            rows.push(Row::info(
                BENCH,
                case(&format!("{who} CPU per id, sys")),
                per_id(runs, |r| r.sys),
                "us",
            ));
        }
        let all_deleted = sdk_runs.iter().chain(&bare_runs).all(|r| r.deleted == ids);
        rows.push(Row::info(
            BENCH,
            case("runs that exited 0 with every id reported deleted"),
            if all_deleted {
                (2 * rounds) as f64
            } else {
                0.0
            },
            "",
        ));
    }
    Ok(rows)
}

/// `bench-run cli-memory [--quick]`.
pub fn memory(args: &[&str]) -> Result<Vec<Row>, String> {
    let ids: u64 = if args.contains(&"--quick") {
        100_000
    } else {
        1_000_000
    };
    let time_out =
        std::env::temp_dir().join(format!("xtask-bench-{}-cli-time.txt", std::process::id()));
    let gnu_time = Path::new("/usr/bin/time");
    let works = Command::new(gnu_time)
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(&time_out)
        .arg("true")
        .status()
        .is_ok_and(|s| s.success());
    if !works {
        eprintln!("cli-memory: skipped, GNU time (/usr/bin/time -f %M) is not available");
        return Ok(Vec::new());
    }
    let (_, certctl) = exe_and_certctl()?;
    let server = CannedServer::start()?;
    let url = format!("http://{}", server.addr);
    let mut rows = Vec::new();
    // Aliyun's short numeric ids, and Huawei's 32-hex-digit ids (APIG, one request per id):
    // the set of ids seen grows with the ids' length.
    for (name, command, shape) in [
        (
            "Aliyun",
            &["aliyun-cas", "delete-certificates"][..],
            Shape::Decimal,
        ),
        (
            "Huawei APIG (32 hex digits)",
            &["huawei-apig", "delete-certificate"][..],
            Shape::Hex32,
        ),
    ] {
        rows.extend(memory_case(
            &certctl, gnu_time, &time_out, &url, ids, name, command, shape,
        )?);
    }
    drop(server);
    Ok(rows)
}

/// One `cli-memory` case: certctl `command` with `ids` ids of `shape` on its stdin.
#[allow(clippy::too_many_arguments)]
fn memory_case(
    certctl: &Path,
    gnu_time: &Path,
    time_out: &Path,
    url: &str,
    ids: u64,
    name: &str,
    command: &[&str],
    shape: Shape,
) -> Result<Vec<Row>, String> {
    let time_arg = time_out.to_string_lossy().into_owned();
    // GNU time runs certctl as its child, waits for it with `wait4` and writes its
    // `ru_maxrss` (KiB), user and system seconds.
    let cmd = certctl_command_for(
        gnu_time,
        &[
            "-f",
            "%M %U %S",
            "-o",
            &time_arg,
            &certctl.to_string_lossy(),
        ],
        command,
        url,
        "-",
        32,
    );
    let run = measure(cmd, Some((ids, shape)), ids, "certctl --ids-from -")?;
    let text = std::fs::read_to_string(time_out).map_err(|e| e.to_string())?;
    let _ = std::fs::remove_file(time_out);
    let last = text.lines().last().unwrap_or("");
    let f: Vec<f64> = last
        .split_whitespace()
        .filter_map(|x| x.parse().ok())
        .collect();
    let [kib, user, sys] = f[..] else {
        return Err(format!("GNU time wrote {text:?}, not `MAXRSS USER SYS`"));
    };
    let rss = kib / 1024.0;
    eprintln!(
        "cli-memory: {ids} {name} ids, peak RSS {rss:.1} MiB, {:.2} s, user {user:.2} s, \
         sys {sys:.2} s",
        run.wall
    );
    let case = |what: &str| format!("certctl {ids} {name} ids from stdin, c=32: {what}");
    Ok(vec![
        Row::info(BENCH_MEMORY, case("peak RSS (ru_maxrss)"), rss, "MiB")
            .checked("< 64 MiB", rss < 64.0),
        Row::info(BENCH_MEMORY, case("wall time"), run.wall, "s"),
        Row::info(
            BENCH_MEMORY,
            case("throughput"),
            ids as f64 / run.wall,
            "ids/s",
        ),
        Row::info(
            BENCH_MEMORY,
            case("CPU per id, user+sys"),
            (user + sys) * 1e6 / ids as f64,
            "us",
        ),
        Row::info(
            BENCH_MEMORY,
            case("ids reported deleted"),
            run.deleted as f64,
            "",
        ),
    ])
}

/// One outcome of the bare program's report.
#[derive(Serialize)]
struct BareItem {
    id: String,
    outcome: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    request_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

#[derive(Serialize)]
struct BareReport {
    items: Vec<BareItem>,
    requested: usize,
    deleted: usize,
    failed: usize,
}

#[derive(serde::Deserialize)]
struct AliyunAnswer {
    #[serde(rename = "RequestId")]
    request_id: String,
}

/// `bench-run cli-bare --endpoint URL --ids-from FILE --concurrency C`: what a user's minimal
/// program would do with reqwest: a tokio runtime, the ids from the file, one
/// `DeleteUserCertificate` request per id as certctl sends it (`POST /?CertId=..&ClientToken=..`
/// with an empty body and the `x-acs-action` / `x-acs-version` headers; no signature) at
/// concurrency C on one client, the answer's `RequestId` read, and a JSON report on stdout.
/// Exits non-zero unless every id was deleted.
pub fn bare(args: &[&str]) -> Result<(), String> {
    let endpoint = arg(args, "--endpoint").ok_or("--endpoint URL")?.to_string();
    let file = arg(args, "--ids-from").ok_or("--ids-from FILE")?;
    let concurrency: usize = arg(args, "--concurrency")
        .and_then(|c| c.parse().ok())
        .filter(|c| *c >= 1)
        .ok_or("--concurrency N")?;
    // reqwest needs a process-wide TLS provider even for plain HTTP.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let text = std::fs::read_to_string(file).map_err(|e| format!("{file}: {e}"))?;
    let ids: Arc<Vec<String>> = Arc::new(
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_string)
            .collect(),
    );
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| e.to_string())?;
    let items = rt.block_on(bare_deletes(&client, &endpoint, ids.clone(), concurrency));
    let deleted = items.iter().filter(|i| i.outcome == "deleted").count();
    let report = BareReport {
        requested: ids.len(),
        deleted,
        failed: items.len() - deleted,
        items,
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    serde_json::to_writer_pretty(&mut out, &report).map_err(|e| e.to_string())?;
    writeln!(out)
        .and_then(|()| out.flush())
        .map_err(|e| e.to_string())?;
    if report.failed > 0 || report.requested != ids.len() || deleted != ids.len() {
        return Err(format!(
            "{} of {} ids not deleted",
            ids.len() - deleted,
            ids.len()
        ));
    }
    Ok(())
}

/// The bare program's requests: `concurrency` tasks taking the next id until none is left;
/// the outcomes in the order of the ids.
async fn bare_deletes(
    client: &reqwest::Client,
    endpoint: &str,
    ids: Arc<Vec<String>>,
    concurrency: usize,
) -> Vec<BareItem> {
    let next = Arc::new(AtomicUsize::new(0));
    let token_prefix = format!("{:08x}-0000-4000-8000-", std::process::id());
    let mut tasks = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        let (client, ids, next) = (client.clone(), ids.clone(), next.clone());
        let (endpoint, token_prefix) = (endpoint.to_string(), token_prefix.clone());
        tasks.push(tokio::spawn(async move {
            let mut done = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(id) = ids.get(i) else { break };
                let url = format!("{endpoint}/?CertId={id}&ClientToken={token_prefix}{i:012x}");
                let result = async {
                    let response = client
                        .post(url)
                        .header("x-acs-action", "DeleteUserCertificate")
                        .header("x-acs-version", "2020-04-07")
                        .send()
                        .await
                        .map_err(|e| e.to_string())?;
                    let status = response.status();
                    let body = response.bytes().await.map_err(|e| e.to_string())?;
                    if !status.is_success() {
                        return Err(format!("HTTP {status}"));
                    }
                    serde_json::from_slice::<AliyunAnswer>(&body)
                        .map(|a| a.request_id)
                        .map_err(|e| e.to_string())
                }
                .await;
                let item = match result {
                    Ok(rid) => BareItem {
                        id: id.clone(),
                        outcome: "deleted",
                        request_id: Some(rid),
                        error: None,
                    },
                    Err(e) => BareItem {
                        id: id.clone(),
                        outcome: "failed",
                        request_id: None,
                        error: Some(e),
                    },
                };
                done.push((i, item));
            }
            done
        }));
    }
    let mut all = Vec::with_capacity(ids.len());
    for t in tasks {
        all.extend(t.await.unwrap_or_default());
    }
    all.sort_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, item)| item).collect()
}

#[cfg(test)]
mod tests {
    use super::DeletedCounter;

    fn count(chunks: &[&str]) -> u64 {
        let mut c = DeletedCounter::default();
        for s in chunks {
            c.feed(s.as_bytes());
        }
        c.finish()
    }

    #[test]
    fn counts_values_not_keys_across_chunks() {
        let doc = r#"{"items": [{"id": "1", "outcome": "deleted"}, {"outcome" : "deleted" ,"id":"2"},
            {"id": "deleted\"", "outcome": "absent"}], "totals": {"deleted": 2}}"#;
        assert_eq!(count(&[doc]), 2);
        for cut in 0..doc.len() {
            assert_eq!(count(&[&doc[..cut], &doc[cut..]]), 2, "cut at {cut}");
        }
        assert_eq!(
            count(&["{\"outcome\":\"deleted\"}\n{\"outcome\":\"deleted\"}\n"]),
            2
        );
        assert_eq!(count(&["\"deleted\""]), 1);
        assert_eq!(count(&["{\"deletedx\": \"deletedx\"}"]), 0);
    }
}
