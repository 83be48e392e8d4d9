//! Reading Huawei answers: the request id, the error fields of every documented body shape,
//! and the error of a non-2xx answer.

use std::time::SystemTime;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::answer::{
    CodeRule, check_foreign, cut_short, describe, foreign_error, looks_like_json_object,
    service_error, undecodable_success,
};
use crate::error::{Error, ErrorKind, Provider};
use crate::http::HttpResponse;
use crate::retry::server_retry_hint;
use crate::runtime::AttemptContext;

/// The request id of an answer: the `X-Request-Id` header.
pub fn request_id(response: &HttpResponse) -> Option<String> {
    response
        .header("x-request-id")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// The code and message of a Huawei error body (protocol.md §1.7): the first of
/// `error_code`+`error_msg`, `errorCode`+`errorMsg`, `code`+`message` in the object itself,
/// else the same search in its nested objects. `None` when the body is not JSON or has none.
pub fn error_fields(body: &[u8]) -> Option<(String, String)> {
    let v: Value = serde_json::from_slice(body).ok()?;
    find_fields(&v, 0)
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn find_fields(v: &Value, depth: usize) -> Option<(String, String)> {
    let obj = v.as_object()?;
    for (c, m) in [
        ("error_code", "error_msg"),
        ("errorCode", "errorMsg"),
        ("code", "message"),
    ] {
        if let (Some(code), Some(msg)) = (obj.get(c).and_then(scalar), obj.get(m).and_then(scalar))
        {
            return Some((code, msg));
        }
    }
    if depth >= 8 {
        return None;
    }
    obj.values()
        .filter(|n| n.is_object())
        .find_map(|n| find_fields(n, depth + 1))
}

/// The API's name in error messages.
const API: &str = "a Huawei Cloud API";

/// Checks that an answer can come from a Huawei Cloud API at all ([`check_foreign`]): a
/// redirect, HTML or text where JSON is due, or a refusal without a body is a configuration
/// error. Every Huawei operation's parser calls it first.
pub fn check_answer(response: &HttpResponse) -> Result<(), Error> {
    check_foreign(response, API).map_err(|e| e.with_provider(Provider::Huawei))
}

/// The error of an answer with status ≥ 400 (or any answer the caller does not accept).
///
/// - Code and message from [`error_fields`]. A 4xx (other than 429) whose body has neither
///   is not Huawei's (a configuration error); for 5xx and 429 the fallbacks are the HTTP
///   status as the code and the start of the body as the message.
/// - Request id from `X-Request-Id`, else a top-level `request_id` in the body.
/// - What the code means comes from `rules`, the API's generated error table
///   ([`crate::answer::meaning`]): throttling (`APIG.0308`, 429), server errors (5xx:
///   retried, then unconfirmed), wrong endpoint (the gateway's "no such API": a configuration
///   error), authentication failures ([`ErrorKind::Credentials`](crate::ErrorKind::Credentials)), not found, refusals.
/// - `Retry-After` is kept as the server's hint, measured against `now` (the attempt's
///   signing time) when it is an HTTP date.
pub fn error_from_response(response: &HttpResponse, rules: &[CodeRule], now: SystemTime) -> Error {
    let status = response.status;
    let fields = error_fields(&response.body);
    if fields.is_none() && (400..500).contains(&status) && status != 429 {
        if looks_like_json_object(&response.body)
            && serde_json::from_slice::<serde::de::IgnoredAny>(&response.body).is_err()
        {
            return cut_short(response).with_provider(Provider::Huawei);
        }
        return foreign_error(
            response,
            API,
            "an error without Huawei Cloud's error_code and error_msg",
        )
        .with_provider(Provider::Huawei);
    }
    let (code, message) = fields.unwrap_or_else(|| {
        (
            status.to_string(),
            format!("unexpected answer: {}", describe(response)),
        )
    });
    let request_id = request_id(response).or_else(|| {
        serde_json::from_slice::<Value>(&response.body)
            .ok()
            .and_then(|v| v.get("request_id").and_then(scalar))
            .filter(|s| !s.is_empty())
    });
    let meaning = crate::answer::meaning(rules, status, Some(&code));
    service_error(meaning, status, Some(code), message)
        .with_provider(Provider::Huawei)
        .with_request_id(request_id)
        .with_retry_after(server_retry_hint(&response.headers, now))
}

/// The error of a success answer the client could not decode
/// ([`crate::answer::undecodable_success`]: another JSON shape is a configuration error,
/// broken JSON a decode error; both may have applied).
pub fn decode_error(response: &HttpResponse, e: &serde_json::Error) -> Error {
    undecodable_success(response, API, e)
        .with_provider(Provider::Huawei)
        .with_request_id(request_id(response))
}

/// Accepts an answer of an operation whose documented success status is `success`: returns
/// its request id then. Any other 2xx is a decode error (the request may or may not have
/// taken effect), and anything else the service's error ([`error_from_response`], with the
/// attempt's signing time for `Retry-After`).
pub fn accept(
    response: &HttpResponse,
    attempt: &AttemptContext,
    rules: &[CodeRule],
    success: u16,
) -> Result<Option<String>, Error> {
    check_answer(response)?;
    let status = response.status;
    if status == success {
        return Ok(request_id(response));
    }
    if (200..300).contains(&status) {
        return Err(Error::new(
            ErrorKind::Decode,
            format!(
                "unexpected success status HTTP {status} (documented: {success}); the \
                 request may or may not have taken effect"
            ),
        )
        .with_provider(Provider::Huawei)
        .with_status(status)
        .with_request_id(request_id(response)));
    }
    Err(error_from_response(response, rules, attempt.signed_at))
}

/// [`accept`], then the body decoded as `T` ([`decode_error`] when it cannot be), with the
/// request id.
pub fn decode<T: DeserializeOwned>(
    response: &HttpResponse,
    attempt: &AttemptContext,
    rules: &[CodeRule],
    success: u16,
) -> Result<(T, Option<String>), Error> {
    let request_id = accept(response, attempt, rules, success)?;
    let value = serde_json::from_slice(&response.body).map_err(|e| decode_error(response, &e))?;
    Ok((value, request_id))
}

/// The code at the start of a Huawei message: `CSMS.0107` from `CSMS.0107: Secret is ...`: a `PREFIX.SUFFIX` token of letters and digits
/// before the first `:`.
pub fn leading_code(message: &str) -> Option<String> {
    let (head, _) = message.split_once(':')?;
    let head = head.trim();
    let (a, b) = head.split_once('.')?;
    let ok = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric());
    (ok(a) && ok(b)).then(|| head.to_string())
}

#[cfg(test)]
mod leading_code_tests {
    use super::leading_code;

    #[test]
    fn codes_are_read_from_the_start_of_failure_messages() {
        assert_eq!(
            leading_code("CSMS.0107: Secret is already in the **Pending deletion** state."),
            Some("CSMS.0107".to_string())
        );
        assert_eq!(leading_code("Secret is locked: try later"), None);
        assert_eq!(leading_code("no colon"), None);
        assert_eq!(leading_code("a.b.c: x"), None);
        assert_eq!(leading_code(": x"), None);
    }
}
