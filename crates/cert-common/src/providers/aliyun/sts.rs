//! Temporary keys from Alibaba Cloud STS (`sts.aliyuncs.com`, version 2015-04-01):
//!
//! - [`AssumeRole`]: a RAM role assumed with long-term keys (`credentials/providers/
//!   ram_role_arn.go`). The vendor signs it with the old RPC signature (HMAC-SHA1 over the
//!   query); this SDK signs it with `ACS3-HMAC-SHA256`, the signature it uses for every call,
//!   which STS accepts as it accepts it for every RPC API.
//! - [`AssumeRoleWithOidc`]: RRSA, `AssumeRoleWithOIDC` with the OIDC token of a pod,
//!   unsigned (`credentials/providers/oidc.go`), from `ALIBABA_CLOUD_ROLE_ARN`,
//!   `ALIBABA_CLOUD_OIDC_PROVIDER_ARN`, `ALIBABA_CLOUD_OIDC_TOKEN_FILE` and
//!   `ALIBABA_CLOUD_ROLE_SESSION_NAME`.
//!
//! Both answer `{"RequestId", "Credentials": {"AccessKeyId", "AccessKeySecret",
//! "SecurityToken", "Expiration"}}` and sit behind a cache that refreshes 180 s (at most half
//! their life) before `Expiration`. The endpoint is `sts.aliyuncs.com`, or
//! `sts.<ALIBABA_CLOUD_STS_REGION>.aliyuncs.com` (`sts-vpc.` with
//! `ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED=true`), as the vendor's; this SDK's
//! `CERT_SDK_ALIYUN_STS_ENDPOINT` names another.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use serde::Deserialize;

use super::{RpcCall, build_request, wire_query};
use crate::credentials::metadata::parse_expiry;
use crate::credentials::sts::{self, StsHttp, refused, unusable};
use crate::credentials::{
    CachedProvider, Credentials, Env, FetchTemporary, ProvideCredentials, Temporary, is_not_found,
};
use crate::endpoint::Endpoint;
use crate::error::{Error, ErrorKind};
use crate::http::HttpRequest;
use crate::runtime::Attempt;
use crate::time::UtcDateTime;

/// The variable that overrides the STS endpoint (a URL; this SDK's).
pub const STS_ENDPOINT_VAR: &str = "CERT_SDK_ALIYUN_STS_ENDPOINT";
/// The vendor's STS region variable.
pub const STS_REGION_VAR: &str = "ALIBABA_CLOUD_STS_REGION";
/// The vendor's switch to the VPC endpoint.
pub const VPC_VAR: &str = "ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED";
/// The STS version.
pub const VERSION: &str = "2015-04-01";
/// The life asked for, in seconds (the vendor's default).
pub const DEFAULT_DURATION: u32 = 3600;
/// Refresh this long before expiry.
pub const MARGIN: Duration = Duration::from_secs(180);
/// The RRSA variables.
pub const ROLE_ARN_VAR: &str = "ALIBABA_CLOUD_ROLE_ARN";
/// The OIDC provider ARN variable.
pub const OIDC_PROVIDER_ARN_VAR: &str = "ALIBABA_CLOUD_OIDC_PROVIDER_ARN";
/// The OIDC token file variable.
pub const OIDC_TOKEN_FILE_VAR: &str = "ALIBABA_CLOUD_OIDC_TOKEN_FILE";
/// The role session name variable.
pub const ROLE_SESSION_NAME_VAR: &str = "ALIBABA_CLOUD_ROLE_SESSION_NAME";

const SESSION_PREFIX: &str = "cert-sdk-rust-";

/// The role to assume and how.
#[derive(Debug, Clone)]
pub struct Role {
    /// `acs:ram::<account>:role/<name>`.
    pub arn: String,
    /// The session name; `None`: `cert-sdk-rust-<µs>`.
    pub session_name: Option<String>,
    /// Seconds the keys should live (at least 900).
    pub duration: u32,
    /// A policy narrowing the role's, as JSON.
    pub policy: Option<String>,
}

impl Role {
    /// `arn` with the defaults.
    pub fn new(arn: impl Into<String>) -> Self {
        Role {
            arn: arn.into(),
            session_name: None,
            duration: DEFAULT_DURATION,
            policy: None,
        }
    }

    fn check(&self, what: &str) -> Result<(), Error> {
        if self.arn.trim().is_empty() {
            return Err(Error::config(format!("{what}: the role ARN is empty")));
        }
        if self.duration < 900 {
            return Err(Error::config(format!(
                "{what}: the duration must be at least 900 seconds, not {}",
                self.duration
            )));
        }
        Ok(())
    }

