//! Client for the Huawei Cloud Elastic Load Balance (ELB) v3 API `BatchDeleteCertificates`
//! (`POST /v3/{project_id}/elb/certificates/batch-delete`), which deletes load-balancer
//! certificates in batches.
//!
//! ```no_run
//! # async fn run() -> Result<(), cert_common::Error> {
//! use huawei_elb::{Client, Config};
//!
//! // Region, project id and credentials; anything not given is read from the environment
//! // (HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK, HUAWEICLOUD_SDK_PROJECT_ID, ...).
//! let client = Client::new(Config::builder().region("cn-north-4").build())?;
//! let out = client
//!     .batch_delete_certificates()
//!     .certificate_ids(["5bd3d6e5a1d54e3e8b0d0a6c7f3c1a01", "9a1b2c3d4e5f40718293a4b5c6d7e8f9"])
//!     .send()
//!     .await?;
//! for item in out.report().items() {
//!     println!("{}: {}", item.id, item.outcome);
//! }
//! # Ok(()) }
//! ```
//!
//! # Outcomes
//!
//! [`BatchDeleteCertificatesFluentBuilder::send`] reports exactly one
//! [`Outcome`] per distinct requested id:
//!
//! | server says | outcome |
//! |---|---|
//! | `ret_status: successful` | `Deleted` |
//! | `ret_status: not found` | `Absent` (also after an earlier attempt that may have deleted it) |
//! | any other `ret_status` | `Refused`, with `ret_code` as the code |
//! | the id is not in the answer | `Unconfirmed` |
//! | the whole request failed | [`Outcome::from_error`]: `Unconfirmed` when it may have applied (5xx, broken connection), else `Refused` |
//!
//! Repeated ids are sent and reported once; ids the server names that were not requested are
//! kept apart in [`DeleteOutput::unexpected_ids`](cert_common::DeleteOutput::unexpected_ids), never invented into the
//! report.
//!
//! # Errors and retries
//!
//! `send()` returns `Err` only when nothing was sent: invalid input
//! ([`ErrorKind::InvalidInput`]), or missing credentials.
//! Failures of the request itself become per-id outcomes, and the error is kept in
//! [`DeleteOutput::error`](cert_common::DeleteOutput::error). Throttling (HTTP 429, `APIG.0308`), 5xx answers
//! and transport failures are retried by [`cert_common`]'s runtime with full-jitter backoff,
//! honouring `Retry-After`, within the operation deadline; every attempt is signed afresh.
//!
//! # Configuration
//!
//! [`Config`] is shared by the three Huawei crates; see its documentation for how region,
//! endpoint (including `http://127.0.0.1:PORT` for a local emulator), credentials and project
//! id are resolved, and [`ClientOptions`] for retries, pacing,
//! timeouts and the HTTP client.

mod batch_delete;
mod client;
pub mod generated;

pub use client::DEFAULT_CONCURRENCY;
pub use generated::client::*;
pub use generated::errors::{ErrorCode, error_code};
