//! Temporary keys of the RAM role attached to an ECS instance, from the instance metadata
//! service (`credentials/providers/ecs_ram_role.go` of aliyun/credentials-go).
//!
//! - IMDSv2 first: `PUT {base}/latest/api/token` with
//!   `X-aliyun-ecs-metadata-token-ttl-seconds: 21600`; the token goes with the next requests
//!   as `X-aliyun-ecs-metadata-token`. When that fails, IMDSv1 (no token) is used, unless
//!   `ALIBABA_CLOUD_IMDSV1_DISABLED` is `true`.
//! - `GET {base}/latest/meta-data/ram/security-credentials/` names the role (404: none
//!   attached, so a chain goes on), unless `ALIBABA_CLOUD_ECS_METADATA` names it;
//! - `GET .../security-credentials/{role}` answers `{"AccessKeyId", "AccessKeySecret",
//!   "SecurityToken", "Expiration", "Code": "Success"}`.
//! - `ALIBABA_CLOUD_ECS_METADATA_DISABLED=true` turns the source off.
//!
//! Cached and refreshed 180 s before `Expiration`, as the vendor's `needUpdateCredential`.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde::Deserialize;

use crate::credentials::metadata::{
    MetadataClient, MetadataSpec, Unavailable, bad_answer, describe_role, parse_expiry,
    role_credentials,
};
use crate::credentials::{Env, FetchTemporary, ProvideCredentials, Temporary};
use crate::error::Error;

/// The metadata service, `http://100.100.100.200`; this SDK's
/// `CERT_SDK_ALIYUN_METADATA_ENDPOINT` names another (tests, proxies of the metadata).
pub static METADATA: MetadataSpec = MetadataSpec {
    what: "Alibaba Cloud ECS RAM role",
    base_url: "http://100.100.100.200",
    override_var: "CERT_SDK_ALIYUN_METADATA_ENDPOINT",
};

/// Refresh this long before expiry (the vendor's).
pub const MARGIN: Duration = Duration::from_secs(180);
/// The vendor's switch that turns this source off.
pub const DISABLED_VAR: &str = "ALIBABA_CLOUD_ECS_METADATA_DISABLED";
/// The vendor's variable naming the role (else the service is asked).
pub const ROLE_VAR: &str = "ALIBABA_CLOUD_ECS_METADATA";
/// The vendor's switch that refuses IMDSv1 (a metadata token is then required).
pub const IMDSV1_DISABLED_VAR: &str = "ALIBABA_CLOUD_IMDSV1_DISABLED";

const TOKEN_PATH: &str = "/latest/api/token";
const ROLE_PATH: &str = "/latest/meta-data/ram/security-credentials/";
const TOKEN_HEADER: &str = "X-aliyun-ecs-metadata-token";
const TOKEN_TTL_HEADER: &str = "X-aliyun-ecs-metadata-token-ttl-seconds";

/// Fetches the ECS RAM role's keys (put it behind a [`crate::credentials::CachedProvider`];
/// [`provider`] does).
#[derive(Debug)]
pub struct EcsRamRole {
    base: String,
    role: Option<String>,
    imdsv1_disabled: bool,
    client: MetadataClient,
}

impl EcsRamRole {
    /// The role's keys from the metadata service at `base`; `role` names the role, else the
    /// service is asked; `imdsv1_disabled` makes a failed token request an error.
    pub fn new(
        base: impl Into<String>,
        role: Option<String>,
        imdsv1_disabled: bool,
    ) -> Result<Self, Error> {
        Ok(EcsRamRole {
            base: base.into().trim_end_matches('/').to_string(),
            role,
            imdsv1_disabled,
            client: MetadataClient::new(&METADATA)?,
        })
    }

    /// The IMDSv2 token, or `None` to go on with IMDSv1.
    async fn token(&self) -> Result<Option<String>, Error> {
        let url = format!("{}{TOKEN_PATH}", self.base);
        let a = self
            .client
            .send("PUT", &url, &[(TOKEN_TTL_HEADER, "21600")])
            .await?;
        if a.status == 200 && !a.body.trim().is_empty() {
            return Ok(Some(a.body.trim().to_string()));
        }
        if self.imdsv1_disabled {
            return Err(bad_answer(
                METADATA.what,
                &url,
                format!(
                    "HTTP {} to the metadata token request, and {IMDSV1_DISABLED_VAR} refuses IMDSv1",
                    a.status
                ),
            ));
        }
        Ok(None)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RoleAnswer {
    access_key_id: Option<String>,
    access_key_secret: Option<String>,
    security_token: Option<String>,
    expiration: Option<String>,
    code: Option<String>,
}

#[async_trait]
impl FetchTemporary for EcsRamRole {
    async fn fetch(&self) -> Result<Temporary, Error> {
        let what = METADATA.what;
        let token = self.token().await?;
        let headers: Vec<(&str, &str)> = token
            .as_deref()
            .map(|t| (TOKEN_HEADER, t))
            .into_iter()
            .collect();
        let (url, body) = role_credentials(
            &self.client,
            what,
            &format!("{}{ROLE_PATH}", self.base),
            self.role.as_deref(),
            &headers,
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
        let (Some(id), Some(secret), Some(token), Some(exp)) = (
            r.access_key_id,
            r.access_key_secret,
            r.security_token,
            r.expiration,
        ) else {
            return Err(bad_answer(
                what,
                &url,
                "AccessKeyId, AccessKeySecret, SecurityToken or Expiration is missing",
            ));
        };
        let expires_at = parse_expiry(&exp)
            .ok_or_else(|| bad_answer(what, &url, "Expiration is not a UTC time"))?;
        Temporary::access_key(id, secret, token, expires_at)
    }

    fn describe(&self) -> String {
        describe_role(METADATA.what, self.role.as_deref(), &self.base)
    }
}

/// The cached ECS RAM role source of the default chain, with the vendor's switches read from
/// `env`; one that says "not here" when turned off.
pub fn provider(env: &Env) -> Arc<dyn ProvideCredentials> {
    named(None, env)
}

/// The same source for the role `role` (a profile's `role_name`, the CLI's `ram_role_name`),
/// else `ALIBABA_CLOUD_ECS_METADATA`, else the role the service names.
pub fn named(role: Option<String>, env: &Env) -> Arc<dyn ProvideCredentials> {
    let on = |var: &str| env.get(var).is_some_and(|v| v.eq_ignore_ascii_case("true"));
    if on(DISABLED_VAR) {
        return Arc::new(Unavailable {
            what: METADATA.what,
            why: format!("turned off by {DISABLED_VAR}"),
        });
    }
    let role = role.or_else(|| env.get(ROLE_VAR));
    let v1_off = on(IMDSV1_DISABLED_VAR);
    crate::credentials::metadata::cached(&METADATA, env, MARGIN, move |base| {
        EcsRamRole::new(base, role, v1_off)
    })
}
