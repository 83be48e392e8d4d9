//! The one error type shared by every provider crate.
//!
//! An [`Error`] is opaque (like google-cloud-rust's `gax::error::Error`): callers ask it
//! questions through accessors ([`Error::kind`], [`Error::code`], [`Error::request_id`], ...).
//! Its `Display` names the provider, the action, the code, the message and the request id in
//! one line, so that a log line is something a person can act on.

use std::fmt;
use std::time::Duration;

use crate::answer::CodeMeaning;
use crate::outcome::DeleteReport;
use crate::retry::RetryClass;

pub use crate::provider::Provider;

/// What went wrong, broadly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The request was refused before anything was sent.
    InvalidInput,
    /// No usable credentials, or the server rejected them.
    Credentials,
    /// The connection failed, or broke before an answer arrived.
    Transport,
    /// The request or the whole operation ran out of time.
    Timeout,
    /// The server said to slow down.
    Throttled,
    /// The server answered with an error.
    Service,
    /// The server's answer could not be understood.
    Decode,
    /// Retries gave up; [`Error::last_error`] holds the last real error.
    RetriesExhausted,
    /// Client configuration is incomplete or inconsistent (region, endpoint, ...).
    Config,
}

impl ErrorKind {
    fn describe(self) -> &'static str {
        match self {
            ErrorKind::InvalidInput => "invalid input",
            ErrorKind::Credentials => "credentials error",
            ErrorKind::Transport => "transport error",
            ErrorKind::Timeout => "timed out",
            ErrorKind::Throttled => "throttled",
            ErrorKind::Service => "service error",
            ErrorKind::Decode => "could not decode response",
            ErrorKind::RetriesExhausted => "retries exhausted",
            ErrorKind::Config => "configuration error",
        }
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

struct Inner {
    kind: ErrorKind,
    provider: Option<Provider>,
    action: Option<String>,
    status: Option<u16>,
    code: Option<String>,
    message: String,
    request_id: Option<String>,
    retry_after: Option<Duration>,
    retry_class: RetryClass,
    may_have_applied: bool,
    attempts: u32,
    clock_skew: Option<i64>,
    last: Option<Error>,
    source: Option<BoxError>,
    meaning: Option<CodeMeaning>,
    partial: Option<Box<DeleteReport<String>>>,
}

/// The error of every operation in this SDK.
///
/// Secrets never appear in it: messages are built from what the server said and from
/// the SDK's own words, never from credentials or signatures.
pub struct Error {
    inner: Box<Inner>,
}

impl Error {
    /// A new error of `kind` with a message. Use the builder-style `with_*` methods to add detail.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        let retry_class = match kind {
            ErrorKind::Throttled => RetryClass::Throttling,
            ErrorKind::Transport | ErrorKind::Timeout => RetryClass::Transient,
            _ => RetryClass::Permanent,
        };
        Error {
            inner: Box::new(Inner {
                kind,
                provider: None,
                action: None,
                status: None,
                code: None,
                message: message.into(),
                request_id: None,
                retry_after: None,
                retry_class,
                may_have_applied: false,
                attempts: 0,
                clock_skew: None,
                last: None,
                source: None,
                meaning: None,
                partial: None,
            }),
        }
    }

    /// Invalid input: nothing was sent.
    pub fn invalid_input(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidInput, message)
    }

    /// A configuration error: nothing was sent.
    pub fn config(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Config, message)
    }

    /// An error the server answered with. `class` says whether it is worth retrying.
    pub fn service(
        status: u16,
        code: Option<String>,
        message: impl Into<String>,
        class: RetryClass,
    ) -> Self {
        let kind = match class {
            RetryClass::Throttling => ErrorKind::Throttled,
            _ => ErrorKind::Service,
        };
        let mut e = Self::new(kind, message);
        e.inner.status = Some(status);
        e.inner.code = code;
        e.inner.retry_class = class;
        e
    }

    /// Sets the provider.
    pub fn with_provider(mut self, provider: Provider) -> Self {
        self.inner.provider = Some(provider);
        self
    }

    /// Sets the action (operation name, e.g. `BatchDeleteCSR`).
    pub fn with_action(mut self, action: impl Into<String>) -> Self {
        self.inner.action = Some(action.into());
        self
    }

    /// Sets the HTTP status.
    pub fn with_status(mut self, status: u16) -> Self {
        self.inner.status = Some(status);
        self
    }

    /// Replaces the message.
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.inner.message = message.into();
        self
    }

    /// Sets the provider's error code.
    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.inner.code = Some(code.into());
        self
    }

    /// Sets the request id the server assigned.
    pub fn with_request_id(mut self, request_id: Option<String>) -> Self {
        if request_id.is_some() {
            self.inner.request_id = request_id;
        }
        self
    }

    /// Sets the server's hint of how long to wait before retrying.
    pub fn with_retry_after(mut self, retry_after: Option<Duration>) -> Self {
        self.inner.retry_after = retry_after;
        self
    }

    /// Overrides the retry class.
    pub fn with_retry_class(mut self, class: RetryClass) -> Self {
        self.inner.retry_class = class;
        self
    }

    /// Marks whether the request may have taken effect on the server even though no
    /// success answer was seen (e.g. the connection broke after the request was written).
    pub fn with_may_have_applied(mut self, may: bool) -> Self {
        self.inner.may_have_applied = may;
        self
    }

    /// Records the offset, in seconds, between the server's clock (its `Date` header) and ours:
    /// positive when the server is ahead.
    pub fn with_clock_skew(mut self, seconds: Option<i64>) -> Self {
        self.inner.clock_skew = seconds;
        self
    }

    /// Attaches the underlying cause.
    pub fn with_source(mut self, source: impl Into<BoxError>) -> Self {
        self.inner.source = Some(source.into());
        self
    }

    /// Records what the answer's code means ([`crate::answer`] decides it from the API's
    /// error table).
    pub fn with_meaning(mut self, meaning: CodeMeaning) -> Self {
        self.inner.meaning = Some(meaning);
        self
    }

    /// Attaches the outcomes of the ids a bulk delete had already settled when this error
    /// stopped it (ids never sent are not in it). An empty report attaches nothing.
    pub fn with_partial_report(mut self, report: DeleteReport<String>) -> Self {
        if !report.items().is_empty() {
            self.inner.partial = Some(Box::new(report));
        }
        self
    }

    /// For an error that stopped a bulk delete part-way, the outcomes of the ids it had
    /// already sent; every id not in it was never sent.
    pub fn partial_report(&self) -> Option<&DeleteReport<String>> {
        self.inner.partial.as_deref()
    }

    /// Takes the partial report out (see [`Error::partial_report`]).
    pub fn take_partial_report(&mut self) -> Option<DeleteReport<String>> {
        self.inner.partial.take().map(|b| *b)
    }

    /// What the answer's error code means, when an answer was classified
    /// (for [`ErrorKind::RetriesExhausted`], the last error's).
    pub fn code_meaning(&self) -> Option<CodeMeaning> {
        self.inner
            .meaning
            .or_else(|| self.inner.last.as_ref().and_then(Error::code_meaning))
    }

    /// True for an error that must stop a bulk run rather than become one id's outcome: a
    /// configuration error, such as an answer showing that the endpoint does not serve the API
    /// or a plain-`http` endpoint that was not allowed. Every later request would meet it too.
    pub fn stops_run(&self) -> bool {
        self.inner.kind == ErrorKind::Config
            || self.code_meaning() == Some(CodeMeaning::WrongEndpoint)
    }

    pub(crate) fn set_attempts(&mut self, attempts: u32) {
        self.inner.attempts = attempts;
    }

    pub(crate) fn set_may_have_applied(&mut self, may: bool) {
        self.inner.may_have_applied = may;
    }

    /// Wraps the last real error of a retry loop that gave up.
    pub fn retries_exhausted(last: Error, attempts: u32, why: impl Into<String>) -> Self {
        let mut e = Self::new(ErrorKind::RetriesExhausted, why);
        e.inner.provider = last.inner.provider;
        e.inner.action = last.inner.action.clone();
        e.inner.retry_class = RetryClass::Permanent;
        e.inner.may_have_applied = last.inner.may_have_applied;
        e.inner.attempts = attempts;
        e.inner.last = Some(last);
        e
    }

    /// What went wrong, broadly.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The provider, when known.
    pub fn provider(&self) -> Option<Provider> {
        self.inner.provider
    }

    /// The action (operation name), when known.
    pub fn action(&self) -> Option<&str> {
        self.inner.action.as_deref()
    }

    /// The HTTP status of the (last) answer, if there was one.
    pub fn status(&self) -> Option<u16> {
        self.inner
            .status
            .or_else(|| self.inner.last.as_ref().and_then(Error::status))
    }

    /// The provider's error code (e.g. `APIG.0308`, `RequestLimitExceeded`), if any.
    pub fn code(&self) -> Option<&str> {
        self.inner
            .code
            .as_deref()
            .or_else(|| self.inner.last.as_ref().and_then(Error::code))
    }

    /// The message: the server's words for service errors, the SDK's otherwise.
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// The request id the server assigned, if any.
    pub fn request_id(&self) -> Option<&str> {
        self.inner
            .request_id
            .as_deref()
            .or_else(|| self.inner.last.as_ref().and_then(Error::request_id))
    }

    /// How long the server asked us to wait, if it said.
    pub fn retry_after(&self) -> Option<Duration> {
        self.inner.retry_after
    }

    /// Whether this error is worth retrying, and how.
    pub fn retry_class(&self) -> RetryClass {
        self.inner.retry_class
    }

    /// True when the request may have taken effect even though no success was seen.
    /// A delete reported with such an error is "unconfirmed", never "refused".
    pub fn may_have_applied(&self) -> bool {
        self.inner.may_have_applied
    }

    /// How many attempts were made (0 when nothing was sent).
    pub fn attempts(&self) -> u32 {
        self.inner.attempts
    }

    /// Seconds the server's clock is ahead of ours (negative: behind), when the server
    /// refused a request as expired and sent a `Date` header.
    pub fn clock_skew(&self) -> Option<i64> {
        self.inner
            .clock_skew
            .or_else(|| self.inner.last.as_ref().and_then(Error::clock_skew))
    }

    /// For [`ErrorKind::RetriesExhausted`], the last real error.
    pub fn last_error(&self) -> Option<&Error> {
        self.inner.last.as_ref()
    }

    /// True for throttling answers.
    pub fn is_throttling(&self) -> bool {
        self.inner.retry_class == RetryClass::Throttling
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        match (&i.provider, &i.action) {
            (Some(p), Some(a)) => write!(f, "{p} {a}: ")?,
            (Some(p), None) => write!(f, "{p}: ")?,
            (None, Some(a)) => write!(f, "{a}: ")?,
            (None, None) => {}
        }
        if let Some(last) = &i.last {
            write!(
                f,
                "{} after {} attempt(s) ({}); last error: ",
                i.kind.describe(),
                i.attempts,
                i.message
            )?;
            return last.fmt_detail(f);
        }
        self.fmt_detail(f)
    }
}

