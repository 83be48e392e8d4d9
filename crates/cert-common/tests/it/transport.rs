//! The reqwest transport against a loopback mock server.

use std::time::Duration;

use cert_common::error::ErrorKind;
use cert_common::http::HttpRequest;
use cert_common::transport::{HttpSend, ReqwestTransport, TransportConfig};
use httpmock::prelude::*;

fn transport(connect: Duration) -> ReqwestTransport {
    ReqwestTransport::new(
        TransportConfig::default().with_connect_timeout(connect),
        "cloud-cert-sdk-rust/test",
    )
    .expect("transport")
}

fn request(server: &MockServer, method: &str, path: &str) -> HttpRequest {
    HttpRequest::new(method, "http", &server.address().to_string(), path)
}

#[tokio::test]
async fn sends_exact_method_path_query_headers_and_body() {
    let server = MockServer::start_async().await;
    let m = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v3/p/elb/certificates/batch-delete")
                .query_param("a", "b c")
                .header("content-type", "application/json;charset=utf-8")
                .header("x-custom", "Hello  World")
                .header("user-agent", "cloud-cert-sdk-rust/test")
                .body(r#"{"certificates": ["x"]}"#);
            then.status(200).header("X-Request-Id", "rid").body("{}");
        })
        .await;
    let mut req = request(&server, "POST", "/v3/p/elb/certificates/batch-delete");
    req.query = "a=b%20c".into();
    req.set_header("Content-Type", "application/json;charset=utf-8");
    req.set_header("X-Custom", "Hello  World");
    req.body = br#"{"certificates": ["x"]}"#.to_vec().into();
    let resp = transport(Duration::from_secs(5))
        .send(req)
        .await
        .expect("sent");
    m.assert_async().await;
    assert_eq!(resp.status, 200);
    assert_eq!(resp.header("x-request-id"), Some("rid"));
}

#[tokio::test]
async fn percent_encoded_path_segments_are_sent_as_is() {
    let server = MockServer::start_async().await;
    let m = server
        .mock_async(|when, then| {
            when.method(DELETE)
                .path("/v2/p/apigw/certificates/a%2F..%2Fb");
            then.status(204);
        })
        .await;
    let req = request(&server, "DELETE", "/v2/p/apigw/certificates/a%2F..%2Fb");
    let resp = transport(Duration::from_secs(5))
        .send(req)
        .await
        .expect("sent");
    assert_eq!(resp.status, 204);
    m.assert_async().await;
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/");
            then.status(302)
                .header("Location", "http://127.0.0.1:1/elsewhere");
        })
        .await;
    let resp = transport(Duration::from_secs(5))
        .send(request(&server, "POST", "/"))
        .await
        .expect("sent");
    assert_eq!(resp.status, 302);
}

#[tokio::test]
async fn a_slow_server_is_an_attempt_timeout_that_may_have_applied() {
    use std::sync::Arc;

    use cert_common::RetryConfig;
    use cert_common::credentials::{AccessKey, StaticProvider};
    use cert_common::error::Provider;
    use cert_common::runtime::{ClientOptions, Operation, Runtime};

    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/");
            then.status(200).delay(Duration::from_millis(1500));
        })
        .await;
    let options = ClientOptions::default()
        .timeouts(
            TransportConfig::default()
                .with_connect_timeout(Duration::from_secs(2))
                .with_attempt_timeout(Duration::from_millis(200)),
        )
        .retry(RetryConfig::disabled());
    let runtime = Runtime::new(
        options,
        Arc::new(StaticProvider::new(AccessKey::new("ak", "sk"))),
        None,
        "test",
        "0",
    )
    .expect("runtime");
    let op = Operation {
        provider: Provider::Huawei,
        action: "Slow",
        signs_nonce: false,
    };
    let started = std::time::Instant::now();
    let e = runtime
        .execute(op, |_| Ok(request(&server, "POST", "/")), |_, _| Ok(()))
        .await
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_millis(1200),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(e.kind(), ErrorKind::RetriesExhausted, "{e}");
    let last = e.last_error().expect("the attempt's error");
    assert_eq!(last.kind(), ErrorKind::Timeout, "{e}");
    assert!(last.message().contains("attempt timeout (200 ms)"), "{e}");
    assert!(e.may_have_applied());
}

