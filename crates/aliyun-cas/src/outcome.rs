//! How a `DeleteUserCertificate` result maps to a per-id [`Outcome`].
//!
//! CAS documents no business error codes for this API ("the operation returns only common
//! errors"): no code says "no such certificate" and none says "in use". So no answer makes an
//! id `absent`; a refusal is `refused` with the server's code and message, and an answer that
//! may have applied is `unconfirmed`. Every code's meaning comes from the generated error table
//! (`spec/delete_user_certificate.json`, see `docs/outcomes.md`); there are no rules by
//! substring.

use cert_common::{Error, Outcome};

use crate::client::DeleteUserCertificateOutput;

/// The outcome of one `DeleteUserCertificate` call: success → [`Outcome::Deleted`]; an error →
/// [`Outcome::from_error`] (refused, or unconfirmed when the call may have taken effect).
pub fn outcome_of(result: &Result<DeleteUserCertificateOutput, Error>) -> Outcome {
    match result {
        Ok(_) => Outcome::Deleted,
        Err(e) => Outcome::from_error(e),
    }
}
