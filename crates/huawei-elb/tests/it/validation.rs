//! Bad input is refused before anything is sent.

use cert_common::test_util::{ScriptedHttp, manual_options};
use cert_common::time::ManualClock;
use cert_common::{AccessKey, ErrorKind, RetryConfig};
use huawei_elb::{Client, Config};

use crate::support::scripted;

#[tokio::test]
async fn no_ids_or_empty_ids_send_nothing() {
    let clock = ManualClock::at_unix(0);
    let http = ScriptedHttp::new(vec![]);
    let client = scripted(http.clone(), &clock, RetryConfig::disabled());
    let e = client.batch_delete_certificates().send().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    let e = client
        .batch_delete_certificates()
        .certificate_ids(["a", " "])
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(e.to_string().contains("empty"), "{e}");
    assert!(client.batch_delete_certificates().plan().is_err());
    assert!(http.seen().is_empty());
}

#[tokio::test]
async fn project_id_must_be_at_most_32_digits_and_lowercase_letters() {
    for bad in [
        "0123456789abcdef0123456789abcdef0",
        "ABCDEF",
        "has-dash",
        "..",
    ] {
        let clock = ManualClock::at_unix(0);
        let http = ScriptedHttp::new(vec![]);
        let client = Client::new(
            Config::builder()
                .region("cn-north-4")
                .project_id(bad)
                .credentials(AccessKey::new("ak", "sk"))
                .options(manual_options(&clock).http(http.clone()))
                .env_lookup(|_| None)
                .build(),
        )
        .expect("client");
        let e = client
            .batch_delete_certificates()
            .certificate_id("a")
            .send()
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput, "{bad}");
        assert!(e.to_string().contains("project_id"), "{e}");
        assert!(http.seen().is_empty());
    }
}

#[tokio::test]
async fn missing_credentials_are_an_error_and_nothing_is_sent() {
    let clock = ManualClock::at_unix(0);
    let http = ScriptedHttp::new(vec![]);
    let client = Client::new(
        Config::builder()
            .region("cn-north-4")
            .project_id("p")
            .options(manual_options(&clock).http(http.clone()))
            // Nothing in the environment, and no instance metadata service to ask.
            .env_lookup(|k| (k == "CERT_SDK_METADATA_DISABLED").then(|| "true".to_string()))
            .build(),
    )
    .expect("client");
    let e = client
        .batch_delete_certificates()
        .certificate_id("a")
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Credentials);
    assert!(e.to_string().contains("HUAWEICLOUD_SDK_AK"), "{e}");
    assert!(http.seen().is_empty());
}

#[test]
fn configuration_errors_name_what_is_missing() {
    let e = Client::new(
        Config::builder()
            .region("cn-north-4")
            .env_lookup(|_| None)
            .build(),
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    assert!(e.to_string().contains("HUAWEICLOUD_SDK_PROJECT_ID"), "{e}");
    let e = Client::new(
        Config::builder()
            .endpoint("ftp://x")
            .project_id("p")
            .env_lookup(|_| None)
            .build(),
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    let c = Client::new(
        Config::builder()
            .region("eu-west-101")
            .project_id("p")
            .env_lookup(|_| None)
            .build(),
    )
    .expect("client");
    assert_eq!(
        c.endpoint().to_string(),
        "https://elb.eu-west-101.myhuaweicloud.com"
    );
}
