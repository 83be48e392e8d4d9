//! A rate limit shared by every worker that deletes through the same account, whatever
//! process or machine it runs in: [`RedisLimiter`], a [`cert_common::Limiter`] on Redis.
//!
//! Plug it into any client of the SDK with
//! [`ClientOptions::shared_rate_limiter`](cert_common::ClientOptions::shared_rate_limiter):
//!
//! ```no_run
//! use std::sync::Arc;
//! use cert_common::ClientOptions;
//! use cert_ratelimit_redis::{RedisLimiter, RedisLimiterOptions};
//!
//! # fn main() -> Result<(), cert_common::Error> {
//! // Four workers (processes, pods...) share Tencent's 10 requests per second.
//! let limiter = RedisLimiter::with_options(
//!     "redis://127.0.0.1:6379/0",
//!     RedisLimiterOptions::default().with_workers(4),
//! )?;
//! let options = ClientOptions::default().shared_rate_limiter(Arc::new(limiter));
//! # let _ = options;
//! # Ok(())
//! # }
//! ```
//!
//! The rate itself is still the client's (the API's documented limit, or
//! [`RateLimit::Custom`](cert_common::RateLimit::Custom)); the limiter only makes every worker
//! draw from one schedule.
//!
//! # The algorithm
//!
//! GCRA (the generic cell rate algorithm), as [redis-cell] implements it, in reservation
//! style. Each limit keeps a *theoretical arrival time* `tat`: the moment its schedule is free
//! again. An [`acquire`](cert_common::Limiter::acquire) is **one** Lua script, run atomically
//! by Redis, on **Redis's clock** (`redis.call('TIME')`, so the workers' own clocks do not
//! matter):
//!
//! ```text
//! interval = (1 s / rate) / factor
//! slot     = max(tat, now)
//! tat      = slot + interval                                  (stored, with PEXPIRE)
//! wait     = max(0, slot - (burst - 1) * interval - now)      (returned, in microseconds)
//! ```
//!
//! The caller then sleeps `wait` (a tokio sleep) and sends. Every call reserves a slot, so
//! callers are served in the order they reached Redis and N workers together send at exactly
//! the rate, never more; after a quiet period `burst` requests may go at once.
//!
//! `factor` (in `(0, 1]`, kept in the same hash) is the shared answer to throttling:
//! [`on_throttled`](cert_common::Limiter::on_throttled) halves it (not below
//! [`RateLimitConfig::min_fraction`]) and drops the burst, in one script, so *every* worker
//! slows down at once; [`on_success`](cert_common::Limiter::on_success) raises it by 1/20 back
//! to 1 — the same policy as the in-process bucket. A process remembers the last factor
//! Redis told it and calls Redis on success only while that was below 1, so a request at full
//! speed costs one round trip.
//!
//! [redis-cell]: https://github.com/brandur/redis-cell
//!
//! # Key layout
//!
//! One Redis hash per limit, named `<prefix><vendor>:<account>:<region>:<action>` (the
//! [`LimitKey`] of the request; the prefix defaults to [`DEFAULT_KEY_PREFIX`]), e.g.
//! `cert-sdk:rl:tencent:3f1c0e6a9b2d4c11:global:BatchDeleteCSR`. The account is the first 16
//! hex digits of the SHA-256 of the access key id, never the key itself.
//!
//! | field | meaning |
//! |---|---|
//! | `tat` | the next free slot, microseconds on Redis's clock (fractional) |
//! | `f` | the throttle factor, present only while below 1 |
//!
//! Each write sets the hash to expire [`IDLE_TTL`] after its last reserved slot, so an idle
//! limit leaves nothing behind (and starts again at full speed).
//!
//! # When Redis fails
//!
//! A limiter never fails and never lets a request go unpaced. Each Redis call is bounded by a
//! short timeout ([`DEFAULT_TIMEOUT`], 200 ms). When Redis is unreachable or fails (connection
//! refused, no answer in time, a script error), the limiter:
//!
//! 1. paces in this process instead, with one local token bucket per key at
//!    `rate / workers` requests per second and a burst of 1 (`workers` is
//!    [`RedisLimiterOptions::with_workers`]: the number of workers sharing the limit), so the
//!    workers together still cannot exceed the limit. A bucket entered at an outage's start
//!    has no saved-up slot, and its first slot comes after the last one Redis had handed out
//!    (to any worker, as far as this one last heard) and at least one of its own intervals
//!    later: the slots already handed out still go out, and the bucket does not add to them;
//! 2. calls the warning hook **once** for the outage, saying what failed, the local rate and
//!    the worker count (default hook: `tracing::warn!`);
//! 3. tries Redis again at most every [`DEFAULT_RETRY_INTERVAL`] (2 s), from one request;
//!    when Redis answers, goes back to the shared schedule and calls the hook once more to say
//!    so. The schedule resumes after the slots this process's bucket still has handed out
//!    (the `acquire` script holds the next slot until they have gone), and for one retry
//!    interval a returning worker also keeps to its local share, since other workers may still
//!    be pacing locally.
//!
//! Throttling feedback during an outage goes to the local buckets. Nothing here panics.
//!
//! The URL's password never appears in `Debug` output or in a message: it is shown as
//! `redis://:***@host:6379/0`.

