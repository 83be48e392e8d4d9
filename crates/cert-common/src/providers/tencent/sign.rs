//! Tencent Cloud `TC3-HMAC-SHA256` (tencentcloud-sdk-python-common `sign_tc3`), API 3.0.
//!
//! Only `content-type` and `host` are signed; every `X-TC-*` header (timestamp, token, region)
//! travels unsigned. The key is derived: `HMAC("TC3"+key, date)` → service → `tc3_request`.

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt::Write as _;
use std::sync::Arc;

use ring::hmac;

use crate::credentials::AccessKey;
use crate::http::HttpRequest;
use crate::sign::{
    SIGNATURE_HEX_LEN, Signature, Signed, StringToSign, hmac_tag, push_sha256_hex, push_upper,
    signer_headers_first,
};
use crate::time::UtcDateTime;

/// The algorithm name.
pub const ALGORITHM: &str = "TC3-HMAC-SHA256";
/// The literal hashed in place of the body in unsigned-payload mode.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// What TC3 signs.
#[derive(Debug, Clone, Copy)]
pub struct SignInput<'a> {
    /// `POST` or `GET`.
    pub method: &'a str,
    /// The `Host` header.
    pub host: &'a str,
    /// The exact wire query (GET) or empty (POST).
    pub query: &'a str,
    /// The `Content-Type` header.
    pub content_type: &'a str,
    /// The body bytes.
    pub payload: &'a [u8],
    /// Hash the literal `UNSIGNED-PAYLOAD` instead of the body.
    pub unsigned_payload: bool,
    /// `X-TC-Timestamp`, Unix seconds.
    pub timestamp: i64,
    /// Service name (`ssl`).
    pub service: &'a str,
}

/// The credential scope `<date>/<service>/tc3_request`.
pub fn credential_scope(timestamp: i64, service: &str) -> String {
    format!(
        "{}/{service}/tc3_request",
        UtcDateTime::from_unix(timestamp).date()
    )
}

/// Signs with a secret id and key.
pub fn sign(input: &SignInput<'_>, secret_id: &str, secret_key: &str) -> Signed {
    signature(input, secret_id, |date, string_to_sign| {
        hmac::sign(
            &derive_signing_key(secret_key, date, input.service),
            string_to_sign,
        )
    })
    .into_signed()
}

/// The signing key of a day and service: `HMAC("TC3"+key, date)` → service → `tc3_request`,
/// as a ready HMAC key (its inner and outer pads already hashed). ring's tags are fixed-size,
/// so no step allocates; the first key is assembled on the stack when it fits (secret keys
/// are 32 bytes).
fn derive_signing_key(secret_key: &str, date: &str, service: &str) -> hmac::Key {
    let mut first_key = [0u8; 128];
    let k_date = match first_key.get_mut(..3 + secret_key.len()) {
        Some(key) => {
            key[..3].copy_from_slice(b"TC3");
            key[3..].copy_from_slice(secret_key.as_bytes());
            hmac_tag(key, date.as_bytes())
        }
        None => hmac_tag(format!("TC3{secret_key}").as_bytes(), date.as_bytes()),
    };
    let k_service = hmac_tag(k_date.as_ref(), service.as_bytes());
    let k_signing = hmac_tag(k_service.as_ref(), b"tc3_request");
    hmac::Key::new(hmac::HMAC_SHA256, k_signing.as_ref())
}

/// The last signing key this thread derived, with what it was derived from.
struct CachedKey {
    secret: Arc<str>,
    date: String,
    service: String,
    key: hmac::Key,
}

thread_local! {
    static LAST_SIGNING_KEY: RefCell<Option<CachedKey>> = const { RefCell::new(None) };
}

