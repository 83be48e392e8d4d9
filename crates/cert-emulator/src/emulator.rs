//! The public handle: start, configure, seed, inspect, shut down.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use cert_common::Provider;

use cert_common::time::{Clock, SystemClock};
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::api::Api;
use crate::credentials::AcceptedCredentials;
use crate::faults::{Chaos, Fault, Faults};
use crate::log::LoggedRequest;
use crate::metadata::Instances;
use crate::rate_limit::RateLimits;
use crate::seed::Seed;
use crate::server::{Inner, Shared, serve};
use crate::state::{AliyunCertificate, ApigCertificate, CsmsSecret, State, push_unique};

/// A running emulator on a loopback port. Dropping it stops the server.
///
/// Every method that changes or reads state is synchronous and cheap; it can be called while
/// requests are in flight.
#[derive(Debug)]
pub struct Emulator {
    addr: SocketAddr,
    shared: Arc<Shared>,
    credentials: AcceptedCredentials,
    shutdown: watch::Sender<bool>,
}

/// Configures an [`Emulator`] before it starts.
#[derive(Debug)]
#[must_use = "an emulator starts only with `.start()`"]
pub struct EmulatorBuilder {
    seed: Seed,
    credentials: AcceptedCredentials,
    limits: Vec<(Api, Option<u32>)>,
    clock: Arc<dyn Clock>,
    port: u16,
    key_lifetime: Duration,
}

impl Default for EmulatorBuilder {
    fn default() -> Self {
        EmulatorBuilder {
            seed: Seed::standard(),
            credentials: AcceptedCredentials::default(),
            limits: Vec::new(),
            clock: Arc::new(SystemClock),
            port: 0,
            key_lifetime: crate::metadata::DEFAULT_LIFETIME,
        }
    }
}

impl EmulatorBuilder {
    /// Loads `seed` instead of [`Seed::standard`].
    pub fn seed(mut self, seed: Seed) -> Self {
        self.seed = seed;
        self
    }

    /// Accepts these credentials instead of [`AcceptedCredentials::default`].
    pub fn credentials(mut self, credentials: AcceptedCredentials) -> Self {
        self.credentials = credentials;
        self
    }

    /// Sets an API's limit in requests per second (`None` or 0: unlimited). Defaults:
    /// [`rate_limit::default_limit`](crate::rate_limit::default_limit).
    pub fn rate_limit(mut self, api: Api, per_second: Option<u32>) -> Self {
        self.limits.push((api, per_second));
        self
    }

    /// Turns every rate limit off.
    pub fn no_rate_limits(mut self) -> Self {
        for api in Api::ALL {
            self.limits.push((api, None));
        }
        self
    }

    /// The clock for signature time windows and rate limits (default: the system clock).
    /// A [`ManualClock`](cert_common::time::ManualClock) makes both deterministic.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// How long the temporary keys the metadata services issue live (default
    /// [`DEFAULT_LIFETIME`](crate::metadata::DEFAULT_LIFETIME)).
    pub fn temporary_key_lifetime(mut self, lifetime: Duration) -> Self {
        self.key_lifetime = lifetime;
        self
    }

    /// Listens on this loopback port (default 0: an ephemeral port).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Binds `127.0.0.1:<port>` and starts serving on the current tokio runtime.
    pub async fn start(self) -> std::io::Result<Emulator> {
        let listener = TcpListener::bind(("127.0.0.1", self.port)).await?;
        let addr = listener.local_addr()?;
        let mut state = State::default();
        self.seed.load_into(&mut state);
        let mut limits = RateLimits::defaults(self.clock.monotonic());
        for (api, n) in self.limits {
            limits.set(api, n, self.clock.monotonic());
        }
        let inner = Inner {
            state,
            faults: Faults::default(),
            limits,
            log: Vec::new(),
            seq: 0,
            credentials: self.credentials.clone(),
            instances: Instances {
                lifetime: self.key_lifetime,
                ..Instances::default()
            },
        };
        let shared = Arc::new(Shared::new(inner, self.clock));
        let (tx, rx) = watch::channel(false);
        tokio::spawn(serve(listener, shared.clone(), rx));
        Ok(Emulator {
            addr,
            shared,
            credentials: self.credentials,
            shutdown: tx,
        })
    }
}

impl Emulator {
    /// A builder with the defaults: [`Seed::standard`], [`AcceptedCredentials::default`],
    /// documented rate limits, system clock, ephemeral port.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }

    /// Starts with the defaults (see [`Emulator::builder`]).
    pub async fn start() -> std::io::Result<Emulator> {
        Self::builder().start().await
    }

    /// `http://127.0.0.1:<port>`: the endpoint to give every client.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The credentials accepted.
    pub fn credentials(&self) -> &AcceptedCredentials {
        &self.credentials
    }

    /// Loads more resources (added to what is there).
    pub fn load_seed(&self, seed: &Seed) {
        seed.load_into(&mut self.shared.lock().state);
    }