impl Error {
    fn fmt_detail(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        f.write_str(i.kind.describe())?;
        if let Some(code) = &i.code {
            write!(f, " [{code}]")?;
        }
        if !i.message.is_empty() {
            write!(f, ": {}", i.message)?;
        }
        if let Some(status) = i.status {
            write!(f, " (HTTP {status})")?;
        }
        if let Some(skew) = i.clock_skew {
            write!(
                f,
                " (the server's clock is {} s {} ours: check this machine's clock)",
                skew.abs(),
                if skew >= 0 { "ahead of" } else { "behind" }
            )?;
        }
        if let Some(rid) = &i.request_id {
            write!(f, " (request id {rid})")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        let mut d = f.debug_struct("Error");
        d.field("kind", &i.kind)
            .field("provider", &i.provider)
            .field("action", &i.action)
            .field("status", &i.status)
            .field("code", &i.code)
            .field("message", &i.message)
            .field("request_id", &i.request_id);
        if i.retry_after.is_some() {
            d.field("retry_after", &i.retry_after);
        }
        if i.attempts > 0 {
            d.field("attempts", &i.attempts);
        }
        if i.may_have_applied {
            d.field("may_have_applied", &true);
        }
        if let Some(last) = &i.last {
            d.field("last_error", last);
        }
        if let Some(src) = &i.source {
            d.field("source", &src.to_string());
        }
        d.finish()
    }
}

impl std::error::Error for Error {
    /// The cause below what `Display` already printed, so that an error-chain printer
    /// (`anyhow`'s `{:#}`, `eyre`) shows each cause once: for a
    /// [`RetriesExhausted`](ErrorKind::RetriesExhausted) error, whose `Display` includes the
    /// last error, that error's own source (the typed last error stays at
    /// [`Error::last_error`]); otherwise the source this error was built with.
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        if let Some(last) = &self.inner.last {
            return std::error::Error::source(last);
        }
        self.inner
            .source
            .as_ref()
            .map(|s| s.as_ref() as &(dyn std::error::Error + 'static))
    }
}

impl From<crate::validate::Violation> for Error {
    fn from(v: crate::validate::Violation) -> Self {
        Error::invalid_input(v.to_string())
    }
}

#[cfg(test)]
mod tests {

