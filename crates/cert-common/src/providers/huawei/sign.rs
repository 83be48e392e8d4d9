//! Huawei Cloud `SDK-HMAC-SHA256` (huaweicloudsdkcore `signer/signer.py`), and IAM token auth.
//!
//! 1. Payload hash: SHA-256 of the body (empty body: hash of nothing).
//! 2. Canonical URI: the wire path percent-*decoded*, split on `/`, each segment re-encoded,
//!    joined, with a trailing `/` forced.
//! 3. Canonical query: pairs sorted by key then value, `enc(k)=enc(v)` joined by `&`.
//! 4. Signed headers: every header whose name has no `_`, lower-cased and sorted.
//! 5. String to sign `SDK-HMAC-SHA256\n<X-Sdk-Date>\n<hex(sha256(canonical))>`, keyed with the
//!    raw secret key.

use crate::credentials::{AccessKey, Credentials};
use crate::http::HttpRequest;
use crate::sign::{
    SIGNATURE_HEX_LEN, Signature, Signed, SigningAlgorithm, StringToSign, decode_cow,
    parse_query_cow, push_canonical_query, push_encoded, push_lower, push_upper,
};
use crate::time::UtcDateTime;

/// The algorithm name.
pub const ALGORITHM: &str = "SDK-HMAC-SHA256";
/// The algorithm name of the SM3 variant (feature `sm3`).
pub const ALGORITHM_SM3: &str = "SDK-HMAC-SM3";

/// The `Authorization` scheme name of `algorithm`.
pub fn algorithm_name(algorithm: SigningAlgorithm) -> &'static str {
    match algorithm {
        SigningAlgorithm::HmacSha256 => ALGORITHM,
        #[cfg(feature = "sm3")]
        SigningAlgorithm::HmacSm3 => ALGORITHM_SM3,
    }
}

/// The header that carries a precomputed payload hash for `algorithm`.
fn content_hash_header(algorithm: SigningAlgorithm) -> &'static str {
    match algorithm {
        SigningAlgorithm::HmacSha256 => "X-Sdk-Content-Sha256",
        #[cfg(feature = "sm3")]
        SigningAlgorithm::HmacSm3 => "X-Sdk-Content-Sm3",
    }
}

/// The canonical URI of a wire path.
pub fn canonical_uri(wire_path: &str) -> String {
    let mut uri = String::with_capacity(wire_path.len() + 1);
    push_canonical_uri(&mut uri, wire_path);
    uri
}

/// Appends the canonical URI: the path decoded, then every `/`-separated segment re-encoded
/// (so `/` stays, including one that was `%2F`), with a trailing `/` forced.
fn push_canonical_uri(out: &mut String, wire_path: &str) {
    if wire_path
        .bytes()
        .all(|b| b == b'/' || crate::sign::is_unreserved(b))
    {
        // Nothing to decode or encode (the usual path): it is its own canonical form.
        out.push_str(wire_path);
    } else {
        let decoded = decode_cow(wire_path, false);
        for (i, segment) in decoded.split('/').enumerate() {
            if i > 0 {
                out.push('/');
            }
            push_encoded(out, segment, false);
        }
    }
    if !out.ends_with('/') {
        out.push('/');
    }
}

/// The canonical query of decoded pairs: sorted by key, then value; each side encoded.
pub fn canonical_query(pairs: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = pairs.iter().collect();
    sorted.sort();
    let sorted: Vec<(&str, &str)> = sorted.iter().map(|(k, v)| (&k[..], &v[..])).collect();
    let mut out = String::new();
    push_canonical_query(&mut out, &sorted);
    out
}

/// Signs a request whose headers are all present (`Host`, `X-Sdk-Date`, ...) and whose header
/// values are already trimmed. `sdk_date` is the `X-Sdk-Date` value. An `Authorization`
/// header already present is not signed.
pub fn sign(req: &HttpRequest, access_key_id: &str, secret: &str, sdk_date: &str) -> Signed {
    sign_with(
        req,
        access_key_id,
        secret,
        sdk_date,
        SigningAlgorithm::HmacSha256,
    )
}

