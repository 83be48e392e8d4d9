//! Bad input is refused before anything is sent; no id can reach another path.

use cert_common::test_util::{ScriptedHttp, response};
use cert_common::time::ManualClock;
use cert_common::{ErrorKind, Outcome, RetryConfig};

use crate::support::scripted;

#[tokio::test]
async fn empty_and_dot_segment_ids_send_nothing() {
    let clock = ManualClock::at_unix(0);
    let http = ScriptedHttp::new(vec![]);
    let client = scripted(http.clone(), &clock, RetryConfig::disabled());
    for bad in ["", ".", ".."] {
        let e = client
            .delete_certificate()
            .certificate_id(bad)
            .send()
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput, "{bad:?}");
        assert!(e.to_string().contains("certificate_id"), "{e}");
    }
    let e = client.delete_certificate().send().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    let e = client
        .delete_certificate()
        .certificate_ids(["ok-1", "..", "ok-2"])
        .send()
        .await
        .map(|o| o.into_report())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(e.to_string().contains("\"..\""), "{e}");
    assert!(http.seen().is_empty());
}

#[tokio::test]
async fn every_id_is_one_encoded_path_segment() {
    let clock = ManualClock::at_unix(0);
    let http = ScriptedHttp::new(vec![Ok(response(204, &[], "")), Ok(response(204, &[], ""))]);
    let client = scripted(http.clone(), &clock, RetryConfig::disabled());
    for id in ["../../v3/x", "a?b#c %2e%2e"] {
        let out = client
            .delete_certificate()
            .certificate_id(id)
            .send()
            .await
            .expect("sent");
        assert_eq!(out.report().items()[0].outcome, Outcome::Deleted);
    }
    let seen = http.seen();
    assert_eq!(
        seen[0].path,
        "/v2/0123456789abcdef0123456789abcdef/apigw/certificates/..%2F..%2Fv3%2Fx"
    );
    assert_eq!(
        seen[1].path,
        "/v2/0123456789abcdef0123456789abcdef/apigw/certificates/a%3Fb%23c%20%252e%252e"
    );
    assert!(seen.iter().all(|r| r.query.is_empty()));
}
