//! Integration tests of tencent-ssl (one test binary).

mod common;
mod deleter;
mod refresh;
mod vectors;
mod wire;
