//! Alibaba Cloud RPC-style (`POST /?<params>`) pieces shared by this vendor's API crates: the
//! signed request (ACS3-HMAC-SHA256, parameters in the query string, no body) and the error
//! body `{"RequestId","HostId","Code","Message","Recommend"}` with its request id and retry
//! hint (protocol.md §3.1, §3.3, §3.6).

pub mod config;
pub mod credentials;
pub mod ecs_ram_role;
pub(crate) mod headers;
pub mod sign;
pub mod sts;

use std::time::{Duration, SystemTime};

use serde::de::DeserializeOwned;

use crate::answer::{
    CodeMeaning, CodeRule, check_foreign, cut_short, describe, foreign_error, service_error,
    undecodable_success,
};
use crate::credentials::{AccessKey, Credentials};
use crate::endpoint::Endpoint;
use crate::error::{Error, ErrorKind, Provider};
use crate::http::{HttpRequest, HttpResponse};
use crate::retry::server_retry_hint;
use crate::runtime::Attempt;
use crate::sign::aliyun::{CommonParams, sign_request_with};
use crate::sign::push_encoded;

/// What every RPC call of one client has in common.
#[derive(Debug, Clone, Copy)]
pub struct RpcCall<'a> {
    /// Where to send.
    pub endpoint: &'a Endpoint,
    /// `x-acs-action`.
    pub action: &'a str,
    /// `x-acs-version`.
    pub version: &'a str,
    /// `user-agent` (a signed header; the runtime's user agent).
    pub user_agent: &'a str,
    /// `ACS3-HMAC-SHA256`, or `ACS3-HMAC-SM3` (the runtime's
    /// [`signing_algorithm`](crate::runtime::Runtime::signing_algorithm)).
    pub algorithm: crate::sign::SigningAlgorithm,
}

/// The access key of an attempt's credentials; Alibaba Cloud signs with keys only.
pub fn access_key(credentials: &Credentials) -> Result<&AccessKey, Error> {
    credentials.access_key().ok_or_else(|| {
        Error::new(
            ErrorKind::Credentials,
            "Alibaba Cloud needs an AccessKey id and secret; other credentials cannot sign",
        )
    })
}

/// The wire query of `(key, raw value)` pairs, in the given order, encoded as the vendor's SDK
/// does (`urlencode`: space → `+`, `~` kept). The canonical (signed) form is derived from it
/// by the signer.
pub fn wire_query<V: AsRef<str>>(params: &[(&str, V)]) -> String {
    let mut out = String::with_capacity(
        params
            .iter()
            .map(|(k, v)| k.len() + 3 * v.as_ref().len() + 2)
            .sum::<usize>(),
    );
    for (i, (k, v)) in params.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        push_encoded(&mut out, k, true);
        out.push('=');
        push_encoded(&mut out, v.as_ref(), true);
    }
    out
}

/// Builds and signs the `POST /?<query>` request of one attempt: empty body (so no
/// `Content-Type`), `x-acs-date` and `x-acs-signature-nonce` from the attempt.
pub fn build_request<V: AsRef<str>>(
    call: &RpcCall<'_>,
    query: &[(&str, V)],
    attempt: &Attempt<'_>,
) -> Result<HttpRequest, Error> {
    let key = access_key(attempt.credentials)?;
    let mut req = HttpRequest::new("POST", call.endpoint.scheme(), call.endpoint.host(), "/");
    req.query = wire_query(query);
    let date = attempt.utc().iso8601();
    sign_request_with(
        &mut req,
        &CommonParams {
            action: call.action,
            version: call.version,
            user_agent: call.user_agent,
            date: &date,
            nonce: &attempt.nonce,
        },
        key,
        call.algorithm,
    );
    Ok(req)
}

/// An Alibaba Cloud error body, with the SDK's alternative spellings (`requestId`, `code`,
/// `message`) accepted.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ErrorBody {
    /// `RequestId`.
    pub request_id: Option<String>,
    /// `Code`.
    pub code: Option<String>,
    /// `Message`.
    pub message: Option<String>,
    /// `Recommend`: a diagnosis link.
    pub recommend: Option<String>,
    /// `HostId`.
    pub host_id: Option<String>,
}

