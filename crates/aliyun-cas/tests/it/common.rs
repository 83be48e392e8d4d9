//! This crate's vector constants, answer bodies and client construction over cert-common's
//! test doubles (`cert_common::test_util`).

use std::sync::Arc;

use aliyun_cas::{Client, Config};
use cert_common::credentials::AccessKey;
use cert_common::test_util::{QueuedRandom, hex_bytes, manual_options};
use cert_common::time::ManualClock;
use cert_common::{ClientOptions, RateLimit};

pub const AK: &str = "LTAI5tEXAMPLEAccessKey01";
pub const SECRET: &str = "EXAMPLEsecret000000000000000001";
pub const USER_AGENT: &str = "AlibabaCloud (Linux; x86_64) Python/3.11.7 Core/0.4.3 TeaDSL/2";
pub const TOKEN_UUID: &str = "0f0e0d0c-0b0a-4908-8706-050403020100";
pub const NONCE: &str = "3156853299f313e23d1673dc12e1703d";

/// Options with a pinned clock, pinned randomness (client token, then nonce) and the
/// vectors' user agent.
pub fn pinned_options(clock: &ManualClock, random: QueuedRandom) -> ClientOptions {
    manual_options(clock)
        .random(Arc::new(random))
        .user_agent(USER_AGENT)
}

/// A client for a local server with pinned time and randomness.
pub fn mock_client(base_url: &str, clock: &ManualClock, rate: RateLimit) -> Client {
    let random = QueuedRandom::new(vec![hex_bytes(TOKEN_UUID), hex_bytes(NONCE)]);
    let options = pinned_options(clock, random).rate_limit(rate);
    Client::new(
        Config::builder()
            .endpoint(base_url)
            .credentials(AccessKey::new(AK, SECRET))
            .options(options)
            .build(),
    )
    .expect("client")
}
