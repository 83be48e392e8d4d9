//! What a server's answer means, decided in one place for every vendor.
//!
//! Two questions are asked of every answer before a provider crate turns it into outcomes:
//!
//! 1. **Is this the API at all?** [`check_foreign`] looks at what any of these JSON APIs must
//!    look like: no redirects, a status HTTP knows, JSON where JSON is due. An answer that
//!    fails is an [`ErrorKind::Config`] error: the endpoint is not the API (a proxy, a
//!    captive portal, a wrong host or path), so the run stops instead of reporting every id.
//! 2. **What does the vendor's error code mean?** Each API's generated error table (from its
//!    `spec/*.json`, with the source of every entry) lists [`CodeRule`]s. [`meaning`] finds the
//!    code there (an exact entry first, then the longest documented code family); a code not
//!    in the table gets a conservative default by HTTP status ([`default_meaning`]).
//!    [`service_error`] turns the meaning into an [`Error`] with the right kind, retry class
//!    and "may have applied" flag.
//!
//! Only an exact [`CodeMeaning::NotFound`] entry of the operation's own table ever makes an id
//! `absent`; families cannot say "not found" (the codegen refuses such a spec).

use crate::error::{Error, ErrorKind};
use crate::http::HttpResponse;
use crate::retry::RetryClass;

/// What an error code means for a delete. Specs spell it in snake case (`not_found`,
/// `server_error`, ...): codegen reads it from them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CodeMeaning {
    /// The resource does not exist: the id is `absent`. Only from an exact entry.
    NotFound,
    /// The resource exists but cannot be deleted now (bound to a domain or product): refused.
    InUse,
    /// The request was refused (bad parameter, no permission, quota): refused, not retried.
    Refused,
    /// The credentials, signature or token were refused: refused, not retried.
    Auth,
    /// The key or token itself was refused (unknown, expired or revoked): refused, and
    /// temporary credentials are fetched again and the attempt retried once.
    CredentialsRefused,
    /// The signature's timestamp is outside the server's window: refused, with the server's
    /// clock offset in the error when its `Date` shows one.
    ClockSkew,
    /// The server asked us to slow down: retried after a wait.
    Throttling,
    /// The server failed: the request may or may not have taken effect. Retried, then
    /// `unconfirmed`.
    ServerError,
    /// The endpoint does not serve this API (no such action, version or API): a
    /// configuration error that stops the run.
    WrongEndpoint,
    /// A code the table does not know, in an answer whose status does not say whether the
    /// request failed before it took effect (Tencent's HTTP 200 errors): not retried, and
    /// `unconfirmed`.
    Undocumented,
}

impl CodeMeaning {
    /// The retry class of the meaning.
    pub fn retry_class(self) -> RetryClass {
        match self {
            CodeMeaning::Throttling => RetryClass::Throttling,
            CodeMeaning::ServerError => RetryClass::Transient,
            _ => RetryClass::Permanent,
        }
    }

    /// True when a request answered with this meaning may still have taken effect.
    pub fn may_have_applied(self) -> bool {
        matches!(self, CodeMeaning::ServerError | CodeMeaning::Undocumented)
    }

    /// The name used in specs and docs (`not_found`, `server_error`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            CodeMeaning::NotFound => "not_found",
            CodeMeaning::InUse => "in_use",
            CodeMeaning::Refused => "refused",
            CodeMeaning::Auth => "auth",
            CodeMeaning::CredentialsRefused => "credentials_refused",
            CodeMeaning::ClockSkew => "clock_skew",
            CodeMeaning::Throttling => "throttling",
            CodeMeaning::ServerError => "server_error",
            CodeMeaning::WrongEndpoint => "wrong_endpoint",
            CodeMeaning::Undocumented => "undocumented",
        }
    }
}

/// One entry of an API's generated error table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeRule {
    /// The code as the server sends it, compared exactly (case-sensitively).
    pub code: &'static str,
    /// True for a documented code family: the rule also covers every code that starts with
    /// `code` followed by `.` (`RequestLimitExceeded` covers `RequestLimitExceeded.IPLimitExceeded`).
    pub family: bool,
    /// What it means.
    pub meaning: CodeMeaning,
}

impl CodeRule {
    /// An exact code.
    pub const fn exact(code: &'static str, meaning: CodeMeaning) -> Self {
        CodeRule {
            code,
            family: false,
            meaning,
        }
    }

    /// A code and its `code.*` family.
    pub const fn family(code: &'static str, meaning: CodeMeaning) -> Self {
        CodeRule {
            code,
            family: true,
            meaning,
        }
    }

    fn covers(&self, code: &str) -> bool {
        code == self.code
            || (self.family
                && code.len() > self.code.len()
                && code.starts_with(self.code)
                && code.as_bytes()[self.code.len()] == b'.')
    }
}

