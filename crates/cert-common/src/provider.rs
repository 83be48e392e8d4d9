//! [`Provider`]: the clouds the SDK speaks to. The vendor-neutral core (runtime, retry,
//! transport, errors) carries it as a tag and never matches on it; what differs per vendor
//! lives in `providers/<vendor>/`, gathered by `vendors.rs`.

use std::fmt;

/// Which cloud (and so which error conventions) an error comes from. The one definition of
/// the vendors in the workspace: `xtask`'s codegen reads it from spec files too
/// (`"provider": "huawei"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Provider {
    /// Huawei Cloud (ELB, APIG, CSMS).
    Huawei,
    /// Tencent Cloud (SSL certificates).
    Tencent,
    /// Alibaba Cloud (Certificate Management Service).
    Aliyun,
}

impl Provider {
    /// A short lowercase name: `huawei`, `tencent`, `aliyun`.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Huawei => "huawei",
            Provider::Tencent => "tencent",
            Provider::Aliyun => "aliyun",
        }
    }

    /// The vendor's name for people: `Huawei Cloud`, `Tencent Cloud`, `Alibaba Cloud`.
    pub fn display_name(self) -> &'static str {
        match self {
            Provider::Huawei => "Huawei Cloud",
            Provider::Tencent => "Tencent Cloud",
            Provider::Aliyun => "Alibaba Cloud",
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
