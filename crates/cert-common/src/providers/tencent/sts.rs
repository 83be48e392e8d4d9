//! Temporary keys from Tencent Cloud STS (`sts.tencentcloudapi.com`, version 2018-08-13):
//!
//! - [`AssumeRole`]: a role assumed with long-term keys, the call signed with them (TC3)
//!   (`tencentcloud/common/role_arn_provider.go`); tccli reads the role from
//!   `TENCENTCLOUD_ROLE_ARN` and `TENCENTCLOUD_ROLE_SESSION_NAME`.
//! - [`WebIdentity`]: `AssumeRoleWithWebIdentity` with a TKE pod's OIDC token, unsigned
//!   (`Authorization: SKIP`) (`tencentcloud/common/oidc_role_arn_provider.go`), from
//!   `TKE_REGION`, `TKE_PROVIDER_ID`, `TKE_WEB_IDENTITY_TOKEN_FILE` and `TKE_ROLE_ARN`.
//!
//! Both answer `{"Response": {"Credentials": {"TmpSecretId", "TmpSecretKey", "Token"},
//! "ExpiredTime", "RequestId"}}`, and sit behind a cache that refreshes 300 s (at most half
//! their life) before `ExpiredTime`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use serde::Deserialize;

use super::{Api3Call, Language, build_post};
use crate::credentials::sts::{self, StsHttp, refused, unusable};
use crate::credentials::{
    CachedProvider, Credentials, Env, FetchTemporary, ProvideCredentials, Temporary,
};
use crate::endpoint::Endpoint;
use crate::error::{Error, ErrorKind};
use crate::http::HttpRequest;
use crate::runtime::Attempt;

/// The STS endpoint; this SDK's `CERT_SDK_TENCENT_STS_ENDPOINT` names another.
pub const STS_URL: &str = "https://sts.tencentcloudapi.com";
/// The variable that overrides [`STS_URL`].
pub const STS_ENDPOINT_VAR: &str = "CERT_SDK_TENCENT_STS_ENDPOINT";
/// The STS version.
pub const VERSION: &str = "2018-08-13";
/// The region the vendor's SDK calls STS in.
pub const DEFAULT_REGION: &str = "ap-guangzhou";
/// The life asked for, in seconds (the vendor's `defaultDurationSeconds`).
pub const DEFAULT_DURATION: u32 = 7200;
/// Refresh this long before expiry.
pub const MARGIN: Duration = Duration::from_secs(300);
/// tccli's role variables (used with the environment's keys).
pub const ROLE_ARN_VAR: &str = "TENCENTCLOUD_ROLE_ARN";
/// tccli's role session name variable.
pub const ROLE_SESSION_NAME_VAR: &str = "TENCENTCLOUD_ROLE_SESSION_NAME";
/// The TKE OIDC variables, all four needed.
pub const TKE_VARS: [&str; 4] = [
    "TKE_REGION",
    "TKE_PROVIDER_ID",
    "TKE_WEB_IDENTITY_TOKEN_FILE",
    "TKE_ROLE_ARN",
];

const SESSION_PREFIX: &str = "cert-sdk-rust-";

/// The role to assume and how.
#[derive(Debug, Clone)]
pub struct Role {
    /// `qcs::cam::uin/<uin>:roleName/<name>`.
    pub arn: String,
    /// The session name (shown in the role's audit log); `None`: `cert-sdk-rust-<µs>`.
    pub session_name: Option<String>,
    /// Seconds the keys should live (1..=43200).
    pub duration: u32,
}

impl Role {
    /// `arn` with the default session name and duration.
    pub fn new(arn: impl Into<String>) -> Self {
        Role {
            arn: arn.into(),
            session_name: None,
            duration: DEFAULT_DURATION,
        }
    }

    fn check(&self, what: &str) -> Result<(), Error> {
        if self.arn.trim().is_empty() {
            return Err(Error::config(format!("{what}: the role ARN is empty")));
        }
        if !(1..=43200).contains(&self.duration) {
            return Err(Error::config(format!(
                "{what}: the duration must be 1 to 43200 seconds, not {}",
                self.duration
            )));
        }
        Ok(())
    }

    fn body(&self, extra: &[(&str, &str)], now: SystemTime) -> Vec<u8> {
        let mut m = serde_json::Map::new();
        for (k, v) in extra {
            m.insert((*k).to_string(), serde_json::Value::from(*v));
        }
        m.insert("RoleArn".into(), self.arn.clone().into());
        let session = self
            .session_name
            .clone()
            .unwrap_or_else(|| sts::session_name(SESSION_PREFIX, now));
        m.insert("RoleSessionName".into(), session.into());
        m.insert("DurationSeconds".into(), self.duration.into());
        serde_json::to_vec(&serde_json::Value::Object(m)).unwrap_or_default()
    }
}