/// The signature of `string_to_sign` with [`derive_signing_key`]'s key, the key remembered per
/// thread: it changes once a day, and deriving it is three HMACs and an HMAC key set-up
/// (fourteen SHA-256 blocks) of every signature. The result is the same as deriving it
/// afresh; the cache is keyed by the secret itself, the date and the service. The thread
/// keeps the secret and the key until it signs with another secret or exits.
fn sign_with_cached_key(
    secret_key: &Arc<str>,
    date: &str,
    service: &str,
    string_to_sign: &[u8],
) -> hmac::Tag {
    let derive = || derive_signing_key(secret_key, date, service);
    LAST_SIGNING_KEY
        .try_with(|cell| {
            let mut cached = cell.borrow_mut();
            if let Some(c) = cached.as_ref()
                && c.date == date
                && c.service == service
                && (Arc::ptr_eq(&c.secret, secret_key) || c.secret == *secret_key)
            {
                return hmac::sign(&c.key, string_to_sign);
            }
            let key = derive();
            let tag = hmac::sign(&key, string_to_sign);
            *cached = Some(CachedKey {
                secret: Arc::clone(secret_key),
                date: date.to_string(),
                service: service.to_string(),
                key,
            });
            tag
        })
        .unwrap_or_else(|_| hmac::sign(&derive(), string_to_sign))
}

/// The signed header names: TC3 signs only these two.
const SIGNED_HEADERS: &str = "content-type;host";

/// The signature with a secret id; `sign_string(date, string_to_sign)` is the HMAC of the
/// string to sign with the signing key of the request's date.
fn signature(
    input: &SignInput<'_>,
    secret_id: &str,
    sign_string: impl FnOnce(&str, &[u8]) -> hmac::Tag,
) -> Signature {
    let mut canonical_request = String::with_capacity(
        160 + input.query.len() + input.content_type.len() + input.host.len(),
    );
    push_upper(&mut canonical_request, input.method);
    for part in [
        "\n/\n",
        input.query,
        "\ncontent-type:",
        input.content_type,
        "\nhost:",
        input.host,
        "\n\n",
        SIGNED_HEADERS,
        "\n",
    ] {
        canonical_request.push_str(part);
    }
    if input.unsigned_payload {
        push_sha256_hex(&mut canonical_request, UNSIGNED_PAYLOAD.as_bytes());
    } else {
        push_sha256_hex(&mut canonical_request, input.payload);
    }

    // The `Authorization` value up to the signature, with the credential scope
    // `<YYYY-MM-DD>/<service>/tc3_request` written in place; the string to sign takes the
    // scope from it.
    let mut authorization = String::with_capacity(
        ALGORITHM.len() + 72 + secret_id.len() + input.service.len() + SIGNATURE_HEX_LEN,
    );
    for part in [ALGORITHM, " Credential=", secret_id, "/"] {
        authorization.push_str(part);
    }
    let scope_start = authorization.len();
    let _ = write!(
        authorization,
        "{}/{}/tc3_request",
        UtcDateTime::from_unix(input.timestamp).date_display(),
        input.service
    );
    let scope = scope_start..authorization.len();
    authorization.push_str(", SignedHeaders=");
    let signed_headers = authorization.len()..authorization.len() + SIGNED_HEADERS.len();
    authorization.push_str(SIGNED_HEADERS);
    authorization.push_str(", Signature=");

    let scope = &authorization[scope];
    let date = scope.split('/').next().unwrap_or_default();
    let mut string_to_sign = StringToSign::new();
    let _ = write!(
        string_to_sign,
        "{ALGORITHM}\n{}\n{scope}\n",
        input.timestamp
    );
    string_to_sign.push_sha256_hex(canonical_request.as_bytes());
    let tag = sign_string(date, string_to_sign.as_bytes());
    Signature::sealed(
        canonical_request,
        string_to_sign,
        authorization,
        signed_headers,
        tag.as_ref(),
    )
}

/// The API 3.0 common parameters sent as `X-TC-*` headers.
#[derive(Debug, Clone)]
pub struct CommonParams<'a> {
    /// `X-TC-Action`.
    pub action: &'a str,
    /// `X-TC-Version`.
    pub version: &'a str,
    /// `X-TC-Region` (omitted when `None` or empty).
    pub region: Option<&'a str>,
    /// `X-TC-Language` (`zh-CN` or `en-US`).
    pub language: &'a str,
    /// `X-TC-RequestClient`.
    pub request_client: &'a str,
    /// `X-TC-TraceId`: the client request id.
    pub trace_id: &'a str,
    /// Service name for the credential scope.
    pub service: &'a str,
    /// Hash the literal `UNSIGNED-PAYLOAD` and send `X-TC-Content-SHA256`.
    pub unsigned_payload: bool,
}

