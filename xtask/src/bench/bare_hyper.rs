//! Diagnostics for the overhead benchmark on hyper-util's pooled client directly, without
//! reqwest's layers (its URL parsing, its redirect and retry layers and their copies of the
//! header map): the bare loop ([`BareHyper`]) and the SDK's clients on a transport over it
//! ([`HyperSend`], plain HTTP only). They answer one question with numbers: how much a
//! transport built on hyper-util would save against the one on reqwest, which the SDK uses and
//! the benchmark's target is measured against. Neither is part of any target.

use std::net::SocketAddr;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::header::{HeaderMap, HeaderName, HeaderValue};
use hyper::{Method, Request, Uri};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use async_trait::async_trait;
use cert_common::Error;
use cert_common::http::{HttpRequest, HttpResponse};
use cert_common::transport::HttpSend;

use super::canned_server::Captured;

/// The captured request, replayed through hyper-util's client.
#[derive(Clone)]
pub struct BareHyper {
    client: Client<HttpConnector, Full<Bytes>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
}

impl BareHyper {
    /// A loop body for the captured request against the server at `addr`, with a client of
    /// its own (HTTP/1.1, pooled, no timeouts, like the bare reqwest client).
    pub fn new(addr: SocketAddr, c: &Captured) -> Result<BareHyper, String> {
        Ok(BareHyper {
            client: Client::builder(TokioExecutor::new()).build_http(),
            method: Method::from_bytes(c.method.as_bytes()).map_err(|e| e.to_string())?,
            uri: format!("http://{addr}{}", c.path_and_query)
                .parse()
                .map_err(|e: hyper::http::uri::InvalidUri| e.to_string())?,
            headers: c.replay_headers()?,
            body: Bytes::from(c.body.clone()),
        })
    }

    /// One request; an error unless the answer is a success with its body read.
    pub async fn call(&self) -> Result<(), String> {
        let mut request = Request::new(Full::new(self.body.clone()));
        *request.method_mut() = self.method.clone();
        *request.uri_mut() = self.uri.clone();
        *request.headers_mut() = self.headers.clone();
        let response = self
            .client
            .request(request)
            .await
            .map_err(|e| format!("hyper request failed: {e}"))?;
        let status = response.status();
        response
            .into_body()
            .collect()
            .await
            .map_err(|e| format!("hyper body failed: {e}"))?;
        if status.is_success() {
            Ok(())
        } else {
            Err(format!("hyper request answered {status}"))
        }
    }
}

/// A plain-HTTP [`HttpSend`] on hyper-util's client, for the SDK's clients in the benchmark.
/// Not a product transport: no TLS, no proxies, no connect timeout.
#[derive(Debug, Clone)]
pub struct HyperSend {
    client: Client<HttpConnector, Full<Bytes>>,
}

impl HyperSend {
    /// A transport with a pooled HTTP/1.1 client of its own.
    pub fn new() -> HyperSend {
        HyperSend {
            client: Client::builder(TokioExecutor::new()).build_http(),
        }
    }
}

#[async_trait]
impl HttpSend for HyperSend {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, Error> {
        let bad = |what: &str| Error::invalid_input(format!("hyper transport: invalid {what}"));
        let uri: Uri = request.url().parse().map_err(|_| bad("URL"))?;
        let mut headers = HeaderMap::with_capacity(request.headers.len());
        for (k, v) in &request.headers {
            if k.eq_ignore_ascii_case("host") {
                continue; // hyper sets it from the URI
            }
            headers.append(
                HeaderName::from_bytes(k.as_bytes()).map_err(|_| bad("header name"))?,
                HeaderValue::from_str(v).map_err(|_| bad("header value"))?,
            );
        }
        let mut built = Request::new(Full::new(request.body));
        *built.method_mut() =
            Method::from_bytes(request.method.as_bytes()).map_err(|_| bad("method"))?;
        *built.uri_mut() = uri;
        *built.headers_mut() = headers;
        let failed = |e: &dyn std::fmt::Display| {
            Error::new(cert_common::ErrorKind::Transport, format!("hyper: {e}"))
        };
        let response = self.client.request(built).await.map_err(|e| failed(&e))?;
        let (parts, body) = response.into_parts();
        let body = body.collect().await.map_err(|e| failed(&e))?.to_bytes();
        let mut answer = HttpResponse::new(parts.status.as_u16(), body);
        answer.headers = parts.headers;
        Ok(answer)
    }
}
