//! Tencent Cloud API 3.0 pieces shared by this vendor's API crates: the signed `POST` request
//! (TC3-HMAC-SHA256, `X-TC-*` common parameters) and the response envelope
//! `{"Response": {..., "RequestId"}}`, whose `Response.Error` is an error whatever the HTTP
//! status and `Content-Type` say (protocol.md §2.6: the vendor's SDK misses errors sent as
//! `application/json; charset=utf-8`; this code never does).

pub mod config;
pub mod credentials;
pub mod cvm_role;
pub(crate) mod headers;
pub mod sign;
pub mod sts;

use std::fmt;
use std::str::FromStr;
use std::time::SystemTime;

use serde::de::DeserializeOwned;

use crate::answer::{
    CodeRule, check_foreign, describe, foreign_error, service_error, undecodable_success,
};
use crate::credentials::{AccessKey, Credentials};
use crate::endpoint::Endpoint;
use crate::error::{Error, ErrorKind, Provider};
use crate::http::{HttpRequest, HttpResponse};
use crate::retry::server_retry_hint;
use crate::runtime::Attempt;
use crate::sign::tencent::{CommonParams, sign_request};

/// The root domain of the China site (`<service>.tencentcloudapi.com`).
pub const ROOT_DOMAIN: &str = "tencentcloudapi.com";
/// The root domain of the international site (`<service>.intl.tencentcloudapi.com`).
pub const INTL_ROOT_DOMAIN: &str = "intl.tencentcloudapi.com";

/// The language of the server's messages (`X-TC-Language`). The API accepts only these two.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Language {
    /// `en-US` (this SDK's default: messages a log reader can act on in English).
    #[default]
    EnUs,
    /// `zh-CN` (the vendor's Python SDK default).
    ZhCn,
}

impl Language {
    /// The header value: `en-US` or `zh-CN`.
    pub fn as_str(self) -> &'static str {
        match self {
            Language::EnUs => "en-US",
            Language::ZhCn => "zh-CN",
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Language {
    type Err = Error;

    /// Parses `en-US` or `zh-CN` (exactly; the API accepts nothing else).
    fn from_str(s: &str) -> Result<Self, Error> {
        match s {
            "en-US" => Ok(Language::EnUs),
            "zh-CN" => Ok(Language::ZhCn),
            other => Err(Error::config(format!(
                "X-TC-Language must be \"en-US\" or \"zh-CN\", not {other:?}"
            ))),
        }
    }
}

/// The default endpoint of a service: `https://<service>.tencentcloudapi.com`, or on the
/// international site `https://<service>.intl.tencentcloudapi.com` (protocol.md §2.5).
pub fn default_endpoint(service: &str, international: bool) -> Result<Endpoint, Error> {
    let root = if international {
        INTL_ROOT_DOMAIN
    } else {
        ROOT_DOMAIN
    };
    Endpoint::parse(&format!("https://{service}.{root}"))
}

/// What every API 3.0 call of one client has in common.
#[derive(Debug, Clone, Copy)]
pub struct Api3Call<'a> {
    /// Where to send.
    pub endpoint: &'a Endpoint,
    /// Service name (`ssl`), used in the credential scope.
    pub service: &'a str,
    /// `X-TC-Action`.
    pub action: &'a str,
    /// `X-TC-Version`.
    pub version: &'a str,
    /// `X-TC-Region`; omitted when `None` or empty.
    pub region: Option<&'a str>,
    /// `X-TC-Language`.
    pub language: Language,
    /// `X-TC-RequestClient` (the runtime's user agent).
    pub request_client: &'a str,
}

/// The access key of an attempt's credentials; Tencent signs with keys only.
pub fn access_key(credentials: &Credentials) -> Result<&AccessKey, Error> {
    credentials.access_key().ok_or_else(|| {
        Error::new(
            ErrorKind::Credentials,
            "Tencent Cloud needs a SecretId and SecretKey; other credentials cannot sign",
        )
    })
}

/// Builds and signs the `POST /` request of one attempt: `body` is the JSON body (already the
/// exact bytes to send), the trace id is the attempt's client request id (constant across
/// retries), the timestamp the attempt's time.
pub fn build_post(
    call: &Api3Call<'_>,
    body: Vec<u8>,
    attempt: &Attempt<'_>,
) -> Result<HttpRequest, Error> {
    let key = access_key(attempt.credentials)?;
    let mut req = HttpRequest::new("POST", call.endpoint.scheme(), call.endpoint.host(), "/");
    req.body = body.into();
    sign_request(
        &mut req,
        &CommonParams {
            action: call.action,
            version: call.version,
            region: call.region,
            language: call.language.as_str(),
            request_client: call.request_client,
            trace_id: attempt.client_request_id,
            service: call.service,
            unsigned_payload: false,
        },
        key,
        attempt.unix(),
    );
    Ok(req)
}

/// `Response.Error` of an envelope: (code, message), when present. A code or message that is
/// not a string is taken as absent.
fn envelope_error(err: &serde_json::Value) -> Option<(Option<String>, String)> {
    if err.is_null() {
        return None;
    }
    let code = err.get("Code").and_then(|c| c.as_str()).map(str::to_string);
    let message = err
        .get("Message")
        .and_then(|m| m.as_str())
        .unwrap_or("")
        .to_string();
    Some((code, message))
}

/// `{"Response": ...}`, the `Response` kept as its raw text (borrowed from the body).
#[derive(serde::Deserialize)]
struct Envelope<'a> {
    #[serde(rename = "Response", borrow, default)]
    response: Option<&'a serde_json::value::RawValue>,
}

