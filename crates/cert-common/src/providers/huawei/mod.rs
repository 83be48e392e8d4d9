//! Huawei protocol pieces shared by this vendor's API crates (`huawei-elb`, `huawei-apig`,
//! `huawei-csms`), so each of them holds only what is specific to its one API:
//!
//! - `config.rs`: [`Config`] / [`ConfigBuilder`]: region, endpoint override, credentials,
//!   project id and [`ClientOptions`](crate::ClientOptions), resolved once by
//!   [`Config::resolve`] into a [`Resolved`] client core (a
//!   [`Runtime`](crate::runtime::Runtime), an [`Endpoint`](crate::Endpoint) and the project id).
//! - `token.rs`: [`TokenEnvProvider`], the IAM token from `HUAWEICLOUD_SDK_AUTH_TOKEN`.
//! - `request.rs`: [`fill_path`] (path templates with every parameter percent-encoded as one
//!   segment) and [`signed_request`] (the request of one attempt, with `Content-Type`,
//!   `User-Agent`, `X-Client-Request-Id` and the Huawei signature, or `X-Auth-Token`).
//! - `answer.rs`: [`error_from_response`]: the error of a non-2xx answer, from any of the body
//!   shapes the vendor's SDK understands (protocol.md §1.7), with the request id from
//!   `X-Request-Id`.
//! - `credentials.rs`, `metadata.rs`, `federation.rs`: where credentials come from;
//!   `headers.rs`: the header names the core's tables need.

pub mod credentials;
pub mod federation;
pub(crate) mod headers;
pub mod metadata;
pub mod sign;
mod temporary_key;

mod answer;
mod config;
mod request;
mod token;

