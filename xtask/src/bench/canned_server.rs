//! The minimal loopback HTTP/1.1 server of the overhead benchmark, run in a process of its
//! own (`xtask bench-run canned-server`), so that the client process measured holds only
//! client work: no server thread competes for its allocator or its caches. It routes like the
//! real endpoints, answers each API's canned success, and records the first request of each
//! API, which the bare reqwest loop replays (`GET /__captured/<api>` returns it as JSON).
//!
//! It prints `LISTENING <address>` on stdout once it accepts connections and exits when its
//! standard input closes (when the benchmark that started it ends, however it ends).

use std::collections::HashMap;
use std::convert::Infallible;
use std::io::{BufRead, Write};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;

pub const ELB_ID: &str = "e1b00000000000000000000000000001";
pub const APIG_ID: &str = "a9900000000000000000000000000001";
pub const CSMS_INSTANCE: &str = "rds-instance-0001";
pub const TENCENT_ID: u64 = 11;
pub const ALIYUN_ID: i64 = 7562353;
pub const REQUEST_ID: &str = "0f0e0d0c-0b0a-4908-8706-050403020100";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Api {
    Elb,
    Apig,
    Csms,
    Tencent,
    Aliyun,
}

pub const APIS: [Api; 5] = [Api::Elb, Api::Apig, Api::Csms, Api::Tencent, Api::Aliyun];

impl Api {
    pub fn name(self) -> &'static str {
        match self {
            Api::Elb => "huawei-elb",
            Api::Apig => "huawei-apig",
            Api::Csms => "huawei-csms",
            Api::Tencent => "tencent-ssl",
            Api::Aliyun => "aliyun-cas",
        }
    }

    /// Which API a request is for, as the real endpoints route it.
    fn of(req: &Request<Incoming>) -> Option<Api> {
        let path = req.uri().path();
        let has = |h: &str| req.headers().contains_key(h);
        if path.ends_with("/elb/certificates/batch-delete") {
            Some(Api::Elb)
        } else if path.contains("/apigw/certificates/") {
            Some(Api::Apig)
        } else if path.ends_with("/secrets/batch-delete") {
            Some(Api::Csms)
        } else if has("x-tc-action") {
            Some(Api::Tencent)
        } else if has("x-acs-action") {
            Some(Api::Aliyun)
        } else {
            None
        }
    }

    /// The canned success: status, body, and whether the provider sends `X-Request-Id`.
    pub fn answer(self) -> (u16, String, bool) {
        match self {
            Api::Elb => (
                200,
                format!(
                    r#"{{"certificates": [{{"id": "{ELB_ID}", "ret_status": "successful"}}], "request_id": "{REQUEST_ID}"}}"#
                ),
                true,
            ),
            Api::Apig => (204, String::new(), true),
            Api::Csms => (
                200,
                r#"{"total": 1, "success_secrets": ["rds-secret-1"], "failed_secrets": []}"#
                    .to_string(),
                true,
            ),
            Api::Tencent => (
                200,
                format!(
                    r#"{{"Response": {{"Success": [{TENCENT_ID}], "RequestId": "{REQUEST_ID}"}}}}"#
                ),
                false,
            ),
            Api::Aliyun => (200, format!(r#"{{"RequestId": "{REQUEST_ID}"}}"#), false),
        }
    }
}

/// A request as the server received it, to be replayed by the bare loop.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Captured {
    /// The method.
    pub method: String,
    /// Path and query, as on the request line.
    pub path_and_query: String,
    /// Header names and value bytes, in order.
    pub headers: Vec<(String, Vec<u8>)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Captured {
    /// The captured headers, in order, but `host` and `content-length`, which a client sets
    /// from the URL and the body: what a bare loop replays.
    pub fn replay_headers(&self) -> Result<hyper::header::HeaderMap, String> {
        let mut headers = hyper::header::HeaderMap::new();
        for (k, v) in &self.headers {
            if k == "host" || k == "content-length" {
                continue;
            }
            headers.append(
                hyper::header::HeaderName::from_bytes(k.as_bytes()).map_err(|e| e.to_string())?,
                hyper::header::HeaderValue::from_bytes(v).map_err(|e| e.to_string())?,
            );
        }
        Ok(headers)
    }
}

/// The first request of each API.
type Captures = Arc<Mutex<HashMap<Api, Captured>>>;

async fn handle(
    req: Request<Incoming>,
    captures: Captures,
) -> Result<Response<Full<Bytes>>, Infallible> {
    if let Some(name) = req.uri().path().strip_prefix("/__captured/") {
        let found = APIS
            .into_iter()
            .find(|a| a.name() == name)
            .and_then(|a| captures.lock().ok()?.get(&a).cloned());
        return Ok(match found.map(|c| serde_json::to_vec(&c)) {
            Some(Ok(json)) => Response::new(Full::new(Bytes::from(json))),
            _ => {
                let mut r = Response::new(Full::new(Bytes::from_static(b"nothing captured")));
                *r.status_mut() = hyper::StatusCode::NOT_FOUND;
                r
            }
        });
    }
    let api = Api::of(&req);
    let method = req.method().to_string();
    let path_and_query = req
        .uri()
        .path_and_query()
        .map_or("/".to_string(), |p| p.to_string());
    let headers: Vec<(String, Vec<u8>)> = req
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
        .collect();
    let body = match req.into_body().collect().await {
        Ok(b) => b.to_bytes().to_vec(),
        Err(_) => Vec::new(),
    };
    let Some(api) = api else {
        let mut r = Response::new(Full::new(Bytes::from_static(b"unknown route")));
        *r.status_mut() = hyper::StatusCode::NOT_FOUND;
        return Ok(r);
    };
    if let Ok(mut map) = captures.lock() {
        map.entry(api).or_insert(Captured {
            method,
            path_and_query,
            headers,
            body,
        });
    }
    let (status, body, request_id_header) = api.answer();
    let mut builder = Response::builder().status(status);
    if !body.is_empty() {
        builder = builder.header("content-type", "application/json");
    }
    if request_id_header {
        builder = builder.header("x-request-id", REQUEST_ID);
    }
    Ok(builder
        .body(Full::new(Bytes::from(body)))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new()))))
}

