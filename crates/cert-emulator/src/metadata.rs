//! The three vendors' instance metadata services, issuing temporary keys that expire on the
//! emulator's clock (the delete APIs accept them only until then):
//!
//! | vendor | requests |
//! |---|---|
//! | Tencent CVM role | `GET /latest/meta-data/cam/security-credentials/` (role name), `GET .../{role}` |
//! | Aliyun ECS RAM role | `PUT /latest/api/token`, `GET /latest/meta-data/ram/security-credentials/`, `GET .../{role}` |
//! | Huawei ECS agency | `PUT /meta-data/latest/api/token`, `GET /openstack/latest/securitykey` |
//!
//! Each credentials answer mints a new key (the request log shows how many were fetched).

use std::collections::HashMap;
use std::time::Duration;

use cert_common::Provider;
use cert_common::random::Random;
use cert_common::time::{UtcDateTime, unix_seconds};
use serde_json::json;

use crate::credentials::KeyPair;
use crate::server::{Inner, Shared};
use crate::shapes::Reply;
use crate::wire::WireRequest;

/// The CAM role bound to the emulated CVM instance.
pub const TENCENT_CVM_ROLE: &str = "emulator-cvm-role";
/// The RAM role attached to the emulated ECS instance.
pub const ALIYUN_ECS_ROLE: &str = "emulator-ecs-role";
/// How long the keys the metadata services issue live, unless configured.
pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(3600);

const TENCENT_ROLES: &str = "/latest/meta-data/cam/security-credentials/";
const ALIYUN_TOKEN: &str = "/latest/api/token";
const ALIYUN_ROLES: &str = "/latest/meta-data/ram/security-credentials/";
const HUAWEI_TOKEN: &str = "/meta-data/latest/api/token";
const HUAWEI_KEY: &str = "/openstack/latest/securitykey";

/// How the emulated instances are set up.
#[derive(Debug, Clone)]
pub(crate) struct Instances {
    /// Life of issued keys.
    pub lifetime: Duration,
    /// Which vendors' instances have a role (or agency) bound.
    pub bound: HashMap<Provider, bool>,
    /// Whether requests without a metadata token are refused (IMDSv2 only).
    pub tokens_required: bool,
    /// Metadata tokens issued, with their expiry (Unix seconds).
    pub tokens: HashMap<String, i64>,
    /// Huawei IAM federation tokens issued (`X-Subject-Token`), with their expiry.
    pub subject_tokens: HashMap<String, i64>,
    pub minted: u64,
}

impl Default for Instances {
    fn default() -> Self {
        Instances {
            lifetime: DEFAULT_LIFETIME,
            bound: HashMap::new(),
            tokens_required: false,
            tokens: HashMap::new(),
            subject_tokens: HashMap::new(),
            minted: 0,
        }
    }
}

impl Instances {
    fn bound(&self, p: Provider) -> bool {
        self.bound.get(&p).copied().unwrap_or(true)
    }
}

/// What a metadata request was, for the log.
pub(crate) struct Answered {
    pub provider: Provider,
    pub action: &'static str,
    pub reply: Reply,
}

fn text(status: u16, body: impl Into<String>) -> Reply {
    let mut r = Reply::empty(status);
    r.body = body.into().into_bytes();
    r.header("content-type", "text/plain")
}

fn iso(t: i64) -> String {
    UtcDateTime::from_unix(t).iso8601()
}

/// Answers `wire` when it is a metadata request; `None` otherwise.
pub(crate) fn handle(shared: &Shared, wire: &WireRequest) -> Option<Answered> {
    let path = wire.path.as_str();
    let (provider, action) = if path.starts_with(TENCENT_ROLES) {
        (Provider::Tencent, "MetadataSecurityCredentials")
    } else if path == ALIYUN_TOKEN {
        (Provider::Aliyun, "MetadataToken")
    } else if path.starts_with(ALIYUN_ROLES) {
        (Provider::Aliyun, "MetadataSecurityCredentials")
    } else if path == HUAWEI_TOKEN {
        (Provider::Huawei, "MetadataToken")
    } else if path == HUAWEI_KEY {
        (Provider::Huawei, "MetadataSecurityKey")
    } else {
        return None;
    };
    let now = unix_seconds(shared.clock.now());
    let random = shared.random();
    let mut guard = shared.lock();
    let inner = &mut *guard;
    let reply = match (provider, action) {
        (_, "MetadataToken") => token(inner, wire, provider, now, random),
        (Provider::Tencent, _) => tencent(inner, wire, now, random),
        (Provider::Aliyun, _) => aliyun(inner, wire, now, random),
        _ => huawei(inner, wire, now, random),
    };
    Some(Answered {
        provider,
        action,
        reply,
    })
}

