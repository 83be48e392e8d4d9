//! This crate's client over cert-common's test doubles (`cert_common::test_util`), with a
//! pinned clock.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use cert_common::http::{HttpRequest, HttpResponse};
use cert_common::test_util::{ScriptedHttp, manual_options};
use cert_common::time::ManualClock;
use cert_common::transport::HttpSend;
use cert_common::{AccessKey, Error, RetryConfig};
use huawei_apig::{Client, Config};

pub const PROJECT: &str = "0123456789abcdef0123456789abcdef";
pub const AK: &str = "HPUAEXAMPLEAK0000001";
pub const SK: &str = "ExampleSecretKey0000000000000000000000001";
/// 2024-01-02T03:04:05Z
pub const T0: u64 = 1_704_164_645;

/// A client over a scripted transport.
pub fn scripted(http: Arc<ScriptedHttp>, clock: &ManualClock, retry: RetryConfig) -> Client {
    Client::new(
        Config::builder()
            .region("cn-north-4")
            .project_id(PROJECT)
            .credentials(AccessKey::new(AK, SK))
            .options(manual_options(clock).http(http).retry(retry))
            .env_lookup(|_| None)
            .build(),
    )
    .expect("client")
}

type Answer = Box<dyn Fn(&HttpRequest) -> Result<HttpResponse, Error> + Send + Sync>;

/// Answers by request (e.g. by certificate id) and records how many requests were in flight.
pub struct Responder {
    answer: Answer,
    state: Mutex<(usize, usize, Vec<HttpRequest>)>,
}

impl std::fmt::Debug for Responder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Responder")
    }
}

impl Responder {
    pub fn new(
        answer: impl Fn(&HttpRequest) -> Result<HttpResponse, Error> + Send + Sync + 'static,
    ) -> Arc<Self> {
        Arc::new(Responder {
            answer: Box::new(answer),
            state: Mutex::new((0, 0, Vec::new())),
        })
    }
    pub fn max_in_flight(&self) -> usize {
        self.state.lock().expect("lock").1
    }
    pub fn seen(&self) -> Vec<HttpRequest> {
        self.state.lock().expect("lock").2.clone()
    }
}

#[async_trait]
impl HttpSend for Responder {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, Error> {
        {
            let mut s = self.state.lock().expect("lock");
            s.0 += 1;
            s.1 = s.1.max(s.0);
            s.2.push(request.clone());
        }
        for _ in 0..4 {
            tokio::task::yield_now().await;
        }
        self.state.lock().expect("lock").0 -= 1;
        (self.answer)(&request)
    }
}