mod scripts;

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use cert_common::rate_limit::RateLimiter;
use cert_common::{Error, LimitKey, Limiter, RateLimitConfig};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{FromRedisValue, Script};

/// The default prefix of every key this crate writes.
pub const DEFAULT_KEY_PREFIX: &str = "cert-sdk:rl:";
/// The default bound of one Redis call (connecting included).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(200);
/// The default pause between tries of an unreachable Redis.
pub const DEFAULT_RETRY_INTERVAL: Duration = Duration::from_secs(2);
/// How long a limit's hash outlives its last reserved slot.
pub const IDLE_TTL: Duration = Duration::from_secs(60);

/// A factor of 1 (full speed), in the millionths the scripts return.
const FULL_PPM: i64 = 1_000_000;
/// What each success adds to the factor.
const RECOVERY_STEP: &str = "0.05";

/// Called with a one-line message when Redis becomes unusable and when it answers again.
pub type WarningHook = Arc<dyn Fn(&str) + Send + Sync>;

/// A Redis URL (`redis://HOST:PORT/DB` or `rediss://HOST:PORT/DB`, optionally with
/// `:PASSWORD@` or `USER:PASSWORD@`), checked when parsed. `Debug` and `Display` redact the
/// password.
#[derive(Clone)]
pub struct RedisUrl {
    client: redis::Client,
    shown: String,
}

impl RedisUrl {
    /// Parses and checks a URL: the scheme must be `redis` or `rediss`, and redis-rs must
    /// accept the rest. Nothing is connected.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let text = text.trim();
        let shown = redact(text);
        let scheme = text
            .split_once("://")
            .map(|(s, _)| s.to_ascii_lowercase())
            .unwrap_or_default();
        if scheme != "redis" && scheme != "rediss" {
            return Err(Error::config(format!(
                "{shown:?} is not a Redis URL: give redis://HOST:PORT/DB or rediss://HOST:PORT/DB"
            )));
        }
        let client = redis::Client::open(text)
            .map_err(|e| Error::config(format!("{shown}: not a usable Redis URL: {e}")))?;
        Ok(RedisUrl { client, shown })
    }

    /// The URL with its password replaced by `***`.
    pub fn redacted(&self) -> &str {
        &self.shown
    }
}

impl FromStr for RedisUrl {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        RedisUrl::parse(s)
    }
}

impl fmt::Debug for RedisUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RedisUrl").field(&self.shown).finish()
    }
}

impl fmt::Display for RedisUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.shown)
    }
}

/// `scheme://user:***@host...`: the userinfo's password (or, without a `:`, the whole
/// userinfo) replaced, everything else kept.
fn redact(url: &str) -> String {
    let (scheme, rest) = match url.split_once("://") {
        Some((s, r)) => (Some(s), r),
        None => (None, url),
    };
    let rest = match rest.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{user}:***@{host}"),
            None => format!("***@{host}"),
        },
        None => rest.to_string(),
    };
    match scheme {
        Some(s) => format!("{s}://{rest}"),
        None => rest,
    }
}