fn token(
    inner: &mut Inner,
    wire: &WireRequest,
    provider: Provider,
    now: i64,
    random: &dyn Random,
) -> Reply {
    if wire.method != "PUT" {
        return text(405, "Method Not Allowed");
    }
    let header = match provider {
        Provider::Aliyun => "X-aliyun-ecs-metadata-token-ttl-seconds",
        _ => "X-Metadata-Token-Ttl-Seconds",
    };
    let ttl = wire
        .header(header)
        .and_then(|v| v.trim().parse::<i64>().ok());
    let Some(ttl) = ttl.filter(|t| (1..=21600).contains(t)) else {
        return text(400, format!("{header} must be between 1 and 21600"));
    };
    let token = random.hex_nonce();
    inner.instances.tokens.insert(token.clone(), now + ttl);
    text(200, token)
}

/// Whether the request's metadata token (if any) is one issued and unexpired; without one,
/// whether tokens are optional.
fn token_ok(inner: &Inner, wire: &WireRequest, header: &str, now: i64) -> bool {
    match wire.header(header) {
        Some(t) => inner
            .instances
            .tokens
            .get(t.trim())
            .is_some_and(|&exp| now < exp),
        None => !inner.instances.tokens_required,
    }
}

fn mint(inner: &mut Inner, prefix: &str, now: i64, random: &dyn Random) -> (KeyPair, i64) {
    inner.instances.minted += 1;
    let n = inner.instances.minted;
    let expires = now + inner.instances.lifetime.as_secs() as i64;
    let key = KeyPair::temporary(
        format!("{prefix}{n:06}"),
        format!("emulator-instance-secret-{}", random.hex_nonce()),
        format!("emulator-instance-token-{}", random.hex_nonce()),
    )
    .expiring_at(expires);
    (key, expires)
}

fn tencent(inner: &mut Inner, wire: &WireRequest, now: i64, random: &dyn Random) -> Reply {
    if wire.method != "GET" {
        return text(405, "Method Not Allowed");
    }
    let role = &wire.path[TENCENT_ROLES.len()..];
    if !inner.instances.bound(Provider::Tencent) {
        return text(404, "Not Found");
    }
    if role.is_empty() {
        return text(200, TENCENT_CVM_ROLE);
    }
    if role != TENCENT_CVM_ROLE {
        return text(404, "Not Found");
    }
    let (key, expires) = mint(inner, "AKIDEMUCVM", now, random);
    let body = json!({
        "TmpSecretId": key.id,
        "TmpSecretKey": key.secret,
        "ExpiredTime": expires,
        "Expiration": iso(expires),
        "Token": key.token,
        "Code": "Success",
    });
    inner.credentials.tencent.push(key);
    Reply::json(200, &body)
}

fn aliyun(inner: &mut Inner, wire: &WireRequest, now: i64, random: &dyn Random) -> Reply {
    if wire.method != "GET" {
        return text(405, "Method Not Allowed");
    }
    if !token_ok(inner, wire, "X-aliyun-ecs-metadata-token", now) {
        return text(401, "Unauthorized: a valid metadata token is required");
    }
    let role = &wire.path[ALIYUN_ROLES.len()..];
    if !inner.instances.bound(Provider::Aliyun) {
        return text(404, "Not Found");
    }
    if role.is_empty() {
        return text(200, ALIYUN_ECS_ROLE);
    }
    if role != ALIYUN_ECS_ROLE {
        return text(404, "Not Found");
    }
    let (key, expires) = mint(inner, "STS.EMUECS", now, random);
    let body = json!({
        "AccessKeyId": key.id,
        "AccessKeySecret": key.secret,
        "SecurityToken": key.token,
        "Expiration": iso(expires),
        "LastUpdated": iso(now),
        "Code": "Success",
    });
    inner.credentials.aliyun.push(key);
    Reply::json(200, &body)
}

fn huawei(inner: &mut Inner, wire: &WireRequest, now: i64, random: &dyn Random) -> Reply {
    if wire.method != "GET" {
        return text(405, "Method Not Allowed");
    }
    if !token_ok(inner, wire, "X-Metadata-Token", now) {
        return text(401, "Unauthorized: a valid metadata token is required");
    }
    if !inner.instances.bound(Provider::Huawei) {
        return text(404, "Please configure Cloud Service Agency first");
    }
    let (key, expires) = mint(inner, "EMUAGENCY", now, random);
    // The vendor's service sends microseconds; the SDK must take them.
    let body = json!({"credential": {
        "access": key.id,
        "secret": key.secret,
        "securitytoken": key.token,
        "expires_at": format!("{}.000000Z", iso(expires).trim_end_matches('Z')),
    }});
    inner.credentials.huawei.push(key);
    Reply::json(200, &body)
}
