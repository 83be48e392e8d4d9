//! The request log: every request, its API, the key that signed it and what the emulator did.
//! Header values, bodies and secrets are never recorded.

use cert_common::Provider;

use crate::api::Api;
use crate::faults::Fault;

/// What the emulator decided about a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Authenticated, valid, processed (an ELB/Tencent answer may still report ids as absent).
    Accepted,
    /// Refused with this provider error code (authentication, validation, throttling, not
    /// found, in use, unknown route).
    Rejected {
        /// The provider error code.
        code: String,
    },
    /// An injected fault answered before the request was processed.
    NotProcessed,
}

/// One request as the emulator saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedRequest {
    /// Arrival order, from 1.
    pub seq: u64,
    /// The provider the request was addressed to.
    pub provider: Provider,
    /// The API, when the request matched one.
    pub api: Option<Api>,
    /// HTTP method.
    pub method: String,
    /// Raw path.
    pub path: String,
    /// The action: the operation name, the `X-TC-Action`/`x-acs-action` sent, or the route.
    pub action: String,
    /// The access key id that signed it, or `iam-token`; `None` when not authenticated.
    pub principal: Option<String>,
    /// The HTTP status answered; `None` when the connection was closed instead.
    pub status: Option<u16>,
    /// The decision.
    pub decision: Decision,
    /// The injected fault, if any.
    pub fault: Option<Fault>,
}
