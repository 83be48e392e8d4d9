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
