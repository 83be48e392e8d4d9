//! What the three instance-metadata credential sources share: a plain-HTTP client with short
//! timeouts and no proxy, the base-URL override and the switch that turns them all off.
//!
//! The vendors' own sources are in `cert_common::providers::<vendor>::credentials`.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;

use super::{CachedProvider, Credentials, Env, FetchTemporary, ProvideCredentials, not_found};
use crate::error::{Error, ErrorKind};
use crate::time::UtcDateTime;

/// Set to `true` (any case) to turn off every instance-metadata source of this SDK: for
/// laptops and CI, where nothing answers on the metadata addresses and waiting for the
/// connection to fail is wasted time. This SDK's own variable; the vendors' own switches
/// (Aliyun's `ALIBABA_CLOUD_ECS_METADATA_DISABLED`) are honoured too.
pub const DISABLED_VAR: &str = "CERT_SDK_METADATA_DISABLED";

/// Connect timeout of metadata requests: the service is on the local link, so a longer wait
/// means it is not there (Aliyun's SDK uses 1 s too).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
/// Whole-request timeout of metadata requests.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(3);
/// The most bytes of a metadata answer that are read.
const MAX_ANSWER: usize = 64 * 1024;

/// Where one vendor's metadata service is: its documented base URL, unless the variable
/// `override_var` (this SDK's, e.g. `CERT_SDK_TENCENT_METADATA_ENDPOINT`) names another.
#[derive(Debug, Clone, Copy)]
pub struct MetadataSpec {
    /// The vendor, for messages ("Tencent Cloud CVM role").
    pub what: &'static str,
    /// The vendor's base URL (`http://metadata.tencentyun.com`).
    pub base_url: &'static str,
    /// The variable that overrides `base_url`.
    pub override_var: &'static str,
}

impl MetadataSpec {
    /// The base URL to use, without a trailing `/`; `None` when metadata is turned off by
    /// [`DISABLED_VAR`].
    pub fn base(&self, env: &Env) -> Option<String> {
        if env
            .get(DISABLED_VAR)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
        {
            return None;
        }
        let base = env
            .get(self.override_var)
            .unwrap_or_else(|| self.base_url.to_string());
        Some(base.trim_end_matches('/').to_string())
    }
}

/// An answer of a metadata service. Its `Debug` leaves the body out: it holds keys.
pub struct MetadataAnswer {
    /// HTTP status.
    pub status: u16,
    /// Body, as text (at most 64 KiB read).
    pub body: String,
}

impl std::fmt::Debug for MetadataAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MetadataAnswer")
            .field("status", &self.status)
            .field(
                "body",
                &format_args!("({} bytes, not shown)", self.body.len()),
            )
            .finish()
    }
}

/// A plain-HTTP client for metadata services: short timeouts, never a proxy (the service
/// is on the instance's own link), no redirects.
#[derive(Debug, Clone)]
pub struct MetadataClient {
    client: reqwest::Client,
    what: &'static str,
}

impl MetadataClient {
    /// A client for `spec`'s service.
    pub fn new(spec: &MetadataSpec) -> Result<Self, Error> {
        // Metadata is plain HTTP; the TLS setup is there only because the client needs one,
        // and trusts nothing.
        let tls = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::config(format!("TLS setup failed: {e}")))?
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth();
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::config(format!("could not build the metadata client: {e}")))?;
        Ok(MetadataClient {
            client,
            what: spec.what,
        })
    }

    /// Sends `method url` with `headers` (`method` upper case: `GET`, `PUT`). A connection that fails, or a service that does not
    /// answer in time, is "no metadata service here" ([`super::is_not_found`]): a chain goes
    /// on. The error never holds the answer's body (it may hold credentials).
    pub async fn send(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
    ) -> Result<MetadataAnswer, Error> {
        let method = reqwest::Method::from_bytes(method.as_bytes())
            .map_err(|_| Error::invalid_input(format!("{method:?} is not an HTTP method")))?;
        let mut req = self.client.request(method, url);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let resp = req.send().await.map_err(|e| {
            not_found(format!(
                "{}: no metadata service answered at {url} ({})",
                self.what,
                if e.is_timeout() {
                    "timed out"
                } else {
                    "could not connect"
                }
            ))
        })?;
        let status = resp.status().as_u16();
        let mut body = Vec::new();
        let mut resp = resp;
        while let Some(chunk) = resp.chunk().await.map_err(|_| {
            Error::new(
                ErrorKind::Credentials,
                format!("{}: the answer from {url} broke off", self.what),
            )
        })? {
            if body.len() + chunk.len() > MAX_ANSWER {
                return Err(Error::new(
                    ErrorKind::Credentials,
                    format!("{}: the answer from {url} is larger than 64 KiB", self.what),
                ));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(MetadataAnswer {
            status,
            body: String::from_utf8_lossy(&body).into_owned(),
        })
    }
}

/// Parses the expiry times metadata services send: `2006-01-02T15:04:05Z`, with or without
/// fractional seconds (Go's parser, which the vendors' SDKs use, accepts both).
pub fn parse_expiry(s: &str) -> Option<SystemTime> {
    let s = s.trim();
    let whole = match (s.find('.'), s.strip_suffix('Z')) {
        (Some(19), Some(_)) => {
            let frac = &s[20..s.len() - 1];
            if frac.is_empty() || !frac.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            format!("{}Z", &s[..19])
        }
        _ => s.to_string(),
    };
    let t = UtcDateTime::parse_iso8601(&whole)?;
    u64::try_from(t.to_unix())
        .ok()
        .map(|secs| SystemTime::UNIX_EPOCH + Duration::from_secs(secs))
}

/// An error about a metadata answer that is there but unusable (never its body).
pub fn bad_answer(what: &str, url: &str, why: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorKind::Credentials,
        format!("{what}: the answer from {url} is unusable: {why}"),
    )
}