pub use answer::*;
pub use config::*;
pub use request::*;
pub use token::*;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answer::{CodeMeaning, CodeRule};
    use crate::error::ErrorKind;
    use crate::retry::RetryClass;

    /// A few of the Huawei tables' entries (the real tables are generated into each crate).
    const RULES: &[CodeRule] = &[
        CodeRule::exact("APIG.0308", CodeMeaning::Throttling),
        CodeRule::exact("APIG.0301", CodeMeaning::Auth),
        CodeRule::exact("APIG.0101", CodeMeaning::WrongEndpoint),
        CodeRule::exact("APIG.9999", CodeMeaning::ServerError),
    ];
    use crate::credentials::{AccessKey, Credentials, Secret};
    use crate::http::{Bytes, HttpResponse};
    use crate::runtime::Attempt;
    use crate::runtime::ClientOptions;
    use crate::time::ManualClock;
    use std::collections::HashMap;
    use std::sync::Arc;
    use std::time::{Duration, SystemTime};

    fn resp(status: u16, headers: &[(&str, &str)], body: &str) -> HttpResponse {
        crate::test_util::response(status, headers, body)
    }

    #[test]
    fn every_documented_error_shape_is_read() {
        let f = |b: &str| error_fields(b.as_bytes());
        assert_eq!(
            f(r#"{"error_code":"APIG.2012","error_msg":"Invalid parameter"}"#),
            Some(("APIG.2012".into(), "Invalid parameter".into()))
        );
        assert_eq!(
            f(r#"{"errorCode":"ELB.1001","errorMsg":"bad"}"#),
            Some(("ELB.1001".into(), "bad".into()))
        );
        assert_eq!(
            f(r#"{"code":"KMS.0001","message":"m"}"#),
            Some(("KMS.0001".into(), "m".into()))
        );
        assert_eq!(
            f(r#"{"error":{"code":"ELB.8902","message":"in use"},"request_id":"r"}"#),
            Some(("ELB.8902".into(), "in use".into()))
        );
        assert_eq!(
            f(r#"{"a":{"b":{"error_code":"X.1","error_msg":"deep"}}}"#),
            Some(("X.1".into(), "deep".into()))
        );
        // the first matching pair wins over nested ones
        assert_eq!(
            f(r#"{"error":{"code":"in","message":"i"},"error_code":"out","error_msg":"o"}"#),
            Some(("out".into(), "o".into()))
        );
        assert_eq!(f(r#"{"code":400}"#), None);
        assert_eq!(f("not json"), None);
        assert_eq!(f("[1,2]"), None);
    }

    #[test]
    fn errors_fall_back_to_status_and_raw_body() {
        let e = error_from_response(
            &resp(
                502,
                &[("X-Request-Id", "rid-9")],
                "<html>bad gateway</html>",
            ),
            RULES,
            std::time::UNIX_EPOCH,
        );
        assert_eq!(e.code(), Some("502"));
        assert!(e.message().contains("<html>bad gateway</html>"), "{e}");
        assert_eq!(e.request_id(), Some("rid-9"));
        assert_eq!(e.retry_class(), RetryClass::Transient);
        assert!(e.may_have_applied());
        // A 4xx without Huawei's error fields is not Huawei's.
        for body in [r#"{"detail":"nope"}"#, "<html>404</html>"] {
            let e = error_from_response(&resp(404, &[], body), RULES, std::time::UNIX_EPOCH);
            assert!(e.stops_run(), "{body}: {e}");
        }
        let e = error_from_response(
            &resp(
                404,
                &[],
                r#"{"error_code":"APIG.0101","error_msg":"The API does not exist"}"#,
            ),
            RULES,
            std::time::UNIX_EPOCH,
        );
        assert!(e.stops_run() && e.code() == Some("APIG.0101"), "{e}");
        let long = "é".repeat(2000);
        let e = error_from_response(&resp(500, &[], &long), RULES, std::time::UNIX_EPOCH);
        assert!(e.message().chars().count() <= 400, "{}", e.message().len());
    }

    #[test]
    fn throttling_keeps_code_message_request_id_and_hint() {
        let e = error_from_response(
            &resp(
                429,
                &[("x-request-id", "rid-1"), ("Retry-After", "2")],
                r#"{"error_code":"APIG.0308","error_msg":"The throttling threshold has been reached","request_id":"body-rid"}"#,
            ),
            RULES,
            std::time::UNIX_EPOCH,
        );
        assert_eq!(e.kind(), ErrorKind::Throttled);
        assert_eq!(e.code(), Some("APIG.0308"));
        assert_eq!(e.request_id(), Some("rid-1"));
        assert_eq!(e.retry_after(), Some(Duration::from_secs(2)));
        assert!(e.message().contains("throttling threshold"));
        let e = error_from_response(
            &resp(
                429,
                &[],
                r#"{"error_code":"APIG.0308","error_msg":"slow","request_id":"body-rid"}"#,
            ),
            RULES,
            std::time::UNIX_EPOCH,
        );
        assert_eq!(e.request_id(), Some("body-rid"));
    }

    #[test]
    fn authentication_failures_are_credential_errors() {
        let e = error_from_response(
            &resp(
                401,
                &[],
                r#"{"error_code":"APIG.1002","error_msg":"Incorrect token or token resolution failed"}"#,
            ),
            RULES,
            std::time::UNIX_EPOCH,
        );
        assert_eq!(e.kind(), ErrorKind::Credentials);
        assert_eq!(e.status(), Some(401));
        assert_eq!(e.code(), Some("APIG.1002"));
        assert_eq!(e.retry_class(), RetryClass::Permanent);
        let e = error_from_response(
            &resp(
                400,
                &[],
                r#"{"error_code":"APIG.0301","error_msg":"Incorrect IAM authentication information"}"#,
            ),
            RULES,
            std::time::UNIX_EPOCH,
        );
        assert_eq!(e.kind(), ErrorKind::Credentials);
        let e = error_from_response(
            &resp(
                403,
                &[],
                r#"{"error_code":"APIG.1005","error_msg":"No permissions to request this method"}"#,
            ),
            RULES,
            std::time::UNIX_EPOCH,
        );
        assert_eq!(e.kind(), ErrorKind::Service);
        assert_eq!(e.retry_class(), RetryClass::Permanent);
    }

    #[test]
    fn paths_are_filled_one_segment_per_parameter() {
        let t = "/v2/{project_id}/apigw/certificates/{certificate_id}";
        assert_eq!(
            fill_path(
                t,
                &[("project_id", "p1"), ("certificate_id", "cert id/ü~x")]
            )
            .expect("path"),
            "/v2/p1/apigw/certificates/cert%20id%2F%C3%BC~x"
        );
        assert_eq!(
            fill_path(t, &[("project_id", "p"), ("certificate_id", "../../x?y#z")]).expect("path"),
            "/v2/p/apigw/certificates/..%2F..%2Fx%3Fy%23z"
        );
        for bad in ["", ".", ".."] {
            let e = fill_path(t, &[("project_id", "p"), ("certificate_id", bad)]).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidInput, "{bad:?}");
        }
        assert!(fill_path(t, &[("project_id", "p")]).is_err());
        let e = fill_path("/x", &[("project_id", "p")]).unwrap_err();
        assert!(e.message().contains("has no {project_id}"), "{e}");
        assert_eq!(
            fill_path("/{a}/x/{a}", &[("a", "p q")]).expect("twice"),
            "/p%20q/x/p%20q"
        );
        assert!(fill_path("/{a", &[("a", "p")]).is_err());
        assert!(fill_path("/{ab}", &[("a", "p")]).is_err());
    }

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + Send + Sync + 'static {
        let mut m: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        // Unit tests never reach for a metadata service.
        m.entry("CERT_SDK_METADATA_DISABLED".into())
            .or_insert_with(|| "true".into());
        move |k| m.get(k).cloned()
    }

    fn elb_endpoint(region: &str) -> String {
        format!("https://elb.{region}.myhuaweicloud.com")
    }

    const ELB: ServiceInfo = ServiceInfo {
        env_service: "ELB",
        endpoint_for_region: elb_endpoint,
        api: crate::runtime::ApiInfo {
            provider: crate::Provider::Huawei,
            documented_rate: None,
            crate_name: "huawei-elb",
            crate_version: "0.0.0",
        },
    };

    #[test]
    fn endpoint_and_project_id_resolution() {
        let r = Config::builder()
            .region("cn-north-4")
            .project_id("p1")
            .env_lookup(env(&[]))
            .build()
            .resolve(&ELB)
            .expect("resolve");
        assert_eq!(
            r.endpoint.to_string(),
            "https://elb.cn-north-4.myhuaweicloud.com"
        );
        assert_eq!(r.project_id, "p1");

        let r = Config::builder()
            .region("cn-north-4")
            .env_lookup(env(&[
                (
                    "HUAWEICLOUD_SDK_REGION_ELB_CN_NORTH_4",
                    " , http://127.0.0.1:9000,https://b",
                ),
                (PROJECT_ID_VAR, "fromenv"),
            ]))
            .build()
            .resolve(&ELB)
            .expect("resolve");
        assert_eq!(r.endpoint.to_string(), "http://127.0.0.1:9000");
        assert_eq!(r.project_id, "fromenv");

        let r = Config::builder()
            .region("cn-north-4")
            .endpoint("http://127.0.0.1:8080")
            .project_id("p")
            .env_lookup(env(&[(
                "HUAWEICLOUD_SDK_REGION_ELB_CN_NORTH_4",
                "https://x",
            )]))
            .build()
            .resolve(&ELB)
            .expect("resolve");
        assert_eq!(r.endpoint.to_string(), "http://127.0.0.1:8080");

        let e = Config::builder()
            .region("cn-north-4")
            .env_lookup(env(&[]))
            .build()
            .resolve(&ELB)
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
        assert!(e.to_string().contains(PROJECT_ID_VAR), "{e}");

        let e = Config::builder()
            .project_id("p")
            .env_lookup(env(&[]))
            .build()
            .resolve(&ELB)
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
        for bad in ["evil.com/x", "CN-NORTH-4", "", "a b"] {
            let e = Config::builder()
                .region(bad)
                .project_id("p")
                .env_lookup(env(&[]))
                .build()
                .resolve(&ELB)
                .unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Config, "{bad:?}");
        }
        assert_eq!(
            region_endpoint_var("apig", "eu-west-101"),
            "HUAWEICLOUD_SDK_REGION_APIG_EU_WEST_101"
        );
    }

    #[tokio::test]
    async fn a_credentials_provider_and_an_env_are_set_as_in_every_crate() {
        let given = crate::credentials::StaticProvider::new(AccessKey::new("given", "sk"));
        let env = crate::credentials::Env::from_fn(|k| {
            let set = [
                ("HUAWEICLOUD_SDK_AK", "envak"),
                ("HUAWEICLOUD_SDK_SK", "s"),
                (PROJECT_ID_VAR, "from-env"),
            ];
            set.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        });
        let resolved = Config::builder()
            .region("r")
            .env(env.clone())
            .credentials_provider(std::sync::Arc::new(given))
            .build()
            .resolve(&ELB)
            .expect("resolve");
        assert_eq!(
            resolved.project_id, "from-env",
            "the project id still from env"
        );
        let c = resolved.runtime.credentials().await.expect("creds");
        assert_eq!(c.access_key().map(AccessKey::id), Some("given"));
        let from_env = Config::builder().region("r").env(env).build();
        let c = from_env
            .resolve(&ELB)
            .expect("resolve")
            .runtime
            .credentials()
            .await;
        assert_eq!(
            c.expect("creds").access_key().map(AccessKey::id),
            Some("envak")
        );
    }

    #[tokio::test]
    async fn credentials_come_from_config_then_keys_then_token() {
        let core = |c: Config| c.resolve(&ELB).expect("resolve").runtime;
        let rt = core(
            Config::builder()
                .region("r")
                .project_id("p")
                .credentials(AccessKey::new("explicit", "sk"))
                .env_lookup(env(&[
                    ("HUAWEICLOUD_SDK_AK", "envak"),
                    ("HUAWEICLOUD_SDK_SK", "s"),
                ]))
                .build(),
        );
        let c = rt.credentials().await.expect("creds");
        assert_eq!(c.access_key().map(AccessKey::id), Some("explicit"));

        let rt = core(
            Config::builder()
                .region("r")
                .project_id("p")
                .env_lookup(env(&[
                    ("HUAWEICLOUD_SDK_AK", "envak"),
                    ("HUAWEICLOUD_SDK_SK", "s"),
                    ("HUAWEICLOUD_SDK_AUTH_TOKEN", "tok"),
                ]))
                .build(),
        );
        let c = rt.credentials().await.expect("creds");
        assert_eq!(c.access_key().map(AccessKey::id), Some("envak"));

        let rt = core(
            Config::builder()
                .region("r")
                .project_id("p")
                .env_lookup(env(&[("HUAWEICLOUD_SDK_AUTH_TOKEN", "tok")]))
                .build(),
        );
        assert_eq!(
            rt.credentials().await.expect("creds"),
            Credentials::IamToken(Secret::new("tok"))
        );

        let rt = core(
            Config::builder()
                .region("r")
                .project_id("p")
                .env_lookup(env(&[]))
                .build(),
        );
        let e = rt.credentials().await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Credentials);
        assert!(e.message().contains("HUAWEICLOUD_SDK_AK"), "{e}");
        assert!(e.message().contains("HUAWEICLOUD_SDK_AUTH_TOKEN"), "{e}");
    }

    #[test]
    fn config_debug_redacts_credentials() {
        let c = Config::builder()
            .credentials(AccessKey::temporary("AKID", "SUPERSECRET", "TOKENVALUE"))
            .build();
        let s = format!("{c:?}");
        assert!(
            !s.contains("SUPERSECRET") && !s.contains("TOKENVALUE"),
            "{s}"
        );
        assert!(s.contains("AKID"), "{s}");
    }

    #[test]
    fn signed_request_matches_the_elb_vector() {
        let clock = ManualClock::at_unix(1_704_164_645); // 2024-01-02T03:04:05Z
        let rt = Config::builder()
            .region("cn-north-4")
            .project_id("0123456789abcdef0123456789abcdef")
            .options(
                ClientOptions::default()
                    .time(Arc::new(clock.clone()), Arc::new(clock.clone()))
                    .user_agent("huaweicloud-usdk-python/3.0; vector-gen/1.0")
                    .client_request_id_header(false),
            )
            .env_lookup(env(&[]))
            .build()
            .resolve(&ELB)
            .expect("resolve");
        let creds = Credentials::AccessKey(AccessKey::new(
            "HPUAEXAMPLEAK0000001",
            "ExampleSecretKey0000000000000000000000001",
        ));
        let path = fill_path(
            "/v3/{project_id}/elb/certificates/batch-delete",
            &[("project_id", &rt.project_id)],
        )
        .expect("path");
        let body = br#"{"certificates": ["5bd3d6e5a1d54e3e8b0d0a6c7f3c1a01", "9a1b2c3d4e5f40718293a4b5c6d7e8f9"]}"#;
        let attempt = Attempt {
            number: 1,
            credentials: &creds,
            now: crate::time::Clock::now(&clock),
            client_request_id: "cid",
            nonce: String::new(),
        };
        let req = signed_request(
            &rt.runtime,
            &rt.endpoint,
            &rt.project_id,
            &RequestSpec {
                method: "POST",
                path: &path,
                content_type: Some("application/json;charset=utf-8"),
                body: body.to_vec().into(),
            },
            &attempt,
        )
        .expect("request");
        let names: Vec<&str> = req.headers.iter().map(|(k, _)| k.as_ref()).collect();
        assert_eq!(
            names,
            [
                "Content-Type",
                "User-Agent",
                "X-Project-Id",
                "X-Sdk-Date",
                "Host",
                "Authorization"
            ]
        );
        assert_eq!(
            req.header("Authorization"),
            Some(
                "SDK-HMAC-SHA256 Access=HPUAEXAMPLEAK0000001, SignedHeaders=content-type;host;user-agent;x-project-id;x-sdk-date, Signature=0eb7d413926fd50c5e0cdf687603da0c9244062f98518fd248c7f23a6a1f519e"
            )
        );
    }

    #[test]
    fn client_request_id_and_token_headers() {
        let clock = ManualClock::at_unix(0);
        let rt = Config::builder()
            .endpoint("http://127.0.0.1:1")
            .project_id("p")
            .options(
                ClientOptions::default()
                    .time(Arc::new(clock.clone()), Arc::new(clock.clone()))
                    .user_agent("ua"),
            )
            .env_lookup(env(&[]))
            .build()
            .resolve(&ELB)
            .expect("resolve");
        let creds = Credentials::IamToken(Secret::new("iam-token"));
        let attempt = Attempt {
            number: 1,
            credentials: &creds,
            now: SystemTime::UNIX_EPOCH,
            client_request_id: "cid-1",
            nonce: String::new(),
        };
        let req = signed_request(
            &rt.runtime,
            &rt.endpoint,
            &rt.project_id,
            &RequestSpec {
                method: "DELETE",
                path: "/x",
                content_type: Some("application/json"),
                body: Bytes::new(),
            },
            &attempt,
        )
        .expect("request");
        assert_eq!(req.header("X-Client-Request-Id"), Some("cid-1"));
        assert_eq!(req.header("X-Auth-Token"), Some("iam-token"));
        assert_eq!(req.header("Authorization"), None);
        assert_eq!(req.header("Host"), Some("127.0.0.1:1"));
        assert_eq!(req.url(), "http://127.0.0.1:1/x");
        assert!(!format!("{req:?}").contains("iam-token"));
    }
}
