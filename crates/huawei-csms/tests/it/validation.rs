//! The irreversibility guard and other input checks: nothing is sent for bad input.

use cert_common::test_util::{ScriptedHttp, response};
use cert_common::time::ManualClock;
use cert_common::{ErrorKind, RetryConfig};
use huawei_csms::InstanceType;

use crate::support::scripted;

#[tokio::test]
async fn no_instance_id_is_refused_unless_opted_in() {
    let clock = ManualClock::at_unix(0);
    let http = ScriptedHttp::new(vec![
        Ok(response(200, &[], r#"{"total":0}"#)),
        Ok(response(200, &[], r#"{"total":0}"#)),
    ]);
    let client = scripted(http.clone(), &clock, RetryConfig::disabled());
    let e = client.batch_delete_secrets().send().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(
        e.to_string()
            .contains("delete_without_instance_id_i_understand_this_is_irreversible"),
        "{e}"
    );
    let e = client
        .batch_delete_secrets()
        .instance_type(InstanceType::Apig)
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    for blank in ["", "  "] {
        let e = client
            .batch_delete_secrets()
            .instance_id(blank)
            .delete_without_instance_id_i_understand_this_is_irreversible()
            .send()
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
    }
    assert!(client.batch_delete_secrets().plan().is_err());
    assert!(http.seen().is_empty(), "nothing sent for refused input");

    client
        .batch_delete_secrets()
        .delete_without_instance_id_i_understand_this_is_irreversible()
        .send()
        .await
        .expect("opted in");
    client
        .batch_delete_secrets()
        .instance_type(InstanceType::GaussDb)
        .delete_without_instance_id_i_understand_this_is_irreversible()
        .send()
        .await
        .expect("opted in");
    let seen = http.seen();
    assert_eq!(seen[0].body, &b"{}"[..]);
    assert_eq!(seen[1].body, &br#"{"instance_type": "GaussDB"}"#[..]);
}

#[tokio::test]
async fn plan_names_the_kms_host_and_sends_nothing() {
    let clock = ManualClock::at_unix(0);
    let http = ScriptedHttp::new(vec![]);
    let client = scripted(http.clone(), &clock, RetryConfig::disabled());
    let p = client
        .batch_delete_secrets()
        .instance_id("rds-1")
        .plan()
        .expect("plan");
    assert_eq!(p.method, "POST");
    assert_eq!(
        p.target,
        "https://kms.cn-north-4.myhuaweicloud.com/v1/0123456789abcdef0123456789abcdef/secrets/batch-delete"
    );
    assert_eq!(p.ids, vec!["rds-1"]);
    assert!(http.seen().is_empty());
}
