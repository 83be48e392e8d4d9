//! Alibaba Cloud `ACS3-HMAC-SHA256` (alibabacloud-tea-openapi V3 `do_request`).
//!
//! Every header present at signing time is signed (names lower-cased, values trimmed, sorted);
//! the canonical query sorts the decoded pairs and encodes values with `%20` for spaces, while
//! the wire query uses `+` (Python's `urlencode`).

use std::borrow::Cow;

use super::{
    Signed, hex, hmac_tag, hmac_with_secret, lower, parse_query_cow, push_canonical_query,
    push_sha256_hex, push_upper, signer_headers_first,
};
use crate::credentials::AccessKey;
use crate::http::HttpRequest;

/// The algorithm name.
pub const ALGORITHM: &str = "ACS3-HMAC-SHA256";

/// The canonical query of decoded pairs: sorted by key, `key=enc(value)`.
pub fn canonical_query(pairs: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = pairs.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let sorted: Vec<(&str, &str)> = sorted.iter().map(|(k, v)| (&k[..], &v[..])).collect();
    let mut out = String::new();
    push_canonical_query(&mut out, &sorted);
    out
}

/// Signs a request whose headers are final (all of them are signed). `hashed_payload` is the
/// `x-acs-content-sha256` value.
///
/// Built in one buffer, without a map: the headers are sorted by (lower-cased name, trimmed
/// value), so one name's values are adjacent and already in order to be joined with `,`.
pub fn sign(req: &HttpRequest, access_key_id: &str, secret: &str) -> Signed {
    sign_with(req, access_key_id, |msg| hmac_tag(secret.as_bytes(), msg))
}

/// [`sign`], with `mac` computing HMAC-SHA256 keyed with the secret.
fn sign_with(
    req: &HttpRequest,
    access_key_id: &str,
    mac: impl FnOnce(&[u8]) -> ring::hmac::Tag,
) -> Signed {
    let mut headers: Vec<(std::borrow::Cow<'_, str>, &str)> = req
        .headers
        .iter()
        .filter(|(k, _)| !k.eq_ignore_ascii_case("authorization"))
        .map(|(k, v)| (lower(k), v.trim()))
        .collect();
    headers.sort_unstable();

    let mut canonical_request = String::with_capacity(
        256 + req.path.len()
            + req.query.len()
            + headers
                .iter()
                .map(|(k, v)| k.len() + v.len() + 2)
                .sum::<usize>(),
    );
    push_upper(&mut canonical_request, &req.method);
    canonical_request.push('\n');
    canonical_request.push_str(&req.path);
    canonical_request.push('\n');
    let mut query = parse_query_cow(&req.query, true);
    query.sort_by(|a, b| a.0.cmp(&b.0));
    push_canonical_query(&mut canonical_request, &query);
    canonical_request.push('\n');
    let mut signed_headers = String::with_capacity(headers.len() * 24);
    let mut previous: Option<&str> = None;
    for (k, v) in &headers {
        if previous == Some(k) {
            canonical_request.push(',');
        } else {
            if previous.is_some() {
                canonical_request.push('\n');
                signed_headers.push(';');
            }
            canonical_request.push_str(k);
            canonical_request.push(':');
            signed_headers.push_str(k);
        }
        canonical_request.push_str(v);
        previous = Some(k);
    }
    if previous.is_some() {
        canonical_request.push('\n');
    }
    canonical_request.push('\n');
    canonical_request.push_str(&signed_headers);
    canonical_request.push('\n');
    match req.header("x-acs-content-sha256") {
        Some(hashed_payload) => canonical_request.push_str(hashed_payload),
        None => push_sha256_hex(&mut canonical_request, &req.body),
    }

    let mut string_to_sign = String::with_capacity(ALGORITHM.len() + 1 + 64);
    string_to_sign.push_str(ALGORITHM);
    string_to_sign.push('\n');
    push_sha256_hex(&mut string_to_sign, canonical_request.as_bytes());
    let signature = hex(mac(string_to_sign.as_bytes()).as_ref());
    let mut authorization = String::with_capacity(
        ALGORITHM.len() + 40 + access_key_id.len() + signed_headers.len() + signature.len(),
    );
    for part in [
        ALGORITHM,
        " Credential=",
        access_key_id,
        ",SignedHeaders=",
        &signed_headers,
        ",Signature=",
        &signature,
    ] {
        authorization.push_str(part);
    }
    Signed {
        canonical_request,
        string_to_sign,
        signed_headers,
        signature,
        authorization,
    }
}

/// The RPC common parameters sent as `x-acs-*` headers.
#[derive(Debug, Clone)]
pub struct CommonParams<'a> {
    /// `x-acs-action`.
    pub action: &'a str,
    /// `x-acs-version`.
    pub version: &'a str,
    /// `user-agent`.
    pub user_agent: &'a str,
    /// `x-acs-date`, `YYYY-MM-DDTHH:MM:SSZ`.
    pub date: &'a str,
    /// `x-acs-signature-nonce`: unique per attempt.
    pub nonce: &'a str,
}

