//! Client overhead: requests per second through each crate's client (limiter off, one id per
//! call) against a minimal loopback HTTP/1.1 server that answers every API's canned success,
//! beside a bare reqwest loop replaying the bytes the client sent (method, path and query,
//! headers, body; the first request of each API is recorded by the server) to the same server.
//!
//! Both sides run in the same process, on the same tokio runtime (two workers), at concurrency
//! 1 and 32 (tasks looping until a deadline, on a shared client); the server runs on its own
//! runtime. After a warm-up of each, bare and SDK run in 7 rounds of 1 s, back to back, the
//! order alternating; the ratio reported is the median of the rounds' ratios (with the lowest
//! and the highest), so a drift of the machine between runs cancels out.
//!
//! Diagnostic rows (no target) split the gap: each client's CPU time per call with no network
//! at all (a canned `HttpSend`), the bare loop on a client with the SDK's reqwest settings
//! (connect and read timeouts), and the SDK on a plain reqwest client without the per-attempt
//! operation deadline.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cert_common::credentials::AccessKey;
use cert_common::http::{HttpRequest, HttpResponse};
use cert_common::transport::HttpSend;
use cert_common::{ClientOptions, RateLimit, RetryConfig};
use cert_emulator::credentials as c;
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use super::Row;

const BENCH: &str = "overhead";
const ELB_ID: &str = "e1b00000000000000000000000000001";
const APIG_ID: &str = "a9900000000000000000000000000001";
const CSMS_INSTANCE: &str = "rds-instance-0001";
const TENCENT_ID: u64 = 11;
const ALIYUN_ID: i64 = 7562353;
const REQUEST_ID: &str = "0f0e0d0c-0b0a-4908-8706-050403020100";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Api {
    Elb,
    Apig,
    Csms,
    Tencent,
    Aliyun,
}

const APIS: [Api; 5] = [Api::Elb, Api::Apig, Api::Csms, Api::Tencent, Api::Aliyun];

