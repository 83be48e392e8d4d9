//! Sending requests: the [`HttpSend`] trait and its reqwest implementation.
//!
//! [`ReqwestTransport`] always sets a connect timeout (the client's runtime bounds every
//! attempt as a whole, see [`TransportConfig::attempt_timeout`]), turns redirects off, takes
//! proxies from the environment (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`), and uses rustls on
//! *ring* (the same crypto library that signs requests; no OpenSSL, no C toolchain for TLS).
//! A user may hand in their own `reqwest::Client` instead.

use std::cell::RefCell;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use async_trait::async_trait;
use bytes::BytesMut;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::error::{Error, ErrorKind};
use crate::http::{HttpRequest, HttpResponse};

/// Sends one HTTP request and returns the response. The request is handed over, so a
/// transport can move its header values and body onto the wire without copying them.
///
/// Errors are of kind [`ErrorKind::Transport`] or [`ErrorKind::Timeout`]; an error sets
/// [`Error::may_have_applied`] when the request may have reached the server.
#[async_trait]
pub trait HttpSend: Send + Sync + std::fmt::Debug {
    /// Sends `request`.
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, Error>;
}

/// How the default transport sends: its timeouts, the most an answer may hold, and its
/// connection pools.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct TransportConfig {
    /// Time allowed to connect (TCP and TLS); set on the default transport's client.
    pub connect_timeout: Duration,
    /// Time allowed for one attempt, from handing the request to the transport to the last
    /// byte of the answer. The client's runtime applies it around any transport (a caller's
    /// own `reqwest::Client` and test doubles included), in the same timer as the operation
    /// deadline: one timer per attempt. On expiry the attempt fails with
    /// [`ErrorKind::Timeout`], marked as possibly applied, and is retried like any timeout.
    /// (The answers of these APIs are a few kilobytes at most, so a bound on the whole
    /// attempt is what a read timeout would give, without a timer reset on every read.)
    pub attempt_timeout: Duration,
    /// The most bytes of one answer's body that are read. The answers of these APIs are a few
    /// kilobytes; an answer that announces or sends more is cut off there and the attempt
    /// fails as an [`ErrorKind::Decode`] error that may have applied (the server may have
    /// acted on the request before it sent the oversized answer). Memory stays bounded
    /// whatever a server sends.
    pub max_response_bytes: usize,
    /// One connection pool per thread that sends, instead of one for the whole client
    /// (default off). For a program that runs one current-thread runtime per core (see
    /// [`StreamOptions::runtimes`](crate::stream::StreamOptions::runtimes)): each thread's
    /// requests then go out on connections that thread drives, and none waits on another
    /// thread. On a multi-thread runtime it only multiplies the idle connections. Meant for
    /// threads that live as long as the transport: a thread's client is kept until the
    /// transport is dropped, and a new thread may be handed the client of one that ended
    /// (whose connections were driven by a runtime that may be gone; they are then
    /// discarded and new ones opened, but idle ones are no longer closed on a timer).
    pub pool_per_thread: bool,
}

/// The default [`TransportConfig::max_response_bytes`]: 1 MiB, hundreds of times the largest
/// documented answer of these APIs.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 1024 * 1024;

impl Default for TransportConfig {
    /// Connect 5 s, attempt 30 s, answers up to 1 MiB.
    fn default() -> Self {
        TransportConfig {
            connect_timeout: Duration::from_secs(5),
            attempt_timeout: Duration::from_secs(30),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            pool_per_thread: false,
        }
    }
}

impl TransportConfig {
    /// Sets the connect timeout.
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Sets the attempt timeout.
    pub fn with_attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = timeout;
        self
    }

    /// Sets the most bytes of an answer's body that are read (at least 1 KiB).
    pub fn with_max_response_bytes(mut self, bytes: usize) -> Self {
        self.max_response_bytes = bytes.max(1024);
        self
    }

    /// Sets [`Self::pool_per_thread`].
    pub fn with_pool_per_thread(mut self, per_thread: bool) -> Self {
        self.pool_per_thread = per_thread;
        self
    }
}

