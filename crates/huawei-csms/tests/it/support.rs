//! This crate's client over cert-common's test doubles (`cert_common::test_util`), with a
//! pinned clock.

use std::sync::Arc;

use cert_common::test_util::{ScriptedHttp, manual_options};
use cert_common::time::ManualClock;
use cert_common::{AccessKey, RetryConfig};
use huawei_csms::{Client, Config};

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
