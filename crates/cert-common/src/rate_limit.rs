//! Client-side pacing: the [`Limiter`] trait, its in-process implementation (an async token
//! bucket shared by every clone of a client, the default), and the [`LimitKey`] a limiter
//! shared by many processes keys its state by.
//!
//! A limiter shared across processes (Redis, in the `cert-ratelimit-redis` crate) plugs in
//! through [`ClientOptions::shared_rate_limiter`](crate::ClientOptions::shared_rate_limiter).
//!
//! The in-process bucket:
//! Each caller reserves the next slot under a short lock (the bucket may go negative: that is
//! the queue), then sleeps outside the lock until its slot. Slots are handed out in the order
//! callers arrive, so concurrent callers are served fairly and the long-run rate is exactly the
//! configured one. When the server throttles, the rate is halved (down to a floor) and the burst
//! is dropped; each success then raises it back by a twentieth of the configured rate.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;

use crate::time::{Clock, Sleep, SystemClock, TokioSleep};

/// The resolution of tokio's timer: a sleep lasts at least this long.
pub const TIMER_RESOLUTION: Duration = Duration::from_millis(1);

/// Settings of a [`RateLimiter`].
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct RateLimitConfig {
    /// Requests per second at full speed.
    pub rate_per_second: f64,
    /// Requests that may go at once after a quiet period (at least 1).
    pub burst: u32,
    /// Slowest rate after repeated throttling, as a fraction of `rate_per_second`.
    pub min_fraction: f64,
}

impl RateLimitConfig {
    /// `rate_per_second` with a burst of 1 (even pacing).
    pub fn per_second(rate_per_second: f64) -> Self {
        RateLimitConfig {
            rate_per_second,
            burst: 1,
            min_fraction: 0.1,
        }
    }

    /// Sets the burst.
    pub fn with_burst(mut self, burst: u32) -> Self {
        self.burst = burst.max(1);
        self
    }

    /// Sets the slowest rate after repeated throttling, as a fraction of the full rate.
    pub fn with_min_fraction(mut self, fraction: f64) -> Self {
        self.min_fraction = fraction;
        self
    }
}

#[derive(Debug)]
struct State {
    tokens: f64,
    last: Duration,
    rate: f64,
}

#[derive(Debug)]
struct Inner {
    config: RateLimitConfig,
    state: Mutex<State>,
    clock: Arc<dyn Clock>,
    sleep: Arc<dyn Sleep>,
}

/// A token bucket; clones share it.
#[derive(Debug, Clone)]
pub struct RateLimiter {
    inner: Arc<Inner>,
}

impl RateLimiter {
    /// A limiter on the real clock.
    ///
    /// # Panics
    /// Never: a non-positive or non-finite rate is treated as one request per second.
    pub fn new(config: RateLimitConfig) -> Self {
        Self::with_time(config, Arc::new(SystemClock), Arc::new(TokioSleep))
    }

    /// A limiter on an injected clock and sleep (for tests).
    pub fn with_time(
        mut config: RateLimitConfig,
        clock: Arc<dyn Clock>,
        sleep: Arc<dyn Sleep>,
    ) -> Self {
        if !(config.rate_per_second.is_finite() && config.rate_per_second > 0.0) {
            config.rate_per_second = 1.0;
        }
        config.burst = config.burst.max(1);
        if !(config.min_fraction.is_finite()
            && config.min_fraction > 0.0
            && config.min_fraction <= 1.0)
        {
            config.min_fraction = 0.1;
        }
        let now = clock.monotonic();
        RateLimiter {
            inner: Arc::new(Inner {
                state: Mutex::new(State {
                    tokens: f64::from(config.burst),
                    last: now,
                    rate: config.rate_per_second,
                }),
                config,
                clock,
                sleep,
            }),
        }
    }

    /// The configuration.
    pub fn config(&self) -> RateLimitConfig {
        self.inner.config
    }

