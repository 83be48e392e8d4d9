//! The header names Alibaba Cloud's requests and answers carry (for [`crate::vendors`]).

use reqwest::header::HeaderName;

use crate::vendors::{VendorHeaders, static_header_names};

static SENT: [(&str, HeaderName); 10] = static_header_names![
    "x-acs-date",
    "x-acs-action",
    "x-acs-version",
    "x-acs-request-id",
    "x-acs-retry-after",
    "x-acs-accesskey-id",
    "x-acs-content-sha256",
    "x-acs-security-token",
    "x-acs-signature-nonce",
    "x-acs-credentials-provider",
];

/// Aliyun's headers: everything but the security token is loggable (the content hash and the
/// key id are not secrets; the signature is in `Authorization`).
pub(crate) static HEADERS: VendorHeaders = VendorHeaders {
    provider: crate::Provider::Aliyun,
    request_id: Some("x-acs-request-id"),
    loggable: &[
        "x-acs-action",
        "x-acs-version",
        "x-acs-date",
        "x-acs-signature-nonce",
        "x-acs-request-id",
        "x-acs-retry-after",
        "x-acs-content-sha256",
        "x-acs-credentials-provider",
        "x-acs-accesskey-id",
    ],
    sent: &SENT,
};
