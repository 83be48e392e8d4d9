//! Initial resources, as a struct or JSON.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::credentials::HUAWEI_PROJECT_ID;
use crate::state::{AliyunCertificate, ApigCertificate, CsmsSecret, State, push_unique};

/// Resources to load into the emulator. Loading adds to what is there (no duplicates).
///
/// JSON form (every field optional):
///
/// ```json
/// {
///   "elb": { "0123456789abcdef0123456789abcdef": ["cert-a", "cert-b"] },
///   "apig": { "0123456789abcdef0123456789abcdef": [
///       { "id": "c1" }, { "id": "c2", "domains": ["api.example.com"] } ] },
///   "csms": { "0123456789abcdef0123456789abcdef": [
///       { "name": "s1", "instance_id": "rds-1", "instance_type": "RDS" } ] },
///   "tencent_csrs": [11, 22],
///   "aliyun_certificates": [ { "id": 7562353 }, { "id": 9, "in_use_by": ["cdn:www.example.com"] } ]
/// }
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Seed {
    /// ELB certificate ids per project id.
    pub elb: BTreeMap<String, Vec<String>>,
    /// APIG certificates per project id.
    pub apig: BTreeMap<String, Vec<ApigCertificate>>,
    /// CSMS secrets per project id.
    pub csms: BTreeMap<String, Vec<CsmsSecret>>,
    /// Tencent CSR ids.
    pub tencent_csrs: Vec<u64>,
    /// Alibaba Cloud CAS certificates.
    pub aliyun_certificates: Vec<AliyunCertificate>,
}

impl Seed {
    /// Nothing at all.
    pub fn empty() -> Self {
        Seed::default()
    }

    /// What [`Emulator::start`](crate::Emulator::start) loads, all in project
    /// [`HUAWEI_PROJECT_ID`]:
    ///
    /// - ELB: `e1b00000000000000000000000000001` … `…05`.
    /// - APIG: `a9900000000000000000000000000001`, `…02` (free) and `a99000000000000000000000000000b1`
    ///   (bound to `api.example.com`, refused with `APIG.3474`).
    /// - CSMS: instance `rds-instance-0001` (RDS): `rds-secret-1`, `rds-secret-2`, and
    ///   `rds-secret-pending` (pending deletion, reported as failed with `CSMS.0107`);
    ///   instance `apig-instance-0001` (APIG): `apig-secret-1`.
    /// - Tencent CSRs: 11, 22, 33, 44, 55.
    /// - Aliyun certificates: 7562353, 1001, 1002 (free) and 2001 (in use by
    ///   `cdn:www.example.com`, refused with `InvalidCertificate.InUse`).
    pub fn standard() -> Self {
        let p = HUAWEI_PROJECT_ID.to_string();
        let mut s = Seed::default();
        s.elb.insert(
            p.clone(),
            (1..=5).map(|i| format!("e1b{:029}", i)).collect(),
        );
        s.apig.insert(
            p.clone(),
            vec![
                ApigCertificate::unbound("a9900000000000000000000000000001"),
                ApigCertificate::unbound("a9900000000000000000000000000002"),
                ApigCertificate {
                    id: "a99000000000000000000000000000b1".into(),
                    domains: vec!["api.example.com".into()],
                },
            ],
        );
        s.csms.insert(
            p,
            vec![
                CsmsSecret::new("rds-secret-1", "rds-instance-0001", "RDS"),
                CsmsSecret::new("rds-secret-2", "rds-instance-0001", "RDS"),
                CsmsSecret {
                    pending_deletion: true,
                    ..CsmsSecret::new("rds-secret-pending", "rds-instance-0001", "RDS")
                },
                CsmsSecret::new("apig-secret-1", "apig-instance-0001", "APIG"),
            ],
        );
        s.tencent_csrs = vec![11, 22, 33, 44, 55];
        s.aliyun_certificates = vec![
            AliyunCertificate {
                id: 7_562_353,
                in_use_by: vec![],
            },
            AliyunCertificate {
                id: 1001,
                in_use_by: vec![],
            },
            AliyunCertificate {
                id: 1002,
                in_use_by: vec![],
            },
            AliyunCertificate {
                id: 2001,
                in_use_by: vec!["cdn:www.example.com".into()],
            },
        ];
        s
    }

    /// Parses the JSON form.
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// The JSON form.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|_| "{}".to_string())
    }

    pub(crate) fn load_into(&self, state: &mut State) {
        for (project, ids) in &self.elb {
            let list = state.elb.entry(project.clone()).or_default();
            for id in ids {
                push_unique(list, id.clone());
            }
        }
        for (project, certs) in &self.apig {
            let list = state.apig.entry(project.clone()).or_default();
            for c in certs {
                list.retain(|x| x.id != c.id);
                list.push(c.clone());
            }
        }
        for (project, secrets) in &self.csms {
            let list = state.csms.entry(project.clone()).or_default();
            for s in secrets {
                list.retain(|x| x.name != s.name);
                list.push(s.clone());
            }
        }
        for id in &self.tencent_csrs {
            push_unique(&mut state.tencent, *id);
        }
        for c in &self.aliyun_certificates {
            state.aliyun.retain(|x| x.id != c.id);
            state.aliyun.push(c.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trips_and_rejects_unknown_fields() {
        let s = Seed::standard();
        assert_eq!(Seed::from_json(&s.to_json()).expect("parse"), s);
        assert_eq!(Seed::from_json("{}").expect("parse"), Seed::empty());
        assert!(Seed::from_json(r#"{"elbs": {}}"#).is_err());
        assert!(Seed::from_json("[").is_err());
        let s = Seed::from_json(r#"{"aliyun_certificates":[{"id":5}],"tencent_csrs":[1,1]}"#)
            .expect("parse");
        let mut st = State::default();
        s.load_into(&mut st);
        s.load_into(&mut st);
        assert_eq!(st.tencent, vec![1]);
        assert_eq!(st.aliyun.len(), 1);
        assert_eq!(
            Seed::standard().elb[HUAWEI_PROJECT_ID][0],
            "e1b00000000000000000000000000001"
        );
    }
}
