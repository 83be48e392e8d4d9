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
