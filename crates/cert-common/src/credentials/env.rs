//! Credentials from environment variables.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;

use super::{AccessKey, Credentials, ProvideCredentials, not_found};
use crate::error::{Error, ErrorKind};

type Lookup = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// Where environment variables, and the home directory, are read from: the process
/// ([`Env::process`], the default) or a function of the caller's ([`Env::from_fn`], for tests
/// or another source of variables). Cheap to clone.
#[derive(Clone)]
pub struct Env {
    lookup: Option<Lookup>,
}

impl Env {
    /// The process environment.
    pub fn process() -> Self {
        Env { lookup: None }
    }

    /// Variables looked up through `lookup`; `HOME` (or `USERPROFILE`) included.
    pub fn from_fn(lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Self {
        Env {
            lookup: Some(Arc::new(lookup)),
        }
    }

    /// The variable `name`, unless unset or empty.
    pub fn get(&self, name: &str) -> Option<String> {
        match &self.lookup {
            Some(l) => l(name),
            None => std::env::var(name).ok(),
        }
        .filter(|v| !v.is_empty())
    }

    /// The same variables, but `name` reads `value` (a configuration value that stands in for
    /// a variable: [`ClientOptions::ca_bundle`](crate::ClientOptions::ca_bundle) for
    /// `SSL_CERT_FILE`, so the STS sources of the chain trust what the API calls trust).
    pub fn with(self, name: &str, value: impl Into<String>) -> Self {
        let name = name.to_string();
        let value = value.into();
        let inner = self;
        Env::from_fn(move |k| {
            if k == name {
                Some(value.clone())
            } else {
                inner.get(k)
            }
        })
    }

    /// The home directory: `HOME`, else `USERPROFILE` (Windows), as the vendors' SDKs find it.
    pub fn home(&self) -> Option<std::path::PathBuf> {
        self.get("HOME")
            .or_else(|| self.get("USERPROFILE"))
            .map(std::path::PathBuf::from)
    }
}

impl Default for Env {
    fn default() -> Self {
        Env::process()
    }
}

impl fmt::Debug for Env {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.lookup {
            None => "Env(process)",
            Some(_) => "Env(custom)",
        })
    }
}

/// The environment variable names a vendor's own SDKs and tools use. Each vendor's names are
/// defined in its folder, behind its feature: `EnvVars::HUAWEI`, `EnvVars::TENCENT`,
/// `EnvVars::ALIYUN`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct EnvVars {
    /// Variable holding the access key id.
    pub access_key_id: &'static str,
    /// Variable holding the secret key.
    pub secret: &'static str,
    /// Variables that may hold the optional security token, the preferred name first. When
    /// several are set they must agree (a conflict is an error, never a silent choice).
    pub security_token: &'static [&'static str],
}

/// How long keys read from the process environment are reused before the variables are
/// read again. A bulk run asks for its keys twice per request; reading and checking three or
/// four variables each time cost about 3 % of certctl's CPU at 32 requests in flight. A
/// process that changes its own variables sees the change within this time.
const PROCESS_REREAD_AFTER: std::time::Duration = std::time::Duration::from_secs(1);

/// Reads an access key from environment variables. Keys read from the process environment
/// are reused for up to a second; a custom [`Env`] is read on every call.
#[derive(Clone)]
pub struct EnvProvider {
    vars: EnvVars,
    env: Env,
    /// Whether keys are reused (the variables are the process's).
    reuse: bool,
    /// The last keys read, and when.
    last: Arc<std::sync::Mutex<Option<(std::time::Instant, Credentials)>>>,
}

impl fmt::Debug for EnvProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnvProvider")
            .field("vars", &self.vars)
            .finish()
    }
}

impl EnvProvider {
    /// Reads `vars` from the process environment.
    pub fn new(vars: EnvVars) -> Self {
        Self::from_env(vars, Env::process())
    }

    /// Reads `vars` from `env`.
    pub fn from_env(vars: EnvVars, env: Env) -> Self {
        EnvProvider {
            vars,
            reuse: env.lookup.is_none(),
            env,
            last: Arc::default(),
        }
    }

    /// Reads `vars` through `lookup` (for tests, or another source of variables).
    pub fn with_lookup(
        vars: EnvVars,
        lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static,
    ) -> Self {
        Self::from_env(vars, Env::from_fn(lookup))
    }

    fn get(&self, name: &str) -> Option<String> {
        self.env.get(name)
    }
}

