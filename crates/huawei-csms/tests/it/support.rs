//! A scripted, capturing transport and client builders with a pinned clock.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use cert_common::http::{HttpRequest, HttpResponse};
use cert_common::random::FixedRandom;
use cert_common::time::ManualClock;
use cert_common::transport::HttpSend;
use cert_common::{AccessKey, ClientOptions, Error, ErrorKind, RetryConfig};
use huawei_csms::{Client, Config};

pub const PROJECT: &str = "0123456789abcdef0123456789abcdef";
pub const AK: &str = "HPUAEXAMPLEAK0000001";
pub const SK: &str = "ExampleSecretKey0000000000000000000000001";
/// 2024-01-02T03:04:05Z
pub const T0: u64 = 1_704_164_645;

#[derive(Debug, Default)]
pub struct Capture {
    answers: Mutex<VecDeque<Result<HttpResponse, Error>>>,
    seen: Mutex<Vec<HttpRequest>>,
}

impl Capture {
    pub fn new(answers: Vec<Result<HttpResponse, Error>>) -> Arc<Self> {
        Arc::new(Capture {
            answers: Mutex::new(answers.into()),
            seen: Mutex::default(),
        })
    }
    pub fn seen(&self) -> Vec<HttpRequest> {
        self.seen.lock().expect("lock").clone()
    }
}

#[async_trait]
impl HttpSend for Capture {
    async fn send(&self, request: &HttpRequest) -> Result<HttpResponse, Error> {
        self.seen.lock().expect("lock").push(request.clone());
        self.answers
            .lock()
            .expect("lock")
            .pop_front()
            .unwrap_or_else(|| Err(Error::new(ErrorKind::Transport, "script exhausted")))
    }
}

pub fn resp(status: u16, headers: &[(&str, &str)], body: &str) -> Result<HttpResponse, Error> {
    Ok(HttpResponse {
        status,
        headers: headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        body: body.as_bytes().to_vec(),
    })
}

pub fn options(clock: &ManualClock) -> ClientOptions {
    ClientOptions::default()
        .time(Arc::new(clock.clone()), Arc::new(clock.clone()))
        .random(Arc::new(FixedRandom(0.5)))
}

/// A client over a scripted transport.
pub fn scripted(http: Arc<Capture>, clock: &ManualClock, retry: RetryConfig) -> Client {
    Client::new(
        Config::builder()
            .region("cn-north-4")
            .project_id(PROJECT)
            .credentials(AccessKey::new(AK, SK))
            .options(options(clock).http(http).retry(retry))
            .env_lookup(|_| None)
            .build(),
    )
    .expect("client")
}