/// `AssumeRole` with the keys `source` gives.
#[derive(Debug)]
pub struct AssumeRole {
    source: Arc<dyn ProvideCredentials>,
    role: Role,
    endpoint: Endpoint,
    http: StsHttp,
}

impl AssumeRole {
    /// Trusts the roots `env` names (its `SSL_CERT_FILE`, see [`StsHttp::new`]); by
    /// default, the process's.
    pub fn with_env(mut self, env: &Env) -> Self {
        self.http = StsHttp::new(env);
        self
    }

    /// Assumes `role` with `source`'s keys, calling `endpoint`.
    pub fn new(
        source: Arc<dyn ProvideCredentials>,
        role: Role,
        endpoint: Endpoint,
    ) -> Result<Self, Error> {
        role.check("Tencent Cloud AssumeRole")?;
        Ok(AssumeRole {
            source,
            role,
            endpoint,
            http: StsHttp::new(&Env::process()),
        })
    }
}

/// `AssumeRoleWithWebIdentity` with the OIDC token in `token_file` (read at every call: the
/// platform rotates it).
#[derive(Debug)]
pub struct WebIdentity {
    region: String,
    provider_id: String,
    token_file: PathBuf,
    role: Role,
    endpoint: Endpoint,
    http: StsHttp,
}

impl WebIdentity {
    /// Trusts the roots `env` names (its `SSL_CERT_FILE`, see [`StsHttp::new`]); by
    /// default, the process's.
    pub fn with_env(mut self, env: &Env) -> Self {
        self.http = StsHttp::new(env);
        self
    }

    /// Assumes `role` with the token of `token_file`, issued by OIDC provider `provider_id`.
    pub fn new(
        region: impl Into<String>,
        provider_id: impl Into<String>,
        token_file: impl Into<PathBuf>,
        role: Role,
        endpoint: Endpoint,
    ) -> Result<Self, Error> {
        role.check("Tencent Cloud AssumeRoleWithWebIdentity")?;
        Ok(WebIdentity {
            region: region.into(),
            provider_id: provider_id.into(),
            token_file: token_file.into(),
            role,
            endpoint,
            http: StsHttp::new(&Env::process()),
        })
    }
}

#[derive(Deserialize)]
struct Envelope {
    #[serde(rename = "Response")]
    response: Answer,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Answer {
    error: Option<AnswerError>,
    credentials: Option<AnswerKeys>,
    expired_time: Option<i64>,
    request_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AnswerError {
    code: Option<String>,
    message: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AnswerKeys {
    tmp_secret_id: Option<String>,
    tmp_secret_key: Option<String>,
    token: Option<String>,
}

/// Reads an STS answer into temporary keys, or the error it carries.
fn read_answer(what: &str, status: u16, body: &[u8]) -> Result<Temporary, Error> {
    let Ok(Envelope { response: a }) = serde_json::from_slice::<Envelope>(body) else {
        return Err(unusable(what, status));
    };
    if let Some(e) = a.error {
        return Err(refused(
            what,
            e.code.as_deref().unwrap_or("(no code)"),
            e.message.as_deref().unwrap_or(""),
            a.request_id,
        ));
    }
    let (
        Some(AnswerKeys {
            tmp_secret_id: Some(id),
            tmp_secret_key: Some(key),
            token: Some(token),
        }),
        Some(exp),
    ) = (a.credentials, a.expired_time)
    else {
        return Err(unusable(what, status));
    };
    let expires_at = u64::try_from(exp)
        .ok()
        .and_then(|s| SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(s)))
        .ok_or_else(|| unusable(what, status))?;
    Temporary::access_key(id, key, token, expires_at)
}

fn request_client() -> &'static str {
    concat!("cert-common/", env!("CARGO_PKG_VERSION"))
}

#[async_trait]
impl FetchTemporary for AssumeRole {
    async fn fetch(&self) -> Result<Temporary, Error> {
        let what = "Tencent Cloud AssumeRole";
        let credentials: Credentials = crate::credentials::provide(self.source.as_ref())
            .await
            .map_err(|e| {
                if crate::credentials::is_not_found(&e) {
                    Error::new(
                        ErrorKind::Credentials,
                        format!(
                            "{what}: the role {} needs keys to assume it, and there are none: {}",
                            self.role.arn,
                            e.message()
                        ),
                    )
                } else {
                    e
                }
            })?;
        let now = self.http.now();
        let trace = crate::random::SystemRandom::default();
        let trace = crate::random::Random::uuid(&trace);
        let request = build_post(
            &Api3Call {
                endpoint: &self.endpoint,
                service: "sts",
                action: "AssumeRole",
                version: VERSION,
                region: Some(DEFAULT_REGION),
                language: Language::EnUs,
                request_client: request_client(),
            },
            self.role.body(&[], now),
            &Attempt {
                number: 1,
                credentials: &credentials,
                now,
                client_request_id: &trace,
                nonce: String::new(),
            },
        )?;
        let answer = self.http.send(what, request).await?;
        read_answer(what, answer.status, &answer.body)
    }

