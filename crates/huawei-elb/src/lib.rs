//! Client for the Huawei Cloud Elastic Load Balance (ELB) v3 API `BatchDeleteCertificates`
//! (`POST /v3/{project_id}/elb/certificates/batch-delete`), which deletes load-balancer
//! certificates in batches.

pub mod generated;
