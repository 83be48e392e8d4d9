//! Crash and resume: the real `certctl` binary, killed with SIGKILL at random points in the
//! middle of thousands of ids, then resumed from its journal until done. Every id is reported
//! exactly once, the report agrees with the emulator, and no id is deleted twice.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use cert_emulator::Emulator;
use integration_tests::PROJECT;
use integration_tests::cli::certctl;
use serde_json::Value;

/// A temporary directory of the test's own, removed at the end.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let dir =
            std::env::temp_dir().join(format!("certctl-{name}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }
    fn path(&self, file: &str) -> PathBuf {
        self.0.join(file)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A small deterministic generator (xorshift), seeded from the clock and printed, so a failing
/// schedule can be replayed with `RESUME_SEED`.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn between(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo)
    }
}

fn elb_delete(endpoint: &str, ids_file: &Path, journal: &Path, extra: &[&str]) -> Command {
    let mut cmd = certctl();
    cmd.args(["huawei-elb", "delete-certificates", "--endpoint", endpoint])
        .arg("--ids-from")
        .arg(ids_file)
        .arg("--journal")
        .arg(journal)
        .args([
            "--batch-size",
            "5",
            "--concurrency",
            "4",
            "--output",
            "json",
        ])
        .args(extra)
        .stdin(Stdio::null());
    cmd
}

/// Every settled line of a journal: (id, outcome), in order.
fn settled_lines(journal: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(journal).expect("journal");
    text.lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(|v| {
            Some((
                v.get("id")?.as_str()?.to_string(),
                v.get("outcome")?.as_str()?.to_string(),
            ))
        })
        .collect()
}

/// Ids whose `attempt` line has no outcome line after it in the same journal (sent by a run
/// that was killed before their answer was written).
fn attempted(journal: &Path) -> HashSet<String> {
    let text = std::fs::read_to_string(journal).expect("journal");
    text.lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(|v| v.get("attempt").and_then(Value::as_array).cloned())
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_runs_resume_until_done_and_every_id_is_reported_once() {
    const IDS: usize = 5_000;
    let seed = std::env::var("RESUME_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64 | 1)
                .unwrap_or(0x9e37_79b9)
        });
    eprintln!("kill schedule seed: RESUME_SEED={seed}");
    let mut rng = Rng(seed);

    let emu = std::sync::Arc::new(
        Emulator::builder()
            .seed(cert_emulator::Seed::empty())
            .start()
            .await
            .expect("emulator"),
    );
    let ids: Vec<String> = (0..IDS).map(|i| format!("cert-{i:05}")).collect();
    emu.seed_elb_certificates(PROJECT, ids.iter().cloned());
    let dir = TempDir::new("resume");
    let ids_file = dir.path("ids.txt");
    std::fs::write(&ids_file, ids.join("\n")).expect("ids file");
    let journal = dir.path("run.journal");
    let endpoint = emu.url();

    // Kill the run several times, at random points.
    let mut kills = 0;
    let mut killed_mid_run = 0;
    let mut first = true;
    for _ in 0..4 {
        let extra: &[&str] = if first { &[] } else { &["--resume"] };
        first = false;
        let mut child = elb_delete(&endpoint, &ids_file, &journal, extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("certctl starts");
        // Kill when the emulator has deleted a random share of what is left: a point in the
        // middle of the run, whatever the machine's speed.
        let before = emu.elb_certificates(PROJECT).len() as u64;
        let target = before * rng.between(10, 90) / 100;
        let watched = emu.clone();
        let exited = tokio::task::spawn_blocking(move || {
            let started = Instant::now();
            while started.elapsed() < Duration::from_secs(60) {
                if let Ok(Some(status)) = child.try_wait() {
                    return Some(status);
                }
                if (watched.elb_certificates(PROJECT).len() as u64) <= target {
                    break;
                }
                std::thread::sleep(Duration::from_micros(200));
            }
            // SIGKILL: no chance to flush or clean up.
            let _ = child.kill();
            let _ = child.wait();
            None
        })
        .await
        .expect("waiter");
        let after = format!("{} of {before} deleted", before - target);
        kills += 1;
        if exited.is_none() {
            killed_mid_run += 1;
        }
        let left = emu.elb_certificates(PROJECT).len();
        eprintln!("kill {kills} after {after}: {left} certificates left");
        if left == 0 {
            break;
        }
    }
    assert!(
        killed_mid_run >= 1,
        "no run was killed in the middle: the schedule proves nothing"
    );
    let interrupted = attempted(&journal);

    // Resume until a run completes.
    let mut last = None;
    for _ in 0..10 {
        let out = tokio::task::spawn_blocking({
            let mut cmd = elb_delete(&endpoint, &ids_file, &journal, &["--resume"]);
            move || cmd.output().expect("certctl runs")
        })
        .await
        .expect("runner");
        let code = out.status.code();
        last = Some(out);
        if code == Some(0) {
            break;
        }
    }
    let out = last.expect("a resumed run");
    assert_eq!(
        out.status.code(),
        Some(0),
        "the resumed run completes: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(emu.elb_certificates(PROJECT).is_empty(), "every id is gone");

    // The journal: no id settled as deleted twice; each id settled exactly once in all
    // (outcomes are final: deleted or absent here, nothing unconfirmed was retried).
    let lines = settled_lines(&journal);
    let mut per_id: HashMap<&str, Vec<&str>> = HashMap::new();
    for (id, outcome) in &lines {
        per_id.entry(id).or_default().push(outcome);
    }
    assert_eq!(per_id.len(), IDS, "every id settled");
    for (id, outcomes) in &per_id {
        assert_eq!(outcomes.len(), 1, "{id} settled once: {outcomes:?}");
        assert!(
            outcomes[0] == "deleted" || outcomes[0] == "absent",
            "{id}: {outcomes:?}"
        );
        if outcomes[0] == "absent" {
            assert!(
                interrupted.contains(*id),
                "{id} is absent only because an interrupted run had sent it"
            );
        }
    }
    // The emulator deleted each certificate once: successful batch deletes named every id,
    // and the ones the journal says `deleted` were deleted by the run that wrote that.
    let deleted = lines.iter().filter(|(_, o)| o == "deleted").count();
    let absent = lines.iter().filter(|(_, o)| o == "absent").count();
    assert_eq!(deleted + absent, IDS);
    // What a kill can lose: the answers of the requests in flight (--concurrency 4 ×
    // --batch-size 5) and of those settled but not yet written (certctl buffers at most 64).
    assert!(
        absent <= kills * (4 * 5 + 64),
        "{absent} ids lost their answer in {kills} kills"
    );

    // The rebuilt report: every id once, agreeing with the journal and the emulator.
    let report = certctl()
        .arg("report")
        .arg(&journal)
        .args(["--output", "json"])
        .output()
        .expect("certctl report");
    assert_eq!(report.status.code(), Some(0));
    let doc: Value = serde_json::from_slice(&report.stdout).expect("report JSON");
    let items = doc["items"].as_array().expect("items");
    assert_eq!(items.len(), IDS);
    let mut seen = HashSet::new();
    for item in items {
        let id = item["id"].as_str().expect("id");
        assert!(seen.insert(id.to_string()), "{id} reported twice");
        assert_eq!(item["outcome"].as_str(), per_id[id].first().copied());
    }
    assert_eq!(doc["totals"]["deleted"], deleted);
    assert_eq!(doc["totals"]["absent"], absent);
    eprintln!(
        "{kills} kills ({killed_mid_run} mid-run), {deleted} deleted, {absent} absent after an interruption"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resuming_against_another_endpoint_or_account_is_refused() {
    let emu = Emulator::builder().start().await.expect("emulator");
    emu.seed_elb_certificates(PROJECT, ["a-1", "a-2"]);
    let dir = TempDir::new("refuse");
    let ids_file = dir.path("ids.txt");
    std::fs::write(&ids_file, "a-1\na-2\n").expect("ids");
    let journal = dir.path("run.journal");
    let run = |cmd: &mut Command| cmd.output().expect("certctl runs");
    let first = run(&mut elb_delete(&emu.url(), &ids_file, &journal, &[]));
    assert_eq!(first.status.code(), Some(0));
    // A second run without --resume never overwrites the journal.
    let again = run(&mut elb_delete(&emu.url(), &ids_file, &journal, &[]));
    assert_eq!(again.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--resume"));
    // Another endpoint.
    let other = Emulator::builder().start().await.expect("emulator");
    let moved = run(&mut elb_delete(
        &other.url(),
        &ids_file,
        &journal,
        &["--resume"],
    ));
    assert_eq!(moved.status.code(), Some(3));
    let err = String::from_utf8_lossy(&moved.stderr);
    assert!(
        err.contains("refusing to resume") && err.contains("endpoint"),
        "{err}"
    );
    // Another account (access key id).
    let mut cmd = elb_delete(&emu.url(), &ids_file, &journal, &["--resume"]);
    cmd.env("HUAWEICLOUD_SDK_AK", "ANOTHERACCESSKEYID01");
    let other_account = run(&mut cmd);
    assert_eq!(other_account.status.code(), Some(3));
    let err = String::from_utf8_lossy(&other_account.stderr);
    assert!(err.contains("account"), "{err}");
    assert!(
        !err.contains("ANOTHERACCESSKEYID01"),
        "the key id is not printed: {err}"
    );
    // Another Huawei project: its ids name other resources.
    let mut cmd = elb_delete(&emu.url(), &ids_file, &journal, &["--resume"]);
    cmd.env(
        "HUAWEICLOUD_SDK_PROJECT_ID",
        "ffffffffffffffffffffffffffffffff",
    );
    let other_project = run(&mut cmd);
    assert_eq!(other_project.status.code(), Some(3));
    let err = String::from_utf8_lossy(&other_project.stderr);
    assert!(err.contains("project"), "{err}");
    // The same scope resumes: nothing left to do.
    let same = run(&mut elb_delete(
        &emu.url(),
        &ids_file,
        &journal,
        &["--resume"],
    ));
    assert_eq!(
        same.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&same.stderr)
    );
    let doc: Value = serde_json::from_slice(&same.stdout).expect("JSON");
    assert_eq!(doc["skipped"], 2);
    assert_eq!(doc["totals"]["requested"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupt_journal_line_is_named_and_a_cut_last_line_tolerated() {
    let emu = Emulator::builder().start().await.expect("emulator");
    emu.seed_elb_certificates(PROJECT, ["c-1", "c-2", "c-3"]);
    let dir = TempDir::new("corrupt");
    let ids_file = dir.path("ids.txt");
    std::fs::write(&ids_file, "c-1\nc-2\nc-3\n").expect("ids");
    let journal = dir.path("run.journal");
    let out = elb_delete(&emu.url(), &ids_file, &journal, &[])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let good = std::fs::read_to_string(&journal).expect("journal");

    // A crash mid-write: the last line cut short. Tolerated, and repaired before appending.
    std::fs::write(&journal, format!("{good}{{\"id\":\"c-9\",\"outc")).expect("write");
    let report = certctl()
        .arg("report")
        .arg(&journal)
        .args(["--output", "json"])
        .output()
        .expect("report");
    assert_eq!(report.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&report.stderr).contains("cut short"));
    let resumed = elb_delete(&emu.url(), &ids_file, &journal, &["--resume"])
        .output()
        .expect("runs");
    assert_eq!(resumed.status.code(), Some(0));
    let repaired = std::fs::read_to_string(&journal).expect("journal");
    assert!(repaired.ends_with('\n') && !repaired.contains("\"outc\n"));

    // Anything else is an error naming the line.
    let mut lines: Vec<&str> = good.lines().collect();
    lines.insert(2, "{\"id\":42}");
    std::fs::write(&journal, lines.join("\n") + "\n").expect("write");
    for args in [vec!["report".to_string()], vec![]] {
        let out = if args.is_empty() {
            elb_delete(&emu.url(), &ids_file, &journal, &["--resume"])
                .output()
                .expect("runs")
        } else {
            certctl()
                .arg("report")
                .arg(&journal)
                .output()
                .expect("runs")
        };
        assert_eq!(out.status.code(), Some(3));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("line 3"), "names the line: {err}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_journal_is_never_the_ids_file_nor_shared_by_two_runs() {
    let emu = Emulator::builder().start().await.expect("emulator");
    emu.seed_elb_certificates(PROJECT, ["f-1", "f-2"]);
    let dir = TempDir::new("same-file");
    let ids_file = dir.path("ids.txt");
    std::fs::write(&ids_file, "f-1\nf-2\n").expect("ids");
    // The ids file given as the journal: refused before anything is sent.
    let out = elb_delete(&emu.url(), &ids_file, &ids_file, &["--resume"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("same file"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let journal = dir.path("run.journal");
    let first = elb_delete(&emu.url(), &ids_file, &journal, &[])
        .output()
        .expect("runs");
    assert_eq!(first.status.code(), Some(0));
    // Standard input read from the journal itself.
    let mut cmd = elb_delete(&emu.url(), Path::new("-"), &journal, &["--resume"]);
    cmd.stdin(std::fs::File::open(&journal).expect("journal"));
    let out = cmd.output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("same file"));
    assert_eq!(emu.requests().len(), 1, "only the first run sent anything");

    // While another run holds the journal, neither a resume nor a new run may write it.
    let held = std::fs::File::open(&journal).expect("journal");
    #[allow(clippy::incompatible_msrv)] // the tests run on the toolchain of certctl (1.89)
    held.try_lock().expect("lock");
    let out = elb_delete(&emu.url(), &ids_file, &journal, &["--resume"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(3));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("in use by another certctl run"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    drop(held);
    let out = elb_delete(&emu.url(), &ids_file, &journal, &["--resume"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "free again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resume_that_skips_refused_ids_does_not_exit_0() {
    let emu = Emulator::builder().start().await.expect("emulator");
    emu.seed_elb_certificates(PROJECT, ["g-1"]);
    let dir = TempDir::new("skip-status");
    let ids_file = dir.path("ids.txt");
    std::fs::write(&ids_file, "g-1\n").expect("ids");
    let journal = dir.path("run.journal");
    let first = elb_delete(&emu.url(), &ids_file, &journal, &[])
        .output()
        .expect("runs");
    assert_eq!(first.status.code(), Some(0));
    // An id the journal has as refused, then given again (twice) with the deleted one.
    let mut text = std::fs::read_to_string(&journal).expect("journal");
    text.push_str(
        r#"{"id":"g-2","outcome":"refused","code":"ELB.8902","message":"in use","request_id":"r","attempted_at":null}"#,
    );
    text.push('\n');
    std::fs::write(&journal, text).expect("journal");
    std::fs::write(&ids_file, "g-1\ng-2\ng-2\ng-1\n").expect("ids");
    let out = elb_delete(&emu.url(), &ids_file, &journal, &["--resume"])
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(1),
        "g-2 is not gone: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(doc["skipped"], 2, "distinct ids: {doc}");
    assert_eq!(doc["skipped_refused_or_unconfirmed"], 1, "{doc}");
    assert_eq!(doc["totals"]["requested"], 0);
    // Only the deleted one skipped: 0.
    std::fs::write(&ids_file, "g-1\n").expect("ids");
    let out = elb_delete(&emu.url(), &ids_file, &journal, &["--resume"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
}

/// A run stopped by an answer that is not the API's: its message and `certctl report` agree on
/// which ids went out (the stopping request's, unsettled) and which were not attempted.
#[test]
fn a_stopped_run_says_which_ids_were_sent_as_the_journal_does() {
    let server = integration_tests::wire::ScriptedServer::always(|| {
        integration_tests::wire::html(404, "<html><body>not the API</body></html>")
    });
    let dir = TempDir::new("stopped");
    let journal = dir.path("run.journal");
    let ids: Vec<String> = (7_002_000..7_002_020).map(|i| i.to_string()).collect();
    let out = certctl()
        .args(["aliyun-cas", "delete-certificates", "--endpoint"])
        .arg(server.url())
        .arg("--journal")
        .arg(&journal)
        .args([
            "--concurrency",
            "1",
            "--max-attempts",
            "1",
            "--output",
            "json",
        ])
        .args(&ids)
        .stdin(Stdio::null())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    let unsettled_in_journal: Vec<String> = {
        let settled: HashSet<String> = settled_lines(&journal)
            .into_iter()
            .map(|(i, _)| i)
            .collect();
        attempted(&journal)
            .into_iter()
            .filter(|i| !settled.contains(i))
            .collect()
    };
    let k = unsettled_in_journal.len();
    assert!(k >= 1, "the stopping request's id was sent: {err}");
    assert!(
        err.contains(&format!(
            "{k} of them were sent in requests whose answers did not settle them"
        )),
        "{err}"
    );
    assert!(err.contains("NOT attempted"), "{err}");
    let report = certctl()
        .arg("report")
        .arg(&journal)
        .args(["--output", "json"])
        .output()
        .expect("report");
    let doc: Value = serde_json::from_slice(&report.stdout).expect("JSON");
    let items = doc["items"].as_array().expect("items");
    assert_eq!(items.len(), k, "the report names the sent ids only: {doc}");
    for item in items {
        assert_eq!(item["outcome"], "unconfirmed", "{doc}");
        assert!(
            unsettled_in_journal.contains(&item["id"].as_str().unwrap_or_default().to_string())
        );
    }
}
