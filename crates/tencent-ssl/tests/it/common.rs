//! This crate's vector constants, answer bodies and client construction over cert-common's
//! test doubles (`cert_common::test_util`).

use std::sync::Arc;

use cert_common::credentials::AccessKey;
use cert_common::test_util::{QueuedRandom, hex_bytes, manual_options};
use cert_common::time::ManualClock;
use cert_common::{ClientOptions, RateLimit};
use tencent_ssl::{Client, Config, Language};

pub const SECRET_ID: &str = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE";
pub const SECRET_KEY: &str = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE";
pub const REQUEST_CLIENT: &str = "SDK_PYTHON_3.1.195";
pub const TRACE_ID: &str = "0f0e0d0c-0b0a-4908-8706-050403020100";

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
pub fn pinned_options(clock: &ManualClock, random: QueuedRandom) -> ClientOptions {
    manual_options(clock)
        .random(Arc::new(random))
        .user_agent(REQUEST_CLIENT)
}

/// A client for an httpmock server: zh-CN, no region, pinned time, no pacing.
pub fn mock_client(base_url: &str, clock: &ManualClock, rate: RateLimit) -> Client {
    let options =
        pinned_options(clock, QueuedRandom::new(vec![hex_bytes(TRACE_ID)])).rate_limit(rate);
    Client::new(
        Config::builder()
            .endpoint(base_url)
            .language(Language::ZhCn)
            .credentials(AccessKey::new(SECRET_ID, SECRET_KEY))
            .options(options)
            .build(),
    )
    .expect("client")
}
