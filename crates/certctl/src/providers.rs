//! Turning command-line options into provider clients. This is argument plumbing only: every
//! delete goes through the crates' own clients and the provider-neutral `Deleter` trait.

use std::sync::Arc;

use std::ffi::OsStr;

use cert_common::credentials::EnvVars;
use cert_common::{ClientOptions, Deleter, Error, RateLimit, RateLimitConfig, RetryConfig};
use cert_ratelimit_redis::{RedisLimiter, RedisLimiterOptions, RedisUrl};

use crate::cli::{ConnArgs, HuaweiArgs};

/// Client options from `--max-attempts`, `--qps`, `--attempt-timeout`, `--concurrency` and
/// `--rate-limit`.
pub fn options(conn: &ConnArgs) -> ClientOptions {
    // `--qps` is validated by its parser: positive and finite.
    let rate = match conn.qps {
        None => RateLimit::Documented,
        Some(q) => RateLimit::Custom(RateLimitConfig::per_second(q)),
    };
    let mut options = ClientOptions::default()
        .retry(RetryConfig::default().with_max_attempts(conn.max_attempts))
        .rate_limit(rate)
        .allow_insecure_http(conn.allow_insecure_http)
        .timeouts(
            cert_common::transport::TransportConfig::default()
                .with_attempt_timeout(std::time::Duration::from_secs(conn.attempt_timeout))
                // Each runtime thread its own connections (`crate::shards`).
                .with_pool_per_thread(true),
        )
        .app_name("certctl")
        .signing_algorithm(conn.signing_algorithm.algorithm())
        .max_concurrency(conn.concurrency as usize);
    if let Some(bundle) = &conn.ca_bundle {
        options = options.ca_bundle(bundle.clone());
    }
    match &conn.rate_limit {
        Some(url) => options.shared_rate_limiter(Arc::new(shared_limiter(
            url.clone(),
            conn.rate_limit_workers,
        ))),
        None => options,
    }
}

/// The limiter of `--rate-limit`. Building it connects to nothing (the first request does,
/// within the limiter's short timeout), so an unreachable Redis is not an error here: the
/// limiter paces at the rate divided by `workers` and prints one warning.
fn shared_limiter(url: RedisUrl, workers: u32) -> RedisLimiter {
    RedisLimiter::from_url(
        url,
        RedisLimiterOptions::default()
            .with_workers(workers)
            .with_warning_hook(|message| eprintln!("certctl: warning: {message}")),
    )
}

/// Before a run with `--rate-limit`: a Redis that answers but refuses the URL's settings (a
/// wrong password, a database it does not have) is a configuration error (exit 3), nothing
/// sent; one that cannot be reached is left to the limiter's documented fallback.
pub async fn check_rate_limit(conn: &ConnArgs) -> Result<(), u8> {
    let Some(url) = &conn.rate_limit else {
        return Ok(());
    };
    match RedisLimiter::from_url(url.clone(), RedisLimiterOptions::default())
        .check()
        .await
    {
        Ok(_) => Ok(()),
        Err(e) => {
            eprintln!("certctl: {e}");
            Err(crate::report::EXIT_CONFIG)
        }
    }
}

/// The parser of `--rate-limit`: a `redis://` or `rediss://` URL that redis-rs accepts. Its
/// error never repeats the value given (which may hold a password).
#[derive(Debug, Clone, Copy)]
pub struct RateLimitUrlParser;

impl clap::builder::TypedValueParser for RateLimitUrlParser {
    type Value = RedisUrl;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<RedisUrl, clap::Error> {
        let invalid = |message: String| {
            clap::Error::raw(
                clap::error::ErrorKind::ValueValidation,
                format!("invalid value for --rate-limit: {message}\n"),
            )
            .with_cmd(cmd)
        };
        let text = value
            .to_str()
            .ok_or_else(|| invalid("the URL is not UTF-8".to_string()))?;
        RedisUrl::parse(text).map_err(|e| invalid(e.message().to_string()))
    }
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
    if let Some(p) = &conn.profile {
        b = b.profile(p);
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
    Ok(Arc::new(huawei_apig::Client::new(huawei_config(
        huawei, conn,
    )?)?))
}

/// A `tencent-ssl` deleter.
pub fn tencent_ssl(international: bool, conn: &ConnArgs) -> Result<Arc<dyn Deleter>, Error> {
    let mut b = tencent_ssl::Config::builder()
        .options(options(conn))
        .international(international);
    if let Some(p) = &conn.profile {
        b = b.profile(p);
    }
    if let Some(r) = &conn.region {
        b = b.region(r);
    }
    if let Some(e) = &conn.endpoint {
        b = b.endpoint(e);
    }
    Ok(Arc::new(tencent_ssl::Client::new(b.build())?))
}

/// An `aliyun-cas` deleter.
pub fn aliyun_cas(conn: &ConnArgs) -> Result<Arc<dyn Deleter>, Error> {
    let mut b = aliyun_cas::Config::builder().options(options(conn));
    if let Some(p) = &conn.profile {
        b = b.profile(p);
    }
    if let Some(r) = &conn.region {
        b = b.region(r);
    }
    if let Some(e) = &conn.endpoint {
        b = b.endpoint(e);
    }
    Ok(Arc::new(aliyun_cas::Client::new(b.build())?))
}
