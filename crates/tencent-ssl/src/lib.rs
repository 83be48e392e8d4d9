//! Client for the Tencent Cloud SSL Certificates API (version 2019-12-05) action
//! `BatchDeleteCSR`, which deletes up to 100 certificate signing requests (CSRs) per call.

pub mod generated;
