//! Alibaba Cloud `ACS3-HMAC-SHA256` (alibabacloud-tea-openapi V3 `do_request`).
//!
//! Every header present at signing time is signed (names lower-cased, values trimmed, sorted);
//! the canonical query sorts the decoded pairs and encodes values with `%20` for spaces, while
//! the wire query uses `+` (Python's `urlencode`).

use super::{Signed, hex, hmac_sha256, parse_query, percent_encode, sha256_hex};
use crate::credentials::AccessKey;
use crate::http::HttpRequest;

/// The algorithm name.
pub const ALGORITHM: &str = "ACS3-HMAC-SHA256";

/// The canonical query of decoded pairs: sorted by key, `key=enc(value)`.
pub fn canonical_query(pairs: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = pairs.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    sorted
        .iter()
        .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Signs a request whose headers are final (all of them are signed). `hashed_payload` is the
/// `x-acs-content-sha256` value.
pub fn sign(req: &HttpRequest, access_key_id: &str, secret: &str) -> Signed {
    let hashed_payload = req
        .header("x-acs-content-sha256")
        .map(str::to_string)
        .unwrap_or_else(|| sha256_hex(&req.body));
    let mut merged: std::collections::BTreeMap<String, Vec<&str>> =
        std::collections::BTreeMap::new();
    for (k, v) in &req.headers {
        if k.eq_ignore_ascii_case("authorization") {
            continue;
        }
        merged
            .entry(k.to_ascii_lowercase())
            .or_default()
            .push(v.trim());
    }
    let mut canonical_headers = String::new();
    for (k, vs) in merged.iter_mut() {
        vs.sort_unstable();
        canonical_headers.push_str(k);
        canonical_headers.push(':');
        canonical_headers.push_str(&vs.join(","));
        canonical_headers.push('\n');
    }
    let signed_headers = merged.keys().cloned().collect::<Vec<_>>().join(";");
    let canonical_request = format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        req.method.to_ascii_uppercase(),
        req.path,
        canonical_query(&parse_query(&req.query, true)),
        canonical_headers,
        signed_headers,
        hashed_payload
    );
    let string_to_sign = format!("{ALGORITHM}\n{}", sha256_hex(canonical_request.as_bytes()));
    let signature = hex(&hmac_sha256(secret.as_bytes(), string_to_sign.as_bytes()));
    let authorization = format!(
        "{ALGORITHM} Credential={access_key_id},SignedHeaders={signed_headers},Signature={signature}"
    );
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
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut push = |k: &str, v: &str| headers.push((k.to_string(), v.to_string()));
    push("host", &req.host);
    push("x-acs-version", params.version);
    push("x-acs-action", params.action);
    push("user-agent", params.user_agent);
    push("x-acs-date", params.date);
    push("x-acs-signature-nonce", params.nonce);
    push("accept", "application/json");
    let caller: Vec<(String, String)> = req.headers.drain(..).collect();
    for (k, v) in caller {
        if !headers.iter().any(|(h, _)| h.eq_ignore_ascii_case(&k)) {
            headers.push((k, v));
        }
    }
    let provider = if key.security_token().is_some() {
        "static_sts"
    } else {
        "static_ak"
    };
    let mut push = |k: &str, v: &str| headers.push((k.to_string(), v.to_string()));
    push("x-acs-content-sha256", &sha256_hex(&req.body));
    push("x-acs-credentials-provider", provider);
    if let Some(t) = key.security_token() {
        push("x-acs-accesskey-id", key.id());
        push("x-acs-security-token", t.expose());
    }
    req.headers = headers;
    let signed = sign(req, key.id(), key.secret().expose());
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