/// Adds the headers the Tencent SDK adds, in its order, and signs. `req.body` and `req.query`
/// must be final; `Content-Type` is `application/json` for POST and
/// `application/x-www-form-urlencoded` for GET unless already set.
///
/// Only the `Authorization` value is kept; [`sign`] gives the canonical request and string to
/// sign behind it.
pub fn sign_request(
    req: &mut HttpRequest,
    params: &CommonParams<'_>,
    key: &AccessKey,
    timestamp: i64,
) {
    let content_type: Cow<'static, str> = match req.header("Content-Type") {
        Some(ct) => Cow::Owned(ct.to_string()),
        None if req.method == "GET" => Cow::Borrowed("application/x-www-form-urlencoded"),
        None => Cow::Borrowed("application/json"),
    };
    // The signer's headers go first, then the caller's that it did not set; built in the
    // request's own vector (no second one).
    let mut headers = std::mem::take(&mut req.headers);
    let given = headers.len();
    headers.reserve(12);
    let mut push = |k: &'static str, v: String| headers.push((Cow::Borrowed(k), v));
    push("X-TC-TraceId", params.trace_id.to_string());
    push("Content-Type", content_type.to_string());
    push("Host", req.host.clone());
    push("X-TC-Action", params.action.to_string());
    push("X-TC-RequestClient", params.request_client.to_string());
    push("X-TC-Timestamp", timestamp.to_string());
    push("X-TC-Version", params.version.to_string());
    if params.unsigned_payload {
        push("X-TC-Content-SHA256", UNSIGNED_PAYLOAD.to_string());
    }
    if let Some(r) = params.region.filter(|r| !r.is_empty()) {
        push("X-TC-Region", r.to_string());
    }
    if let Some(t) = key.security_token() {
        push("X-TC-Token", t.expose().to_string());
    }
    push("X-TC-Language", params.language.to_string());
    signer_headers_first(&mut headers, given);
    req.headers = headers;
    let authorization = signature(
        &SignInput {
            method: &req.method,
            host: &req.host,
            query: &req.query,
            content_type: &content_type,
            payload: &req.body,
            unsigned_payload: params.unsigned_payload,
            timestamp,
            service: params.service,
        },
        key.id(),
        |date, string_to_sign| {
            sign_with_cached_key(key.secret().shared(), date, params.service, string_to_sign)
        },
    )
    .authorization;
    req.set_header("Authorization", authorization);
}

/// The parts of a TC3 `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ParsedAuthorization {
    /// Secret id from `Credential=`.
    pub secret_id: String,
    /// Date from the credential scope.
    pub date: String,
    /// Service from the credential scope.
    pub service: String,
    /// `SignedHeaders=`, split on `;`.
    pub signed_headers: Vec<String>,
    /// `Signature=`.
    pub signature: String,
}

/// Parses `TC3-HMAC-SHA256 Credential=<id>/<date>/<service>/tc3_request, SignedHeaders=..., Signature=...`.
pub fn parse_authorization(value: &str) -> Option<ParsedAuthorization> {
    let rest = value.strip_prefix(ALGORITHM)?.strip_prefix(' ')?;
    let (mut cred, mut signed, mut sig) = (None, None, None);
    for part in rest.split(',') {
        let (k, v) = part.trim().split_once('=')?;
        match k {
            "Credential" => cred = Some(v),
            "SignedHeaders" => signed = Some(v.split(';').map(str::to_string).collect()),
            "Signature" => sig = Some(v.to_string()),
            _ => return None,
        }
    }
    let mut c = cred?.rsplitn(4, '/');
    let terminator = c.next()?;
    let service = c.next()?.to_string();
    let date = c.next()?.to_string();
    let secret_id = c.next()?.to_string();
    if terminator != "tc3_request" {
        return None;
    }
    Some(ParsedAuthorization {
        secret_id,
        date,
        service,
        signed_headers: signed?,
        signature: sig?,
    })
}

