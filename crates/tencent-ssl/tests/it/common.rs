//! Test doubles: pinned randomness, a recording transport, client construction.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use cert_common::credentials::AccessKey;
use cert_common::http::{HttpRequest, HttpResponse};
use cert_common::random::Random;
use cert_common::time::ManualClock;
use cert_common::transport::HttpSend;
use cert_common::{ClientOptions, Error, RateLimit};
use tencent_ssl::{Client, Config, Language};

pub const SECRET_ID: &str = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE";
pub const SECRET_KEY: &str = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE";
pub const REQUEST_CLIENT: &str = "SDK_PYTHON_3.1.195";
pub const TRACE_ID: &str = "0f0e0d0c-0b0a-4908-8706-050403020100";

/// Yields queued byte strings in order (the first `fill` gets the first), then a filler byte;
/// `unit()` is always 0.5, so backoff delays are exact.
#[derive(Debug)]
pub struct VectorRandom {
    chunks: Mutex<VecDeque<Vec<u8>>>,
}

impl VectorRandom {
    pub fn new(chunks: Vec<Vec<u8>>) -> Arc<Self> {
        Arc::new(VectorRandom {
            chunks: Mutex::new(chunks.into()),
        })
    }
}

impl Random for VectorRandom {
    fn fill(&self, buf: &mut [u8]) {
        match self.chunks.lock().expect("lock").pop_front() {
            Some(chunk) => {
                buf.fill(0);
                let n = chunk.len().min(buf.len());
                buf[..n].copy_from_slice(&chunk[..n]);
            }
            None => buf.fill(0x5a),
        }
    }
    fn unit(&self) -> f64 {
        0.5
    }
}

/// The 16 bytes behind a UUID or a 32-hex nonce.
pub fn hex_bytes(s: &str) -> Vec<u8> {
    let h: String = s.chars().filter(|c| *c != '-').collect();
    (0..h.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&h[i..i + 2], 16).expect("hex"))
        .collect()
}

/// Records requests and answers from a script (then repeats the last answer).
#[derive(Debug)]
pub struct Recorder {
    seen: Mutex<Vec<HttpRequest>>,
    answers: Mutex<VecDeque<HttpResponse>>,
    last: HttpResponse,
}

impl Recorder {
    pub fn new(answers: Vec<HttpResponse>) -> Arc<Self> {
        let last = answers.last().cloned().expect("at least one answer");
        Arc::new(Recorder {
            seen: Mutex::default(),
            answers: Mutex::new(answers.into()),
            last,
        })
    }
    pub fn seen(&self) -> Vec<HttpRequest> {
        self.seen.lock().expect("lock").clone()
    }
}

#[async_trait]
impl HttpSend for Recorder {
    async fn send(&self, request: &HttpRequest) -> Result<HttpResponse, Error> {
        self.seen.lock().expect("lock").push(request.clone());
        Ok(self
            .answers
            .lock()
            .expect("lock")
            .pop_front()
            .unwrap_or_else(|| self.last.clone()))
    }
}

pub fn json_response(status: u16, body: &str) -> HttpResponse {
    HttpResponse {
        status,
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: body.as_bytes().to_vec(),
    }
}

pub fn success_body(ids: &[u64], request_id: &str) -> String {
    format!(
        r#"{{"Response":{{"Success":{},"RequestId":"{request_id}"}}}}"#,
        serde_json::to_string(ids).expect("json")
    )
}

pub fn error_body(code: &str, message: &str, request_id: &str) -> String {
    format!(
        r#"{{"Response":{{"Error":{{"Code":"{code}","Message":"{message}"}},"RequestId":"{request_id}"}}}}"#
    )
}

/// Options with a pinned clock, pinned randomness and the vectors' RequestClient.
pub fn pinned_options(clock: &ManualClock, random: Arc<VectorRandom>) -> ClientOptions {
    ClientOptions::default()
        .time(Arc::new(clock.clone()), Arc::new(clock.clone()))
        .random(random)
        .user_agent(REQUEST_CLIENT)
}

/// A client for an httpmock server: zh-CN, no region, pinned time, no pacing.
pub fn mock_client(base_url: &str, clock: &ManualClock, rate: RateLimit) -> Client {
    let options =
        pinned_options(clock, VectorRandom::new(vec![hex_bytes(TRACE_ID)])).rate_limit(rate);
    Client::new(
        Config::builder()
            .endpoint(base_url)
            .language(Language::ZhCn)
            .credentials(AccessKey::new(SECRET_ID, SECRET_KEY))
            .options(options)
            .build()
            .expect("config"),
    )
    .expect("client")
}
