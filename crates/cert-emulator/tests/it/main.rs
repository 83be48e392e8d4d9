//! Integration tests of the emulator: signature vectors, the five APIs over HTTP, faults,
//! rate limits and the binary.

mod aliyun;
mod binary;
mod common;
mod faults;
mod huawei;
mod tencent;
mod vectors;
