//! A loopback HTTPS server whose certificate comes from a CA the test makes: for the TLS
//! trust tests. It answers every request with one fixed JSON body (an Alibaba Cloud CAS
//! success), so a client that trusts the CA sees a delete succeed.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// A running TLS server and the files a client would be given.
#[derive(Debug)]
pub struct TlsServer {
    /// `https://localhost:<port>`.
    pub url: String,
    /// The test CA's certificate, PEM (the bundle to trust).
    pub ca_pem: PathBuf,
    /// Requests answered.
    pub answered: Arc<AtomicUsize>,
}

/// Starts the server on an ephemeral loopback port; files go to `dir`.
pub fn start(dir: &Path) -> TlsServer {
    let ca_key = KeyPair::generate().expect("CA key");
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "cert-sdk test CA");
    let ca_cert = ca_params.self_signed(&ca_key).expect("CA certificate");
    let issuer = Issuer::new(ca_params, ca_key);
    let leaf_key = KeyPair::generate().expect("leaf key");
    let leaf_params = CertificateParams::new(vec!["localhost".to_string()]).expect("leaf params");
    let leaf = leaf_params
        .signed_by(&leaf_key, &issuer)
        .expect("leaf certificate");

    std::fs::create_dir_all(dir).expect("dir");
    let ca_pem = dir.join("test-ca.pem");
    std::fs::write(&ca_pem, ca_cert.pem()).expect("write CA");

    let chain: Vec<CertificateDer<'static>> = vec![leaf.der().clone()];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("versions")
    .with_no_client_auth()
    .with_single_cert(chain, key)
    .expect("server config");
    let config = Arc::new(config);

    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let answered = Arc::new(AtomicUsize::new(0));
    let count = answered.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let config = config.clone();
            let count = count.clone();
            std::thread::spawn(move || {
                let Ok(conn) = rustls::ServerConnection::new(config) else {
                    return;
                };
                let mut tls = rustls::StreamOwned::new(conn, stream);
                serve(&mut tls, &count);
            });
        }
    });
    TlsServer {
        url: format!("https://localhost:{port}"),
        ca_pem,
        answered,
    }
}

/// Reads one request (head and `Content-Length` body) and answers it; a failed handshake
/// (an untrusting client) just ends here.
fn serve(stream: &mut (impl Read + Write), count: &AtomicUsize) {
    let mut reader = BufReader::new(&mut *stream);
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':')
            && k.eq_ignore_ascii_case("content-length")
        {
            length = v.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0u8; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    drop(reader);
    let answer = br#"{"RequestId":"TLS-TEST-0001"}"#;
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        answer.len()
    );
    if stream.write_all(head.as_bytes()).is_ok() && stream.write_all(answer).is_ok() {
        let _ = stream.flush();
        count.fetch_add(1, Ordering::SeqCst);
    }
}
