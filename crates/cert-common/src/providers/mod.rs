//! What each vendor's protocol has in common across its APIs (request assembly, error bodies,
//! request ids), so a provider crate holds only what is specific to its one API.

#[cfg(feature = "aliyun")]
pub mod aliyun;
#[cfg(feature = "huawei")]
pub mod huawei;
#[cfg(feature = "tencent")]
pub mod tencent;
