//! Client for the Huawei Cloud API Gateway (APIG) v2 API `DeleteCertificateV2`
//! (`DELETE /v2/{project_id}/apigw/certificates/{certificate_id}`), which deletes an SSL
//! certificate that is not bound to any domain name.
//!
//! ```no_run
//! # async fn run() -> Result<(), cert_common::Error> {
//! use huawei_apig::{Client, Config};
//!
//! // Anything not given is read from the environment (HUAWEICLOUD_SDK_AK, ...).
//! let client = Client::new(Config::builder().region("cn-north-4").build())?;
//!
//! // One certificate, or several (one request per distinct id, a bounded number at once,
//! // within the client's rate limit):
//! let out = client
//!     .delete_certificate()
//!     .certificate_ids(["3c6b2f1a9e8d4c7b8a6f5e4d3c2b1a09", "id-2", "id-3"])
//!     .send()
//!     .await?;
//! for item in out.report().items() {
//!     println!("{}: {}", item.id, item.outcome);
//! }
//! # Ok(()) }
//! ```
//!
//! # Outcomes and errors
//!
//! [`DeleteCertificateFluentBuilder::send`] reports one outcome per distinct id:
//!
//! | the server answers | outcome |
//! |---|---|
//! | 204 | [`Deleted`](cert_common::Outcome::Deleted) |
//! | 404 | [`Absent`](cert_common::Outcome::Absent) |
//! | another 4xx, e.g. the certificate is still bound to a domain | [`Refused`](cert_common::Outcome::Refused) with the server's code and message |
//! | 429 / `APIG.0308`, 5xx, transport failures | retried; when retries run out, [`Outcome::from_error`] of the last error (`Unconfirmed` when it may have applied), which keeps its code, message and request id |
//!
//! The request's error, when it failed, is kept in the output
//! ([`DeleteOutput::error`](cert_common::DeleteOutput::error)). `send()` returns `Err` only
//! when nothing was sent; an answer that stops the call (a wrong endpoint, an answer not of
//! this API) is in [`DeleteOutput::stopped`](cert_common::DeleteOutput::stopped). Invalid
//! input (an empty certificate id, `.` or `..`) is an
//! [`InvalidInput`](cert_common::ErrorKind::InvalidInput) error and nothing is sent. The
//! certificate id is percent-encoded as one path segment, so no id can address another path.
//!
//! Unlike the vendor's Python SDK, which loses the body of a throttled `DELETE`, errors keep
//! the `APIG.0308` code, message and request id.

mod delete;
pub mod generated;

pub use delete::DEFAULT_CONCURRENCY;
pub use generated::client::*;
pub use generated::errors::{ErrorCode, error_code};
