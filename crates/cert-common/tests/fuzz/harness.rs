//! Every response decoder and header parser, driven from arbitrary bytes: the shared harness of
//! the property tests (`tests/it/decoders.rs`) and of the long soak (`cargo xtask soak`).
//!
//! [`response_from_bytes`] turns any byte string into an [`HttpResponse`] (a status, a few
//! headers with arbitrary values, and a body that mixes the vendors' JSON shapes with raw
//! bytes, so both the structured paths and the garbage paths are reached).
//! [`check_every_decoder`] feeds it to each decoder and checks the invariants that must hold
//! for any answer; it returns the first violation, and a panic anywhere is a failure too.

use std::time::{Duration, UNIX_EPOCH};

use cert_common::answer::{self, CodeMeaning, CodeRule};
use cert_common::error::ErrorKind;
use cert_common::http::HttpResponse;
use cert_common::providers::{aliyun, huawei, tencent};
use cert_common::retry;
use cert_common::time::UtcDateTime;

/// A table with exact entries and families of each meaning, as the generated ones have.
pub const RULES: &[CodeRule] = &[
    CodeRule::exact("APIG.3021", CodeMeaning::NotFound),
    CodeRule::exact("APIG.0101", CodeMeaning::WrongEndpoint),
    CodeRule::exact("APIG.0308", CodeMeaning::Throttling),
    CodeRule::family("InternalError", CodeMeaning::ServerError),
    CodeRule::family("RequestLimitExceeded", CodeMeaning::Throttling),
    CodeRule::family("AuthFailure", CodeMeaning::Auth),
    CodeRule::exact("InvalidAction", CodeMeaning::WrongEndpoint),
    CodeRule::exact("InvalidAction.NotFound", CodeMeaning::WrongEndpoint),
    CodeRule::family("Throttling", CodeMeaning::Throttling),
    CodeRule::exact("ResourceInUse", CodeMeaning::InUse),
];

const CODES: &[&str] = &[
    "APIG.3021",
    "APIG.0101",
    "APIG.0308",
    "InternalError",
    "InternalError.X",
    "RequestLimitExceeded.UinLimitExceeded",
    "AuthFailure.SignatureExpire",
    "InvalidAction",
    "InvalidAction.NotFound",
    "Throttling.User",
    "ResourceInUse",
    "NotFound",
    "",
];

const HEADER_NAMES: &[&str] = &[
    "retry-after",
    "x-acs-retry-after",
    "date",
    "x-request-id",
    "x-acs-request-id",
    "content-type",
    "location",
];

/// A small cursor over the input bytes; past the end it yields zeros.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((b, rest)) => {
                self.0 = rest;
                *b
            }
            None => 0,
        }
    }

    fn take(&mut self, n: usize) -> Vec<u8> {
        let n = n.min(self.0.len());
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        head.to_vec()
    }

    fn pick<'s>(&mut self, from: &[&'s str]) -> &'s str {
        from[usize::from(self.byte()) % from.len()]
    }
}