/// The members of `Response` every answer may have; the rest is the operation's own.
#[derive(serde::Deserialize)]
struct Head {
    #[serde(rename = "Error", default)]
    error: Option<serde_json::Value>,
    #[serde(rename = "RequestId", default, deserialize_with = "string_or_none")]
    request_id: Option<String>,
}

/// A string, or `None` for any other JSON value.
fn string_or_none<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    use serde::Deserialize;
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => Some(s),
        _ => None,
    })
}

/// The API's name in error messages.
const API: &str = "the Tencent Cloud API 3.0";

/// Parses an API 3.0 answer: the `Response` object decoded as `T`, or an [`Error`].
///
/// - First [`check_foreign`]: a redirect, HTML or text where JSON is due, or a refusal without
///   a body is a configuration error (the endpoint is not the API).
/// - Any status: a body `{"Response":{"Error":{"Code","Message"},"RequestId"}}` is an error
///   with that code, message and request id, whatever the `Content-Type`. What the code means
///   comes from `rules`, the API's generated error table ([`crate::answer::meaning`]):
///   throttling, server-side failures (retried, then unconfirmed), wrong endpoint (no such
///   action or version: a configuration error), refusals; a code the table does not know is
///   [`CodeMeaning::Undocumented`](crate::answer::CodeMeaning::Undocumented) (unconfirmed).
/// - A 5xx or 429 without such a body is a server error or throttling, with the start of the
///   body; any other status without one is not this API (a configuration error).
/// - A 200 answer that is valid JSON but not an envelope, or whose `Response` is not the
///   documented shape, is a configuration error that may have applied; broken JSON is a
///   [`ErrorKind::Decode`] error that may have applied ([`undecodable_success`]).
pub fn parse_response<T: DeserializeOwned>(
    response: &HttpResponse,
    now: SystemTime,
    rules: &[CodeRule],
) -> Result<T, Error> {
    check_foreign(response, API)?;
    // Decoded straight into types, without a `serde_json::Value` tree of the whole answer.
    let parsed = serde_json::from_slice::<Envelope<'_>>(&response.body);
    let envelope = parsed.as_ref().ok().and_then(|e| e.response);
    // A plain success needs only `T`: a 200 whose `Response` cannot hold an `Error` member
    // (the text `"Error"` appears nowhere in it, and no escape could spell it) skips the
    // common members' decoding. Anything else reads them first.
    if response.status == 200
        && let Some(raw) = envelope
        && !raw.get().contains("\"Error\"")
        && !raw.get().contains('\\')
    {
        return serde_json::from_str::<T>(raw.get())
            .map_err(|e| shape_error(response, head(envelope).1, &e));
    }
    let (error, request_id) = head(envelope);
    if let Some((code, message)) = error.as_ref().and_then(envelope_error) {
        let hint = server_retry_hint(&response.headers, now);
        let meaning = crate::answer::meaning(rules, response.status, code.as_deref());
        return Err(service_error(meaning, response.status, code, message)
            .with_provider(Provider::Tencent)
            .with_request_id(request_id)
            .with_retry_after(hint));
    }
    let status = response.status;
    if status >= 500 || status == 429 {
        let hint = server_retry_hint(&response.headers, now);
        let meaning = crate::answer::default_meaning(status);
        let message = format!("unexpected answer: {}", describe(response));
        return Err(service_error(meaning, status, None, message)
            .with_provider(Provider::Tencent)
            .with_request_id(request_id)
            .with_retry_after(hint));
    }
    if let Err(e) = &parsed {
        return Err(undecodable_success(response, API, e).with_request_id(request_id));
    }
    if envelope.is_none() {
        return Err(foreign_error(
            response,
            API,
            "JSON without Tencent Cloud's {\"Response\": ...} envelope",
        )
        .with_may_have_applied(status == 200));
    }
    if status != 200 {
        return Err(foreign_error(
            response,
            API,
            "an envelope without an Error, under a status other than 200",
        ));
    }
    let envelope = envelope
        .map(serde_json::value::RawValue::get)
        .unwrap_or("null");
    serde_json::from_str::<T>(envelope).map_err(|e| shape_error(response, request_id, &e))
}