#[async_trait]
impl ProvideCredentials for EnvProvider {
    async fn provide(&self) -> Result<Credentials, Error> {
        self.read_reusing()
    }

    fn provide_now(&self) -> Option<Result<Credentials, Error>> {
        Some(self.read_reusing())
    }

    fn describe(&self) -> String {
        format!("environment ({})", self.vars.access_key_id)
    }
}

impl EnvProvider {
    /// The security token, from whichever of its variables are set; they must agree.
    fn token(&self) -> Result<Option<String>, Error> {
        let mut found: Option<(&str, String)> = None;
        for name in self.vars.security_token {
            let Some(value) = self.get(name) else {
                continue;
            };
            match &found {
                None => found = Some((name, value)),
                Some((first, v)) if *v != value => {
                    return Err(Error::new(
                        ErrorKind::Credentials,
                        format!(
                            "{first} and {name} are both set, to different security tokens: \
                             unset one of them"
                        ),
                    ));
                }
                Some(_) => {}
            }
        }
        Ok(found.map(|(_, v)| v))
    }

    /// [`read`](Self::read), or the keys it gave less than [`PROCESS_REREAD_AFTER`] ago
    /// when the variables are the process's (errors are never reused).
    fn read_reusing(&self) -> Result<Credentials, Error> {
        if !self.reuse {
            return self.read();
        }
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((at, keys)) = &*last
            && at.elapsed() < PROCESS_REREAD_AFTER
        {
            return Ok(keys.clone());
        }
        let read = self.read();
        *last = read
            .as_ref()
            .ok()
            .map(|keys| (std::time::Instant::now(), keys.clone()));
        read
    }

    fn read(&self) -> Result<Credentials, Error> {
        let v = &self.vars;
        match (self.get(v.access_key_id), self.get(v.secret)) {
            (Some(id), Some(secret)) => {
                let key = match self.token()? {
                    Some(token) => AccessKey::temporary(id, secret, token),
                    None => AccessKey::new(id, secret),
                };
                key.validate()?;
                Ok(Credentials::AccessKey(key))
            }
            (id, _) => {
                let missing = if id.is_none() {
                    v.access_key_id
                } else {
                    v.secret
                };
                let mut msg = format!(
                    "no credentials found: set {} and {}",
                    v.access_key_id, v.secret
                );
                if !v.security_token.is_empty() {
                    msg.push_str(&format!(
                        " (and {} for temporary keys)",
                        v.security_token.join(" or ")
                    ));
                }
                msg.push_str(&format!("; {missing} is not set"));
                Err(not_found(msg))
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    #[cfg(any(feature = "tencent", feature = "aliyun"))]
    use super::*;
    #[cfg(any(feature = "tencent", feature = "aliyun"))]
    use crate::credentials::Secret;
    use std::collections::HashMap;

    pub(crate) fn env(
        pairs: &[(&str, &str)],
    ) -> impl Fn(&str) -> Option<String> + Send + Sync + 'static {
        let m: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| m.get(k).cloned()
    }

    /// Keys read from the process environment are reused for a second; an error is not (a
    /// missing variable is looked for again on the next call). The process environment
    /// cannot be changed from a test (`set_var` is unsafe), so a counting lookup stands in
    /// for it with reuse on, as `EnvProvider::new` sets it.
    #[test]
    #[cfg(feature = "aliyun")]
    fn process_keys_are_reused_for_a_second_and_errors_never() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let reads = Arc::new(AtomicUsize::new(0));
        let set = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (r, on) = (reads.clone(), set.clone());
        let mut p = EnvProvider::with_lookup(EnvVars::ALIYUN, move |k| {
            r.fetch_add(1, Ordering::Relaxed);
            match k {
                _ if !on.load(Ordering::Relaxed) => None,
                "ALIBABA_CLOUD_ACCESS_KEY_ID" => Some("LTAI".into()),
                "ALIBABA_CLOUD_ACCESS_KEY_SECRET" => Some("sec".into()),
                _ => None,
            }
        });
        assert!(!p.reuse, "a custom Env is read every time");
        assert!(EnvProvider::new(EnvVars::ALIYUN).reuse);
        p.reuse = true;
        assert!(p.read_reusing().is_err());
        let after_error = reads.load(Ordering::Relaxed);
        assert!(p.read_reusing().is_err());
        assert!(
            reads.load(Ordering::Relaxed) > after_error,
            "errors are not kept"
        );
        set.store(true, Ordering::Relaxed);
        let first = p.read_reusing().expect("keys");
        let after_first = reads.load(Ordering::Relaxed);
        for _ in 0..100 {
            let again = p.read_reusing().expect("keys");
            assert_eq!(
                again.access_key().map(AccessKey::id),
                first.access_key().map(AccessKey::id)
            );
        }
        assert_eq!(
            reads.load(Ordering::Relaxed),
            after_first,
            "reused, not read again"
        );
        // A clone shares what was read.
        let _ = p.clone().read_reusing().expect("keys");
        assert_eq!(reads.load(Ordering::Relaxed), after_first);
        // Older than the reuse window: read again.
        *p.last.lock().expect("lock") =
            Some((std::time::Instant::now() - PROCESS_REREAD_AFTER, first));
        let _ = p.read_reusing().expect("keys");
        assert!(reads.load(Ordering::Relaxed) > after_first);
    }

    #[tokio::test]
    #[cfg(feature = "aliyun")]
    async fn env_reads_vendor_variables_with_optional_token() {
        let p = EnvProvider::with_lookup(
            EnvVars::ALIYUN,
            env(&[
                ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI"),
                ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "sec"),
                ("ALIBABA_CLOUD_SECURITY_TOKEN", "tok"),
            ]),
        );
        let c = p.provide().await.expect("creds");
        let k = c.access_key().expect("key");
        assert_eq!(k.id(), "LTAI");
        assert_eq!(k.security_token().map(Secret::expose), Some("tok"));
    }

