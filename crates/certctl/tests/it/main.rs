//! Runs the `certctl` binary against the bundled emulator: JSON reports, exit statuses,
//! dry runs, ids from stdin and the confirmation guard.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use cert_emulator::{Emulator, credentials as c};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_certctl");

/// Every credential variable the tool reads, so a test controls exactly what the child sees.
const CREDENTIAL_VARS: &[&str] = &[
    "HUAWEICLOUD_SDK_AK",
    "HUAWEICLOUD_SDK_SK",
    "HUAWEICLOUD_SDK_SECURITY_TOKEN",
    "HUAWEICLOUD_SDK_PROJECT_ID",
    "HUAWEICLOUD_SDK_AUTH_TOKEN",
    "TENCENTCLOUD_SECRET_ID",
    "TENCENTCLOUD_SECRET_KEY",
    "TENCENTCLOUD_SESSION_TOKEN",
    "TENCENTCLOUD_SECURITY_TOKEN",
    "TENCENTCLOUD_TOKEN",
    "ALIBABA_CLOUD_ACCESS_KEY_ID",
    "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
    "ALIBABA_CLOUD_SECURITY_TOKEN",
    "ALIBABA_CLOUD_CREDENTIALS_FILE",
    "ALIBABA_CLOUD_CONFIG_FILE",
    "ALIBABA_CLOUD_PROFILE",
    "ALIBABA_CLOUD_REGION_ID",
    "TENCENTCLOUD_CREDENTIALS_FILE",
    "TENCENTCLOUD_REGION",
    "HUAWEICLOUD_SDK_CREDENTIALS_FILE",
    "CERT_SDK_METADATA_DISABLED",
    "CERT_SDK_TENCENT_METADATA_ENDPOINT",
    "CERT_SDK_ALIYUN_METADATA_ENDPOINT",
    "CERT_SDK_HUAWEI_METADATA_ENDPOINT",
    "ALIBABA_CLOUD_ECS_METADATA",
    "ALIBABA_CLOUD_ECS_METADATA_DISABLED",
    "ALIBABA_CLOUD_IMDSV1_DISABLED",
    "CERT_SDK_TENCENT_STS_ENDPOINT",
    "CERT_SDK_ALIYUN_STS_ENDPOINT",
    "TENCENTCLOUD_ROLE_ARN",
    "TENCENTCLOUD_ROLE_SESSION_NAME",
    "TKE_REGION",
    "TKE_PROVIDER_ID",
    "TKE_WEB_IDENTITY_TOKEN_FILE",
    "TKE_ROLE_ARN",
    "ALIBABA_CLOUD_ROLE_ARN",
    "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
    "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
    "ALIBABA_CLOUD_ROLE_SESSION_NAME",
    "ALIBABA_CLOUD_STS_REGION",
    "SSL_CERT_FILE",
];

fn emulator_env() -> Vec<(&'static str, &'static str)> {
    vec![
        ("HUAWEICLOUD_SDK_AK", c::HUAWEI_AK),
        ("HUAWEICLOUD_SDK_SK", c::HUAWEI_SK),
        ("HUAWEICLOUD_SDK_PROJECT_ID", c::HUAWEI_PROJECT_ID),
        ("TENCENTCLOUD_SECRET_ID", c::TENCENT_SECRET_ID),
        ("TENCENTCLOUD_SECRET_KEY", c::TENCENT_SECRET_KEY),
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", c::ALIYUN_ACCESS_KEY_ID),
        (
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
            c::ALIYUN_ACCESS_KEY_SECRET,
        ),
    ]
}

