//! Shared runtime of the cloud certificate SDK crates (`huawei-elb`, `huawei-apig`,
//! `huawei-csms`, `tencent-ssl`, `aliyun-cas`).
//!
//! Users of a provider crate name this crate for [`Error`], [`ClientOptions`],
//! [`RetryConfig`], credentials and the [`Deleter`] trait:
//!
//! | module | what |
//! |---|---|
//! | [`error`] | the one [`Error`] type: kind, status, provider code, message, request id |
//! | [`retry`] | retry classes, backoff, `Retry-After`, the retry budget |
//! | [`rate_limit`] | an async token bucket shared by a client's clones; the [`Limiter`] trait |
//! | [`transport`] | the [`HttpSend`](transport::HttpSend) trait and its reqwest implementation |
//! | [`tls`] | where the default transport's TLS trust comes from |
//! | [`credentials`] | keys, tokens, the vendors' default chains, temporary credentials; redacted `Debug` |
//! | [`sign`] | Huawei `SDK-HMAC-SHA256`, Tencent `TC3-HMAC-SHA256`, Aliyun `ACS3-HMAC-SHA256` (and SM3) |
//! | [`outcome`] | per-id outcomes of a delete |
//! | [`deleter`] | the provider-neutral [`Deleter`] trait; [`stream`] its streaming side |
//! | [`endpoint`] | endpoint parsing (`https://host`, `http://127.0.0.1:PORT`) |
//! | [`http`] | the request and answer types an [`HttpSend`](transport::HttpSend) handles |
//! | [`time`], [`random`] | seams for clocks, sleeps and randomness, so tests are exact and instant |
//! | `test_util` | test doubles for those seams (feature `test-util`, for tests only) |
//!
//! **Internals.** The modules the provider crates build on — `runtime` (the attempt loop),
//! `answer` (what an answer means), `providers` (each vendor's request building, parsing and
//! credential sources), `concurrency`, `json`, `seen` and `validate` — are public so those
//! crates can use them, and hidden from this documentation: they carry no stability promise
//! beyond the workspace's own crates, which are released together at one version. The same
//! holds for the engine's items inside documented modules, hidden one by one: the batch
//! engine (`batch::send_batches`, `Batch`, `Answered`), `outcome::ReportBuilder`, the retry
//! budget, the header parsers and the credential sources' plumbing (`credentials::metadata`,
//! `sts`). [`CodeMeaning`], what an error code means, is the one type of `answer` users meet
//! (through [`Error::code_meaning`] and each crate's `ErrorCode::meaning`): it is exported here.

// Built with no vendor feature (a crate that only needs the vendor-neutral parts, such as
// cert-ratelimit-redis), the signing helpers the vendors share have no caller.
#![cfg_attr(
    not(any(feature = "huawei", feature = "tencent", feature = "aliyun")),
    allow(dead_code)
)]

#[doc(hidden)]
pub mod answer;
pub mod batch;
#[doc(hidden)]
pub mod concurrency;
pub mod credentials;
pub mod deleter;
pub mod endpoint;
pub mod error;
pub mod http;
#[doc(hidden)]
pub mod json;
pub mod outcome;
mod provider;
#[doc(hidden)]
pub mod providers;
pub mod random;
pub mod rate_limit;
pub mod retry;
#[doc(hidden)]
pub mod runtime;
#[doc(hidden)]
pub mod seen;
pub mod sign;
pub mod stream;
#[cfg(any(test, feature = "test-util"))]
pub mod test_util;
pub mod time;
pub mod tls;
pub mod transport;
#[doc(hidden)]
pub mod validate;
mod vendors;

pub use answer::CodeMeaning;
pub use batch::{DeleteOutput, RequestSummary};
pub use credentials::{AccessKey, Credentials, Secret};
pub use deleter::{Deleter, PlannedRequest, Scope};
pub use endpoint::Endpoint;
pub use error::{Error, ErrorKind};
pub use outcome::{DeleteReport, ItemOutcome, Outcome};
pub use provider::Provider;
pub use rate_limit::{LimitKey, Limiter, RateLimitConfig};
pub use retry::{RetryClass, RetryConfig};
pub use runtime::{ClientOptions, RateLimit};
