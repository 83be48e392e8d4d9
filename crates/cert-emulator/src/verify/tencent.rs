//! Tencent `TC3-HMAC-SHA256` verification (protocol.md §2.2, §2.3).
//!
//! Errors travel in an HTTP 200 body: `AuthFailure.SignatureExpire` (timestamp more than five
//! minutes from the server clock), `AuthFailure.SignatureFailure` (signature or scope),
//! `AuthFailure.SecretIdNotFound` (unknown SecretId), `AuthFailure.TokenFailure` (temporary
//! credential token), `AuthFailure.InvalidAuthorization` (malformed header),
//! `MissingParameter` (no `X-TC-Timestamp`).

use cert_common::sign::{hex, hmac_sha256, sha256_hex};
use cert_common::time::UtcDateTime;

use super::{AuthFailure, Principal, auth_params, param, same};
use crate::credentials::{KeyPair, find};
use crate::wire::WireRequest;

/// The algorithm name in `Authorization`.
pub const ALGORITHM: &str = "TC3-HMAC-SHA256";
/// Largest accepted distance between `X-TC-Timestamp` and the server clock, in seconds.
pub const MAX_SKEW_SECS: i64 = 5 * 60;

fn fail(code: &'static str, message: impl Into<String>) -> AuthFailure {
    AuthFailure::new(200, code, message)
}

/// Verifies a request for `service` (e.g. `ssl`) at server time `now` (Unix seconds).
pub fn verify(
    req: &WireRequest,
    keys: &[KeyPair],
    service: &str,
    now: i64,
) -> Result<Principal, AuthFailure> {
    let auth = req.header("Authorization").ok_or_else(|| {
        fail(
            "AuthFailure.SignatureFailure",
            "The request has no TC3-HMAC-SHA256 Authorization header.",
        )
    })?;
    let invalid = || {
        fail(
            "AuthFailure.InvalidAuthorization",
            "Authorization header is not `TC3-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`.",
        )
    };
    let params = auth_params(auth.trim(), ALGORITHM).ok_or_else(invalid)?;
    let (Some(credential), Some(signed), Some(signature)) = (
        param(&params, "Credential"),
        param(&params, "SignedHeaders"),
        param(&params, "Signature"),
    ) else {
        return Err(invalid());
    };
    // Credential = <SecretId>/<date>/<service>/tc3_request; the SecretId has no '/'.
    let parts: Vec<&str> = credential.split('/').collect();
    let [secret_id, scope_date, scope_service, terminator] = parts.as_slice() else {
        return Err(invalid());
    };
    let timestamp = req.header("X-TC-Timestamp").ok_or_else(|| {
        fail(
            "MissingParameter",
            "The request is missing a required parameter `Timestamp`.",
        )
    })?;
    let ts: i64 = timestamp.trim().parse().map_err(|_| {
        fail(
            "InvalidParameter",
            "The parameter `Timestamp` is not an integer.",
        )
    })?;
    if (ts - now).abs() > MAX_SKEW_SECS {
        return Err(fail(
            "AuthFailure.SignatureExpire",
            format!(
                "Signature expired. Timestamp date: {}, server date: {}",
                UtcDateTime::from_unix(ts).iso8601(),
                UtcDateTime::from_unix(now).iso8601()
            ),
        ));
    }
    let key = find(keys, secret_id).ok_or_else(|| {
        fail(
            "AuthFailure.SecretIdNotFound",
            "The SecretId is not found, please ensure that your SecretId is correct.",
        )
    })?;
    if key.expired(now) {
        return Err(fail(
            "AuthFailure.TokenFailure",
            "The token has expired; request new temporary credentials.",
        ));
    }
    let date = UtcDateTime::from_unix(ts).date();
    if *terminator != "tc3_request" || *scope_date != date || *scope_service != service {
        return Err(fail(
            "AuthFailure.SignatureFailure",
            format!("The credential scope must be {date}/{service}/tc3_request."),
        ));
    }
    match (&key.token, req.header("X-TC-Token")) {
        (Some(expected), Some(sent)) if same(expected, sent.trim()) => {}
        (None, None) => {}
        _ => {
            return Err(fail(
                "AuthFailure.TokenFailure",
                "The token does not match the SecretId.",
            ));
        }
    }
    let signed: Vec<String> = signed.split(';').map(str::to_ascii_lowercase).collect();
    for required in ["content-type", "host"] {
        if !signed.iter().any(|s| s == required) {
            return Err(fail(
                "AuthFailure.SignatureFailure",
                format!("The header {required} must be signed."),
            ));
        }
    }
    let mut canonical_headers = String::new();
    for name in &signed {
        let value = req.header(name).ok_or_else(|| {
            fail(
                "AuthFailure.SignatureFailure",
                format!("The signed header {name} is missing from the request."),
            )
        })?;
        canonical_headers.push_str(name);
        canonical_headers.push(':');
        canonical_headers.push_str(value.trim());
        canonical_headers.push('\n');
    }
    let hashed_payload =
        if req.header("X-TC-Content-SHA256").map(str::trim) == Some("UNSIGNED-PAYLOAD") {
            sha256_hex(b"UNSIGNED-PAYLOAD")
        } else {
            sha256_hex(&req.body)
        };
    let canonical_request = format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        req.method.to_ascii_uppercase(),
        req.path,
        req.query,
        canonical_headers,
        signed.join(";"),
        hashed_payload
    );
    let string_to_sign = format!(
        "{ALGORITHM}\n{ts}\n{date}/{service}/tc3_request\n{}",
        sha256_hex(canonical_request.as_bytes())
    );
    let k_date = hmac_sha256(format!("TC3{}", key.secret).as_bytes(), date.as_bytes());
    let k_service = hmac_sha256(&k_date, service.as_bytes());
    let k_signing = hmac_sha256(&k_service, b"tc3_request");
    let expected = hex(&hmac_sha256(&k_signing, string_to_sign.as_bytes()));
    if same(&expected, signature) {
        Ok(Principal::AccessKey(key.id.clone()))
    } else {
        Err(fail(
            "AuthFailure.SignatureFailure",
            "The provided credentials could not be validated. Please check your signature is correct.",
        ))
    }
}
