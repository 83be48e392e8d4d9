//! The provider-neutral `Deleter` view.

use cert_common::time::ManualClock;
use cert_common::{Deleter, RateLimit};
use httpmock::prelude::*;
use tencent_ssl::ErrorKind;

use crate::common::{mock_client, success_body};

#[tokio::test]
async fn plan_lists_batches_and_delete_reports_the_ids_as_given() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).body(r#"{"CSRIds": [11, 22]}"#);
            then.status(200).body(success_body(&[11], "rid-d"));
        })
        .await;
    let clock = ManualClock::at_unix(1_700_000_000);
    let client = mock_client(&server.base_url(), &clock, RateLimit::Off);
    assert_eq!(client.name(), "tencent-ssl");

    let many: Vec<String> = (1..=201).map(|i| i.to_string()).collect();
    let plan = client.plan(&many).expect("plan");
    assert_eq!(plan.len(), 3);
    assert_eq!(plan[2].ids, vec!["201".to_string()]);
    assert_eq!(plan[0].method, "POST");
    assert_eq!(
        plan[0].target,
        format!("{}/ BatchDeleteCSR", server.base_url())
    );

    // Another spelling of an id is refused before anything is sent.
    for bad in ["011", "+11", " 11"] {
        let e = client
            .delete(&[bad.to_string(), "22".to_string()])
            .await
            .expect_err(bad);
        assert_eq!(e.kind(), cert_common::ErrorKind::InvalidInput, "{bad}");
    }
    mock.assert_calls_async(0).await;
    let report = client
        .delete(&["11".to_string(), "22".to_string(), "11".to_string()])
        .await
        .expect("delete");
    mock.assert_calls_async(1).await;
    let ids: Vec<&str> = report.items().iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["11", "22"]);
    assert_eq!(report.items()[0].outcome.as_str(), "deleted");
    assert_eq!(report.items()[1].outcome.as_str(), "unconfirmed");
}

#[tokio::test]
async fn non_integer_ids_are_invalid_and_nothing_is_sent() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(200).body(success_body(&[], "r"));
        })
        .await;
    let clock = ManualClock::at_unix(1_700_000_000);
    let client = mock_client(&server.base_url(), &clock, RateLimit::Off);
    for bad in [vec!["abc"], vec!["1", "-1"], vec!["1.5"], vec![""], vec![]] {
        let ids: Vec<String> = bad.iter().map(|s| s.to_string()).collect();
        assert_eq!(
            client.plan(&ids).unwrap_err().kind(),
            ErrorKind::InvalidInput,
            "{bad:?}"
        );
        assert_eq!(
            client.delete(&ids).await.unwrap_err().kind(),
            ErrorKind::InvalidInput,
            "{bad:?}"
        );
    }
    any.assert_calls_async(0).await;
}

/// Counts the requests in flight, holding each until `gate` are in flight at once (or
/// `wait` passes), then answers each batch with all its ids deleted. With the gate one above a
/// bound, the bound shows exactly: fewer never meet the gate, more would pass it.
#[derive(Debug)]
struct Overlapping {
    gate: usize,
    wait: std::time::Duration,
    now: std::sync::atomic::AtomicUsize,
    max: std::sync::atomic::AtomicUsize,
    full: tokio::sync::Notify,
}

impl Overlapping {
    fn new(gate: usize, wait: std::time::Duration) -> std::sync::Arc<Self> {
        std::sync::Arc::new(Overlapping {
            gate,
            wait,
            now: Default::default(),
            max: Default::default(),
            full: tokio::sync::Notify::new(),
        })
    }
}

#[async_trait::async_trait]
impl cert_common::transport::HttpSend for Overlapping {
    async fn send(
        &self,
        request: cert_common::http::HttpRequest,
    ) -> Result<cert_common::http::HttpResponse, cert_common::Error> {
        use std::sync::atomic::Ordering;
        let full = self.full.notified();
        let n = self.now.fetch_add(1, Ordering::SeqCst) + 1;
        self.max.fetch_max(n, Ordering::SeqCst);
        if n >= self.gate {
            self.full.notify_waiters();
        } else {
            let _ = tokio::time::timeout(self.wait, full).await;
        }
        self.now.fetch_sub(1, Ordering::SeqCst);
        let body: serde_json::Value = serde_json::from_slice(&request.body).expect("json body");
        let ids: Vec<u64> = serde_json::from_value(body["CSRIds"].clone()).expect("ids");
        Ok(cert_common::http::HttpResponse::new(
            200,
            success_body(&ids, "rid").into_bytes(),
        ))
    }
}

fn client_over(
    http: std::sync::Arc<Overlapping>,
    concurrency: Option<usize>,
) -> tencent_ssl::Client {
    let clock = ManualClock::at_unix(1_700_000_000);
    let options = cert_common::test_util::manual_options(&clock)
        .http(http)
        .rate_limit(RateLimit::Off);
    let options = match concurrency {
        Some(n) => options.max_concurrency(n),
        None => options,
    };
    tencent_ssl::Client::new(
        tencent_ssl::Config::builder()
            .endpoint("https://ssl.tencentcloudapi.com")
            .credentials(cert_common::credentials::AccessKey::new(
                crate::common::SECRET_ID,
                crate::common::SECRET_KEY,
            ))
            .options(options)
            .build(),
    )
    .expect("client")
}

/// `ClientOptions::max_concurrency` bounds the batches one `send()` keeps in flight and is
/// the streaming default; unset, the crate's `DEFAULT_CONCURRENCY` (16) applies.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_options_concurrency_bounds_batches_in_flight() {
    use std::sync::atomic::Ordering;
    let ids: Vec<u64> = (1..=1_000).collect(); // 10 batches of 100
    for n in [1, 3] {
        // The gate is never met: each request waits out the short wait.
        let http = Overlapping::new(n + 1, std::time::Duration::from_millis(60));
        let client = client_over(http.clone(), Some(n));
        assert_eq!(client.stream_concurrency(), n);
        let out = client
            .batch_delete_csr()
            .csr_ids(ids.clone())
            .send()
            .await
            .expect("sent");
        assert_eq!(out.report().totals().deleted, 1_000);
        assert_eq!(http.max.load(Ordering::SeqCst), n, "at {n}");
    }
    // Unset: all 10 batches at once (the default is 16).
    let http = Overlapping::new(10, std::time::Duration::from_secs(10));
    let client = client_over(http.clone(), None);
    assert_eq!(
        client.stream_concurrency(),
        tencent_ssl::DEFAULT_CONCURRENCY
    );
    let out = client
        .batch_delete_csr()
        .csr_ids(ids)
        .send()
        .await
        .expect("sent");
    assert_eq!(out.report().totals().deleted, 1_000);
    assert_eq!(http.max.load(Ordering::SeqCst), 10);
}
