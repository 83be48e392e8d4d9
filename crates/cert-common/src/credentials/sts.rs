//! What the vendors' STS sources (role assumption, web identity) share: the transport they
//! send through, the STS endpoint override, role session names and OIDC token files.
//!
//! The vendors' own calls are in `cert_common::providers::<vendor>::sts`. An STS answer
//! carries secrets: errors built from it name the code and message the server gave, never
//! the body.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use super::Env;
use crate::endpoint::Endpoint;
use crate::error::{Error, ErrorKind};
use crate::http::{HttpRequest, HttpResponse};
use crate::runtime::check_endpoint_scheme;
use crate::transport::{HttpSend, ReqwestTransport, TransportConfig};

/// Connect timeout of STS calls (the vendors' SDKs use 5 s).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Whole-call timeout of STS calls (the vendors' SDKs read for 10 s).
pub const CALL_TIMEOUT: Duration = Duration::from_secs(15);
/// The most bytes of an OIDC token file that are read.
const MAX_TOKEN_FILE: u64 = 64 * 1024;

/// The endpoint an STS source calls: `override_var` (this SDK's, e.g.
/// `CERT_SDK_TENCENT_STS_ENDPOINT`, a URL) when set, else `default_url`.
pub fn endpoint(env: &Env, override_var: &str, default_url: &str) -> Result<Endpoint, Error> {
    let url = env
        .get(override_var)
        .unwrap_or_else(|| default_url.to_string());
    let e = Endpoint::parse(&url)
        .map_err(|e| Error::config(format!("{override_var}: {}", e.message())))?;
    check_endpoint_scheme(e.scheme(), e.host(), false)?;
    Ok(e)
}

/// A role session name when none is configured: `prefix` and the time in microseconds, as
/// the vendors' SDKs make theirs.
pub fn session_name(prefix: &str, now: SystemTime) -> String {
    let micros = now
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_micros())
        .unwrap_or_default();
    format!("{prefix}{micros}")
}

/// Reads an OIDC token file afresh (the platform rotates it): its trimmed text. A missing or
/// empty file is an error naming the file (never the token).
pub fn read_token_file(what: &str, path: &Path) -> Result<String, Error> {
    use std::io::Read;
    let fail = |why: String| {
        Error::new(
            ErrorKind::Credentials,
            format!("{what}: the OIDC token file {}: {why}", path.display()),
        )
    };
    let file = std::fs::File::open(path).map_err(|e| fail(e.to_string()))?;
    let mut text = String::new();
    file.take(MAX_TOKEN_FILE)
        .read_to_string(&mut text)
        .map_err(|e| fail(e.to_string()))?;
    let token = text.trim();
    if token.is_empty() {
        return Err(fail("it is empty".into()));
    }
    Ok(token.to_string())
}

/// A token file path from the variable `var`, if set.
pub fn token_file(env: &Env, var: &str) -> Option<PathBuf> {
    env.get(var).map(PathBuf::from)
}

/// The HTTP client of one STS source, made at its first call, and the clock its requests
/// are dated and signed by.
#[derive(Debug)]
pub struct StsHttp {
    trust: crate::tls::Trust,
    transport: OnceLock<Result<ReqwestTransport, String>>,
    clock: std::sync::Arc<dyn crate::time::Clock>,
}

impl StsHttp {
    /// A client made when first needed, trusting what [`crate::tls`] says plus the bundle
    /// `SSL_CERT_FILE` names in `env` (the chain's environment, where
    /// [`ClientOptions::ca_bundle`](crate::ClientOptions::ca_bundle) stands in for it).
    pub fn new(env: &Env) -> Self {
        StsHttp {
            trust: crate::tls::Trust::resolve(None, env),
            transport: OnceLock::new(),
            clock: std::sync::Arc::new(crate::time::SystemClock),
        }
    }

    /// Dates and signs requests by `clock` instead of the system's (tests).
    pub fn with_clock(mut self, clock: std::sync::Arc<dyn crate::time::Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The wall-clock time to date and sign a request by.
    pub fn now(&self) -> SystemTime {
        self.clock.now()
    }

    /// Sends `request`, bounded by [`CALL_TIMEOUT`]. `what` names the source in errors.
    pub async fn send(&self, what: &str, request: HttpRequest) -> Result<HttpResponse, Error> {
        let transport = self
            .transport
            .get_or_init(|| {
                ReqwestTransport::with_trust(
                    TransportConfig::default().with_connect_timeout(CONNECT_TIMEOUT),
                    concat!("cert-common/", env!("CARGO_PKG_VERSION"), " (sts)"),
                    &self.trust,
                )
                .map_err(|e| e.message().to_string())
            })
            .as_ref()
            .map_err(|m| Error::config(format!("{what}: {m}")))?;
        let host = request.host.clone();
        match tokio::time::timeout(CALL_TIMEOUT, transport.send(request)).await {
            Ok(Ok(r)) => Ok(r),
            Ok(Err(e)) => Err(Error::new(
                ErrorKind::Credentials,
                format!("{what}: the call to {host} failed: {}", e.message()),
            )),
            Err(_) => Err(Error::new(
                ErrorKind::Credentials,
                format!(
                    "{what}: {host} did not answer within {} s",
                    CALL_TIMEOUT.as_secs()
                ),
            )),
        }
    }
}

/// The error of an STS answer that names a code: `what: code: message`, with the code and
/// request id kept, of kind [`ErrorKind::Credentials`].
pub fn refused(what: &str, code: &str, message: &str, request_id: Option<String>) -> Error {
    Error::new(
        ErrorKind::Credentials,
        format!("{what}: the STS refused: {code}: {message}"),
    )
    .with_code(code)
    .with_request_id(request_id)
}

/// The error of an STS answer that is not the documented shape (its body is not quoted: it
/// may hold keys).
pub fn unusable(what: &str, status: u16) -> Error {
    Error::new(
        ErrorKind::Credentials,
        format!("{what}: the STS answer (HTTP {status}) is not the documented shape"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_files_are_read_trimmed_and_errors_name_the_file_only() {
        let dir = std::env::temp_dir().join(format!("sts-token-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let f = dir.join("token");
        std::fs::write(&f, "  eyJ.secret.token \n").expect("write");
        assert_eq!(read_token_file("x", &f).expect("read"), "eyJ.secret.token");
        std::fs::write(&f, " \n").expect("write");
        let e = read_token_file("x", &f).expect_err("empty");
        assert!(
            e.message().contains("is empty") && e.message().contains("token"),
            "{e}"
        );
        let e = read_token_file("x", &dir.join("missing")).expect_err("missing");
        assert!(e.message().contains("missing"), "{e}");
    }

    #[test]
    fn the_endpoint_override_must_be_https_or_loopback() {
        let env = |v: &'static str| Env::from_fn(move |k| (k == "X").then(|| v.to_string()));
        assert_eq!(
            endpoint(&env("http://127.0.0.1:9"), "X", "https://sts.example.com")
                .expect("loopback")
                .host(),
            "127.0.0.1:9"
        );
        assert!(endpoint(&env("http://sts.example.com"), "X", "https://a.b").is_err());
        let none = Env::from_fn(|_| None);
        assert_eq!(
            endpoint(&none, "X", "https://sts.tencentcloudapi.com")
                .expect("default")
                .host(),
            "sts.tencentcloudapi.com"
        );
    }
}
