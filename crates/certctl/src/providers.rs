//! Turning command-line options into provider clients. This is argument plumbing only: every
//! delete goes through the crates' own clients and the provider-neutral `Deleter` trait.

use std::sync::Arc;

use cert_common::credentials::EnvVars;
use cert_common::{ClientOptions, Deleter, Error, RateLimit, RateLimitConfig, RetryConfig};

use crate::cli::{ConnArgs, HuaweiArgs};

/// Client options from `--max-attempts` and `--qps`.
pub fn options(conn: &ConnArgs) -> ClientOptions {
    // `--qps` is validated by its parser: positive and finite.
    let rate = match conn.qps {
        None => RateLimit::Documented,
        Some(q) => RateLimit::Custom(RateLimitConfig::per_second(q)),
    };
    ClientOptions::default()
        .retry(RetryConfig::default().with_max_attempts(conn.max_attempts))
        .rate_limit(rate)
        .allow_insecure_http(conn.allow_insecure_http)
        .timeouts(
            cert_common::transport::TransportConfig::default()
                .with_attempt_timeout(std::time::Duration::from_secs(conn.attempt_timeout)),
        )
        .app_name("certctl")
}

/// The Huawei config shared by the three Huawei commands.
pub fn huawei_config(
    huawei: &HuaweiArgs,
    conn: &ConnArgs,
) -> Result<cert_common::providers::huawei::Config, Error> {
    let mut b = cert_common::providers::huawei::Config::builder().options(options(conn));
    if let Some(r) = &conn.region {
        b = b.region(r);
    }
    if let Some(e) = &conn.endpoint {
        b = b.endpoint(e);
    }
    if let Some(p) = &huawei.project_id {
        b = b.project_id(p);
    }
    if huawei.iam_token {
        let token = std::env::var(EnvVars::HUAWEI_TOKEN_VAR)
            .ok()
            .filter(|t| !t.trim().is_empty())
            .ok_or_else(|| {
                Error::new(
                    cert_common::ErrorKind::Credentials,
                    format!(
                        "--iam-token needs the token in {}",
                        EnvVars::HUAWEI_TOKEN_VAR
                    ),
                )
            })?;
        b = b.credentials(cert_common::Credentials::IamToken(
            cert_common::Secret::new(token),
        ));
    }
    Ok(b.build())
}

/// A `huawei-elb` deleter.
pub fn huawei_elb(huawei: &HuaweiArgs, conn: &ConnArgs) -> Result<Arc<dyn Deleter>, Error> {
    Ok(Arc::new(huawei_elb::Client::new(huawei_config(
        huawei, conn,
    )?)?))
}

/// A `huawei-apig` deleter.
pub fn huawei_apig(huawei: &HuaweiArgs, conn: &ConnArgs) -> Result<Arc<dyn Deleter>, Error> {
    let client = huawei_apig::Client::new(huawei_config(huawei, conn)?)?;
    Ok(Arc::new(client.with_concurrency(conn.concurrency as usize)))
}

/// A `tencent-ssl` deleter.
pub fn tencent_ssl(international: bool, conn: &ConnArgs) -> Result<Arc<dyn Deleter>, Error> {
    let mut b = tencent_ssl::Config::builder()
        .options(options(conn))
        .international(international);
    if let Some(r) = &conn.region {
        b = b.region(r);
    }
    if let Some(e) = &conn.endpoint {
        b = b.endpoint(e);
    }
    Ok(Arc::new(tencent_ssl::Client::new(b.build()?)?))
}

/// An `aliyun-cas` deleter.
pub fn aliyun_cas(conn: &ConnArgs) -> Result<Arc<dyn Deleter>, Error> {
    let mut b = aliyun_cas::Config::builder()
        .options(options(conn))
        .max_concurrency(conn.concurrency as usize);
    if let Some(r) = &conn.region {
        b = b.region(r);
    }
    if let Some(e) = &conn.endpoint {
        b = b.endpoint(e);
    }
    Ok(Arc::new(aliyun_cas::Client::new(b.build()?)?))
}
