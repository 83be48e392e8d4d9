//! The CSMS client's operation (the client itself is generated, from the spec:
//! `generated/client.rs`).

use crate::batch_delete::BatchDeleteSecretsFluentBuilder;
use crate::generated::client::Client;

impl Client {
    /// Starts a `BatchDeleteSecrets` call (irreversible; see the crate documentation).
    pub fn batch_delete_secrets(&self) -> BatchDeleteSecretsFluentBuilder {
        BatchDeleteSecretsFluentBuilder::new(self.clone())
    }
}
