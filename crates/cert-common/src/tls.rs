//! Where the default transport's TLS trust comes from.
//!
//! - By default, the platform's verifier (`rustls-platform-verifier`: the OS trust store; on
//!   Linux the system bundle, which `SSL_CERT_FILE` and `SSL_CERT_DIR` can point elsewhere).
//! - With the cargo feature `webpki-roots`, Mozilla's roots bundled into the binary instead
//!   (the `webpki-roots` crate, as reqwest's and aws-sdk-rust's option of the same name): for
//!   minimal containers that have no trust store.
//! - Either way, extra roots from a PEM bundle: [`ClientOptions::ca_bundle`], else the file
//!   `SSL_CERT_FILE` names (the conventional variable), for corporate networks whose proxies
//!   re-sign TLS. They are added to the roots above. (On Linux the platform verifier itself
//!   reads a set `SSL_CERT_FILE` as the whole system store, as OpenSSL does; an explicit
//!   bundle adds to the system store.)
//!
//! A bundle that cannot be read, or holds no certificate, is a configuration error naming the
//! file, before anything is sent.
//!
//! [`ClientOptions::ca_bundle`]: crate::ClientOptions::ca_bundle

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

use crate::credentials::Env;
use crate::error::Error;

/// The conventional variable naming a PEM bundle of trusted roots.
pub const SSL_CERT_FILE: &str = "SSL_CERT_FILE";

/// The most bytes of a CA bundle read (the Mozilla bundle is about 250 KiB).
const MAX_BUNDLE: u64 = 8 * 1024 * 1024;

/// The trust of one transport: extra roots on top of the default source.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Trust {
    /// A PEM bundle of extra roots.
    pub ca_bundle: Option<PathBuf>,
}

impl Trust {
    /// `explicit`, else the file `SSL_CERT_FILE` names in `env`.
    pub fn resolve(explicit: Option<PathBuf>, env: &Env) -> Self {
        Trust {
            ca_bundle: explicit.or_else(|| env.get(SSL_CERT_FILE).map(PathBuf::from)),
        }
    }

    /// The extra roots, read now.
    pub fn extra_roots(&self) -> Result<Vec<CertificateDer<'static>>, Error> {
        match &self.ca_bundle {
            Some(path) => read_bundle(path),
            None => Ok(Vec::new()),
        }
    }
}

/// The certificates of a PEM bundle; errors name the file.
pub fn read_bundle(path: &Path) -> Result<Vec<CertificateDer<'static>>, Error> {
    use std::io::Read;
    let fail = |why: String| Error::config(format!("CA bundle {}: {why}", path.display()));
    let file = std::fs::File::open(path).map_err(|e| fail(e.to_string()))?;
    let mut bytes = Vec::new();
    file.take(MAX_BUNDLE)
        .read_to_end(&mut bytes)
        .map_err(|e| fail(e.to_string()))?;
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<_, _>>()
        .map_err(|e| fail(format!("not a PEM bundle ({e})")))?;
    if certs.is_empty() {
        return Err(fail("holds no certificate".into()));
    }
    Ok(certs)
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The rustls client configuration of `trust` (see the module's documentation).
pub fn client_config(trust: &Trust) -> Result<rustls::ClientConfig, Error> {
    let extra = trust.extra_roots()?;
    let builder = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::config(format!("TLS setup failed: {e}")))?;
    #[cfg(feature = "webpki-roots")]
    {
        let mut roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        let (_, bad) = roots.add_parsable_certificates(extra);
        if bad > 0 {
            return Err(Error::config(format!(
                "CA bundle {}: {bad} certificate(s) are not valid roots",
                trust
                    .ca_bundle
                    .as_deref()
                    .map_or("(none)".into(), |p| p.display().to_string())
            )));
        }
        Ok(builder.with_root_certificates(roots).with_no_client_auth())
    }
    #[cfg(not(feature = "webpki-roots"))]
    {
        let verifier = rustls_platform_verifier::Verifier::new_with_extra_roots(extra, provider())
            .map_err(|e| Error::config(format!("TLS certificate verifier setup failed: {e}")))?;
        Ok(builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_trust_builds_a_configuration() {
        assert!(client_config(&Trust::default()).is_ok());
    }

    #[test]
    fn bundles_that_hold_no_certificate_are_errors_naming_the_file() {
        let dir = std::env::temp_dir().join(format!("tls-bundle-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let f = dir.join("empty.pem");
        std::fs::write(&f, "no pem here\n").expect("write");
        let e = read_bundle(&f).expect_err("no certificate");
        assert!(
            e.message().contains("empty.pem") && e.message().contains("no certificate"),
            "{e}"
        );
        let e = read_bundle(&dir.join("missing.pem")).expect_err("missing");
        assert!(e.message().contains("missing.pem"), "{e}");
        let env = Env::from_fn(|k| (k == SSL_CERT_FILE).then(|| "/etc/corp.pem".to_string()));
        assert_eq!(
            Trust::resolve(None, &env).ca_bundle.as_deref(),
            Some(Path::new("/etc/corp.pem"))
        );
        assert_eq!(
            Trust::resolve(Some("/x.pem".into()), &env)
                .ca_bundle
                .as_deref(),
            Some(Path::new("/x.pem"))
        );
    }
}
