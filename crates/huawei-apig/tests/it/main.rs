//! Integration tests of huawei-apig (one test binary).

mod many;
mod retry;
mod support;
mod validation;
mod vectors;
mod wire;
