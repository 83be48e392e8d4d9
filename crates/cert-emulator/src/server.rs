//! The accept loop, the per-request pipeline (route → fault → verify → rate limit → handler)
//! and the conversion to HTTP.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use cert_common::Provider;
use cert_common::random::{Random, SystemRandom};
use cert_common::time::{Clock, unix_seconds};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::api::{self, Api, Target};
use crate::credentials::AcceptedCredentials;
use crate::faults::{Fault, Faults};
use crate::log::{Decision, LoggedRequest};
use crate::metadata::{self, Instances};
use crate::rate_limit::RateLimits;
use crate::shapes::{self, Ctx, Reply};
use crate::state::State;
use crate::sts;
use crate::verify::{self, Principal};
use crate::wire::WireRequest;

/// Largest request body read (1 MiB).
const MAX_BODY: usize = 1 << 20;
/// Most requests kept in the log (older ones are dropped).
const MAX_LOG: usize = 100_000;

#[derive(Debug)]
pub(crate) struct Inner {
    pub state: State,
    pub faults: Faults,
    pub limits: RateLimits,
    pub log: Vec<LoggedRequest>,
    pub seq: u64,
    pub credentials: AcceptedCredentials,
    pub instances: Instances,
}

#[derive(Debug)]
pub(crate) struct Shared {
    inner: Mutex<Inner>,
    pub clock: Arc<dyn Clock>,
    random: SystemRandom,
}

impl Shared {
    pub fn new(inner: Inner, clock: Arc<dyn Clock>) -> Self {
        Shared {
            inner: Mutex::new(inner),
            clock,
            random: SystemRandom::default(),
        }
    }

    pub fn random(&self) -> &dyn Random {
        &self.random
    }

    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Returned to hyper to drop the connection without an answer.
#[derive(Debug)]
struct Abort;

impl fmt::Display for Abort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("connection closed by an injected fault")
    }
}

impl std::error::Error for Abort {}

pub(crate) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let accepted = tokio::select! {
            r = listener.accept() => r,
            _ = shutdown.changed() => return,
        };
        let Ok((stream, _)) = accepted else {
            // Out of file descriptors and the like: back off briefly, keep serving.
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        let shared = shared.clone();
        let mut stop = shutdown.clone();
        tokio::spawn(async move {
            let svc = hyper::service::service_fn(move |req| handle(shared.clone(), req));
            let conn = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), svc);
            tokio::select! {
                _ = conn => {}
                _ = stop.changed() => {}
            }
        });
    }
}

async fn handle(
    shared: Arc<Shared>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Abort> {
    let (parts, body) = req.into_parts();
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(c) => c.to_bytes().to_vec(),
        Err(_) => {
            return Ok(to_response(Reply::json(
                413,
                &serde_json::json!({"error_code": "APIG.0201", "error_msg": "Request entity too large or unreadable"}),
            )));
        }
    };
    let wire = WireRequest {
        method: parts.method.as_str().to_ascii_uppercase(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().unwrap_or("").to_string(),
        headers: parts
            .headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body,
    };
    match process(&shared, &wire).await {
        Some(reply) => Ok(to_response(reply)),
        None => Err(Abort),
    }
}

fn to_response(reply: Reply) -> Response<Full<Bytes>> {
    let mut resp = Response::new(Full::new(Bytes::from(reply.body)));
    *resp.status_mut() =
        StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    for (k, v) in reply.headers {
        if let Ok(v) = hyper::header::HeaderValue::from_str(&v) {
            resp.headers_mut().append(k, v);
        }
    }
    resp
}

struct Entry<'a> {
    wire: &'a WireRequest,
    provider: Provider,
    api: Option<Api>,
    action: String,
    principal: Option<String>,
    status: Option<u16>,
    decision: Decision,
    fault: Option<Fault>,
}

fn record(inner: &mut Inner, e: Entry<'_>) {
    inner.seq += 1;
    if inner.log.len() >= MAX_LOG {
        inner.log.remove(0);
    }
    let seq = inner.seq;
    inner.log.push(LoggedRequest {
        seq,
        provider: e.provider,
        api: e.api,
        method: e.wire.method.clone(),
        path: e.wire.path.clone(),
        action: e.action,
        principal: e.principal,
        status: e.status,
        decision: e.decision,
        fault: e.fault,
    });
}

