//! Client configuration: the shared Tencent configuration
//! (`cert_common::providers::tencent::config`) for this API.

use cert_common::providers::tencent::config::TencentApi;

use crate::generated::operation::batch_delete_csr as op;

/// The SSL Certificates API, as the shared Tencent configuration knows it (its host,
/// `ssl.tencentcloudapi.com`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Ssl;

impl TencentApi for Ssl {
    const SERVICE: &'static str = op::SERVICE;
}

/// The configuration of a [`Client`](crate::Client): where to send, as whom, and how. Build
/// it with [`Config::builder`](cert_common::providers::tencent::config::Config::builder).
pub type Config = cert_common::providers::tencent::config::Config<Ssl>;

/// Builds a [`Config`]. Nothing is checked until `build()`.
pub type ConfigBuilder = cert_common::providers::tencent::config::ConfigBuilder<Ssl>;
