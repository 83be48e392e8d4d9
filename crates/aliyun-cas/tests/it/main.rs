//! Integration tests of aliyun-cas (one test binary).

mod common;
mod vectors;
mod wire;