/// Parses an error body; `None` when it is not a JSON object.
pub fn parse_error_body(body: &[u8]) -> Option<ErrorBody> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let obj = v.as_object()?;
    let get = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| obj.get(*n).and_then(|x| x.as_str()))
            .map(str::to_string)
    };
    Some(ErrorBody {
        request_id: get(&["RequestId", "requestId"]),
        code: get(&["Code", "code"]),
        message: get(&["Message", "message"]),
        recommend: get(&["Recommend", "recommend"]),
        host_id: get(&["HostId", "hostId"]),
    })
}

/// The request id of an answer: the body's `RequestId` (or `requestId`), else the
/// `x-acs-request-id` header.
pub fn request_id(response: &HttpResponse) -> Option<String> {
    parse_error_body(&response.body)
        .and_then(|b| b.request_id)
        .or_else(|| response.header("x-acs-request-id").map(str::to_string))
}

/// The API's name in error messages.
const API: &str = "an Alibaba Cloud RPC API";

/// Parses Alibaba Cloud's `x-acs-retry-after` (milliseconds; only positive integers count, as
/// in the vendor's SDK).
pub fn parse_acs_retry_after(value: &str) -> Option<Duration> {
    match value.trim().parse::<u64>() {
        Ok(ms) if ms > 0 => Some(Duration::from_millis(ms)),
        _ => None,
    }
}

/// The server's wait hint: `x-acs-retry-after` (ms) first, then the standard `Retry-After`.
fn retry_hint(headers: &crate::http::HeaderMap, now: SystemTime) -> Option<Duration> {
    let acs = headers
        .get("x-acs-retry-after")
        .and_then(|v| v.to_str().ok());
    acs.and_then(parse_acs_retry_after)
        .or_else(|| server_retry_hint(headers, now))
}