    /// Adds ELB certificates to a project.
    pub fn seed_elb_certificates<I, S>(&self, project: &str, ids: I)
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut inner = self.shared.lock();
        let list = inner.state.elb.entry(project.to_string()).or_default();
        for id in ids {
            push_unique(list, id.into());
        }
    }

    /// Adds (or replaces) an APIG certificate in a project.
    pub fn seed_apig_certificate(&self, project: &str, certificate: ApigCertificate) {
        let mut inner = self.shared.lock();
        let list = inner.state.apig.entry(project.to_string()).or_default();
        list.retain(|c| c.id != certificate.id);
        list.push(certificate);
    }

    /// Adds (or replaces, by name) a CSMS secret in a project.
    pub fn seed_csms_secret(&self, project: &str, secret: CsmsSecret) {
        let mut inner = self.shared.lock();
        let list = inner.state.csms.entry(project.to_string()).or_default();
        list.retain(|s| s.name != secret.name);
        list.push(secret);
    }

    /// Adds Tencent CSR ids.
    pub fn seed_tencent_csrs(&self, ids: impl IntoIterator<Item = u64>) {
        let mut inner = self.shared.lock();
        for id in ids {
            push_unique(&mut inner.state.tencent, id);
        }
    }

    /// Adds (or replaces) an Alibaba Cloud certificate.
    pub fn seed_aliyun_certificate(&self, certificate: AliyunCertificate) {
        let mut inner = self.shared.lock();
        inner.state.aliyun.retain(|c| c.id != certificate.id);
        inner.state.aliyun.push(certificate);
    }

    /// ELB certificate ids held in a project.
    pub fn elb_certificates(&self, project: &str) -> Vec<String> {
        self.shared
            .lock()
            .state
            .elb
            .get(project)
            .cloned()
            .unwrap_or_default()
    }

    /// APIG certificates held in a project.
    pub fn apig_certificates(&self, project: &str) -> Vec<ApigCertificate> {
        self.shared
            .lock()
            .state
            .apig
            .get(project)
            .cloned()
            .unwrap_or_default()
    }

    /// CSMS secrets held in a project.
    pub fn csms_secrets(&self, project: &str) -> Vec<CsmsSecret> {
        self.shared
            .lock()
            .state
            .csms
            .get(project)
            .cloned()
            .unwrap_or_default()
    }

    /// Tencent CSR ids held.
    pub fn tencent_csrs(&self) -> Vec<u64> {
        self.shared.lock().state.tencent.clone()
    }

    /// Alibaba Cloud certificates held.
    pub fn aliyun_certificates(&self) -> Vec<AliyunCertificate> {
        self.shared.lock().state.aliyun.clone()
    }

    /// Every request so far, oldest first.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.shared.lock().log.clone()
    }

    /// Empties the request log.
    pub fn clear_requests(&self) {
        self.shared.lock().log.clear();
    }

    /// The next `times` requests to `api` get `fault` (after any already queued).
    pub fn inject(&self, api: Api, fault: Fault, times: usize) {
        self.shared.lock().faults.push(api, fault, times);
    }

    /// Queued faults not yet used for `api`.
    pub fn pending_faults(&self, api: Api) -> usize {
        self.shared.lock().faults.pending(api)
    }

    /// Turns probabilistic faults on (`Some`) or off (`None`) for one API.
    pub fn set_chaos(&self, api: Api, chaos: Option<Chaos>) {
        self.shared.lock().faults.set_chaos(api, chaos);
    }

    /// Turns probabilistic faults on for all five APIs (each with its own generator).
    pub fn set_chaos_all(&self, chaos: Chaos) {
        let mut inner = self.shared.lock();
        for api in Api::ALL {
            inner.faults.set_chaos(api, Some(chaos.clone()));
        }
    }

    /// Removes every queued fault and every chaos setting.
    pub fn clear_faults(&self) {
        self.shared.lock().faults.clear();
    }

    /// Sets an API's rate limit in requests per second (`None` or 0: unlimited); the bucket
    /// starts full.
    pub fn set_rate_limit(&self, api: Api, per_second: Option<u32>) {
        let now = self.shared.clock.monotonic();
        self.shared.lock().limits.set(api, per_second, now);
    }

    /// The rate limit in force for an API.
    pub fn rate_limit(&self, api: Api) -> Option<u32> {
        self.shared.lock().limits.limit(api)
    }

    /// Sets how long the temporary keys the metadata services issue from now on live.
    pub fn set_temporary_key_lifetime(&self, lifetime: Duration) {
        self.shared.lock().instances.lifetime = lifetime;
    }

    /// Binds (`true`, the default) or unbinds the instance role of `provider`'s emulated
    /// instance (Huawei: the agency). Unbound, the metadata service says there is none.
    pub fn set_instance_role(&self, provider: Provider, bound: bool) {
        self.shared.lock().instances.bound.insert(provider, bound);
    }

    /// Refuses Aliyun and Huawei metadata requests that carry no metadata token (IMDSv2
    /// only); off by default.
    pub fn set_metadata_tokens_required(&self, required: bool) {
        self.shared.lock().instances.tokens_required = required;
    }

    /// Makes every expiring key issued so far expire now (as a revoked or early-expired
    /// token would): the delete APIs refuse them from here on.
    pub fn expire_temporary_keys(&self) {
        let now = cert_common::time::unix_seconds(self.shared.clock.now());
        let mut inner = self.shared.lock();
        let c = &mut inner.credentials;
        for k in c
            .tencent
            .iter_mut()
            .chain(&mut c.aliyun)
            .chain(&mut c.huawei)
        {
            if k.expires_at.is_some() {
                k.expires_at = Some(now);
            }
        }
    }

    /// How many temporary keys the metadata services have issued for `provider`.
    pub fn metadata_keys_issued(&self, provider: Provider) -> usize {
        self.shared
            .lock()
            .log
            .iter()
            .filter(|r| {
                r.provider == provider
                    && r.api.is_none()
                    && r.status == Some(200)
                    && matches!(
                        r.action.as_str(),
                        "MetadataSecurityCredentials" | "MetadataSecurityKey"
                    )
                    && (provider == Provider::Huawei || !r.path.ends_with('/'))
            })
            .count()
    }

    /// Stops accepting connections and closes open ones (also done on drop).
    pub fn shutdown(self) {
        drop(self);
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}
