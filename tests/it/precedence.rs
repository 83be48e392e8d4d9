//! The default chains' precedence table (docs/credentials.md), one test per row and vendor:
//! with the row's source and every source below it available at once, the delete is signed
//! with the row's credentials. Every source is real: keys the emulator accepts, profile files
//! in a HOME the test makes, OIDC token files, the emulator's STS, IAM and metadata services.

use std::collections::HashMap;
use std::path::PathBuf;

use cert_common::Credentials;
use cert_common::credentials::{AccessKey, Env};
use cert_emulator::credentials::{AcceptedCredentials, HUAWEI_IAM_TOKEN, KeyPair};
use cert_emulator::sts::{
    ALIYUN_OIDC_PROVIDER_ARN, ALIYUN_ROLE_ARN, HUAWEI_IDP_ID, OIDC_TOKEN, TENCENT_OIDC_PROVIDER_ID,
    TENCENT_ROLE_ARN,
};
use cert_emulator::{Api, Emulator};
use integration_tests::{PROJECT, options};

/// One key per row that signs with a key of its own.
const ROW_KEYS: &[(&str, &str)] = &[
    ("AKIDROWEXPLICIT00000000000000001", "tc-explicit-secret"),
    ("AKIDROWENV0000000000000000000001", "tc-env-secret"),
    ("AKIDROWPROFILE000000000000000001", "tc-profile-secret"),
    ("LTAIROWEXPLICIT000000001", "al-explicit-secret"),
    ("LTAIROWENV00000000000001", "al-env-secret"),
    ("LTAIROWCLI00000000000001", "al-cli-secret"),
    ("LTAIROWINI00000000000001", "al-ini-secret"),
    ("HWROWEXPLICIT0000001", "hw-explicit-secret"),
    ("HWROWENV000000000001", "hw-env-secret"),
    ("HWROWPROFILE00000001", "hw-profile-secret"),
];

fn secret(id: &str) -> &'static str {
    ROW_KEYS
        .iter()
        .find(|(k, _)| *k == id)
        .map(|(_, s)| *s)
        .expect("a row key")
}

async fn emulator() -> Emulator {
    let mut accepted = AcceptedCredentials::default();
    for (id, secret) in ROW_KEYS {
        let k = KeyPair::new(*id, *secret);
        match &id[..2] {
            "AK" => accepted.tencent.push(k),
            "LT" => accepted.aliyun.push(k),
            _ => accepted.huawei.push(k),
        }
    }
    Emulator::builder()
        .credentials(accepted)
        .start()
        .await
        .expect("emulator")
}

