//! The request and response types that pass between signers, the retry loop and a transport.
//! They are plain data: a transport turns them into bytes on the wire and back.
//!
//! Header names, the method and the scheme are `Cow<'static, str>`: the SDK's own names are
//! string literals and cost no allocation; the body is [`Bytes`], so a transport (or a
//! retry) can hand it on without copying. A response keeps its headers in the `http` crate's
//! [`HeaderMap`], the one hyper and reqwest parse into, so the default transport hands them
//! over as they are.

use std::borrow::Cow;
use std::fmt;

pub use bytes::Bytes;
pub use http::HeaderMap;

use crate::error::Error;

/// A header name: a literal for the SDK's own headers, owned for anything else.
pub type HeaderName = Cow<'static, str>;

/// An HTTP request, exactly as it will be sent.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct HttpRequest {
    /// Upper-case method (`GET`, `POST`, `DELETE`).
    pub method: Cow<'static, str>,
    /// `https` or `http`.
    pub scheme: Cow<'static, str>,
    /// Host, with `:port` when not the scheme's default.
    pub host: String,
    /// Wire path, already percent-encoded, starting with `/`.
    pub path: String,
    /// Wire query string without the leading `?` (empty for none).
    pub query: String,
    /// Headers in the order they are sent.
    pub headers: Vec<(HeaderName, String)>,
    /// Body bytes (empty for none).
    pub body: Bytes,
}

/// `s` as a `'static` literal when it is one of `known` (compared case-sensitively), else owned.
fn interned(s: &str, known: &[&'static str]) -> Cow<'static, str> {
    match known.iter().find(|k| **k == s) {
        Some(k) => Cow::Borrowed(k),
        None => Cow::Owned(s.to_string()),
    }
}

/// Room for the headers a signed request of these APIs carries (up to 12), made once so the
/// signers' additions never grow the vector.
const HEADERS_EXPECTED: usize = 12;

impl HttpRequest {
    /// A request with no headers, query or body.
    pub fn new(method: &str, scheme: &str, host: &str, path: &str) -> Self {
        const METHODS: &[&str] = &["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];
        let method = if method.bytes().any(|b| b.is_ascii_lowercase()) {
            Cow::Owned(method.to_ascii_uppercase())
        } else {
            interned(method, METHODS)
        };
        HttpRequest {
            method,
            scheme: interned(scheme, &["https", "http"]),
            host: host.to_string(),
            path: path.to_string(),
            query: String::new(),
            headers: Vec::with_capacity(HEADERS_EXPECTED),
            body: Bytes::new(),
        }
    }

    /// The full URL.
    pub fn url(&self) -> String {
        let mut u = String::with_capacity(
            self.scheme.len() + 3 + self.host.len() + self.path.len() + 1 + self.query.len(),
        );
        for part in [self.scheme.as_ref(), "://", &self.host, &self.path] {
            u.push_str(part);
        }
        if !self.query.is_empty() {
            u.push('?');
            u.push_str(&self.query);
        }
        u
    }

    /// The first value of a header (name compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        header_value(&self.headers, name)
    }

    /// Sets a header, replacing any of the same name (case-insensitive), keeping its position.
    pub fn set_header(&mut self, name: impl Into<HeaderName>, value: impl Into<String>) {
        let name = name.into();
        let value = value.into();
        if let Some(slot) = self
            .headers
            .iter_mut()
            .find(|(k, _)| k.eq_ignore_ascii_case(&name))
        {
            slot.1 = value;
        } else {
            self.headers.push((name, value));
        }
    }

    /// Removes a header (case-insensitive).
    pub fn remove_header(&mut self, name: &str) {
        self.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
    }
}

/// Header names that are safe to print, whatever the vendor (each vendor adds its own, in
/// its folder: `x-acs-action`, `x-tc-region`, `x-sdk-date`, ...; see [`is_loggable_header`]).
/// Every other header is shown as `** redacted **`.
pub const LOGGABLE_HEADERS: &[&str] = &[
    "content-type",
    "content-length",
    "host",
    "user-agent",
    "accept",
    "date",
    "retry-after",
];

/// True when a header's value may be logged: one of [`LOGGABLE_HEADERS`], or a header a
/// vendor of this build lists as loggable.
pub fn is_loggable_header(name: &str) -> bool {
    LOGGABLE_HEADERS
        .iter()
        .any(|h| h.eq_ignore_ascii_case(name))
        || crate::vendors::is_loggable(name)
}

struct RedactedHeaders<'a>(&'a [(HeaderName, String)]);

impl fmt::Debug for RedactedHeaders<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut m = f.debug_list();
        for (k, v) in self.0 {
            if is_loggable_header(k) {
                m.entry(&format_args!("{k}: {v}"));
            } else {
                m.entry(&format_args!("{k}: ** redacted **"));
            }
        }
        m.finish()
    }
}

