//! A request as it arrived on the wire: what the verifiers and handlers see.

/// An HTTP request exactly as received: raw (still percent-encoded) path and query, header
/// values as sent (non-ASCII bytes decoded as UTF-8, invalid bytes replaced), body bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct WireRequest {
    /// Method, upper-case.
    pub method: String,
    /// Raw path, as on the request line.
    pub path: String,
    /// Raw query without `?` (empty for none).
    pub query: String,
    /// Headers in arrival order; names as received.
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Vec<u8>,
}

impl WireRequest {
    /// Builds a request from a full URL (`scheme://host/path?query`) or an origin-form target
    /// (`/path?query`).
    pub fn from_url(
        method: &str,
        url: &str,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    ) -> Self {
        let target = match url.split_once("://") {
            Some((_, rest)) => match rest.find('/') {
                Some(i) => &rest[i..],
                None => "/",
            },
            None => url,
        };
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        WireRequest {
            method: method.to_ascii_uppercase(),
            path: path.to_string(),
            query: query.to_string(),
            headers,
            body,
        }
    }

    /// The first value of a header (name compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a header, in arrival order.
    pub fn header_values(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

impl std::fmt::Debug for WireRequest {
    /// Header values are not shown (they carry signatures and tokens).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WireRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &self.query)
            .field(
                "headers",
                &self.headers.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .field("body_len", &self.body.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_urls() {
        let r = WireRequest::from_url("post", "https://h.example/a/b%2F?x=1&y", vec![], vec![]);
        assert_eq!(
            (r.method.as_str(), r.path.as_str(), r.query.as_str()),
            ("POST", "/a/b%2F", "x=1&y")
        );
        let r = WireRequest::from_url("GET", "http://h", vec![], vec![]);
        assert_eq!((r.path.as_str(), r.query.as_str()), ("/", ""));
        let r = WireRequest::from_url(
            "GET",
            "/?CertId=1",
            vec![("Host".into(), "h".into())],
            vec![],
        );
        assert_eq!(
            (r.path.as_str(), r.query.as_str(), r.header("host")),
            ("/", "CertId=1", Some("h"))
        );
    }
}
