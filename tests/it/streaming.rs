//! certctl streams: an id read from a pipe that is still open is sent, settled, reported and
//! journaled before the next id is even written. Nothing waits for the end of the input or
//! for a chunk to fill.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

use cert_emulator::Emulator;
use integration_tests::cli::certctl;
use serde_json::Value;

/// How long one id may take to come back while the pipe stays open.
const PATIENCE: Duration = Duration::from_secs(20);

fn journal_path() -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    std::env::temp_dir().join(format!(
        "certctl-streaming-{}-{nanos}.jsonl",
        std::process::id()
    ))
}

/// The settled journal lines naming `id`.
fn journaled(journal: &PathBuf, id: &str) -> usize {
    std::fs::read_to_string(journal)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["id"] == id && v.get("outcome").is_some())
        .count()
}

#[tokio::test(flavor = "multi_thread")]
async fn ids_from_an_open_pipe_settle_one_by_one_before_the_input_ends() {
    let emu = Emulator::builder().start().await.expect("emulator");
    let url = emu.url();
    let journal = journal_path();
    let journal_for_child = journal.clone();
    tokio::task::spawn_blocking(move || {
        let mut child = certctl()
            .args(["huawei-elb", "delete-certificates", "--endpoint", &url])
            .args(["--ids-from", "-", "--output", "json", "--concurrency", "8"])
            .arg("--journal")
            .arg(&journal_for_child)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn certctl");
        let mut stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel::<String>();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        // The standard seed's ELB certificate, then ids it does not hold (absent).
        let ids = [
            "e1b00000000000000000000000000001",
            "0000000000000000000000000000dea1",
            "0000000000000000000000000000dea2",
        ];
        let mut lines = Vec::new();
        for id in ids {
            stdin
                .write_all(format!("{id}\n").as_bytes())
                .and_then(|()| stdin.flush())
                .expect("write an id");
            // Its report line comes while the pipe is still open.
            let line = loop {
                let line = rx
                    .recv_timeout(PATIENCE)
                    .unwrap_or_else(|_| panic!("{id} was not reported while stdin stayed open"));
                if line.contains(id) {
                    break line;
                }
                lines.push(line);
            };
            assert_eq!(
                journaled(&journal_for_child, id),
                1,
                "{id} is journaled once when reported"
            );
            lines.push(line);
        }
        drop(stdin);
        let status = child.wait().expect("wait");
        reader.join().expect("reader");
        lines.extend(rx.try_iter());
        assert_eq!(status.code(), Some(0), "{lines:?}");
        let doc: Value = serde_json::from_str(&lines.join("\n")).expect("one JSON report");
        let mut got = integration_tests::cli::report_outcomes(&doc);
        got.sort();
        assert_eq!(
            got,
            [
                ("0000000000000000000000000000dea1", "absent"),
                ("0000000000000000000000000000dea2", "absent"),
                ("e1b00000000000000000000000000001", "deleted"),
            ]
            .map(|(a, b)| (a.to_string(), b.to_string()))
        );
        assert_eq!(doc["totals"]["requested"], 3);
    })
    .await
    .expect("the test's blocking part");
    let _ = std::fs::remove_file(&journal);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_streamed_table_keeps_huawei_ids_in_their_column() {
    let emu = Emulator::builder().start().await.expect("emulator");
    let url = emu.url();
    let out = tokio::task::spawn_blocking(move || {
        certctl()
            .args(["huawei-elb", "delete-certificates", "--endpoint", &url])
            .args(["--output", "table"])
            .args([
                "e1b00000000000000000000000000001",
                "0000000000000000000000000000dea1",
            ])
            .output()
            .expect("run certctl")
    })
    .await
    .expect("the test's blocking part");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    // The header and each id's row: the outcome starts in the same column on every one.
    let column = |line: &str, word: &str| line.find(word).unwrap_or(usize::MAX);
    let header = text
        .lines()
        .find(|l| l.contains("outcome"))
        .expect("header");
    let at = column(header, "outcome");
    for (id, outcome) in [
        ("e1b00000000000000000000000000001", "deleted"),
        ("0000000000000000000000000000dea1", "absent"),
    ] {
        let row = text.lines().find(|l| l.contains(id)).expect("the id's row");
        assert_eq!(column(row, outcome), at, "{text}");
    }
}
