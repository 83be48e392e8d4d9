//! The five APIs: routing and per-API handlers.

pub(crate) mod aliyun_cas;
pub(crate) mod apig;
pub(crate) mod csms;
pub(crate) mod elb;
pub(crate) mod tencent_ssl;

use std::fmt;

use cert_common::Provider;
use cert_common::sign::percent_decode;

use crate::wire::WireRequest;

/// One of the five emulated APIs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Api {
    /// Huawei ELB `BatchDeleteCertificates`.
    Elb,
    /// Huawei APIG `DeleteCertificateV2`.
    Apig,
    /// Huawei CSMS `BatchDeleteSecrets`.
    Csms,
    /// Tencent SSL `BatchDeleteCSR`.
    TencentSsl,
    /// Alibaba Cloud CAS `DeleteUserCertificate`.
    AliyunCas,
}

impl Api {
    /// All five.
    pub const ALL: [Api; 5] = [
        Api::Elb,
        Api::Apig,
        Api::Csms,
        Api::TencentSsl,
        Api::AliyunCas,
    ];

    /// The cloud.
    pub fn provider(self) -> Provider {
        match self {
            Api::Elb | Api::Apig | Api::Csms => Provider::Huawei,
            Api::TencentSsl => Provider::Tencent,
            Api::AliyunCas => Provider::Aliyun,
        }
    }

    /// The operation name, as the vendor documents it.
    pub fn action(self) -> &'static str {
        match self {
            Api::Elb => "BatchDeleteCertificates",
            Api::Apig => "DeleteCertificateV2",
            Api::Csms => "BatchDeleteSecrets",
            Api::TencentSsl => "BatchDeleteCSR",
            Api::AliyunCas => "DeleteUserCertificate",
        }
    }

    /// A short name: `elb`, `apig`, `csms`, `tencent-ssl`, `aliyun-cas`.
    pub fn name(self) -> &'static str {
        match self {
            Api::Elb => "elb",
            Api::Apig => "apig",
            Api::Csms => "csms",
            Api::TencentSsl => "tencent-ssl",
            Api::AliyunCas => "aliyun-cas",
        }
    }

    pub(crate) fn index(self) -> u64 {
        match self {
            Api::Elb => 1,
            Api::Apig => 2,
            Api::Csms => 3,
            Api::TencentSsl => 4,
            Api::AliyunCas => 5,
        }
    }
}

impl fmt::Display for Api {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Where a request goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    Elb {
        project: String,
    },
    Apig {
        project: String,
        certificate_id: String,
    },
    Csms {
        project: String,
    },
    TencentSsl,
    AliyunCas,
}

impl Target {
    pub fn api(&self) -> Api {
        match self {
            Target::Elb { .. } => Api::Elb,
            Target::Apig { .. } => Api::Apig,
            Target::Csms { .. } => Api::Csms,
            Target::TencentSsl => Api::TencentSsl,
            Target::AliyunCas => Api::AliyunCas,
        }
    }
}

/// A request that matches no API, with the error its provider would give.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unrouted {
    pub provider: Provider,
    pub action: String,
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

pub(crate) const TENCENT_VERSION: &str = "2019-12-05";
pub(crate) const ALIYUN_VERSION: &str = "2020-04-07";

/// Routes by headers (`X-TC-Action`, `x-acs-action`) and path.
pub(crate) fn route(req: &WireRequest) -> Result<Target, Unrouted> {
    let method = req.method.as_str();
    if let Some(action) = req.header("X-TC-Action") {
        let action = action.trim();
        let un = |status, code, message: String| Unrouted {
            provider: Provider::Tencent,
            action: action.to_string(),
            status,
            code,
            message,
        };
        if req.path != "/" {
            return Err(un(
                404,
                "InvalidAction",
                format!(
                    "The path {} is not served; API 3.0 requests go to `/`.",
                    req.path
                ),
            ));
        }
        if action != "BatchDeleteCSR" {
            return Err(un(
                200,
                "InvalidAction",
                format!("The action `{action}` does not exist."),
            ));
        }
        let version = req.header("X-TC-Version").map(str::trim).unwrap_or("");
        if version != TENCENT_VERSION {
            return Err(un(
                200,
                "NoSuchVersion",
                format!(
                    "The API version `{version}` does not exist; BatchDeleteCSR is served in {TENCENT_VERSION}."
                ),
            ));
        }
        if method != "POST" && method != "GET" {
            return Err(un(
                200,
                "UnsupportedOperation",
                format!("The HTTP method {method} is not supported; use POST."),
            ));
        }
        return Ok(Target::TencentSsl);
    }
    if let Some(action) = req.header("x-acs-action") {
        let action = action.trim();
        let un = |status, code, message: String| Unrouted {
            provider: Provider::Aliyun,
            action: action.to_string(),
            status,
            code,
            message,
        };
        if req.path != "/"
            || action != "DeleteUserCertificate"
            || (method != "POST" && method != "GET")
        {
            return Err(un(
                404,
                "InvalidAction.NotFound",
                "Specified api is not found, please check your url and method.".to_string(),
            ));
        }
        let version = req.header("x-acs-version").map(str::trim).unwrap_or("");
        if version != ALIYUN_VERSION {
            return Err(un(
                400,
                "InvalidVersion",
                format!(
                    "Specified parameter Version `{version}` is not valid; DeleteUserCertificate is served in {ALIYUN_VERSION}."
                ),
            ));
        }
        return Ok(Target::AliyunCas);
    }
    let segments: Vec<String> = req
        .path
        .split('/')
        .map(|s| percent_decode(s, false))
        .collect();
    let seg: Vec<&str> = segments.iter().map(String::as_str).collect();
    match (method, seg.as_slice()) {
        ("POST", ["", "v3", project, "elb", "certificates", "batch-delete"]) => Ok(Target::Elb {
            project: project.to_string(),
        }),
        ("DELETE", ["", "v2", project, "apigw", "certificates", id]) => Ok(Target::Apig {
            project: project.to_string(),
            certificate_id: id.to_string(),
        }),
        ("POST", ["", "v1", project, "secrets", "batch-delete"]) => Ok(Target::Csms {
            project: project.to_string(),
        }),
        _ => Err(Unrouted {
            provider: Provider::Huawei,
            action: format!("{method} {}", req.path),
            status: 404,
            code: "APIG.0101",
            message: "The API does not exist or has not been published in the environment"
                .to_string(),
        }),
    }
}

