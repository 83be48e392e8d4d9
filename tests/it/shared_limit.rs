//! One rate limit shared by many workers, on a real `redis-server` (`cert-ratelimit-redis`),
//! against the emulator's enforced Tencent limit of 10 `BatchDeleteCSR` requests per second.
//!
//! Tests that share the Redis `cargo xtask test` started (`CERT_TEST_REDIS_URL`) each use
//! their own key prefix; tests that stop or count a Redis run their own. Without the
//! `redis-server` binary every test here fails, naming the Debian package.

use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cert_common::{LimitKey, Limiter, RateLimitConfig};
use cert_emulator::credentials as c;
use cert_emulator::{Api, Emulator, Seed};
use cert_ratelimit_redis::{RedisLimiter, RedisLimiterOptions};
use integration_tests::redis::{RedisServer, shared, unique_prefix};
use integration_tests::{options, rejected_with, tencent_key, tencent_with};
use serde_json::Value;

const THROTTLED: &str = "RequestLimitExceeded";

/// An emulator enforcing Tencent's 10 requests per second, holding CSRs `1..=n`.
async fn tencent_emulator(n: u64) -> Arc<Emulator> {
    let emu = Emulator::builder()
        .seed(Seed::empty())
        .start()
        .await
        .expect("emulator");
    assert_eq!(emu.rate_limit(Api::TencentSsl), Some(10), "enforced limit");
    emu.seed_tencent_csrs(1..=n);
    Arc::new(emu)
}

/// When each request reached the emulator, read from its request log every 2 ms by a thread
/// of its own (so the figure does not depend on the test's runtime being free).
struct Arrivals {
    times: Arc<Mutex<Vec<Instant>>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Arrivals {
    fn watch(emu: &Arc<Emulator>) -> Arrivals {
        let times = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (emu, t, s) = (emu.clone(), times.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let mut seen = 0;
            loop {
                let done = s.load(Ordering::SeqCst);
                let n = emu.requests().len();
                let now = Instant::now();
                if n > seen {
                    let mut t = t.lock().unwrap_or_else(|p| p.into_inner());
                    t.extend(std::iter::repeat_n(now, n - seen));
                    seen = n;
                }
                if done {
                    return;
                }
                std::thread::sleep(Duration::from_millis(2));
            }
        });
        Arrivals {
            times,
            stop,
            thread: Some(thread),
        }
    }

