//! An expiry-aware, single-flight cache in front of a source of temporary credentials (an
//! instance metadata service, an STS call).
//!
//! - Credentials are refreshed before they expire, by a margin: the vendor's own (Tencent
//!   300 s, Aliyun 180 s, Huawei 40 min), but never more than half the credentials' life, so
//!   keys that live shorter than the margin are not fetched again on every call.
//! - Single flight: however many callers need a refresh at once, one fetch runs and the others
//!   wait for its result.
//! - A failed refresh keeps credentials that are still valid (a warning is logged, naming the
//!   source, never a secret), and the next try waits [`RETRY_AFTER_FAILURE`].
//! - [`ProvideCredentials::invalidate`]: a server that refused the credentials (the token
//!   expired early, the role was rotated) makes the next caller fetch new ones; only the first
//!   of many concurrent reports of the same credentials does.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use async_trait::async_trait;

use super::{Credentials, ProvideCredentials};
use crate::error::{Error, ErrorKind};
use crate::time::{Clock, SystemClock};

/// How long after a failed refresh (while the old credentials are still valid) the cache waits
/// before it tries again.
pub const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(10);

/// Temporary credentials and when they stop working.
#[derive(Clone, Debug)]
pub struct Temporary {
    /// The credentials.
    pub credentials: Credentials,
    /// When the server stops accepting them.
    pub expires_at: SystemTime,
}

impl Temporary {
    /// A temporary access key (id, secret and security token) expiring at `expires_at`,
    /// checked as every key is ([`AccessKey::validate`](super::AccessKey::validate)).
    pub fn access_key(
        id: impl Into<String>,
        secret: impl Into<super::Secret>,
        token: impl Into<super::Secret>,
        expires_at: SystemTime,
    ) -> Result<Self, Error> {
        let key = super::AccessKey::temporary(id, secret, token);
        key.validate()?;
        Ok(Temporary {
            credentials: key.into(),
            expires_at,
        })
    }
}

/// A source of temporary credentials that the [`CachedProvider`] calls when it needs them.
#[async_trait]
pub trait FetchTemporary: Send + Sync + fmt::Debug {
    /// Fetches new credentials. An error for which [`super::is_not_found`] holds means "this
    /// source does not exist here" (no metadata service, no role): a chain goes on.
    async fn fetch(&self) -> Result<Temporary, Error>;

    /// Where the credentials come from, for people; never a secret.
    fn describe(&self) -> String;
}

#[derive(Debug)]
struct State {
    current: Option<Cached>,
    /// Counts finished fetches (successful or not), so waiters can tell one happened.
    generation: u64,
    /// After a failed fetch: no new one before this (monotonic), while `current` is valid.
    quiet_until: Option<Duration>,
    /// The last fetch's error, for the callers that waited on it.
    last_error: Option<(ErrorKind, Option<String>, String)>,
}

#[derive(Debug, Clone)]
struct Cached {
    temporary: Temporary,
    /// Refresh once the wall clock passes this.
    refresh_at: SystemTime,
}

/// Caches a [`FetchTemporary`]'s credentials until shortly before they expire.
pub struct CachedProvider<F> {
    source: F,
    clock: Arc<dyn Clock>,
    margin: Duration,
    state: Mutex<State>,
    /// Held by the one caller that fetches.
    refresh: tokio::sync::Mutex<()>,
}

impl<F: fmt::Debug> fmt::Debug for CachedProvider<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachedProvider")
            .field("source", &self.source)
            .field("margin", &self.margin)
            .finish_non_exhaustive()
    }
}

impl<F: FetchTemporary> CachedProvider<F> {
    /// Caches `source`'s credentials, refreshing them `margin` before they expire (at most
    /// half their life before).
    pub fn new(source: F, margin: Duration) -> Self {
        CachedProvider {
            source,
            clock: Arc::new(SystemClock),
            margin,
            state: Mutex::new(State {
                current: None,
                generation: 0,
                quiet_until: None,
                last_error: None,
            }),
            refresh: tokio::sync::Mutex::new(()),
        }
    }