/// Huawei project id: 1 to 32 digits and lower-case letters (ELB documentation).
pub(crate) fn valid_project(p: &str) -> bool {
    !p.is_empty()
        && p.len() <= 32
        && p.bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(method: &str, target: &str, headers: &[(&str, &str)]) -> WireRequest {
        WireRequest::from_url(
            method,
            target,
            headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            vec![],
        )
    }

    #[test]
    fn routes_all_five_and_refuses_the_rest() {
        assert_eq!(
            route(&req("POST", "/v3/p1/elb/certificates/batch-delete", &[])),
            Ok(Target::Elb {
                project: "p1".into()
            })
        );
        assert_eq!(
            route(&req("DELETE", "/v2/p1/apigw/certificates/a%20b", &[])),
            Ok(Target::Apig {
                project: "p1".into(),
                certificate_id: "a b".into()
            })
        );
        assert_eq!(
            route(&req("POST", "/v1/p1/secrets/batch-delete", &[])),
            Ok(Target::Csms {
                project: "p1".into()
            })
        );
        assert_eq!(
            route(&req(
                "POST",
                "/",
                &[
                    ("X-TC-Action", "BatchDeleteCSR"),
                    ("X-TC-Version", "2019-12-05")
                ]
            )),
            Ok(Target::TencentSsl)
        );
        assert_eq!(
            route(&req(
                "POST",
                "/?CertId=1",
                &[
                    ("x-acs-action", "DeleteUserCertificate"),
                    ("x-acs-version", "2020-04-07")
                ]
            )),
            Ok(Target::AliyunCas)
        );
        let e =
            route(&req("GET", "/v3/p1/elb/certificates/batch-delete", &[])).expect_err("no route");
        assert_eq!(
            (e.provider, e.status, e.code),
            (Provider::Huawei, 404, "APIG.0101")
        );
        let e = route(&req("POST", "/", &[("X-TC-Action", "DeleteCertificate")]))
            .expect_err("no route");
        assert_eq!(
            (e.provider, e.status, e.code),
            (Provider::Tencent, 200, "InvalidAction")
        );
        let e = route(&req(
            "POST",
            "/",
            &[
                ("X-TC-Action", "BatchDeleteCSR"),
                ("X-TC-Version", "2018-01-01"),
            ],
        ))
        .expect_err("no route");
        assert_eq!(e.code, "NoSuchVersion");
        let e = route(&req(
            "POST",
            "/x",
            &[("x-acs-action", "DeleteUserCertificate")],
        ))
        .expect_err("no route");
        assert_eq!(
            (e.provider, e.status, e.code),
            (Provider::Aliyun, 404, "InvalidAction.NotFound")
        );
        let e = route(&req(
            "POST",
            "/",
            &[
                ("x-acs-action", "DeleteUserCertificate"),
                ("x-acs-version", "2019-01-01"),
            ],
        ))
        .expect_err("no route");
        assert_eq!((e.status, e.code), (400, "InvalidVersion"));
    }

    #[test]
    fn project_ids() {
        assert!(valid_project("0123456789abcdef0123456789abcdef"));
        assert!(!valid_project("0123456789abcdef0123456789abcdef0"));
        assert!(!valid_project(""));
        assert!(!valid_project("ABC"));
        assert!(!valid_project("a-b"));
    }
}