async fn serve(listener: TcpListener, captures: Captures) {
    while let Ok((stream, _)) = listener.accept().await {
        let _ = stream.set_nodelay(true);
        let captures = captures.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req| handle(req, captures.clone()));
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// `bench-run canned-server`: serves until standard input closes.
pub fn run() -> Result<(), String> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("canned-server")
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let listener = rt
        .block_on(TcpListener::bind("127.0.0.1:0"))
        .map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    rt.spawn(serve(listener, Captures::default()));
    let mut out = std::io::stdout();
    writeln!(out, "LISTENING {addr}").map_err(|e| e.to_string())?;
    out.flush().map_err(|e| e.to_string())?;
    // Block until the parent closes our stdin (or exits).
    let mut line = String::new();
    while std::io::stdin()
        .lock()
        .read_line(&mut line)
        .is_ok_and(|n| n > 0)
    {
        line.clear();
    }
    rt.shutdown_background();
    Ok(())
}

/// The canned server, in a child process (`xtask bench-run canned-server`); it exits when
/// this value is dropped (its stdin closes) or, failing that, is killed.
pub struct CannedServer {
    child: std::process::Child,
    /// Where it listens.
    pub addr: SocketAddr,
}

impl CannedServer {
    /// Starts `xtask bench-run canned-server` (this executable) and waits for its address.
    pub fn start() -> Result<CannedServer, String> {
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        let mut child = std::process::Command::new(exe)
            .args(["bench-run", "canned-server"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .map_err(|e| format!("could not start the canned server: {e}"))?;
        let stdout = child
            .stdout
            .take()
            .ok_or("the canned server has no stdout")?;
        let mut line = String::new();
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .map_err(|e| e.to_string())?;
        let addr = line
            .trim()
            .strip_prefix("LISTENING ")
            .and_then(|a| a.parse().ok());
        match addr {
            Some(addr) => Ok(CannedServer { child, addr }),
            None => {
                let _ = child.kill();
                Err(format!(
                    "the canned server said {line:?}, not LISTENING <address>"
                ))
            }
        }
    }
}

impl Drop for CannedServer {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(2);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
