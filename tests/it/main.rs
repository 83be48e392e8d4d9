//! The workspace integration tests: every client crate, through its public API, against an
//! in-process `cert-emulator` that verifies signatures, keeps state, throttles and injects
//! faults. One binary, one module per area.

mod bad_input;
mod credentials;
mod deleter;
mod e2e_aliyun;
mod e2e_apig;
mod e2e_csms;
mod e2e_elb;
mod e2e_tencent;
mod faults;
mod hostile;
mod instance_metadata;
mod precedence;
mod resume;
mod shared_limit;
mod sm3;
mod streaming;
mod sts;
mod throttling;
mod tls;
