//! Integration tests of huawei-csms (one test binary).

mod retry;
mod support;
mod validation;
mod vectors;
mod wire;
