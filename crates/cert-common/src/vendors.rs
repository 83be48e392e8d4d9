//! The vendors compiled in, and what the vendor-neutral core needs of each: the header names
//! its requests and answers carry, and the one that names the server's request id. Each vendor defines its own table in
//! `providers/<vendor>/headers.rs`, behind its feature; this is the one place that lists
//! them, so the transport and the log redaction name no vendor.

use reqwest::header::HeaderName;

/// One vendor's header names.
#[derive(Debug)]
pub(crate) struct VendorHeaders {
    /// The vendor.
    pub provider: crate::Provider,
    /// The answer header that carries the server's request id, when the vendor sends one
    /// (Tencent puts it in the body only).
    pub request_id: Option<&'static str>,
    /// Headers whose values are safe to print (everything else is redacted).
    pub loggable: &'static [&'static str],
    /// Headers its signers and request builders send, as static `HeaderName`s. Sorted by
    /// length, then bytes (a test keeps it so); the transport scans it.
    pub sent: &'static [(&'static str, HeaderName)],
}

/// `[(name, HeaderName)]` from name literals, each name written once. An invalid or
/// upper-case name fails to compile.
macro_rules! static_header_names {
    ($($name:literal,)*) => {
        [$(($name, ::reqwest::header::HeaderName::from_static($name)),)*]
    };
}
pub(crate) use static_header_names;

/// The header tables of the vendors this build has.
pub(crate) static ENABLED: &[&VendorHeaders] = &[
    #[cfg(feature = "huawei")]
    &crate::providers::huawei::headers::HEADERS,
    #[cfg(feature = "tencent")]
    &crate::providers::tencent::headers::HEADERS,
    #[cfg(feature = "aliyun")]
    &crate::providers::aliyun::headers::HEADERS,
];

/// The answer header `provider` names its request id in, when this build has the vendor
/// and it sends one.
pub(crate) fn request_id_header(provider: crate::Provider) -> Option<&'static str> {
    ENABLED
        .iter()
        .find(|v| v.provider == provider)
        .and_then(|v| v.request_id)
}

/// True when `name` is a header some vendor of this build logs.
pub(crate) fn is_loggable(name: &str) -> bool {
    ENABLED
        .iter()
        .any(|v| v.loggable.iter().any(|h| h.eq_ignore_ascii_case(name)))
}
