//! Shared runtime of the cloud certificate SDK crates (`huawei-elb`, `huawei-apig`,
//! `huawei-csms`, `tencent-ssl`, `aliyun-cas`).
//!
//! Everything a provider crate needs that is not specific to its API lives here, once:
//!
//! | module | what |
//! |---|---|
//! | [`answer`] | what an answer means: the foreign-answer check and the error-code tables |
//! | [`error`] | the one [`Error`] type: kind, status, provider code, message, request id |
//! | [`retry`] | retry classes, provider-aware classification, backoff, `Retry-After`, budget |
//! | [`rate_limit`] | an async token bucket shared by a client's clones |
//! | [`transport`] | the [`HttpSend`](transport::HttpSend) trait and its reqwest implementation |
//! | [`credentials`] | keys, tokens, environment and chained providers; redacted `Debug` |
//! | [`sign`] | Huawei `SDK-HMAC-SHA256`, Tencent `TC3-HMAC-SHA256`, Aliyun `ACS3-HMAC-SHA256` |
//! | [`runtime`] | the attempt loop tying all of the above together |
//! | [`outcome`] | per-id outcomes of a delete |
//! | [`concurrency`] | bounded concurrency for one-request-per-id deletes |
//! | [`deleter`] | the provider-neutral [`Deleter`] trait |
//! | [`endpoint`] | endpoint parsing (`https://host`, `http://127.0.0.1:PORT`) |
//! | [`time`], [`random`] | seams for clocks, sleeps and randomness, so tests are exact and instant |
//! | `test_util` | test doubles for those seams (feature `test-util`, for tests only) |
//!
//! Users of a provider crate rarely name this crate except for [`Error`], [`ClientOptions`]
//! and [`RetryConfig`].

pub mod answer;
pub mod concurrency;
pub mod credentials;
pub mod deleter;
pub mod endpoint;
pub mod error;
pub mod http;
pub mod json;
pub mod outcome;
pub mod providers;
pub mod random;
pub mod rate_limit;
pub mod retry;
pub mod runtime;
pub mod seen;
pub mod sign;
pub mod stream;
#[cfg(any(test, feature = "test-util"))]
pub mod test_util;
pub mod time;
pub mod tls;
pub mod transport;
pub mod validate;

pub use credentials::{AccessKey, Credentials, Secret};
pub use deleter::{Deleter, PlannedRequest, Scope};
pub use endpoint::Endpoint;
pub use error::{Error, ErrorKind, Provider};
pub use outcome::{DeleteReport, ItemOutcome, Outcome, stopped};
pub use rate_limit::{LimitKey, Limiter, RateLimitConfig};
pub use retry::{RetryClass, RetryConfig};
pub use runtime::{ClientOptions, RateLimit};