/// Settings of a [`RedisLimiter`].
#[derive(Clone)]
pub struct RedisLimiterOptions {
    workers: u32,
    key_prefix: String,
    timeout: Duration,
    retry_interval: Duration,
    on_warning: WarningHook,
}

impl Default for RedisLimiterOptions {
    fn default() -> Self {
        RedisLimiterOptions {
            workers: 1,
            key_prefix: DEFAULT_KEY_PREFIX.to_string(),
            timeout: DEFAULT_TIMEOUT,
            retry_interval: DEFAULT_RETRY_INTERVAL,
            on_warning: Arc::new(|message: &str| {
                tracing::warn!(target: "cert_ratelimit_redis", "{message}");
            }),
        }
    }
}

impl RedisLimiterOptions {
    /// How many workers share the limit (at least 1; default 1). Used only while Redis is
    /// unreachable: each worker then paces itself at `rate / workers`.
    pub fn with_workers(mut self, workers: u32) -> Self {
        self.workers = workers.max(1);
        self
    }

    /// The prefix of every key (default [`DEFAULT_KEY_PREFIX`]).
    pub fn with_key_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.key_prefix = prefix.into();
        self
    }

    /// The bound of one Redis call, connecting included (default [`DEFAULT_TIMEOUT`];
    /// 1 ms to 60 s).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout.clamp(Duration::from_millis(1), Duration::from_secs(60));
        self
    }

    /// How often an unreachable Redis is tried again (default [`DEFAULT_RETRY_INTERVAL`];
    /// 10 ms to 1 h).
    pub fn with_retry_interval(mut self, interval: Duration) -> Self {
        self.retry_interval = interval.clamp(Duration::from_millis(10), Duration::from_secs(3600));
        self
    }

    /// Where the limiter says that Redis failed and that it is back (default:
    /// `tracing::warn!`, target `cert_ratelimit_redis`).
    pub fn with_warning_hook(mut self, hook: impl Fn(&str) + Send + Sync + 'static) -> Self {
        self.on_warning = Arc::new(hook);
        self
    }

    /// The number of workers sharing the limit.
    pub fn workers(&self) -> u32 {
        self.workers
    }

    /// The key prefix.
    pub fn key_prefix(&self) -> &str {
        &self.key_prefix
    }

    /// The bound of one Redis call.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The pause between tries of an unreachable Redis.
    pub fn retry_interval(&self) -> Duration {
        self.retry_interval
    }
}

impl fmt::Debug for RedisLimiterOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisLimiterOptions")
            .field("workers", &self.workers)
            .field("key_prefix", &self.key_prefix)
            .field("timeout", &self.timeout)
            .field("retry_interval", &self.retry_interval)
            .finish_non_exhaustive()
    }
}

/// A [`Limiter`] whose schedule lives in Redis (see the [crate] documentation). Clones share
/// one connection and one fallback state.
///
/// Building one connects to nothing: the connection is made by the first request (inside
/// the caller's tokio runtime) and remade after it is lost.
#[derive(Clone)]
pub struct RedisLimiter {
    inner: Arc<Inner>,
}

struct Inner {
    url: RedisUrl,
    options: RedisLimiterOptions,
    connection: Mutex<Option<ConnectionManager>>,
    health: Mutex<Health>,
    /// The last factor Redis answered, per Redis key (millionths).
    factors: Mutex<HashMap<String, i64>>,
    /// The fallback buckets, per Redis key.
    local: Mutex<HashMap<String, Local>>,
    /// Per key, the end of the shared schedule as Redis last told it: no slot any worker had
    /// reserved then starts later. A fallback bucket starts there.
    horizons: Mutex<HashMap<String, Instant>>,
    acquire: Script,
    throttled: Script,
    success: Script,
}