/// The meaning of `code` in `rules`: an exact entry, else the longest family that covers it.
pub fn lookup(rules: &[CodeRule], code: &str) -> Option<CodeMeaning> {
    if let Some(r) = rules.iter().find(|r| r.code == code) {
        return Some(r.meaning);
    }
    rules
        .iter()
        .filter(|r| r.family && r.covers(code))
        .max_by_key(|r| r.code.len())
        .map(|r| r.meaning)
}

/// The conservative meaning of an answer whose code the table does not know (or that has
/// no code), by HTTP status: 5xx a server error, 429 throttling, 401 an auth refusal,
/// another 4xx a refusal, anything else (an error inside a 2xx answer) undocumented.
pub fn default_meaning(status: u16) -> CodeMeaning {
    match status {
        500..=599 => CodeMeaning::ServerError,
        429 => CodeMeaning::Throttling,
        401 => CodeMeaning::Auth,
        400..=499 => CodeMeaning::Refused,
        _ => CodeMeaning::Undocumented,
    }
}

/// The meaning of an answer with `status` and `code`: the table's, else [`default_meaning`].
/// A 5xx status is a server error whatever the code says, unless the table names the code
/// as throttling or a wrong endpoint.
pub fn meaning(rules: &[CodeRule], status: u16, code: Option<&str>) -> CodeMeaning {
    let listed = code.and_then(|c| lookup(rules, c));
    match listed {
        Some(m @ (CodeMeaning::Throttling | CodeMeaning::WrongEndpoint)) => m,
        _ if (500..=599).contains(&status) => CodeMeaning::ServerError,
        Some(m) => m,
        None => default_meaning(status),
    }
}

/// The error of a vendor's error answer with the given meaning.
///
/// - [`CodeMeaning::WrongEndpoint`] gives [`ErrorKind::Config`], naming the code.
/// - [`CodeMeaning::Auth`], [`CodeMeaning::CredentialsRefused`] and [`CodeMeaning::ClockSkew`]
///   give [`ErrorKind::Credentials`].
/// - [`CodeMeaning::Throttling`] gives [`ErrorKind::Throttled`].
/// - everything else: [`ErrorKind::Service`].
///
/// The retry class and "may have applied" follow the meaning.
pub fn service_error(
    meaning: CodeMeaning,
    status: u16,
    code: Option<String>,
    message: impl Into<String>,
) -> Error {
    let message = message.into();
    let e = match meaning {
        CodeMeaning::WrongEndpoint => Error::config(format!(
            "the endpoint does not serve this API: it answered HTTP {status} with code {}: {message}",
            code.as_deref().unwrap_or("(none)")
        ))
        .with_status(status),
        CodeMeaning::Auth | CodeMeaning::CredentialsRefused | CodeMeaning::ClockSkew => {
            Error::new(ErrorKind::Credentials, message).with_status(status)
        }
        _ => Error::service(status, None, message, meaning.retry_class()),
    };
    let e = match code {
        Some(c) => e.with_code(c),
        None => e,
    };
    e.with_retry_class(meaning.retry_class())
        .with_may_have_applied(meaning.may_have_applied())
        .with_meaning(meaning)
}

/// At most this many characters of a body go into an error message.
pub const BODY_SNIPPET: usize = 200;

/// The start of a body, as text, for an error message: at most [`BODY_SNIPPET`] characters,
/// control characters escaped, `…` when cut.
pub fn snippet(body: &[u8]) -> String {
    let head = &body[..body.len().min(BODY_SNIPPET * 4)];
    let text = String::from_utf8_lossy(head);
    let text = text.trim();
    let mut out = String::new();
    let mut count = 0;
    for c in text.chars() {
        let escaped: Vec<char> = if c.is_control() {
            c.escape_default().collect()
        } else {
            vec![c]
        };
        if count + escaped.len() > BODY_SNIPPET {
            out.push('…');
            return out;
        }
        count += escaped.len();
        out.extend(escaped);
    }
    if body.len() > head.len() {
        out.push('…');
    }
    out
}

/// A header value as printable text for an error message (at most 200 characters).
fn header_text(response: &HttpResponse, name: &str) -> Option<String> {
    let v = response.headers.get(name)?;
    Some(snippet(v.as_bytes()))
}

/// What was reached, for an error message: `HTTP 404, Content-Type text/html, body "<html>…"`.
pub fn describe(response: &HttpResponse) -> String {
    let mut s = format!("HTTP {}", response.status);
    match header_text(response, "content-type") {
        Some(ct) => s.push_str(&format!(", Content-Type {ct:?}")),
        None => s.push_str(", no Content-Type"),
    }
    if response.body.is_empty() {
        s.push_str(", empty body");
    } else {
        s.push_str(&format!(
            ", {} byte body starting {:?}",
            response.body.len(),
            snippet(&response.body)
        ));
    }
    s
}

