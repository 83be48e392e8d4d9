//! Temporary keys from an OIDC ID token, through Huawei IAM federation
//! (`core/auth/base_credentials.go` `updateAuthTokenByIdToken` and
//! `core/auth/internal/iam_helper.go` of huaweicloud-sdk-go-v3):
//!
//! 1. `POST {iam}/v3.0/OS-AUTH/id-token/tokens` with `X-Idp-Id: <idp_id>` and
//!    `{"auth": {"id_token": {"id": "<token>"}}}` answers an unscoped token in
//!    `X-Subject-Token`;
//! 2. `POST {iam}/v3.0/OS-CREDENTIAL/securitytokens` with
//!    `{"auth": {"identity": {"methods": ["token"], "token": {"id": "<that token>",
//!    "duration_seconds": 21600}}}}` answers `{"credential": {"access", "secret",
//!    "securitytoken", "expires_at"}}`.
//!
//! From `HUAWEICLOUD_SDK_IDP_ID` and `HUAWEICLOUD_SDK_ID_TOKEN_FILE`, or a profile's `idp_id`
//! and `id_token_file`; IAM at `HUAWEICLOUD_SDK_IAM_ENDPOINT` (the vendor's variable), else
//! `https://iam.myhuaweicloud.com`. Cached, refreshed 40 min (at most half the keys' life)
//! before `expires_at`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde::Deserialize;

use crate::credentials::sts::{self, StsHttp, refused, unusable};
use crate::credentials::{CachedProvider, Env, FetchTemporary, ProvideCredentials, Temporary};
use crate::endpoint::Endpoint;
use crate::error::{Error, ErrorKind};
use crate::http::HttpRequest;

/// The vendor's IAM endpoint variable.
pub const IAM_ENDPOINT_VAR: &str = "HUAWEICLOUD_SDK_IAM_ENDPOINT";
/// The vendor's default IAM endpoint.
pub const IAM_URL: &str = "https://iam.myhuaweicloud.com";
/// The vendor's identity provider variable.
pub const IDP_ID_VAR: &str = "HUAWEICLOUD_SDK_IDP_ID";
/// The vendor's ID token file variable.
pub const ID_TOKEN_FILE_VAR: &str = "HUAWEICLOUD_SDK_ID_TOKEN_FILE";
/// The life asked for (the vendor's `defaultDurationSeconds`, 6 h).
pub const DURATION: u32 = 6 * 60 * 60;
/// Refresh this long before expiry (the vendor's).
pub const MARGIN: Duration = Duration::from_secs(40 * 60);

const WHAT: &str = "Huawei Cloud ID-token federation";

/// The IAM endpoint: `HUAWEICLOUD_SDK_IAM_ENDPOINT` (a host gets `https://`, as the vendor
/// does; a URL is taken as it is, so tests can name a loopback `http://` one), else
/// [`IAM_URL`].
pub fn iam_endpoint(env: &Env) -> Result<Endpoint, Error> {
    let url = match env.get(IAM_ENDPOINT_VAR) {
        Some(v) if v.contains("://") => v,
        Some(host) => format!("https://{host}"),
        None => IAM_URL.to_string(),
    };
    let e = Endpoint::parse(&url)
        .map_err(|e| Error::config(format!("{IAM_ENDPOINT_VAR}: {}", e.message())))?;
    crate::runtime::check_endpoint_scheme(e.scheme(), e.host(), false)?;
    Ok(e)
}

/// Exchanges the ID token of `token_file` for temporary keys.
#[derive(Debug)]
pub struct IdTokenFederation {
    iam: Endpoint,
    idp_id: String,
    token_file: PathBuf,
    http: StsHttp,
}

impl IdTokenFederation {
    /// Trusts the roots `env` names (its `SSL_CERT_FILE`, see [`StsHttp::new`]); by
    /// default, the process's.
    pub fn with_env(mut self, env: &Env) -> Self {
        self.http = StsHttp::new(env);
        self
    }

    /// Federation through the identity provider `idp_id` at `iam`.
    pub fn new(iam: Endpoint, idp_id: impl Into<String>, token_file: impl Into<PathBuf>) -> Self {
        IdTokenFederation {
            iam,
            idp_id: idp_id.into(),
            token_file: token_file.into(),
            http: StsHttp::new(&Env::process()),
        }
    }