#[derive(Debug, Default)]
struct Health {
    outage: Option<Outage>,
    /// Outages so far: a call's ticket, so that only a call started during an outage ends it.
    outages: u64,
    /// When the last outage ended: for a while after, this process also keeps to its local
    /// share, because other workers may still be pacing locally (they try Redis again only
    /// every retry interval) and do not draw from the shared schedule yet.
    recovered: Option<Instant>,
}

#[derive(Debug)]
struct Outage {
    since: Instant,
    next_try: Instant,
}

struct Local {
    limiter: RateLimiter,
    rate_bits: u64,
    /// The outage in which this bucket last gave up its saved-up slot.
    drained_in: u64,
}

/// A rate configuration made safe to compute with (the in-process bucket's rules).
#[derive(Debug, Clone, Copy)]
struct Rate {
    per_second: f64,
    burst: u32,
    min_fraction: f64,
}

impl Rate {
    fn of(config: &RateLimitConfig) -> Self {
        let per_second = if config.rate_per_second.is_finite() && config.rate_per_second > 0.0 {
            config.rate_per_second
        } else {
            1.0
        };
        let min_fraction = if config.min_fraction.is_finite()
            && config.min_fraction > 0.0
            && config.min_fraction <= 1.0
        {
            config.min_fraction
        } else {
            0.1
        };
        Rate {
            per_second,
            burst: config.burst.max(1),
            min_fraction,
        }
    }

    fn interval_micros(&self) -> String {
        (1_000_000.0 / self.per_second).to_string()
    }
}

impl RedisLimiter {
    /// A limiter on `url` with the default options.
    pub fn new(url: &str) -> Result<Self, Error> {
        Self::with_options(url, RedisLimiterOptions::default())
    }

    /// A limiter on `url` with `options`.
    pub fn with_options(url: &str, options: RedisLimiterOptions) -> Result<Self, Error> {
        Ok(Self::from_url(RedisUrl::parse(url)?, options))
    }

    /// A limiter on a URL already checked.
    pub fn from_url(url: RedisUrl, options: RedisLimiterOptions) -> Self {
        RedisLimiter {
            inner: Arc::new(Inner {
                url,
                options,
                connection: Mutex::new(None),
                health: Mutex::new(Health::default()),
                factors: Mutex::new(HashMap::new()),
                local: Mutex::new(HashMap::new()),
                horizons: Mutex::new(HashMap::new()),
                acquire: Script::new(scripts::ACQUIRE),
                throttled: Script::new(scripts::THROTTLED),
                success: Script::new(scripts::SUCCESS),
            }),
        }
    }

    /// The Redis URL (redacted when shown).
    pub fn url(&self) -> &RedisUrl {
        &self.inner.url
    }

    /// The options.
    pub fn options(&self) -> &RedisLimiterOptions {
        &self.inner.options
    }

    /// The Redis key of a limit: the prefix, then `vendor:account:region:action`.
    pub fn redis_key(&self, key: &LimitKey) -> String {
        format!("{}{key}", self.inner.options.key_prefix)
    }

    /// False while Redis is unusable and this limiter paces in-process.
    pub fn is_shared(&self) -> bool {
        lock(&self.inner.health).outage.is_none()
    }

    /// Checks, before a run, that the Redis of the URL accepts this client: `Ok(true)` when it
    /// answers a `PING`, `Ok(false)` when it cannot be reached in time (the limiter will then
    /// pace in-process, as documented, and warn once), and a
    /// [`Config`](cert_common::ErrorKind::Config) error when Redis answers but refuses the
    /// URL's settings (a wrong password or user, a database number it does not have, no
    /// permission): that is a mistake to fix, not an outage to ride out. Sends no rate-limit
    /// script and changes no state.
    pub async fn check(&self) -> Result<bool, Error> {
        let inner = &*self.inner;
        let ping = async {
            let mut conn = inner.url.client.get_multiplexed_async_connection().await?;
            redis::cmd("PING").query_async::<String>(&mut conn).await
        };
        match tokio::time::timeout(inner.options.timeout, ping).await {
            Err(_) => Ok(false),
            Ok(Ok(_)) => Ok(true),
            Ok(Err(e)) if e.is_io_error() || e.is_timeout() || e.is_connection_refusal() => {
                Ok(false)
            }
            Ok(Err(e)) => Err(Error::config(format!(
                "Redis at {} refused this client's settings ({e}): check the --rate-limit URL's \
                 user, password and database",
                inner.url
            ))),
        }
    }
}