    fn describe(&self) -> String {
        format!(
            "Tencent Cloud role {} assumed with {}",
            self.role.arn,
            self.source.describe()
        )
    }
}

#[async_trait]
impl FetchTemporary for WebIdentity {
    async fn fetch(&self) -> Result<Temporary, Error> {
        let what = "Tencent Cloud AssumeRoleWithWebIdentity";
        let token = sts::read_token_file(what, &self.token_file)?;
        let signed_at = self.http.now();
        let body = self.role.body(
            &[
                ("ProviderId", self.provider_id.as_str()),
                ("WebIdentityToken", token.as_str()),
            ],
            signed_at,
        );
        let mut req = HttpRequest::new("POST", self.endpoint.scheme(), self.endpoint.host(), "/");
        let now = crate::time::unix_seconds(signed_at);
        for (k, v) in [
            ("Content-Type", "application/json".to_string()),
            ("Host", self.endpoint.host().to_string()),
            ("X-TC-Action", "AssumeRoleWithWebIdentity".to_string()),
            ("X-TC-Version", VERSION.to_string()),
            ("X-TC-Region", self.region.clone()),
            ("X-TC-Timestamp", now.to_string()),
            ("X-TC-RequestClient", request_client().to_string()),
            ("X-TC-Language", Language::EnUs.as_str().to_string()),
            // The vendor's SkipSign: this call is authorised by the token, not a key.
            ("Authorization", "SKIP".to_string()),
        ] {
            req.set_header(k, v);
        }
        req.body = body.into();
        let answer = self.http.send(what, req).await?;
        read_answer(what, answer.status, &answer.body)
    }

    fn describe(&self) -> String {
        format!(
            "Tencent Cloud role {} (web identity from {})",
            self.role.arn,
            self.token_file.display()
        )
    }
}

/// The environment's keys turned into `TENCENTCLOUD_ROLE_ARN`'s role, when that is set.
pub fn env_role(
    keys: Arc<dyn ProvideCredentials>,
    env: &Env,
) -> Option<Result<Arc<dyn ProvideCredentials>, Error>> {
    let arn = env.get(ROLE_ARN_VAR)?;
    Some(assume(
        keys,
        Role {
            arn,
            session_name: env.get(ROLE_SESSION_NAME_VAR),
            duration: DEFAULT_DURATION,
        },
        env,
    ))
}

/// `role` assumed with `keys`, cached.
pub fn assume(
    keys: Arc<dyn ProvideCredentials>,
    role: Role,
    env: &Env,
) -> Result<Arc<dyn ProvideCredentials>, Error> {
    let endpoint = sts::endpoint(env, STS_ENDPOINT_VAR, STS_URL)?;
    Ok(Arc::new(CachedProvider::new(
        AssumeRole::new(keys, role, endpoint)?.with_env(env),
        MARGIN,
    )))
}

/// The TKE web identity source when all four `TKE_*` variables are set; `None` when none is;
/// an error naming the missing ones when only some are.
pub fn tke_oidc(env: &Env) -> Option<Result<Arc<dyn ProvideCredentials>, Error>> {
    let values: Vec<Option<String>> = TKE_VARS.iter().map(|v| env.get(v)).collect();
    if values.iter().all(Option::is_none) {
        return None;
    }
    let missing: Vec<&str> = TKE_VARS
        .iter()
        .zip(&values)
        .filter(|(_, v)| v.is_none())
        .map(|(n, _)| *n)
        .collect();
    if !missing.is_empty() {
        return Some(Err(Error::new(
            ErrorKind::Credentials,
            format!(
                "Tencent Cloud TKE OIDC: {} set, but {} missing",
                TKE_VARS
                    .iter()
                    .zip(&values)
                    .filter(|(_, v)| v.is_some())
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", "),
                missing.join(", ")
            ),
        )));
    }
    let [Some(region), Some(provider), Some(file), Some(arn)] =
        <[Option<String>; 4]>::try_from(values).ok()?
    else {
        return None;
    };
    Some((|| {
        let endpoint = sts::endpoint(env, STS_ENDPOINT_VAR, STS_URL)?;
        let source =
            WebIdentity::new(region, provider, file, Role::new(arn), endpoint)?.with_env(env);
        Ok(Arc::new(CachedProvider::new(source, MARGIN)) as Arc<dyn ProvideCredentials>)
    })())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::AccessKey;