fn home() -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let d = std::env::temp_dir().join(format!(
        "it-precedence-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&d).expect("dir");
    d
}

fn write(path: PathBuf, text: &str) -> PathBuf {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(&path, text).expect("write");
    path
}

/// The principal of the one delete request the emulator saw for `api`.
fn signer(emu: &Emulator, api: Api) -> String {
    let p: Vec<String> = emu
        .requests()
        .into_iter()
        .filter(|r| r.api == Some(api))
        .filter_map(|r| r.principal)
        .collect();
    assert_eq!(p.len(), 1, "{p:?}");
    p[0].clone()
}

fn key(id: &str) -> Credentials {
    AccessKey::new(id, secret(id)).into()
}

/// Tencent: explicit > environment > TKE OIDC > profile file > CVM role.
async fn tencent_row(row: usize) -> String {
    let emu = emulator().await;
    let h = home();
    let mut env: HashMap<String, String> = HashMap::new();
    let mut set = |k: &str, v: String| {
        env.insert(k.to_string(), v);
    };
    set("HOME", h.display().to_string());
    set("CERT_SDK_TENCENT_METADATA_ENDPOINT", emu.url());
    set("CERT_SDK_TENCENT_STS_ENDPOINT", emu.url());
    if row <= 1 {
        set(
            "TENCENTCLOUD_SECRET_ID",
            "AKIDROWENV0000000000000000000001".into(),
        );
        set(
            "TENCENTCLOUD_SECRET_KEY",
            secret("AKIDROWENV0000000000000000000001").into(),
        );
    }
    if row <= 2 {
        let token = write(h.join("tke-token"), OIDC_TOKEN);
        set("TKE_REGION", "ap-guangzhou".into());
        set("TKE_PROVIDER_ID", TENCENT_OIDC_PROVIDER_ID.into());
        set("TKE_WEB_IDENTITY_TOKEN_FILE", token.display().to_string());
        set("TKE_ROLE_ARN", TENCENT_ROLE_ARN.into());
    }
    if row <= 3 {
        write(
            h.join(".tencentcloud/credentials"),
            &format!(
                "[default]\nsecret_id = AKIDROWPROFILE000000000000000001\nsecret_key = {}\n",
                secret("AKIDROWPROFILE000000000000000001")
            ),
        );
    }
    let mut b = tencent_ssl::Config::builder()
        .endpoint(emu.url())
        .options(options())
        .env(Env::from_fn(move |k| env.get(k).cloned()));
    if row == 0 {
        b = b.credentials(key("AKIDROWEXPLICIT00000000000000001"));
    }
    let client = tencent_ssl::Client::new(b.build()).expect("client");
    client
        .batch_delete_csr()
        .csr_ids([11])
        .send()
        .await
        .expect("sent");
    signer(&emu, Api::TencentSsl)
}

#[tokio::test]
async fn tencent_row_1_explicit_wins_over_everything() {
    assert_eq!(tencent_row(0).await, "AKIDROWEXPLICIT00000000000000001");
}

#[tokio::test]
async fn tencent_row_2_environment_wins_over_oidc_profile_and_instance() {
    assert_eq!(tencent_row(1).await, "AKIDROWENV0000000000000000000001");
}

#[tokio::test]
async fn tencent_row_2b_tke_oidc_wins_over_profile_and_instance() {
    assert!(tencent_row(2).await.starts_with("AKIDEMUSTS"));
}

#[tokio::test]
async fn tencent_row_3_profile_wins_over_the_instance_role() {
    assert_eq!(tencent_row(3).await, "AKIDROWPROFILE000000000000000001");
}

#[tokio::test]
async fn tencent_row_5_the_cvm_role_is_last() {
    assert!(tencent_row(4).await.starts_with("AKIDEMUCVM"));
}

/// Aliyun: explicit > environment > RRSA > CLI config > credentials file > ECS RAM role.
async fn aliyun_row(row: usize) -> String {
    let emu = emulator().await;
    let h = home();
    let mut env: HashMap<String, String> = HashMap::new();
    let mut set = |k: &str, v: String| {
        env.insert(k.to_string(), v);
    };
    set("HOME", h.display().to_string());
    set("CERT_SDK_ALIYUN_METADATA_ENDPOINT", emu.url());
    set("CERT_SDK_ALIYUN_STS_ENDPOINT", emu.url());
    if row <= 1 {
        set(
            "ALIBABA_CLOUD_ACCESS_KEY_ID",
            "LTAIROWENV00000000000001".into(),
        );
        set(
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
            secret("LTAIROWENV00000000000001").into(),
        );
    }
    if row <= 2 {
        let token = write(h.join("rrsa-token"), OIDC_TOKEN);
        set("ALIBABA_CLOUD_ROLE_ARN", ALIYUN_ROLE_ARN.into());
        set(
            "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
            ALIYUN_OIDC_PROVIDER_ARN.into(),
        );
        set("ALIBABA_CLOUD_OIDC_TOKEN_FILE", token.display().to_string());
    }
    if row <= 3 {
        write(
            h.join(".aliyun/config.json"),
            &format!(
                r#"{{"current":"p","profiles":[{{"name":"p","mode":"AK","access_key_id":"LTAIROWCLI00000000000001","access_key_secret":"{}"}}]}}"#,
                secret("LTAIROWCLI00000000000001")
            ),
        );
    }
    if row <= 4 {
        write(
            h.join(".alibabacloud/credentials"),
            &format!(
                "[default]\ntype = access_key\naccess_key_id = LTAIROWINI00000000000001\naccess_key_secret = {}\n",
                secret("LTAIROWINI00000000000001")
            ),
        );
    }
    let mut b = aliyun_cas::Config::builder()
        .endpoint(emu.url())
        .options(options())
        .env(Env::from_fn(move |k| env.get(k).cloned()));
    if row == 0 {
        b = b.credentials(key("LTAIROWEXPLICIT000000001"));
    }
    let client = aliyun_cas::Client::new(b.build()).expect("client");
    client
        .delete_user_certificate()
        .cert_id(1001)
        .send()
        .await
        .expect("deleted");
    signer(&emu, Api::AliyunCas)
}

#[tokio::test]
async fn aliyun_row_1_explicit_wins_over_everything() {
    assert_eq!(aliyun_row(0).await, "LTAIROWEXPLICIT000000001");
}

#[tokio::test]
async fn aliyun_row_2_environment_wins_over_rrsa_files_and_instance() {
    assert_eq!(aliyun_row(1).await, "LTAIROWENV00000000000001");
}

#[tokio::test]
async fn aliyun_row_2b_rrsa_wins_over_files_and_instance() {
    assert!(aliyun_row(2).await.starts_with("STS.EMUSTS"));
}

#[tokio::test]
async fn aliyun_row_3a_cli_config_wins_over_the_credentials_file() {
    assert_eq!(aliyun_row(3).await, "LTAIROWCLI00000000000001");
}

#[tokio::test]
async fn aliyun_row_3b_credentials_file_wins_over_the_instance_role() {
    assert_eq!(aliyun_row(4).await, "LTAIROWINI00000000000001");
}

#[tokio::test]
async fn aliyun_row_5_the_ecs_ram_role_is_last() {
    assert!(aliyun_row(5).await.starts_with("STS.EMUECS"));
}

/// Huawei: explicit > environment > ID-token federation > profile file > IAM token variable >
/// ECS agency.
async fn huawei_row(row: usize) -> String {
    let emu = emulator().await;
    let h = home();
    let mut env: HashMap<String, String> = HashMap::new();
    let mut set = |k: &str, v: String| {
        env.insert(k.to_string(), v);
    };
    set("HOME", h.display().to_string());
    set("CERT_SDK_HUAWEI_METADATA_ENDPOINT", emu.url());
    set("HUAWEICLOUD_SDK_IAM_ENDPOINT", emu.url());
    if row <= 1 {
        set("HUAWEICLOUD_SDK_AK", "HWROWENV000000000001".into());
        set("HUAWEICLOUD_SDK_SK", secret("HWROWENV000000000001").into());
    }
    if row <= 2 {
        let token = write(h.join("id-token"), OIDC_TOKEN);
        set("HUAWEICLOUD_SDK_IDP_ID", HUAWEI_IDP_ID.into());
        set("HUAWEICLOUD_SDK_ID_TOKEN_FILE", token.display().to_string());
    }
    if row <= 3 {
        write(
            h.join(".huaweicloud/credentials"),
            &format!(
                "[basic]\nak = HWROWPROFILE00000001\nsk = {}\n",
                secret("HWROWPROFILE00000001")
            ),
        );
    }
    if row <= 4 {
        set("HUAWEICLOUD_SDK_AUTH_TOKEN", HUAWEI_IAM_TOKEN.into());
    }
    let mut b = huawei_elb::Config::builder()
        .endpoint(emu.url())
        .project_id(PROJECT)
        .options(options())
        .env_lookup(move |k| env.get(k).cloned());
    if row == 0 {
        b = b.credentials(key("HWROWEXPLICIT0000001"));
    }
    let client = huawei_elb::Client::new(b.build()).expect("client");
    client
        .batch_delete_certificates()
        .certificate_id("e1b00000000000000000000000000001")
        .send()
        .await
        .expect("sent");
    signer(&emu, Api::Elb)
}

#[tokio::test]
async fn huawei_row_1_explicit_wins_over_everything() {
    assert_eq!(huawei_row(0).await, "HWROWEXPLICIT0000001");
}

#[tokio::test]
async fn huawei_row_2_environment_wins_over_federation_files_token_and_instance() {
    assert_eq!(huawei_row(1).await, "HWROWENV000000000001");
}

#[tokio::test]
async fn huawei_row_2b_federation_wins_over_files_token_and_instance() {
    assert!(huawei_row(2).await.starts_with("EMUFEDAK"));
}

#[tokio::test]
async fn huawei_row_3_profile_wins_over_the_token_variable_and_instance() {
    assert_eq!(huawei_row(3).await, "HWROWPROFILE00000001");
}

#[tokio::test]
async fn huawei_row_4_the_iam_token_variable_wins_over_the_instance() {
    assert_eq!(huawei_row(4).await, "iam-token");
}

#[tokio::test]
async fn huawei_row_5_the_ecs_agency_is_last() {
    assert!(huawei_row(5).await.starts_with("EMUAGENCY"));
}
