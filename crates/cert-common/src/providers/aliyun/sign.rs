//! Alibaba Cloud `ACS3-HMAC-SHA256` (alibabacloud-tea-openapi V3 `do_request`).
//!
//! Every header present at signing time is signed (names lower-cased, values trimmed, sorted);
//! the canonical query sorts the decoded pairs and encodes values with `%20` for spaces, while
//! the wire query uses `+` (Python's `urlencode`).

use std::borrow::Cow;

use crate::credentials::AccessKey;
use crate::http::HttpRequest;
use crate::sign::{
    SIGNATURE_HEX_LEN, Signature, Signed, SigningAlgorithm, StringToSign, lower, parse_query_cow,
    push_canonical_query, push_upper, signer_headers_first,
};

/// The algorithm name.
pub const ALGORITHM: &str = "ACS3-HMAC-SHA256";
/// The algorithm name of the SM3 variant (feature `sm3`); the payload hash header keeps its
/// name, `x-acs-content-sha256`.
pub const ALGORITHM_SM3: &str = "ACS3-HMAC-SM3";

/// The `Authorization` scheme name of `algorithm`.
pub fn algorithm_name(algorithm: SigningAlgorithm) -> &'static str {
    match algorithm {
        SigningAlgorithm::HmacSha256 => ALGORITHM,
        #[cfg(feature = "sm3")]
        SigningAlgorithm::HmacSm3 => ALGORITHM_SM3,
    }
}

/// The canonical query of decoded pairs: sorted by key, `key=enc(value)`.
pub fn canonical_query(pairs: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = pairs.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let sorted: Vec<(&str, &str)> = sorted.iter().map(|(k, v)| (&k[..], &v[..])).collect();
    let mut out = String::new();
    push_canonical_query(&mut out, &sorted);
    out
}

/// Signs a request whose headers are final (all of them are signed, but an `Authorization`
/// header already present). The payload hash is the `x-acs-content-sha256` header's value when
/// there is one, else the SHA-256 of the body.
///
/// Built without a map: the headers are sorted by (lower-cased name, trimmed value), so one
/// name's values are adjacent and already in order to be joined with `,`.
pub fn sign(req: &HttpRequest, access_key_id: &str, secret: &str) -> Signed {
    sign_with(req, access_key_id, secret, SigningAlgorithm::HmacSha256)
}

/// [`sign`] with `algorithm` (`ACS3-HMAC-SHA256` or, with the feature `sm3`,
/// `ACS3-HMAC-SM3`).
pub fn sign_with(
    req: &HttpRequest,
    access_key_id: &str,
    secret: &str,
    algorithm: SigningAlgorithm,
) -> Signed {
    signature(req, access_key_id, algorithm, |msg| {
        algorithm.mac(secret.as_bytes(), msg)
    })
    .into_signed()
}

/// The signature, with `mac` computing `algorithm`'s HMAC keyed with the secret.
fn signature<M: AsRef<[u8]>>(
    req: &HttpRequest,
    access_key_id: &str,
    algorithm: SigningAlgorithm,
    mac: impl FnOnce(&[u8]) -> M,
) -> Signature {
    let name = algorithm_name(algorithm);
    let mut headers: Vec<(std::borrow::Cow<'_, str>, &str)> = req
        .headers
        .iter()
        .filter(|(k, _)| !k.eq_ignore_ascii_case("authorization"))
        .map(|(k, v)| (lower(k), v.trim()))
        .collect();
    headers.sort_unstable();

    // The `Authorization` value up to the signature: each distinct name once, `;`-joined,
    // copied into the canonical request from here.
    let mut authorization = String::with_capacity(
        name.len()
            + 40
            + access_key_id.len()
            + headers.iter().map(|(k, _)| k.len() + 1).sum::<usize>()
            + SIGNATURE_HEX_LEN,
    );
    for part in [name, " Credential=", access_key_id, ",SignedHeaders="] {
        authorization.push_str(part);
    }
    let start = authorization.len();
    let mut previous: Option<&str> = None;
    for (k, _) in &headers {
        if previous != Some(k) {
            if previous.is_some() {
                authorization.push(';');
            }
            authorization.push_str(k);
        }
        previous = Some(k);
    }
    let signed_headers = start..authorization.len();
    authorization.push_str(",Signature=");

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
    let mut previous: Option<&str> = None;
    for (k, v) in &headers {
        if previous == Some(k) {
            canonical_request.push(',');
        } else {
            if previous.is_some() {
                canonical_request.push('\n');
            }
            canonical_request.push_str(k);
            canonical_request.push(':');
        }
        canonical_request.push_str(v);
        previous = Some(k);
    }
    if previous.is_some() {
        canonical_request.push('\n');
    }
    canonical_request.push('\n');
    canonical_request.push_str(&authorization[signed_headers.clone()]);
    canonical_request.push('\n');
    match req.header("x-acs-content-sha256") {
        Some(hashed_payload) => canonical_request.push_str(hashed_payload),
        None => algorithm.push_hash_hex(&mut canonical_request, &req.body),
    }

    let mut string_to_sign = StringToSign::new();
    string_to_sign.push_str(name);
    string_to_sign.push_str("\n");
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
///
/// Only the `Authorization` value is kept; [`sign`] on the signed request gives the canonical
/// request and string to sign behind it.
pub fn sign_request(req: &mut HttpRequest, params: &CommonParams<'_>, key: &AccessKey) {
    sign_request_with(req, params, key, SigningAlgorithm::HmacSha256)
}

/// [`sign_request`] with `algorithm`.
pub fn sign_request_with(
    req: &mut HttpRequest,
    params: &CommonParams<'_>,
    key: &AccessKey,
    algorithm: SigningAlgorithm,
) {
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
    algorithm.push_hash_hex(&mut payload_hash, &req.body);
    headers.push((Cow::Borrowed("x-acs-content-sha256"), payload_hash));
    let mut push = |k: &'static str, v: &str| headers.push((Cow::Borrowed(k), v.to_string()));
    push("x-acs-credentials-provider", provider);
    if let Some(t) = key.security_token() {
        push("x-acs-accesskey-id", key.id());
        push("x-acs-security-token", t.expose());
    }
    req.headers = headers;
    let authorization = signature(req, key.id(), algorithm, |msg| {
        algorithm.mac_with_secret(key.secret().shared(), msg)
    })
    .authorization;
    req.set_header("Authorization", authorization);
}

/// The parts of an ACS3 `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
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
    let rest = value
        .strip_prefix(ALGORITHM)
        .or_else(|| value.strip_prefix(ALGORITHM_SM3))?
        .strip_prefix(' ')?;
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
