//! Helpers: an emulator on a manual clock and signed requests built with cert-common's signers.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use cert_common::credentials::{AccessKey, Credentials, Secret};
use cert_common::http::{HttpRequest, HttpResponse};
use cert_common::sign::{aliyun, huawei, tencent};
use cert_common::time::{Clock, ManualClock, UtcDateTime, unix_seconds};
use cert_common::transport::{HttpSend, ReqwestTransport, TransportConfig};
use cert_emulator::{Emulator, credentials as c};
use serde_json::Value;

pub const PROJECT: &str = c::HUAWEI_PROJECT_ID;
/// 2024-01-02T03:04:05Z.
pub const T0: u64 = 1_704_164_645;

pub struct Env {
    pub emu: Emulator,
    pub clock: ManualClock,
    transport: ReqwestTransport,
}

pub async fn start() -> Env {
    start_with(Emulator::builder()).await
}

pub async fn start_with(builder: cert_emulator::EmulatorBuilder) -> Env {
    let clock = ManualClock::at_unix(T0);
    let emu = builder
        .clock(Arc::new(clock.clone()))
        .start()
        .await
        .expect("emulator starts");
    let transport = ReqwestTransport::new(
        TransportConfig::default()
            .with_connect_timeout(Duration::from_secs(5))
            .with_attempt_timeout(Duration::from_secs(5)),
        "cert-emulator-tests",
    )
    .expect("transport");
    Env {
        emu,
        clock,
        transport,
    }
}

static NONCE: AtomicU64 = AtomicU64::new(1);

impl Env {
    pub fn host(&self) -> String {
        self.emu.addr().to_string()
    }

    pub fn now(&self) -> UtcDateTime {
        UtcDateTime::from_system_time(self.clock.now())
    }

    pub fn unix(&self) -> i64 {
        unix_seconds(self.clock.now())
    }

    pub async fn send(&self, req: &HttpRequest) -> HttpResponse {
        self.transport.send(req.clone()).await.expect("an answer")
    }

    pub async fn try_send(&self, req: &HttpRequest) -> Result<HttpResponse, cert_common::Error> {
        self.transport.send(req.clone()).await
    }

    pub fn huawei_with(
        &self,
        method: &str,
        path: &str,
        body: &str,
        creds: &Credentials,
        now: UtcDateTime,
    ) -> HttpRequest {
        let mut r = HttpRequest::new(method, "http", &self.host(), path);
        r.set_header("Content-Type", "application/json;charset=utf-8");
        r.set_header("User-Agent", "cert-emulator-tests");
        r.body = body.as_bytes().to_vec().into();
        huawei::sign_request(&mut r, creds, Some(PROJECT), now);
        r
    }

    pub fn huawei(&self, method: &str, path: &str, body: &str) -> HttpRequest {
        self.huawei_with(method, path, body, &huawei_key(), self.now())
    }

    pub fn tencent_with(&self, body: &str, key: &AccessKey, ts: i64) -> HttpRequest {
        let mut r = HttpRequest::new("POST", "http", &self.host(), "/");
        r.body = body.as_bytes().to_vec().into();
        tencent::sign_request(
            &mut r,
            &tencent::CommonParams {
                action: "BatchDeleteCSR",
                version: "2019-12-05",
                region: None,
                language: "en-US",
                request_client: "cert-emulator-tests",
                trace_id: "trace",
                service: "ssl",
                unsigned_payload: false,
            },
            key,
            ts,
        );
        r
    }

    pub fn tencent(&self, body: &str) -> HttpRequest {
        self.tencent_with(body, &tencent_key(), self.unix())
    }

    pub fn aliyun_with(&self, query: &str, key: &AccessKey, date: &str) -> HttpRequest {
        let mut r = HttpRequest::new("POST", "http", &self.host(), "/");
        r.query = query.to_string();
        let nonce = format!("{:032x}", NONCE.fetch_add(1, Ordering::Relaxed));
        aliyun::sign_request(
            &mut r,
            &aliyun::CommonParams {
                action: "DeleteUserCertificate",
                version: "2020-04-07",
                user_agent: "cert-emulator-tests",
                date,
                nonce: &nonce,
            },
            key,
        );
        r
    }

    pub fn aliyun(&self, query: &str) -> HttpRequest {
        self.aliyun_with(query, &aliyun_key(), &self.now().iso8601())
    }
}

pub fn huawei_key() -> Credentials {
    Credentials::AccessKey(AccessKey::new(c::HUAWEI_AK, c::HUAWEI_SK))
}

pub fn huawei_token() -> Credentials {
    Credentials::IamToken(Secret::new(c::HUAWEI_IAM_TOKEN))
}

pub fn tencent_key() -> AccessKey {
    AccessKey::new(c::TENCENT_SECRET_ID, c::TENCENT_SECRET_KEY)
}

pub fn aliyun_key() -> AccessKey {
    AccessKey::new(c::ALIYUN_ACCESS_KEY_ID, c::ALIYUN_ACCESS_KEY_SECRET)
}

pub fn json(resp: &HttpResponse) -> Value {
    serde_json::from_slice(&resp.body)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", String::from_utf8_lossy(&resp.body)))
}

/// `(status, error_code)` of a Huawei error answer.
pub fn huawei_error(resp: &HttpResponse) -> (u16, String) {
    let v = json(resp);
    assert!(v["error_msg"].is_string(), "{v}");
    assert!(v["request_id"].is_string(), "{v}");
    assert_eq!(resp.header("x-request-id"), v["request_id"].as_str());
    (
        resp.status,
        v["error_code"].as_str().unwrap_or("").to_string(),
    )
}

/// The `Response.Error.Code` of a Tencent answer (HTTP 200 asserted).
pub fn tencent_code(resp: &HttpResponse) -> String {
    assert_eq!(resp.status, 200);
    let v = json(resp);
    assert!(v["Response"]["RequestId"].is_string(), "{v}");
    v["Response"]["Error"]["Code"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

/// `(status, Code)` of an Aliyun error answer.
pub fn aliyun_error(resp: &HttpResponse) -> (u16, String) {
    let v = json(resp);
    for field in ["RequestId", "HostId", "Message", "Recommend"] {
        assert!(v[field].is_string(), "{field} in {v}");
    }
    (resp.status, v["Code"].as_str().unwrap_or("").to_string())
}
