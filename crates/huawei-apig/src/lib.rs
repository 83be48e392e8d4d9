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
//! // One certificate:
//! let out = client
//!     .delete_certificate()
//!     .certificate_id("3c6b2f1a9e8d4c7b8a6f5e4d3c2b1a09")
//!     .send()
//!     .await?;
//! println!("{}", out.outcome);
//!
//! // Several, concurrently (within the client's rate limit), one outcome per id:
//! let report = client.delete_many(["id-1", "id-2", "id-3"]).await?;
//! for item in report.items() {
//!     println!("{}: {}", item.id, item.outcome);
//! }
//! # Ok(()) }
//! ```
//!
//! # Outcomes and errors
//!
//! | the server answers | [`DeleteCertificateFluentBuilder::send`] |
//! |---|---|
//! | 204 (or 200) | `Ok`, [`Outcome::Deleted`](cert_common::Outcome::Deleted) |
//! | 404 | `Ok`, [`Outcome::Absent`](cert_common::Outcome::Absent) |
//! | another 4xx, e.g. the certificate is still bound to a domain | `Ok`, [`Outcome::Refused`](cert_common::Outcome::Refused) with the server's code and message |
//! | 401, or `APIG.0301` | `Err`, kind [`Credentials`](cert_common::ErrorKind::Credentials) (signature, token or clock rejected) |
//! | 403 | `Err`, kind [`Service`](cert_common::ErrorKind::Service) (valid credentials without permission) |
//! | 429 / `APIG.0308`, 5xx, transport failures | retried; `Err` when retries run out, keeping the last error's code, message and request id |
//!
//! Invalid input (an empty certificate id, `.` or `..`) is an
//! [`InvalidInput`](cert_common::ErrorKind::InvalidInput) error and nothing is sent. The
//! certificate id is percent-encoded as one path segment, so no id can address another path.
//!
//! [`Client::delete_many`] (and [`DeleteCertificatesFluentBuilder`]) turn each per-id `Err`
//! into [`Outcome::from_error`](cert_common::Outcome::from_error) (`Unconfirmed` when the
//! request may have applied, else `Refused`) and return `Err` only when nothing was sent.
//!
//! Unlike the vendor's Python SDK, which loses the body of a throttled `DELETE`, errors keep
//! the `APIG.0308` code, message and request id.

mod client;
mod delete;
pub mod generated;

pub use cert_common::providers::huawei::{Config, ConfigBuilder};
pub use delete::{
    DEFAULT_CONCURRENCY, DeleteCertificateFluentBuilder, DeleteCertificateOutput,
    DeleteCertificatesFluentBuilder,
};
pub use generated::client::Client;