impl Api {
    fn name(self) -> &'static str {
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
    fn answer(self) -> (u16, String, bool) {
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
#[derive(Debug, Clone)]
struct Captured {
    method: String,
    path_and_query: String,
    headers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
}

type Captures = Arc<Mutex<HashMap<Api, Captured>>>;

async fn handle(
    req: Request<Incoming>,
    captures: Captures,
) -> Result<Response<Full<Bytes>>, Infallible> {
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

/// One of the five clients, built against the canned server with the limiter off.
#[derive(Clone)]
enum Sdk {
    Elb(huawei_elb::Client),
    Apig(huawei_apig::Client),
    Csms(huawei_csms::Client),
    Tencent(tencent_ssl::Client),
    Aliyun(aliyun_cas::Client),
}

impl Sdk {
    fn new(api: Api, url: &str, options: impl Fn() -> ClientOptions) -> Result<Sdk, String> {
        let huawei = || {
            huawei_elb::Config::builder()
                .endpoint(url)
                .credentials(AccessKey::new(c::HUAWEI_AK, c::HUAWEI_SK))
                .project_id(c::HUAWEI_PROJECT_ID)
                .options(options())
                .build()
        };
        let e = |e: cert_common::Error| e.to_string();
        Ok(match api {
            Api::Elb => Sdk::Elb(huawei_elb::Client::new(huawei()).map_err(e)?),
            Api::Apig => Sdk::Apig(huawei_apig::Client::new(huawei()).map_err(e)?),
            Api::Csms => Sdk::Csms(huawei_csms::Client::new(huawei()).map_err(e)?),
            Api::Tencent => Sdk::Tencent(
                tencent_ssl::Client::new(
                    tencent_ssl::Config::builder()
                        .endpoint(url)
                        .credentials(AccessKey::new(c::TENCENT_SECRET_ID, c::TENCENT_SECRET_KEY))
                        .options(options())
                        .build()
                        .map_err(e)?,
                )
                .map_err(e)?,
            ),
            Api::Aliyun => Sdk::Aliyun(
                aliyun_cas::Client::new(
                    aliyun_cas::Config::builder()
                        .endpoint(url)
                        .credentials(AccessKey::new(
                            c::ALIYUN_ACCESS_KEY_ID,
                            c::ALIYUN_ACCESS_KEY_SECRET,
                        ))
                        .options(options())
                        .build()
                        .map_err(e)?,
                )
                .map_err(e)?,
            ),
        })
    }

    /// One delete of one id; an error if the client did not report success.
    async fn call(&self) -> Result<(), String> {
        let failed = |e: &dyn std::fmt::Display| format!("SDK call failed: {e}");
        match self {
            Sdk::Elb(c) => {
                let out = c
                    .batch_delete_certificates()
                    .certificate_id(ELB_ID)
                    .send()
                    .await
                    .map_err(|e| failed(&e))?;
                match out.error {
                    Some(e) => Err(failed(&e)),
                    None => Ok(()),
                }
            }
            Sdk::Apig(c) => c
                .delete_certificate()
                .certificate_id(APIG_ID)
                .send()
                .await
                .map(drop)
                .map_err(|e| failed(&e)),
            Sdk::Csms(c) => c
                .batch_delete_secrets()
                .instance_id(CSMS_INSTANCE)
                .send()
                .await
                .map(drop)
                .map_err(|e| failed(&e)),
            Sdk::Tencent(c) => {
                let out = c
                    .batch_delete_csr()
                    .csr_id(TENCENT_ID)
                    .send()
                    .await
                    .map_err(|e| failed(&e))?;
                match out.batches().iter().find_map(|b| b.error.as_ref()) {
                    Some(e) => Err(failed(e)),
                    None => Ok(()),
                }
            }
            Sdk::Aliyun(c) => c
                .delete_user_certificate()
                .cert_id(ALIYUN_ID)
                .send()
                .await
                .map(drop)
                .map_err(|e| failed(&e)),
        }
    }
}

/// Answers every request with the API's canned success without any network: with it, a
/// client's own CPU time per call can be measured alone.
#[derive(Debug)]
struct NoNetwork(Api);

#[async_trait::async_trait]
impl HttpSend for NoNetwork {
    async fn send(&self, _request: HttpRequest) -> Result<HttpResponse, cert_common::Error> {
        let (status, body, request_id_header) = self.0.answer();
        let mut headers = Vec::new();
        if !body.is_empty() {
            headers.push(("content-type".into(), "application/json".to_string()));
        }
        if request_id_header {
            headers.push(("x-request-id".into(), REQUEST_ID.to_string()));
        }
        Ok(HttpResponse {
            status,
            headers,
            body: body.into_bytes().into(),
        })
    }
}

/// The client's CPU time per call with no network, on one thread: microseconds.
fn cpu_per_call(sdk: &Sdk, duration: Duration) -> Result<f64, String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    rt.block_on(async {
        let started = Instant::now();
        let mut n = 0u64;
        while started.elapsed() < duration {
            sdk.call().await?;
            n += 1;
        }
        Ok(started.elapsed().as_secs_f64() * 1e6 / n as f64)
    })
}

/// One call of a measured loop.
type Call = Arc<dyn Fn() -> BoxFuture + Send + Sync>;
type BoxFuture = std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), String>> + Send>>;

impl Sdk {
    fn as_call(&self) -> Call {
        let sdk = self.clone();
        Arc::new(move || {
            let sdk = sdk.clone();
            Box::pin(async move { sdk.call().await })
        })
    }
}

/// A bare reqwest loop body: the captured request, replayed.
#[derive(Clone)]
struct Bare {
    client: reqwest::Client,
    method: reqwest::Method,
    url: String,
    headers: reqwest::header::HeaderMap,
    body: Vec<u8>,
}

impl Bare {
    fn new(client: reqwest::Client, addr: SocketAddr, c: &Captured) -> Result<Bare, String> {
        let mut headers = reqwest::header::HeaderMap::new();
        for (k, v) in &c.headers {
            if k == "host" || k == "content-length" {
                continue; // reqwest sets both, from the URL and the body
            }
            headers.append(
                reqwest::header::HeaderName::from_bytes(k.as_bytes()).map_err(|e| e.to_string())?,
                reqwest::header::HeaderValue::from_bytes(v).map_err(|e| e.to_string())?,
            );
        }
        Ok(Bare {
            client,
            method: reqwest::Method::from_bytes(c.method.as_bytes()).map_err(|e| e.to_string())?,
            url: format!("http://{addr}{}", c.path_and_query),
            headers,
            body: c.body.clone(),
        })
    }

    fn as_call(&self) -> Call {
        let bare = self.clone();
        Arc::new(move || {
            let bare = bare.clone();
            Box::pin(async move { bare.call().await })
        })
    }