impl fmt::Debug for RedisLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisLimiter")
            .field("url", &self.inner.url.shown)
            .field("options", &self.inner.options)
            .field("shared", &self.is_shared())
            .finish()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// `2.5`, `10`, `0.333`: a rate for a message.
fn show_rate(r: f64) -> String {
    let s = format!("{r:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

impl Inner {
    fn warn(&self, message: &str) {
        (self.options.on_warning)(message);
    }

    /// Whether to call Redis now, and the call's ticket: always while Redis is usable; during
    /// an outage, for one call per retry interval.
    fn may_call(&self) -> Option<u64> {
        let mut h = lock(&self.health);
        let ticket = h.outages;
        match &mut h.outage {
            None => Some(ticket),
            Some(o) => {
                let now = Instant::now();
                if now >= o.next_try {
                    o.next_try = now.checked_add(self.options.retry_interval).unwrap_or(now);
                    Some(ticket)
                } else {
                    None
                }
            }
        }
    }

    /// The ticket of a call to make only while Redis is usable (feedback, never a retry).
    fn if_shared(&self) -> Option<u64> {
        let h = lock(&self.health);
        h.outage.is_none().then_some(h.outages)
    }

    /// Redis answered a call with `ticket`: ends the outage the call was started in.
    fn answered(&self, ticket: u64) {
        let ended = {
            let mut h = lock(&self.health);
            if h.outage.is_some() && h.outages == ticket {
                h.recovered = Some(Instant::now());
                h.outage.take()
            } else {
                None
            }
        };
        if let Some(o) = ended {
            self.warn(&format!(
                "shared rate limit: Redis at {} answers again; pacing through it again after \
                 {:.1} s of pacing in this process",
                self.url,
                o.since.elapsed().as_secs_f64()
            ));
        }
    }

    /// Whether an outage ended so recently that another worker may still pace locally: within
    /// one retry interval plus two call timeouts of its end.
    fn recovering(&self) -> bool {
        let grace = self.options.retry_interval + 2 * self.options.timeout;
        lock(&self.health)
            .recovered
            .is_some_and(|at| at.elapsed() < grace)
    }

    /// A call failed with `what`: starts an outage (and says so) unless one is on.
    fn failed(&self, what: &str, key: &LimitKey, rate: &Rate) {
        let started = {
            let mut h = lock(&self.health);
            if h.outage.is_none() {
                let now = Instant::now();
                h.outage = Some(Outage {
                    since: now,
                    next_try: now.checked_add(self.options.retry_interval).unwrap_or(now),
                });
                h.outages += 1;
                true
            } else {
                false
            }
        };
        if started {
            let workers = self.options.workers;
            self.warn(&format!(
                "shared rate limit: Redis at {} failed ({what}); pacing {} {} in this process at \
                 {} requests/s ({} requests/s shared by {workers} worker{}) until Redis answers \
                 again (tried every {} s)",
                self.url,
                key.vendor,
                key.action,
                show_rate(rate.per_second / f64::from(workers)),
                show_rate(rate.per_second),
                if workers == 1 { "" } else { "s" },
                show_rate(self.options.retry_interval.as_secs_f64()),
            ));
        } else {
            tracing::debug!(
                target: "cert_ratelimit_redis",
                "Redis at {} still failing: {what}", self.url
            );
        }
    }

    fn remember(&self, redis_key: &str, ppm: i64) {
        let mut f = lock(&self.factors);
        match f.get_mut(redis_key) {
            Some(v) => *v = ppm,
            None => {
                f.insert(redis_key.to_string(), ppm);
            }
        }
    }

    fn last_factor(&self, redis_key: &str) -> i64 {
        lock(&self.factors)
            .get(redis_key)
            .copied()
            .unwrap_or(FULL_PPM)
    }

    /// The fallback bucket of a key: `rate / workers`, burst 1. The first use in an outage
    /// takes the slot the bucket saved up while idle, so switching to it starts no burst.
    fn local(&self, redis_key: &str, rate: &Rate) -> RateLimiter {
        let outage = lock(&self.health).outages;
        let per_second = rate.per_second / f64::from(self.options.workers);
        let make = || Local {
            limiter: RateLimiter::new(
                RateLimitConfig::per_second(per_second).with_min_fraction(rate.min_fraction),
            ),
            rate_bits: per_second.to_bits(),
            drained_in: 0,
        };
        let mut map = lock(&self.local);
        let entry = map.entry(redis_key.to_string()).or_insert_with(make);
        if entry.rate_bits != per_second.to_bits() {
            *entry = make();
        }
        if entry.drained_in != outage {
            // A new outage: start where the shared schedule ended (slots other workers and
            // this one reserved through Redis may still be ahead), with no burst saved up.
            // Its first slot is one of its own intervals away at the soonest, as if it had
            // just sent: workers falling back together then do not all send at once.
            entry.drained_in = outage;
            let end = lock(&self.horizons).get(redis_key).copied();
            let now = Instant::now();
            let own = Duration::try_from_secs_f64(1.0 / per_second).unwrap_or(Duration::MAX);
            let shared = end.map_or(Duration::ZERO, |e| e.saturating_duration_since(now));
            entry.limiter.defer(own.max(shared));
        }
        entry.limiter.clone()
    }

    /// Records how far ahead Redis's schedule for a key reaches (`ahead_micros` from now).
    fn remember_horizon(&self, redis_key: &str, ahead_micros: i64) {
        let end = Instant::now() + Duration::from_micros(ahead_micros.max(0).unsigned_abs());
        let mut h = lock(&self.horizons);
        match h.get_mut(redis_key) {
            Some(v) => *v = (*v).max(end),
            None => {
                h.insert(redis_key.to_string(), end);
            }
        }
    }

    /// How long from now no slot may start through Redis, in µs: the end of the slots this
    /// process's fallback bucket still has reserved, plus one shared interval (zero when it
    /// has none ahead, as always outside an outage and shortly after one).
    fn local_hold_micros(&self, redis_key: &str, rate: &Rate) -> u64 {
        let ahead = match lock(&self.local).get(redis_key) {
            Some(l) => l.limiter.reserved_ahead(),
            None => return 0,
        };
        if ahead.is_zero() {
            return 0;
        }
        let interval = Duration::try_from_secs_f64(1.0 / rate.per_second).unwrap_or(Duration::ZERO);
        u64::try_from(ahead.saturating_add(interval).as_micros()).unwrap_or(u64::MAX)
    }

    fn connection(&self) -> Result<ConnectionManager, redis::RedisError> {
        let mut slot = lock(&self.connection);
        if let Some(c) = slot.as_ref() {
            return Ok(c.clone());
        }
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(self.options.timeout))
            .set_response_timeout(Some(self.options.timeout))
            .set_number_of_retries(0);
        let c = self.url.client.get_connection_manager_lazy(config)?;
        *slot = Some(c.clone());
        Ok(c)
    }

    /// Runs a script within the timeout. A lost connection is remade (in the background, by
    /// the connection manager) and the script tried once more on it.
    async fn run<T: FromRedisValue>(
        &self,
        script: &Script,
        redis_key: &str,
        args: &[&str],
    ) -> Result<T, String> {
        let call = async {
            let mut conn = self.connection()?;
            let mut invocation = script.key(redis_key);
            for a in args {
                invocation.arg(*a);
            }
            match invocation.invoke_async::<T>(&mut conn).await {
                Err(e) if e.is_io_error() || e.is_connection_dropped() => {
                    invocation.invoke_async::<T>(&mut conn).await
                }
                other => other,
            }
        };
        match tokio::time::timeout(self.options.timeout, call).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(e.to_string()),
            Err(_) => Err(format!(
                "no answer within {} ms",
                self.options.timeout.as_millis()
            )),
        }
    }
}

