//! The vendors' STS calls that credential sources make, issuing temporary keys that expire on
//! the emulator's clock (the delete APIs accept them only until then):
//!
//! | vendor | call | authorised by |
//! |---|---|---|
//! | Tencent | `AssumeRole` (`X-TC-Version: 2018-08-13`) | a TC3 signature of service `sts` |
//! | Tencent | `AssumeRoleWithWebIdentity` | the OIDC token ([`OIDC_TOKEN`]) |
//! | Aliyun | `AssumeRole` (`x-acs-version: 2015-04-01`) | an ACS3 signature |
//! | Aliyun | `AssumeRoleWithOIDC` (`?Action=AssumeRoleWithOIDC`) | the OIDC token |
//! | Huawei | `POST /v3.0/OS-AUTH/id-token/tokens` (`X-Idp-Id`) | the OIDC token |
//! | Huawei | `POST /v3.0/OS-CREDENTIAL/securitytokens` | the token the call above issued |
//!
//! Unknown roles, wrong or expired tokens and bad durations are refused with the vendors'
//! codes (`ResourceNotFound.RoleNotFound`, `InvalidParameter.WebIdentityTokenError`;
//! `EntityNotExist.Role`, `AuthenticationFail.OIDCToken.Invalid`,
//! `AuthenticationFail.OIDCToken.Expired`, `EntityNotExist.OIDCProvider`; Huawei IAM's
//! generic `IAM.0004` (not found) and `IAM.0007` (invalid parameter), from its API pages).

use cert_common::Provider;
use cert_common::sign::parse_query;
use cert_common::time::{UtcDateTime, unix_seconds};
use serde_json::{Value, json};

use crate::credentials::KeyPair;
use crate::server::{Inner, Shared};
use crate::shapes::{self, Ctx, Reply};
use crate::verify;
use crate::wire::WireRequest;

/// The Tencent role `AssumeRole` and `AssumeRoleWithWebIdentity` accept.
pub const TENCENT_ROLE_ARN: &str = "qcs::cam::uin/100000000001:roleName/emulator-role";
/// The Tencent OIDC provider id (`TKE_PROVIDER_ID`) accepted.
pub const TENCENT_OIDC_PROVIDER_ID: &str = "emulator-tke-oidc";
/// The Aliyun role `AssumeRole` and `AssumeRoleWithOIDC` accept.
pub const ALIYUN_ROLE_ARN: &str = "acs:ram::1000000000000001:role/emulator-role";
/// The Aliyun OIDC provider ARN accepted.
pub const ALIYUN_OIDC_PROVIDER_ARN: &str = "acs:ram::1000000000000001:oidc-provider/emulator-oidc";
/// The OIDC token both vendors' web identity calls accept.
pub const OIDC_TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.emulator-oidc-token.signature";
/// The Huawei identity provider (`HUAWEICLOUD_SDK_IDP_ID`) IAM federation accepts.
pub const HUAWEI_IDP_ID: &str = "emulator-idp";

/// An OIDC token both refuse as expired.
pub const EXPIRED_OIDC_TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.emulator-expired-token.signature";

/// What an STS request was, for the log.
pub(crate) struct Answered {
    pub provider: Provider,
    pub action: &'static str,
    pub principal: Option<String>,
    pub reply: Reply,
}

fn which(wire: &WireRequest) -> Option<(Provider, &'static str)> {
    if wire.method == "POST" {
        match wire.path.as_str() {
            "/v3.0/OS-AUTH/id-token/tokens" => {
                return Some((Provider::Huawei, "CreateTokenWithIdToken"));
            }
            "/v3.0/OS-CREDENTIAL/securitytokens" => {
                return Some((Provider::Huawei, "CreateTemporaryAccessKeyByToken"));
            }
            _ => {}
        }
    }
    let tc_version = wire.header("X-TC-Version").map(str::trim);
    if tc_version == Some("2018-08-13") {
        return match wire.header("X-TC-Action").map(str::trim) {
            Some("AssumeRole") => Some((Provider::Tencent, "AssumeRole")),
            Some("AssumeRoleWithWebIdentity") => {
                Some((Provider::Tencent, "AssumeRoleWithWebIdentity"))
            }
            _ => None,
        };
    }
    if wire.header("x-acs-version").map(str::trim) == Some("2015-04-01")
        && wire.header("x-acs-action").map(str::trim) == Some("AssumeRole")
    {
        return Some((Provider::Aliyun, "AssumeRole"));
    }
    let q = parse_query(&wire.query, true);
    let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    if get("Action") == Some("AssumeRoleWithOIDC") && get("Version") == Some("2015-04-01") {
        return Some((Provider::Aliyun, "AssumeRoleWithOIDC"));
    }
    None
}