    /// The role's parameters, then `extra`.
    fn params(
        &self,
        extra: Vec<(&'static str, String)>,
        now: SystemTime,
    ) -> Vec<(&'static str, String)> {
        let mut p = vec![
            ("RoleArn", self.arn.clone()),
            (
                "RoleSessionName",
                self.session_name
                    .clone()
                    .unwrap_or_else(|| sts::session_name(SESSION_PREFIX, now)),
            ),
            ("DurationSeconds", self.duration.to_string()),
        ];
        if let Some(policy) = &self.policy {
            p.push(("Policy", policy.clone()));
        }
        p.extend(extra);
        p
    }
}

/// The STS endpoint from `env` (see the module's documentation).
pub fn endpoint(env: &Env, sts_region: Option<&str>) -> Result<Endpoint, Error> {
    let prefix = if env
        .get(VPC_VAR)
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    {
        "sts-vpc"
    } else {
        "sts"
    };
    let default = match sts_region
        .map(str::to_string)
        .or_else(|| env.get(STS_REGION_VAR))
    {
        Some(r) => format!("https://{prefix}.{r}.aliyuncs.com"),
        None => "https://sts.aliyuncs.com".to_string(),
    };
    sts::endpoint(env, STS_ENDPOINT_VAR, &default)
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
        role.check("Alibaba Cloud AssumeRole")?;
        Ok(AssumeRole {
            source,
            role,
            endpoint,
            http: StsHttp::new(&Env::process()),
        })
    }
}

/// `AssumeRoleWithOIDC` with the token in `token_file` (read at every call).
#[derive(Debug)]
pub struct AssumeRoleWithOidc {
    provider_arn: String,
    token_file: PathBuf,
    role: Role,
    endpoint: Endpoint,
    http: StsHttp,
}

impl AssumeRoleWithOidc {
    /// Trusts the roots `env` names (its `SSL_CERT_FILE`, see [`StsHttp::new`]); by
    /// default, the process's.
    pub fn with_env(mut self, env: &Env) -> Self {
        self.http = StsHttp::new(env);
        self
    }

