//! Throttling: 1,000 Tencent CSR ids (10 requests of 100) against the emulator's documented
//! server limit of 10 requests per second.
//!
//! Both tests run the same scenario: a burst of 10 requests (1,000 ids that do not exist) that
//! uses up the server's allowance, then the delete of the 1,000 seeded ids. Only the client's
//! pacing differs.

use std::time::{Duration, Instant};

use cert_common::{ClientOptions, RateLimit};
use cert_emulator::{Api, Emulator, Seed};
use integration_tests::{
    assert_one_outcome_per_id, fast_retry, rejected_with, tencent_key, tencent_with,
};

const THROTTLED: &str = "RequestLimitExceeded";

async fn emulator_with_1000_csrs() -> Emulator {
    let emu = Emulator::builder()
        .seed(Seed::empty())
        .start()
        .await
        .expect("emulator");
    assert_eq!(
        emu.rate_limit(Api::TencentSsl),
        Some(10),
        "documented server limit"
    );
    emu.seed_tencent_csrs(1..=1000);
    emu
}

async fn burst_then_delete(emu: &Emulator, client: &tencent_ssl::Client) {
    let absent: Vec<u64> = (5001..=6000).collect();
    let warm_up = client
        .batch_delete_csr()
        .csr_ids(absent)
        .send()
        .await
        .expect("sent");
    assert_eq!(warm_up.requests().len(), 10);

    let ids: Vec<u64> = (1..=1000).collect();
    let out = client
        .batch_delete_csr()
        .csr_ids(ids.clone())
        .send()
        .await
        .expect("sent");
    assert_eq!(out.requests().len(), 10, "10 requests of 100 ids");
    assert_one_outcome_per_id(out.report(), &ids);
    for item in out.report().items() {
        assert_eq!(
            item.outcome.as_str(),
            "deleted",
            "{}: {}",
            item.id,
            item.outcome
        );
    }
    assert!(emu.tencent_csrs().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_documented_client_limit_the_server_never_throttles() {
    let emu = emulator_with_1000_csrs().await;
    // RateLimit::Documented is the default: 10 requests per second for BatchDeleteCSR.
    let client = tencent_with(
        &emu,
        tencent_key(),
        ClientOptions::default().retry(fast_retry(3)),
    );
    let started = Instant::now();
    burst_then_delete(&emu, &client).await;
    let elapsed = started.elapsed();

    assert_eq!(
        rejected_with(&emu, THROTTLED),
        0,
        "no request rejected for rate"
    );
    assert_eq!(emu.requests().len(), 20, "no retries were needed");
    // 20 requests at 10 per second, evenly paced (a burst of 1): at least 1.9 s.
    assert!(elapsed >= Duration::from_millis(1850), "paced: {elapsed:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_client_limit_throttled_requests_are_retried_until_deleted() {
    let emu = emulator_with_1000_csrs().await;
    let mut retry =
        fast_retry(60).with_backoff(Duration::from_millis(20), Duration::from_millis(200));
    retry.budget_capacity = 100_000;
    let options = ClientOptions::default()
        .retry(retry)
        .rate_limit(RateLimit::Off);
    let client = tencent_with(&emu, tencent_key(), options);
    burst_then_delete(&emu, &client).await;

    let rejected = rejected_with(&emu, THROTTLED);
    assert!(
        rejected > 0,
        "the server must have throttled the unpaced burst"
    );
    assert_eq!(
        emu.requests().len(),
        20 + rejected,
        "each rejection was retried once more, nothing else"
    );
}