/// Answers `wire` when it is one of the STS calls; `None` otherwise.
pub(crate) fn handle(shared: &Shared, wire: &WireRequest, ctx: &Ctx) -> Option<Answered> {
    let (provider, action) = which(wire)?;
    let now = unix_seconds(shared.clock.now());
    let random = shared.random();
    let mut guard = shared.lock();
    let inner = &mut *guard;
    let mut principal = None;
    if provider == Provider::Huawei {
        let reply = match huawei(inner, wire, action, now, random, ctx) {
            Ok(reply) => reply,
            Err((status, code, message)) => shapes::error(provider, status, &code, &message, ctx),
        };
        return Some(Answered {
            provider,
            action,
            principal: None,
            reply,
        });
    }
    let result = match (provider, action) {
        (Provider::Tencent, "AssumeRole") => {
            match verify::tencent::verify(wire, &inner.credentials.tencent, "sts", now) {
                Ok(p) => {
                    principal = Some(p.describe());
                    tencent(inner, wire, false, now, random)
                }
                Err(f) => Err((f.status, f.code.to_string(), f.message)),
            }
        }
        (Provider::Tencent, _) => {
            // The vendor's SkipSign call: `Authorization: SKIP`, and a region.
            if wire.header("Authorization").map(str::trim) != Some("SKIP") {
                Err(refuse(
                    200,
                    "AuthFailure.InvalidAuthorization",
                    "AssumeRoleWithWebIdentity is sent unsigned, with `Authorization: SKIP`.",
                ))
            } else if wire
                .header("X-TC-Region")
                .is_none_or(|r| r.trim().is_empty())
            {
                Err(refuse(
                    200,
                    "MissingParameter",
                    "The request is missing a required parameter `Region`.",
                ))
            } else {
                tencent(inner, wire, true, now, random)
            }
        }
        (_, "AssumeRole") => match verify::aliyun::verify(wire, &inner.credentials.aliyun, now) {
            Ok(p) => {
                principal = Some(p.describe());
                let params = parse_query(&wire.query, true);
                aliyun(inner, &params, false, now, random)
            }
            Err(f) => Err((f.status, f.code.to_string(), f.message)),
        },
        _ => {
            let params = parse_query(&String::from_utf8_lossy(&wire.body), true);
            aliyun(inner, &params, true, now, random)
        }
    };
    let reply = match result {
        Ok(body) => match provider {
            Provider::Tencent => {
                let mut body = body;
                body["RequestId"] = Value::from(ctx.request_id.clone());
                Reply::json(200, &json!({ "Response": body }))
            }
            _ => {
                let mut body = body;
                body["RequestId"] = Value::from(ctx.request_id.clone());
                Reply::json(200, &body)
            }
        },
        Err((status, code, message)) => shapes::error(provider, status, &code, &message, ctx),
    };
    Some(Answered {
        provider,
        action,
        principal,
        reply,
    })
}

type Refusal = (u16, String, String);

fn refuse(status: u16, code: &str, message: impl Into<String>) -> Refusal {
    (status, code.to_string(), message.into())
}

