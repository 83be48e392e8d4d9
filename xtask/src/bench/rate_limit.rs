//! Rate-limit fidelity: a client on its documented limit against the emulator with its
//! server-side limit on (Tencent 10/s for 20 s, Aliyun 100/s for 10 s). Eight tasks send
//! one-id deletes as fast as the client lets them until the deadline; the emulator's request
//! log gives the number of requests and of throttled answers.
//!
//! The rate is requests logged / time from the first send to the last answer: requests still
//! waiting on the client's limiter at the deadline are sent (paced) after it, and counted,
//! with the time they take.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

use cert_common::ClientOptions;
use cert_common::credentials::AccessKey;
use cert_emulator::credentials as c;
use cert_emulator::{AliyunCertificate, Api, Decision, Emulator, Seed};

use super::Row;

const BENCH: &str = "rate-limit";
const TASKS: usize = 8;

pub fn run(quick: bool) -> Result<Vec<Row>, String> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let (tencent_secs, aliyun_secs) = if quick { (4, 2) } else { (20, 10) };
    let mut rows = rt.block_on(tencent(tencent_secs))?;
    rows.extend(rt.block_on(aliyun(aliyun_secs))?);
    Ok(rows)
}

/// Seeds `count` ids from 1 (Tencent CSRs, Aliyun certificates) so every delete is real.
fn seed(count: i64) -> Seed {
    let mut seed = Seed::empty();
    seed.tencent_csrs = (1..=count as u64).collect();
    seed.aliyun_certificates = (1..=count)
        .map(|id| AliyunCertificate {
            id,
            in_use_by: Vec::new(),
        })
        .collect();
    seed
}

/// Runs `call(id)` from [`TASKS`] tasks with fresh ids until `secs` have passed; returns the
/// time from start to the last answer.
async fn drive<F, Fut>(secs: u64, call: F) -> Result<Duration, String>
where
    F: Fn(i64) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = Result<(), String>> + Send,
{
    let next = Arc::new(AtomicI64::new(1));
    let started = Instant::now();
    let deadline = started + Duration::from_secs(secs);
    let mut tasks = Vec::new();
    for _ in 0..TASKS {
        let (call, next) = (call.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                call(next.fetch_add(1, Ordering::Relaxed)).await?;
            }
            Ok::<(), String>(())
        }));
    }
    for t in tasks {
        t.await.map_err(|e| e.to_string())??;
    }
    Ok(started.elapsed())
}

fn report(
    emu: &Emulator,
    api: Api,
    name: &str,
    limit: f64,
    elapsed: Duration,
) -> Result<Vec<Row>, String> {
    let log: Vec<_> = emu
        .requests()
        .into_iter()
        .filter(|r| r.api == Some(api))
        .collect();
    let throttled = log
        .iter()
        .filter(|r| {
            r.status == Some(429)
                || matches!(&r.decision, Decision::Rejected { code }
                    if code.contains("Throttling") || code.contains("LimitExceeded"))
        })
        .count();
    let other_rejected = log
        .iter()
        .filter(|r| !matches!(r.decision, Decision::Accepted))
        .count()
        - throttled;
    if other_rejected > 0 {
        return Err(format!(
            "{name}: {other_rejected} requests were refused for another reason than throttling"
        ));
    }
    let secs = elapsed.as_secs_f64();
    let rate = log.len() as f64 / secs;
    let case = |what: &str| format!("{name} {limit:.0}/s, {secs:.1} s: {what}");
    Ok(vec![
        Row::info(BENCH, case("requests"), log.len() as f64, ""),
        Row::info(BENCH, case("achieved rate"), rate, "req/s"),
        Row::info(BENCH, case("achieved / limit"), 100.0 * rate / limit, "%")
            .checked(">= 97%", rate >= 0.97 * limit),
        Row::info(BENCH, case("throttled answers"), throttled as f64, "")
            .checked("0", throttled == 0),
    ])
}

async fn tencent(secs: u64) -> Result<Vec<Row>, String> {
    let emu = Emulator::builder()
        .seed(seed(1_000))
        .start()
        .await
        .map_err(|e| e.to_string())?;
    let limit = emu.rate_limit(Api::TencentSsl).ok_or("no Tencent limit")? as f64;
    let client = tencent_ssl::Client::new(
        tencent_ssl::Config::builder()
            .endpoint(emu.url())
            .credentials(AccessKey::new(c::TENCENT_SECRET_ID, c::TENCENT_SECRET_KEY))
            .options(ClientOptions::default())
            .build(),
    )
    .map_err(|e| e.to_string())?;
    let elapsed = drive(secs, move |id| {
        let client = client.clone();
        async move {
            let out = client
                .batch_delete_csr()
                .csr_ids([id as u64])
                .send()
                .await
                .map_err(|e| e.to_string())?;
            match out.requests().iter().find_map(|b| b.error.as_ref()) {
                Some(e) => Err(format!("tencent: {e}")),
                None => Ok(()),
            }
        }
    })
    .await?;
    report(&emu, Api::TencentSsl, "tencent", limit, elapsed)
}

async fn aliyun(secs: u64) -> Result<Vec<Row>, String> {
    let emu = Emulator::builder()
        .seed(seed(3_000))
        .start()
        .await
        .map_err(|e| e.to_string())?;
    let limit = emu.rate_limit(Api::AliyunCas).ok_or("no Aliyun limit")? as f64;
    let client = aliyun_cas::Client::new(
        aliyun_cas::Config::builder()
            .endpoint(emu.url())
            .credentials(AccessKey::new(
                c::ALIYUN_ACCESS_KEY_ID,
                c::ALIYUN_ACCESS_KEY_SECRET,
            ))
            .options(ClientOptions::default())
            .build(),
    )
    .map_err(|e| e.to_string())?;
    let elapsed = drive(secs, move |id| {
        let client = client.clone();
        async move {
            client
                .delete_user_certificate()
                .cert_id(id)
                .send()
                .await
                .map(drop)
                .map_err(|e| format!("aliyun: {e}"))
        }
    })
    .await?;
    report(&emu, Api::AliyunCas, "aliyun", limit, elapsed)
}
