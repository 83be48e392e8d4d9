//! Client for the Tencent Cloud SSL Certificates API (version 2019-12-05) action
//! `BatchDeleteCSR`, which deletes certificate signing requests (CSRs).
//!
//! ```no_run
//! # async fn run() -> Result<(), cert_common::Error> {
//! use tencent_ssl::{Client, Config};
//!
//! // Credentials from TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY
//! // (and TENCENTCLOUD_SESSION_TOKEN, TENCENTCLOUD_SECURITY_TOKEN or TENCENTCLOUD_TOKEN for
//! // temporary keys).
//! let client = Client::new(Config::builder().build())?;
//! let out = client.batch_delete_csr().csr_ids([11, 22, 33]).send().await?;
//! for item in out.report().items() {
//!     println!("{}: {}", item.id, item.outcome);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # What `send()` does
//! - Refuses bad input before sending anything: an empty id list is an
//!   [`ErrorKind::InvalidInput`] error. Repeated ids
//!   are sent and reported once.
//! - Splits the ids into requests of at most 100 (the documented maximum), sends them
//!   concurrently through the client's shared rate limiter (10 requests/s, the documented
//!   limit, unless [`ClientOptions`] say otherwise), and merges the answers.
//! - Retries throttling (`RequestLimitExceeded*`, `LimitExceeded.RateLimitExceeded`), server
//!   errors (`InternalError`, HTTP 5xx) and broken connections with full-jitter backoff; every
//!   attempt is signed afresh and carries the same `X-TC-TraceId`.
//!
//! # Outcomes
//! The report has exactly one [`Outcome`] per distinct requested id:
//! - [`Outcome::Deleted`]: listed in the answer's `Success`.
//! - [`Outcome::Unconfirmed`]: requested but not listed in `Success`. The API does not say why
//!   (it may not exist, or may not be deletable); when an earlier attempt of the same request may
//!   have reached the server, the id may also have been deleted by that attempt. This SDK never
//!   claims more than the server said.
//! - For a request that failed as a whole, each of its ids gets [`Outcome::from_error`]:
//!   [`Outcome::Refused`] with the code and message (e.g. `InvalidParameter.InvalidCSRId`), or
//!   [`Outcome::Unconfirmed`] when the request may have taken effect (retries ran out after a
//!   5xx or a broken connection).
//!
//! `send()` returns `Err` only when nothing was sent (invalid input, no usable credentials). An
//! answer that stops the call (a wrong endpoint, an answer not of this API) is in
//! [`DeleteOutput::stopped`](cert_common::DeleteOutput::stopped). Failures of
//! individual requests are in the report and in
//! [`DeleteOutput::requests`](cert_common::DeleteOutput::requests).
//!
//! Error codes are typed by [`error_code`] ([`ErrorCode`], generated from the vendor's
//! documentation); what each code means (retry, outcome, wrong endpoint) is decided once, by the generated
//! error table [`generated::errors::RULES`] through [`cert_common::answer::meaning`].

mod client;
pub mod generated;

pub use cert_common::providers::tencent::Language;
pub use client::DEFAULT_CONCURRENCY;
pub use generated::client::*;
pub use generated::errors::{ErrorCode, error_code};