fn mint(
    inner: &mut Inner,
    prefix: &str,
    duration: i64,
    now: i64,
    random: &dyn cert_common::random::Random,
) -> (KeyPair, i64) {
    inner.instances.minted += 1;
    let n = inner.instances.minted;
    let life = duration.min(inner.instances.lifetime.as_secs() as i64);
    let expires = now + life;
    let key = KeyPair::temporary(
        format!("{prefix}{n:06}"),
        format!("emulator-sts-secret-{}", random.hex_nonce()),
        format!("emulator-sts-token-{}", random.hex_nonce()),
    )
    .expiring_at(expires);
    (key, expires)
}

fn tencent(
    inner: &mut Inner,
    wire: &WireRequest,
    web_identity: bool,
    now: i64,
    random: &dyn cert_common::random::Random,
) -> Result<Value, Refusal> {
    let body: Value = serde_json::from_slice(&wire.body)
        .map_err(|_| refuse(200, "InvalidParameter", "The body is not JSON."))?;
    let s = |k: &str| body.get(k).and_then(Value::as_str).unwrap_or("");
    for k in ["RoleArn", "RoleSessionName"] {
        if s(k).is_empty() {
            return Err(refuse(
                200,
                "MissingParameter",
                format!("The request is missing a required parameter `{k}`."),
            ));
        }
    }
    let duration = match body.get("DurationSeconds") {
        None => 7200,
        Some(d) => d
            .as_i64()
            .filter(|d| (1..=43200).contains(d))
            .ok_or_else(|| {
                refuse(
                    200,
                    "InvalidParameterValue",
                    "DurationSeconds must be 1 to 43200.",
                )
            })?,
    };
    if web_identity {
        if s("ProviderId") != TENCENT_OIDC_PROVIDER_ID {
            return Err(refuse(
                200,
                "InvalidParameter.WebIdentityTokenError",
                "The identity provider does not exist.",
            ));
        }
        match s("WebIdentityToken") {
            OIDC_TOKEN => {}
            EXPIRED_OIDC_TOKEN => {
                return Err(refuse(
                    200,
                    "InvalidParameter.WebIdentityTokenError",
                    "The web identity token has expired.",
                ));
            }
            _ => {
                return Err(refuse(
                    200,
                    "InvalidParameter.WebIdentityTokenError",
                    "The web identity token is invalid.",
                ));
            }
        }
    }
    if s("RoleArn") != TENCENT_ROLE_ARN {
        return Err(refuse(
            200,
            "ResourceNotFound.RoleNotFound",
            "The role does not exist.",
        ));
    }
    let (key, expires) = mint(inner, "AKIDEMUSTS", duration, now, random);
    let answer = json!({
        "Credentials": {"Token": key.token, "TmpSecretId": key.id, "TmpSecretKey": key.secret},
        "ExpiredTime": expires,
        "Expiration": UtcDateTime::from_unix(expires).iso8601(),
    });
    inner.credentials.tencent.push(key);
    Ok(answer)
}

