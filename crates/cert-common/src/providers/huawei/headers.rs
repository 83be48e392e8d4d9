//! The header names Huawei Cloud's requests and answers carry (for [`crate::vendors`]).

use reqwest::header::HeaderName;

use crate::vendors::{VendorHeaders, static_header_names};

static SENT: [(&str, HeaderName); 7] = static_header_names![
    "x-sdk-date",
    "x-auth-token",
    "x-project-id",
    "x-request-id",
    "x-security-token",
    "x-client-request-id",
    "x-sdk-content-sha256",
];

/// Huawei's headers: the signer's date, the project, and the request ids, loggable; the token
/// headers and the content hash are sent but never printed.
pub(crate) static HEADERS: VendorHeaders = VendorHeaders {
    provider: crate::Provider::Huawei,
    request_id: Some("x-request-id"),
    loggable: &[
        "x-request-id",
        "x-client-request-id",
        "x-sdk-date",
        "x-project-id",
    ],
    sent: &SENT,
};
