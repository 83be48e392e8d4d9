//! Integration tests of huawei-elb (one test binary).

mod deleter;
mod retry;
mod support;
mod validation;
mod vectors;
mod wire;
