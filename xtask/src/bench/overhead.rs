//! Client overhead: requests per second through each crate's client (limiter off, one id per
//! call) against a minimal loopback HTTP/1.1 server that answers every API's canned success,
//! beside a bare reqwest loop replaying the bytes the client sent (method, path and query,
//! headers, body; the first request of each API is recorded by the server) to the same server.
//!
//! Both sides run in the same process, on the same tokio runtime (two workers), at concurrency
//! 1 and 32 (tasks looping until a deadline, on a shared client); the server runs in a process
//! of its own ([`super::canned_server`]), so that only client work shares the measured
//! process's allocator and threads. After a warm-up of each, bare and SDK run in 11 rounds of
//! 1 s, back to back, the order alternating; the ratio reported is the median of the rounds'
//! ratios (with the lowest and the highest), so a drift of the machine between runs cancels
//! out.
//!
//! Diagnostic rows (no target): each client's CPU time per call with no network at all (a
//! canned `HttpSend`), and the bare loop on a client with the SDK's reqwest settings.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use cert_common::credentials::AccessKey;
use cert_common::http::{HttpRequest, HttpResponse};
use cert_common::transport::HttpSend;
use cert_common::{ClientOptions, RateLimit};
use cert_emulator::credentials as c;

use super::Row;
use super::bare_hyper::{BareHyper, HyperSend};
use super::canned_server::{
    ALIYUN_ID, APIG_ID, APIS, Api, CSMS_INSTANCE, CannedServer, Captured, ELB_ID, REQUEST_ID,
    TENCENT_ID,
};