/// [`sign`] with `algorithm` (`SDK-HMAC-SHA256` or, with the feature `sm3`, `SDK-HMAC-SM3`).
pub fn sign_with(
    req: &HttpRequest,
    access_key_id: &str,
    secret: &str,
    sdk_date: &str,
    algorithm: SigningAlgorithm,
) -> Signed {
    signature(req, access_key_id, sdk_date, algorithm, |msg| {
        algorithm.mac(secret.as_bytes(), msg)
    })
    .into_signed()
}

/// The signature, with `mac` computing `algorithm`'s HMAC keyed with the secret.
fn signature<M: AsRef<[u8]>>(
    req: &HttpRequest,
    access_key_id: &str,
    sdk_date: &str,
    algorithm: SigningAlgorithm,
    mac: impl FnOnce(&[u8]) -> M,
) -> Signature {
    let name = algorithm_name(algorithm);
    // Names are compared and written in lower case as they go, never copied lower-cased.
    let mut headers: Vec<(&str, &str)> = req
        .headers
        .iter()
        .filter(|(k, _)| !k.contains('_') && !k.eq_ignore_ascii_case("authorization"))
        .map(|(k, v)| (k.as_ref(), v.trim()))
        .collect();
    // Stable: a repeated name keeps the order the values are sent in.
    headers.sort_by(|a, b| cmp_lower(a.0, b.0));
    let names_len = headers.iter().map(|(k, _)| k.len() + 1).sum::<usize>();

    // The `Authorization` value up to the signature: the signed header names are written
    // once, here, and copied into the canonical request from it.
    let mut authorization = String::with_capacity(
        name.len() + 40 + access_key_id.len() + names_len + SIGNATURE_HEX_LEN,
    );
    for part in [name, " Access=", access_key_id, ", SignedHeaders="] {
        authorization.push_str(part);
    }
    let start = authorization.len();
    for (i, (k, _)) in headers.iter().enumerate() {
        if i > 0 {
            authorization.push(';');
        }
        push_lower(&mut authorization, k);
    }
    let signed_headers = start..authorization.len();
    authorization.push_str(", Signature=");

    let mut canonical_request = String::with_capacity(
        160 + req.path.len()
            + req.query.len()
            + names_len * 2
            + headers.iter().map(|(_, v)| v.len() + 2).sum::<usize>(),
    );
    push_upper(&mut canonical_request, &req.method);
    canonical_request.push('\n');
    push_canonical_uri(&mut canonical_request, &req.path);
    canonical_request.push('\n');
    let mut query = parse_query_cow(&req.query, false);
    query.sort();
    push_canonical_query(&mut canonical_request, &query);
    canonical_request.push('\n');
    for (k, v) in &headers {
        push_lower(&mut canonical_request, k);
        canonical_request.push(':');
        canonical_request.push_str(v);
        canonical_request.push('\n');
    }
    canonical_request.push('\n');
    canonical_request.push_str(&authorization[signed_headers.clone()]);
    canonical_request.push('\n');
    match req.header(content_hash_header(algorithm)) {
        Some(v) if !req.body.is_empty() => canonical_request.push_str(v),
        _ => algorithm.push_hash_hex(&mut canonical_request, &req.body),
    }

    let mut string_to_sign = StringToSign::new();
    for part in [name, "\n", sdk_date, "\n"] {
        string_to_sign.push_str(part);
    }
    string_to_sign.push_hash_hex(algorithm, canonical_request.as_bytes());
    let tag = mac(string_to_sign.as_bytes());
    Signature::sealed(
        canonical_request,
        string_to_sign,
        authorization,
        signed_headers,
        tag.as_ref(),
    )
}

/// Adds what the Huawei SDK adds and signs: `X-Project-Id` (when given), `X-Security-Token`
/// (temporary keys), `X-Sdk-Date`, `Host`, then `Authorization`. Header values are trimmed as the
/// SDK sends them. With an IAM token, sends `X-Auth-Token` instead and signs nothing.
///
/// Only the `Authorization` value is kept; [`sign`] on the signed request gives the canonical
/// request and string to sign behind it.
pub fn sign_request(
    req: &mut HttpRequest,
    credentials: &Credentials,
    project_id: Option<&str>,
    now: UtcDateTime,
) {
    sign_request_with(
        req,
        credentials,
        project_id,
        now,
        SigningAlgorithm::HmacSha256,
    )
}

