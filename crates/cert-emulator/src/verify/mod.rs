//! Signature verification, written from the vendors' protocol description
//! (`shared/reference/protocol.md`), independently of `cert_common::sign`'s signers: only the
//! hash, HMAC, hex and percent-decoding primitives are shared.
//!
//! Each verifier recomputes the signature from what actually arrived: the headers the request
//! names as signed, the raw wire path and query, the body bytes. A client that signs one thing
//! and sends another is refused.

pub mod aliyun;
pub mod huawei;
pub mod tencent;

use std::fmt;

/// Why a request was refused, in the provider's terms.
#[derive(Clone, PartialEq, Eq)]
pub struct AuthFailure {
    /// HTTP status to answer with (Tencent: 200, the error travels in the body).
    pub status: u16,
    /// The provider's error code.
    pub code: &'static str,
    /// A message naming what did not match (never a secret or a signature).
    pub message: String,
}

impl AuthFailure {
    pub(crate) fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        AuthFailure {
            status,
            code,
            message: message.into(),
        }
    }
}

impl fmt::Debug for AuthFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.status, self.code, self.message)
    }
}

/// Who a verified request came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// An access key (its id).
    AccessKey(String),
    /// A Huawei IAM token (`X-Auth-Token`).
    IamToken,
}

impl Principal {
    /// A short description for the request log (the key id, never a secret).
    pub fn describe(&self) -> String {
        match self {
            Principal::AccessKey(id) => id.clone(),
            Principal::IamToken => "iam-token".to_string(),
        }
    }
}

/// `enc()`: UTF-8 percent-encoding leaving only `A-Z a-z 0-9 - _ . ~`, upper-case hex.
pub(crate) fn enc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(b"0123456789ABCDEF"[usize::from(b >> 4)]));
            out.push(char::from(b"0123456789ABCDEF"[usize::from(b & 15)]));
        }
    }
    out
}

/// Splits `ALGO k1=v1, k2=v2` (separators `,` with optional spaces) into pairs. `None` when
/// the algorithm differs or an item has no `=`.
pub(crate) fn auth_params<'a>(value: &'a str, algorithm: &str) -> Option<Vec<(&'a str, &'a str)>> {
    let rest = value.strip_prefix(algorithm)?;
    if !rest.starts_with(' ') {
        return None;
    }
    rest.split(',')
        .map(|item| item.trim().split_once('='))
        .collect()
}

pub(crate) fn param<'a>(params: &[(&'a str, &'a str)], name: &str) -> Option<&'a str> {
    params.iter().find(|(k, _)| *k == name).map(|(_, v)| *v)
}

/// Constant-time equality of two strings.
pub(crate) fn same(a: &str, b: &str) -> bool {
    cert_common::sign::signatures_equal(a, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enc_matches_the_protocol() {
        assert_eq!(enc("a b/c~d*e+f"), "a%20b%2Fc~d%2Ae%2Bf");
        assert_eq!(enc("证书-ü"), "%E8%AF%81%E4%B9%A6-%C3%BC");
        assert_eq!(enc(""), "");
    }

    #[test]
    fn auth_params_split() {
        let p = auth_params("X-ALG A=1, B=2;3,C=x", "X-ALG").expect("parse");
        assert_eq!(p, vec![("A", "1"), ("B", "2;3"), ("C", "x")]);
        assert!(auth_params("X-ALGA=1", "X-ALG").is_none());
        assert!(auth_params("X-ALG A", "X-ALG").is_none());
        assert!(auth_params("Y A=1", "X-ALG").is_none());
    }
}
