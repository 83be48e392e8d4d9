//! The provider-neutral `Deleter` view of the client.

use cert_common::test_util::{ScriptedHttp, response};
use cert_common::time::ManualClock;
use cert_common::{Deleter, ErrorKind, Outcome, RetryConfig};

use crate::support::scripted;

#[tokio::test]
async fn plan_sends_nothing_and_delete_reports_per_id() {
    let clock = ManualClock::at_unix(0);
    let http = ScriptedHttp::new(vec![Ok(response(
        200,
        &[],
        r#"{"certificates":[{"id":"a","ret_status":"successful"},{"id":"b","ret_status":"not found"}]}"#,
    ))]);
    let client = scripted(http.clone(), &clock, RetryConfig::disabled());
    let d: &dyn Deleter = &client;
    assert_eq!(d.name(), "huawei-elb");
    let ids: Vec<String> = ["a", "b", "a"].map(String::from).to_vec();
    let plan = d.plan(&ids).expect("plan");
    assert_eq!(plan.len(), 1);
    assert_eq!(plan[0].method, "POST");
    assert_eq!(
        plan[0].target,
        "https://elb.cn-north-4.myhuaweicloud.com/v3/0123456789abcdef0123456789abcdef/elb/certificates/batch-delete"
    );
    assert_eq!(plan[0].ids, vec!["a".to_string(), "b".to_string()]);
    assert!(http.seen().is_empty(), "plan sends nothing");
    assert_eq!(d.plan(&[]).unwrap_err().kind(), ErrorKind::InvalidInput);

    let report = d.delete(&ids).await.expect("delete");
    assert_eq!(report.items().len(), 2);
    assert_eq!(report.items()[0].outcome, Outcome::Deleted);
    assert_eq!(report.items()[1].outcome, Outcome::Absent);
    assert_eq!(http.seen().len(), 1);
}