#[tokio::test]
async fn a_refused_connection_never_reached_the_server() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    let req = HttpRequest::new("POST", "http", &addr.to_string(), "/");
    let e = transport(Duration::from_secs(1))
        .send(req)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport, "{e}");
    assert!(!e.may_have_applied());
}

/// A keep-alive HTTP/1.1 server on loopback that answers every request with `200 {}` and
/// records how many requests each connection carried.
fn counting_server() -> (
    std::net::SocketAddr,
    std::sync::Arc<std::sync::Mutex<Vec<usize>>>,
) {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let per_connection = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let counts = per_connection.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let counts = counts.clone();
            let slot = {
                let mut c = counts.lock().expect("counts");
                c.push(0);
                c.len() - 1
            };
            std::thread::spawn(move || {
                let mut writer = stream.try_clone().expect("clone");
                let mut reader = BufReader::new(stream);
                let mut line = String::new();
                loop {
                    // The request head, up to its empty line (these requests have no body).
                    line.clear();
                    match reader.read_line(&mut line) {
                        Ok(0) | Err(_) => return,
                        Ok(_) if line == "\r\n" => {
                            counts.lock().expect("counts")[slot] += 1;
                            let answer = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}";
                            if writer.write_all(answer.as_bytes()).is_err() {
                                return;
                            }
                        }
                        Ok(_) => {}
                    }
                }
            });
        }
    });
    (addr, per_connection)
}

/// Two threads, each running its own current-thread runtime, send in turns (one thread's
/// request settles before the other's starts, and both runtimes keep running). A shared pool
/// would hand the second thread the first one's idle connection; with `pool_per_thread` each
/// thread keeps to connections of its own.
fn send_in_turns(per_thread: bool) -> Vec<usize> {
    let (addr, per_connection) = counting_server();
    let transport = std::sync::Arc::new(
        ReqwestTransport::new(
            TransportConfig::default().with_pool_per_thread(per_thread),
            "cloud-cert-sdk-rust/test",
        )
        .expect("transport"),
    );
    let (to_b, b_turn) = tokio::sync::mpsc::unbounded_channel::<()>();
    let (to_a, a_turn) = tokio::sync::mpsc::unbounded_channel::<()>();
    let rounds = 5;
    let spawn = |name: &str,
                 first: bool,
                 tx: tokio::sync::mpsc::UnboundedSender<()>,
                 mut rx: tokio::sync::mpsc::UnboundedReceiver<()>| {
        let transport = transport.clone();
        std::thread::Builder::new()
            .name(name.to_string())
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("runtime");
                rt.block_on(async move {
                    for _ in 0..rounds {
                        if !first {
                            rx.recv().await.expect("turn");
                        }
                        let req = HttpRequest::new("GET", "http", &addr.to_string(), "/");
                        let answer = transport.send(req).await.expect("answer");
                        assert_eq!(answer.status, 200);
                        // Time for the connection to go back to its pool before the other's turn.
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        let _ = tx.send(());
                        if first {
                            rx.recv().await.expect("turn");
                        }
                    }
                    // Keep this runtime (and its connections) running until the other is done.
                    tokio::time::sleep(Duration::from_millis(200)).await;
                });
            })
            .expect("thread")
    };
    let a = spawn("a", true, to_b, a_turn);
    let b = spawn("b", false, to_a, b_turn);
    a.join().expect("thread a");
    b.join().expect("thread b");
    let counts = per_connection.lock().expect("counts").clone();
    counts.into_iter().filter(|n| *n > 0).collect()
}

#[test]
fn a_pool_per_thread_keeps_each_thread_on_its_own_connections() {
    assert_eq!(
        send_in_turns(true),
        [5, 5],
        "one connection per thread, 5 requests each"
    );
    // The control: one shared pool hands the idle connection from thread to thread.
    assert_eq!(
        send_in_turns(false),
        [10],
        "one connection for both threads"
    );
}