/// Adds the headers the Aliyun SDK adds, in its order (caller headers after `accept`), and
/// signs. `req.query` (wire, `+` for spaces) and `req.body` must be final.
pub fn sign_request(req: &mut HttpRequest, params: &CommonParams<'_>, key: &AccessKey) -> Signed {
    // Built in the request's own vector: the signer's first, then the caller's it did not set.
    let mut headers = std::mem::take(&mut req.headers);
    let given = headers.len();
    headers.reserve(12);
    let mut push = |k: &'static str, v: &str| headers.push((Cow::Borrowed(k), v.to_string()));
    push("host", &req.host);
    push("x-acs-version", params.version);
    push("x-acs-action", params.action);
    push("user-agent", params.user_agent);
    push("x-acs-date", params.date);
    push("x-acs-signature-nonce", params.nonce);
    push("accept", "application/json");
    signer_headers_first(&mut headers, given);
    let provider = if key.security_token().is_some() {
        "static_sts"
    } else {
        "static_ak"
    };
    let mut payload_hash = String::with_capacity(64);
    push_sha256_hex(&mut payload_hash, &req.body);
    headers.push((Cow::Borrowed("x-acs-content-sha256"), payload_hash));
    let mut push = |k: &'static str, v: &str| headers.push((Cow::Borrowed(k), v.to_string()));
    push("x-acs-credentials-provider", provider);
    if let Some(t) = key.security_token() {
        push("x-acs-accesskey-id", key.id());
        push("x-acs-security-token", t.expose());
    }
    req.headers = headers;
    let signed = sign_with(req, key.id(), |msg| {
        hmac_with_secret(key.secret().shared(), msg)
    });
    req.set_header("Authorization", signed.authorization.clone());
    signed
}

/// The parts of an ACS3 `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedAuthorization {
    /// `Credential=`.
    pub access_key_id: String,
    /// `SignedHeaders=`, split on `;`.
    pub signed_headers: Vec<String>,
    /// `Signature=`.
    pub signature: String,
}

/// Parses `ACS3-HMAC-SHA256 Credential=...,SignedHeaders=...,Signature=...`.
pub fn parse_authorization(value: &str) -> Option<ParsedAuthorization> {
    let rest = value.strip_prefix(ALGORITHM)?.strip_prefix(' ')?;
    let (mut cred, mut signed, mut sig) = (None, None, None);
    for part in rest.split(',') {
        let (k, v) = part.trim().split_once('=')?;
        match k {
            "Credential" => cred = Some(v.to_string()),
            "SignedHeaders" => signed = Some(v.split(';').map(str::to_string).collect()),
            "Signature" => sig = Some(v.to_string()),
            _ => return None,
        }
    }
    Some(ParsedAuthorization {
        access_key_id: cred?,
        signed_headers: signed?,
        signature: sig?,
    })
}
