//! The `cert-emulator` binary prints its address and credentials and serves.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use cert_emulator::credentials as c;

#[test]
fn binary_prints_address_and_credentials() {
    let dir = std::env::temp_dir().join(format!("cert-emulator-seed-{}", std::process::id()));
    std::fs::write(&dir, r#"{"tencent_csrs": [1, 2]}"#).expect("write seed");
    let mut child = Command::new(env!("CARGO_BIN_EXE_cert-emulator"))
        .args(["--port", "0", "--seed"])
        .arg(&dir)
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let lines: Vec<String> = BufReader::new(stdout)
        .lines()
        .take(9)
        .map_while(Result::ok)
        .collect();
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_file(&dir);
    let text = lines.join("\n");
    assert!(
        lines[0].starts_with("cert-emulator listening on http://127.0.0.1:"),
        "{text}"
    );
    for needle in [
        c::HUAWEI_AK,
        c::HUAWEI_PROJECT_ID,
        c::HUAWEI_IAM_TOKEN,
        c::TENCENT_SECRET_ID,
        c::ALIYUN_ACCESS_KEY_ID,
        c::ALIYUN_SECURITY_TOKEN,
    ] {
        assert!(text.contains(needle), "{needle} missing from\n{text}");
    }
}

#[test]
fn binary_refuses_bad_arguments() {
    let out = Command::new(env!("CARGO_BIN_EXE_cert-emulator"))
        .args(["--port", "notaport"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let out = Command::new(env!("CARGO_BIN_EXE_cert-emulator"))
        .args(["--seed", "/nonexistent/seed.json"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
}
