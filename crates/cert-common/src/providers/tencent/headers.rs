//! The header names Tencent Cloud's requests and answers carry (for [`crate::vendors`]).

use reqwest::header::HeaderName;

use crate::vendors::{VendorHeaders, static_header_names};

static SENT: [(&str, HeaderName); 9] = static_header_names![
    "x-tc-token",
    "x-tc-action",
    "x-tc-region",
    "x-tc-traceid",
    "x-tc-version",
    "x-tc-language",
    "x-tc-timestamp",
    "x-tc-requestclient",
    "x-tc-content-sha256",
];

/// Tencent's headers: the call's action, version, region, time, language and trace id,
/// loggable; the token and the content hash are sent but never printed.
pub(crate) static HEADERS: VendorHeaders = VendorHeaders {
    provider: crate::Provider::Tencent,
    request_id: None,
    loggable: &[
        "x-tc-action",
        "x-tc-version",
        "x-tc-region",
        "x-tc-timestamp",
        "x-tc-language",
        "x-tc-traceid",
        "x-tc-requestclient",
    ],
    sent: &SENT,
};
