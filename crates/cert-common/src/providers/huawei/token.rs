//! The IAM token from the environment (`HUAWEICLOUD_SDK_AUTH_TOKEN`, sent as `X-Auth-Token`).

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;

use super::EnvLookup;
use crate::credentials::{Credentials, EnvVars, ProvideCredentials, Secret, not_found};
use crate::error::Error;

/// Reads an IAM token from `HUAWEICLOUD_SDK_AUTH_TOKEN` (sent as `X-Auth-Token`).
#[derive(Clone)]
pub struct TokenEnvProvider {
    pub(super) lookup: EnvLookup,
}

impl TokenEnvProvider {
    /// Reads the process environment.
    pub fn new() -> Self {
        TokenEnvProvider {
            lookup: Arc::new(|k: &str| std::env::var(k).ok()),
        }
    }
}

impl Default for TokenEnvProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for TokenEnvProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenEnvProvider")
            .field("var", &EnvVars::HUAWEI_TOKEN_VAR)
            .finish()
    }
}

#[async_trait]
impl ProvideCredentials for TokenEnvProvider {
    async fn provide(&self) -> Result<Credentials, Error> {
        self.read()
    }

    fn provide_now(&self) -> Option<Result<Credentials, Error>> {
        Some(self.read())
    }

    fn describe(&self) -> String {
        format!("environment ({})", EnvVars::HUAWEI_TOKEN_VAR)
    }
}

impl TokenEnvProvider {
    fn read(&self) -> Result<Credentials, Error> {
        match (self.lookup)(EnvVars::HUAWEI_TOKEN_VAR).map(|t| t.trim().to_string()) {
            Some(t) if !t.is_empty() => Ok(Credentials::IamToken(Secret::new(t))),
            _ => Err(not_found(format!(
                "no IAM token: {} is not set",
                EnvVars::HUAWEI_TOKEN_VAR
            ))),
        }
    }
}