/// An answer made from `data`: any bytes give some answer.
pub fn response_from_bytes(data: &[u8]) -> HttpResponse {
    let mut b = Bytes(data);
    let status = match b.byte() % 8 {
        0 => 200,
        1 => 204,
        2 => 404,
        3 => 400 + u16::from(b.byte() % 100),
        4 => 500 + u16::from(b.byte() % 100),
        5 => 300 + u16::from(b.byte() % 10),
        6 => 429,
        _ => u16::from_le_bytes([b.byte(), b.byte()]),
    };
    let mut headers = cert_common::http::HeaderMap::new();
    for _ in 0..(b.byte() % 5) {
        let name = b.pick(HEADER_NAMES);
        let len = usize::from(b.byte() % 40);
        let value = match b.byte() % 4 {
            0 => b"18446744073709551615".to_vec(),
            1 => b"Sun, 06 Nov 1994 08:49:37 GMT".to_vec(),
            2 => format!("{}", u32::from(b.byte()) * 1000).into_bytes(),
            _ => b.take(len),
        };
        if let (Ok(n), Ok(v)) = (
            ::http::HeaderName::from_bytes(name.as_bytes()),
            ::http::HeaderValue::from_bytes(&value),
        ) {
            headers.append(n, v);
        }
    }
    let code = b.pick(CODES);
    let tail_len = usize::from(b.byte());
    let tail = String::from_utf8_lossy(&b.take(tail_len)).into_owned();
    let mut body: Vec<u8> = match b.byte() % 9 {
        0 => format!(
            r#"{{"Response":{{"Error":{{"Code":"{code}","Message":"{tail:?}"}},"RequestId":"r"}}}}"#
        )
        .into_bytes(),
        1 => format!(r#"{{"Response":{{"Success":[1,2],"RequestId":"r{tail:?}"}}}}"#).into_bytes(),
        2 => format!(r#"{{"RequestId":"r","Code":"{code}","Message":{tail:?}}}"#).into_bytes(),
        3 => format!(r#"{{"error_code":"{code}","error_msg":{tail:?}}}"#).into_bytes(),
        4 => format!(r#"{{"certificates":[{{"id":"a","ret_status":{tail:?}}}],"request_id":"r"}}"#)
            .into_bytes(),
        5 => format!("<html>{tail}</html>").into_bytes(),
        6 => b"{".repeat(usize::from(b.byte())),
        7 => Vec::new(),
        _ => b.0.to_vec(),
    };
    // Sometimes cut the body short, as a broken connection would.
    if b.byte() % 4 == 0 && !body.is_empty() {
        let keep = usize::from(b.byte()) % body.len();
        body.truncate(keep);
    }
    let mut response = HttpResponse::new(status, body);
    response.headers = headers;
    response
}

/// `{"RequestId"}`: the Aliyun success shape.
#[derive(Debug, serde::Deserialize)]
struct AliyunOk {
    #[serde(rename = "RequestId")]
    _request_id: String,
}

/// `{"Success", "RequestId"}`: the Tencent success shape.
#[derive(Debug, serde::Deserialize)]
struct TencentOk {
    #[serde(rename = "Success")]
    _success: Vec<u64>,
}

fn fail(what: &str, r: &HttpResponse, detail: impl std::fmt::Display) -> String {
    format!("{what}: {detail}; answer {r:?}")
}

/// Runs every decoder and header parser on `r`; `Err` names the first broken invariant:
/// - a success only from a 2xx answer (Tencent: only 200), and never from a redirect;
/// - a configuration error is never retried; `not_found` only from an exact table entry;
/// - error messages stay short (no body is copied whole);
/// - wait hints are finite durations and the retry loop's arithmetic cannot overflow on them.
pub fn check_every_decoder(r: &HttpResponse) -> Result<(), String> {
    let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let check_err = |what: &str, e: &cert_common::Error| -> Result<(), String> {
        if e.kind() == ErrorKind::Config && e.retry_class().is_retryable() {
            return Err(fail(what, r, "a configuration error is retryable"));
        }
        if e.message().chars().count() > 2_000 {
            return Err(fail(
                what,
                r,
                "an error message longer than 2000 characters",
            ));
        }
        if e.code_meaning() == Some(CodeMeaning::NotFound) && e.code() != Some("APIG.3021") {
            return Err(fail(what, r, format!("not_found from {:?}", e.code())));
        }
        Ok(())
    };
    match tencent::parse_response::<TencentOk>(r, now, RULES) {
        Ok(_) if r.status != 200 => return Err(fail("tencent", r, "success from a non-200")),
        Ok(_) => {}
        Err(e) => check_err("tencent", &e)?,
    }
    match aliyun::parse_response::<AliyunOk>(r, now, RULES) {
        Ok(_) if !(200..300).contains(&r.status) => {
            return Err(fail("aliyun", r, "success from a non-2xx"));
        }
        Ok(_) => {}
        Err(e) => check_err("aliyun", &e)?,
    }
    match huawei::check_answer(r) {
        Ok(()) if (300..400).contains(&r.status) => {
            return Err(fail("huawei", r, "a redirect passed the check"));
        }
        Ok(()) => {
            let e = huawei::error_from_response(r, RULES, now);
            check_err("huawei error", &e)?;
            if let Err(de) = serde_json::from_slice::<serde_json::Value>(&r.body) {
                check_err("huawei decode", &huawei::decode_error(r, &de))?;
            }
        }
        Err(e) => check_err("huawei", &e)?,
    }
    let _ = answer::describe(r);
    let _ = answer::meaning(RULES, r.status, std::str::from_utf8(&r.body).ok());
    // Header parsers, on every value the answer carries.
    if let Some(hint) = retry::server_retry_hint(&r.headers, now) {
        // What the retry loop does with a hint: compare it with time left; never add blindly.
        let left = Duration::from_secs(120);
        let _ = hint > left;
        let _ = std::time::Instant::now().checked_add(hint);
    }
    for v in r.headers.values() {
        let text = String::from_utf8_lossy(v.as_bytes());
        let _ = retry::parse_retry_after(&text, cert_common::time::unix_seconds(now));
        let _ = aliyun::parse_acs_retry_after(&text);
        if let Some(d) = UtcDateTime::parse_http_date(&text) {
            let _ = d
                .to_unix()
                .saturating_sub(cert_common::time::unix_seconds(now));
        }
    }
    let text = String::from_utf8_lossy(&r.body);
    let _ = retry::parse_retry_after(&text, i64::MAX);
    let _ = retry::parse_retry_after(&text, i64::MIN);
    let _ = UtcDateTime::parse_http_date(&text);
    Ok(())
}
