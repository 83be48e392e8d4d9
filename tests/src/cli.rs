//! Running the real `certctl` binary from a test, with the emulator's credentials and nothing
//! from the machine's environment.

use std::path::PathBuf;
use std::process::Command;

use cert_emulator::credentials as c;

/// The `certctl` binary next to this test binary (`target/<profile>/certctl`). `cargo test
/// --workspace` (the README's test command runs it) builds it; run alone, build it first.
pub fn certctl_bin() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target dir");
    let bin = dir.join(format!("certctl{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.exists(),
        "{} is missing: these tests run the real certctl binary; run `cargo build -p certctl` \
         (or the whole `cargo test --workspace`) first",
        bin.display()
    );
    bin
}

/// Every variable certctl reads from the environment: removed, so the machine's own settings
/// change nothing.
pub const CREDENTIAL_VARS: &[&str] = &[
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
    "ALIBABA_CLOUD_CREDENTIALS_FILE",
    "ALIBABA_CLOUD_CONFIG_FILE",
    "ALIBABA_CLOUD_PROFILE",
    "ALIBABA_CLOUD_REGION_ID",
    "TENCENTCLOUD_CREDENTIALS_FILE",
    "TENCENTCLOUD_REGION",
    "HUAWEICLOUD_SDK_CREDENTIALS_FILE",
    "ALIBABA_CLOUD_SECURITY_TOKEN",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "RUST_LOG",
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

/// A `certctl` command with the emulator's long-term keys of all three vendors in its
/// environment, and nothing else of the machine's credentials or proxies.
pub fn certctl() -> Command {
    let mut cmd = Command::new(certctl_bin());
    for v in CREDENTIAL_VARS {
        cmd.env_remove(v);
    }
    for (k, v) in [
        ("CERT_SDK_METADATA_DISABLED", "true"),
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
    ] {
        cmd.env(k, v);
    }
    cmd
}

/// The `(id, outcome)` pairs of a certctl JSON report (`--output json`), in the order the
/// report lists them (the order the ids settled).
pub fn report_outcomes(doc: &serde_json::Value) -> Vec<(String, String)> {
    doc["items"]
        .as_array()
        .expect("a report with items")
        .iter()
        .map(|i| {
            (
                i["id"].as_str().unwrap_or_default().to_string(),
                i["outcome"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}