/// The reqwest transport. It has no timeout of its own for the answer: the runtime bounds each
/// attempt (see [`TransportConfig::attempt_timeout`]); used alone, as in the tests, an
/// attempt waits as long as the server does.
#[derive(Debug, Clone)]
pub struct ReqwestTransport {
    clients: Clients,
    max_response_bytes: usize,
}

/// The reqwest client(s) of a transport.
#[derive(Debug, Clone)]
enum Clients {
    /// One client, one connection pool, for every thread.
    One(reqwest::Client),
    /// A client per sending thread ([`TransportConfig::pool_per_thread`]).
    PerThread(Arc<PerThread>),
}

/// The settings every thread's client is built from, and the clients built so far.
struct PerThread {
    tls: rustls::ClientConfig,
    connect_timeout: Duration,
    user_agent: String,
    by_thread: thread_local::ThreadLocal<reqwest::Client>,
}

impl std::fmt::Debug for PerThread {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PerThread")
            .field("connect_timeout", &self.connect_timeout)
            .field("user_agent", &self.user_agent)
            .finish_non_exhaustive()
    }
}

impl PerThread {
    /// This thread's client, built on its first request.
    fn client(&self) -> Result<&reqwest::Client, Error> {
        self.by_thread
            .get_or_try(|| build_client(self.tls.clone(), self.connect_timeout, &self.user_agent))
    }
}

/// A reqwest client with the SDK's settings: the TLS configuration of [`crate::tls`], the
/// connect timeout, redirects off, no retries of reqwest's own (every retry is the SDK's,
/// counted and classified in [`crate::retry`]; reqwest's policy would also copy each request
/// before sending it, for a protocol-NACK retry an HTTP/1 client never makes; with 0 retries
/// allowed it copies nothing).
fn build_client(
    tls: rustls::ClientConfig,
    connect_timeout: Duration,
    user_agent: &str,
) -> Result<reqwest::Client, Error> {
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .connect_timeout(connect_timeout)
        .redirect(reqwest::redirect::Policy::none())
        .retry(reqwest::retry::never().max_retries_per_request(0))
        .user_agent(user_agent)
        .pool_idle_timeout(Duration::from_secs(60))
        .build()
        .map_err(|e| Error::config(format!("could not build the HTTP client: {e}")))
}

impl ReqwestTransport {
    /// A transport with the SDK's defaults and `user_agent`; TLS trust as
    /// [`crate::tls`] says, with `SSL_CERT_FILE`'s roots added when it is set.
    pub fn new(config: TransportConfig, user_agent: &str) -> Result<Self, Error> {
        let trust = crate::tls::Trust::resolve(None, &crate::credentials::Env::process());
        Self::with_trust(config, user_agent, &trust)
    }

    /// A transport with the SDK's defaults, `user_agent` and `trust`.
    pub fn with_trust(
        config: TransportConfig,
        user_agent: &str,
        trust: &crate::tls::Trust,
    ) -> Result<Self, Error> {
        let tls = crate::tls::client_config(trust)?;
        let clients = if config.pool_per_thread {
            let per_thread = PerThread {
                tls,
                connect_timeout: config.connect_timeout,
                user_agent: user_agent.to_string(),
                by_thread: thread_local::ThreadLocal::new(),
            };
            // Built once here, so a setting reqwest refuses is an error now, not on a request.
            per_thread.client()?;
            Clients::PerThread(Arc::new(per_thread))
        } else {
            Clients::One(build_client(tls, config.connect_timeout, user_agent)?)
        };
        Ok(ReqwestTransport {
            clients,
            max_response_bytes: config.max_response_bytes,
        })
    }