    #[tokio::test]
    #[cfg(feature = "tencent")]
    async fn missing_credentials_name_the_variables() {
        let p =
            EnvProvider::with_lookup(EnvVars::TENCENT, env(&[("TENCENTCLOUD_SECRET_ID", "id")]));
        let e = p.provide().await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Credentials);
        assert!(e.message().contains("TENCENTCLOUD_SECRET_ID"), "{e}");
        assert!(
            e.message().contains("TENCENTCLOUD_SECRET_KEY is not set"),
            "{e}"
        );
    }

    #[test]
    #[cfg(feature = "tencent")]
    fn tencent_reads_every_token_name_and_refuses_a_conflict() {
        for name in [
            "TENCENTCLOUD_SESSION_TOKEN",
            "TENCENTCLOUD_SECURITY_TOKEN",
            "TENCENTCLOUD_TOKEN",
        ] {
            let p = EnvProvider::with_lookup(
                EnvVars::TENCENT,
                env(&[
                    ("TENCENTCLOUD_SECRET_ID", "AKID123"),
                    ("TENCENTCLOUD_SECRET_KEY", "sk"),
                    (name, "tok"),
                ]),
            );
            let Ok(Credentials::AccessKey(k)) = p.read() else {
                panic!("{name}: an access key")
            };
            assert_eq!(
                k.security_token().map(Secret::expose),
                Some("tok"),
                "{name}"
            );
        }
        // Two names, one value: fine. Two values: an error naming both, showing neither.
        let same = EnvProvider::with_lookup(
            EnvVars::TENCENT,
            env(&[
                ("TENCENTCLOUD_SECRET_ID", "AKID123"),
                ("TENCENTCLOUD_SECRET_KEY", "sk"),
                ("TENCENTCLOUD_SECURITY_TOKEN", "tok"),
                ("TENCENTCLOUD_TOKEN", "tok"),
            ]),
        );
        assert!(same.read().is_ok());
        let conflict = EnvProvider::with_lookup(
            EnvVars::TENCENT,
            env(&[
                ("TENCENTCLOUD_SECRET_ID", "AKID123"),
                ("TENCENTCLOUD_SECRET_KEY", "sk"),
                ("TENCENTCLOUD_SESSION_TOKEN", "token-one"),
                ("TENCENTCLOUD_TOKEN", "token-two"),
            ]),
        );
        let e = conflict.read().expect_err("a conflict");
        assert_eq!(e.kind(), ErrorKind::Credentials);
        let msg = e.to_string();
        assert!(
            msg.contains("TENCENTCLOUD_SESSION_TOKEN") && msg.contains("TENCENTCLOUD_TOKEN"),
            "{msg}"
        );
        assert!(
            !msg.contains("token-one") && !msg.contains("token-two"),
            "{msg}"
        );
    }
}