fn aliyun(
    inner: &mut Inner,
    params: &[(String, String)],
    oidc: bool,
    now: i64,
    random: &dyn cert_common::random::Random,
) -> Result<Value, Refusal> {
    let get = |k: &str| {
        params
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    for k in ["RoleArn", "RoleSessionName"] {
        if get(k).is_empty() {
            return Err(refuse(
                400,
                "MissingParameter",
                format!("{k} is mandatory for this action."),
            ));
        }
    }
    let duration = match get("DurationSeconds") {
        "" => 3600,
        d => d
            .parse::<i64>()
            .ok()
            .filter(|d| (900..=43200).contains(d))
            .ok_or_else(|| {
                refuse(
                    400,
                    "InvalidParameter.DurationSeconds",
                    "The DurationSeconds is out of range.",
                )
            })?,
    };
    if oidc {
        if get("OIDCProviderArn") != ALIYUN_OIDC_PROVIDER_ARN {
            return Err(refuse(
                404,
                "EntityNotExist.OIDCProvider",
                "The OIDC provider does not exist.",
            ));
        }
        match get("OIDCToken") {
            OIDC_TOKEN => {}
            EXPIRED_OIDC_TOKEN => {
                return Err(refuse(
                    400,
                    "AuthenticationFail.OIDCToken.Expired",
                    "The OIDC token has expired.",
                ));
            }
            _ => {
                return Err(refuse(
                    400,
                    "AuthenticationFail.OIDCToken.Invalid",
                    "The OIDC token is invalid.",
                ));
            }
        }
    }
    if get("RoleArn") != ALIYUN_ROLE_ARN {
        return Err(refuse(404, "EntityNotExist.Role", "The role not exists."));
    }
    let (key, expires) = mint(inner, "STS.EMUSTS", duration, now, random);
    let answer = json!({
        "AssumedRoleUser": {
            "Arn": format!("{ALIYUN_ROLE_ARN}/{}", get("RoleSessionName")),
            "AssumedRoleId": format!("3000000000000001:{}", get("RoleSessionName")),
        },
        "Credentials": {
            "AccessKeyId": key.id,
            "AccessKeySecret": key.secret,
            "SecurityToken": key.token,
            "Expiration": UtcDateTime::from_unix(expires).iso8601(),
        },
    });
    inner.credentials.aliyun.push(key);
    Ok(answer)
}

fn huawei(
    inner: &mut Inner,
    wire: &WireRequest,
    action: &str,
    now: i64,
    random: &dyn cert_common::random::Random,
    ctx: &Ctx,
) -> Result<Reply, Refusal> {
    let body: Value = serde_json::from_slice(&wire.body)
        .map_err(|_| refuse(400, "IAM.0011", "Request body is invalid."))?;
    if action == "CreateTokenWithIdToken" {
        let idp = wire.header("X-Idp-Id").map(str::trim).unwrap_or("");
        if idp != HUAWEI_IDP_ID {
            return Err(refuse(
                404,
                "IAM.0004",
                format!("Could not find identity provider: {idp}."),
            ));
        }
        match body["auth"]["id_token"]["id"].as_str() {
            Some(OIDC_TOKEN) => {}
            Some(EXPIRED_OIDC_TOKEN) => {
                return Err(refuse(
                    401,
                    "IAM.0007",
                    "Request parameter id_token is invalid: the token has expired.",
                ));
            }
            _ => {
                return Err(refuse(
                    401,
                    "IAM.0007",
                    "Request parameter id_token is invalid.",
                ));
            }
        }
        let subject = format!("emulator-subject-token-{}", random.hex_nonce());
        let expires = now + inner.instances.lifetime.as_secs() as i64;
        inner
            .instances
            .subject_tokens
            .insert(subject.clone(), expires);
        let answer = json!({"token": {
            "expires_at": UtcDateTime::from_unix(expires).iso8601(),
            "issued_at": UtcDateTime::from_unix(now).iso8601(),
            "methods": ["mapped"],
        }});
        return Ok(Reply::json(201, &answer)
            .header("X-Subject-Token", subject)
            .header("X-Request-Id", ctx.request_id.clone()));
    }
    let token = body["auth"]["identity"]["token"]["id"]
        .as_str()
        .unwrap_or("");
    if inner
        .instances
        .subject_tokens
        .get(token)
        .is_none_or(|&exp| now >= exp)
    {
        return Err(refuse(
            401,
            "IAM.0007",
            "Request parameter token is invalid.",
        ));
    }
    let duration = body["auth"]["identity"]["token"]["duration_seconds"]
        .as_i64()
        .unwrap_or(900);
    if !(900..=86400).contains(&duration) {
        return Err(refuse(
            400,
            "IAM.0011",
            "Request body is invalid: duration_seconds must be 900 to 86400.",
        ));
    }
    let (key, expires) = mint(inner, "EMUFEDAK", duration, now, random);
    let answer = json!({"credential": {
        "access": key.id,
        "secret": key.secret,
        "securitytoken": key.token,
        "expires_at": format!("{}.000000Z", UtcDateTime::from_unix(expires).iso8601().trim_end_matches('Z')),
    }});
    inner.credentials.huawei.push(key);
    Ok(Reply::json(201, &answer).header("X-Request-Id", ctx.request_id.clone()))
}