    /// Uses the caller's own client (feature `reqwest-client`): its timeouts, proxies and TLS
    /// settings apply; answers are still read up to [`DEFAULT_MAX_RESPONSE_BYTES`], see
    /// [`Self::with_max_response_bytes`].
    #[cfg(feature = "reqwest-client")]
    pub fn from_client(client: reqwest::Client) -> Self {
        ReqwestTransport {
            clients: Clients::One(client),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        }
    }

    /// Sets the most bytes of an answer's body that are read.
    pub fn with_max_response_bytes(mut self, bytes: usize) -> Self {
        self.max_response_bytes = bytes;
        self
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

/// The vendor-neutral header names the SDK sends, as `HeaderName`s that point at static
/// bytes: cloning one is free. (A name parsed per request would allocate, and one parsed once
/// and shared would cost an atomic count on a cache line every thread touches.) Each vendor's
/// own names are in its folder (`providers/<vendor>/headers.rs`), gathered by
/// [`crate::vendors`]; [`BY_LENGTH`] merges them all for [`header_name`]. Each table is sorted
/// by length, then bytes (a test keeps them so, and that no name is in two). Names not listed
/// still work, parsed per request; a test checks that every header the signers and providers
/// send is listed.
static SENT_HEADER_NAMES: [(&str, HeaderName); 8] = crate::vendors::static_header_names![
    "date",
    "host",
    "accept",
    "user-agent",
    "retry-after",
    "content-type",
    "authorization",
    "content-length",
];

/// Every static name of [`SENT_HEADER_NAMES`] and the vendors' tables, by length:
/// `BY_LENGTH[n]` holds the names of `n` bytes. A lookup then compares only the two or three
/// names of its own length, where a scan of the tables one after the other passed about forty
/// entries for each of a request's headers (`perf`: 1.5 % of certctl's user time at c=32).
static BY_LENGTH: LazyLock<Vec<Vec<(&'static str, HeaderName)>>> = LazyLock::new(|| {
    let tables = std::iter::once(&SENT_HEADER_NAMES[..])
        .chain(crate::vendors::ENABLED.iter().map(|v| v.sent));
    let mut by_length: Vec<Vec<(&'static str, HeaderName)>> = Vec::new();
    for (name, header) in tables.flatten() {
        if by_length.len() <= name.len() {
            by_length.resize_with(name.len() + 1, Vec::new);
        }
        by_length[name.len()].push((*name, header.clone()));
    }
    by_length
});

/// `name` as a `HeaderName`: a clone of a static entry when it is one (compared
/// case-insensitively, see [`BY_LENGTH`]), else parsed.
fn header_name(name: &str) -> Result<HeaderName, Error> {
    let known = BY_LENGTH
        .get(name.len())
        .and_then(|same| same.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)));
    match known {
        Some((_, header)) => Ok(header.clone()),
        None => HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| Error::invalid_input(format!("invalid header name {name:?}"))),
    }
}

thread_local! {
    /// The endpoint (`scheme://host`) this thread last sent to, parsed. Parsing the host is
    /// most of the cost of parsing a URL, and a client sends every request to one endpoint.
    static LAST_ENDPOINT: RefCell<Option<(String, reqwest::Url)>> = const { RefCell::new(None) };
}

