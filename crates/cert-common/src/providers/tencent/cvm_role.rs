//! Temporary keys of the CAM role bound to a CVM instance, from the instance metadata
//! service (`tencentcloud/common/cvm_role_provider.go` and `cvm_role_credential.go` of
//! tencentcloud-sdk-go).
//!
//! - `GET {base}/latest/meta-data/cam/security-credentials/` names the role (404: none bound,
//!   so a chain goes on);
//! - `GET {base}/latest/meta-data/cam/security-credentials/{role}` answers
//!   `{"TmpSecretId", "TmpSecretKey", "Token", "ExpiredTime", "Code": "Success"}`.
//!
//! Cached and refreshed 300 s before `ExpiredTime`, as the vendor's `ExpiredTimeout`.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use serde::Deserialize;

use crate::credentials::metadata::{
    MetadataClient, MetadataSpec, bad_answer, describe_role, role_credentials,
};
use crate::credentials::{Env, FetchTemporary, ProvideCredentials, Temporary};
use crate::error::Error;

/// The metadata service, `http://metadata.tencentyun.com`; this SDK's
/// `CERT_SDK_TENCENT_METADATA_ENDPOINT` names another (tests, proxies of the metadata).
pub static METADATA: MetadataSpec = MetadataSpec {
    what: "Tencent Cloud CVM role",
    base_url: "http://metadata.tencentyun.com",
    override_var: "CERT_SDK_TENCENT_METADATA_ENDPOINT",
};

/// Refresh this long before expiry (the vendor's `ExpiredTimeout`).
pub const MARGIN: Duration = Duration::from_secs(300);

const ROLE_PATH: &str = "/latest/meta-data/cam/security-credentials/";

/// Fetches the CVM role's keys (put it behind a [`crate::credentials::CachedProvider`]; [`provider`] does).
#[derive(Debug)]
pub struct CvmRole {
    base: String,
    role: Option<String>,
    client: MetadataClient,
}

impl CvmRole {
    /// The role's keys from the metadata service at `base`; `role` names the role, else the
    /// service is asked which is bound.
    pub fn new(base: impl Into<String>, role: Option<String>) -> Result<Self, Error> {
        Ok(CvmRole {
            base: base.into().trim_end_matches('/').to_string(),
            role,
            client: MetadataClient::new(&METADATA)?,
        })
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RoleAnswer {
    tmp_secret_id: Option<String>,
    tmp_secret_key: Option<String>,
    token: Option<String>,
    expired_time: Option<i64>,
    code: Option<String>,
}

#[async_trait]
impl FetchTemporary for CvmRole {
    async fn fetch(&self) -> Result<Temporary, Error> {
        let what = METADATA.what;
        let (url, body) = role_credentials(
            &self.client,
            what,
            &format!("{}{ROLE_PATH}", self.base),
            self.role.as_deref(),
            &[],
        )
        .await?;
        let r: RoleAnswer = serde_json::from_str(&body)
            .map_err(|e| bad_answer(what, &url, format!("not the expected JSON ({e})")))?;
        if r.code.as_deref() != Some("Success") {
            return Err(bad_answer(
                what,
                &url,
                format!("Code is {:?}, not \"Success\"", r.code.unwrap_or_default()),
            ));
        }
        let (Some(id), Some(key), Some(token), Some(exp)) =
            (r.tmp_secret_id, r.tmp_secret_key, r.token, r.expired_time)
        else {
            return Err(bad_answer(
                what,
                &url,
                "TmpSecretId, TmpSecretKey, Token or ExpiredTime is missing",
            ));
        };
        let expires_at = u64::try_from(exp)
            .ok()
            .and_then(|s| SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(s)))
            .ok_or_else(|| bad_answer(what, &url, "ExpiredTime is out of range"))?;
        Temporary::access_key(id, key, token, expires_at)
    }

    fn describe(&self) -> String {
        describe_role(METADATA.what, self.role.as_deref(), &self.base)
    }
}

/// The cached CVM role source of the default chain, or one that says "not here" when
/// metadata is turned off (see [`crate::credentials::metadata::DISABLED_VAR`]).
pub fn provider(env: &Env) -> Arc<dyn ProvideCredentials> {
    crate::credentials::metadata::cached(&METADATA, env, MARGIN, |base| CvmRole::new(base, None))
}
