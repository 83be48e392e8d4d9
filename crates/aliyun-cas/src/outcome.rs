//! How a `DeleteUserCertificate` result maps to a per-id [`Outcome`].
//!
//! The vendor does not document this API's business error codes, so the rules are by name and
//! deliberately narrow (see each function). Anything they do not recognise falls back to
//! [`Outcome::from_error`]: refused, or unconfirmed when an attempt may have taken effect.

use cert_common::{Error, Outcome};

use crate::client::DeleteUserCertificateOutput;

/// True for codes that say the certificate does not exist: compared case-insensitively, the code
/// contains `NotFound`, `NotExist` or `NonExist` (e.g. `NotFound`, `Certificate.NotFound`,
/// `CertNotExist`, `ResourceNotFound`) and is not about credentials (codes starting with
/// `InvalidAccessKeyId` or `InvalidSecurityToken`, such as `InvalidAccessKeyId.NotFound`, are
/// not).
pub fn is_not_found_code(code: &str) -> bool {
    let lc = code.to_ascii_lowercase();
    if lc.starts_with("invalidaccesskeyid") || lc.starts_with("invalidsecuritytoken") {
        return false;
    }
    lc.contains("notfound") || lc.contains("notexist") || lc.contains("nonexist")
}

/// True for codes that say the certificate is still in use (bound to a domain or a product):
/// compared case-insensitively, the code contains `InUse`, `In_Use`, `Binding`, `Deployed` or
/// `Associated` (e.g. `Certificate.InUse`, `CertIsBinding`).
pub fn is_in_use_code(code: &str) -> bool {
    let lc = code.to_ascii_lowercase();
    ["inuse", "in_use", "binding", "deployed", "associated"]
        .iter()
        .any(|k| lc.contains(k))
}

/// The outcome of one `DeleteUserCertificate` call:
/// - success: [`Outcome::Deleted`];
/// - a not-found code ([`is_not_found_code`]): [`Outcome::Absent`] (also after an earlier
///   attempt that may have deleted it: either way it is gone);
/// - an in-use code ([`is_in_use_code`]): [`Outcome::Refused`] with the code and message (the
///   certificate exists, so no earlier attempt deleted it);
/// - anything else: [`Outcome::from_error`].
pub fn outcome_of(result: &Result<DeleteUserCertificateOutput, Error>) -> Outcome {
    match result {
        Ok(_) => Outcome::Deleted,
        Err(e) => match e.code() {
            Some(code) if e.status().is_some() && is_not_found_code(code) => Outcome::Absent,
            Some(code) if e.status().is_some() && is_in_use_code(code) => Outcome::Refused {
                code: Some(code.to_string()),
                message: e.message().to_string(),
            },
            _ => Outcome::from_error(e),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_found_rule() {
        for c in [
            "NotFound",
            "Certificate.NotFound",
            "CertNotExist",
            "ResourceNotFound",
            "NotExists.Certificate",
        ] {
            assert!(is_not_found_code(c), "{c}");
        }
        for c in [
            "InvalidAccessKeyId.NotFound",
            "InvalidSecurityToken.NotFound",
            "Throttling.User",
            "Forbidden",
            "",
        ] {
            assert!(!is_not_found_code(c), "{c}");
        }
    }

    #[test]
    fn in_use_rule() {
        for c in [
            "Certificate.InUse",
            "CertIsBinding",
            "Cert.Deployed",
            "ResourceInUse",
        ] {
            assert!(is_in_use_code(c), "{c}");
        }
        for c in ["NotFound", "Throttling", "InvalidParameter", ""] {
            assert!(!is_in_use_code(c), "{c}");
        }
    }
}
