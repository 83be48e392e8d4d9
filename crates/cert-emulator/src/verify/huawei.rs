//! Huawei `SDK-HMAC-SHA256` (and `SDK-HMAC-SM3`) and IAM token (`X-Auth-Token`) verification (protocol.md §1.3, §1.5).
//!
//! Failures answer HTTP 401 with `APIG.0301` (signature, clock, key) or `APIG.1002` (token).

use cert_common::sign::{hex, hmac_sha256, percent_decode, sha256_hex};
use cert_common::time::UtcDateTime;

use super::{AuthFailure, Principal, auth_params, enc, param, same};
use crate::credentials::{KeyPair, find};
use crate::wire::WireRequest;

/// The algorithm name in `Authorization`.
pub const ALGORITHM: &str = "SDK-HMAC-SHA256";
/// The SM3 variant's name.
pub const ALGORITHM_SM3: &str = "SDK-HMAC-SM3";
/// Largest accepted distance between `X-Sdk-Date` and the server clock, in seconds (15 min).
pub const MAX_SKEW_SECS: i64 = 15 * 60;

fn fail(message: impl Into<String>) -> AuthFailure {
    AuthFailure::new(
        401,
        "APIG.0301",
        format!(
            "Incorrect IAM authentication information: {}",
            message.into()
        ),
    )
}

/// The canonical URI: the wire path percent-decoded, split on `/`, each segment encoded,
/// joined, with a trailing `/`.
pub fn canonical_uri(wire_path: &str) -> String {
    let decoded = percent_decode(wire_path, false);
    let mut out = decoded.split('/').map(enc).collect::<Vec<_>>().join("/");
    if !out.ends_with('/') {
        out.push('/');
    }
    out
}

