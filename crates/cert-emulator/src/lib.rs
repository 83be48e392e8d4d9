//! A local emulator of the five delete APIs the cloud certificate SDK covers:
//!
//! | API | route |
//! |---|---|
//! | Huawei ELB `BatchDeleteCertificates` | `POST /v3/{project_id}/elb/certificates/batch-delete` |
//! | Huawei APIG `DeleteCertificateV2` | `DELETE /v2/{project_id}/apigw/certificates/{certificate_id}` |
//! | Huawei CSMS `BatchDeleteSecrets` | `POST /v1/{project_id}/secrets/batch-delete` |
//! | Tencent SSL `BatchDeleteCSR` | `POST /` with `X-TC-Action: BatchDeleteCSR`, `X-TC-Version: 2019-12-05` |
//! | Alibaba Cloud CAS `DeleteUserCertificate` | `POST /?CertId=...` with `x-acs-action`, `x-acs-version: 2020-04-07` |
//!
//! One loopback HTTP server answers all five. It verifies every request the way the clouds do
//! (Huawei `SDK-HMAC-SHA256` or `X-Auth-Token`, Tencent `TC3-HMAC-SHA256`, Aliyun
//! `ACS3-HMAC-SHA256`, each with its clock-skew window and temporary-credential token),
//! validates input, keeps state (deletes really remove resources), enforces the documented rate
//! limits and can inject faults. Every answer uses the provider's own error shape.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use cert_emulator::{Api, Emulator, Fault, credentials};
//!
//! let emu = Emulator::start().await?;
//! println!("point your client at {}", emu.url());
//! println!("Tencent SecretId {}", credentials::TENCENT_SECRET_ID);
//! emu.seed_tencent_csrs([7, 8]);
//! emu.inject(Api::TencentSsl, Fault::Status(503), 1); // the next request fails
//! // ... run the code under test ...
//! assert!(!emu.tencent_csrs().contains(&7));
//! # Ok(()) }
//! ```
//!
//! It also plays the three vendors' instance metadata services ([`metadata`]) and the STS
//! calls of role assumption and web identity ([`sts`]), which issue temporary keys that expire
//! on the emulator's clock.
//!
//! The signature verifier ([`verify`]) is written from the vendors' protocol description, not
//! from the SDK's signers, so the two do not share a blind spot.

pub mod api;
pub mod credentials;
mod emulator;
pub mod faults;
pub mod log;
pub mod metadata;
pub mod rate_limit;
pub mod seed;
mod server;
mod shapes;
pub mod state;
pub mod sts;
pub mod verify;
pub mod wire;

pub use api::Api;
pub use credentials::{AcceptedCredentials, KeyPair};
pub use emulator::{Emulator, EmulatorBuilder};
pub use faults::{Chaos, Fault};
pub use log::{Decision, LoggedRequest};
pub use seed::Seed;
pub use state::{AliyunCertificate, ApigCertificate, CsmsSecret};
pub use wire::WireRequest;
