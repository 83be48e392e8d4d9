//! The hostile world: `certctl` against a programmable loopback server that is not the cloud
//! or that misbehaves (wrong endpoints, proxies, captive portals, broken and endless bodies,
//! servers that never answer, resets, redirects, absurd headers), for all five APIs.
//!
//! Each case asserts the exact outcome of every id, the exit status, and that nothing is
//! claimed deleted or absent unless the answer is the API's own documented one.

use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use integration_tests::wire::{self, Reply, ScriptedServer};
use serde_json::Value;

#[derive(Debug, Clone, Copy)]
enum Api {
    Elb,
    Apig,
    Csms,
    Tencent,
    Aliyun,
}

/// Runs certctl for `api` against `endpoint` with `ids`, JSON output, 2 attempts and a 2 s
/// attempt timeout, plus `extra` arguments.
fn run(api: Api, endpoint: &str, ids: &[&str], extra: &[&str]) -> Output {
    let mut args: Vec<String> = match api {
        Api::Elb => vec!["huawei-elb".into(), "delete-certificates".into()],
        Api::Apig => vec!["huawei-apig".into(), "delete-certificate".into()],
        Api::Csms => vec![
            "huawei-csms".into(),
            "delete-secrets".into(),
            "--instance-id".into(),
            "rds-instance-0001".into(),
            "--yes".into(),
        ],
        Api::Tencent => vec!["tencent-ssl".into(), "delete-csrs".into()],
        Api::Aliyun => vec!["aliyun-cas".into(), "delete-certificates".into()],
    };
    for a in ["--endpoint", endpoint, "--output", "json"] {
        args.push(a.into());
    }
    for (flag, value) in [("--max-attempts", "2"), ("--attempt-timeout", "2")] {
        if !extra.contains(&flag) {
            args.push(flag.into());
            args.push(value.into());
        }
    }
    args.extend(extra.iter().map(|s| s.to_string()));
    if !matches!(api, Api::Csms) {
        args.extend(ids.iter().map(|s| s.to_string()));
    }
    let mut cmd = integration_tests::cli::certctl();
    cmd.args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd.output().expect("certctl runs")
}