    /// The current rate (lower than configured while recovering from throttling).
    pub fn current_rate(&self) -> f64 {
        self.lock().rate
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.inner.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Reserves the next slot and returns how long to wait for it. Does not sleep.
    pub fn reserve(&self) -> Duration {
        self.reserve_at_rate().0
    }

    /// [`reserve`](Self::reserve), with the rate the slot was reserved at.
    fn reserve_at_rate(&self) -> (Duration, f64) {
        let now = self.inner.clock.monotonic();
        let mut s = self.lock();
        let elapsed = now.saturating_sub(s.last).as_secs_f64();
        s.last = s.last.max(now);
        s.tokens = (s.tokens + elapsed * s.rate).min(f64::from(self.inner.config.burst));
        s.tokens -= 1.0;
        let wait = if s.tokens >= 0.0 {
            Duration::ZERO
        } else {
            // A wait too long to represent (a rate of 1e-300 per second) is forever, not a
            // panic.
            Duration::try_from_secs_f64(-s.tokens / s.rate).unwrap_or(Duration::MAX)
        };
        (wait, s.rate)
    }

    /// Holds every slot not yet reserved until at least `by` from now, and gives up any burst
    /// saved up: a limiter taking over from another pacing the same account (a shared limiter
    /// whose store went away) starts where the other's reservations end, not on top of them.
    pub fn defer(&self, by: Duration) {
        let now = self.inner.clock.monotonic();
        let mut s = self.lock();
        let elapsed = now.saturating_sub(s.last).as_secs_f64();
        s.last = s.last.max(now);
        s.tokens = (s.tokens + elapsed * s.rate).min(f64::from(self.inner.config.burst));
        // The next reservation takes one token and waits -tokens / rate: at least `by`.
        s.tokens = s.tokens.min(1.0 - by.as_secs_f64() * s.rate);
    }

    /// How long from now until the last slot reserved so far (zero when none is ahead).
    pub fn reserved_ahead(&self) -> Duration {
        let now = self.inner.clock.monotonic();
        let s = self.lock();
        let elapsed = now.saturating_sub(s.last).as_secs_f64();
        let tokens = s.tokens + elapsed * s.rate;
        if tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::try_from_secs_f64(-tokens / s.rate).unwrap_or(Duration::MAX)
        }
    }

    /// Waits for the next slot.
    ///
    /// Above 1,000 requests per second, slots are closer together than tokio's timer can
    /// sleep (its resolution is [`TIMER_RESOLUTION`], 1 ms): there a wait shorter than the
    /// resolution is not slept, since sleeping would take a whole millisecond and hold the
    /// rate far below the configured one. The slot stays reserved, so the long-run rate is
    /// still exactly the configured one; a request may go less than 1 ms before its slot. At
    /// 1,000 requests per second or less (every documented limit) each wait is slept.
    pub async fn acquire(&self) {
        let (wait, rate) = self.reserve_at_rate();
        if wait.is_zero()
            || (wait < TIMER_RESOLUTION && rate > 1.0 / TIMER_RESOLUTION.as_secs_f64())
        {
            return;
        }
        self.inner.sleep.sleep(wait).await;
    }

    /// The server throttled us: halve the rate (not below the floor) and drop the burst.
    pub fn on_throttled(&self) {
        let floor = self.inner.config.rate_per_second * self.inner.config.min_fraction;
        let mut s = self.lock();
        s.rate = (s.rate * 0.5).max(floor);
        if s.tokens > 0.0 {
            s.tokens = 0.0;
        }
    }

    /// A request succeeded: recover a twentieth of the configured rate.
    pub fn on_success(&self) {
        let full = self.inner.config.rate_per_second;
        let mut s = self.lock();
        if s.rate < full {
            s.rate = (s.rate + full / 20.0).min(full);
        }
    }
}

/// What a limiter shared by many workers keys its state by: workers on one account, region and
/// action share one limit, whatever process or machine they run in.
///
/// The account is a hash of the access key id, never the key (the id itself is not secret,
/// but it need not sit in a shared store either).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct LimitKey {
    /// `huawei`, `tencent` or `aliyun`.
    pub vendor: &'static str,
    /// The first 16 hex digits of the SHA-256 of the access key id (of the IAM token for
    /// Huawei token credentials).
    pub account: String,
    /// The client's region, or `global` when it has none.
    pub region: String,
    /// The vendor's action name (`BatchDeleteCSR`).
    pub action: &'static str,
}

impl LimitKey {
    /// The key of `action` on `vendor` for the account of `key_id` in `region`.
    pub fn new(
        vendor: &'static str,
        key_id: &str,
        region: Option<&str>,
        action: &'static str,
    ) -> Self {
        LimitKey {
            vendor,
            account: Self::account_of(key_id),
            region: region
                .filter(|r| !r.is_empty())
                .unwrap_or("global")
                .to_string(),
            action,
        }
    }