/// True when the body's first non-blank byte opens a JSON object.
pub fn looks_like_json_object(body: &[u8]) -> bool {
    body.iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'{')
}

/// The configuration error of an answer that cannot come from `api` (e.g. `Tencent Cloud API
/// 3.0`): `why` says what gave it away.
pub fn foreign_error(response: &HttpResponse, api: &str, why: &str) -> Error {
    Error::config(format!(
        "the endpoint does not look like {api} ({why}): it answered {}; check the endpoint \
         (and any proxy between here and it)",
        describe(response)
    ))
    .with_status(response.status)
    .with_meaning(CodeMeaning::WrongEndpoint)
}

/// Checks what every JSON API of these vendors must look like, before any vendor-specific
/// reading. `Err` is a configuration error (see [`foreign_error`]).
///
/// - A redirect (3xx) is never followed: the endpoint is not the API.
/// - A status outside 200–599 is not HTTP an API sends.
/// - 5xx and 429 pass whatever their body (load balancers and proxies answer those in HTML,
///   and both are retried).
/// - Any other answer with a body must carry a JSON object; HTML, XML or text means
///   something else answered.
/// - Any other 4xx must carry a body: the vendors' gateways always explain a refusal.
pub fn check_foreign(response: &HttpResponse, api: &str) -> Result<(), Error> {
    let status = response.status;
    if (300..400).contains(&status) {
        let to = header_text(response, "location")
            .map(|l| format!(" to {l:?}"))
            .unwrap_or_default();
        return Err(foreign_error(
            response,
            api,
            &format!("it redirected{to}; redirects are never followed"),
        ));
    }
    if !(200..=599).contains(&status) {
        return Err(foreign_error(response, api, "an HTTP status no API sends"));
    }
    if status >= 500 || status == 429 {
        return Ok(());
    }
    if response.body.is_empty() {
        return if status >= 400 {
            Err(foreign_error(
                response,
                api,
                "a refusal without the vendor's error body",
            ))
        } else {
            Ok(())
        };
    }
    if !looks_like_json_object(&response.body) {
        return Err(foreign_error(response, api, "not JSON where JSON is due"));
    }
    Ok(())
}

/// The error of a success answer whose body could not be decoded as the documented shape.
///
/// - Valid JSON of another shape: whatever answered is not this API (or not this version of
///   it), so it is a configuration error that stops the run; the request may still have
///   taken effect, so it is marked as such.
/// - Not valid JSON (cut short, say): a [`ErrorKind::Decode`] error that may have applied.
pub fn undecodable_success(response: &HttpResponse, api: &str, e: &serde_json::Error) -> Error {
    let is_json = serde_json::from_slice::<serde::de::IgnoredAny>(&response.body).is_ok();
    if is_json {
        foreign_error(
            response,
            api,
            &format!("valid JSON, but not the documented answer: {e}"),
        )
        .with_may_have_applied(true)
    } else {
        Error::new(
            ErrorKind::Decode,
            format!(
                "the answer is not complete JSON ({e}): {}",
                describe(response)
            ),
        )
        .with_status(response.status)
        .with_may_have_applied(true)
    }
}

/// The error of an error answer whose body starts as JSON but is not complete JSON (cut short
/// on the way): a [`ErrorKind::Decode`] error, retried, since another attempt may be read
/// whole. Its status says the request was refused, so it is not marked as "may have applied".
pub fn cut_short(response: &HttpResponse) -> Error {
    Error::new(
        ErrorKind::Decode,
        format!(
            "the error answer is not complete JSON: {}",
            describe(response)
        ),
    )
    .with_status(response.status)
    .with_retry_class(RetryClass::Transient)
}