/// The request's URL: the endpoint parsed once per thread (see [`LAST_ENDPOINT`]), then the
/// path and query set on a copy, which gives the URL that parsing the whole would. A path that
/// does not start with `/` or holds `?` or `#`, or a query that holds `#`, is parsed whole.
fn request_url(request: &HttpRequest) -> Result<reqwest::Url, Error> {
    let parse_whole = || {
        reqwest::Url::parse(&request.url())
            .map_err(|e| Error::invalid_input(format!("invalid request URL: {e}")))
    };
    if !request.path.starts_with('/')
        || request.path.contains(['?', '#'])
        || request.query.contains('#')
    {
        return parse_whole();
    }
    let (scheme, host) = (request.scheme.as_ref(), request.host.as_str());
    let is_endpoint = |key: &str| {
        key.len() == scheme.len() + 3 + host.len()
            && key.starts_with(scheme)
            && key[scheme.len()..].starts_with("://")
            && key.ends_with(host)
    };
    let base = LAST_ENDPOINT.try_with(|cell| {
        let mut cell = cell.borrow_mut();
        match &*cell {
            Some((key, url)) if is_endpoint(key) => Ok::<_, Error>(url.clone()),
            _ => {
                let key = format!("{scheme}://{host}");
                let url = reqwest::Url::parse(&key)
                    .map_err(|e| Error::invalid_input(format!("invalid request URL: {e}")))?;
                *cell = Some((key, url.clone()));
                Ok(url)
            }
        }
    });
    let mut url = match base {
        Ok(base) => base?,
        Err(_) => return parse_whole(), // the thread is exiting
    };
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        // The host carried a path, query or fragment of its own: no endpoint to reuse.
        return parse_whole();
    }
    url.set_path(&request.path);
    url.set_query((!request.query.is_empty()).then_some(request.query.as_str()));
    Ok(url)
}

/// Builds reqwest's request from ours, moving the header values and the body (no copies).
fn to_reqwest(request: HttpRequest) -> Result<reqwest::Request, Error> {
    let method = match request.method.as_ref() {
        "GET" => reqwest::Method::GET,
        "POST" => reqwest::Method::POST,
        "DELETE" => reqwest::Method::DELETE,
        "PUT" => reqwest::Method::PUT,
        other => reqwest::Method::from_bytes(other.as_bytes())
            .map_err(|_| Error::invalid_input(format!("invalid HTTP method {other:?}")))?,
    };
    let url = request_url(&request)?;
    // Every value goes into one shared buffer, each header a slice of it: reqwest clones the
    // header map once per request (it keeps a copy for redirects), and a clone of a slice of a
    // shared buffer only counts a reference, where values of their own would each allocate.
    let wire_headers = request
        .headers
        .iter()
        .filter(|(k, _)| !k.eq_ignore_ascii_case("host")); // reqwest sets Host from the URL
    let mut values = BytesMut::with_capacity(wire_headers.clone().map(|(_, v)| v.len()).sum());
    for (_, v) in wire_headers.clone() {
        values.extend_from_slice(v.as_bytes());
    }
    let values = values.freeze();
    let mut headers = HeaderMap::with_capacity(request.headers.len());
    let mut at = 0;
    for (k, v) in wire_headers {
        let value = HeaderValue::from_maybe_shared(values.slice(at..at + v.len()))
            .map_err(|_| Error::invalid_input(format!("invalid value for header {k:?}")))?;
        at += v.len();
        headers.append(header_name(k)?, value);
    }
    // Built directly (a `RequestBuilder` would take a reference on the shared client).
    let mut built = reqwest::Request::new(method, url);
    *built.body_mut() = Some(request.body.into());
    // reqwest adds the client's default headers (User-Agent) when it sends, unless set here.
    *built.headers_mut() = headers;
    Ok(built)
}

#[async_trait]
impl HttpSend for ReqwestTransport {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, Error> {
        self.execute(request).await
    }
}