#[async_trait]
impl Limiter for RedisLimiter {
    async fn acquire(&self, key: &LimitKey, config: &RateLimitConfig) {
        let inner = &*self.inner;
        let rate = Rate::of(config);
        let redis_key = self.redis_key(key);
        if let Some(ticket) = inner.may_call() {
            let interval = rate.interval_micros();
            let burst = rate.burst.to_string();
            let ttl = IDLE_TTL.as_millis().to_string();
            // Back from an outage, slots this process reserved locally are still to go out:
            // the shared schedule resumes after them.
            let hold = inner.local_hold_micros(&redis_key, &rate).to_string();
            match inner
                .run::<(i64, i64, i64)>(
                    &inner.acquire,
                    &redis_key,
                    &[&interval, &burst, &ttl, &hold],
                )
                .await
            {
                Ok((wait, ppm, ahead)) => {
                    inner.answered(ticket);
                    inner.remember(&redis_key, ppm);
                    inner.remember_horizon(&redis_key, ahead);
                    if wait > 0 {
                        tokio::time::sleep(Duration::from_micros(wait.unsigned_abs())).await;
                    }
                    if inner.recovering() {
                        // Workers still pacing locally send their share without drawing
                        // from Redis: keep to this worker's share too until they are back.
                        inner.local(&redis_key, &rate).acquire().await;
                    }
                    return;
                }
                Err(what) => inner.failed(&what, key, &rate),
            }
        }
        inner.local(&redis_key, &rate).acquire().await;
    }

