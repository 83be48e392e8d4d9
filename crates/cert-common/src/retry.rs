//! Retry policy: which errors are worth another attempt, how long to wait, and when to stop.
//!
//! - [`RetryClass`] says what an error means for retrying; [`crate::answer`] derives it from
//!   each API's generated error table and the HTTP status (Tencent reports errors inside
//!   HTTP 200 bodies, so the code matters as much as the status).
//! - [`RetryConfig`] holds attempts, full-jitter exponential backoff
//!   (`min(base * 2^(n-1), cap) * U[0,1)`) and an overall deadline.
//! - [`RetryBudget`] is shared by every clone of a client so that an outage is not
//!   multiplied by retries.
//!
//! The loop itself lives in [`crate::runtime`]; everything here is pure and tested with
//! injected randomness.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use crate::time::{UtcDateTime, unix_seconds};

/// What an error means for retrying. Specs spell it in lower case (`throttling`,
/// `transient`, `permanent`): codegen reads it from them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum RetryClass {
    /// The server asked us to slow down: retry after a wait, and slow the rate limiter.
    Throttling,
    /// A passing failure (5xx, broken connection): retry after a backoff.
    Transient,
    /// Retrying will not help (bad input, no permission, resource in use).
    Permanent,
}

impl RetryClass {
    /// True unless permanent.
    pub fn is_retryable(self) -> bool {
        !matches!(self, RetryClass::Permanent)
    }
}

/// Parses a `Retry-After` header: delay-seconds or an HTTP date (relative to `now_unix`).
/// A date in the past means "now" (zero).
#[doc(hidden)]
pub fn parse_retry_after(value: &str, now_unix: i64) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = UtcDateTime::parse_http_date(v)?.to_unix();
    Some(Duration::from_secs(
        at.saturating_sub(now_unix).max(0) as u64
    ))
}

/// The server's wait hint from an answer's standard `Retry-After` header (seconds or an
/// HTTP date). A vendor with a header of its own reads it first (Aliyun's
/// `x-acs-retry-after`, in `providers/aliyun`).
#[doc(hidden)]
pub fn server_retry_hint(
    headers: &crate::http::HeaderMap,
    now: std::time::SystemTime,
) -> Option<Duration> {
    let value = headers.get("retry-after").and_then(|v| v.to_str().ok())?;
    parse_retry_after(value, unix_seconds(now))
}

/// Retry settings of a client.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RetryConfig {
    /// Attempts in all, the first included (1 = no retries).
    pub max_attempts: u32,
    /// Backoff base: the cap on the first retry's delay.
    pub initial_backoff: Duration,
    /// Largest computed backoff (a server's own hint may be longer, within the deadline).
    pub max_backoff: Duration,
    /// Deadline of a whole operation, retries and waits included. `None`: no deadline.
    pub operation_timeout: Option<Duration>,
    /// Size of the retry budget shared by a client's clones.
    pub budget_capacity: u32,
}

impl Default for RetryConfig {
    /// 3 attempts, full-jitter exponential backoff from 200 ms capped at 20 s, 120 s per
    /// operation, a budget of 500 tokens (a retry costs 5, a retry after a timeout or a
    /// broken connection 10; a success returns 1).
    fn default() -> Self {
        RetryConfig {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(20),
            operation_timeout: Some(Duration::from_secs(120)),
            budget_capacity: 500,
        }
    }
}

impl RetryConfig {
    /// One attempt, no retries.
    pub fn disabled() -> Self {
        RetryConfig {
            max_attempts: 1,
            ..RetryConfig::default()
        }
    }

    /// Sets the number of attempts (at least 1).
    pub fn with_max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n.max(1);
        self
    }

    /// Sets backoff base and cap.
    pub fn with_backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max.max(initial);
        self
    }

    /// Sets the operation deadline.
    pub fn with_operation_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.operation_timeout = timeout;
        self
    }

    /// The largest delay allowed before retry number `retry` (1 for the first retry):
    /// `min(base * 2^(retry-1), cap)`.
    pub fn backoff_ceiling(&self, retry: u32) -> Duration {
        let shift = retry.saturating_sub(1).min(31);
        let factor = 1u64 << shift;
        let ms = (self.initial_backoff.as_millis() as u64).saturating_mul(factor);
        Duration::from_millis(ms).min(self.max_backoff)
    }

    /// The full-jitter delay before retry number `retry`, with `unit` drawn from `[0, 1)`.
    pub fn backoff(&self, retry: u32, unit: f64) -> Duration {
        let unit = if unit.is_finite() {
            unit.clamp(0.0, 1.0)
        } else {
            0.0
        };
        self.backoff_ceiling(retry).mul_f64(unit)
    }

    /// The delay before retry number `retry`: the server's hint when it gave one, the
    /// jittered backoff otherwise.
    pub fn delay(&self, retry: u32, unit: f64, server_hint: Option<Duration>) -> Duration {
        match server_hint {
            Some(hint) => hint,
            None => self.backoff(retry, unit),
        }
    }
}