impl ReqwestTransport {
    /// What [`HttpSend::send`] does, as a plain `async fn`: the client's runtime calls it
    /// directly, without the boxed future a `dyn HttpSend` call makes per attempt.
    pub(crate) async fn execute(&self, request: HttpRequest) -> Result<HttpResponse, Error> {
        let built = to_reqwest(request)?;
        let client = match &self.clients {
            Clients::One(client) => client,
            Clients::PerThread(per_thread) => per_thread.client()?,
        };
        let mut response = client
            .execute(built)
            .await
            .map_err(|e| classify_reqwest(&e))?;
        let status = response.status().as_u16();
        // Taken as hyper parsed them: no copy of a name or a value.
        let headers = std::mem::take(response.headers_mut());
        let limit = self.max_response_bytes;
        let too_big = |seen: u64| {
            Error::new(
                ErrorKind::Decode,
                format!(
                    "the answer (HTTP {status}) is larger than the {limit} bytes this client reads \
                     ({seen} bytes or more); no answer of this API is that large"
                ),
            )
            .with_status(status)
            .with_may_have_applied(true)
        };
        if let Some(announced) = response.content_length()
            && announced > limit as u64
        {
            return Err(too_big(announced));
        }
        // The usual answer is one chunk: kept as received, no copy. More are joined.
        let mut first: Option<bytes::Bytes> = None;
        let mut joined = BytesMut::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| classify_reqwest(&e).with_may_have_applied(true))?
        {
            let seen = first
                .as_ref()
                .map_or(0, bytes::Bytes::len)
                .saturating_add(joined.len())
                .saturating_add(chunk.len());
            if seen > limit {
                return Err(too_big(seen as u64));
            }
            match first.take() {
                None if joined.is_empty() => first = Some(chunk),
                Some(f) => {
                    joined.reserve(seen);
                    joined.extend_from_slice(&f);
                    joined.extend_from_slice(&chunk);
                }
                None => joined.extend_from_slice(&chunk),
            }
        }
        let body = first.unwrap_or_else(|| joined.freeze());
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }
}

/// Where a client's requests go: the built-in reqwest transport, called directly, or any
/// other [`HttpSend`] (a caller's own, a test double), through its boxed future.
#[derive(Debug, Clone)]
pub(crate) enum Transport {
    Reqwest(ReqwestTransport),
    Custom(Arc<dyn HttpSend>),
}

