//! Server-side rate limits: one token bucket per API (capacity = the per-second limit,
//! refilled continuously), read from the emulator's clock.

use std::collections::HashMap;
use std::time::Duration;

use crate::api::Api;

/// Tencent `BatchDeleteCSR`: 10 requests per second (2025 international page).
pub const TENCENT_PER_SECOND: u32 = 10;
/// Alibaba Cloud `DeleteUserCertificate`: 100 queries per second per user.
pub const ALIYUN_PER_SECOND: u32 = 100;

/// The default limit of an API: Tencent 10/s, Aliyun 100/s, Huawei none (the pages document
/// none; set one to see `APIG.0308`).
pub fn default_limit(api: Api) -> Option<u32> {
    match api {
        Api::TencentSsl => Some(TENCENT_PER_SECOND),
        Api::AliyunCas => Some(ALIYUN_PER_SECOND),
        Api::Elb | Api::Apig | Api::Csms => None,
    }
}

#[derive(Debug, Clone)]
struct Bucket {
    per_second: u32,
    tokens: f64,
    last: Duration,
}

#[derive(Debug, Clone)]
pub(crate) struct RateLimits {
    buckets: HashMap<Api, Bucket>,
}

impl RateLimits {
    pub fn defaults(now: Duration) -> Self {
        let mut r = RateLimits {
            buckets: HashMap::new(),
        };
        for api in Api::ALL {
            r.set(api, default_limit(api), now);
        }
        r
    }

    pub fn set(&mut self, api: Api, per_second: Option<u32>, now: Duration) {
        match per_second.filter(|n| *n > 0) {
            Some(n) => {
                self.buckets.insert(
                    api,
                    Bucket {
                        per_second: n,
                        tokens: f64::from(n),
                        last: now,
                    },
                );
            }
            None => {
                self.buckets.remove(&api);
            }
        }
    }

    pub fn limit(&self, api: Api) -> Option<u32> {
        self.buckets.get(&api).map(|b| b.per_second)
    }

    /// Takes a token, or says how long until one is available.
    pub fn acquire(&mut self, api: Api, now: Duration) -> Result<(), Duration> {
        let Some(b) = self.buckets.get_mut(&api) else {
            return Ok(());
        };
        let rate = f64::from(b.per_second);
        let elapsed = now.saturating_sub(b.last).as_secs_f64();
        b.tokens = (b.tokens + elapsed * rate).min(rate);
        b.last = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64(
                ((1.0 - b.tokens) / rate).max(0.001),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_admits_the_limit_then_refills() {
        let t0 = Duration::from_secs(100);
        let mut r = RateLimits::defaults(t0);
        for _ in 0..10 {
            assert!(r.acquire(Api::TencentSsl, t0).is_ok());
        }
        let wait = r.acquire(Api::TencentSsl, t0).expect_err("11th refused");
        assert_eq!(wait, Duration::from_millis(100));
        assert!(
            r.acquire(Api::TencentSsl, t0 + Duration::from_millis(100))
                .is_ok()
        );
        assert!(
            r.acquire(Api::TencentSsl, t0 + Duration::from_millis(100))
                .is_err()
        );
        for _ in 0..1000 {
            assert!(r.acquire(Api::Elb, t0).is_ok());
        }
        r.set(Api::TencentSsl, None, t0);
        assert!(r.acquire(Api::TencentSsl, t0).is_ok());
        assert_eq!(r.limit(Api::AliyunCas), Some(100));
    }
}
