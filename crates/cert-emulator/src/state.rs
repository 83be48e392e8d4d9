//! The emulated clouds' resources, and the state kept between requests.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

/// An API Gateway SSL certificate; bound to domain names it cannot be deleted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApigCertificate {
    /// Certificate id.
    pub id: String,
    /// Domain names the certificate is bound to (empty: deletable).
    #[serde(default)]
    pub domains: Vec<String>,
}

impl ApigCertificate {
    /// A certificate bound to nothing.
    pub fn unbound(id: impl Into<String>) -> Self {
        ApigCertificate {
            id: id.into(),
            domains: Vec::new(),
        }
    }
}

/// A CSMS secret associated with a cloud service instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CsmsSecret {
    /// Secret name.
    pub name: String,
    /// Id of the service instance the secret belongs to (e.g. an RDS instance).
    pub instance_id: String,
    /// Service type: `RDS`, `TaurusDB`, `GaussDB` or `APIG`.
    pub instance_type: String,
    /// Already scheduled for deletion: a batch delete reports it under `failed_secrets`
    /// with `CSMS.0107` and it stays.
    #[serde(default)]
    pub pending_deletion: bool,
}

impl CsmsSecret {
    /// An enabled secret.
    pub fn new(
        name: impl Into<String>,
        instance_id: impl Into<String>,
        instance_type: impl Into<String>,
    ) -> Self {
        CsmsSecret {
            name: name.into(),
            instance_id: instance_id.into(),
            instance_type: instance_type.into(),
            pending_deletion: false,
        }
    }
}

/// An Alibaba Cloud CAS certificate; in use by a product it cannot be deleted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AliyunCertificate {
    /// `CertId`.
    pub id: i64,
    /// Products using it, e.g. `cdn:www.example.com` (empty: deletable).
    #[serde(default)]
    pub in_use_by: Vec<String>,
}

/// Everything the emulator holds.
#[derive(Debug, Default)]
pub(crate) struct State {
    pub elb: BTreeMap<String, Vec<String>>,
    pub apig: BTreeMap<String, Vec<ApigCertificate>>,
    pub csms: BTreeMap<String, Vec<CsmsSecret>>,
    pub tencent: Vec<u64>,
    pub aliyun: Vec<AliyunCertificate>,
    /// `ClientToken` → (CertId, RequestId of the first successful answer).
    pub aliyun_client_tokens: HashMap<String, (i64, String)>,
    /// Signature nonces seen, with the Unix time they were seen.
    pub aliyun_nonces: HashMap<String, i64>,
}

impl State {
    /// True when `nonce` was already used within the last 30 minutes (records it otherwise).
    pub fn nonce_reused(&mut self, nonce: &str, now: i64) -> bool {
        const KEEP_SECS: i64 = 30 * 60;
        if self.aliyun_nonces.len() > 10_000 {
            self.aliyun_nonces.retain(|_, t| now - *t <= KEEP_SECS);
        }
        match self.aliyun_nonces.get(nonce) {
            Some(t) if now - *t <= KEEP_SECS => true,
            _ => {
                self.aliyun_nonces.insert(nonce.to_string(), now);
                false
            }
        }
    }
}

pub(crate) fn push_unique<T: PartialEq>(list: &mut Vec<T>, item: T) {
    if !list.contains(&item) {
        list.push(item);
    }
}