/// A retry budget (token bucket) shared by every clone of a client, so that during an outage
/// each call makes roughly one attempt instead of `max_attempts`.
///
/// Lock-free: a success while the budget is full (the usual case) only reads the count, so
/// concurrent calls on several threads do not contend for it.
#[derive(Debug)]
#[doc(hidden)]
pub struct RetryBudget {
    capacity: u32,
    tokens: AtomicU32,
}

/// Tokens a retry costs.
#[doc(hidden)]
pub const RETRY_COST: u32 = 5;
/// Tokens a retry after a timeout or broken connection costs.
#[doc(hidden)]
pub const RETRY_TIMEOUT_COST: u32 = 10;
/// Tokens a success returns.
#[doc(hidden)]
pub const SUCCESS_REFUND: u32 = 1;

impl RetryBudget {
    /// A full budget of `capacity` tokens.
    pub fn new(capacity: u32) -> Self {
        RetryBudget {
            capacity,
            tokens: AtomicU32::new(capacity),
        }
    }

    /// Takes the cost of one retry; false when the budget cannot pay for it.
    pub fn try_acquire(&self, cost: u32) -> bool {
        self.tokens
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| t.checked_sub(cost))
            .is_ok()
    }

    /// Returns tokens after a success.
    pub fn refund(&self, amount: u32) {
        let capacity = self.capacity;
        // `None` (already full) leaves the count alone without writing to it.
        let _ = self
            .tokens
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| {
                (t < capacity).then(|| t.saturating_add(amount).min(capacity))
            });
    }

    /// Tokens left.
    pub fn available(&self) -> u32 {
        self.tokens.load(Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_full_jitter_within_bounds() {
        let c =
            RetryConfig::default().with_backoff(Duration::from_millis(100), Duration::from_secs(1));
        assert_eq!(c.backoff_ceiling(1), Duration::from_millis(100));
        assert_eq!(c.backoff_ceiling(2), Duration::from_millis(200));
        assert_eq!(c.backoff_ceiling(4), Duration::from_millis(800));
        assert_eq!(c.backoff_ceiling(5), Duration::from_secs(1));
        assert_eq!(c.backoff_ceiling(60), Duration::from_secs(1));
        for retry in 1..8 {
            for unit in [0.0, 0.25, 0.5, 0.999_999] {
                let d = c.backoff(retry, unit);
                assert!(
                    d < c.backoff_ceiling(retry) || d.is_zero(),
                    "{retry} {unit} {d:?}"
                );
            }
        }
        assert_eq!(c.backoff(3, 0.5), Duration::from_millis(200));
        assert_eq!(c.backoff(3, f64::NAN), Duration::ZERO);
    }

    #[test]
    fn server_hint_wins_over_backoff() {
        let c = RetryConfig::default();
        assert_eq!(
            c.delay(1, 0.9, Some(Duration::from_secs(7))),
            Duration::from_secs(7)
        );
    }

    #[test]
    fn retry_after_seconds_and_http_date() {
        assert_eq!(parse_retry_after(" 3 ", 0), Some(Duration::from_secs(3)));
        // 784111777 = Sun, 06 Nov 1994 08:49:37 GMT
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", 784_111_777),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 784_111_800),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", 0), None);
        let r = crate::test_util::response(503, &[("Retry-After", "2")], "");
        assert_eq!(
            server_retry_hint(&r.headers, std::time::UNIX_EPOCH),
            Some(Duration::from_secs(2))
        );
        let r = crate::test_util::response(503, &[("X-Acs-Retry-After", "1500")], "");
        assert_eq!(
            server_retry_hint(&r.headers, std::time::UNIX_EPOCH),
            None,
            "a vendor's own header is its folder's to read"
        );
    }

    #[test]
    fn budget_runs_out_and_refills() {
        let b = RetryBudget::new(12);
        assert!(b.try_acquire(RETRY_COST));
        assert!(b.try_acquire(RETRY_COST));
        assert!(!b.try_acquire(RETRY_COST));
        assert_eq!(b.available(), 2);
        for _ in 0..20 {
            b.refund(SUCCESS_REFUND);
        }
        assert_eq!(b.available(), 12);
    }

    #[test]
    fn concurrent_retries_never_overdraw_the_budget() {
        let b = std::sync::Arc::new(RetryBudget::new(500));
        let granted: u32 = (0..8)
            .map(|_| {
                let b = b.clone();
                std::thread::spawn(move || (0..100).filter(|_| b.try_acquire(RETRY_COST)).count())
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|t| t.join().expect("thread") as u32)
            .sum();
        assert_eq!(granted, 100);
        assert_eq!(b.available(), 0);
    }
}