    async fn call(&self) -> Result<(), String> {
        let response = self
            .client
            .request(self.method.clone(), &self.url)
            .headers(self.headers.clone())
            .body(self.body.clone())
            .send()
            .await
            .map_err(|e| format!("bare request failed: {e}"))?;
        let status = response.status();
        response
            .bytes()
            .await
            .map_err(|e| format!("bare body failed: {e}"))?;
        if status.is_success() {
            Ok(())
        } else {
            Err(format!("bare request answered {status}"))
        }
    }
}

/// This process's user and system CPU time so far, in clock ticks (`/proc/self/stat` fields
/// 14 and 15; 100 ticks a second on Linux). Zeros where there is no `/proc`.
fn process_cpu_ticks() -> (u64, u64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<u64> = after
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0))
        .collect();
    (
        f.get(11).copied().unwrap_or(0),
        f.get(12).copied().unwrap_or(0),
    )
}

/// Context switches of all this process's threads so far (`/proc/self/task/*/status`).
fn ctx_switches() -> u64 {
    let mut total = 0;
    if let Ok(d) = std::fs::read_dir("/proc/self/task") {
        for t in d.flatten() {
            let st = std::fs::read_to_string(t.path().join("status")).unwrap_or_default();
            for l in st.lines() {
                if l.starts_with("voluntary_ctxt_switches")
                    || l.starts_with("nonvoluntary_ctxt_switches")
                {
                    total += l
                        .split_whitespace()
                        .last()
                        .and_then(|x| x.parse::<u64>().ok())
                        .unwrap_or(0);
                }
            }
        }
    }
    total
}

/// The median (the mean of the middle two for an even count).
fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

