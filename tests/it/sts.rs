//! Credentials from the vendors' STS, against the emulator's: roles assumed with long-term
//! keys (environment and profile files) and web identity (TKE OIDC, Aliyun RRSA), each
//! deleting end to end; wrong tokens, expired tokens and unknown roles are refused with the
//! vendors' codes, and nothing is deleted.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use cert_common::credentials::Env;
use cert_emulator::credentials as creds;
use cert_emulator::sts::{
    ALIYUN_OIDC_PROVIDER_ARN, ALIYUN_ROLE_ARN, EXPIRED_OIDC_TOKEN, OIDC_TOKEN,
    TENCENT_OIDC_PROVIDER_ID, TENCENT_ROLE_ARN,
};
use cert_emulator::{Api, Emulator};
use integration_tests::{options, shape};

/// A directory of the test's own (a HOME, token files).
fn dir() -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let d = std::env::temp_dir().join(format!(
        "it-sts-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&d).expect("dir");
    d
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

/// An environment of `pairs` only, with the emulator as both vendors' STS and metadata off.
fn env(emu: &Emulator, pairs: &[(&str, String)]) -> Env {
    let mut m: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    m.insert("CERT_SDK_TENCENT_STS_ENDPOINT".into(), emu.url());
    m.insert("CERT_SDK_ALIYUN_STS_ENDPOINT".into(), emu.url());
    m.insert("CERT_SDK_METADATA_DISABLED".into(), "true".into());
    Env::from_fn(move |k| m.get(k).cloned())
}

fn tencent(emu: &Emulator, env: Env) -> tencent_ssl::Client {
    let config = tencent_ssl::Config::builder()
        .endpoint(emu.url())
        .options(options())
        .env(env)
        .build();
    tencent_ssl::Client::new(config).expect("client")
}

fn tencent_profile(emu: &Emulator, env: Env, profile: &str) -> tencent_ssl::Client {
    let config = tencent_ssl::Config::builder()
        .endpoint(emu.url())
        .options(options())
        .profile(profile)
        .env(env)
        .build();
    tencent_ssl::Client::new(config).expect("client")
}

fn aliyun(emu: &Emulator, env: Env, profile: Option<&str>) -> aliyun_cas::Client {
    let mut b = aliyun_cas::Config::builder()
        .endpoint(emu.url())
        .options(options())
        .env(env);
    if let Some(p) = profile {
        b = b.profile(p);
    }
    aliyun_cas::Client::new(b.build()).expect("client")
}

/// The principal of each request the emulator answered for `action`, in order.
fn principals(emu: &Emulator, action: &str) -> Vec<Option<String>> {
    emu.requests()
        .into_iter()
        .filter(|r| r.action == action)
        .map(|r| r.principal)
        .collect()
}

fn sts_calls(emu: &Emulator, action: &str) -> usize {
    emu.requests()
        .iter()
        .filter(|r| r.action == action && r.api.is_none())
        .count()
}

async fn tencent_deletes(client: &tencent_ssl::Client, id: u64) {
    let out = client
        .batch_delete_csr()
        .csr_ids([id])
        .send()
        .await
        .expect("sent");
    assert_eq!(shape(out.report()), [(id.to_string(), "deleted")]);
}

#[tokio::test]
async fn tencent_role_from_the_environment_is_assumed_with_the_environment_keys() {
    let emu = Emulator::start().await.expect("emulator");
    let e = env(
        &emu,
        &[
            ("TENCENTCLOUD_SECRET_ID", creds::TENCENT_SECRET_ID.into()),
            ("TENCENTCLOUD_SECRET_KEY", creds::TENCENT_SECRET_KEY.into()),
            ("TENCENTCLOUD_ROLE_ARN", TENCENT_ROLE_ARN.into()),
            ("TENCENTCLOUD_ROLE_SESSION_NAME", "it-session".into()),
        ],
    );
    let client = tencent(&emu, e);
    tencent_deletes(&client, 11).await;
    tencent_deletes(&client, 22).await;
    // The STS call was signed with the long-term key; the deletes with the role's key, fetched
    // once for both.
    assert_eq!(
        principals(&emu, "AssumeRole"),
        [Some(creds::TENCENT_SECRET_ID.to_string())]
    );
    let deletes = principals(&emu, "BatchDeleteCSR");
    assert!(
        deletes.len() == 2
            && deletes
                .iter()
                .all(|p| p.as_deref().is_some_and(|p| p.starts_with("AKIDEMUSTS"))),
        "{deletes:?}"
    );
}

#[tokio::test]
async fn tencent_profile_with_a_role_arn_assumes_it() {
    let emu = Emulator::start().await.expect("emulator");
    let home = dir();
    write(
        &home.join(".tencentcloud/credentials"),
        &format!(
            "[ops]\nsecret_id = {}\nsecret_key = {}\nrole_arn = {TENCENT_ROLE_ARN}\n\
             role_session_name = ops-cleanup\nduration_seconds = 900\n\
             [wrong]\nsecret_id = {}\nsecret_key = {}\nrole_arn = qcs::cam::uin/1:roleName/nope\n",
            creds::TENCENT_SECRET_ID,
            creds::TENCENT_SECRET_KEY,
            creds::TENCENT_SECRET_ID,
            creds::TENCENT_SECRET_KEY,
        ),
    );
    let e = env(&emu, &[("HOME", home.display().to_string())]);
    tencent_deletes(&tencent_profile(&emu, e.clone(), "ops"), 33).await;
    assert_eq!(sts_calls(&emu, "AssumeRole"), 1);
    let err = tencent_profile(&emu, e, "wrong")
        .batch_delete_csr()
        .csr_ids([44])
        .send()
        .await
        .expect_err("unknown role");
    assert_eq!(err.code(), Some("ResourceNotFound.RoleNotFound"), "{err}");
    assert!(emu.tencent_csrs().contains(&44));
}

#[tokio::test]
async fn tencent_tke_oidc_web_identity_end_to_end_and_refusals() {
    let emu = Emulator::start().await.expect("emulator");
    let d = dir();
    let token = d.join("token");
    let tke = |token_file: &Path, role: &str, provider: &str| {
        env(
            &emu,
            &[
                ("TKE_REGION", "ap-guangzhou".into()),
                ("TKE_PROVIDER_ID", provider.into()),
                (
                    "TKE_WEB_IDENTITY_TOKEN_FILE",
                    token_file.display().to_string(),
                ),
                ("TKE_ROLE_ARN", role.into()),
            ],
        )
    };
    write(&token, OIDC_TOKEN);
    tencent_deletes(
        &tencent(
            &emu,
            tke(&token, TENCENT_ROLE_ARN, TENCENT_OIDC_PROVIDER_ID),
        ),
        11,
    )
    .await;
    // Unsigned: no key signed the web identity call.
    assert_eq!(principals(&emu, "AssumeRoleWithWebIdentity"), [None]);
    let refused = |code: &'static str, env: Env| {
        let client = tencent(&emu, env);
        async move {
            let e = client
                .batch_delete_csr()
                .csr_ids([22])
                .send()
                .await
                .expect_err("refused");
            assert_eq!(e.code(), Some(code), "{e}");
            assert!(!e.to_string().contains("emulator-oidc-token"), "{e}");
        }
    };
    let bad = d.join("bad");
    write(&bad, "eyJ.not-the-token.sig");
    refused(
        "InvalidParameter.WebIdentityTokenError",
        tke(&bad, TENCENT_ROLE_ARN, TENCENT_OIDC_PROVIDER_ID),
    )
    .await;
    let expired = d.join("expired");
    write(&expired, EXPIRED_OIDC_TOKEN);
    refused(
        "InvalidParameter.WebIdentityTokenError",
        tke(&expired, TENCENT_ROLE_ARN, TENCENT_OIDC_PROVIDER_ID),
    )
    .await;
    refused(
        "ResourceNotFound.RoleNotFound",
        tke(
            &token,
            "qcs::cam::uin/1:roleName/nope",
            TENCENT_OIDC_PROVIDER_ID,
        ),
    )
    .await;
    assert!(emu.tencent_csrs().contains(&22));
    // Half the TKE variables: an error naming the missing ones, nothing sent.
    let half = env(&emu, &[("TKE_ROLE_ARN", TENCENT_ROLE_ARN.into())]);
    let e = tencent(&emu, half)
        .batch_delete_csr()
        .csr_ids([22])
        .send()
        .await
        .expect_err("misconfigured");
    assert!(e.message().contains("TKE_WEB_IDENTITY_TOKEN_FILE"), "{e}");
}

#[tokio::test]
async fn aliyun_ram_role_arn_profiles_of_both_files_assume_the_role() {
    let emu = Emulator::start().await.expect("emulator");
    let home = dir();
    write(
        &home.join(".alibabacloud/credentials"),
        &format!(
            "[ops]\ntype = ram_role_arn\naccess_key_id = {}\naccess_key_secret = {}\n\
             role_arn = {ALIYUN_ROLE_ARN}\nrole_session_name = ops\n",
            creds::ALIYUN_ACCESS_KEY_ID,
            creds::ALIYUN_ACCESS_KEY_SECRET
        ),
    );
    write(
        &home.join(".aliyun/config.json"),
        &format!(
            r#"{{"current":"cli","profiles":[{{"name":"cli","mode":"RamRoleArn",
            "access_key_id":"{}","access_key_secret":"{}","ram_role_arn":"{ALIYUN_ROLE_ARN}",
            "ram_session_name":"cli","expired_seconds":900}},
            {{"name":"nope","mode":"RamRoleArn","access_key_id":"{}","access_key_secret":"{}",
            "ram_role_arn":"acs:ram::1:role/nope"}}]}}"#,
            creds::ALIYUN_ACCESS_KEY_ID,
            creds::ALIYUN_ACCESS_KEY_SECRET,
            creds::ALIYUN_ACCESS_KEY_ID,
            creds::ALIYUN_ACCESS_KEY_SECRET
        ),
    );
    let e = env(&emu, &[("HOME", home.display().to_string())]);
    // The CLI's current profile (the default chain), then the ini file's named one.
    aliyun(&emu, e.clone(), None)
        .delete_user_certificate()
        .cert_id(1001)
        .send()
        .await
        .expect("deleted with the CLI profile's role");
    aliyun(&emu, e.clone(), Some("ops"))
        .delete_user_certificate()
        .cert_id(1002)
        .send()
        .await
        .expect("deleted with the ini profile's role");
    assert_eq!(
        principals(&emu, "AssumeRole"),
        [
            Some(creds::ALIYUN_ACCESS_KEY_ID.to_string()),
            Some(creds::ALIYUN_ACCESS_KEY_ID.to_string())
        ]
    );
    for p in principals(&emu, "DeleteUserCertificate") {
        assert!(
            p.as_deref().is_some_and(|p| p.starts_with("STS.EMUSTS")),
            "{p:?}"
        );
    }
    let err = aliyun(&emu, e, Some("nope"))
        .delete_user_certificate()
        .cert_id(2001)
        .send()
        .await
        .expect_err("unknown role");
    assert_eq!(err.code(), Some("EntityNotExist.Role"), "{err}");
    assert!(emu.aliyun_certificates().iter().any(|c| c.id == 2001));
}

