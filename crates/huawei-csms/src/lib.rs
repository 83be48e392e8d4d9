//! Client for the Huawei Cloud Cloud Secret Management Service (CSMS, part of DEW) v1 API
//! `BatchDeleteSecrets` (`POST /v1/{project_id}/secrets/batch-delete`), which irreversibly deletes
//! the secrets associated with a cloud service instance.
//!
//! ```no_run
//! # async fn run() -> Result<(), cert_common::Error> {
//! use huawei_csms::{Client, Config, InstanceType};
//!
//! // CSMS is served on the KMS host: https://kms.{region}.myhuaweicloud.com
//! let client = Client::new(Config::builder().region("cn-north-4").build())?;
//! let out = client
//!     .batch_delete_secrets()
//!     .instance_id("a1b2c3d4e5f647389a0b1c2d3e4f5a6bin01")
//!     .instance_type(InstanceType::Rds)
//!     .send()
//!     .await?
//!     .error_for_failure()?; // a request that failed after it was sent is an output too
//! println!("{} matched, deleted {:?}", out.total.unwrap_or(0), out.deleted);
//! for f in &out.failed {
//!     println!("{} not deleted: {}", f.name, f.message);
//! }
//! # Ok(()) }
//! ```
//!
//! # Irreversible, so explicit
//!
//! The API deletes **every** secret matching its filter, immediately and for good. A request
//! needs an [`instance_id`](BatchDeleteSecretsFluentBuilder::instance_id); without one it is
//! refused as [`InvalidInput`](cert_common::ErrorKind::InvalidInput) and nothing is sent,
//! unless the caller opts in with
//! [`delete_without_instance_id_i_understand_this_is_irreversible`](BatchDeleteSecretsFluentBuilder::delete_without_instance_id_i_understand_this_is_irreversible).
//!
//! # Errors and retries
//!
//! `send()` returns the server's report ([`BatchDeleteSecretsOutput`]: total, deleted secret
//! names, failed secrets with their error message). A request that failed after it was sent is
//! an output too, whose [`error`](cert_common::DeleteOutput::error) is a [`cert_common::Error`]
//! with the HTTP status, the vendor's code and message and the request id; `send()` returns
//! `Err` only when nothing was sent, as in every crate. Throttling (429 / `APIG.0308`),
//! 5xx and transport failures are retried by [`cert_common`]'s runtime; every attempt is signed
//! afresh. Because a retried batch delete may follow one that already deleted secrets,
//! [`earlier_attempt_may_have_applied()`](cert_common::DeleteOutput::earlier_attempt_may_have_applied)
//! says when the report may be missing secrets an earlier attempt deleted.
//!
//! This crate does not implement [`cert_common::Deleter`]: the API deletes by service instance,
//! not by a list of ids, so it has no per-id plan or report.

mod batch_delete;
pub mod generated;

pub use batch_delete::{BatchDeleteSecretsOutput, FailedSecret};
pub use generated::client::*;
pub use generated::{errors::ErrorCode, errors::error_code, models::InstanceType};
