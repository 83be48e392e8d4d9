//! Temporary keys of the agency delegated to an ECS instance, from the instance metadata
//! service (`core/auth/internal/metadata_accessor.go` and `core/auth/base_credentials.go` of
//! huaweicloud-sdk-go-v3).
//!
//! - A metadata token first: `PUT {base}/meta-data/latest/api/token` with
//!   `X-Metadata-Token-Ttl-Seconds: 21600`; 404, 405 and 503 mean the service has no tokens,
//!   and the next request goes without.
//! - `GET {base}/openstack/latest/securitykey` (with `X-Metadata-Token`) answers
//!   `{"credential": {"access", "secret", "securitytoken", "expires_at"}}`; an instance with
//!   no agency is told "Please configure Cloud Service Agency first" (a chain goes on).
//!
//! Cached and refreshed 40 min before `expires_at`, as the vendor's
//! `defaultExpirationThresholdSeconds`. The project id is not in the answer: it comes from the
//! configuration, `HUAWEICLOUD_SDK_PROJECT_ID` or the profile, as for any key.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use crate::credentials::metadata::{MetadataClient, MetadataSpec, bad_answer};
use crate::credentials::{Env, FetchTemporary, ProvideCredentials, Temporary, not_found};
use crate::error::Error;

/// The metadata service, `http://169.254.169.254`; this SDK's
/// `CERT_SDK_HUAWEI_METADATA_ENDPOINT` names another (tests, proxies of the metadata).
pub static METADATA: MetadataSpec = MetadataSpec {
    what: "Huawei Cloud ECS agency",
    base_url: "http://169.254.169.254",
    override_var: "CERT_SDK_HUAWEI_METADATA_ENDPOINT",
};

/// Refresh this long before expiry (the vendor's; at most half the keys' life, see
/// [`crate::credentials::CachedProvider`]).
pub const MARGIN: Duration = Duration::from_secs(40 * 60);

const TOKEN_PATH: &str = "/meta-data/latest/api/token";
const KEY_PATH: &str = "/openstack/latest/securitykey";
const NO_AGENCY: &str = "Please configure Cloud Service Agency first";

/// Fetches the agency's keys (put it behind a [`crate::credentials::CachedProvider`];
/// [`provider`] does).
#[derive(Debug)]
pub struct EcsAgency {
    base: String,
    client: MetadataClient,
}

impl EcsAgency {
    /// The agency's keys from the metadata service at `base`.
    pub fn new(base: impl Into<String>) -> Result<Self, Error> {
        Ok(EcsAgency {
            base: base.into().trim_end_matches('/').to_string(),
            client: MetadataClient::new(&METADATA)?,
        })
    }
}

#[async_trait]
impl FetchTemporary for EcsAgency {
    async fn fetch(&self) -> Result<Temporary, Error> {
        let what = METADATA.what;
        let token_url = format!("{}{TOKEN_PATH}", self.base);
        let t = self
            .client
            .send(
                "PUT",
                &token_url,
                &[("X-Metadata-Token-Ttl-Seconds", "21600")],
            )
            .await?;
        let token = match t.status {
            200 => Some(t.body.trim().to_string()),
            404 | 405 | 503 => None,
            s => return Err(bad_answer(what, &token_url, format!("HTTP {s}"))),
        };
        let headers: Vec<(&str, &str)> = token
            .as_deref()
            .map(|t| ("X-Metadata-Token", t))
            .into_iter()
            .collect();
        let url = format!("{}{KEY_PATH}", self.base);
        let a = self.client.send("GET", &url, &headers).await?;
        if a.status >= 400 && a.body.contains(NO_AGENCY) {
            return Err(not_found(format!(
                "{what}: no agency is delegated to this instance"
            )));
        }
        if a.status != 200 {
            return Err(bad_answer(what, &url, format!("HTTP {}", a.status)));
        }
        super::temporary_key::read(a.body.as_bytes()).map_err(|why| bad_answer(what, &url, why))
    }

    fn describe(&self) -> String {
        format!("{} (instance metadata at {})", METADATA.what, self.base)
    }
}

/// The cached agency source of the default chain; one that says "not here" when metadata is
/// turned off.
pub fn provider(env: &Env) -> Arc<dyn ProvideCredentials> {
    crate::credentials::metadata::cached(&METADATA, env, MARGIN, EcsAgency::new)
}