/// What a case must end with.
#[derive(Debug)]
enum Expect {
    /// The run stops as a configuration error: exit 3, and no id is claimed deleted or absent.
    Stop,
    /// Exit `exit`; every id reported once with exactly `outcome`.
    Each(&'static str, i32),
}

fn report(out: &Output) -> Option<Value> {
    serde_json::from_slice(&out.stdout).ok()
}

fn items(doc: &Value) -> Vec<(String, String)> {
    doc["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|i| {
                    (
                        i["id"].as_str().unwrap_or_default().to_string(),
                        i["outcome"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Runs one case and checks it.
fn check(name: &str, api: Api, server: &ScriptedServer, ids: &[&str], expect: Expect) {
    let started = Instant::now();
    let out = run(api, &server.url(), ids, &[]);
    let took = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let code = out.status.code();
    let doc = report(&out);
    assert_ne!(code, Some(101), "{name}: certctl panicked\n{stderr}");
    assert!(
        !stderr.contains("panicked"),
        "{name}: a panic was printed\n{stderr}"
    );
    assert!(
        took < Duration::from_secs(20),
        "{name}: took {took:?} (the server's answer must not hold certctl)"
    );
    match expect {
        Expect::Stop => {
            assert_eq!(code, Some(3), "{name}: exit status\n{stderr}");
            assert!(
                stderr.contains("configuration error"),
                "{name}: the error names the configuration problem\n{stderr}"
            );
            if let Some(doc) = &doc {
                for (id, outcome) in items(doc) {
                    assert!(
                        outcome != "deleted" && outcome != "absent",
                        "{name}: {id} claimed {outcome} by a server that is not the API"
                    );
                }
            }
        }
        Expect::Each(outcome, exit) => {
            assert_eq!(code, Some(exit), "{name}: exit status\n{stderr}");
            if matches!(api, Api::Csms) {
                // CSMS deletes by instance: when the request fails as a whole the answer
                // names no secret, so there is nothing to list; the error says why, on stderr
                // and in the JSON document scripts read.
                let doc = doc.as_ref().unwrap_or_else(|| {
                    panic!(
                        "{name}: no JSON document
{stderr}"
                    )
                });
                if let Some(why) = doc.get("stopped") {
                    assert!(items(doc).is_empty(), "{name}: {doc}");
                    assert!(why.as_str().is_some_and(|w| !w.is_empty()), "{name}: {doc}");
                    assert!(stderr.contains("huawei"), "{name}: {stderr}");
                    return;
                }
            }
            let doc = doc.unwrap_or_else(|| panic!("{name}: no JSON report\n{stderr}"));
            let got = items(&doc);
            if !matches!(api, Api::Csms) {
                let ids_got: Vec<&str> = got.iter().map(|(i, _)| i.as_str()).collect();
                assert_eq!(ids_got, ids, "{name}: every id exactly once");
            }
            for (id, o) in &got {
                assert_eq!(o, outcome, "{name}: {id}\n{stderr}");
            }
        }
    }
}

fn raw(status_line: &str, headers: &[(&str, &[u8])], body: &[u8]) -> Reply {
    let mut head = format!("{status_line}\r\n").into_bytes();
    for (k, v) in headers {
        head.extend_from_slice(k.as_bytes());
        head.extend_from_slice(b": ");
        head.extend_from_slice(v);
        head.extend_from_slice(b"\r\n");
    }
    Reply::Raw {
        head,
        body: body.to_vec(),
    }
}

const TENCENT_OK: &str = r#"{"Response":{"Success":[11],"RequestId":"r-ok"}}"#;

fn tencent_error(code: &str) -> String {
    format!(r#"{{"Response":{{"Error":{{"Code":"{code}","Message":"m"}},"RequestId":"r-e"}}}}"#)
}

fn aliyun_error(code: &str) -> String {
    format!(r#"{{"RequestId":"r-e","HostId":"cas.aliyuncs.com","Code":"{code}","Message":"m"}}"#)
}

fn huawei_error(code: &str) -> String {
    format!(r#"{{"error_code":"{code}","error_msg":"m"}}"#)
}

const NGINX_404: &str = "<html><head><title>404 Not Found</title></head><body><center><h1>404 Not Found</h1></center><hr><center>nginx</center></body></html>";
const PORTAL: &str = "<!doctype html><html><body><form action=/login>Welcome to the hotel network</form></body></html>";

macro_rules! case {
    ($name:ident, $api:expr, $ids:expr, $reply:expr, $expect:expr) => {
        #[test]
        fn $name() {
            let server = ScriptedServer::always(move || $reply);
            check(stringify!($name), $api, &server, &$ids, $expect);
        }
    };
}

// ---- wrong endpoint, wrong version or action: the run stops (exit 3) ----
case!(
    tencent_proxy_html_404,
    Api::Tencent,
    ["11"],
    wire::html(404, NGINX_404),
    Expect::Stop
);
case!(
    tencent_captive_portal_200,
    Api::Tencent,
    ["11"],
    wire::html(200, PORTAL),
    Expect::Stop
);
case!(
    tencent_invalid_action,
    Api::Tencent,
    ["11", "22"],
    wire::json(200, &tencent_error("InvalidAction")),
    Expect::Stop
);
case!(
    tencent_no_such_version,
    Api::Tencent,
    ["11"],
    wire::json(200, &tencent_error("NoSuchVersion")),
    Expect::Stop
);
case!(
    tencent_json_of_another_api,
    Api::Tencent,
    ["11"],
    wire::json(404, r#"{"message":"Not Found"}"#),
    Expect::Stop
);
case!(
    tencent_redirect,
    Api::Tencent,
    ["11"],
    raw(
        "HTTP/1.1 302 Found",
        &[
            ("Location", b"https://portal.example/login"),
            ("Content-Length", b"0")
        ],
        b""
    ),
    Expect::Stop
);
case!(
    apig_api_does_not_exist,
    Api::Apig,
    ["cert-1", "cert-2"],
    wire::json(404, &huawei_error("APIG.0101")),
    Expect::Stop
);
case!(
    apig_gateway_api_does_not_exist,
    Api::Apig,
    ["cert-1"],
    wire::json(404, &huawei_error("APIGW.0101")),
    Expect::Stop
);
case!(
    apig_proxy_html_404,
    Api::Apig,
    ["cert-1", "cert-2"],
    wire::html(404, NGINX_404),
    Expect::Stop
);
case!(
    apig_method_not_allowed_text,
    Api::Apig,
    ["cert-1"],
    raw(
        "HTTP/1.1 405 Method Not Allowed",
        &[("Content-Type", b"text/plain"), ("Content-Length", b"18")],
        b"Method Not Allowed"
    ),
    Expect::Stop
);
case!(
    apig_bodiless_404,
    Api::Apig,
    ["cert-1"],
    raw("HTTP/1.1 404 Not Found", &[("Content-Length", b"0")], b""),
    Expect::Stop
);
case!(
    apig_redirect,
    Api::Apig,
    ["cert-1"],
    raw(
        "HTTP/1.1 301 Moved Permanently",
        &[
            ("Location", b"https://apig.example/"),
            ("Content-Length", b"0")
        ],
        b""
    ),
    Expect::Stop
);
case!(
    aliyun_invalid_action_not_found,
    Api::Aliyun,
    ["1001", "1002"],
    wire::json(404, &aliyun_error("InvalidAction.NotFound")),
    Expect::Stop
);
case!(
    aliyun_invalid_version,
    Api::Aliyun,
    ["1001"],
    wire::json(400, &aliyun_error("InvalidVersion")),
    Expect::Stop
);
case!(
    aliyun_captive_portal_200,
    Api::Aliyun,
    ["1001"],
    wire::html(200, PORTAL),
    Expect::Stop
);
case!(
    aliyun_success_of_another_shape,
    Api::Aliyun,
    ["1001"],
    wire::json(200, r#"{"status":"ok"}"#),
    Expect::Stop
);
case!(
    elb_plain_text_200,
    Api::Elb,
    ["a1"],
    raw(
        "HTTP/1.1 200 OK",
        &[("Content-Type", b"text/plain"), ("Content-Length", b"2")],
        b"OK"
    ),
    Expect::Stop
);
case!(
    elb_version_not_found,
    Api::Elb,
    ["a1"],
    wire::json(404, &huawei_error("ELB.1110")),
    Expect::Stop
);
case!(
    elb_json_of_another_api,
    Api::Elb,
    ["a1"],
    wire::json(404, r#"{"detail":"Not Found"}"#),
    Expect::Stop
);
case!(
    csms_proxy_html_404,
    Api::Csms,
    [],
    wire::html(404, NGINX_404),
    Expect::Stop
);

// ---- server-side failures: retried, then unconfirmed (exit 1) ----
case!(
    tencent_internal_error,
    Api::Tencent,
    ["11", "22"],
    wire::json(200, &tencent_error("InternalError")),
    Expect::Each("unconfirmed", 1)
);
case!(
    tencent_internal_error_family,
    Api::Tencent,
    ["11"],
    wire::json(200, &tencent_error("InternalError.BackendResponseEmpty")),
    Expect::Each("unconfirmed", 1)
);
case!(
    tencent_undocumented_code,
    Api::Tencent,
    ["11"],
    wire::json(200, &tencent_error("Brand.NewCode")),
    Expect::Each("unconfirmed", 1)
);
case!(
    tencent_proxy_html_502,
    Api::Tencent,
    ["11"],
    wire::html(502, "<html>502 Bad Gateway</html>"),
    Expect::Each("unconfirmed", 1)
);
case!(
    apig_system_error,
    Api::Apig,
    ["cert-1"],
    wire::json(500, &huawei_error("APIG.9999")),
    Expect::Each("unconfirmed", 1)
);
case!(
    apig_200_instead_of_204,
    Api::Apig,
    ["cert-1"],
    raw("HTTP/1.1 200 OK", &[("Content-Length", b"0")], b""),
    Expect::Each("unconfirmed", 1)
);
case!(
    aliyun_internal_error,
    Api::Aliyun,
    ["1001"],
    wire::json(500, &aliyun_error("InternalError")),
    Expect::Each("unconfirmed", 1)
);
case!(
    aliyun_service_unavailable,
    Api::Aliyun,
    ["1001"],
    wire::json(503, &aliyun_error("ServiceUnavailable")),
    Expect::Each("unconfirmed", 1)
);
case!(
    csms_server_error,
    Api::Csms,
    [],
    wire::json(500, &huawei_error("KMS.0101")),
    Expect::Each("unconfirmed", 1)
);

// ---- broken, endless or absent answers: unconfirmed ----
case!(
    tencent_empty_200,
    Api::Tencent,
    ["11"],
    raw(
        "HTTP/1.1 200 OK",
        &[
            ("Content-Type", b"application/json"),
            ("Content-Length", b"0")
        ],
        b""
    ),
    Expect::Each("unconfirmed", 1)
);
case!(
    tencent_truncated_json,
    Api::Tencent,
    ["11"],
    wire::json(200, r#"{"Response":{"Success":[11],"Requ"#),
    Expect::Each("unconfirmed", 1)
);
case!(
    tencent_huge_body,
    Api::Tencent,
    ["11"],
    wire::json(
        200,
        &format!(
            r#"{{"Response":{{"Success":[11],"Pad":"{}","RequestId":"r"}}}}"#,
            "x".repeat(3 * 1024 * 1024)
        )
    ),
    Expect::Each("unconfirmed", 1)
);
case!(
    tencent_endless_chunked_body,
    Api::Tencent,
    ["11"],
    Reply::EndlessChunked {
        head:
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                .to_vec(),
        chunk: 64 * 1024,
        max_total: 512 * 1024 * 1024
    },
    Expect::Each("unconfirmed", 1)
);
case!(
    tencent_never_answers,
    Api::Tencent,
    ["11"],
    Reply::NeverAnswer {
        hold: Duration::from_secs(30)
    },
    Expect::Each("unconfirmed", 1)
);
case!(tencent_reset_mid_body, Api::Tencent, ["11"], Reply::ResetAfter { bytes: b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"Response\":".to_vec() }, Expect::Each("unconfirmed", 1));
case!(aliyun_slow_headers, Api::Aliyun, ["1001"], Reply::Trickle { bytes: b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 17\r\n\r\n{\"RequestId\":\"r\"}".to_vec(), delay: Duration::from_millis(200) }, Expect::Each("unconfirmed", 1));
case!(
    elb_truncated_json,
    Api::Elb,
    ["a1", "a2"],
    wire::json(200, r#"{"certificates":[{"id":"a1","ret_st"#),
    Expect::Each("unconfirmed", 1)
);
case!(
    elb_undocumented_ret_status,
    Api::Elb,
    ["a1"],
    wire::json(
        200,
        r#"{"certificates":[{"id":"a1","ret_status":"failed","ret_code":"ELB.8902"}],"request_id":"r"}"#
    ),
    Expect::Each("unconfirmed", 1)
);
case!(
    csms_endless_chunked_body,
    Api::Csms,
    [],
    Reply::EndlessChunked {
        head:
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                .to_vec(),
        chunk: 64 * 1024,
        max_total: 512 * 1024 * 1024
    },
    Expect::Each("unconfirmed", 1)
);

// ---- absurd, duplicate and non-UTF-8 headers: no panic, the answer's own meaning holds ----
case!(
    tencent_retry_after_u64_max,
    Api::Tencent,
    ["11"],
    raw(
        "HTTP/1.1 503 Service Unavailable",
        &[
            ("Retry-After", b"18446744073709551615"),
            ("Content-Length", b"0")
        ],
        b""
    ),
    Expect::Each("unconfirmed", 1)
);
case!(
    aliyun_acs_retry_after_u64_max,
    Api::Aliyun,
    ["1001"],
    raw(
        "HTTP/1.1 503 Service Unavailable",
        &[
            ("x-acs-retry-after", b"18446744073709551615"),
            ("Content-Type", b"application/json"),
            ("Content-Length", b"2")
        ],
        b"{}"
    ),
    Expect::Each("unconfirmed", 1)
);
// A 429 certainly did not apply: after a hint too long to wait, the id is refused.
case!(
    apig_retry_after_far_date,
    Api::Apig,
    ["cert-1"],
    raw(
        "HTTP/1.1 429 Too Many Requests",
        &[
            ("Retry-After", b"Fri, 31 Dec 9999 23:59:59 GMT"),
            ("Content-Length", b"0")
        ],
        b""
    ),
    Expect::Each("refused", 1)
);
case!(
    apig_non_utf8_headers_on_a_real_404,
    Api::Apig,
    ["cert-1"],
    wire::with_headers(
        404,
        &[
            ("X-Request-Id", b"\xff\xfe"),
            ("X-Request-Id", b"second"),
            ("Date", b"\xff not a date"),
            ("Retry-After", b"\xff"),
            ("Content-Type", b"application/json")
        ],
        br#"{"error_code":"APIG.3021","error_msg":"Certificate not found"}"#
    ),
    Expect::Each("absent", 0)
);
case!(
    aliyun_absurd_date_and_duplicate_request_ids,
    Api::Aliyun,
    ["1001"],
    wire::with_headers(
        200,
        &[
            ("Date", b"Mon, 99 Foo 99999 99:99:99 GMT"),
            ("x-acs-request-id", b"a"),
            ("x-acs-request-id", b"b"),
            ("Content-Type", b"application/json")
        ],
        br#"{"RequestId":"r1"}"#
    ),
    Expect::Each("deleted", 0)
);

// ---- the API's own answers keep their meaning ----
case!(
    apig_unlisted_404_code_is_refused_not_absent,
    Api::Apig,
    ["cert-1"],
    wire::json(404, &huawei_error("APIG.3002")),
    Expect::Each("refused", 1)
);
case!(
    aliyun_not_found_code_is_refused_not_absent,
    Api::Aliyun,
    ["1001"],
    wire::json(404, &aliyun_error("NotFound")),
    Expect::Each("refused", 1)
);
case!(
    tencent_success_lists_the_deleted,
    Api::Tencent,
    ["11"],
    wire::json(200, TENCENT_OK),
    Expect::Each("deleted", 0)
);

#[test]
fn the_endpoint_is_asked_once_per_id_for_a_wrong_endpoint_and_never_again() {
    // 50 ids at --concurrency 8 against an endpoint that is not the API: the run stops after
    // the requests already in flight, not after 50.
    let server = ScriptedServer::always(|| wire::json(404, &huawei_error("APIG.0101")));
    let ids: Vec<String> = (0..50).map(|i| format!("cert-{i}")).collect();
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let out = run(Api::Apig, &server.url(), &refs, &["--concurrency", "8"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(server.hits() <= 8, "{} requests", server.hits());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("APIG.0101"), "{stderr}");
}

#[test]
fn plain_http_to_a_host_that_is_not_loopback_is_refused_before_anything_is_sent() {
    for api in [Api::Elb, Api::Apig, Api::Csms, Api::Tencent, Api::Aliyun] {
        // A documentation-range address: nothing is ever sent there, the check comes first.
        let out = run(api, "http://192.0.2.10:8080", &["11"], &[]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{api:?}: {stderr}");
        assert!(stderr.contains("plain http"), "{api:?}: {stderr}");
        assert!(
            stderr.contains("--allow-insecure-http"),
            "{api:?}: {stderr}"
        );
    }
}

#[test]
fn rate_and_count_flags_are_validated() {
    let server = ScriptedServer::always(|| wire::json(200, TENCENT_OK));
    for extra in [
        ["--qps", "0"],
        ["--qps", "-1"],
        ["--qps", "1e999"],
        ["--qps", "NaN"],
        ["--qps", "inf"],
        ["--concurrency", "0"],
        ["--max-attempts", "0"],
        ["--max-attempts", "99999999999"],
        ["--attempt-timeout", "0"],
    ] {
        let out = run(Api::Tencent, &server.url(), &["11"], &extra);
        assert_eq!(out.status.code(), Some(2), "{extra:?}");
    }
    assert_eq!(server.hits(), 0);
}

#[test]
fn non_canonical_ids_are_refused_up_front() {
    let server = ScriptedServer::always(|| wire::json(200, TENCENT_OK));
    for id in ["011", "+11"] {
        let out = run(Api::Tencent, &server.url(), &[id, "11"], &[]);
        assert_eq!(out.status.code(), Some(2), "{id}");
    }
    assert_eq!(server.hits(), 0);
}

#[test]
fn redirects_are_never_followed() {
    let target = ScriptedServer::always(|| wire::json(200, TENCENT_OK));
    let location = format!("{}/elsewhere", target.url());
    let server = ScriptedServer::always(move || {
        wire::with_headers(307, &[("Location", location.as_bytes())], b"")
    });
    let out = run(Api::Tencent, &server.url(), &["11"], &[]);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(server.hits(), 1, "not retried either");
    assert_eq!(target.hits(), 0, "the redirect was followed");
    assert!(String::from_utf8_lossy(&out.stderr).contains("redirect"));
}

/// A transport double that records the URLs it is asked to send to and answers a success.
#[derive(Debug, Default)]
struct Recorder(std::sync::Mutex<Vec<String>>);

#[async_trait::async_trait]
impl cert_common::transport::HttpSend for Recorder {
    async fn send(
        &self,
        request: cert_common::http::HttpRequest,
    ) -> Result<cert_common::http::HttpResponse, cert_common::Error> {
        self.0.lock().expect("lock").push(request.url());
        Ok(cert_common::http::HttpResponse::new(200, TENCENT_OK))
    }
}

#[tokio::test]
async fn plain_http_elsewhere_needs_the_explicit_opt_in() {
    use std::sync::Arc;
    let build = |allow: bool, http: Arc<Recorder>| {
        tencent_ssl::Client::new(
            tencent_ssl::Config::builder()
                .endpoint("http://ssl.example.internal")
                .credentials(integration_tests::tencent_key())
                .options(
                    cert_common::ClientOptions::default()
                        .http(http)
                        .allow_insecure_http(allow),
                )
                .build(),
        )
    };
    let http = Arc::new(Recorder::default());
    let e = build(false, http.clone()).expect_err("refused");
    assert_eq!(e.kind(), cert_common::ErrorKind::Config);
    let client = build(true, http.clone()).expect("allowed when asked for");
    let out = client
        .batch_delete_csr()
        .csr_id(11)
        .send()
        .await
        .expect("sent");
    assert_eq!(out.report().items()[0].outcome.as_str(), "deleted");
    assert_eq!(
        http.0.lock().expect("lock").as_slice(),
        ["http://ssl.example.internal/"]
    );
}
