//! Alibaba Cloud `ACS3-HMAC-SHA256` (and `ACS3-HMAC-SM3`) verification (protocol.md §3.3).
//!
//! Failures: HTTP 400 `IncompleteSignature` (malformed `Authorization`, a required header left
//! unsigned), 400 `SignatureDoesNotMatch` (signature, body hash, a signed header missing),
//! 404 `InvalidAccessKeyId.NotFound`, 400 `InvalidTimeStamp.Expired` (more than 15 minutes
//! from the server clock), 400 `InvalidTimeStamp.Format`, 400
//! `InvalidSecurityToken.MismatchWithAccessKey` (temporary credentials).
//!
//! The server requires `host`, `content-type` (when sent) and every `x-acs-*` header to be
//! signed, as the vendor's V3 documentation asks; the canonical query encodes keys and values.

use cert_common::sign::{hex, hmac_sha256, percent_decode, sha256_hex};
use cert_common::time::UtcDateTime;

use super::{AuthFailure, Principal, auth_params, enc, param, same};
use crate::credentials::{KeyPair, find};
use crate::wire::WireRequest;

/// The algorithm name in `Authorization`.
pub const ALGORITHM: &str = "ACS3-HMAC-SHA256";
/// The SM3 variant's name.
pub const ALGORITHM_SM3: &str = "ACS3-HMAC-SM3";
/// Largest accepted distance between `x-acs-date` and the server clock, in seconds.
pub const MAX_SKEW_SECS: i64 = 15 * 60;

const MISMATCH: &str = "The request signature we calculated does not match the signature you provided. Check your key and signing method.";

