//! Integration tests of cert-common (one test binary, per matklad's layout).

mod retry_loop;
mod transport;
mod vectors;