fn decision_of(reply: &Reply) -> Decision {
    match &reply.code {
        Some(code) => Decision::Rejected { code: code.clone() },
        None => Decision::Accepted,
    }
}

/// The whole pipeline; `None` means "close the connection without answering".
pub(crate) async fn process(shared: &Shared, wire: &WireRequest) -> Option<Reply> {
    if let Some(m) = metadata::handle(shared, wire) {
        let mut inner = shared.lock();
        record(
            &mut inner,
            Entry {
                wire,
                provider: m.provider,
                api: None,
                action: m.action.to_string(),
                principal: None,
                status: Some(m.reply.status),
                decision: if m.reply.status < 400 {
                    Decision::Accepted
                } else {
                    Decision::Rejected {
                        code: format!("HTTP{}", m.reply.status),
                    }
                },
                fault: None,
            },
        );
        return Some(m.reply);
    }
    let mut request_id = shared.random.uuid();
    let target = api::route(wire);
    if matches!(&target, Ok(Target::AliyunCas))
        || matches!(&target, Err(u) if u.provider == Provider::Aliyun)
    {
        request_id = request_id.to_ascii_uppercase();
    }
    let ctx = Ctx {
        request_id,
        host: wire.header("Host").unwrap_or("").trim().to_string(),
    };
    if let Some(a) = sts::handle(shared, wire, &ctx) {
        let mut inner = shared.lock();
        record(
            &mut inner,
            Entry {
                wire,
                provider: a.provider,
                api: None,
                action: a.action.to_string(),
                principal: a.principal,
                status: Some(a.reply.status),
                decision: decision_of(&a.reply),
                fault: None,
            },
        );
        return Some(a.reply);
    }
    let target = match target {
        Ok(t) => t,
        Err(un) => {
            let reply = shapes::error(un.provider, un.status, un.code, &un.message, &ctx);
            let mut inner = shared.lock();
            record(
                &mut inner,
                Entry {
                    wire,
                    provider: un.provider,
                    api: None,
                    action: un.action,
                    principal: None,
                    status: Some(reply.status),
                    decision: decision_of(&reply),
                    fault: None,
                },
            );
            return Some(reply);
        }
    };
    let api = target.api();
    let fault = shared.lock().faults.next(api);
    if let Some(Fault::Delay(d)) = &fault {
        tokio::time::sleep(*d).await;
    }
    let before = match &fault {
        Some(Fault::Status(s)) => Some(Some(status_fault(api, *s, &ctx))),
        Some(Fault::InternalError) => Some(Some(internal_error(api, &ctx))),
        Some(Fault::CloseBeforeEffect) => Some(None),
        _ => None,
    };
    if let Some(answer) = before {
        let mut inner = shared.lock();
        record(
            &mut inner,
            Entry {
                wire,
                provider: api.provider(),
                api: Some(api),
                action: api.action().to_string(),
                principal: None,
                status: answer.as_ref().map(|r| r.status),
                decision: Decision::NotProcessed,
                fault,
            },
        );
        return answer;
    }

    let (reply, principal) = execute(shared, &target, wire, &ctx);
    let mut answer = Some(reply.clone());
    match &fault {
        Some(Fault::CloseAfterEffect) => answer = None,
        Some(Fault::MalformedBody) => answer = Some(malformed(reply.clone())),
        _ => {}
    }
    let mut inner = shared.lock();
    record(
        &mut inner,
        Entry {
            wire,
            provider: api.provider(),
            api: Some(api),
            action: api.action().to_string(),
            principal: principal.map(|p| p.describe()),
            status: answer.as_ref().map(|r| r.status),
            decision: decision_of(&reply),
            fault,
        },
    );
    answer
}

