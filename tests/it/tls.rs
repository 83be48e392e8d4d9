//! TLS trust: a loopback HTTPS server whose certificate comes from a CA this test makes is
//! refused by default, and accepted with the CA's bundle, given to the library
//! (`ClientOptions::ca_bundle`) or to certctl (`--ca-bundle`, or `SSL_CERT_FILE`).

use cert_common::ErrorKind;
use integration_tests::cli::{certctl, report_outcomes};
use integration_tests::{aliyun_key, options, tls};

fn dir(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("it-tls-{name}-{}", std::process::id()))
}

fn client(url: &str, options: cert_common::ClientOptions) -> aliyun_cas::Client {
    let config = aliyun_cas::Config::builder()
        .endpoint(url)
        .credentials(aliyun_key())
        .options(options)
        .build();
    aliyun_cas::Client::new(config).expect("client")
}

#[tokio::test]
async fn the_library_refuses_an_unknown_ca_and_trusts_a_given_bundle() {
    let server = tls::start(&dir("lib"));
    let refused = client(&server.url, options())
        .delete_user_certificate()
        .cert_id(1001)
        .send()
        .await
        .expect("attempted")
        .into_error()
        .expect("an unknown CA is not trusted");
    let text = format!(
        "{refused} {:?}",
        refused.last_error().map(|e| e.to_string())
    );
    assert!(
        matches!(
            refused.kind(),
            ErrorKind::Transport | ErrorKind::RetriesExhausted
        ),
        "{text}"
    );
    assert!(text.to_lowercase().contains("certificate"), "{text}");
    assert_eq!(server.answered.load(std::sync::atomic::Ordering::SeqCst), 0);

    let out = client(&server.url, options().ca_bundle(&server.ca_pem))
        .delete_user_certificate()
        .cert_id(1001)
        .send()
        .await
        .expect("trusted with the bundle");
    assert_eq!(out.request_id(), Some("TLS-TEST-0001"));
    assert_eq!(server.answered.load(std::sync::atomic::Ordering::SeqCst), 1);

    // A bundle that is not there: a configuration error naming it, when the client is built.
    let config = aliyun_cas::Config::builder()
        .endpoint(&server.url)
        .credentials(aliyun_key())
        .options(options().ca_bundle("/nonexistent/corp-ca.pem"))
        .build();
    let e = aliyun_cas::Client::new(config).expect_err("unreadable bundle");
    assert_eq!(e.kind(), ErrorKind::Config);
    assert!(e.message().contains("/nonexistent/corp-ca.pem"), "{e}");
}

#[test]
fn certctl_trusts_ssl_cert_file_and_ca_bundle_and_nothing_else() {
    let server = tls::start(&dir("cli"));
    let run = |id: &str, extra_args: &[&str], env: &[(&str, &std::path::Path)]| {
        let mut cmd = certctl();
        cmd.args([
            "aliyun-cas",
            "delete-certificates",
            "--endpoint",
            &server.url,
            "--max-attempts",
            "1",
            "--output",
            "json",
        ]);
        cmd.args(extra_args);
        cmd.arg(id);
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().expect("certctl runs")
    };
    let outcome = |out: &std::process::Output| {
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}): {}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        });
        report_outcomes(&doc)[0].1.clone()
    };
    let untrusted = run("1001", &[], &[]);
    assert_ne!(untrusted.status.code(), Some(0));
    assert_ne!(outcome(&untrusted), "deleted");
    assert_eq!(server.answered.load(std::sync::atomic::Ordering::SeqCst), 0);

    let by_var = run("1001", &[], &[("SSL_CERT_FILE", &server.ca_pem)]);
    assert_eq!(
        outcome(&by_var),
        "deleted",
        "{}",
        String::from_utf8_lossy(&by_var.stderr)
    );
    let ca = server.ca_pem.display().to_string();
    let by_flag = run("1002", &["--ca-bundle", &ca], &[]);
    assert_eq!(
        outcome(&by_flag),
        "deleted",
        "{}",
        String::from_utf8_lossy(&by_flag.stderr)
    );
    assert_eq!(server.answered.load(std::sync::atomic::Ordering::SeqCst), 2);

    let missing = run("1002", &["--ca-bundle", "/nonexistent/corp-ca.pem"], &[]);
    assert_ne!(missing.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("/nonexistent/corp-ca.pem"),
        "{}",
        String::from_utf8_lossy(&missing.stderr)
    );
}