    fn post(&self, path: &str, body: &serde_json::Value) -> HttpRequest {
        let mut req = HttpRequest::new("POST", self.iam.scheme(), self.iam.host(), path);
        req.set_header("Content-Type", "application/json;charset=UTF-8");
        req.set_header("Host", self.iam.host().to_string());
        req.body = serde_json::to_vec(body).unwrap_or_default().into();
        req
    }
}

/// Huawei's error shapes: `{"error_code", "error_msg"}` or IAM's `{"error": {"code",
/// "message"}}`.
#[derive(Deserialize)]
struct IamError {
    error_code: Option<String>,
    error_msg: Option<String>,
    error: Option<IamErrorInner>,
}

#[derive(Deserialize)]
struct IamErrorInner {
    code: Option<serde_json::Value>,
    message: Option<String>,
}

fn refusal(status: u16, body: &[u8], request_id: Option<String>) -> Error {
    let Ok(e) = serde_json::from_slice::<IamError>(body) else {
        return unusable(WHAT, status);
    };
    let (code, message) = match (e.error_code, e.error) {
        (Some(c), _) => (c, e.error_msg.unwrap_or_default()),
        (None, Some(inner)) => (
            inner
                .code
                .map(|c| c.as_str().map_or_else(|| c.to_string(), str::to_string))
                .unwrap_or_else(|| format!("HTTP {status}")),
            inner.message.unwrap_or_default(),
        ),
        (None, None) => return unusable(WHAT, status),
    };
    refused(WHAT, &code, &message, request_id)
}

#[async_trait]
impl FetchTemporary for IdTokenFederation {
    async fn fetch(&self) -> Result<Temporary, Error> {
        let id_token = sts::read_token_file(WHAT, &self.token_file)?;
        let mut first = self.post(
            "/v3.0/OS-AUTH/id-token/tokens",
            &serde_json::json!({"auth": {"id_token": {"id": id_token}}}),
        );
        first.set_header("X-Idp-Id", self.idp_id.clone());
        let a = self.http.send(WHAT, first).await?;
        let request_id = a.header("X-Request-Id").map(str::to_string);
        if !(200..300).contains(&a.status) {
            return Err(refusal(a.status, &a.body, request_id));
        }
        let Some(subject) = a.header("X-Subject-Token").map(str::to_string) else {
            return Err(Error::new(
                ErrorKind::Credentials,
                format!("{WHAT}: IAM answered without X-Subject-Token"),
            ));
        };
        let second = self.post(
            "/v3.0/OS-CREDENTIAL/securitytokens",
            &serde_json::json!({"auth": {"identity": {
                "methods": ["token"],
                "token": {"id": subject, "duration_seconds": DURATION},
            }}}),
        );
        let a = self.http.send(WHAT, second).await?;
        let request_id = a.header("X-Request-Id").map(str::to_string);
        if !(200..300).contains(&a.status) {
            return Err(refusal(a.status, &a.body, request_id));
        }
        super::temporary_key::read(&a.body).map_err(|_| unusable(WHAT, a.status))
    }

    fn describe(&self) -> String {
        format!(
            "{WHAT} (identity provider {}, ID token from {})",
            self.idp_id,
            self.token_file.display()
        )
    }
}

/// The federation source, cached.
pub fn provider(
    idp_id: String,
    token_file: PathBuf,
    env: &Env,
) -> Result<Arc<dyn ProvideCredentials>, Error> {
    Ok(Arc::new(CachedProvider::new(
        IdTokenFederation::new(iam_endpoint(env)?, idp_id, token_file).with_env(env),
        MARGIN,
    )))
}

/// The environment's federation source: `None` when neither variable is set; an error naming
/// the missing one when only one is.
pub fn from_env(env: &Env) -> Option<Result<Arc<dyn ProvideCredentials>, Error>> {
    match (env.get(IDP_ID_VAR), env.get(ID_TOKEN_FILE_VAR)) {
        (None, None) => None,
        (Some(idp), Some(file)) => Some(provider(idp, PathBuf::from(file), env)),
        (Some(_), None) => Some(Err(Error::new(
            ErrorKind::Credentials,
            format!("{WHAT}: {IDP_ID_VAR} is set but {ID_TOKEN_FILE_VAR} is not"),
        ))),
        (None, Some(_)) => Some(Err(Error::new(
            ErrorKind::Credentials,
            format!("{WHAT}: {ID_TOKEN_FILE_VAR} is set but {IDP_ID_VAR} is not"),
        ))),
    }
}