const BENCH: &str = "overhead";

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
                        .build(),
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
                        .build(),
                )
                .map_err(e)?,
            ),
        })
    }

    /// One delete of one id; an error if the client did not report success.
    async fn call(&self) -> Result<(), String> {
        // What each call's output says failed, if anything (`None` on success: nothing is
        // formatted on the measured path).
        let failure = match self {
            Sdk::Elb(c) => c
                .batch_delete_certificates()
                .certificate_id(ELB_ID)
                .send()
                .await
                .map(|out| out.error().map(ToString::to_string)),
            Sdk::Apig(c) => c
                .delete_certificate()
                .certificate_id(APIG_ID)
                .send()
                .await
                .map(|out| out.error().map(ToString::to_string)),
            Sdk::Csms(c) => c
                .batch_delete_secrets()
                .instance_id(CSMS_INSTANCE)
                .send()
                .await
                .map(|out| out.error().map(ToString::to_string)),
            Sdk::Tencent(c) => c
                .batch_delete_csr()
                .csr_id(TENCENT_ID)
                .send()
                .await
                .map(|out| out.error().map(ToString::to_string)),
            Sdk::Aliyun(c) => c
                .delete_user_certificate()
                .cert_id(ALIYUN_ID)
                .send()
                .await
                .map(|out| out.error().map(ToString::to_string)),
        };
        match failure {
            Ok(None) => Ok(()),
            Ok(Some(e)) => Err(format!("SDK call failed: {e}")),
            Err(e) => Err(format!("SDK call failed: {e}")),
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
        let mut response = HttpResponse::new(status, body.into_bytes());
        if !response.body.is_empty() {
            response = response.with_header("content-type", "application/json")?;
        }
        if request_id_header {
            response = response.with_header("x-request-id", REQUEST_ID)?;
        }
        Ok(response)
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
        Ok(Bare {
            client,
            method: reqwest::Method::from_bytes(c.method.as_bytes()).map_err(|e| e.to_string())?,
            url: format!("http://{addr}{}", c.path_and_query),
            headers: c.replay_headers()?,
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
    let f = super::self_stat_fields();
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
/// A distribution-free 95 % interval of the median: the order statistics `n/2 ∓ 1.96·√n/2`
/// (the binomial's normal approximation), clamped to the sample. With 11 rounds it is the 3rd
/// to the 10th smallest ratio; more rounds (`--rounds`) narrow it.
fn median_interval(values: &mut [f64]) -> (f64, f64) {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n == 0 {
        return (f64::NAN, f64::NAN);
    }
    let half = n as f64 / 2.0;
    let spread = 1.96 * (n as f64).sqrt() / 2.0;
    let low = ((half - spread).floor().max(0.0) as usize).min(n - 1);
    let high = ((half + spread).ceil() as usize).min(n - 1);
    (values[low], values[high])
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

/// The first request of `api` the canned server received.
async fn captured(client: &reqwest::Client, url: &str, api: Api) -> Result<Captured, String> {
    let response = client
        .get(format!("{url}/__captured/{}", api.name()))
        .send()
        .await
        .map_err(|e| format!("could not ask the canned server: {e}"))?;
    if !response.status().is_success() {
        return Err(format!("{}: the server saw no request", api.name()));
    }
    let body = response.bytes().await.map_err(|e| e.to_string())?;
    serde_json::from_slice(&body).map_err(|e| format!("captured request: {e}"))
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

/// `bench-run allocs-loop --api NAME --side nonet|sdk|bare --calls N`: makes N calls one
/// after another on a single-threaded runtime and exits. The `allocs` benchmark runs it under
/// `valgrind --tool=dhat` twice, with two values of N, and divides the difference in
/// allocated blocks by the difference in calls: set-up cancels out, and what is left is the
/// allocations of one call in this (client) process. The canned server is another process.
pub fn allocs_loop(args: &[&str]) -> Result<(), String> {
    let arg = |name: &str| {
        args.iter()
            .position(|a| *a == name)
            .and_then(|i| args.get(i + 1))
            .copied()
    };
    let api_name = arg("--api").ok_or("--api NAME")?;
    let api = APIS
        .into_iter()
        .find(|a| a.name() == api_name)
        .ok_or(format!("unknown API {api_name:?}"))?;
    let calls: u64 = arg("--calls")
        .and_then(|n| n.parse().ok())
        .ok_or("--calls N")?;
    let side = arg("--side").ok_or("--side nonet|sdk|bare")?;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let documented = || ClientOptions::default().rate_limit(RateLimit::Off);
    if side == "nonet" {
        let sdk = Sdk::new(api, "http://127.0.0.1:9", || {
            documented().http(Arc::new(NoNetwork(api)))
        })?;
        for _ in 0..calls {
            rt.block_on(sdk.call())?;
        }
        return Ok(());
    }
    let server = CannedServer::start()?;
    let url = format!("http://{}", server.addr);
    let sdk = Sdk::new(api, &url, documented)?;
    let bare_client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| e.to_string())?;
    rt.block_on(sdk.call())?;
    let captured = rt.block_on(captured(&bare_client, &url, api))?;
    let bare = Bare::new(bare_client, server.addr, &captured)?;
    for _ in 0..calls {
        match side {
            "sdk" => rt.block_on(sdk.call())?,
            "bare" => rt.block_on(bare.call())?,
            other => return Err(format!("--side {other:?}: expected nonet, sdk or bare")),
        }
    }
    drop(server);
    Ok(())
}

/// `bench-run overhead [--quick] [--rounds N] [--api NAME]` (one API only: for profiling).
pub fn run(args: &[&str]) -> Result<Vec<Row>, String> {
    let quick = args.contains(&"--quick");
    let only = args
        .iter()
        .position(|a| *a == "--api")
        .and_then(|i| args.get(i + 1))
        .copied();
    // Profiling aids: `--side bare|sdk|bare-sdk-client|bare-hyper|sdk-hyper` runs one side
    // alone for 3 s (at `--c N`, default 32) and prints its rate, its CPU time per request and
    // its context switches per request; no rows are produced. For `perf record` of one side,
    // and for comparing reqwest with hyper-util's client under the bare loop and the SDK.
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
    let (warmup, measure, default_rounds) = if quick {
        (Duration::from_millis(200), Duration::from_millis(300), 2)
    } else {
        (Duration::from_millis(500), Duration::from_secs(1), 11)
    };
    let rounds = super::rounds(arg("--rounds"), default_rounds)?;
    let server = CannedServer::start()?;
    let addr = server.addr;
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
    // Diagnostic: the bare loop on a client built like the SDK's (connect timeout, idle pool
    // timeout, no redirects), to tell reqwest's settings from the SDK's own work.
    let timeouts_client = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .redirect(reqwest::redirect::Policy::none())
        .pool_idle_timeout(Duration::from_secs(60))
        .build()
        .map_err(|e| e.to_string())?;
    let documented = || ClientOptions::default().rate_limit(RateLimit::Off);
    let mut rows = Vec::new();
    for api in APIS
        .into_iter()
        .filter(|a| only.is_none_or(|n| n == a.name()))
    {
        let sdk = Sdk::new(api, &url, documented)?;
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
        let captured = rt.block_on(captured(&bare_client, &url, api))?;
        let bare = Bare::new(bare_client.clone(), addr, &captured)?;
        let bare_timeouts = Bare::new(timeouts_client.clone(), addr, &captured)?;
        if let Some(side) = side {
            let c = only_c.unwrap_or(32);
            let call = match side {
                "bare" => bare.as_call(),
                "sdk" => sdk.as_call(),
                "bare-sdk-client" => bare_timeouts.as_call(),
                "sdk-hyper" => {
                    Sdk::new(api, &url, || documented().http(Arc::new(HyperSend::new())))?.as_call()
                }
                "bare-hyper" => {
                    let hyper = BareHyper::new(addr, &captured)?;
                    Arc::new(move || {
                        let hyper = hyper.clone();
                        Box::pin(async move { hyper.call().await }) as BoxFuture
                    })
                }
                other => {
                    return Err(format!(
                        "--side {other:?}: expected bare, sdk, bare-sdk-client, bare-hyper or \
                         sdk-hyper"
                    ));
                }
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
            let bare_timeouts_rps =
                measure_one("bare, SDK's client settings", bare_timeouts.as_call())?;
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
            let (low, high) = median_interval(&mut ratios);
            for (end, value) in [("low", low), ("high", high)] {
                let what = format!("SDK / bare, 95% interval of the median, {end}");
                rows.push(Row::info(BENCH, case(&what), value, "%"));
            }
            rows.push(Row::info(
                BENCH,
                case("diag: bare on a client with the SDK's settings / bare"),
                100.0 * bare_timeouts_rps / bare_rps,
                "%",
            ));
        }
    }
    drop(rt);
    drop(server);
    Ok(rows)
}