/// The role name a metadata service listed: its first line, which must be a plain name
/// (letters, digits and `_+=,.@-`), since it goes into the next URL's path.
pub fn role_name(what: &str, url: &str, body: &str) -> Result<String, Error> {
    let name = body.lines().next().unwrap_or("").trim();
    if name.is_empty() {
        return Err(not_found(format!(
            "{what}: no role is attached to this instance"
        )));
    }
    if name.len() > 128
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_+=,.@-".contains(&b))
    {
        return Err(bad_answer(what, url, "the role name is not a plain name"));
    }
    Ok(name.to_string())
}

/// The role listing both role-based metadata services share (Tencent CVM, Aliyun ECS): the
/// role is `role`, else the first line of `GET {roles_url}` (404: no role, a chain goes on);
/// then `GET {roles_url}{role}` must answer 200. Gives the role's URL and answer body.
pub async fn role_credentials(
    client: &MetadataClient,
    what: &str,
    roles_url: &str,
    role: Option<&str>,
    headers: &[(&str, &str)],
) -> Result<(String, String), Error> {
    let role = match role {
        Some(r) => r.to_string(),
        None => {
            let a = client.send("GET", roles_url, headers).await?;
            if a.status == 404 {
                return Err(not_found(format!(
                    "{what}: no role is attached to this instance"
                )));
            }
            if a.status != 200 {
                return Err(bad_answer(what, roles_url, format!("HTTP {}", a.status)));
            }
            role_name(what, roles_url, &a.body)?
        }
    };
    let url = format!("{roles_url}{role}");
    let a = client.send("GET", &url, headers).await?;
    if a.status != 200 {
        return Err(bad_answer(
            what,
            &url,
            format!("HTTP {} for the role {role}", a.status),
        ));
    }
    Ok((url, a.body))
}

/// How a role-based metadata source names itself.
pub fn describe_role(what: &str, role: Option<&str>, base: &str) -> String {
    match role {
        Some(r) => format!("{what} {r} (instance metadata at {base})"),
        None => format!("{what} (instance metadata at {base})"),
    }
}

/// A metadata source behind a [`CachedProvider`], or, when metadata is turned off, a
/// provider that answers "not here" at once.
pub fn cached<F, M>(
    spec: &'static MetadataSpec,
    env: &Env,
    margin: Duration,
    make: M,
) -> Arc<dyn ProvideCredentials>
where
    F: FetchTemporary + 'static,
    M: FnOnce(String) -> Result<F, Error>,
{
    let Some(base) = spec.base(env) else {
        return Arc::new(Unavailable {
            what: spec.what,
            why: format!("instance metadata is turned off ({DISABLED_VAR})"),
        });
    };
    match make(base) {
        Ok(source) => Arc::new(CachedProvider::new(source, margin)),
        Err(e) => Arc::new(Unavailable {
            what: spec.what,
            why: e.message().to_string(),
        }),
    }
}

/// A source that is not there (turned off): always "not found", at once.
#[derive(Debug, Clone)]
pub struct Unavailable {
    /// The source, for messages.
    pub what: &'static str,
    /// Why it is not there.
    pub why: String,
}

#[async_trait]
impl ProvideCredentials for Unavailable {
    async fn provide(&self) -> Result<Credentials, Error> {
        Err(not_found(format!("{}: {}", self.what, self.why)))
    }

    fn provide_now(&self) -> Option<Result<Credentials, Error>> {
        Some(Err(not_found(format!("{}: {}", self.what, self.why))))
    }

    fn describe(&self) -> String {
        format!("{} ({})", self.what, self.why)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_with_and_without_fractions() {
        let t = |s| parse_expiry(s).map(crate::time::unix_seconds);
        assert_eq!(t("2023-11-14T22:13:20Z"), Some(1_700_000_000));
        assert_eq!(t("2023-11-14T22:13:20.123456Z"), Some(1_700_000_000));
        assert_eq!(t("2023-11-14T22:13:20.Z"), None);
        assert_eq!(t("2023-11-14 22:13:20"), None);
        assert_eq!(t(""), None);
    }

    #[test]
    fn base_url_override_and_switch() {
        let spec = MetadataSpec {
            what: "x",
            base_url: "http://169.254.169.254",
            override_var: "X_ENDPOINT",
        };
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            Env::from_fn(move |k| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            })
        };
        assert_eq!(
            spec.base(&env(&[])).as_deref(),
            Some("http://169.254.169.254")
        );
        assert_eq!(
            spec.base(&env(&[("X_ENDPOINT", "http://127.0.0.1:9/")]))
                .as_deref(),
            Some("http://127.0.0.1:9")
        );
        assert_eq!(spec.base(&env(&[(DISABLED_VAR, "TRUE")])), None);
        assert!(spec.base(&env(&[(DISABLED_VAR, "no")])).is_some());
    }
}