    /// Display, then each `source()`, as error-chain printers do: no text twice.
    fn chain(e: &Error) -> Vec<String> {
        let mut out = vec![e.to_string()];
        let mut src = std::error::Error::source(e);
        while let Some(s) = src {
            out.push(s.to_string());
            src = s.source();
        }
        out
    }

    #[test]
    fn an_error_chain_prints_each_cause_once() {
        let last = Error::new(ErrorKind::Throttled, "slow down").with_code("RequestLimitExceeded");
        let e = Error::retries_exhausted(last, 3, "all 3 attempt(s) failed");
        let c = chain(&e);
        assert_eq!(c.len(), 1, "{c:?}");
        assert_eq!(c[0].matches("RequestLimitExceeded").count(), 1, "{c:?}");
        assert!(e.last_error().is_some());
        let io = std::io::Error::other("connection reset by peer");
        let last = Error::new(ErrorKind::Transport, "the request failed").with_source(io);
        let e = Error::retries_exhausted(last, 2, "all 2 attempt(s) failed");
        let c = chain(&e);
        assert_eq!(c.len(), 2, "{c:?}");
        assert_eq!(c[1], "connection reset by peer");
        assert!(!c[0].contains("connection reset"), "{c:?}");
    }

    use super::*;

    #[test]
    fn display_names_provider_action_code_message_and_request_id() {
        let e = Error::service(
            400,
            Some("InvalidParameter.InvalidCSRId".into()),
            "Incorrect CSR ID.",
            RetryClass::Permanent,
        )
        .with_provider(Provider::Tencent)
        .with_action("BatchDeleteCSR")
        .with_request_id(Some("5779b652".into()));
        assert_eq!(
            e.to_string(),
            "tencent BatchDeleteCSR: service error [InvalidParameter.InvalidCSRId]: \
             Incorrect CSR ID. (HTTP 400) (request id 5779b652)"
        );
    }