    async fn on_throttled(&self, key: &LimitKey, config: &RateLimitConfig) {
        let inner = &*self.inner;
        let rate = Rate::of(config);
        let redis_key = self.redis_key(key);
        if let Some(ticket) = inner.if_shared() {
            let interval = rate.interval_micros();
            let burst = rate.burst.to_string();
            let ttl = IDLE_TTL.as_millis().to_string();
            let floor = rate.min_fraction.to_string();
            match inner
                .run::<i64>(
                    &inner.throttled,
                    &redis_key,
                    &[&interval, &burst, &ttl, &floor],
                )
                .await
            {
                Ok(ppm) => {
                    inner.answered(ticket);
                    inner.remember(&redis_key, ppm);
                    return;
                }
                Err(what) => inner.failed(&what, key, &rate),
            }
        }
        inner.local(&redis_key, &rate).on_throttled();
    }

    async fn on_success(&self, key: &LimitKey, config: &RateLimitConfig) {
        let inner = &*self.inner;
        let redis_key = self.redis_key(key);
        match inner.if_shared() {
            Some(ticket) => {
                // The normal path: at full speed, no second round trip.
                if inner.last_factor(&redis_key) >= FULL_PPM {
                    return;
                }
                match inner
                    .run::<i64>(&inner.success, &redis_key, &[RECOVERY_STEP])
                    .await
                {
                    Ok(ppm) => {
                        inner.answered(ticket);
                        inner.remember(&redis_key, ppm);
                    }
                    Err(what) => {
                        let rate = Rate::of(config);
                        inner.failed(&what, key, &rate);
                        inner.local(&redis_key, &rate).on_success();
                    }
                }
            }
            None => inner.local(&redis_key, &Rate::of(config)).on_success(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn passwords_never_show() {
        for (url, shown) in [
            (
                "redis://:s3cret@127.0.0.1:6379/0",
                "redis://:***@127.0.0.1:6379/0",
            ),
            (
                "rediss://alice:s3cret@redis.example:6380/2",
                "rediss://alice:***@redis.example:6380/2",
            ),
            ("redis://s3cret@host/", "redis://***@host/"),
            ("redis://:p@ss:w@rd@host:1/", "redis://:***@host:1/"),
            ("redis://127.0.0.1:6379/", "redis://127.0.0.1:6379/"),
        ] {
            assert_eq!(redact(url), shown, "{url}");
        }
        let limiter = RedisLimiter::new("redis://:s3cret@127.0.0.1:6379/0").expect("a valid URL");
        let debug = format!("{limiter:?}");
        assert!(!debug.contains("s3cret"), "{debug}");
        assert!(debug.contains("redis://:***@127.0.0.1:6379/0"), "{debug}");
        assert!(!format!("{:?}", limiter.url()).contains("s3cret"));
        assert!(!limiter.url().to_string().contains("s3cret"));
    }

    #[test]
    fn only_redis_urls_are_accepted() {
        for bad in [
            "http://127.0.0.1:6379/",
            "127.0.0.1:6379",
            "unix:///tmp/redis.sock",
            "redis://:s3cret@127.0.0.1:6379/notanumber",
            "",
        ] {
            let e = RedisUrl::parse(bad).expect_err(bad);
            assert_eq!(e.kind(), cert_common::ErrorKind::Config, "{bad}");
            assert!(!e.to_string().contains("s3cret"), "{e}");
        }
        assert!(RedisUrl::parse("redis://127.0.0.1:6379/3").is_ok());
        assert!(RedisUrl::parse("REDIS://127.0.0.1/").is_ok());
        assert!(RedisUrl::parse("rediss://127.0.0.1:6380/0").is_ok());
    }

    /// No Redis at all (a port nothing listens on: connection refused): the limiter paces in
    /// process at rate / workers from the first request, and warns once.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn unreachable_redis_paces_locally_at_the_workers_share_and_warns_once() {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
            l.local_addr().expect("addr").port()
        };
        let warnings = Arc::new(Mutex::new(Vec::<String>::new()));
        let seen = warnings.clone();
        let limiter = RedisLimiter::with_options(
            &format!("redis://:s3cret@127.0.0.1:{port}/"),
            RedisLimiterOptions::default()
                .with_workers(4)
                .with_warning_hook(move |m| lock(&seen).push(m.to_string())),
        )
        .expect("limiter");
        let key = LimitKey::new("tencent", "AKIDEXAMPLE", None, "BatchDeleteCSR");
        // 40/s shared by 4 workers: 10/s here.
        let config = RateLimitConfig::per_second(40.0);
        let started = Instant::now();
        for _ in 0..11 {
            limiter.acquire(&key, &config).await;
        }
        let took = started.elapsed();
        // The first waits one slot (no saved-up slot at an outage's start), then 10 more.
        assert!(took >= Duration::from_millis(1095), "{took:?}");
        assert!(took < Duration::from_millis(1600), "{took:?}");
        assert!(!limiter.is_shared());
        let w = lock(&warnings).clone();
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].contains("failed"), "{}", w[0]);
        assert!(w[0].contains("10 requests/s"), "{}", w[0]);
        assert!(
            w[0].contains("40 requests/s shared by 4 workers"),
            "{}",
            w[0]
        );
        assert!(w[0].contains(":***@127.0.0.1"), "{}", w[0]);
        assert!(!w[0].contains("s3cret"), "{}", w[0]);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn feedback_during_an_outage_goes_to_the_local_bucket() {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
            l.local_addr().expect("addr").port()
        };
        let warned = Arc::new(AtomicUsize::new(0));
        let count = warned.clone();
        let limiter = RedisLimiter::with_options(
            &format!("redis://127.0.0.1:{port}/"),
            RedisLimiterOptions::default().with_warning_hook(move |_| {
                count.fetch_add(1, Ordering::SeqCst);
            }),
        )
        .expect("limiter");
        let key = LimitKey::new("aliyun", "LTAIEXAMPLE", Some("cn-hangzhou"), "X");
        let config = RateLimitConfig::per_second(20.0);
        limiter.acquire(&key, &config).await;
        limiter.on_throttled(&key, &config).await;
        let local = limiter
            .inner
            .local(&limiter.redis_key(&key), &Rate::of(&config));
        assert_eq!(local.current_rate(), 10.0, "halved locally");
        limiter.on_success(&key, &config).await;
        assert_eq!(local.current_rate(), 11.0, "recovers by a twentieth");
        assert_eq!(warned.load(Ordering::SeqCst), 1);
    }
}