/// True for hosts on this machine: `localhost` (and `*.localhost`), `127.0.0.0/8` and `::1`,
/// with or without a port.
pub fn is_loopback_host(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        match host.rsplit_once(':') {
            Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
            _ => host,
        }
    };
    let name = name.trim_end_matches('.');
    let suffix = ".localhost";
    let ends_localhost = name.len() > suffix.len()
        && name.is_char_boundary(name.len() - suffix.len())
        && name[name.len() - suffix.len()..].eq_ignore_ascii_case(suffix);
    if name.eq_ignore_ascii_case("localhost") || ends_localhost {
        return true;
    }
    match name.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULES: &[CodeRule] = &[
        CodeRule::exact("ResourceNotFound.CSR", CodeMeaning::NotFound),
        CodeRule::family("InternalError", CodeMeaning::ServerError),
        CodeRule::family("RequestLimitExceeded", CodeMeaning::Throttling),
        CodeRule::exact("InvalidAction", CodeMeaning::WrongEndpoint),
        CodeRule::family("AuthFailure", CodeMeaning::Auth),
        CodeRule::exact("AuthFailure.Special", CodeMeaning::Refused),
    ];

    #[test]
    fn exact_first_then_the_longest_family_and_no_substrings() {
        assert_eq!(
            lookup(RULES, "ResourceNotFound.CSR"),
            Some(CodeMeaning::NotFound)
        );
        assert_eq!(lookup(RULES, "ResourceNotFound.CSRX"), None);
        assert_eq!(lookup(RULES, "ResourceNotFound"), None);
        assert_eq!(lookup(RULES, "X.ResourceNotFound.CSR"), None);
        assert_eq!(
            lookup(RULES, "InternalError.DbFailed"),
            Some(CodeMeaning::ServerError)
        );
        assert_eq!(lookup(RULES, "InternalErrorX"), None);
        assert_eq!(
            lookup(RULES, "AuthFailure.Special"),
            Some(CodeMeaning::Refused)
        );
        assert_eq!(lookup(RULES, "AuthFailure.Other"), Some(CodeMeaning::Auth));
        assert_eq!(lookup(RULES, "internalerror"), None);
    }

    #[test]
    fn defaults_by_status_are_conservative() {
        assert_eq!(meaning(RULES, 503, None), CodeMeaning::ServerError);
        assert_eq!(
            meaning(RULES, 500, Some("ResourceNotFound.CSR")),
            CodeMeaning::ServerError
        );
        assert_eq!(
            meaning(RULES, 500, Some("InvalidAction")),
            CodeMeaning::WrongEndpoint
        );
        assert_eq!(meaning(RULES, 404, Some("Nope")), CodeMeaning::Refused);
        assert_eq!(meaning(RULES, 200, Some("Nope")), CodeMeaning::Undocumented);
        assert_eq!(meaning(RULES, 429, None), CodeMeaning::Throttling);
        let e = service_error(CodeMeaning::Undocumented, 200, Some("Nope".into()), "m");
        assert!(e.may_have_applied() && !e.retry_class().is_retryable());
        let e = service_error(CodeMeaning::WrongEndpoint, 404, Some("X".into()), "m");
        assert_eq!(e.kind(), ErrorKind::Config);
        assert_eq!(e.code(), Some("X"));
    }

    fn resp(status: u16, headers: &[(&str, &str)], body: &str) -> HttpResponse {
        crate::test_util::response(status, headers, body)
    }

    #[test]
    fn foreign_answers_are_configuration_errors() {
        let api = "Demo";
        assert!(check_foreign(&resp(200, &[], r#" {"a":1}"#), api).is_ok());
        assert!(check_foreign(&resp(204, &[], ""), api).is_ok());
        assert!(check_foreign(&resp(502, &[], "<html>bad gateway</html>"), api).is_ok());
        assert!(check_foreign(&resp(429, &[], ""), api).is_ok());
        for (status, headers, body) in [
            (302, vec![("Location", "https://portal.example/login")], ""),
            (404, vec![("Content-Type", "text/html")], "<html>404</html>"),
            (
                200,
                vec![("Content-Type", "text/html")],
                "<html>portal</html>",
            ),
            (403, vec![], ""),
            (405, vec![], "Method Not Allowed"),
            (600, vec![], "{}"),
        ] {
            let e = check_foreign(&resp(status, &headers, body), api).expect_err("foreign");
            assert_eq!(e.kind(), ErrorKind::Config, "{status}");
            assert!(e.message().contains(&format!("HTTP {status}")), "{e}");
            assert!(!e.may_have_applied());
        }
        let e = check_foreign(&resp(301, &[("Location", "https://x/")], ""), api)
            .expect_err("redirect");
        assert!(e.message().contains("redirected to \"https://x/\""), "{e}");
    }

    #[test]
    fn snippets_are_short_and_printable() {
        assert_eq!(snippet(b"  <html>\n</html> "), "<html>\\n</html>");
        let long = vec![b'a'; 10_000];
        assert_eq!(snippet(&long).chars().count(), BODY_SNIPPET + 1);
        assert_eq!(snippet(&[0xff, 0xfe, b'x']), "\u{fffd}\u{fffd}x");
    }

    #[test]
    fn loopback_hosts() {
        for h in [
            "127.0.0.1",
            "127.0.0.1:8080",
            "127.1.2.3:1",
            "localhost",
            "LOCALHOST:9",
            "a.localhost",
            "[::1]:80",
            "[::1]",
        ] {
            assert!(is_loopback_host(h), "{h}");
        }
        for h in [
            "example.com",
            "10.0.0.1",
            "192.168.1.1:80",
            "localhost.example.com",
            "[::2]:1",
            "127.0.0.1.nip.io",
        ] {
            assert!(!is_loopback_host(h), "{h}");
        }
    }
}