    /// Stops watching and returns the arrival times, oldest first.
    fn finish(mut self) -> Vec<Instant> {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            t.join().expect("watcher");
        }
        self.times.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// Requests per second from the first arrival to the last: `(n - 1) / span`.
fn rate_of(times: &[Instant]) -> f64 {
    assert!(times.len() >= 2, "too few requests to measure a rate");
    let span = times[times.len() - 1] - times[0];
    (times.len() - 1) as f64 / span.as_secs_f64()
}

/// The most arrivals within any window of `window`.
fn most_within(times: &[Instant], window: Duration) -> usize {
    let mut most = 0;
    let mut start = 0;
    for end in 0..times.len() {
        while times[end] - times[start] >= window {
            start += 1;
        }
        most = most.max(end - start + 1);
    }
    most
}

/// Counts the warning hook's calls and keeps their text.
#[derive(Clone, Default)]
struct Warnings(Arc<Mutex<Vec<String>>>);

impl Warnings {
    fn hook(&self) -> impl Fn(&str) + Send + Sync + 'static {
        let w = self.0.clone();
        move |m: &str| {
            w.lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(m.to_string())
        }
    }
    fn all(&self) -> Vec<String> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

fn limiter(url: &str, prefix: &str, workers: u32, warnings: &Warnings) -> RedisLimiter {
    RedisLimiter::with_options(
        url,
        RedisLimiterOptions::default()
            .with_key_prefix(prefix)
            .with_workers(workers)
            .with_warning_hook(warnings.hook()),
    )
    .expect("limiter")
}

fn tencent_key_of_the_emulator() -> LimitKey {
    LimitKey::new("tencent", c::TENCENT_SECRET_ID, None, "BatchDeleteCSR")
}

/// Deletes `ids` one request each, in order, and asserts each was deleted.
async fn delete_one_by_one(client: tencent_ssl::Client, ids: Vec<u64>) {
    for id in ids {
        let out = client
            .batch_delete_csr()
            .csr_ids([id])
            .send()
            .await
            .expect("sent");
        let outcome = out.report().items()[0].outcome.as_str();
        assert_eq!(outcome, "deleted", "CSR {id}");
    }
}

/// `workers` clients, each with its own client and limiter on `url`, deleting `per_worker`
/// CSRs each (one request per id) at Tencent's documented 10 per second.
async fn run_workers(
    emu: &Arc<Emulator>,
    limiters: &[RedisLimiter],
    per_worker: u64,
) -> Vec<tokio::task::JoinHandle<()>> {
    let mut tasks = Vec::new();
    for (w, l) in limiters.iter().enumerate() {
        let client = tencent_with(
            emu,
            tencent_key(),
            options().shared_rate_limiter(Arc::new(l.clone())),
        );
        let first = w as u64 * per_worker + 1;
        let ids: Vec<u64> = (first..first + per_worker).collect();
        tasks.push(tokio::spawn(delete_one_by_one(client, ids)));
    }
    tasks
}

async fn redis_connection(url: &str) -> redis::aio::MultiplexedConnection {
    redis::Client::open(url)
        .expect("url")
        .get_multiplexed_async_connection()
        .await
        .expect("a connection to the test Redis")
}

/// The throttle factor stored for `key` (1 when the field is absent).
async fn stored_factor(url: &str, redis_key: &str) -> f64 {
    let mut conn = redis_connection(url).await;
    let f: Option<String> = redis::cmd("HGET")
        .arg(redis_key)
        .arg("f")
        .query_async(&mut conn)
        .await
        .expect("HGET");
    f.map_or(1.0, |f| f.parse().expect("a number"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gcra_on_real_redis_paces_many_tasks_at_exactly_the_rate() {
    let redis = shared();
    let prefix = unique_prefix("gcra");
    let warnings = Warnings::default();
    let key = tencent_key_of_the_emulator();
    let (rate, per_task, tasks) = (40.0, 20, 4);
    let config = RateLimitConfig::per_second(rate);
    let started = Instant::now();
    let mut handles = Vec::new();
    for _ in 0..tasks {
        // Each task its own limiter: the only thing they share is Redis.
        let l = limiter(redis.url(), &prefix, 1, &warnings);
        let (key, config) = (key.clone(), config);
        handles.push(tokio::spawn(async move {
            let mut done = Vec::new();
            for _ in 0..per_task {
                l.acquire(&key, &config).await;
                done.push(Instant::now());
            }
            done
        }));
    }
    let mut done = Vec::new();
    for h in handles {
        done.extend(h.await.expect("task"));
    }
    let took = started.elapsed();
    done.sort();
    let n = done.len();
    let least = Duration::from_secs_f64((n - 1) as f64 / rate);
    eprintln!("gcra: {n} acquires at {rate}/s took {took:?} (at least {least:?})");
    assert!(
        took + Duration::from_millis(5) >= least,
        "{n} acquires at {rate}/s took {took:?}, less than {least:?}"
    );
    assert!(
        took < least + Duration::from_millis(300),
        "{n} acquires at {rate}/s took {took:?}: much more than {least:?}"
    );
    // No second holds more than the rate (one slot's jitter aside).
    let most = most_within(&done, Duration::from_millis(990));
    assert!(most <= rate as usize + 2, "{most} acquires within 1 s");
    assert!(warnings.all().is_empty(), "{:?}", warnings.all());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gcra_burst_goes_at_once_then_paces() {
    let redis = shared();
    let prefix = unique_prefix("burst");
    let warnings = Warnings::default();
    let l = limiter(redis.url(), &prefix, 1, &warnings);
    let key = tencent_key_of_the_emulator();
    let config = RateLimitConfig::per_second(10.0).with_burst(5);
    let started = Instant::now();
    for _ in 0..5 {
        l.acquire(&key, &config).await;
    }
    let burst = started.elapsed();
    assert!(burst < Duration::from_millis(60), "a burst of 5: {burst:?}");
    for _ in 0..3 {
        l.acquire(&key, &config).await;
    }
    let took = started.elapsed();
    // Then one slot per 100 ms: the 6th at 100 ms, the 8th at 300 ms.
    assert!(took >= Duration::from_millis(295), "{took:?}");
    assert!(took < Duration::from_millis(450), "{took:?}");
    assert!(warnings.all().is_empty(), "{:?}", warnings.all());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_clients_on_one_redis_use_the_whole_limit_and_are_never_throttled() {
    let redis = shared();
    let prefix = unique_prefix("four-clients");
    let (workers, per_worker) = (4, 25);
    let emu = tencent_emulator(workers * per_worker).await;
    let warnings = Warnings::default();
    let limiters: Vec<RedisLimiter> = (0..workers)
        .map(|_| limiter(redis.url(), &prefix, workers as u32, &warnings))
        .collect();
    let arrivals = Arrivals::watch(&emu);
    for t in run_workers(&emu, &limiters, per_worker).await {
        t.await.expect("worker");
    }
    let times = arrivals.finish();
    let rate = rate_of(&times);
    let throttled = rejected_with(&emu, THROTTLED);
    eprintln!(
        "four clients: {} requests, {rate:.3} requests/s at the emulator, {throttled} throttled",
        times.len()
    );
    assert_eq!(throttled, 0, "the emulator throttled none");
    assert_eq!(times.len(), 100, "one request per id, no retries");
    assert!(emu.tencent_csrs().is_empty(), "every CSR deleted");
    assert!(rate >= 9.5, "together at least 95% of 10/s: {rate:.3}");
    assert!(rate <= 10.2, "never above the limit: {rate:.3}");
    assert!(warnings.all().is_empty(), "{:?}", warnings.all());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_stopped_mid_run_falls_back_to_each_workers_share_and_warns_once() {
    let server = Arc::new(Mutex::new(RedisServer::start()));
    let url = server.lock().expect("server").url();
    let prefix = unique_prefix("outage");
    let (workers, per_worker) = (4, 15);
    let emu = tencent_emulator(workers * per_worker).await;
    let warnings: Vec<Warnings> = (0..workers).map(|_| Warnings::default()).collect();
    let limiters: Vec<RedisLimiter> = warnings
        .iter()
        .map(|w| limiter(&url, &prefix, workers as u32, w))
        .collect();
    let arrivals = Arrivals::watch(&emu);
    let tasks = run_workers(&emu, &limiters, per_worker).await;
    let stopper = {
        let server = server.clone();
        tokio::task::spawn_blocking(move || {
            std::thread::sleep(Duration::from_secs(2));
            server.lock().expect("server").stop();
            Instant::now()
        })
    };
    for t in tasks {
        t.await.expect("worker");
    }
    let stopped_at = stopper.await.expect("stopper");
    let times = arrivals.finish();
    let throttled = rejected_with(&emu, THROTTLED);
    let after: Vec<Instant> = times.iter().copied().filter(|t| *t > stopped_at).collect();
    let before = times.len() - after.len();
    let rate_after = rate_of(&after);
    let most = most_within(&times, Duration::from_secs(1));
    eprintln!(
        "outage: {before} requests shared, {} after Redis stopped at {rate_after:.3} requests/s; \
         at most {most} in one second; {throttled} throttled",
        after.len()
    );
    assert!(before >= 10, "Redis served the start of the run: {before}");
    assert!(after.len() >= 20, "the run went on without Redis");
    assert_eq!(
        throttled, 0,
        "never above the limit: the emulator throttled none"
    );
    assert_eq!(times.len(), 60, "one request per id, no retries");
    assert!(emu.tencent_csrs().is_empty(), "every CSR deleted");
    assert!(
        rate_after <= 10.2,
        "4 workers at 2.5/s each: {rate_after:.3}"
    );
    assert!(most <= 12, "{most} requests within one second");
    for (w, (warned, l)) in warnings.iter().zip(&limiters).enumerate() {
        let all = warned.all();
        assert_eq!(
            all.len(),
            1,
            "worker {w}: one warning for the outage: {all:?}"
        );
        assert!(
            all[0].contains(&format!("Redis at {url} failed")),
            "{}",
            all[0]
        );
        assert!(all[0].contains("2.5 requests/s"), "{}", all[0]);
        assert!(all[0].contains("shared by 4 workers"), "{}", all[0]);
        assert!(!l.is_shared());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_that_answers_again_is_used_again_and_each_change_is_said_once() {
    let mut server = RedisServer::start();
    let port = server.port();
    let warnings = Warnings::default();
    let l = RedisLimiter::with_options(
        &server.url(),
        RedisLimiterOptions::default()
            .with_key_prefix(unique_prefix("comeback"))
            .with_retry_interval(Duration::from_millis(200))
            .with_warning_hook(warnings.hook()),
    )
    .expect("limiter");
    let key = tencent_key_of_the_emulator();
    let config = RateLimitConfig::per_second(50.0);
    l.acquire(&key, &config).await;
    assert!(l.is_shared());
    server.stop();
    for _ in 0..5 {
        l.acquire(&key, &config).await;
    }
    assert!(!l.is_shared());
    assert_eq!(warnings.all().len(), 1, "{:?}", warnings.all());
    let _server = RedisServer::start_on(port).expect("Redis again on the same port");
    let deadline = Instant::now() + Duration::from_secs(5);
    while !l.is_shared() && Instant::now() < deadline {
        l.acquire(&key, &config).await;
    }
    assert!(l.is_shared(), "back on Redis within a few retry intervals");
    for _ in 0..5 {
        l.acquire(&key, &config).await;
    }
    let all = warnings.all();
    assert_eq!(all.len(), 2, "{all:?}");
    assert!(all[0].contains("failed"), "{}", all[0]);
    assert!(all[1].contains("answers again"), "{}", all[1]);
}

/// Just after Redis answers again, other workers may still pace locally (each tries Redis
/// only once per retry interval), so a returning worker keeps to its local share as well for
/// one retry interval: the shared schedule alone would let it take the whole rate on top of
/// the others' shares.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_returning_worker_keeps_to_its_share_while_others_may_still_pace_locally() {
    let mut server = RedisServer::start();
    let port = server.port();
    let retry = Duration::from_millis(1500);
    let l = RedisLimiter::with_options(
        &server.url(),
        RedisLimiterOptions::default()
            .with_key_prefix(unique_prefix("grace"))
            .with_workers(4)
            .with_retry_interval(retry)
            .with_warning_hook(|_| {}),
    )
    .expect("limiter");
    let key = tencent_key_of_the_emulator();
    // 40/s shared by 4 workers: 10/s each while pacing locally.
    let config = RateLimitConfig::per_second(40.0);
    l.acquire(&key, &config).await;
    server.stop();
    l.acquire(&key, &config).await;
    assert!(!l.is_shared());
    let _server = RedisServer::start_on(port).expect("Redis again on the same port");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !l.is_shared() && Instant::now() < deadline {
        l.acquire(&key, &config).await;
    }
    assert!(l.is_shared(), "back on Redis");
    // Within the grace window: 10 requests at the local share take about 1 s, where the
    // shared 40/s alone would take 0.25 s.
    let started = Instant::now();
    for _ in 0..10 {
        l.acquire(&key, &config).await;
    }
    let within = started.elapsed();
    assert!(
        within >= Duration::from_millis(850),
        "kept to 10/s: {within:?}"
    );
    // After the window, the shared schedule alone again.
    tokio::time::sleep(retry).await;
    let started = Instant::now();
    for _ in 0..10 {
        l.acquire(&key, &config).await;
    }
    let after = started.elapsed();
    assert!(
        after < Duration::from_millis(600),
        "back to 40/s: {after:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_reported_by_one_worker_slows_every_worker() {
    let redis = shared();
    let prefix = unique_prefix("feedback");
    let warnings = Warnings::default();
    let a = limiter(redis.url(), &prefix, 2, &warnings);
    let b = limiter(redis.url(), &prefix, 2, &warnings);
    let key = tencent_key_of_the_emulator();
    let redis_key = b.redis_key(&key);
    let config = RateLimitConfig::per_second(20.0);

    // How long `n` acquires of a limiter take.
    let span = |l: RedisLimiter, n: usize| {
        let (key, config) = (key.clone(), config);
        async move {
            let started = Instant::now();
            for _ in 0..n {
                l.acquire(&key, &config).await;
            }
            started.elapsed()
        }
    };
    // B alone at full speed: the first at once, then one slot per 50 ms.
    let full = span(b.clone(), 5).await;
    assert_eq!(stored_factor(redis.url(), &redis_key).await, 1.0);

    // A is throttled: the shared factor halves and the burst is dropped, so each of B's
    // next slots is 100 ms after the one before, the first 100 ms after the throttling: 4 of
    // them end at least 400 ms after it.
    let throttled_at = Instant::now();
    a.on_throttled(&key, &config).await;
    span(b.clone(), 4).await;
    let slowed = throttled_at.elapsed();
    assert_eq!(stored_factor(redis.url(), &redis_key).await, 0.5);
    eprintln!(
        "feedback: 5 acquires at full speed took {full:?}; 4 after A was throttled {slowed:?}"
    );
    assert!(full >= Duration::from_millis(195), "{full:?}");
    assert!(full < Duration::from_millis(300), "{full:?}");
    assert!(
        slowed >= Duration::from_millis(395),
        "B slowed down: {slowed:?}"
    );
    assert!(slowed < Duration::from_millis(550), "{slowed:?}");

    // Successes (B's, which saw the factor) raise it back by a twentieth each, to 1.
    for _ in 0..5 {
        b.on_success(&key, &config).await;
    }
    let f = stored_factor(redis.url(), &redis_key).await;
    assert!((f - 0.75).abs() < 1e-6, "{f}");
    for _ in 0..10 {
        b.on_success(&key, &config).await;
    }
    assert_eq!(stored_factor(redis.url(), &redis_key).await, 1.0);

    // Throttled again and again: never below the floor (10% of the rate).
    for _ in 0..10 {
        a.on_throttled(&key, &config).await;
    }
    let f = stored_factor(redis.url(), &redis_key).await;
    assert!((f - 0.1).abs() < 1e-6, "{f}");
    assert!(warnings.all().is_empty(), "{:?}", warnings.all());
}

/// `INFO commandstats`: how many times `command` ran.
async fn calls_of(conn: &mut redis::aio::MultiplexedConnection, command: &str) -> u64 {
    let info: String = redis::cmd("INFO")
        .arg("commandstats")
        .query_async(conn)
        .await
        .expect("INFO");
    let prefix = format!("cmdstat_{command}:calls=");
    info.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .and_then(|rest| rest.split(',').next())
        .map_or(0, |n| n.parse().expect("a count"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_full_speed_a_request_costs_one_redis_call() {
    let server = RedisServer::start();
    let warnings = Warnings::default();
    let l = limiter(&server.url(), &unique_prefix("calls"), 1, &warnings);
    let key = tencent_key_of_the_emulator();
    let config = RateLimitConfig::per_second(1000.0);
    // The first call loads the script.
    l.acquire(&key, &config).await;
    let mut conn = redis_connection(&server.url()).await;
    let before = calls_of(&mut conn, "evalsha").await;
    for _ in 0..50 {
        l.acquire(&key, &config).await;
        l.on_success(&key, &config).await;
    }
    let after = calls_of(&mut conn, "evalsha").await;
    assert_eq!(
        after - before,
        50,
        "one script call per request, none on success"
    );
    assert!(warnings.all().is_empty(), "{:?}", warnings.all());
}

/// `certctl tencent-ssl delete-csrs` of `ids` against `emu`, one id per request, sharing the
/// limit through `redis_url` among `workers`, with the emulator's keys and nothing else from
/// this environment that could change the run.
fn certctl_delete_csrs(emu: &Emulator, redis_url: &str, workers: u32, ids: &[String]) -> Command {
    let mut cmd = integration_tests::cli::certctl();
    cmd.args(["tencent-ssl", "delete-csrs", "--endpoint", &emu.url()])
        .args(["--output", "json", "--batch-size", "1"])
        .args(["--rate-limit", redis_url])
        .args(["--rate-limit-workers", &workers.to_string()])
        .args(ids)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// The `(id, outcome)` pairs of a certctl JSON report, by id.
fn outcomes(stdout: &[u8]) -> Vec<(String, String)> {
    let doc: Value = serde_json::from_slice(stdout).expect("a JSON report");
    let mut items = integration_tests::cli::report_outcomes(&doc);
    // Each id once, in the order of the ids (the report lists them as the answers came).
    items.sort_by_key(|(id, _)| id.parse::<u64>().unwrap_or_default());
    items
}

fn all_deleted(ids: &[String]) -> Vec<(String, String)> {
    ids.iter()
        .map(|i| (i.clone(), "deleted".to_string()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_certctl_processes_share_tencents_limit_through_redis() {
    let redis = shared();
    let url = redis.url().to_string();
    let (processes, per_process) = (3u64, 40u64);
    let emu = tencent_emulator(processes * per_process).await;
    // certctl writes under the default prefix. Only this test uses the emulator's account
    // there: clear what an earlier run left (a lowered factor would slow this one).
    let redis_key = format!(
        "{}{}",
        cert_ratelimit_redis::DEFAULT_KEY_PREFIX,
        tencent_key_of_the_emulator()
    );
    let _: () = redis::cmd("DEL")
        .arg(&redis_key)
        .query_async(&mut redis_connection(&url).await)
        .await
        .expect("DEL");
    let arrivals = Arrivals::watch(&emu);
    let mut children = Vec::new();
    for p in 0..processes {
        let ids: Vec<String> = (p * per_process + 1..=(p + 1) * per_process)
            .map(|i| i.to_string())
            .collect();
        let child = certctl_delete_csrs(&emu, &url, 3, &ids)
            .spawn()
            .expect("certctl runs");
        children.push(tokio::task::spawn_blocking(move || {
            (ids, child.wait_with_output().expect("certctl output"))
        }));
    }
    for child in children {
        let (ids, out) = child.await.expect("certctl");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "certctl exit status\n{stderr}");
        assert!(!stderr.contains("warning"), "Redis was up: {stderr}");
        assert_eq!(
            outcomes(&out.stdout),
            all_deleted(&ids),
            "every id of this process deleted"
        );
    }
    let times = arrivals.finish();
    let rate = rate_of(&times);
    let throttled = rejected_with(&emu, THROTTLED);
    eprintln!(
        "certctl: {} requests from {processes} processes, {rate:.3} requests/s at the emulator, \
         {throttled} throttled",
        times.len()
    );
    assert_eq!(throttled, 0, "the emulator throttled none");
    assert_eq!(
        times.len() as u64,
        processes * per_process,
        "one request per id"
    );
    assert!(emu.tencent_csrs().is_empty(), "every CSR deleted");
    assert!(rate >= 9.5, "together at least 95% of 10/s: {rate:.3}");
    assert!(rate <= 10.2, "never above the limit: {rate:.3}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certctl_with_an_unreachable_redis_warns_once_and_paces_at_its_share() {
    let emu = tencent_emulator(10).await;
    // Nothing listens there: connection refused from the first request on.
    let url = format!(
        "redis://:s3cret@127.0.0.1:{}/",
        integration_tests::redis::free_port()
    );
    let ids: Vec<String> = (1..=10).map(|i: u64| i.to_string()).collect();
    let arrivals = Arrivals::watch(&emu);
    let cmd = certctl_delete_csrs(&emu, &url, 2, &ids);
    let out = tokio::task::spawn_blocking(move || {
        let mut cmd = cmd;
        cmd.output().expect("certctl runs")
    })
    .await
    .expect("certctl");
    let times = arrivals.finish();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "certctl exit status\n{stderr}");
    assert_eq!(outcomes(&out.stdout), all_deleted(&ids));
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("certctl: warning: "))
        .collect();
    assert_eq!(warnings.len(), 1, "one warning for the outage\n{stderr}");
    assert!(warnings[0].contains("5 requests/s"), "{}", warnings[0]);
    assert!(
        warnings[0].contains("shared by 2 workers"),
        "{}",
        warnings[0]
    );
    assert!(
        !stderr.contains("s3cret"),
        "the password is never printed\n{stderr}"
    );
    let rate = rate_of(&times);
    eprintln!(
        "certctl without Redis: {} requests at {rate:.3} requests/s",
        times.len()
    );
    assert_eq!(rejected_with(&emu, THROTTLED), 0);
    assert!((4.5..=5.2).contains(&rate), "half of 10/s: {rate:.3}");
}

/// The limit holds across both changes of an outage, with many requests of one worker in
/// flight: when Redis stops, the slots it had already handed out still go out, so the
/// worker's own bucket starts where they end; when Redis answers again, the slots that bucket
/// had handed out still go out, so the shared schedule resumes after them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn neither_redis_stopping_nor_coming_back_lets_a_busy_worker_over_the_limit() {
    let mut server = RedisServer::start();
    let (url, port) = (server.url(), server.port());
    let prefix = unique_prefix("transitions");
    let (in_flight, per_task) = (8, 9);
    let emu = tencent_emulator(in_flight * per_task).await;
    let warnings = Warnings::default();
    let shared = limiter(&url, &prefix, 1, &warnings);
    let limiters: Vec<RedisLimiter> = (0..in_flight).map(|_| shared.clone()).collect();
    let arrivals = Arrivals::watch(&emu);
    let tasks = run_workers(&emu, &limiters, per_task).await;
    tokio::time::sleep(Duration::from_millis(2000)).await;
    server.stop();
    let stopped_at = Instant::now();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let _again = RedisServer::start_on(port).expect("Redis again on the same port");
    let restarted_at = Instant::now();
    for t in tasks {
        t.await.expect("worker");
    }
    let times = arrivals.finish();
    let throttled = rejected_with(&emu, THROTTLED);
    let most = most_within(&times, Duration::from_secs(1));
    let after_restart = times.iter().filter(|t| **t > restarted_at).count();
    eprintln!(
        "transitions: {} requests, at most {most} in one second, {throttled} throttled; \
         {after_restart} after Redis came back ({:.1} s after it stopped)",
        times.len(),
        (restarted_at - stopped_at).as_secs_f64()
    );
    assert_eq!(
        times.len() as u64,
        in_flight * per_task,
        "one request per id"
    );
    assert!(after_restart >= 10, "the run went on after Redis came back");
    assert_eq!(
        throttled, 0,
        "never above the limit: the emulator throttled none"
    );
    // 10 per second, give or take the watcher's 2 ms sampling and a late timer (the bound of
    // the outage test above); before the hand-overs were ordered, 17 to 20 went out in one
    // second here.
    assert!(most <= 12, "{most} requests within one second");
    assert!(emu.tencent_csrs().is_empty(), "every CSR deleted");
    let all = warnings.all();
    assert!(all.iter().any(|w| w.contains("failed")), "{all:?}");
}

/// A Redis that answers but refuses the URL's settings is a mistake to fix, not an outage:
/// certctl stops before sending anything (exit 3), and never prints the password.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certctl_refuses_a_redis_that_rejects_the_urls_settings() {
    let server = RedisServer::start();
    let emu = tencent_emulator(2).await;
    let ids: Vec<String> = vec!["1".into(), "2".into()];
    let port = server.port();
    for url in [
        // A database the server does not have (it has 16).
        format!("redis://127.0.0.1:{port}/200"),
        // A password for a server that has none.
        format!("redis://:s3cret@127.0.0.1:{port}/0"),
    ] {
        let cmd = certctl_delete_csrs(&emu, &url, 1, &ids);
        let out = tokio::task::spawn_blocking(move || {
            let mut cmd = cmd;
            cmd.output().expect("certctl runs")
        })
        .await
        .expect("certctl");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{url}\n{stderr}");
        assert!(
            stderr.contains("refused this client's settings"),
            "{stderr}"
        );
        assert!(!stderr.contains("s3cret"), "{stderr}");
    }
    assert!(emu.requests().is_empty(), "nothing was sent");
    assert_eq!(emu.tencent_csrs().len(), 2);
}
