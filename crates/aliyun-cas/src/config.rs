//! Client configuration: the shared Alibaba Cloud configuration
//! (`cert_common::providers::aliyun::config`) for this API.

use cert_common::providers::aliyun::config::AliyunApi;

use crate::generated::operation::delete_user_certificate as op;

/// Deletes a call with several ids (and a streamed run) keeps in
/// flight when [`ClientOptions::max_concurrency`](cert_common::ClientOptions::max_concurrency)
/// is not set. The rate limiter paces them either way.
pub const DEFAULT_CONCURRENCY: usize = 16;

/// The Certificate Management Service API, as the shared Alibaba Cloud configuration knows it
/// (its region endpoints).
#[derive(Debug, Clone, Copy, Default)]
pub struct Cas;

impl AliyunApi for Cas {
    const PRODUCT: &'static str = "CAS";

    fn endpoint_for_region(region: &str) -> String {
        op::endpoint_for_region(region)
    }
}

/// The configuration of a [`Client`](crate::Client): where to send, as whom, and how. Build
/// it with [`Config::builder`](cert_common::providers::aliyun::config::Config::builder); a
/// region (`cn-hangzhou`, which picks the endpoint as the vendor's SDK does) or an endpoint
/// must be given.
pub type Config = cert_common::providers::aliyun::config::Config<Cas>;

/// Builds a [`Config`]. Nothing is checked until `build()`.
pub type ConfigBuilder = cert_common::providers::aliyun::config::ConfigBuilder<Cas>;