impl Transport {
    pub(crate) async fn send(&self, request: HttpRequest) -> Result<HttpResponse, Error> {
        match self {
            Transport::Reqwest(t) => t.execute(request).await,
            Transport::Custom(h) => h.send(request).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::LOGGABLE_HEADERS;

    /// The vendor-neutral table, then each vendor's.
    fn tables() -> Vec<&'static [(&'static str, HeaderName)]> {
        let mut t: Vec<&'static [(&'static str, HeaderName)]> = vec![&SENT_HEADER_NAMES];
        t.extend(crate::vendors::ENABLED.iter().map(|v| v.sent));
        t
    }

    fn listed(name: &str) -> bool {
        tables()
            .iter()
            .any(|t| t.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)))
    }

    #[test]
    fn static_names_are_sorted_and_found_in_any_case() {
        assert_eq!(
            tables().len(),
            4,
            "the three vendors are on in this crate's tests"
        );
        let mut all = Vec::new();
        for table in tables() {
            for pair in table.windows(2) {
                let (a, b) = (pair[0].0, pair[1].0);
                assert!((a.len(), a) < (b.len(), b), "{a} before {b}");
            }
            for (name, header) in table {
                assert_eq!(*name, header.as_str());
                let upper = name.to_ascii_uppercase();
                assert_eq!(header_name(&upper).expect("listed").as_str(), *name);
                all.push(*name);
            }
        }
        let n = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), n, "a name is in two tables");
        assert_eq!(header_name("X-Other").expect("parsed").as_str(), "x-other");
    }

    #[test]
    fn every_header_the_sdk_sends_has_a_static_name() {
        let doc = crate::test_util::signing_vectors();
        let vectors = doc["vectors"].as_array().expect("vectors");
        let mut names = vec!["User-Agent", "X-Client-Request-Id", "Content-Type"];
        for v in vectors {
            // What the signers add: the output's headers that the caller did not give.
            let given = v["input"]["headers"].as_object();
            if let Some(h) = v["output"]["headers"].as_object() {
                names.extend(
                    h.keys()
                        .filter(|k| {
                            !given.is_some_and(|g| g.keys().any(|n| n.eq_ignore_ascii_case(k)))
                        })
                        .map(String::as_str),
                );
            }
        }
        let missing: Vec<&str> = names.into_iter().filter(|n| !listed(n)).collect();
        assert!(missing.is_empty(), "not in a static table: {missing:?}");
        for n in LOGGABLE_HEADERS
            .iter()
            .chain(crate::vendors::ENABLED.iter().flat_map(|v| v.loggable))
        {
            assert!(listed(n), "{n}");
        }
    }

    #[test]
    fn header_values_share_one_buffer_and_keep_their_order() {
        let mut r = HttpRequest::new("POST", "http", "127.0.0.1:1", "/p");
        r.query = "a=1".to_string();
        r.set_header("Host", "127.0.0.1:1");
        r.set_header("X-TC-Action", "BatchDeleteCSR");
        r.set_header("X-Custom-Thing", "v1");
        r.headers.push(("x-custom-thing".into(), "v2".to_string()));
        r.set_header("Authorization", "");
        r.body = crate::http::Bytes::from_static(b"{}");
        let built = to_reqwest(r).expect("builds");
        assert_eq!(built.url().as_str(), "http://127.0.0.1:1/p?a=1");
        let h = built.headers();
        assert_eq!(h.get("host"), None);
        assert_eq!(h["x-tc-action"], "BatchDeleteCSR");
        let custom: Vec<_> = h.get_all("x-custom-thing").iter().collect();
        assert_eq!(custom, ["v1", "v2"]);
        assert_eq!(h["authorization"], "");
        assert_eq!(built.body().and_then(|b| b.as_bytes()), Some(&b"{}"[..]));
    }

    #[test]
    fn urls_from_the_remembered_endpoint_are_the_parsed_urls() {
        let cases = [
            ("https", "ssl.tencentcloudapi.com", "/", ""),
            (
                "https",
                "elb.cn-north-4.myhuaweicloud.com",
                "/v3/p/elb/certificates/batch-delete",
                "",
            ),
            (
                "http",
                "127.0.0.1:8080",
                "/v2/p/apigw/certificates/a%20b%2Fc~d",
                "",
            ),
            (
                "https",
                "cas.aliyuncs.com",
                "/",
                "CertId=1&ClientToken=a%20b+c%2B*~",
            ),
            (
                "https",
                "cas.aliyuncs.com:443",
                "/",
                "x=%E4%BD%A0&y='q'&z=a b",
            ),
            ("http", "[::1]:9000", "/a/./b/../c", "k"),
            ("HTTPS", "Example.COM", "/p", ""),
            ("http", "127.0.0.1:8080", "/odd?path", "q"),
            ("http", "127.0.0.1:8080", "/p", "a#b"),
            ("http", "h/x", "/p", "q"),
            ("http", "h?x", "/p", ""),
            ("http", "user@h", "/p", ""),
        ];
        for (scheme, host, path, query) in cases {
            let mut r = HttpRequest::new("GET", scheme, host, path);
            r.query = query.to_string();
            let built = request_url(&r).expect("url");
            let parsed = reqwest::Url::parse(&r.url()).expect("parses whole");
            assert_eq!(
                built.as_str(),
                parsed.as_str(),
                "{scheme} {host} {path} {query}"
            );
            // Again, now from the remembered endpoint.
            assert_eq!(request_url(&r).expect("url").as_str(), parsed.as_str());
        }
        for (host, path) in [("bad host", "/"), ("127.0.0.1:8080", "relative")] {
            let r = HttpRequest::new("GET", "http", host, path);
            assert!(reqwest::Url::parse(&r.url()).is_err());
            assert_eq!(
                request_url(&r).expect_err("invalid").kind(),
                ErrorKind::InvalidInput
            );
        }
    }

    #[test]
    fn a_bad_header_is_an_input_error_not_a_panic() {
        let mut r = HttpRequest::new("GET", "http", "h", "/");
        r.set_header("X-Bad", "a\nb");
        let e = to_reqwest(r).expect_err("newline");
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        let mut r = HttpRequest::new("GET", "http", "h", "/");
        r.set_header("Bad Name", "v");
        assert_eq!(
            to_reqwest(r).expect_err("space").kind(),
            ErrorKind::InvalidInput
        );
    }
}
