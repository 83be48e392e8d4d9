//! Test doubles: pinned randomness, a recording transport, client construction.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use aliyun_cas::{Client, Config};
use async_trait::async_trait;
use cert_common::credentials::AccessKey;
use cert_common::http::{HttpRequest, HttpResponse};
use cert_common::random::Random;
use cert_common::time::ManualClock;
use cert_common::transport::HttpSend;
use cert_common::{ClientOptions, Error, RateLimit};

pub const AK: &str = "LTAI5tEXAMPLEAccessKey01";
pub const SECRET: &str = "EXAMPLEsecret000000000000000001";
pub const USER_AGENT: &str = "AlibabaCloud (Linux; x86_64) Python/3.11.7 Core/0.4.3 TeaDSL/2";
pub const TOKEN_UUID: &str = "0f0e0d0c-0b0a-4908-8706-050403020100";
pub const NONCE: &str = "3156853299f313e23d1673dc12e1703d";

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

/// Options with a pinned clock, pinned randomness (client token, then nonce) and the
/// vectors' user agent.
pub fn pinned_options(clock: &ManualClock, random: Arc<VectorRandom>) -> ClientOptions {
    ClientOptions::default()
        .time(Arc::new(clock.clone()), Arc::new(clock.clone()))
        .random(random)
        .user_agent(USER_AGENT)
}

/// A client for a local server with pinned time and randomness.
pub fn mock_client(base_url: &str, clock: &ManualClock, rate: RateLimit) -> Client {
    let random = VectorRandom::new(vec![hex_bytes(TOKEN_UUID), hex_bytes(NONCE)]);
    let options = pinned_options(clock, random).rate_limit(rate);
    Client::new(
        Config::builder()
            .endpoint(base_url)
            .credentials(AccessKey::new(AK, SECRET))
            .options(options)
            .build()
            .expect("config"),
    )
    .expect("client")
}