/// Authentication, replay and rate checks, then the API handler; one lock, no awaits.
fn execute(
    shared: &Shared,
    target: &Target,
    wire: &WireRequest,
    ctx: &Ctx,
) -> (Reply, Option<Principal>) {
    let api = target.api();
    let provider = api.provider();
    let now = unix_seconds(shared.clock.now());
    let mono = shared.clock.monotonic();
    let mut guard = shared.lock();
    let inner = &mut *guard;
    let creds = &inner.credentials;
    let verified = match provider {
        Provider::Tencent => verify::tencent::verify(wire, &creds.tencent, "ssl", now),
        Provider::Aliyun => verify::aliyun::verify(wire, &creds.aliyun, now),
        _ => verify::huawei::verify(wire, &creds.huawei, &creds.huawei_iam_tokens, now),
    };
    let principal = match verified {
        Ok(p) => p,
        Err(f) => {
            return (
                shapes::error(provider, f.status, f.code, &f.message, ctx),
                None,
            );
        }
    };
    if provider == Provider::Aliyun
        && let Some(nonce) = wire.header("x-acs-signature-nonce")
        && inner.state.nonce_reused(nonce.trim(), now)
    {
        let r = shapes::aliyun_error(
            400,
            "SignatureNonceUsed",
            "Specified signature nonce was used already.",
            ctx,
        );
        return (r, Some(principal));
    }
    if let Err(wait) = inner.limits.acquire(api, mono) {
        return (
            throttled(api, inner.limits.limit(api).unwrap_or(0), wait, ctx),
            Some(principal),
        );
    }
    let state = &mut inner.state;
    let reply = match target {
        Target::Elb { project } => api::elb::handle(state, project, wire, ctx),
        Target::Apig {
            project,
            certificate_id,
        } => api::apig::handle(state, project, certificate_id, wire, ctx),
        Target::Csms { project } => api::csms::handle(state, project, wire, ctx),
        Target::TencentSsl => api::tencent_ssl::handle(state, wire, ctx),
        Target::AliyunCas => api::aliyun_cas::handle(state, wire, ctx),
    };
    (reply, Some(principal))
}

fn throttled(api: Api, limit: u32, wait: Duration, ctx: &Ctx) -> Reply {
    match api.provider() {
        Provider::Tencent => shapes::tencent_error(
            200,
            "RequestLimitExceeded",
            &format!(
                "Your current request times exceeds the limit of {limit} per second, please try again later."
            ),
            ctx,
        ),
        Provider::Aliyun => {
            let ms = wait.as_millis().max(1);
            shapes::aliyun_error(
                400,
                "Throttling.User",
                "Request was denied due to user flow control.",
                ctx,
            )
            .header("x-acs-retry-after", ms.to_string())
        }
        _ => shapes::huawei_error(
            429,
            "APIG.0308",
            &format!(
                "The throttling threshold has been reached: policy user over ratelimit,limit:{limit},time:1 second"
            ),
            ctx,
        ),
    }
}

fn status_fault(api: Api, status: u16, ctx: &Ctx) -> Reply {
    let status = if (400..=599).contains(&status) {
        status
    } else {
        500
    };
    match api.provider() {
        Provider::Tencent => shapes::tencent_error(
            status,
            "InternalError",
            "An internal error has occurred. Retry your request.",
            ctx,
        ),
        Provider::Aliyun if status == 503 => shapes::aliyun_error(
            503,
            "ServiceUnavailable",
            "The request has failed due to a temporary failure of the server.",
            ctx,
        ),
        Provider::Aliyun => shapes::aliyun_error(
            status,
            "InternalError",
            "The request processing has failed due to some unknown error, exception or failure.",
            ctx,
        ),
        _ if status == 502 || status == 503 => {
            shapes::huawei_error(status, "APIG.0201", "Backend unavailable", ctx)
        }
        _ => shapes::huawei_error(status, "APIG.9999", "System error", ctx),
    }
}

fn internal_error(api: Api, ctx: &Ctx) -> Reply {
    match api.provider() {
        Provider::Tencent => shapes::tencent_error(
            200,
            "InternalError",
            "An internal error has occurred. Retry your request.",
            ctx,
        ),
        _ => status_fault(api, 500, ctx),
    }
}

fn malformed(mut reply: Reply) -> Reply {
    if reply.body.len() < 2 {
        reply.body = br#"{"request_id": "#.to_vec();
    } else {
        reply.body.truncate(reply.body.len() / 2);
    }
    if reply.status == 204 {
        reply.status = 200;
    }
    reply
        .headers
        .retain(|(k, _)| !k.eq_ignore_ascii_case("content-type"));
    reply
        .headers
        .push(("content-type", "application/json".to_string()));
    reply
}