#[tokio::test]
async fn aliyun_rrsa_oidc_end_to_end_and_refusals() {
    let emu = Emulator::start().await.expect("emulator");
    let d = dir();
    let rrsa = |token_file: &Path, role: &str| {
        env(
            &emu,
            &[
                ("ALIBABA_CLOUD_ROLE_ARN", role.into()),
                (
                    "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
                    ALIYUN_OIDC_PROVIDER_ARN.into(),
                ),
                (
                    "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
                    token_file.display().to_string(),
                ),
            ],
        )
    };
    let token = d.join("token");
    write(&token, OIDC_TOKEN);
    aliyun(&emu, rrsa(&token, ALIYUN_ROLE_ARN), None)
        .delete_user_certificate()
        .cert_id(1001)
        .send()
        .await
        .expect("deleted");
    assert_eq!(principals(&emu, "AssumeRoleWithOIDC"), [None]);
    let expired = d.join("expired");
    write(&expired, EXPIRED_OIDC_TOKEN);
    let bad = d.join("bad");
    write(&bad, "eyJ.wrong.sig");
    for (file, role, code) in [
        (
            &expired,
            ALIYUN_ROLE_ARN,
            "AuthenticationFail.OIDCToken.Expired",
        ),
        (
            &bad,
            ALIYUN_ROLE_ARN,
            "AuthenticationFail.OIDCToken.Invalid",
        ),
        (&token, "acs:ram::1:role/nope", "EntityNotExist.Role"),
    ] {
        let e = aliyun(&emu, rrsa(file, role), None)
            .delete_user_certificate()
            .cert_id(1002)
            .send()
            .await
            .expect_err("refused");
        assert_eq!(e.code(), Some(code), "{e}");
    }
    let missing = aliyun(&emu, rrsa(&d.join("no-such-file"), ALIYUN_ROLE_ARN), None)
        .delete_user_certificate()
        .cert_id(1002)
        .send()
        .await
        .expect_err("no token file");
    assert!(missing.message().contains("no-such-file"), "{missing}");
    assert!(emu.aliyun_certificates().iter().any(|c| c.id == 1002));
    assert_eq!(
        emu.requests()
            .iter()
            .filter(|r| r.api == Some(Api::AliyunCas))
            .count(),
        1,
        "only the one authorised delete reached the API"
    );
}