/// The canonical query of a wire query: pairs decoded (`+` is a space), sorted by key then
/// value, `enc(key)=enc(value)` joined by `&`.
pub fn canonical_query(wire_query: &str) -> String {
    let mut pairs: Vec<(String, String)> = wire_query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k, true), percent_decode(v, true))
        })
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Verifies a request at server time `now` (Unix seconds).
pub fn verify(req: &WireRequest, keys: &[KeyPair], now: i64) -> Result<Principal, AuthFailure> {
    let incomplete = |m: &str| AuthFailure::new(400, "IncompleteSignature", m.to_string());
    let mismatch = |detail: String| {
        AuthFailure::new(
            400,
            "SignatureDoesNotMatch",
            format!("{MISMATCH} ({detail})"),
        )
    };
    let auth = req
        .header("Authorization")
        .ok_or_else(|| incomplete("The request has no ACS3-HMAC-SHA256 Authorization header."))?;
    let malformed = || {
        incomplete(
            "The Authorization header must be `ACS3-HMAC-SHA256 Credential=...,SignedHeaders=...,Signature=...`.",
        )
    };
    // ACS3-HMAC-SHA256, or its SM3 variant (SM3 for every hash and the HMAC; the payload
    // hash header keeps its name, protocol.md §3.3).
    let ((algorithm, sm3), params) = [(ALGORITHM, false), (ALGORITHM_SM3, true)]
        .into_iter()
        .find_map(|(name, sm3)| auth_params(auth.trim(), name).map(|p| ((name, sm3), p)))
        .ok_or_else(malformed)?;
    let hash_hex = |data: &[u8]| {
        if sm3 {
            cert_common::sign::sm3::hex(data)
        } else {
            sha256_hex(data)
        }
    };
    let (Some(id), Some(signed), Some(signature)) = (
        param(&params, "Credential"),
        param(&params, "SignedHeaders"),
        param(&params, "Signature"),
    ) else {
        return Err(malformed());
    };
    let key = find(keys, id).ok_or_else(|| {
        AuthFailure::new(
            404,
            "InvalidAccessKeyId.NotFound",
            "Specified access key is not found.",
        )
    })?;
    if key.expired(now) {
        return Err(AuthFailure::new(
            400,
            "InvalidSecurityToken.Expired",
            "Specified SecurityToken is expired.",
        ));
    }
    let date = req.header("x-acs-date").map(str::trim).unwrap_or("");
    let when = UtcDateTime::parse_iso8601(date).ok_or_else(|| {
        AuthFailure::new(
            400,
            "InvalidTimeStamp.Format",
            "Specified time stamp or date value is not well formatted (x-acs-date must be YYYY-MM-DDTHH:MM:SSZ).",
        )
    })?;
    let skew = when.to_unix() - now;
    if skew.abs() > MAX_SKEW_SECS {
        return Err(AuthFailure::new(
            400,
            "InvalidTimeStamp.Expired",
            format!(
                "Specified time stamp or date value is expired. x-acs-date {date} is {skew} s from the server time {}.",
                UtcDateTime::from_unix(now).iso8601()
            ),
        ));
    }
    let token_mismatch = || {
        AuthFailure::new(
            400,
            "InvalidSecurityToken.MismatchWithAccessKey",
            "The security token does not match the access key.",
        )
    };
    match (&key.token, req.header("x-acs-security-token")) {
        (Some(expected), Some(sent)) if same(expected, sent.trim()) => {}
        (None, None) => {}
        _ => return Err(token_mismatch()),
    }
    if let Some(sent_id) = req.header("x-acs-accesskey-id")
        && sent_id.trim() != key.id
    {
        return Err(token_mismatch());
    }

    let signed: Vec<String> = signed.split(';').map(str::to_ascii_lowercase).collect();
    for (name, _) in &req.headers {
        let lower = name.to_ascii_lowercase();
        let must = lower == "host" || lower == "content-type" || lower.starts_with("x-acs-");
        if must && !signed.contains(&lower) {
            return Err(incomplete(&format!("The header {lower} must be signed.")));
        }
    }
    if !signed.iter().any(|s| s == "host") {
        return Err(incomplete("The header host must be signed."));
    }
    let body_hash = hash_hex(&req.body);
    let hashed_payload = match req.header("x-acs-content-sha256") {
        Some(v) if v.trim() == body_hash => body_hash,
        Some(_) => {
            return Err(mismatch(format!(
                "x-acs-content-sha256 is not the {} of the body",
                if sm3 { "SM3" } else { "SHA-256" }
            )));
        }
        None => body_hash,
    };
    let mut canonical_headers = String::new();
    for name in &signed {
        let mut values: Vec<&str> = req.header_values(name).into_iter().map(str::trim).collect();
        if values.is_empty() {
            return Err(mismatch(format!("the signed header {name} is missing")));
        }
        values.sort_unstable();
        canonical_headers.push_str(name);
        canonical_headers.push(':');
        canonical_headers.push_str(&values.join(","));
        canonical_headers.push('\n');
    }
    let canonical_request = format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        req.method.to_ascii_uppercase(),
        req.path,
        canonical_query(&req.query),
        canonical_headers,
        signed.join(";"),
        hashed_payload
    );
    let string_to_sign = format!("{algorithm}\n{}", hash_hex(canonical_request.as_bytes()));
    let expected = if sm3 {
        hex(&cert_common::sign::sm3::hmac(
            key.secret.as_bytes(),
            string_to_sign.as_bytes(),
        ))
    } else {
        hex(&hmac_sha256(
            key.secret.as_bytes(),
            string_to_sign.as_bytes(),
        ))
    };
    if same(&expected, signature) {
        Ok(Principal::AccessKey(key.id.clone()))
    } else {
        Err(mismatch("signature".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_query_decodes_plus_and_sorts() {
        assert_eq!(
            canonical_query("CertId=1&ClientToken=tok+en%2F%2B%2A~%3D%26%C3%BC"),
            "CertId=1&ClientToken=tok%20en%2F%2B%2A~%3D%26%C3%BC"
        );
        assert_eq!(canonical_query("b=2&a"), "a=&b=2");
    }
}
