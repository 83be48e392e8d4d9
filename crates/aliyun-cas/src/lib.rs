//! Client for the Alibaba Cloud Certificate Management Service (CAS, version 2020-04-07) action
//! `DeleteUserCertificate`, which deletes an expired or uploaded certificate.
//!
//! ```no_run
//! # async fn run() -> Result<(), cert_common::Error> {
//! use aliyun_cas::{Client, Config};
//!
//! // Credentials from ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET
//! // (and ALIBABA_CLOUD_SECURITY_TOKEN for STS keys).
//! let client = Client::new(Config::builder().region("cn-hangzhou").build())?;
//! // One request per distinct id, a bounded number at once, one outcome per id:
//! let out = client.delete_user_certificate().cert_ids([7562353, 2, 3]).send().await?;
//! for item in out.report().items() {
//!     println!("{}: {} (request id {:?})", item.id, item.outcome, item.request_id);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # Requests
//! `POST /?CertId=<id>&ClientToken=<token>` with an empty body, signed with
//! ACS3-HMAC-SHA256, as the vendor's SDK sends it. The `ClientToken` (idempotency key) is
//! generated once per call and reused on every retry, so a retried delete is not applied twice;
//! pass your own with [`DeleteUserCertificateFluentBuilder::client_token`], or turn the
//! automatic one off with [`ConfigBuilder::auto_client_token`].
//!
//! # Retries
//! `Throttling*` codes and a positive `x-acs-retry-after` header (milliseconds, honoured as the
//! wait) are throttling; HTTP 5xx, `ServiceUnavailable` and broken connections are transient;
//! both are retried with full-jitter backoff (3 attempts by default), paced by a rate limiter
//! shared by the client's clones (100 requests/s, the documented limit). Everything else is
//! permanent. When retries run out the error keeps the last real error and its request id.
//!
//! # Outcomes
//! [`DeleteUserCertificateFluentBuilder::send`] reports one outcome per distinct id (and
//! returns `Err` only when nothing was sent):
//! - [`Outcome::Deleted`]: HTTP 200 `{"RequestId"}`.
//! - [`Outcome::Absent`]: never. CAS documents no "no such certificate" code for this API, and
//!   `absent` is claimed only from a documented code (`docs/outcomes.md`).
//! - [`Outcome::Refused`]: a permanent error, with the provider's code and message.
//! - [`Outcome::Unconfirmed`]: retries ran out after an attempt that may have taken effect
//!   (5xx, broken connection), or any failure after such an attempt.

mod client;
pub mod generated;

pub use client::DEFAULT_CONCURRENCY;
pub use generated::client::*;
pub use generated::errors::{ErrorCode, error_code};