    #[test]
    fn answers_become_keys_or_errors_that_never_quote_the_body() {
        let ok = br#"{"Response":{"Credentials":{"TmpSecretId":"AKIDtmp","TmpSecretKey":"sek","Token":"tok"},"ExpiredTime":1700000000,"RequestId":"r"}}"#;
        let t = read_answer("x", 200, ok).expect("keys");
        assert_eq!(
            t.credentials.access_key().map(AccessKey::id),
            Some("AKIDtmp")
        );
        let err = br#"{"Response":{"Error":{"Code":"ResourceNotFound.RoleNotFound","Message":"role not exist"},"RequestId":"r1"}}"#;
        let e = read_answer("x", 200, err).expect_err("refused");
        assert_eq!(e.code(), Some("ResourceNotFound.RoleNotFound"));
        assert_eq!(e.request_id(), Some("r1"));
        let half = br#"{"Response":{"Credentials":{"TmpSecretId":"AKIDtmp","TmpSecretKey":"SECRETVALUE"}}}"#;
        let e = read_answer("x", 200, half).expect_err("incomplete");
        assert!(!e.to_string().contains("SECRETVALUE"), "{e}");
        assert!(read_answer("x", 502, b"<html>").is_err());
    }

    /// The request is dated by the clock the source was given (the clock seam), not by the
    /// system's: its timestamp and its session name both read it.
    #[tokio::test]
    async fn a_web_identity_call_is_dated_by_the_injected_clock() {
        let server = httpmock::MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                when.method("POST")
                    .header("X-TC-Action", "AssumeRoleWithWebIdentity")
                    .header("X-TC-Timestamp", "1700000000")
                    .body_includes("\"RoleSessionName\":\"cert-sdk-rust-1700000000");
                then.status(200).body(
                    r#"{"Response":{"Credentials":{"TmpSecretId":"AKIDtmp","TmpSecretKey":"sek","Token":"tok"},"ExpiredTime":1700007200,"RequestId":"r"}}"#,
                );
            })
            .await;
        let dir = std::env::temp_dir().join(format!("cert-sdk-sts-clock-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let token = dir.join("token");
        std::fs::write(&token, "eyJ.oidc.token").expect("token");
        let endpoint = Endpoint::parse(&server.base_url()).expect("endpoint");
        let clock = crate::time::ManualClock::at_unix(1_700_000_000);
        let mut source = WebIdentity::new(
            "ap-guangzhou",
            "provider-1",
            &token,
            Role::new("qcs::cam::uin/1:roleName/r"),
            endpoint,
        )
        .expect("source");
        source.http = StsHttp::new(&Env::from_fn(|_| None)).with_clock(Arc::new(clock));
        let keys = source.fetch().await.expect("keys");
        mock.assert_async().await;
        assert_eq!(
            keys.credentials.access_key().map(AccessKey::id),
            Some("AKIDtmp")
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn tke_variables_all_or_none() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            Env::from_fn(move |k| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            })
        };
        assert!(tke_oidc(&env(&[])).is_none());
        let e = match tke_oidc(&env(&[("TKE_ROLE_ARN", "qcs::cam::uin/1:roleName/r")])) {
            Some(Err(e)) => e,
            other => panic!("expected an error, got {other:?}"),
        };
        assert!(e.message().contains("TKE_PROVIDER_ID"), "{e}");
        assert!(
            tke_oidc(&env(&[
                ("TKE_REGION", "ap-guangzhou"),
                ("TKE_PROVIDER_ID", "p"),
                ("TKE_WEB_IDENTITY_TOKEN_FILE", "/t"),
                ("TKE_ROLE_ARN", "qcs::cam::uin/1:roleName/r"),
            ]))
            .is_some_and(|r| r.is_ok())
        );
    }
}