/// Runs certctl with `args`, the given environment (credential variables cleared first) and
/// optional stdin; stdin is a pipe, never a terminal.
async fn certctl(
    args: Vec<String>,
    env: Vec<(&'static str, &'static str)>,
    stdin: Option<String>,
) -> Output {
    tokio::task::spawn_blocking(move || {
        let mut cmd = Command::new(BIN);
        cmd.args(&args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for v in CREDENTIAL_VARS {
            cmd.env_remove(v);
        }
        // Logs only where a test asks for them.
        cmd.env_remove("RUST_LOG");
        // No profile file of the machine's user is read; a test that wants one sets HOME.
        cmd.env("HOME", "/nonexistent/certctl-test-home");
        // Nor any instance metadata service: a test that wants one names the emulator's.
        cmd.env("CERT_SDK_METADATA_DISABLED", "true");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("spawn certctl");
        if let (Some(mut pipe), Some(text)) = (child.stdin.take(), stdin) {
            pipe.write_all(text.as_bytes()).expect("write stdin");
        }
        child.wait_with_output().expect("certctl output")
    })
    .await
    .expect("join")
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn outcomes(doc: &Value) -> Vec<(String, String)> {
    doc["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| {
            (
                i["id"].as_str().expect("id").to_string(),
                i["outcome"].as_str().expect("outcome").to_string(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn tencent_json_report_and_exit_status() {
    let emu = Emulator::start().await.expect("emulator");
    let out = certctl(
        args(&[
            "tencent-ssl",
            "delete-csrs",
            "--endpoint",
            &emu.url(),
            "--output",
            "json",
            "11",
            "22",
            "99",
            "22",
        ]),
        emulator_env(),
        None,
    )
    .await;
    let doc = json(&out);
    assert_eq!(
        outcomes(&doc),
        [("11", "deleted"), ("22", "deleted"), ("99", "unconfirmed")]
            .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    assert_eq!(doc["totals"]["requested"], 3);
    assert!(doc["items"][0]["request_id"].is_string());
    assert_eq!(
        out.status.code(),
        Some(1),
        "an unconfirmed id makes the exit status 1"
    );
    assert_eq!(emu.tencent_csrs(), vec![33, 44, 55]);
}

#[tokio::test(flavor = "multi_thread")]
async fn every_id_gone_exits_zero() {
    let emu = Emulator::start().await.expect("emulator");
    let out = certctl(
        args(&[
            "aliyun-cas",
            "delete-certificates",
            "--endpoint",
            &emu.url(),
            "--output",
            "json",
            "1001",
        ]),
        emulator_env(),
        None,
    )
    .await;
    let doc = json(&out);
    assert_eq!(
        outcomes(&doc),
        [("1001", "deleted")].map(|(a, b)| (a.to_string(), b.to_string()))
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn huawei_refusal_carries_the_code() {
    let emu = Emulator::start().await.expect("emulator");
    let out = certctl(
        args(&[
            "huawei-apig",
            "delete-certificate",
            "--endpoint",
            &emu.url(),
            "--output",
            "json",
            "a9900000000000000000000000000001",
            "a99000000000000000000000000000b1",
        ]),
        emulator_env(),
        None,
    )
    .await;
    let doc = json(&out);
    // Items come in the order they settle: find each by its id.
    let item = |id: &str| {
        doc["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|i| i["id"] == id)
            .unwrap_or_else(|| panic!("{id} is not in the report: {doc}"))
            .clone()
    };
    assert_eq!(
        item("a9900000000000000000000000000001")["outcome"],
        "deleted"
    );
    let refused = item("a99000000000000000000000000000b1");
    assert_eq!(refused["outcome"], "refused");
    assert_eq!(refused["code"], "APIG.3474");
    assert_eq!(out.status.code(), Some(1));

    let out = certctl(
        args(&[
            "huawei-elb",
            "delete-certificates",
            "--endpoint",
            &emu.url(),
            "--output",
            "json",
            "e1b00000000000000000000000000001",
            "0000000000000000000000000000dead",
        ]),
        emulator_env(),
        None,
    )
    .await;
    let doc = json(&out);
    let mut got = outcomes(&doc);
    got.sort();
    assert_eq!(
        got,
        [
            ("0000000000000000000000000000dead", "absent"),
            ("e1b00000000000000000000000000001", "deleted"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    assert_eq!(out.status.code(), Some(0));
}

#[tokio::test(flavor = "multi_thread")]
async fn dry_run_sends_nothing() {
    let emu = Emulator::start().await.expect("emulator");
    let ids: Vec<String> = (1..=250).map(|i| i.to_string()).collect();
    let mut a = args(&[
        "tencent-ssl",
        "delete-csrs",
        "--endpoint",
        &emu.url(),
        "--dry-run",
        "--output",
        "json",
    ]);
    a.extend(ids);
    let out = certctl(a, emulator_env(), None).await;
    let doc = json(&out);
    assert_eq!(doc["dry_run"], true);
    let sizes: Vec<usize> = doc["requests"]
        .as_array()
        .expect("requests")
        .iter()
        .map(|r| r["ids"].as_array().expect("ids").len())
        .collect();
    assert_eq!(sizes, [100, 100, 50]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        emu.requests().is_empty(),
        "a dry run sent {:?}",
        emu.requests()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn ids_from_stdin() {
    let emu = Emulator::start().await.expect("emulator");
    let out = certctl(
        args(&[
            "tencent-ssl",
            "delete-csrs",
            "--endpoint",
            &emu.url(),
            "--output",
            "json",
            "--ids-from",
            "-",
        ]),
        emulator_env(),
        Some("# CSRs to clean up\n11\n\n  22  \n".into()),
    )
    .await;
    let doc = json(&out);
    assert_eq!(
        outcomes(&doc),
        [("11", "deleted"), ("22", "deleted")].map(|(a, b)| (a.to_string(), b.to_string()))
    );
    assert_eq!(out.status.code(), Some(0));
}

#[tokio::test(flavor = "multi_thread")]
async fn csms_needs_yes_when_not_on_a_terminal() {
    let emu = Emulator::start().await.expect("emulator");
    let base = [
        "huawei-csms",
        "delete-secrets",
        "--endpoint",
        &emu.url(),
        "--instance-id",
        "rds-instance-0001",
    ];
    let out = certctl(args(&base), emulator_env(), None).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--yes"));
    assert!(
        emu.requests().is_empty(),
        "nothing may be sent without confirmation"
    );
    assert_eq!(emu.csms_secrets(c::HUAWEI_PROJECT_ID).len(), 4);

    let mut confirmed = args(&base);
    confirmed.extend(args(&[
        "--instance-type",
        "RDS",
        "--yes",
        "--output",
        "json",
    ]));
    let out = certctl(confirmed, emulator_env(), None).await;
    let doc = json(&out);
    // The same report schema as every other command: one entry per secret the answer names.
    assert_eq!(
        outcomes(&doc),
        [
            ("rds-secret-1", "deleted"),
            ("rds-secret-2", "deleted"),
            ("rds-secret-pending", "refused")
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    assert_eq!(doc["items"][2]["code"], "CSMS.0107");
    assert_eq!(doc["totals"]["requested"], 3);
    assert_eq!(doc["totals"]["refused"], 1);
    assert!(doc["items"][0]["request_id"].is_string());
    assert_eq!(
        out.status.code(),
        Some(1),
        "a failed secret makes the exit status 1"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn input_and_credential_errors_send_nothing() {
    let emu = Emulator::start().await.expect("emulator");
    let url = emu.url();
    // Not an integer: an input error (2).
    let out = certctl(
        args(&["tencent-ssl", "delete-csrs", "--endpoint", &url, "eleven"]),
        emulator_env(),
        None,
    )
    .await;
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // No ids at all: a usage error (2).
    let out = certctl(
        args(&["aliyun-cas", "delete-certificates", "--endpoint", &url]),
        emulator_env(),
        None,
    )
    .await;
    assert_eq!(out.status.code(), Some(2));
    // An unknown option: a usage error (2).
    let out = certctl(
        args(&["tencent-ssl", "delete-csrs", "--bogus", "1"]),
        emulator_env(),
        None,
    )
    .await;
    assert_eq!(out.status.code(), Some(2));
    // No credentials: a configuration error (3) that names the variable.
    let out = certctl(
        args(&["tencent-ssl", "delete-csrs", "--endpoint", &url, "11"]),
        vec![],
        None,
    )
    .await;
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("TENCENTCLOUD_SECRET_ID"));
    // Huawei without a project id: a configuration error (3).
    let env: Vec<_> = emulator_env()
        .into_iter()
        .filter(|(k, _)| *k != "HUAWEICLOUD_SDK_PROJECT_ID")
        .collect();
    let out = certctl(
        args(&[
            "huawei-elb",
            "delete-certificates",
            "--endpoint",
            &url,
            "x1",
        ]),
        env,
        None,
    )
    .await;
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("HUAWEICLOUD_SDK_PROJECT_ID"));
    assert!(emu.requests().is_empty(), "sent: {:?}", emu.requests());
}

#[tokio::test(flavor = "multi_thread")]
async fn verbose_logs_never_show_secrets() {
    let emu = Emulator::start().await.expect("emulator");
    let out = certctl(
        args(&[
            "-vv",
            "aliyun-cas",
            "delete-certificates",
            "--endpoint",
            &emu.url(),
            "1002",
        ]),
        emulator_env(),
        None,
    )
    .await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("DeleteUserCertificate"),
        "request-level logs expected: {stderr}"
    );
    assert!(!stderr.contains(c::ALIYUN_ACCESS_KEY_SECRET));
    assert!(!stderr.contains("Signature="), "{stderr}");
    assert_eq!(out.status.code(), Some(0));
}

/// Keys from an instance metadata service (the emulator's), at -vv: the delete works, the
/// source is named, and neither the metadata answers' secrets nor tokens reach the logs.
#[tokio::test(flavor = "multi_thread")]
async fn instance_metadata_keys_at_trace_level_never_show_secrets() {
    let emu = Emulator::start().await.expect("emulator");
    emu.set_metadata_tokens_required(true);
    let url: &'static str = Box::leak(emu.url().into_boxed_str());
    let metadata_env = vec![
        ("CERT_SDK_METADATA_DISABLED", "false"),
        ("CERT_SDK_TENCENT_METADATA_ENDPOINT", url),
        ("CERT_SDK_ALIYUN_METADATA_ENDPOINT", url),
        ("CERT_SDK_HUAWEI_METADATA_ENDPOINT", url),
        ("HUAWEICLOUD_SDK_PROJECT_ID", c::HUAWEI_PROJECT_ID),
    ];
    for cmd in [
        &["aliyun-cas", "delete-certificates", "1002"][..],
        &["tencent-ssl", "delete-csrs", "11"],
        &[
            "huawei-elb",
            "delete-certificates",
            "e1b00000000000000000000000000001",
        ],
    ] {
        let mut a = args(&["-vv"]);
        a.extend(args(cmd));
        a.extend(args(&["--endpoint", url, "--output", "json"]));
        let out = certctl(a, metadata_env.clone(), None).await;
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            json(&out)["items"][0]["outcome"],
            "deleted",
            "{cmd:?}: {stderr}"
        );
        assert!(stderr.contains("instance metadata at"), "{cmd:?}: {stderr}");
        for secret in [
            "emulator-instance-secret-",
            "emulator-instance-token-",
            "Signature=",
        ] {
            assert!(
                !stderr.contains(secret),
                "{cmd:?} leaked {secret}: {stderr}"
            );
        }
    }
    // The metadata token of IMDSv2 is a secret too: it never shows.
    for r in emu.requests() {
        assert!(!r.path.contains("token="), "{r:?}");
    }
}

/// Keys from STS (a role assumed with the environment's keys; web identity with an OIDC token
/// file), at -vv: the delete works, the source is named, and neither the STS answers' secrets
/// nor the OIDC token reach the logs.
#[tokio::test(flavor = "multi_thread")]
async fn sts_keys_at_trace_level_never_show_secrets() {
    use cert_emulator::sts;
    let emu = Emulator::start().await.expect("emulator");
    let url: &'static str = Box::leak(emu.url().into_boxed_str());
    let dir = std::env::temp_dir().join(format!("certctl-sts-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let token = dir.join("token");
    std::fs::write(&token, sts::OIDC_TOKEN).expect("token");
    let token: &'static str = Box::leak(token.display().to_string().into_boxed_str());
    let base = vec![
        ("CERT_SDK_TENCENT_STS_ENDPOINT", url),
        ("CERT_SDK_ALIYUN_STS_ENDPOINT", url),
    ];
    type Env = Vec<(&'static str, &'static str)>;
    let runs: Vec<(&[&str], Env)> = vec![
        (
            &["tencent-ssl", "delete-csrs", "11"],
            vec![
                ("TENCENTCLOUD_SECRET_ID", c::TENCENT_SECRET_ID),
                ("TENCENTCLOUD_SECRET_KEY", c::TENCENT_SECRET_KEY),
                ("TENCENTCLOUD_ROLE_ARN", sts::TENCENT_ROLE_ARN),
            ],
        ),
        (
            &["tencent-ssl", "delete-csrs", "22"],
            vec![
                ("TKE_REGION", "ap-guangzhou"),
                ("TKE_PROVIDER_ID", sts::TENCENT_OIDC_PROVIDER_ID),
                ("TKE_WEB_IDENTITY_TOKEN_FILE", token),
                ("TKE_ROLE_ARN", sts::TENCENT_ROLE_ARN),
            ],
        ),
        (
            &["aliyun-cas", "delete-certificates", "1002"],
            vec![
                ("ALIBABA_CLOUD_ROLE_ARN", sts::ALIYUN_ROLE_ARN),
                (
                    "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
                    sts::ALIYUN_OIDC_PROVIDER_ARN,
                ),
                ("ALIBABA_CLOUD_OIDC_TOKEN_FILE", token),
            ],
        ),
    ];
    for (cmd, extra) in runs {
        let mut a = args(&["-vv"]);
        a.extend(args(cmd));
        a.extend(args(&["--endpoint", url, "--output", "json"]));
        let mut env = base.clone();
        env.extend(extra);
        let out = certctl(a, env, None).await;
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            json(&out)["items"][0]["outcome"],
            "deleted",
            "{cmd:?}: {stderr}"
        );
        assert!(stderr.contains("role"), "{cmd:?}: {stderr}");
        for secret in [
            "emulator-sts-secret-",
            "emulator-sts-token-",
            sts::OIDC_TOKEN,
            c::TENCENT_SECRET_KEY,
            "Signature=",
        ] {
            assert!(
                !stderr.contains(secret),
                "{cmd:?} leaked {secret}: {stderr}"
            );
        }
    }
    let mut calls: Vec<String> = emu
        .requests()
        .into_iter()
        .filter(|r| r.api.is_none())
        .map(|r| r.action)
        .collect();
    calls.sort();
    assert_eq!(
        calls,
        [
            "AssumeRole",
            "AssumeRoleWithOIDC",
            "AssumeRoleWithWebIdentity"
        ]
    );
}

/// `--signing-algorithm hmac-sm3`: Huawei and Alibaba Cloud deletes go through the emulator's
/// SM3 verifier; Tencent, which has no SM3 scheme, refuses before sending anything.
#[tokio::test(flavor = "multi_thread")]
async fn sm3_signing_from_the_command_line() {
    let emu = Emulator::start().await.expect("emulator");
    let url = emu.url();
    for cmd in [
        &[
            "huawei-elb",
            "delete-certificates",
            "e1b00000000000000000000000000001",
        ][..],
        &["aliyun-cas", "delete-certificates", "1002"],
    ] {
        let mut a = args(cmd);
        a.extend(args(&[
            "--endpoint",
            &url,
            "--signing-algorithm",
            "hmac-sm3",
            "--output",
            "json",
        ]));
        let out = certctl(a, emulator_env(), None).await;
        assert_eq!(
            json(&out)["items"][0]["outcome"],
            "deleted",
            "{cmd:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let seen = emu.requests().len();
    let out = certctl(
        args(&[
            "tencent-ssl",
            "delete-csrs",
            "--endpoint",
            &url,
            "--signing-algorithm",
            "hmac-sm3",
            "11",
        ]),
        emulator_env(),
        None,
    )
    .await;
    assert_ne!(out.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("TC3-HMAC-SHA256"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(emu.requests().len(), seen, "nothing sent");
}

/// RUST_LOG chooses what is logged without -v, per target, and never shows a secret; an
/// invalid filter is a warning, not a failure; without RUST_LOG or -v nothing is logged.
#[tokio::test(flavor = "multi_thread")]
async fn rust_log_is_honoured_beside_verbose() {
    let emu = Emulator::start().await.expect("emulator");
    let url = emu.url();
    let run = |id: &'static str, rust_log: Option<&'static str>| {
        let mut env = emulator_env();
        if let Some(filter) = rust_log {
            env.push(("RUST_LOG", filter));
        }
        certctl(
            args(&["tencent-ssl", "delete-csrs", "--endpoint", &url, id]),
            env,
            None,
        )
    };
    let quiet = run("11", None).await;
    assert_eq!(quiet.status.code(), Some(0));
    assert!(
        quiet.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&quiet.stderr)
    );

    let ours = run("22", Some("cert_common=debug")).await;
    assert_eq!(ours.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&ours.stderr);
    assert!(
        stderr.contains("BatchDeleteCSR"),
        "request logs expected: {stderr}"
    );
    // Only the target named: hyper's connection logs stay off.
    assert!(!stderr.contains("hyper"), "{stderr}");
    assert!(!stderr.contains(c::TENCENT_SECRET_KEY), "{stderr}");
    assert!(
        !stderr.contains("\u{1b}["),
        "no colours when stderr is not a terminal"
    );

    let everything = run("33", Some("trace")).await;
    assert_eq!(everything.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&everything.stderr);
    assert!(stderr.contains("TRACE"), "{stderr}");
    assert!(!stderr.contains(c::TENCENT_SECRET_KEY), "{stderr}");
    assert!(!stderr.contains("Signature="), "{stderr}");

    let invalid = run("55", Some("cert_common=[[[")).await;
    assert_eq!(invalid.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&invalid.stderr);
    assert!(
        stderr.contains("RUST_LOG is not a valid filter"),
        "{stderr}"
    );
}

/// Tencent temporary keys work with each token name Tencent's tools use; two names set to
/// different tokens stop the run before anything is sent (exit 3), naming both variables and
/// showing neither token.
#[tokio::test(flavor = "multi_thread")]
async fn tencent_token_under_each_of_its_names() {
    let emu = Emulator::start().await.expect("emulator");
    let url = emu.url();
    let temp = |extra: Vec<(&'static str, &'static str)>| {
        let mut env = vec![
            ("TENCENTCLOUD_SECRET_ID", c::TENCENT_TEMP_SECRET_ID),
            ("TENCENTCLOUD_SECRET_KEY", c::TENCENT_TEMP_SECRET_KEY),
        ];
        env.extend(extra);
        env
    };
    for (name, id) in [
        ("TENCENTCLOUD_SESSION_TOKEN", "11"),
        ("TENCENTCLOUD_SECURITY_TOKEN", "22"),
        ("TENCENTCLOUD_TOKEN", "33"),
    ] {
        let out = certctl(
            args(&[
                "tencent-ssl",
                "delete-csrs",
                "--endpoint",
                &url,
                "--output",
                "json",
                id,
            ]),
            temp(vec![(name, c::TENCENT_TOKEN)]),
            None,
        )
        .await;
        assert_eq!(
            json(&out)["items"][0]["outcome"],
            "deleted",
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let before = emu.requests().len();
    let out = certctl(
        args(&["tencent-ssl", "delete-csrs", "--endpoint", &url, "44"]),
        temp(vec![
            ("TENCENTCLOUD_SECURITY_TOKEN", c::TENCENT_TOKEN),
            ("TENCENTCLOUD_TOKEN", "another-token-0001"),
        ]),
        None,
    )
    .await;
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("TENCENTCLOUD_SECURITY_TOKEN") && stderr.contains("TENCENTCLOUD_TOKEN"),
        "{stderr}"
    );
    assert!(!stderr.contains(c::TENCENT_TOKEN) && !stderr.contains("another-token-0001"));
    assert_eq!(emu.requests().len(), before, "nothing was sent");
}

/// `certctl completions SHELL` prints a script that names every command, for each shell;
/// bash accepts the bash one (`bash -n`), when bash is here.
#[tokio::test(flavor = "multi_thread")]
async fn completions_for_each_shell() {
    for (shell, first_line) in [
        ("bash", "_certctl() {"),
        ("zsh", "#compdef certctl"),
        ("fish", ""),
    ] {
        let out = certctl(args(&["completions", shell]), Vec::new(), None).await;
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let script = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(script.starts_with(first_line), "{shell}: {script:.200}");
        for command in [
            "huawei-elb",
            "huawei-apig",
            "huawei-csms",
            "tencent-ssl",
            "aliyun-cas",
            "report",
            "emulator",
            "demo",
            "completions",
            "delete-certificates",
            // Option names (fish spells them `-l ids-from`).
            "ids-from",
            "journal",
            "resume",
        ] {
            assert!(script.contains(command), "{shell} script lacks {command}");
        }
        if shell == "bash"
            && let Ok(mut bash) = Command::new("bash").arg("-n").stdin(Stdio::piped()).spawn()
        {
            bash.stdin
                .take()
                .expect("stdin")
                .write_all(script.as_bytes())
                .expect("write the script");
            assert!(bash.wait().expect("bash").success(), "bash -n rejects it");
        }
    }
    let bad = certctl(args(&["completions", "powershell-9"]), Vec::new(), None).await;
    assert_eq!(bad.status.code(), Some(2));
}

/// One `-vv` run: arguments, environment, secrets that must not appear, the redaction marker.
type Run<'a> = (
    Vec<&'a str>,
    Vec<(&'static str, &'static str)>,
    Vec<&'static str>,
    &'static str,
);

/// `-vv` with temporary keys and security tokens for all three vendors: the detailed request
/// dump runs (its redaction marker is there, with the signed headers' names) and no secret,
/// token or signature appears anywhere in the output.
#[tokio::test(flavor = "multi_thread")]
async fn trace_logs_dump_requests_but_never_a_secret_for_any_vendor() {
    let emu = Emulator::start().await.expect("emulator");
    let url = emu.url();
    let runs: Vec<Run<'_>> = vec![
        (
            vec![
                "huawei-elb",
                "delete-certificates",
                "--endpoint",
                &url,
                "e1b00000000000000000000000000001",
            ],
            vec![
                ("HUAWEICLOUD_SDK_AK", c::HUAWEI_TEMP_AK),
                ("HUAWEICLOUD_SDK_SK", c::HUAWEI_TEMP_SK),
                ("HUAWEICLOUD_SDK_SECURITY_TOKEN", c::HUAWEI_SECURITY_TOKEN),
                ("HUAWEICLOUD_SDK_PROJECT_ID", c::HUAWEI_PROJECT_ID),
            ],
            vec![c::HUAWEI_TEMP_SK, c::HUAWEI_SECURITY_TOKEN],
            "X-Security-Token: ** redacted **",
        ),
        (
            vec!["tencent-ssl", "delete-csrs", "--endpoint", &url, "11"],
            vec![
                ("TENCENTCLOUD_SECRET_ID", c::TENCENT_TEMP_SECRET_ID),
                ("TENCENTCLOUD_SECRET_KEY", c::TENCENT_TEMP_SECRET_KEY),
                ("TENCENTCLOUD_SESSION_TOKEN", c::TENCENT_TOKEN),
            ],
            vec![c::TENCENT_TEMP_SECRET_KEY, c::TENCENT_TOKEN],
            "X-TC-Token: ** redacted **",
        ),
        (
            vec![
                "aliyun-cas",
                "delete-certificates",
                "--endpoint",
                &url,
                "1002",
            ],
            vec![
                ("ALIBABA_CLOUD_ACCESS_KEY_ID", c::ALIYUN_TEMP_ACCESS_KEY_ID),
                (
                    "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
                    c::ALIYUN_TEMP_ACCESS_KEY_SECRET,
                ),
                ("ALIBABA_CLOUD_SECURITY_TOKEN", c::ALIYUN_SECURITY_TOKEN),
            ],
            vec![c::ALIYUN_TEMP_ACCESS_KEY_SECRET, c::ALIYUN_SECURITY_TOKEN],
            "x-acs-security-token: ** redacted **",
        ),
    ];
    for (argv, env, secrets, marker) in runs {
        let mut all = vec!["-vv"];
        all.extend(argv.iter().copied());
        let out = certctl(args(&all), env, None).await;
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            text.contains("request sent (secrets redacted)"),
            "{argv:?}: the trace dump did not run\n{text}"
        );
        assert!(
            text.contains("Authorization: ** redacted **")
                || text.contains("authorization: ** redacted **"),
            "{argv:?}\n{text}"
        );
        assert!(text.contains(marker), "{argv:?}: no {marker}\n{text}");
        for secret in secrets {
            assert!(!text.contains(secret), "{argv:?} leaked a secret\n{text}");
        }
        assert!(!text.contains("Signature="), "{argv:?}\n{text}");
        assert_eq!(out.status.code(), Some(0), "{argv:?}\n{text}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_runs() {
    let out = certctl(args(&["demo"]), vec![], None).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for expected in [
        "huawei-elb",
        "huawei-apig",
        "huawei-csms",
        "tencent-ssl",
        "aliyun-cas",
        "refused",
        "absent",
    ] {
        assert!(
            stdout.contains(expected),
            "demo output lacks {expected}: {stdout}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_emulator_command_serves_and_prints_its_credentials() {
    use std::io::BufRead;
    let mut child = Command::new(BIN)
        .args(["emulator", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let lines: Vec<String> = tokio::task::spawn_blocking(move || {
        std::io::BufReader::new(stdout)
            .lines()
            .take(3)
            .map(|l| l.expect("line"))
            .collect()
    })
    .await
    .expect("join");
    let url = lines[0]
        .strip_prefix("emulator listening on ")
        .expect("address line")
        .to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert!(lines[2].contains(c::HUAWEI_AK), "{lines:?}");
    // It really serves: delete through the running emulator.
    let out = certctl(
        args(&[
            "tencent-ssl",
            "delete-csrs",
            "--endpoint",
            &url,
            "--output",
            "json",
            "44",
        ]),
        emulator_env(),
        None,
    )
    .await;
    assert_eq!(
        json(&out)["items"][0]["outcome"],
        "deleted",
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    child.kill().expect("kill");
    let _ = child.wait();
}

/// A HOME made by the test, holding each vendor's credentials file with an `ops` profile.
fn profile_home() -> &'static str {
    let dir = std::env::temp_dir().join(format!("certctl-home-{}", std::process::id()));
    let w = |rel: &str, text: String| {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    };
    w(
        ".tencentcloud/credentials",
        format!(
            "[default]\nsecret_id = AKIDWRONG\nsecret_key = wrong\n\n[ops]\nsecret_id = {}\nsecret_key = {}\n",
            c::TENCENT_SECRET_ID,
            c::TENCENT_SECRET_KEY
        ),
    );
    w(
        ".alibabacloud/credentials",
        format!(
            "[ops]\ntype = access_key\naccess_key_id = {}\naccess_key_secret = {}\n",
            c::ALIYUN_ACCESS_KEY_ID,
            c::ALIYUN_ACCESS_KEY_SECRET
        ),
    );
    w(
        ".aliyun/config.json",
        format!(
            r#"{{"current":"cli","profiles":[{{"name":"cli","mode":"StsToken","access_key_id":"{}","access_key_secret":"{}","sts_token":"{}","region_id":"cn-hangzhou"}}]}}"#,
            c::ALIYUN_TEMP_ACCESS_KEY_ID,
            c::ALIYUN_TEMP_ACCESS_KEY_SECRET,
            c::ALIYUN_SECURITY_TOKEN
        ),
    );
    w(
        ".huaweicloud/credentials",
        format!(
            "[ops]\nak = {}\nsk = {}\nproject_id = {}\n",
            c::HUAWEI_AK,
            c::HUAWEI_SK,
            c::HUAWEI_PROJECT_ID
        ),
    );
    Box::leak(dir.display().to_string().into_boxed_str())
}

/// `--profile ops` reads each vendor's file under a HOME the test made (no key in the
/// environment); the Aliyun CLI config's `current` profile is the default; wrong keys in the
/// environment do not replace a named profile; a named profile that is missing stops the run
/// before anything is sent, naming the file.
#[tokio::test(flavor = "multi_thread")]
async fn profile_files_of_each_vendor() {
    let emu = Emulator::start().await.expect("emulator");
    let url = emu.url();
    let home = profile_home();
    let deleted = |out: &Output, what: &str| {
        assert_eq!(
            json(out)["items"][0]["outcome"],
            "deleted",
            "{what}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let wrong_env = vec![
        ("HOME", home),
        ("TENCENTCLOUD_SECRET_ID", "AKIDNOTTHISONE0000000000000001"),
        ("TENCENTCLOUD_SECRET_KEY", "not-this-one"),
    ];
    let run = |cmd: &[&str], env: Vec<(&'static str, &'static str)>| {
        let mut a = args(cmd);
        a.extend(args(&["--endpoint", &url, "--output", "json"]));
        certctl(a, env, None)
    };
    let out = run(
        &["tencent-ssl", "delete-csrs", "--profile", "ops", "11"],
        wrong_env,
    )
    .await;
    deleted(&out, "tencent --profile ops");
    let out = run(
        &[
            "aliyun-cas",
            "delete-certificates",
            "--profile",
            "ops",
            "1001",
        ],
        vec![("HOME", home)],
    )
    .await;
    deleted(&out, "aliyun --profile ops");
    // No --profile: the CLI config's current profile (temporary keys), region from it.
    let out = run(
        &["aliyun-cas", "delete-certificates", "1002"],
        vec![("HOME", home)],
    )
    .await;
    deleted(&out, "aliyun CLI current profile");
    let out = run(
        &[
            "huawei-elb",
            "delete-certificates",
            "--profile",
            "ops",
            "e1b00000000000000000000000000001",
        ],
        vec![("HOME", home)],
    )
    .await;
    deleted(&out, "huawei --profile ops");
    let before = emu.requests().len();
    let out = run(
        &["tencent-ssl", "delete-csrs", "--profile", "nosuch", "22"],
        vec![("HOME", home)],
    )
    .await;
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no profile [nosuch]") && stderr.contains(".tencentcloud/credentials"),
        "{stderr}"
    );
    assert!(!stderr.contains(c::TENCENT_SECRET_KEY), "{stderr}");
    // config show: the source and a masked key id, no secret, nothing sent.
    let out = certctl(
        args(&[
            "config",
            "show",
            "tencent-ssl",
            "--profile",
            "ops",
            "--endpoint",
            &url,
        ]),
        vec![("HOME", home)],
        None,
    )
    .await;
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("credentials: profile \"ops\" of "),
        "{stdout}"
    );
    assert!(stdout.contains("key id:      AKID****"), "{stdout}");
    assert!(
        !stdout.contains(c::TENCENT_SECRET_ID) && !stdout.contains(c::TENCENT_SECRET_KEY),
        "{stdout}"
    );
    // CSMS too (it deletes by instance, but shows the same way).
    let out = certctl(
        args(&["config", "show", "huawei-csms", "--endpoint", &url]),
        emulator_env(),
        None,
    )
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("api:         huawei-csms"), "{stdout}");
    assert!(
        stdout.contains("credentials: environment (HUAWEICLOUD_SDK_AK)"),
        "{stdout}"
    );
    assert!(
        !stdout.contains(c::HUAWEI_AK) && !stdout.contains(c::HUAWEI_SK),
        "{stdout}"
    );
    assert_eq!(emu.requests().len(), before, "nothing sent");
}