impl fmt::Debug for HttpRequest {
    /// Headers not on the allow-list ([`LOGGABLE_HEADERS`]) are redacted: `Authorization`,
    /// security tokens and IAM tokens never appear.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field(
                "url",
                &format_args!("{}://{}{}", self.scheme, self.host, self.path),
            )
            .field("query", &self.query)
            .field("headers", &RedactedHeaders(&self.headers))
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// An HTTP response.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct HttpResponse {
    /// Status code.
    pub status: u16,
    /// Headers as received.
    pub headers: HeaderMap,
    /// Body bytes.
    pub body: Bytes,
}

impl HttpResponse {
    /// A response with `status`, no headers and `body`.
    pub fn new(status: u16, body: impl Into<Bytes>) -> Self {
        HttpResponse {
            status,
            headers: HeaderMap::new(),
            body: body.into(),
        }
    }

    /// Adds a header (after any of the same name). A name or value HTTP does not allow is an
    /// error of kind [`InvalidInput`](crate::ErrorKind::InvalidInput).
    pub fn with_header(mut self, name: &str, value: &str) -> Result<Self, Error> {
        let header = http::HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| Error::invalid_input(format!("invalid header name {name:?}")))?;
        let value = http::HeaderValue::from_str(value)
            .map_err(|_| Error::invalid_input(format!("invalid value for header {name:?}")))?;
        self.headers.append(header, value);
        Ok(self)
    }

    /// The first value of a header (case-insensitive), when it is visible ASCII text (as every
    /// header the SDK reads is).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)?.to_str().ok()
    }
}

impl fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("headers", &RedactedHeaderMap(&self.headers))
            .field("body", &String::from_utf8_lossy(&self.body))
            .finish()
    }
}

struct RedactedHeaderMap<'a>(&'a HeaderMap);

impl fmt::Debug for RedactedHeaderMap<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut m = f.debug_list();
        for (k, v) in self.0 {
            if is_loggable_header(k.as_str()) {
                m.entry(&format_args!(
                    "{k}: {}",
                    String::from_utf8_lossy(v.as_bytes())
                ));
            } else {
                m.entry(&format_args!("{k}: ** redacted **"));
            }
        }
        m.finish()
    }
}

fn header_value<'a>(headers: &'a [(HeaderName, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_secrets_by_allow_list() {
        let mut r = HttpRequest::new("post", "https", "ssl.tencentcloudapi.com", "/");
        r.set_header(
            "Authorization",
            "TC3-HMAC-SHA256 Credential=AKID/x, Signature=deadbeef",
        );
        r.set_header("X-TC-Token", "tmp-token-value");
        r.set_header("X-Auth-Token", "iam-token-value");
        r.set_header("x-acs-security-token", "sts-token-value");
        r.set_header("X-TC-Action", "BatchDeleteCSR");
        let s = format!("{r:?}");
        for secret in [
            "deadbeef",
            "tmp-token-value",
            "iam-token-value",
            "sts-token-value",
        ] {
            assert!(!s.contains(secret), "{s}");
        }
        assert!(s.contains("X-TC-Action: BatchDeleteCSR"), "{s}");
        assert_eq!(r.method, "POST");
    }

    #[test]
    fn response_headers_read_case_insensitively_and_debug_redacts() {
        let r = HttpResponse::new(200, "{}")
            .with_header("X-Request-Id", "rid-1")
            .and_then(|r| r.with_header("X-Auth-Token", "secret-token"))
            .and_then(|r| r.with_header("x-request-id", "rid-2"))
            .expect("valid headers");
        assert_eq!(r.header("x-request-id"), Some("rid-1"));
        assert_eq!(r.header("X-REQUEST-ID"), Some("rid-1"));
        assert_eq!(r.header("missing"), None);
        assert_eq!(r.header("not a name"), None);
        let s = format!("{r:?}");
        assert!(
            s.contains("x-request-id: rid-1") && !s.contains("secret-token"),
            "{s}"
        );
        assert!(
            HttpResponse::new(200, "")
                .with_header("Bad Name", "v")
                .is_err()
        );
        assert!(
            HttpResponse::new(200, "")
                .with_header("X-Ok", "a\nb")
                .is_err()
        );
    }

    #[test]
    fn set_header_replaces_case_insensitively() {
        let mut r = HttpRequest::new("GET", "http", "h", "/");
        r.set_header("Host", "a");
        r.set_header("host", "b");
        assert_eq!(r.headers, vec![("Host".into(), "b".to_string())]);
        assert!(matches!(r.method, Cow::Borrowed("GET")));
        assert_eq!(HttpRequest::new("patch", "http", "h", "/").method, "PATCH");
        r.query = "a=1".into();
        assert_eq!(r.url(), "http://h/?a=1");
    }
}
