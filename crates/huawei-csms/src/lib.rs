//! Client for the Huawei Cloud Cloud Secret Management Service (CSMS, part of DEW) v1 API
//! `BatchDeleteSecrets` (`POST /v1/{project_id}/secrets/batch-delete`), which irreversibly deletes
//! the secrets associated with a cloud service instance.

pub mod generated;
