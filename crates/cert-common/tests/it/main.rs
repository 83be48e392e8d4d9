//! Integration tests of cert-common (one test binary, per matklad's layout).

mod decoders;
#[path = "../fuzz/harness.rs"]
mod harness;
mod retry_loop;
mod transport;
mod vectors;