    /// The account label of an access key id: the first 16 hex digits of its SHA-256.
    pub fn account_of(key_id: &str) -> String {
        let digest = ring::digest::digest(&ring::digest::SHA256, key_id.as_bytes());
        let mut out = String::with_capacity(16);
        for b in &digest.as_ref()[..8] {
            use fmt::Write;
            let _ = write!(out, "{b:02x}");
        }
        out
    }
}

impl fmt::Display for LimitKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}:{}",
            self.vendor, self.account, self.region, self.action
        )
    }
}

/// Paces requests. Every attempt of every request waits in [`acquire`](Limiter::acquire)
/// first; the attempt's answer is fed back, so throttling slows the pace for everyone who
/// shares the limiter.
///
/// Implementations never fail: a limiter whose store is unreachable must still pace, at a
/// rate that cannot exceed the limit (the Redis limiter falls back to the local bucket at the
/// rate divided by its worker count), and say so.
#[async_trait]
pub trait Limiter: Send + Sync + fmt::Debug {
    /// Waits until one more request under `key` may go at `config`'s rate.
    async fn acquire(&self, key: &LimitKey, config: &RateLimitConfig);
    /// The server throttled a request under `key`: slow down.
    async fn on_throttled(&self, key: &LimitKey, config: &RateLimitConfig);
    /// A request under `key` was answered without throttling.
    async fn on_success(&self, key: &LimitKey, config: &RateLimitConfig);
}