/// Parses an RPC answer: a 2xx body decoded as `T`, or an [`Error`].
///
/// - First [`check_foreign`]: a redirect, HTML or text where JSON is due, or a refusal without
///   a body is a configuration error (the endpoint is not the API).
/// - A positive `x-acs-retry-after` header (milliseconds) marks throttling whatever the status
///   (as the vendor's SDK does) and becomes the wait hint; so does a `Retry-After` header.
/// - Other non-2xx answers carry the body's `Code`, `Message` (with `Recommend` appended) and
///   `RequestId`; the code's meaning comes from `rules`, the API's generated error table
///   ([`crate::answer::meaning`]): throttling, server errors (retried, then unconfirmed),
///   wrong endpoint (no such action or version: a configuration error), not found, refusals.
///   A 4xx JSON body without a `Code` is not Alibaba Cloud's: a configuration error.
/// - A 2xx body that does not decode as `T` is [`undecodable_success`]: another JSON shape is
///   a configuration error, broken JSON a decode error; both may have applied.
pub fn parse_response<T: DeserializeOwned>(
    response: &HttpResponse,
    now: SystemTime,
    rules: &[CodeRule],
) -> Result<T, Error> {
    check_foreign(response, API)?;
    let acs_hint = response
        .header("x-acs-retry-after")
        .and_then(parse_acs_retry_after)
        .is_some();
    if (200..300).contains(&response.status) && !acs_hint {
        return serde_json::from_slice::<T>(&response.body).map_err(|e| {
            undecodable_success(response, API, &e).with_request_id(request_id(response))
        });
    }
    let hint = retry_hint(&response.headers, now);
    let parsed = parse_error_body(&response.body);
    let status = response.status;
    if parsed.is_none() && (400..500).contains(&status) && status != 429 && !acs_hint {
        return Err(cut_short(response).with_provider(Provider::Aliyun));
    }
    let body = parsed.unwrap_or_default();
    if body.code.is_none() && (400..500).contains(&status) && status != 429 && !acs_hint {
        return Err(foreign_error(
            response,
            API,
            "an error without Alibaba Cloud's Code",
        ));
    }
    let meaning = if acs_hint {
        CodeMeaning::Throttling
    } else {
        crate::answer::meaning(rules, status, body.code.as_deref())
    };
    let mut message = match &body.message {
        Some(m) => m.clone(),
        None => format!("unexpected answer: {}", describe(response)),
    };
    if let Some(r) = body.recommend.as_deref().filter(|r| !r.is_empty()) {
        message.push_str(" (see ");
        message.push_str(r);
        message.push(')');
    }
    let request_id = body
        .request_id
        .or_else(|| response.header("x-acs-request-id").map(str::to_string));
    Err(service_error(meaning, status, body.code, message)
        .with_provider(Provider::Aliyun)
        .with_request_id(request_id)
        .with_retry_after(hint))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answer::{CodeMeaning, CodeRule};

    /// A few of the Aliyun table's entries (the real table is generated into aliyun-cas).
    const RULES: &[CodeRule] = &[
        CodeRule::family("Throttling", CodeMeaning::Throttling),
        CodeRule::family("ServiceUnavailable", CodeMeaning::ServerError),
        CodeRule::exact("InternalError", CodeMeaning::ServerError),
        CodeRule::exact("InvalidAction.NotFound", CodeMeaning::WrongEndpoint),
        CodeRule::family("Forbidden", CodeMeaning::Auth),
    ];
    use crate::retry::RetryClass;

    #[test]
    fn acs_retry_after_is_milliseconds_and_read_before_retry_after() {
        assert_eq!(
            parse_acs_retry_after("1500"),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(parse_acs_retry_after("0"), None);
        assert_eq!(parse_acs_retry_after("-5"), None);
        let both = crate::test_util::response(
            503,
            &[("Retry-After", "2"), ("X-Acs-Retry-After", "1500")],
            "",
        );
        let now = std::time::UNIX_EPOCH;
        assert_eq!(
            retry_hint(&both.headers, now),
            Some(Duration::from_millis(1500))
        );
        let standard = crate::test_util::response(503, &[("Retry-After", "2")], "");
        assert_eq!(
            retry_hint(&standard.headers, now),
            Some(Duration::from_secs(2))
        );
    }
    use std::time::{Duration, UNIX_EPOCH};

    #[derive(Debug, serde::Deserialize)]
    struct Out {
        #[serde(rename = "RequestId")]
        request_id: String,
    }

    fn resp(status: u16, headers: &[(&str, &str)], body: &str) -> HttpResponse {
        crate::test_util::response(status, headers, body)
    }

    #[test]
    fn success_decodes() {
        let r = resp(
            200,
            &[],
            r#"{"RequestId":"3E50D480-9765-5CFD-9650-9BACCECA5135"}"#,
        );
        let out: Out = parse_response(&r, UNIX_EPOCH, RULES).expect("ok");
        assert_eq!(out.request_id, "3E50D480-9765-5CFD-9650-9BACCECA5135");
        let e = parse_response::<Out>(&resp(200, &[], "oops"), UNIX_EPOCH, RULES).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config, "not JSON: not the API");
        let e = parse_response::<Out>(&resp(200, &[], r#"{"RequestId":"#), UNIX_EPOCH, RULES)
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Decode, "broken JSON: may be the API");
        assert!(e.may_have_applied());
        let e =
            parse_response::<Out>(&resp(200, &[], r#"{"ok":1}"#), UNIX_EPOCH, RULES).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config, "another JSON shape");
        for (status, body) in [
            (
                404,
                r#"{"Code":"InvalidAction.NotFound","Message":"Specified api is not found"}"#,
            ),
            (404, r#"{"message":"no route"}"#),
            (404, "<html>not found</html>"),
        ] {
            let e = parse_response::<Out>(&resp(status, &[], body), UNIX_EPOCH, RULES).unwrap_err();
            assert!(e.stops_run(), "{body}: {e}");
        }
    }

    #[test]
    fn error_bodies_keep_code_message_recommend_and_request_id() {
        let r = resp(
            400,
            &[],
            r#"{"RequestId":"R1","HostId":"cas.aliyuncs.com","Code":"InvalidParameter","Message":"bad id","Recommend":"https://api.aliyun.com/troubleshoot?q=x"}"#,
        );
        let e = parse_response::<Out>(&r, UNIX_EPOCH, RULES).unwrap_err();
        assert_eq!(e.code(), Some("InvalidParameter"));
        assert_eq!(e.request_id(), Some("R1"));
        assert_eq!(e.status(), Some(400));
        assert_eq!(e.retry_class(), RetryClass::Permanent);
        assert_eq!(
            e.message(),
            "bad id (see https://api.aliyun.com/troubleshoot?q=x)"
        );
        let lower = resp(
            403,
            &[],
            r#"{"requestId":"r2","code":"Forbidden","message":"no"}"#,
        );
        let e = parse_response::<Out>(&lower, UNIX_EPOCH, RULES).unwrap_err();
        assert_eq!(
            (e.code(), e.request_id(), e.message()),
            (Some("Forbidden"), Some("r2"), "no")
        );
    }

    #[test]
    fn throttling_by_code_or_by_header_whatever_the_status() {
        let e = parse_response::<Out>(
            &resp(400, &[], r#"{"Code":"Throttling.User","Message":"m"}"#),
            UNIX_EPOCH,
            RULES,
        )
        .unwrap_err();
        assert!(e.is_throttling());
        assert_eq!(e.retry_after(), None);
        let e = parse_response::<Out>(
            &resp(
                403,
                &[("x-acs-retry-after", "1500")],
                r#"{"Code":"Forbidden.Whatever","Message":"m"}"#,
            ),
            UNIX_EPOCH,
            RULES,
        )
        .unwrap_err();
        assert!(e.is_throttling());
        assert_eq!(e.retry_after(), Some(Duration::from_millis(1500)));
        let e = parse_response::<Out>(
            &resp(200, &[("x-acs-retry-after", "20")], r#"{"RequestId":"x"}"#),
            UNIX_EPOCH,
            RULES,
        )
        .unwrap_err();
        assert!(e.is_throttling());
        let ok = parse_response::<Out>(
            &resp(200, &[("x-acs-retry-after", "0")], r#"{"RequestId":"x"}"#),
            UNIX_EPOCH,
            RULES,
        );
        assert!(ok.is_ok());
    }

    #[test]
    fn server_errors_are_transient_and_non_json_is_kept_short() {
        let e = parse_response::<Out>(
            &resp(503, &[("x-acs-request-id", "H1")], "<html>down</html>"),
            UNIX_EPOCH,
            RULES,
        )
        .unwrap_err();
        assert_eq!(e.retry_class(), RetryClass::Transient);
        assert_eq!(e.request_id(), Some("H1"));
        assert!(e.message().contains("down"), "{e}");
        let long = "é".repeat(4000);
        let e = parse_response::<Out>(&resp(500, &[], &long), UNIX_EPOCH, RULES).unwrap_err();
        assert!(e.message().chars().count() < 400);
    }

    #[test]
    fn wire_query_uses_plus_for_space() {
        let q = wire_query(&[
            ("CertId", "1".to_string()),
            ("ClientToken", "tok en/+*~=&\u{fc}".to_string()),
        ]);
        assert_eq!(q, "CertId=1&ClientToken=tok+en%2F%2B%2A~%3D%26%C3%BC");
    }

    #[test]
    fn build_request_reproduces_the_clienttoken_encoding_vector() {
        let endpoint = Endpoint::parse("cas.aliyuncs.com").expect("endpoint");
        let creds =
            Credentials::AccessKey(AccessKey::new("YourAccessKeyId", "YourAccessKeySecret"));
        let attempt = Attempt {
            number: 1,
            credentials: &creds,
            now: UNIX_EPOCH + Duration::from_secs(1_718_452_800),
            client_request_id: "unused",
            nonce: "ffffffffffffffffffffffffffffffff".to_string(),
        };
        let call = RpcCall {
            endpoint: &endpoint,
            action: "DeleteUserCertificate",
            version: "2020-04-07",
            user_agent: "AlibabaCloud (Linux; x86_64) Python/3.11.7 Core/0.4.3 TeaDSL/2",
            algorithm: crate::sign::SigningAlgorithm::HmacSha256,
        };
        let req = build_request(
            &call,
            &[
                ("CertId", "1".to_string()),
                ("ClientToken", "tok en/+*~=&\u{fc}".to_string()),
            ],
            &attempt,
        )
        .expect("request");
        assert_eq!(
            req.url(),
            "https://cas.aliyuncs.com/?CertId=1&ClientToken=tok+en%2F%2B%2A~%3D%26%C3%BC"
        );
        assert!(req.body.is_empty());
        assert_eq!(req.header("content-type"), None);
        assert_eq!(req.header("x-acs-date"), Some("2024-06-15T12:00:00Z"));
        assert_eq!(
            req.header("Authorization"),
            Some(
                "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=accept;host;user-agent;\
                 x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;x-acs-date;\
                 x-acs-signature-nonce;x-acs-version,\
                 Signature=067f88ac984476a602c19128bbe7eee6d8b18deae2f7526a02abf9e2f16d49e1"
            )
        );
    }
}