/// [`sign_request`] with `algorithm`.
pub fn sign_request_with(
    req: &mut HttpRequest,
    credentials: &Credentials,
    project_id: Option<&str>,
    now: UtcDateTime,
    algorithm: SigningAlgorithm,
) {
    for (_, v) in req.headers.iter_mut() {
        let t = v.trim();
        if t.len() != v.len() {
            *v = t.to_string();
        }
    }
    match credentials {
        Credentials::IamToken(token) => {
            if let Some(p) = project_id {
                req.set_header("X-Project-Id", p);
            }
            req.set_header("X-Auth-Token", token.expose());
            if req.header("Host").is_none() {
                let host = req.host.clone();
                req.set_header("Host", host);
            }
        }
        Credentials::AccessKey(key) => sign_with_key(req, key, project_id, now, algorithm),
    }
}

fn sign_with_key(
    req: &mut HttpRequest,
    key: &AccessKey,
    project_id: Option<&str>,
    now: UtcDateTime,
    algorithm: SigningAlgorithm,
) {
    if let Some(p) = project_id {
        req.set_header("X-Project-Id", p);
    }
    if let Some(t) = key.security_token() {
        req.set_header("X-Security-Token", t.expose());
    }
    if req.header("X-Sdk-Date").is_none() {
        req.set_header("X-Sdk-Date", now.compact());
    }
    if req.header("Host").is_none() {
        let host = req.host.clone();
        req.set_header("Host", host);
    }
    req.remove_header("Authorization");
    let date = req.header("X-Sdk-Date").unwrap_or_default();
    let authorization = signature(req, key.id(), date, algorithm, |msg| {
        algorithm.mac_with_secret(key.secret().shared(), msg)
    })
    .authorization;
    req.set_header("Authorization", authorization);
}

/// The parts of a Huawei `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ParsedAuthorization {
    /// `Access=`.
    pub access_key_id: String,
    /// `SignedHeaders=`, split on `;`.
    pub signed_headers: Vec<String>,
    /// `Signature=`.
    pub signature: String,
}

/// Parses `SDK-HMAC-SHA256 Access=..., SignedHeaders=..., Signature=...` (for verifiers).
pub fn parse_authorization(value: &str) -> Option<ParsedAuthorization> {
    let rest = value.strip_prefix(ALGORITHM)?.strip_prefix(' ')?;
    let mut access = None;
    let mut signed = None;
    let mut sig = None;
    for part in rest.split(',') {
        let (k, v) = part.trim().split_once('=')?;
        match k {
            "Access" => access = Some(v.to_string()),
            "SignedHeaders" => signed = Some(v.split(';').map(str::to_string).collect()),
            "Signature" => sig = Some(v.to_string()),
            _ => return None,
        }
    }
    Some(ParsedAuthorization {
        access_key_id: access?,
        signed_headers: signed?,
        signature: sig?,
    })
}

/// Orders two header names as their lower-case forms would order, without making them.
fn cmp_lower(a: &str, b: &str) -> std::cmp::Ordering {
    a.bytes()
        .map(|c| c.to_ascii_lowercase())
        .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_uri_decodes_and_reencodes() {
        assert_eq!(
            canonical_uri("/v3/p/elb/certificates/batch-delete"),
            "/v3/p/elb/certificates/batch-delete/"
        );
        assert_eq!(
            canonical_uri("/v2/p/apigw/certificates/cert%20id%2F%C3%BC~x"),
            "/v2/p/apigw/certificates/cert%20id/%C3%BC~x/"
        );
        assert_eq!(canonical_uri("/"), "/");
        assert_eq!(canonical_uri("/a-b_c.d~e/f/"), "/a-b_c.d~e/f/");
        assert_eq!(canonical_uri("/a+b/c d"), "/a%2Bb/c%20d/");
    }

    #[test]
    fn authorization_round_trips() {
        let a = "SDK-HMAC-SHA256 Access=AK, SignedHeaders=content-type;host, Signature=abc";
        let p = parse_authorization(a).expect("parse");
        assert_eq!(p.access_key_id, "AK");
        assert_eq!(p.signed_headers, vec!["content-type", "host"]);
        assert!(parse_authorization("SDK-HMAC-SHA256 Access=AK").is_none());
        assert!(parse_authorization("Bearer x").is_none());
    }
}
