//! A real `redis-server` for the shared rate limit tests (`tests/it/shared_limit.rs`).
//!
//! [`RedisServer::start`] runs one of its own on a free loopback port, for a test that must
//! stop it; [`shared`] gives the server `cargo xtask test` started (its URL is in
//! `CERT_TEST_REDIS_URL`) or else starts one for the caller. Both need the `redis-server`
//! binary (Debian package `redis-server`): without it they panic, naming the package, so a
//! test never passes without Redis.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The variable `cargo xtask test` sets to the URL of the Redis it started.
pub const URL_VAR: &str = "CERT_TEST_REDIS_URL";

/// What a missing binary means, and how to get it.
const MISSING: &str = "redis-server is not installed: the shared rate limit tests need a real \
    Redis. Install the Debian package `redis-server` (apt-get install redis-server; \
    `cargo xtask test` does this), or point CERT_TEST_REDIS_URL at a running Redis for the tests that share one";

/// A `redis-server` child process on `127.0.0.1`, killed when dropped.
#[derive(Debug)]
pub struct RedisServer {
    child: Option<Child>,
    port: u16,
}

impl RedisServer {
    /// Starts `redis-server` on a free loopback port (no persistence, in the foreground of
    /// a child process) and waits until it answers `PING`.
    ///
    /// # Panics
    /// When the binary is missing (the message names the Debian package) or the server does
    /// not answer within 10 s.
    pub fn start() -> RedisServer {
        // A port found free may be taken before redis-server binds it: try a few.
        let mut last = String::new();
        for _ in 0..5 {
            let port = free_port();
            match Self::start_on(port) {
                Ok(server) => return server,
                Err(e) => last = e,
            }
        }
        panic!("redis-server did not start: {last}");
    }

    /// Starts `redis-server` on `port`, or says why it did not answer.
    ///
    /// # Panics
    /// When the binary is missing (the message names the Debian package).
    pub fn start_on(port: u16) -> Result<RedisServer, String> {
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--loglevel",
                "warning",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let child = match child {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!("{MISSING}"),
            Err(e) => panic!("cannot run redis-server: {e}"),
        };
        let mut server = RedisServer {
            child: Some(child),
            port,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if ping(port) {
                return Ok(server);
            }
            if let Some(child) = server.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                server.child = None;
                return Err(format!("redis-server on port {port} exited: {status}"));
            }
            if Instant::now() > deadline {
                server.stop();
                return Err(format!(
                    "redis-server on port {port} did not answer PING in 10 s"
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// `redis://127.0.0.1:<port>/`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Kills the server (SIGKILL: an outage as abrupt as a crash) and waits for it to exit.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Whether it still runs.
    pub fn is_running(&self) -> bool {
        self.child.is_some()
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A Redis for tests that share one: the one named by `CERT_TEST_REDIS_URL`, or else one of
/// the caller's own (kept running as long as the returned value lives).
#[derive(Debug)]
pub struct TestRedis {
    url: String,
    _own: Option<RedisServer>,
}

impl TestRedis {
    /// The URL to connect to.
    pub fn url(&self) -> &str {
        &self.url
    }
}

/// The shared Redis (`CERT_TEST_REDIS_URL`, set by `cargo xtask test`), or a new one of the
/// caller's own. Tests sharing one must use their own key prefixes ([`unique_prefix`]).
///
/// # Panics
/// When no URL is set and `redis-server` is missing.
pub fn shared() -> TestRedis {
    match std::env::var(URL_VAR) {
        Ok(url) if !url.trim().is_empty() => TestRedis {
            url: url.trim().to_string(),
            _own: None,
        },
        _ => {
            let server = RedisServer::start();
            TestRedis {
                url: server.url(),
                _own: Some(server),
            }
        }
    }
}

/// A key prefix no other test (or earlier run) uses: `cert-test:<name>:<pid>:<nanos>:`.
pub fn unique_prefix(name: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("cert-test:{name}:{}:{nanos}:", std::process::id())
}

/// A loopback port nothing listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// Whether a Redis on `port` answers `PING` with `+PONG`.
fn ping(port: u16) -> bool {
    let Ok(mut s) = TcpStream::connect_timeout(
        &std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        Duration::from_millis(200),
    ) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_millis(500)));
    if s.write_all(b"PING\r\n").is_err() {
        return false;
    }
    let mut buf = [0u8; 7];
    s.read_exact(&mut buf).is_ok() && &buf == b"+PONG\r\n"
}