/// The `Error` and `RequestId` members of a `Response`, when it has them.
fn head(
    envelope: Option<&serde_json::value::RawValue>,
) -> (Option<serde_json::Value>, Option<String>) {
    match envelope.and_then(|raw| serde_json::from_str::<Head>(raw.get()).ok()) {
        Some(h) => (h.error, h.request_id),
        None => (None, None),
    }
}

/// A `Response` that does not decode as the operation's documented shape: valid JSON of
/// another shape, so not this API (or not this version of it).
fn shape_error(
    response: &HttpResponse,
    request_id: Option<String>,
    e: &serde_json::Error,
) -> Error {
    foreign_error(
        response,
        API,
        &format!("the Response is not the documented answer: {e}"),
    )
    .with_may_have_applied(true)
    .with_request_id(request_id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answer::{CodeMeaning, CodeRule};

    /// A few of the Tencent table's entries (the real table is generated into tencent-ssl).
    const RULES: &[CodeRule] = &[
        CodeRule::family("InvalidParameter", CodeMeaning::Refused),
        CodeRule::family("RequestLimitExceeded", CodeMeaning::Throttling),
        CodeRule::exact("LimitExceeded.RateLimitExceeded", CodeMeaning::Throttling),
        CodeRule::family("AuthFailure", CodeMeaning::Auth),
        CodeRule::family("InternalError", CodeMeaning::ServerError),
        CodeRule::exact("InvalidAction", CodeMeaning::WrongEndpoint),
    ];
    use crate::retry::RetryClass;
    use std::time::UNIX_EPOCH;

    #[derive(Debug, serde::Deserialize)]
    struct Out {
        #[serde(rename = "Success")]
        success: Vec<u64>,
        #[serde(rename = "RequestId")]
        request_id: String,
    }

    fn resp(status: u16, content_type: &str, body: &str) -> HttpResponse {
        crate::test_util::response(status, &[("Content-Type", content_type)], body)
    }

    #[test]
    fn success_envelope_decodes() {
        let r = resp(
            200,
            "application/json",
            r#"{"Response":{"Success":[22,33],"RequestId":"5779b652-9c64-45b3-a6f4-641db7376a2e"}}"#,
        );
        let out: Out = parse_response(&r, UNIX_EPOCH, RULES).expect("ok");
        assert_eq!(out.success, vec![22, 33]);
        assert_eq!(out.request_id, "5779b652-9c64-45b3-a6f4-641db7376a2e");
    }

    #[test]
    fn error_in_a_200_body_is_detected_whatever_the_content_type() {
        for ct in [
            "application/json",
            "application/json; charset=utf-8",
            "text/html",
            "",
        ] {
            let r = resp(
                200,
                ct,
                r#"{"Response":{"Error":{"Code":"InvalidParameter.InvalidCSRId","Message":"Incorrect CSR ID."},"RequestId":"rid-1"}}"#,
            );
            let e = parse_response::<Out>(&r, UNIX_EPOCH, RULES).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Service, "{ct}");
            assert_eq!(e.code(), Some("InvalidParameter.InvalidCSRId"));
            assert_eq!(e.message(), "Incorrect CSR ID.");
            assert_eq!(e.request_id(), Some("rid-1"));
            assert_eq!(e.status(), Some(200));
            assert_eq!(e.retry_class(), RetryClass::Permanent);
        }
    }

    #[test]
    fn the_plain_success_shortcut_never_hides_an_error() {
        // An `Error` member spelled with an escape is still an error.
        let escaped = r#"{"Response":{"\u0045rror":{"Code":"FailedOperation","Message":"m"},"RequestId":"r1"}}"#;
        let e = parse_response::<Out>(&resp(200, "application/json", escaped), UNIX_EPOCH, RULES)
            .unwrap_err();
        assert_eq!(e.code(), Some("FailedOperation"));
        assert_eq!(e.request_id(), Some("r1"));
        // The text "Error" inside a value is no error.
        let text = r#"{"Response":{"Success":[1],"RequestId":"\"Error\" r2"}}"#;
        let out: Out = parse_response(&resp(200, "application/json", text), UNIX_EPOCH, RULES)
            .expect("a success");
        assert_eq!(out.request_id, "\"Error\" r2");
        // A shape mismatch on the shortcut still names the request id.
        let bad = r#"{"Response":{"Success":"x","RequestId":"r3"}}"#;
        let e = parse_response::<Out>(&resp(200, "application/json", bad), UNIX_EPOCH, RULES)
            .unwrap_err();
        assert_eq!((e.kind(), e.request_id()), (ErrorKind::Config, Some("r3")));
        assert!(
            e.may_have_applied(),
            "a 200 of another shape may still have applied"
        );
    }

    #[test]
    fn throttling_and_auth_codes_are_classified_once() {
        for (code, class) in [
            ("RequestLimitExceeded", RetryClass::Throttling),
            (
                "RequestLimitExceeded.UinLimitExceeded",
                RetryClass::Throttling,
            ),
            ("LimitExceeded.RateLimitExceeded", RetryClass::Throttling),
            ("AuthFailure.SignatureFailure", RetryClass::Permanent),
            ("InternalError", RetryClass::Transient),
        ] {
            let body = format!(
                r#"{{"Response":{{"Error":{{"Code":"{code}","Message":"m"}},"RequestId":"r"}}}}"#
            );
            let e = parse_response::<Out>(&resp(200, "application/json", &body), UNIX_EPOCH, RULES)
                .unwrap_err();
            assert_eq!(e.retry_class(), class, "{code}");
            assert_eq!(e.is_throttling(), class == RetryClass::Throttling);
        }
    }

    #[test]
    fn non_200_is_an_error_transient_for_5xx() {
        let e = parse_response::<Out>(
            &resp(502, "text/html", "<h1>Bad Gateway</h1>"),
            UNIX_EPOCH,
            RULES,
        )
        .unwrap_err();
        assert_eq!(e.status(), Some(502));
        assert_eq!(e.retry_class(), RetryClass::Transient);
        assert!(e.message().contains("Bad Gateway"), "{e}");
        let e = parse_response::<Out>(&resp(404, "text/plain", ""), UNIX_EPOCH, RULES).unwrap_err();
        assert_eq!(
            e.kind(),
            ErrorKind::Config,
            "a bodiless 404 is not Tencent's"
        );
        let r = resp(429, "text/plain", "slow down")
            .with_header("Retry-After", "2")
            .expect("valid");
        let e = parse_response::<Out>(&r, UNIX_EPOCH, RULES).unwrap_err();
        assert!(e.is_throttling());
        assert_eq!(e.retry_after(), Some(std::time::Duration::from_secs(2)));
    }

    #[test]
    fn garbage_is_never_a_success_and_never_a_panic() {
        // (body, kind, may have applied)
        for (body, kind, applied) in [
            // Broken JSON from what may be the API: a decode error that may have applied.
            ("", ErrorKind::Decode, true),
            (
                r#"{"Response":{"Success":[1],"Req"#,
                ErrorKind::Decode,
                true,
            ),
            // Not JSON at all: something else answered.
            ("not json", ErrorKind::Config, false),
            ("[]", ErrorKind::Config, false),
            ("\u{0}\u{ffff}", ErrorKind::Config, false),
            // JSON of another shape: not this API (or version), but it may have applied.
            (r#"{"Response":null}"#, ErrorKind::Config, true),
            (r#"{"ok":true}"#, ErrorKind::Config, true),
            (
                r#"{"Response":{"Success":"x","RequestId":"r9"}}"#,
                ErrorKind::Config,
                true,
            ),
            (
                r#"{"Response":{"Error":null,"RequestId":"r9"}}"#,
                ErrorKind::Config,
                true,
            ),
        ] {
            let e = parse_response::<Out>(&resp(200, "application/json", body), UNIX_EPOCH, RULES)
                .unwrap_err();
            assert_eq!((e.kind(), e.may_have_applied()), (kind, applied), "{body}");
        }
        let e = parse_response::<Out>(
            &resp(
                200,
                "application/json",
                r#"{"Response":{"RequestId":"r9"}}"#,
            ),
            UNIX_EPOCH,
            RULES,
        )
        .unwrap_err();
        assert_eq!(e.request_id(), Some("r9"));
        let long = "x".repeat(5000);
        let e =
            parse_response::<Out>(&resp(500, "text/plain", &long), UNIX_EPOCH, RULES).unwrap_err();
        assert!(e.message().len() < 400, "{}", e.message().len());
    }

    #[test]
    fn wrong_endpoint_and_server_side_codes() {
        let body = |code: &str| {
            format!(
                r#"{{"Response":{{"Error":{{"Code":"{code}","Message":"m"}},"RequestId":"r"}}}}"#
            )
        };
        let e = parse_response::<Out>(
            &resp(200, "application/json", &body("InvalidAction")),
            UNIX_EPOCH,
            RULES,
        )
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
        assert!(e.stops_run());
        let e = parse_response::<Out>(
            &resp(200, "application/json", &body("InternalError.Db")),
            UNIX_EPOCH,
            RULES,
        )
        .unwrap_err();
        assert!(e.may_have_applied() && e.retry_class() == RetryClass::Transient);
        // A code the table does not know: unconfirmed, not retried.
        let e = parse_response::<Out>(
            &resp(200, "application/json", &body("Brand.New")),
            UNIX_EPOCH,
            RULES,
        )
        .unwrap_err();
        assert!(e.may_have_applied() && e.retry_class() == RetryClass::Permanent);
    }

    #[test]
    fn language_parses_only_the_two_accepted_values() {
        assert_eq!("zh-CN".parse::<Language>().expect("zh"), Language::ZhCn);
        assert_eq!("en-US".parse::<Language>().expect("en"), Language::EnUs);
        assert!("en".parse::<Language>().is_err());
        assert_eq!(Language::default().as_str(), "en-US");
    }

    #[test]
    fn default_endpoints() {
        assert_eq!(
            default_endpoint("ssl", false).expect("cn").to_string(),
            "https://ssl.tencentcloudapi.com"
        );
        assert_eq!(
            default_endpoint("ssl", true).expect("intl").to_string(),
            "https://ssl.intl.tencentcloudapi.com"
        );
    }

    #[test]
    fn build_post_reproduces_the_tc_basic_vector() {
        let endpoint = default_endpoint("ssl", false).expect("endpoint");
        let creds = Credentials::AccessKey(AccessKey::new(
            "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
            "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
        ));
        let attempt = Attempt {
            number: 1,
            credentials: &creds,
            now: UNIX_EPOCH + std::time::Duration::from_secs(1_704_164_645),
            client_request_id: "0f0e0d0c-0b0a-4908-8706-050403020100",
            nonce: "00".repeat(16),
        };
        let call = Api3Call {
            endpoint: &endpoint,
            service: "ssl",
            action: "BatchDeleteCSR",
            version: "2019-12-05",
            region: None,
            language: Language::ZhCn,
            request_client: "SDK_PYTHON_3.1.195",
        };
        let req =
            build_post(&call, br#"{"CSRIds": [11, 22, 33]}"#.to_vec(), &attempt).expect("request");
        assert_eq!(req.url(), "https://ssl.tencentcloudapi.com/");
        let names: Vec<&str> = req.headers.iter().map(|(k, _)| k.as_ref()).collect();
        let mut expected = crate::sign::tencent::SIGNER_HEADER_ORDER.to_vec();
        expected.push("Authorization");
        assert_eq!(names, expected);
        assert_eq!(
            req.header("Authorization"),
            Some(
                "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2024-01-02/ssl/tc3_request, \
                 SignedHeaders=content-type;host, \
                 Signature=6ae21953a3ab0b2c490e7edbb7180725a2a3e80d769a2ada3f4388f6da49a09c"
            )
        );
        let token = Credentials::IamToken(crate::credentials::Secret::new("t"));
        let attempt = Attempt {
            credentials: &token,
            ..attempt
        };
        let e = build_post(&call, Vec::new(), &attempt).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Credentials);
    }
}