/// The headers `sign_request` sets, in the order it sends them (region, token and unsigned
/// payload left out), for tests.
#[cfg(test)]
pub(crate) const SIGNER_HEADER_ORDER: [&str; 8] = [
    "X-TC-TraceId",
    "Content-Type",
    "Host",
    "X-TC-Action",
    "X-TC-RequestClient",
    "X-TC-Timestamp",
    "X-TC-Version",
    "X-TC-Language",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn test_params(service: &str) -> CommonParams<'_> {
        CommonParams {
            action: "BatchDeleteCSR",
            version: "2019-12-05",
            region: None,
            language: "en-US",
            request_client: "test",
            trace_id: "t",
            service,
            unsigned_payload: false,
        }
    }

    /// The cached signing key gives exactly the signature of a fresh derivation, whatever
    /// changes between calls: the secret, the day, the service.
    #[test]
    fn the_remembered_key_signs_as_a_fresh_one() {
        let day = 86_400;
        let cases = [
            ("AKID1", "secret-one", 1_704_164_645, "ssl"),
            ("AKID1", "secret-one", 1_704_164_645 + 10, "ssl"),
            ("AKID2", "secret-two", 1_704_164_645 + 20, "ssl"),
            ("AKID1", "secret-one", 1_704_164_645 + day, "ssl"),
            ("AKID1", "secret-one", 1_704_164_645 + day, "cvm"),
            ("AKID1", "secret-one", 1_704_164_645 + day + 5, "cvm"),
        ];
        for (id, secret, ts, service) in cases {
            // A new AccessKey each time: equal secrets in different allocations still hit.
            let key = AccessKey::new(id, secret);
            let mut req = HttpRequest::new("POST", "https", "ssl.tencentcloudapi.com", "/");
            req.body = crate::http::Bytes::from_static(br#"{"CSRIds": [1]}"#);
            sign_request(&mut req, &test_params(service), &key, ts);
            let fresh = sign(
                &SignInput {
                    method: "POST",
                    host: "ssl.tencentcloudapi.com",
                    query: "",
                    content_type: "application/json",
                    payload: br#"{"CSRIds": [1]}"#,
                    unsigned_payload: false,
                    timestamp: ts,
                    service,
                },
                id,
                secret,
            );
            assert_eq!(
                req.header("Authorization"),
                Some(fresh.authorization.as_str()),
                "{id} {ts} {service}"
            );
        }
    }

    #[test]
    fn the_signers_headers_come_first_and_win() {
        let key = AccessKey::new("AKID1", "secret-one");
        let mut req = HttpRequest::new("POST", "https", "ssl.tencentcloudapi.com", "/");
        req.set_header("X-Custom", "1");
        req.set_header("x-tc-action", "Overridden");
        req.headers.push(("x-custom".into(), "2".to_string()));
        req.set_header("X-Other", "3");
        sign_request(&mut req, &test_params("ssl"), &key, 1_704_164_645);
        let names: Vec<&str> = req.headers.iter().map(|(k, _)| k.as_ref()).collect();
        let expected: Vec<&str> = SIGNER_HEADER_ORDER
            .iter()
            .copied()
            .chain(["X-Custom", "X-Other", "Authorization"])
            .collect();
        assert_eq!(names, expected);
        assert_eq!(req.header("X-TC-Action"), Some("BatchDeleteCSR"));
        assert_eq!(req.header("X-Custom"), Some("1"));
    }

    #[test]
    fn authorization_parses() {
        let p = parse_authorization(
            "TC3-HMAC-SHA256 Credential=AKID/2024-01-02/ssl/tc3_request, SignedHeaders=content-type;host, Signature=ab",
        )
        .expect("parse");
        assert_eq!(
            (p.secret_id.as_str(), p.date.as_str(), p.service.as_str()),
            ("AKID", "2024-01-02", "ssl")
        );
        assert!(parse_authorization("TC3-HMAC-SHA256 Credential=AKID/x, Signature=ab").is_none());
    }
}
