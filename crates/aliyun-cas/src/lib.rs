//! Client for the Alibaba Cloud Certificate Management Service (CAS, version 2020-04-07) action
//! `DeleteUserCertificate`, which deletes an expired or uploaded certificate.

pub mod generated;