/// A Huawei configuration for `emu` with `env` only (no keys): the chain must federate.
fn huawei_config(emu: &Emulator, env: Env) -> huawei_elb::Config {
    huawei_elb::Config::builder()
        .endpoint(emu.url())
        .project_id(integration_tests::PROJECT)
        .options(options())
        .env_lookup(move |k| env.get(k))
        .build()
}

#[tokio::test]
async fn huawei_id_token_federation_from_the_environment_and_a_profile() {
    use cert_emulator::sts::HUAWEI_IDP_ID;
    let emu = Emulator::start().await.expect("emulator");
    let d = dir();
    let token = d.join("id-token");
    write(&token, OIDC_TOKEN);
    let fed = |idp: &str, file: &Path| {
        env(
            &emu,
            &[
                ("HUAWEICLOUD_SDK_IAM_ENDPOINT", emu.url()),
                ("HUAWEICLOUD_SDK_IDP_ID", idp.into()),
                ("HUAWEICLOUD_SDK_ID_TOKEN_FILE", file.display().to_string()),
            ],
        )
    };
    let elb =
        huawei_elb::Client::new(huawei_config(&emu, fed(HUAWEI_IDP_ID, &token))).expect("client");
    let out = elb
        .batch_delete_certificates()
        .certificate_id("e1b00000000000000000000000000001")
        .send()
        .await
        .expect("sent");
    assert_eq!(
        shape(out.report()),
        [("e1b00000000000000000000000000001".to_string(), "deleted")]
    );
    assert_eq!(sts_calls(&emu, "CreateTokenWithIdToken"), 1);
    assert_eq!(sts_calls(&emu, "CreateTemporaryAccessKeyByToken"), 1);
    let p = principals(&emu, "BatchDeleteCertificates");
    assert!(
        p.len() == 1 && p[0].as_deref().is_some_and(|p| p.starts_with("EMUFEDAK")),
        "{p:?}"
    );
    // A profile with idp_id and id_token_file federates the same way.
    let home = dir();
    write(
        &home.join(".huaweicloud/credentials"),
        &format!(
            "[basic]\nidp_id = {HUAWEI_IDP_ID}\nid_token_file = {}\n",
            token.display()
        ),
    );
    let e = env(
        &emu,
        &[
            ("HOME", home.display().to_string()),
            ("HUAWEICLOUD_SDK_IAM_ENDPOINT", emu.url()),
        ],
    );
    let apig = huawei_apig::Client::new(huawei_config(&emu, e)).expect("client");
    let out = apig
        .delete_certificate()
        .certificate_id("a9900000000000000000000000000001")
        .send()
        .await
        .expect("deleted");
    assert_eq!(
        out.report().items()[0].outcome,
        cert_common::Outcome::Deleted
    );
    assert_eq!(sts_calls(&emu, "CreateTokenWithIdToken"), 2);
    let csms =
        huawei_csms::Client::new(huawei_config(&emu, fed(HUAWEI_IDP_ID, &token))).expect("client");
    let out = csms
        .batch_delete_secrets()
        .instance_id("apig-instance-0001")
        .instance_type(huawei_csms::InstanceType::Apig)
        .send()
        .await
        .expect("deleted");
    assert_eq!(out.deleted, ["apig-secret-1"]);
    assert_eq!(sts_calls(&emu, "CreateTokenWithIdToken"), 3);

    // Refusals: an unknown identity provider, a wrong token, an expired one; nothing deleted.
    let bad = d.join("bad");
    write(&bad, "eyJ.not-it.sig");
    let expired = d.join("expired");
    write(&expired, EXPIRED_OIDC_TOKEN);
    for (idp, file, code) in [
        ("no-such-idp", &token, "IAM.0004"),
        (HUAWEI_IDP_ID, &bad, "IAM.0007"),
        (HUAWEI_IDP_ID, &expired, "IAM.0007"),
    ] {
        let elb = huawei_elb::Client::new(huawei_config(&emu, fed(idp, file))).expect("client");
        let e = elb
            .batch_delete_certificates()
            .certificate_id("e1b00000000000000000000000000002")
            .send()
            .await
            .expect_err("refused");
        assert_eq!(e.code(), Some(code), "{e}");
        assert!(!e.to_string().contains("emulator-oidc"), "{e}");
    }
    assert!(
        emu.elb_certificates(integration_tests::PROJECT)
            .contains(&"e1b00000000000000000000000000002".to_string())
    );
}
