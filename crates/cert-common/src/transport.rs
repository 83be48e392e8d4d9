//! Sending requests: the [`HttpSend`] trait and its reqwest implementation.
//!
//! [`ReqwestTransport`] always sets connect and read timeouts, turns redirects off, takes
//! proxies from the environment (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`), and uses rustls on
//! *ring* (the same crypto library that signs requests; no OpenSSL, no C toolchain for TLS).
//! A user may hand in their own `reqwest::Client` instead.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use crate::error::{Error, ErrorKind};
use crate::http::{HttpRequest, HttpResponse};

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

#[async_trait]
impl HttpSend for ReqwestTransport {
    async fn send(&self, request: &HttpRequest) -> Result<HttpResponse, Error> {
        let method = reqwest::Method::from_bytes(request.method.as_bytes()).map_err(|_| {
            Error::invalid_input(format!("invalid HTTP method {:?}", request.method))
        })?;
        let mut headers = reqwest::header::HeaderMap::with_capacity(request.headers.len());
        for (k, v) in &request.headers {
            if k.eq_ignore_ascii_case("host") {
                continue; // reqwest sets Host from the URL, with the same value
            }
            let name = reqwest::header::HeaderName::from_bytes(k.as_bytes())
                .map_err(|_| Error::invalid_input(format!("invalid header name {k:?}")))?;
            let value = reqwest::header::HeaderValue::from_bytes(v.as_bytes())
                .map_err(|_| Error::invalid_input(format!("invalid value for header {k:?}")))?;
            headers.append(name, value);
        }
        let response = self
            .client
            .request(method, request.url())
            .headers(headers)
            .body(request.body.clone())
            .send()
            .await
            .map_err(|e| classify_reqwest(&e))?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = response
            .bytes()
            .await
            .map_err(|e| classify_reqwest(&e).with_may_have_applied(true))?
            .to_vec();
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }
}
