//! Client for the Huawei Cloud API Gateway (APIG) v2 API `DeleteCertificateV2`
//! (`DELETE /v2/{project_id}/apigw/certificates/{certificate_id}`), which deletes an SSL
//! certificate that is not bound to any domain name.

pub mod generated;