/// The canonical query of a wire query: pairs decoded, sorted by key then value, encoded.
pub fn canonical_query(wire_query: &str) -> String {
    let mut pairs: Vec<(String, String)> = wire_query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k, false), percent_decode(v, false))
        })
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Verifies a request against `keys` and `iam_tokens` at server time `now` (Unix seconds).
pub fn verify(
    req: &WireRequest,
    keys: &[KeyPair],
    iam_tokens: &[String],
    now: i64,
) -> Result<Principal, AuthFailure> {
    if let Some(token) = req.header("X-Auth-Token") {
        return if iam_tokens.iter().any(|t| same(t, token.trim())) {
            Ok(Principal::IamToken)
        } else {
            Err(AuthFailure::new(
                401,
                "APIG.1002",
                "Incorrect token or token resolution failed",
            ))
        };
    }
    let auth = req
        .header("Authorization")
        .ok_or_else(|| fail("the request has neither an Authorization header nor X-Auth-Token"))?;
    // SDK-HMAC-SHA256, or its SM3 variant: the same layout with SM3 for every hash and the
    // HMAC (protocol.md §1.4).
    let (algorithm, params) = [(ALGORITHM, false), (ALGORITHM_SM3, true)]
        .into_iter()
        .find_map(|(name, sm3)| auth_params(auth.trim(), name).map(|p| ((name, sm3), p)))
        .ok_or_else(|| {
            fail(format!(
                "the Authorization header is not {ALGORITHM} or {ALGORITHM_SM3}"
            ))
        })?;
    let (algorithm, sm3) = algorithm;
    let hash_hex = |data: &[u8]| {
        if sm3 {
            cert_common::sign::sm3::hex(data)
        } else {
            sha256_hex(data)
        }
    };
    let (Some(ak), Some(signed), Some(signature)) = (
        param(&params, "Access"),
        param(&params, "SignedHeaders"),
        param(&params, "Signature"),
    ) else {
        return Err(fail(
            "the Authorization header lacks Access, SignedHeaders or Signature",
        ));
    };
    let key = find(keys, ak).ok_or_else(|| fail(format!("the access key {ak} does not exist")))?;
    if key.expired(now) {
        return Err(fail("the security token has expired"));
    }

    let signed: Vec<String> = signed.split(';').map(str::to_ascii_lowercase).collect();
    for required in ["host", "x-sdk-date"] {
        if !signed.iter().any(|s| s == required) {
            return Err(fail(format!("the header {required} must be signed")));
        }
    }
    if req.header("X-Security-Token").is_some() && !signed.iter().any(|s| s == "x-security-token") {
        return Err(fail("the header x-security-token must be signed"));
    }
    let date = req
        .header("X-Sdk-Date")
        .ok_or_else(|| fail("the X-Sdk-Date header is missing"))?
        .trim();
    let when = UtcDateTime::parse_compact(date)
        .ok_or_else(|| fail("X-Sdk-Date is not in the format YYYYMMDDTHHMMSSZ"))?;
    let skew = when.to_unix() - now;
    if skew.abs() > MAX_SKEW_SECS {
        return Err(fail(format!(
            "the request time {date} is {skew} s away from the server time {}; the limit is 15 minutes",
            UtcDateTime::from_unix(now).compact()
        )));
    }
    match (&key.token, req.header("X-Security-Token")) {
        (Some(expected), Some(sent)) if same(expected, sent.trim()) => {}
        (Some(_), Some(_)) => return Err(fail("the security token does not match the access key")),
        (Some(_), None) => return Err(fail("temporary access keys need X-Security-Token")),
        (None, Some(_)) => {
            return Err(fail(
                "a security token was sent with a permanent access key",
            ));
        }
        (None, None) => {}
    }

    let mut canonical_headers = String::new();
    for name in &signed {
        let value = req.header(name).ok_or_else(|| {
            fail(format!(
                "the signed header {name} is missing from the request"
            ))
        })?;
        canonical_headers.push_str(name);
        canonical_headers.push(':');
        canonical_headers.push_str(value.trim());
        canonical_headers.push('\n');
    }
    let unsigned_header = if sm3 {
        "X-Sdk-Content-Sm3"
    } else {
        "X-Sdk-Content-Sha256"
    };
    let payload_hash = if req.body.is_empty() {
        hash_hex(b"")
    } else if req.header(unsigned_header).map(str::trim) == Some("UNSIGNED-PAYLOAD") {
        "UNSIGNED-PAYLOAD".to_string()
    } else {
        hash_hex(&req.body)
    };
    let canonical_request = format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        req.method.to_ascii_uppercase(),
        canonical_uri(&req.path),
        canonical_query(&req.query),
        canonical_headers,
        signed.join(";"),
        payload_hash
    );
    let string_to_sign = format!(
        "{algorithm}\n{date}\n{}",
        hash_hex(canonical_request.as_bytes())
    );
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
        Err(fail("verify aksk signature fail"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_forms() {
        assert_eq!(canonical_uri("/v3/p/elb/x"), "/v3/p/elb/x/");
        assert_eq!(
            canonical_uri("/v2/p/apigw/certificates/cert%20id%2F%C3%BC~x"),
            "/v2/p/apigw/certificates/cert%20id/%C3%BC~x/"
        );
        assert_eq!(canonical_query("b=2&a=&a=1&c"), "a=&a=1&b=2&c=");
        assert_eq!(canonical_query(""), "");
    }

    #[test]
    fn token_auth() {
        let mut r = WireRequest::from_url("DELETE", "/v2/p/apigw/certificates/c", vec![], vec![]);
        r.headers.push(("X-Auth-Token".into(), "tok".into()));
        assert_eq!(verify(&r, &[], &["tok".into()], 0), Ok(Principal::IamToken));
        let e = verify(&r, &[], &["other".into()], 0).expect_err("refused");
        assert_eq!((e.status, e.code), (401, "APIG.1002"));
        r.headers.clear();
        let e = verify(&r, &[], &["tok".into()], 0).expect_err("refused");
        assert_eq!((e.status, e.code), (401, "APIG.0301"));
    }
}