    #[test]
    fn retries_exhausted_keeps_the_last_error_reachable() {
        let last = Error::service(
            503,
            Some("APIG.9999".into()),
            "System error",
            RetryClass::Transient,
        )
        .with_provider(Provider::Huawei)
        .with_action("DeleteCertificateV2")
        .with_request_id(Some("rid-3".into()));
        let e = Error::retries_exhausted(last, 3, "3 of 3 attempts used");
        assert_eq!(e.kind(), ErrorKind::RetriesExhausted);
        assert_eq!(e.code(), Some("APIG.9999"));
        assert_eq!(e.request_id(), Some("rid-3"));
        assert_eq!(e.status(), Some(503));
        assert_eq!(e.last_error().map(Error::kind), Some(ErrorKind::Service));
        assert_eq!(
            e.to_string(),
            "huawei DeleteCertificateV2: retries exhausted after 3 attempt(s) (3 of 3 attempts used); \
             last error: service error [APIG.9999]: System error (HTTP 503) (request id rid-3)"
        );
        // Display already printed the last error: `source()` does not give it again.
        assert!(std::error::Error::source(&e).is_none());
    }

    #[test]
    fn clock_skew_is_named_plainly() {
        let e = Error::service(
            401,
            Some("AuthFailure.SignatureExpire".into()),
            "expired",
            RetryClass::Permanent,
        )
        .with_clock_skew(Some(-930));
        assert!(
            e.to_string()
                .contains("server's clock is 930 s behind ours"),
            "{e}"
        );
    }

    #[test]
    fn throttled_kind_follows_class() {
        let e = Error::service(
            429,
            Some("APIG.0308".into()),
            "slow down",
            RetryClass::Throttling,
        );
        assert_eq!(e.kind(), ErrorKind::Throttled);
        assert!(e.is_throttling());
    }
}
