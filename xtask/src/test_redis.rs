//! The `redis-server` that `cargo xtask test` (and so `cargo xtask ci`) gives the tests of the
//! shared rate limit (`tests/it/shared_limit.rs`): installed from Debian's packages when it is
//! missing, started on a free loopback port, killed after the step.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Why the binary is needed, and the other ways to give it.
const NEEDED: &str = "The tests of the shared rate limit need a real Redis: install the \
    Debian package `redis-server` (apt-get install redis-server), or set CERT_TEST_REDIS_URL \
    to a running Redis";

/// Makes sure `redis-server` is on `PATH`: when it is not, installs the Debian package
/// `redis-server` with `apt-get` (through `sudo` when not root), so the README's test command
/// works on a fresh machine. Fails, saying why, when it cannot: the tests never run without
/// Redis.
pub fn ensure_installed() -> Result<(), String> {
    if on_path("redis-server") {
        return Ok(());
    }
    if !on_path("apt-get") {
        return Err(format!(
            "redis-server is not on PATH and there is no apt-get to install it. {NEEDED}"
        ));
    }
    eprintln!("==> redis-server is not installed: installing the Debian package redis-server");
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0");
    let apt = |args: &[&str]| -> Result<(), String> {
        let mut cmd = if root {
            Command::new("apt-get")
        } else {
            let mut c = Command::new("sudo");
            c.arg("apt-get");
            c
        };
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        let status = cmd
            .status()
            .map_err(|e| format!("cannot run apt-get: {e}. {NEEDED}"))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!(
                "`apt-get {}` failed ({status}). {NEEDED}",
                args.join(" ")
            ))
        }
    };
    apt(&["update", "-qq"])?;
    apt(&[
        "install",
        "-y",
        "-qq",
        "--no-install-recommends",
        "redis-server",
    ])?;
    if on_path("redis-server") {
        Ok(())
    } else {
        Err(format!(
            "redis-server is still not on PATH after installing the package. {NEEDED}"
        ))
    }
}

/// Whether `program` is a file in one of `PATH`'s directories.
fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
}

/// A `redis-server` child process on `127.0.0.1`, without persistence; killed when dropped.
pub struct TestRedis {
    pub child: Child,
    pub url: String,
}

impl TestRedis {
    /// Starts one on a free port and waits until it answers `PING`.
    pub fn start() -> Result<TestRedis, String> {
        let mut last = String::new();
        // A port found free may be taken before redis-server binds it: try a few.
        for _ in 0..5 {
            let port = TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .map(|a| a.port())
                .map_err(|e| format!("no free loopback port for redis-server: {e}"))?;
            let child = Command::new("redis-server")
                .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
                .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
                .args(["--loglevel", "warning"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn();
            let child = match child {
                Ok(c) => c,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    return Err(format!("redis-server is not on PATH. {NEEDED}"));
                }
                Err(e) => return Err(format!("cannot run redis-server: {e}")),
            };
            let mut redis = TestRedis {
                child,
                url: format!("redis://127.0.0.1:{port}/"),
            };
            let deadline = Instant::now() + Duration::from_secs(10);
            loop {
                if ping(port) {
                    return Ok(redis);
                }
                if let Ok(Some(status)) = redis.child.try_wait() {
                    last = format!("redis-server on port {port} exited: {status}");
                    break;
                }
                if Instant::now() > deadline {
                    last = format!("redis-server on port {port} did not answer PING in 10 s");
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            drop(redis);
        }
        Err(last)
    }
}

impl Drop for TestRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether a Redis on `port` answers `PING` with `+PONG`.
fn ping(port: u16) -> bool {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let Ok(mut s) = TcpStream::connect_timeout(&addr, Duration::from_millis(200)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_millis(500)));
    let mut answer = [0u8; 7];
    s.write_all(b"PING\r\n").is_ok() && s.read_exact(&mut answer).is_ok() && &answer == b"+PONG\r\n"
}
