//! Endpoints: a scheme and a host (with port), parsed and checked once.

use std::fmt;

use crate::error::Error;

/// Where requests go: `https://host` from a vendor's table, or any override such as
/// `http://127.0.0.1:8080` for a local emulator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    scheme: String,
    host: String,
}

impl Endpoint {
    /// Parses `scheme://host[:port]`; a bare host gets `https://` (as the vendors' SDKs do).
    /// A trailing `/` is accepted; any other path, a query or credentials in the URL are refused.
    pub fn parse(s: &str) -> Result<Self, Error> {
        let s = s.trim();
        // Errors show the endpoint with any `user:password@` masked.
        let shown = redacted(s);
        let (scheme, rest) = match s.split_once("://") {
            Some((scheme, rest)) => (scheme.to_ascii_lowercase(), rest),
            None => ("https".to_string(), s),
        };
        if scheme != "https" && scheme != "http" {
            return Err(Error::config(format!(
                "endpoint {shown:?}: the scheme must be http or https"
            )));
        }
        let host = rest.strip_suffix('/').unwrap_or(rest);
        if host.is_empty() {
            return Err(Error::config(format!("endpoint {shown:?} has no host")));
        }
        if let Some(bad) = host
            .chars()
            .find(|c| matches!(c, '/' | '?' | '#' | '@' | ' ' | '\\') || c.is_control())
        {
            return Err(Error::config(format!(
                "endpoint {shown:?}: unexpected {bad:?}; give only scheme://host[:port]"
            )));
        }
        if let Some((_, port)) = host.rsplit_once(':').filter(|_| !host.ends_with(']'))
            && port.parse::<u16>().is_err()
        {
            return Err(Error::config(format!(
                "endpoint {shown:?}: invalid port {port:?}"
            )));
        }
        Ok(Endpoint {
            scheme,
            host: host.to_ascii_lowercase(),
        })
    }

    /// `https` or `http`.
    pub fn scheme(&self) -> &str {
        &self.scheme
    }

    /// Host, with `:port` when one was given.
    pub fn host(&self) -> &str {
        &self.host
    }
}

/// `s` with the user information of a URL (`user:password@`) replaced by `***@`.
fn redacted(s: &str) -> String {
    let (prefix, rest) = match s.find("://") {
        Some(i) => s.split_at(i + 3),
        None => ("", s),
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{prefix}***@{}", &rest[at + 1..]),
        None => s.to_string(),
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}", self.scheme, self.host)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_in_the_endpoint_is_refused_and_never_shown() {
        for url in [
            "http://user:s3cret@127.0.0.1:1",
            "https://user:s3cret@host.example/",
            "user:s3cret@host.example",
        ] {
            let e = Endpoint::parse(url).expect_err("credentials in the URL");
            let text = format!("{e} {e:?}");
            assert!(!text.contains("s3cret") && !text.contains("user"), "{text}");
            assert!(text.contains("***@"), "{text}");
        }
    }

    #[test]
    fn parses_hosts_and_overrides() {
        let e = Endpoint::parse("ssl.tencentcloudapi.com").expect("bare host");
        assert_eq!(e.to_string(), "https://ssl.tencentcloudapi.com");
        let e = Endpoint::parse("http://127.0.0.1:8080/").expect("loopback");
        assert_eq!((e.scheme(), e.host()), ("http", "127.0.0.1:8080"));
        assert_eq!(
            Endpoint::parse("http://[::1]:9").expect("v6").host(),
            "[::1]:9"
        );
        for bad in [
            "",
            "ftp://x",
            "https://",
            "https://a/b",
            "https://a?x",
            "https://u@a",
            "http://a:99999",
            "http://a:x",
        ] {
            assert!(Endpoint::parse(bad).is_err(), "{bad}");
        }
    }
}
