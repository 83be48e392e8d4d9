//! Sending requests: the [`HttpSend`] trait and its reqwest implementation.
//!
//! [`ReqwestTransport`] always sets connect and read timeouts, turns redirects off, takes
//! proxies from the environment (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`), and uses rustls on
//! *ring* (the same crypto library that signs requests; no OpenSSL, no C toolchain for TLS).
//! A user may hand in their own `reqwest::Client` instead.

use std::borrow::Cow;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use async_trait::async_trait;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::error::{Error, ErrorKind};
use crate::http::{HttpRequest, HttpResponse, LOGGABLE_HEADERS};

/// Sends one HTTP request and returns the response.
///
/// Errors are of kind [`ErrorKind::Transport`] or [`ErrorKind::Timeout`]; an error sets
/// [`Error::may_have_applied`] when the request may have reached the server.
#[async_trait]
pub trait HttpSend: Send + Sync + std::fmt::Debug {
    /// Sends `request`.
    async fn send(&self, request: &HttpRequest) -> Result<HttpResponse, Error>;
}

/// Timeouts of the default transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransportConfig {
    /// Time allowed to connect (TCP and TLS).
    pub connect_timeout: Duration,
    /// Time allowed between reads of the response.
    pub read_timeout: Duration,
}

impl Default for TransportConfig {
    /// Connect 5 s, read 30 s.
    fn default() -> Self {
        TransportConfig {
            connect_timeout: Duration::from_secs(5),
            read_timeout: Duration::from_secs(30),
        }
    }
}

/// The reqwest transport.
#[derive(Debug, Clone)]
pub struct ReqwestTransport {
    client: reqwest::Client,
}

fn tls_config() -> Result<rustls::ClientConfig, Error> {
    use rustls_platform_verifier::BuilderVerifierExt;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::config(format!("TLS setup failed: {e}")))?
        .with_platform_verifier()
        .map(|b| b.with_no_client_auth())
        .map_err(|e| Error::config(format!("TLS certificate verifier setup failed: {e}")))
}

impl ReqwestTransport {
    /// A transport with the SDK's defaults and `user_agent`.
    pub fn new(config: TransportConfig, user_agent: &str) -> Result<Self, Error> {
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(tls_config()?)
            .connect_timeout(config.connect_timeout)
            .read_timeout(config.read_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(user_agent)
            .pool_idle_timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| Error::config(format!("could not build the HTTP client: {e}")))?;
        Ok(ReqwestTransport { client })
    }

    /// Uses the caller's own client (its timeouts, proxies and TLS settings apply).
    pub fn from_client(client: reqwest::Client) -> Self {
        ReqwestTransport { client }
    }
}

fn classify_reqwest(e: &reqwest::Error) -> Error {
    // A failed connect never reached the server; anything later may have.
    let reached = !e.is_connect() && !e.is_builder();
    let kind = if e.is_timeout() {
        ErrorKind::Timeout
    } else {
        ErrorKind::Transport
    };
    let what = if e.is_connect() {
        "could not connect"
    } else if e.is_timeout() {
        "the request timed out"
    } else if e.is_body() || e.is_decode() {
        "the response body could not be read"
    } else {
        "the request failed"
    };
    let mut detail = String::new();
    let mut src: Option<&dyn std::error::Error> = std::error::Error::source(e);
    while let Some(s) = src {
        detail = s.to_string();
        src = s.source();
    }
    let msg = if detail.is_empty() {
        what.to_string()
    } else {
        format!("{what}: {detail}")
    };
    Error::new(kind, msg).with_may_have_applied(reached)
}

/// Header names the signers send that are not on [`LOGGABLE_HEADERS`] (their values are
/// secret or not worth logging).
const OTHER_SENT_HEADERS: &[&str] = &[
    "authorization",
    "x-auth-token",
    "x-security-token",
    "x-tc-token",
    "x-acs-security-token",
    "x-tc-content-sha256",
    "x-sdk-content-sha256",
];

/// The SDK's header names, parsed once: a non-standard `HeaderName` parsed per request costs
/// an allocation, a clone of one parsed here does not.
static KNOWN_NAMES: LazyLock<Vec<(&'static str, HeaderName)>> = LazyLock::new(|| {
    LOGGABLE_HEADERS
        .iter()
        .chain(OTHER_SENT_HEADERS)
        .filter_map(|n| Some((*n, HeaderName::from_bytes(n.as_bytes()).ok()?)))
        .collect()
});

/// `name` as a `HeaderName`, from [`KNOWN_NAMES`] when it is one of them.
fn header_name(name: &str) -> Result<HeaderName, Error> {
    if let Some((_, h)) = KNOWN_NAMES
        .iter()
        .find(|(k, _)| k.len() == name.len() && k.eq_ignore_ascii_case(name))
    {
        return Ok(h.clone());
    }
    HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| Error::invalid_input(format!("invalid header name {name:?}")))
}

/// A response header's name as a literal from [`LOGGABLE_HEADERS`] when it is on it (the
/// headers the SDK reads all are), else owned.
fn response_header_name(name: &HeaderName) -> Cow<'static, str> {
    let name = name.as_str(); // already lower-case
    match LOGGABLE_HEADERS.iter().find(|k| **k == name) {
        Some(k) => Cow::Borrowed(k),
        None => Cow::Owned(name.to_string()),
    }
}

/// Builds reqwest's request from ours: no URL string is parsed twice and the body is shared,
/// not copied.
fn to_reqwest(client: &reqwest::Client, request: &HttpRequest) -> Result<reqwest::Request, Error> {
    let method = match request.method.as_ref() {
        "GET" => reqwest::Method::GET,
        "POST" => reqwest::Method::POST,
        "DELETE" => reqwest::Method::DELETE,
        "PUT" => reqwest::Method::PUT,
        other => reqwest::Method::from_bytes(other.as_bytes())
            .map_err(|_| Error::invalid_input(format!("invalid HTTP method {other:?}")))?,
    };
    let url = reqwest::Url::parse(&request.url())
        .map_err(|e| Error::invalid_input(format!("invalid request URL: {e}")))?;
    let mut headers = HeaderMap::with_capacity(request.headers.len());
    for (k, v) in &request.headers {
        if k.eq_ignore_ascii_case("host") {
            continue; // reqwest sets Host from the URL, with the same value
        }
        let value = HeaderValue::from_str(v)
            .map_err(|_| Error::invalid_input(format!("invalid value for header {k:?}")))?;
        headers.append(header_name(k)?, value);
    }
    let mut built = client
        .request(method, url)
        .body(request.body.clone())
        .build()
        .map_err(|e| classify_reqwest(&e))?;
    // reqwest adds the client's default headers (User-Agent) when it sends, unless set here.
    *built.headers_mut() = headers;
    Ok(built)
}

#[async_trait]
impl HttpSend for ReqwestTransport {
    async fn send(&self, request: &HttpRequest) -> Result<HttpResponse, Error> {
        let built = to_reqwest(&self.client, request)?;
        let response = self
            .client
            .execute(built)
            .await
            .map_err(|e| classify_reqwest(&e))?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    response_header_name(k),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = response
            .bytes()
            .await
            .map_err(|e| classify_reqwest(&e).with_may_have_applied(true))?;
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }
}