/// The in-process bucket as a [`Limiter`]: it keeps one state, whatever the key, and its own
/// configuration (so one bucket serves one client's operation).
#[async_trait]
impl Limiter for RateLimiter {
    async fn acquire(&self, _key: &LimitKey, _config: &RateLimitConfig) {
        RateLimiter::acquire(self).await;
    }
    async fn on_throttled(&self, _key: &LimitKey, _config: &RateLimitConfig) {
        RateLimiter::on_throttled(self);
    }
    async fn on_success(&self, _key: &LimitKey, _config: &RateLimitConfig) {
        RateLimiter::on_success(self);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::ManualClock;

    fn manual(rate: f64, burst: u32) -> (RateLimiter, ManualClock) {
        let clock = ManualClock::at_unix(0);
        let l = RateLimiter::with_time(
            RateLimitConfig::per_second(rate).with_burst(burst),
            Arc::new(clock.clone()),
            Arc::new(clock.clone()),
        );
        (l, clock)
    }

    #[tokio::test]
    async fn long_run_is_within_two_percent_of_the_rate() {
        for (rate, burst) in [(10.0, 1), (100.0, 1), (10.0, 5), (3.5, 2)] {
            let (l, clock) = manual(rate, burst);
            let n = 2000;
            for _ in 0..n {
                l.acquire().await;
            }
            let achieved = f64::from(n) / clock.elapsed().as_secs_f64();
            let err = (achieved - rate).abs() / rate;
            assert!(err < 0.02, "rate {rate} burst {burst}: achieved {achieved}");
        }
    }

    /// Above 1,000/s a wait shorter than the timer's resolution is not slept (a sleep would
    /// last 1 ms), yet the long-run rate stays the configured one: the slots stay reserved,
    /// and once the queue is 1 ms deep its waits are slept.
    #[tokio::test]
    async fn above_the_timers_resolution_short_waits_are_not_slept_and_the_rate_holds() {
        for rate in [2_000.0, 100_000.0] {
            let (l, clock) = manual(rate, 1);
            let n = 50_000;
            for _ in 0..n {
                l.acquire().await;
            }
            let sleeps = clock.sleeps();
            assert!(
                sleeps.iter().all(|s| *s >= TIMER_RESOLUTION),
                "rate {rate}: no sleep under 1 ms"
            );
            assert!(sleeps.len() < n / 2, "rate {rate}: {} sleeps", sleeps.len());
            let achieved = f64::from(n as u32) / clock.elapsed().as_secs_f64();
            let err = (achieved - rate) / rate;
            assert!(
                (0.0..0.02).contains(&err),
                "rate {rate}: achieved {achieved}"
            );
        }
        // At 1,000/s and below every wait is slept, however short.
        let (l, clock) = manual(1_000.0, 1);
        l.acquire().await;
        clock.advance(Duration::from_micros(900));
        l.acquire().await;
        assert_eq!(clock.sleeps(), vec![Duration::from_micros(100)]);
    }

    #[tokio::test]
    async fn burst_goes_at_once_then_paces() {
        let (l, clock) = manual(10.0, 3);
        for _ in 0..3 {
            l.acquire().await;
        }
        assert!(clock.sleeps().is_empty());
        l.acquire().await;
        assert_eq!(clock.sleeps(), vec![Duration::from_millis(100)]);
    }

    #[test]
    fn concurrent_reservations_are_served_in_arrival_order() {
        let (l, _clock) = manual(10.0, 1);
        let waits: Vec<Duration> = (0..50).map(|_| l.reserve()).collect();
        for (i, w) in waits.iter().enumerate() {
            let expected = Duration::from_millis(100 * i as u64);
            let diff = w.abs_diff(expected);
            assert!(diff < Duration::from_micros(10), "slot {i}: {w:?}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_tasks_finish_one_slot_apart() {
        let l = RateLimiter::new(RateLimitConfig::per_second(20.0));
        let start = tokio::time::Instant::now();
        let mut handles = Vec::new();
        for _ in 0..40 {
            let l = l.clone();
            handles.push(tokio::spawn(async move {
                l.acquire().await;
                tokio::time::Instant::now() - start
            }));
        }
        let mut done = Vec::new();
        for h in handles {
            done.push(h.await.expect("task"));
        }
        done.sort();
        for (i, d) in done.iter().enumerate() {
            let expected = Duration::from_millis(50 * i as u64);
            assert!(
                d.abs_diff(expected) <= Duration::from_millis(1),
                "task {i}: {d:?}"
            );
        }
    }

    #[tokio::test]
    async fn throttling_slows_down_and_success_recovers() {
        let (l, _clock) = manual(10.0, 1);
        l.on_throttled();
        assert_eq!(l.current_rate(), 5.0);
        for _ in 0..10 {
            l.on_throttled();
        }
        assert_eq!(l.current_rate(), 1.0, "floor is 10% of the configured rate");
        for _ in 0..5 {
            l.on_success();
        }
        assert!((l.current_rate() - 3.5).abs() < 1e-9);
        for _ in 0..100 {
            l.on_success();
        }
        assert_eq!(l.current_rate(), 10.0);
    }

    #[test]
    fn limit_keys_hash_the_key_id_and_name_the_scope() {
        let k = LimitKey::new(
            "tencent",
            "AKIDEXAMPLE",
            Some("ap-guangzhou"),
            "BatchDeleteCSR",
        );
        assert_eq!(k.account.len(), 16);
        assert!(!k.to_string().contains("AKIDEXAMPLE"));
        assert_eq!(
            k.to_string(),
            format!("tencent:{}:ap-guangzhou:BatchDeleteCSR", k.account)
        );
        let other = LimitKey::new("tencent", "AKIDOTHER", None, "BatchDeleteCSR");
        assert_ne!(k.account, other.account);
        assert_eq!(other.region, "global");
    }

    #[test]
    fn nonsense_rate_does_not_panic() {
        let (l, _) = manual(f64::NAN, 0);
        assert_eq!(l.config().rate_per_second, 1.0);
        assert_eq!(l.reserve(), Duration::ZERO);
    }

    #[test]
    fn a_deferred_limiter_starts_after_the_hold_without_a_burst() {
        let (l, clock) = manual(10.0, 5);
        l.defer(Duration::from_millis(300));
        assert_eq!(
            l.reserve(),
            Duration::from_millis(300),
            "not before the hold"
        );
        assert_eq!(
            l.reserve(),
            Duration::from_millis(400),
            "then at the rate, no burst"
        );
        assert_eq!(l.reserved_ahead(), Duration::from_millis(400));
        clock.advance(Duration::from_millis(450));
        assert_eq!(l.reserved_ahead(), Duration::ZERO);
        // A hold already passed gives up the saved burst only.
        clock.advance(Duration::from_secs(10));
        l.defer(Duration::ZERO);
        assert_eq!(l.reserve(), Duration::ZERO);
        assert_eq!(l.reserve(), Duration::from_millis(100));
    }

    #[test]
    fn a_rate_too_small_to_wait_for_waits_forever_without_panicking() {
        let (l, _) = manual(1e-300, 1);
        assert_eq!(l.reserve(), Duration::ZERO, "the burst");
        assert_eq!(l.reserve(), Duration::MAX, "1e300 s is no Duration");
    }
}
