//! What each vendor's protocol has in common across its APIs (request assembly, error bodies,
//! request ids), so a provider crate holds only what is specific to its one API.

pub mod aliyun;
pub mod huawei;
pub mod tencent;