/// Runs `call` from `concurrency` tasks until `duration` has passed; requests per second.
async fn throughput(concurrency: usize, duration: Duration, call: Call) -> Result<f64, String> {
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        let call = call.clone();
        tasks.push(tokio::spawn(async move {
            let mut n = 0u64;
            while Instant::now() < deadline {
                call().await?;
                n += 1;
            }
            Ok::<u64, String>(n)
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await.map_err(|e| e.to_string())??;
    }
    Ok(total as f64 / started.elapsed().as_secs_f64())
}

/// `bench-run overhead [--quick] [--api NAME]` (one API only: for profiling).
pub fn run(args: &[&str]) -> Result<Vec<Row>, String> {
    let quick = args.contains(&"--quick");
    let only = args
        .iter()
        .position(|a| *a == "--api")
        .and_then(|i| args.get(i + 1))
        .copied();
    // Profiling aids: `--side bare|sdk` runs one side alone for 3 s (at `--c N`, default 32)
    // and prints its rate, its CPU time per request and its context switches per request; no
    // rows are produced. For `perf record` of one side.
    let arg = |name: &str| {
        args.iter()
            .position(|a| *a == name)
            .and_then(|i| args.get(i + 1))
            .copied()
    };
    let only_c: Option<usize> = arg("--c").and_then(|c| c.parse().ok());
    let side = arg("--side");
    // The bare client is a plain reqwest client; it needs a process-wide TLS provider even
    // though every request here is plain HTTP.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let (warmup, measure, rounds) = if quick {
        (Duration::from_millis(200), Duration::from_millis(300), 2)
    } else {
        (Duration::from_millis(500), Duration::from_secs(1), 7)
    };
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("canned-server")
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let captures: Captures = Arc::default();
    let listener = server_rt
        .block_on(TcpListener::bind("127.0.0.1:0"))
        .map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    server_rt.spawn(serve(listener, captures.clone()));
    let url = format!("http://{addr}");

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let bare_client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| e.to_string())?;
    // Diagnostics: which part of the gap is reqwest's timeouts (the SDK always sets a connect
    // and a read timeout) and the per-attempt operation deadline, and which is the SDK's code.
    let timeouts_client = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .read_timeout(Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::none())
        .pool_idle_timeout(Duration::from_secs(60))
        .build()
        .map_err(|e| e.to_string())?;
    let documented = || ClientOptions::default().rate_limit(RateLimit::Off);
    let lean = || {
        documented()
            .reqwest_client(bare_client.clone())
            .retry(RetryConfig::default().with_operation_timeout(None))
    };
    let mut rows = Vec::new();
    for api in APIS
        .into_iter()
        .filter(|a| only.is_none_or(|n| n == a.name()))
    {
        let sdk = Sdk::new(api, &url, documented)?;
        let sdk_lean = Sdk::new(api, &url, lean)?;
        let no_network = Sdk::new(api, &url, || documented().http(Arc::new(NoNetwork(api))))?;
        if side.is_none() {
            let sdk_cpu = cpu_per_call(&no_network, measure)?;
            eprintln!(
                "overhead {}: SDK CPU {sdk_cpu:.2} us/call without network",
                api.name()
            );
            rows.push(Row::info(
                BENCH,
                format!("{}: diag: SDK CPU per call, no network", api.name()),
                sdk_cpu,
                "us",
            ));
        }
        rt.block_on(sdk.call())?; // the request the bare loop replays
        let captured = captures
            .lock()
            .map_err(|_| "poisoned")?
            .get(&api)
            .cloned()
            .ok_or(format!("{}: the server saw no request", api.name()))?;
        let bare = Bare::new(bare_client.clone(), addr, &captured)?;
        let bare_timeouts = Bare::new(timeouts_client.clone(), addr, &captured)?;
        if let Some(side) = side {
            let c = only_c.unwrap_or(32);
            let call = match side {
                "bare" => bare.as_call(),
                "sdk" => sdk.as_call(),
                other => return Err(format!("--side {other:?}: expected bare or sdk")),
            };
            rt.block_on(throughput(c, warmup, call.clone()))?;
            let (u0, s0) = process_cpu_ticks();
            let cs0 = ctx_switches();
            let rps = rt.block_on(throughput(c, measure * 3, call))?;
            let (u1, s1) = process_cpu_ticks();
            let cs1 = ctx_switches();
            let secs = measure.as_secs_f64() * 3.0;
            let n = rps * secs;
            eprintln!(
                "overhead {} c={c}: {side} {rps:.0}/s  user {:.1} us/req  sys {:.1} us/req  cs {:.2}/req",
                api.name(),
                (u1 - u0) as f64 * 1e4 / n,
                (s1 - s0) as f64 * 1e4 / n,
                (cs1 - cs0) as f64 / n
            );
            continue;
        }
        for concurrency in [1usize, 32] {
            let measure_one = |label: &str, call: Call| -> Result<f64, String> {
                let rps = rt.block_on(throughput(concurrency, measure, call))?;
                eprintln!(
                    "overhead {} c={concurrency}: {label} {rps:.0}/s",
                    api.name()
                );
                Ok(rps)
            };
            rt.block_on(throughput(concurrency, warmup, bare.as_call()))?;
            rt.block_on(throughput(concurrency, warmup, sdk.as_call()))?;
            // Rounds of bare and SDK back to back, the order alternating: each round's ratio
            // compares two runs a second apart, so a slow drift of the machine (another
            // process, the CPU's clock) cancels out; the median round is reported.
            let mut ratios = Vec::with_capacity(rounds);
            let (mut bare_all, mut sdk_all) = (Vec::new(), Vec::new());
            for round in 0..rounds {
                let (bare_rps, sdk_rps) = if round % 2 == 0 {
                    let b = measure_one("bare", bare.as_call())?;
                    (b, measure_one("sdk", sdk.as_call())?)
                } else {
                    let s = measure_one("sdk", sdk.as_call())?;
                    (measure_one("bare", bare.as_call())?, s)
                };
                ratios.push(100.0 * sdk_rps / bare_rps);
                bare_all.push(bare_rps);
                sdk_all.push(sdk_rps);
            }
            let bare_timeouts_rps = measure_one("bare, SDK's timeouts", bare_timeouts.as_call())?;
            let sdk_lean_rps = measure_one("sdk, plain client", sdk_lean.as_call())?;
            let bare_rps = median(&mut bare_all);
            let ratio = median(&mut ratios);
            let case = |what: &str| format!("{} c={concurrency}: {what}", api.name());
            rows.push(Row::info(BENCH, case("SDK"), median(&mut sdk_all), "req/s"));
            rows.push(Row::info(BENCH, case("bare reqwest"), bare_rps, "req/s"));
            let ratio_row = Row::info(
                BENCH,
                case(&format!("SDK / bare, median of {rounds} rounds")),
                ratio,
                "%",
            );
            rows.push(if concurrency == 32 {
                ratio_row.checked(">= 85%", ratio >= 85.0)
            } else {
                ratio_row
            });
            let (lo, hi) = ratios
                .iter()
                .fold((f64::MAX, f64::MIN), |(lo, hi), r| (lo.min(*r), hi.max(*r)));
            rows.push(Row::info(BENCH, case("SDK / bare, lowest round"), lo, "%"));
            rows.push(Row::info(BENCH, case("SDK / bare, highest round"), hi, "%"));
            rows.push(Row::info(
                BENCH,
                case("diag: bare with the SDK's timeouts / bare"),
                100.0 * bare_timeouts_rps / bare_rps,
                "%",
            ));
            rows.push(Row::info(
                BENCH,
                case("diag: SDK on a plain client, no deadline / bare"),
                100.0 * sdk_lean_rps / bare_rps,
                "%",
            ));
        }
    }
    drop(rt);
    server_rt.shutdown_timeout(Duration::from_secs(1));
    Ok(rows)
}