    /// Reads time from `clock` (tests).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The source behind the cache.
    pub fn source(&self) -> &F {
        &self.source
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The cached credentials if they need no refresh yet.
    fn fresh(&self, state: &State) -> Option<Credentials> {
        let c = state.current.as_ref()?;
        let now = self.clock.now();
        if now < c.refresh_at {
            return Some(c.temporary.credentials.clone());
        }
        // Due for a refresh, but a recent one failed: keep the valid ones quietly.
        let quiet = state
            .quiet_until
            .is_some_and(|q| self.clock.monotonic() < q);
        (quiet && now < c.temporary.expires_at).then(|| c.temporary.credentials.clone())
    }

    /// The cached credentials if the server still accepts them.
    fn valid(&self, state: &State) -> Option<Credentials> {
        let c = state.current.as_ref()?;
        (self.clock.now() < c.temporary.expires_at).then(|| c.temporary.credentials.clone())
    }

    fn refresh_at(&self, t: &Temporary) -> SystemTime {
        let now = self.clock.now();
        let life = t.expires_at.duration_since(now).unwrap_or_default();
        t.expires_at
            .checked_sub(self.margin.min(life / 2))
            .unwrap_or(now)
    }
}

#[async_trait]
impl<F: FetchTemporary> ProvideCredentials for CachedProvider<F> {
    async fn provide(&self) -> Result<Credentials, Error> {
        let seen = {
            let state = self.lock();
            if let Some(c) = self.fresh(&state) {
                return Ok(c);
            }
            state.generation
        };
        let _one = self.refresh.lock().await;
        {
            // Another caller fetched while this one waited: take its result.
            let state = self.lock();
            if state.generation != seen {
                if let Some(c) = self.fresh(&state).or_else(|| self.valid(&state)) {
                    return Ok(c);
                }
                if let Some((kind, code, message)) = &state.last_error {
                    let mut e = Error::new(*kind, message.clone());
                    if let Some(code) = code {
                        e = e.with_code(code.clone());
                    }
                    return Err(e);
                }
            }
        }
        let fetched = self.source.fetch().await;
        let mut state = self.lock();
        state.generation += 1;
        // Keys that are already expired are no answer (a skewed clock, a zero-life key): an
        // error, which the callers waiting on this fetch share instead of fetching again.
        let fetched = fetched.and_then(|t| {
            if t.expires_at <= self.clock.now() {
                Err(Error::new(
                    ErrorKind::Credentials,
                    format!(
                        "{}: the temporary credentials it gave have already expired \
                         (check the clock)",
                        self.source.describe()
                    ),
                ))
            } else {
                Ok(t)
            }
        });
        match fetched {
            Ok(t) => {
                let refresh_at = self.refresh_at(&t);
                let credentials = t.credentials.clone();
                tracing::debug!(
                    target: "cert_common::credentials",
                    source = %self.source.describe(),
                    "temporary credentials fetched"
                );
                state.current = Some(Cached {
                    temporary: t,
                    refresh_at,
                });
                state.quiet_until = None;
                state.last_error = None;
                Ok(credentials)
            }
            Err(e) => {
                state.last_error = Some((
                    e.kind(),
                    e.code().map(str::to_string),
                    e.message().to_string(),
                ));
                match self.valid(&state) {
                    Some(c) => {
                        tracing::warn!(
                            target: "cert_common::credentials",
                            source = %self.source.describe(),
                            error = %e.message(),
                            "refreshing temporary credentials failed; using the current ones, still valid"
                        );
                        state.quiet_until = Some(self.clock.monotonic() + RETRY_AFTER_FAILURE);
                        Ok(c)
                    }
                    None => Err(e),
                }
            }
        }
    }

    /// The cached credentials while they need no refresh.
    fn provide_now(&self) -> Option<Result<Credentials, Error>> {
        self.fresh(&self.lock()).map(Ok)
    }

    fn describe(&self) -> String {
        self.source.describe()
    }

    /// Drops the cached credentials if they are the ones `refused` (not if a newer set has
    /// already replaced them).
    fn invalidate(&self, refused: &Credentials) {
        let mut state = self.lock();
        if state
            .current
            .as_ref()
            .is_some_and(|c| &c.temporary.credentials == refused)
        {
            state.current = None;
            state.quiet_until = None;
            state.last_error = None;
        }
    }