    /// Assumes `role` with the token of `token_file`, issued by `provider_arn`.
    pub fn new(
        provider_arn: impl Into<String>,
        token_file: impl Into<PathBuf>,
        role: Role,
        endpoint: Endpoint,
    ) -> Result<Self, Error> {
        role.check("Alibaba Cloud AssumeRoleWithOIDC")?;
        Ok(AssumeRoleWithOidc {
            provider_arn: provider_arn.into(),
            token_file: token_file.into(),
            role,
            endpoint,
            http: StsHttp::new(&Env::process()),
        })
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Answer {
    request_id: Option<String>,
    code: Option<String>,
    message: Option<String>,
    credentials: Option<AnswerKeys>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AnswerKeys {
    access_key_id: Option<String>,
    access_key_secret: Option<String>,
    security_token: Option<String>,
    expiration: Option<String>,
}

fn read_answer(what: &str, status: u16, body: &[u8]) -> Result<Temporary, Error> {
    let Ok(a) = serde_json::from_slice::<Answer>(body) else {
        return Err(unusable(what, status));
    };
    if !(200..300).contains(&status) || a.credentials.is_none() {
        return match a.code {
            Some(code) => Err(refused(
                what,
                &code,
                a.message.as_deref().unwrap_or(""),
                a.request_id,
            )),
            None => Err(unusable(what, status)),
        };
    }
    let Some(AnswerKeys {
        access_key_id: Some(id),
        access_key_secret: Some(secret),
        security_token: Some(token),
        expiration: Some(exp),
    }) = a.credentials
    else {
        return Err(unusable(what, status));
    };
    let expires_at = parse_expiry(&exp).ok_or_else(|| unusable(what, status))?;
    Temporary::access_key(id, secret, token, expires_at)
}

fn user_agent() -> &'static str {
    concat!("cert-common/", env!("CARGO_PKG_VERSION"))
}

#[async_trait]
impl FetchTemporary for AssumeRole {
    async fn fetch(&self) -> Result<Temporary, Error> {
        let what = "Alibaba Cloud AssumeRole";
        let credentials: Credentials = crate::credentials::provide(self.source.as_ref())
            .await
            .map_err(|e| {
                if is_not_found(&e) {
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
        let random = crate::random::SystemRandom::default();
        let now = self.http.now();
        let params = self.role.params(Vec::new(), now);
        let query: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let trace = crate::random::Random::uuid(&random);
        let request = build_request(
            &RpcCall {
                endpoint: &self.endpoint,
                action: "AssumeRole",
                version: VERSION,
                user_agent: user_agent(),
                algorithm: crate::sign::SigningAlgorithm::HmacSha256,
            },
            &query,
            &Attempt {
                number: 1,
                credentials: &credentials,
                now,
                client_request_id: &trace,
                nonce: crate::random::Random::hex_nonce(&random),
            },
        )?;
        let answer = self.http.send(what, request).await?;
        read_answer(what, answer.status, &answer.body)
    }

    fn describe(&self) -> String {
        format!(
            "Alibaba Cloud role {} assumed with {}",
            self.role.arn,
            self.source.describe()
        )
    }
}

#[async_trait]
impl FetchTemporary for AssumeRoleWithOidc {
    async fn fetch(&self) -> Result<Temporary, Error> {
        let what = "Alibaba Cloud AssumeRoleWithOIDC";
        let token = sts::read_token_file(what, &self.token_file)?;
        let signed_at = self.http.now();
        let now = UtcDateTime::from_system_time(signed_at).iso8601();
        let mut req = HttpRequest::new("POST", self.endpoint.scheme(), self.endpoint.host(), "/");
        // The vendor's request: common parameters in the query, the rest as a form; unsigned
        // (the token authorises it).
        req.query = wire_query(&[
            ("Action", "AssumeRoleWithOIDC"),
            ("Format", "JSON"),
            ("Version", VERSION),
            ("Timestamp", now.as_str()),
        ]);
        let form = self.role.params(
            vec![
                ("OIDCProviderArn", self.provider_arn.clone()),
                ("OIDCToken", token),
            ],
            signed_at,
        );
        req.body = wire_query(&form).into_bytes().into();
        req.set_header("Host", self.endpoint.host().to_string());
        req.set_header("Content-Type", "application/x-www-form-urlencoded");
        req.set_header("Accept-Encoding", "identity");
        req.set_header("User-Agent", user_agent());
        let answer = self.http.send(what, req).await?;
        read_answer(what, answer.status, &answer.body)
    }

    fn describe(&self) -> String {
        format!(
            "Alibaba Cloud role {} (OIDC token from {})",
            self.role.arn,
            self.token_file.display()
        )
    }
}

/// `role` assumed with `keys`, cached.
pub fn assume(
    keys: Arc<dyn ProvideCredentials>,
    role: Role,
    sts_region: Option<&str>,
    env: &Env,
) -> Result<Arc<dyn ProvideCredentials>, Error> {
    let endpoint = endpoint(env, sts_region)?;
    Ok(Arc::new(CachedProvider::new(
        AssumeRole::new(keys, role, endpoint)?.with_env(env),
        MARGIN,
    )))
}

/// `role` assumed with the OIDC token of `token_file`, cached.
pub fn oidc(
    provider_arn: String,
    token_file: PathBuf,
    role: Role,
    sts_region: Option<&str>,
    env: &Env,
) -> Result<Arc<dyn ProvideCredentials>, Error> {
    let endpoint = endpoint(env, sts_region)?;
    Ok(Arc::new(CachedProvider::new(
        AssumeRoleWithOidc::new(provider_arn, token_file, role, endpoint)?.with_env(env),
        MARGIN,
    )))
}

/// The RRSA source of the environment: `None` when neither OIDC variable is set; an error
/// naming the missing variables when only some of the three are.
pub fn env_oidc(env: &Env) -> Option<Result<Arc<dyn ProvideCredentials>, Error>> {
    let provider = env.get(OIDC_PROVIDER_ARN_VAR);
    let file = env.get(OIDC_TOKEN_FILE_VAR);
    if provider.is_none() && file.is_none() {
        return None;
    }
    let arn = env.get(ROLE_ARN_VAR);
    let (Some(provider), Some(file), Some(arn)) = (provider, file, arn) else {
        let missing: Vec<&str> = [OIDC_PROVIDER_ARN_VAR, OIDC_TOKEN_FILE_VAR, ROLE_ARN_VAR]
            .into_iter()
            .filter(|v| env.get(v).is_none())
            .collect();
        return Some(Err(Error::new(
            ErrorKind::Credentials,
            format!("Alibaba Cloud RRSA (OIDC): {} missing", missing.join(", ")),
        )));
    };
    let role = Role {
        session_name: env.get(ROLE_SESSION_NAME_VAR),
        ..Role::new(arn)
    };
    Some(oidc(provider, PathBuf::from(file), role, None, env))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::AccessKey;

    #[test]
    fn answers_become_keys_or_errors_that_never_quote_the_body() {
        let ok = br#"{"RequestId":"r","Credentials":{"AccessKeyId":"STS.x","AccessKeySecret":"sek","SecurityToken":"tok","Expiration":"2023-11-14T22:13:20Z"}}"#;
        let t = read_answer("x", 200, ok).expect("keys");
        assert_eq!(t.credentials.access_key().map(AccessKey::id), Some("STS.x"));
        let err =
            br#"{"RequestId":"r1","Code":"EntityNotExist.Role","Message":"The role not exists"}"#;
        let e = read_answer("x", 404, err).expect_err("refused");
        assert_eq!(e.code(), Some("EntityNotExist.Role"));
        let half = br#"{"Credentials":{"AccessKeyId":"STS.x","AccessKeySecret":"SECRETVALUE"}}"#;
        let e = read_answer("x", 200, half).expect_err("incomplete");
        assert!(!e.to_string().contains("SECRETVALUE"), "{e}");
    }

    #[test]
    fn the_endpoint_follows_the_vendor_variables() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            Env::from_fn(move |k| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            })
        };
        let host = |e: &Env, r: Option<&str>| endpoint(e, r).expect("endpoint").host().to_string();
        assert_eq!(host(&env(&[]), None), "sts.aliyuncs.com");
        assert_eq!(
            host(&env(&[(STS_REGION_VAR, "cn-hangzhou")]), None),
            "sts.cn-hangzhou.aliyuncs.com"
        );
        assert_eq!(
            host(&env(&[(VPC_VAR, "true")]), Some("cn-beijing")),
            "sts-vpc.cn-beijing.aliyuncs.com"
        );
    }
}