    fn refreshable(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::AccessKey;
    use crate::time::ManualClock;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[derive(Debug)]
    struct Counting {
        fetches: AtomicU32,
        clock: ManualClock,
        life: Duration,
        fail: std::sync::atomic::AtomicBool,
    }

    #[async_trait]
    impl FetchTemporary for Arc<Counting> {
        async fn fetch(&self) -> Result<Temporary, Error> {
            tokio::task::yield_now().await;
            if self.fail.load(Ordering::SeqCst) {
                return Err(Error::new(ErrorKind::Credentials, "metadata said no"));
            }
            let n = self.fetches.fetch_add(1, Ordering::SeqCst) + 1;
            Ok(Temporary {
                credentials: AccessKey::temporary(format!("tmp-{n}"), "sk", "tok").into(),
                expires_at: self.clock.now() + self.life,
            })
        }
        fn describe(&self) -> String {
            "counting".into()
        }
    }

    fn setup(
        life: Duration,
        margin: Duration,
    ) -> (Arc<Counting>, Arc<CachedProvider<Arc<Counting>>>) {
        let clock = ManualClock::at_unix(1_700_000_000);
        let src = Arc::new(Counting {
            fetches: AtomicU32::new(0),
            clock: clock.clone(),
            life,
            fail: Default::default(),
        });
        let cache = CachedProvider::new(src.clone(), margin).with_clock(Arc::new(clock));
        (src, Arc::new(cache))
    }

    fn id(c: &Credentials) -> String {
        c.access_key()
            .map(|k| k.id().to_string())
            .unwrap_or_default()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_thousand_concurrent_callers_make_one_fetch() {
        let (src, cache) = setup(Duration::from_secs(3600), Duration::from_secs(300));
        let tasks: Vec<_> = (0..1000)
            .map(|_| {
                let cache = cache.clone();
                tokio::spawn(async move { cache.provide().await.map(|c| id(&c)) })
            })
            .collect();
        for t in tasks {
            assert_eq!(t.await.expect("task").expect("creds"), "tmp-1");
        }
        assert_eq!(src.fetches.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn refreshes_a_margin_before_expiry_and_at_most_half_the_life() {
        let (src, cache) = setup(Duration::from_secs(3600), Duration::from_secs(300));
        assert_eq!(id(&cache.provide().await.expect("creds")), "tmp-1");
        src.clock.advance(Duration::from_secs(3299));
        assert_eq!(
            id(&cache.provide_now().expect("cached").expect("ok")),
            "tmp-1"
        );
        src.clock.advance(Duration::from_secs(1));
        assert!(cache.provide_now().is_none(), "due for a refresh");
        assert_eq!(id(&cache.provide().await.expect("creds")), "tmp-2");

        // Keys living 60 s with a 300 s margin: refreshed after 30 s, not on every call.
        let (src, cache) = setup(Duration::from_secs(60), Duration::from_secs(300));
        cache.provide().await.expect("creds");
        src.clock.advance(Duration::from_secs(29));
        cache.provide().await.expect("creds");
        assert_eq!(src.fetches.load(Ordering::SeqCst), 1);
        src.clock.advance(Duration::from_secs(1));
        cache.provide().await.expect("creds");
        assert_eq!(src.fetches.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_failed_refresh_keeps_valid_credentials_then_fails_once_they_expire() {
        let (src, cache) = setup(Duration::from_secs(600), Duration::from_secs(300));
        cache.provide().await.expect("creds");
        src.fail.store(true, Ordering::SeqCst);
        src.clock.advance(Duration::from_secs(400));
        assert_eq!(id(&cache.provide().await.expect("still valid")), "tmp-1");
        // Quiet for a while after a failure: no fetch on each call.
        assert_eq!(
            id(&cache.provide_now().expect("quiet").expect("ok")),
            "tmp-1"
        );
        src.clock.advance(Duration::from_secs(200));
        let e = cache.provide().await.expect_err("expired and no refresh");
        assert_eq!(e.message(), "metadata said no");
        src.fail.store(false, Ordering::SeqCst);
        assert_eq!(id(&cache.provide().await.expect("recovered")), "tmp-2");
    }

    #[tokio::test]
    async fn invalidate_drops_only_the_refused_credentials() {
        let (src, cache) = setup(Duration::from_secs(3600), Duration::from_secs(300));
        let first = cache.provide().await.expect("creds");
        cache.invalidate(&first);
        let second = cache.provide().await.expect("creds");
        assert_eq!(id(&second), "tmp-2");
        // A late report about the first set does not throw the second away.
        cache.invalidate(&first);
        assert_eq!(id(&cache.provide().await.expect("creds")), "tmp-2");
        assert_eq!(src.fetches.load(Ordering::SeqCst), 2);
    }
}
