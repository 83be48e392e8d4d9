//! `delete_many`: bounded concurrency, one outcome per id, the Deleter view.

use std::sync::Arc;

use cert_common::http::HttpResponse;
use cert_common::test_util::manual_options;
use cert_common::time::ManualClock;
use cert_common::{AccessKey, Deleter, ErrorKind, Outcome, RetryConfig};
use huawei_apig::{Client, Config};

use crate::support::{AK, PROJECT, Responder, SK};

fn answer_by_id(req: &cert_common::http::HttpRequest) -> Result<HttpResponse, cert_common::Error> {
    let id = req.path.rsplit('/').next().unwrap_or_default().to_string();
    let (status, body) = match id.as_str() {
        "gone" => (404, r#"{"error_code":"APIG.3021","error_msg":"not found"}"#),
        "bound" => (
            400,
            r#"{"error_code":"APIG.3474","error_msg":"The certificate is bound to a domain"}"#,
        ),
        "boom" => (
            500,
            r#"{"error_code":"APIG.9999","error_msg":"System error"}"#,
        ),
        "denied" => (
            403,
            r#"{"error_code":"APIG.1005","error_msg":"No permissions"}"#,
        ),
        _ => (204, ""),
    };
    HttpResponse::new(status, body.as_bytes().to_vec())
        .with_header("X-Request-Id", &format!("rid-{id}"))
}

fn client(http: Arc<Responder>) -> Client {
    client_at(http, None)
}

/// A client whose `ClientOptions::max_concurrency` is `concurrency` (unset: the default).
fn client_at(http: Arc<Responder>, concurrency: Option<usize>) -> Client {
    let clock = ManualClock::at_unix(0);
    let options = manual_options(&clock)
        .http(http)
        .retry(RetryConfig::disabled());
    let options = match concurrency {
        Some(n) => options.max_concurrency(n),
        None => options,
    };
    Client::new(
        Config::builder()
            .region("cn-north-4")
            .project_id(PROJECT)
            .credentials(AccessKey::new(AK, SK))
            .options(options)
            .env_lookup(|_| None)
            .build(),
    )
    .expect("client")
}

#[tokio::test]
async fn many_ids_one_outcome_each_with_bounded_concurrency() {
    let http = Responder::new(answer_by_id);
    let report = client_at(http.clone(), Some(2))
        .delete_certificate()
        .certificate_ids(["a", "b", "a", "gone", "bound", "boom", "denied", "c"])
        .send()
        .await
        .expect("report")
        .into_report();
    assert_eq!(http.max_in_flight(), 2, "bounded, and actually concurrent");
    assert_eq!(http.seen().len(), 7, "the repeated id is deleted once");
    let ids: Vec<&str> = report.items().iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["a", "b", "gone", "bound", "boom", "denied", "c"]);
    let o = |id: &str| report.get(&id.to_string()).expect("id").clone();
    assert_eq!(o("a").outcome, Outcome::Deleted);
    assert_eq!(o("a").request_id.as_deref(), Some("rid-a"));
    assert_eq!(o("gone").outcome, Outcome::Absent);
    assert_eq!(o("bound").outcome.as_str(), "refused");
    assert_eq!(o("bound").outcome.code(), Some("APIG.3474"));
    assert_eq!(o("boom").outcome.as_str(), "unconfirmed");
    assert_eq!(o("boom").outcome.code(), Some("APIG.9999"));
    assert_eq!(o("boom").request_id.as_deref(), Some("rid-boom"));
    assert_eq!(o("denied").outcome.as_str(), "refused");
    assert_eq!(o("denied").outcome.code(), Some("APIG.1005"));
    assert_eq!(o("c").outcome, Outcome::Deleted);
}

#[tokio::test]
async fn no_credentials_is_an_error_before_anything_is_sent() {
    let http = Responder::new(answer_by_id);
    let clock = ManualClock::at_unix(0);
    let client = Client::new(
        Config::builder()
            .region("cn-north-4")
            .project_id(PROJECT)
            .options(manual_options(&clock).http(http.clone()))
            // Nothing in the environment, and no instance metadata service to ask.
            .env_lookup(|k| (k == "CERT_SDK_METADATA_DISABLED").then(|| "true".to_string()))
            .build(),
    )
    .expect("client");
    let e = client
        .delete_certificate()
        .certificate_ids(["a", "b"])
        .send()
        .await
        .map(|o| o.into_report())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Credentials);
    assert!(http.seen().is_empty());
}

#[tokio::test]
async fn deleter_plans_one_delete_per_id_and_sends_nothing() {
    let http = Responder::new(answer_by_id);
    let client = client(http.clone());
    let d: &dyn Deleter = &client;
    assert_eq!(d.name(), "huawei-apig");
    let ids: Vec<String> = ["a b", "a b", "x/y"].map(String::from).to_vec();
    let plan = d.plan(&ids).expect("plan");
    let targets: Vec<&str> = plan.iter().map(|p| p.target.as_str()).collect();
    assert_eq!(
        targets,
        [
            "https://apig.cn-north-4.myhuaweicloud.com/v2/0123456789abcdef0123456789abcdef/apigw/certificates/a%20b",
            "https://apig.cn-north-4.myhuaweicloud.com/v2/0123456789abcdef0123456789abcdef/apigw/certificates/x%2Fy",
        ]
    );
    assert!(plan.iter().all(|p| p.method == "DELETE"));
    assert!(http.seen().is_empty());
    assert_eq!(
        d.plan(&[".".to_string()]).unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
    let report = d.delete(&ids).await.expect("report");
    assert_eq!(report.items().len(), 2);
    assert!(report.all_gone());
}

#[test]
fn eu_west_101_uses_the_eu_host() {
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
        "https://apig.eu-west-101.myhuaweicloud.eu"
    );
}

#[tokio::test]
async fn the_options_concurrency_bounds_delete_many_and_the_deleter() {
    let ids: Vec<String> = (0..12).map(|i| format!("id{i}")).collect();
    for n in [1, 3] {
        let http = Responder::new(answer_by_id);
        let apig = client_at(http.clone(), Some(n));
        apig.delete_certificate()
            .certificate_ids(ids.clone())
            .send()
            .await
            .map(|o| o.into_report())
            .expect("report");
        assert_eq!(http.max_in_flight(), n, "delete_many at {n}");

        let http = Responder::new(answer_by_id);
        let apig = client_at(http.clone(), Some(n));
        let d: &dyn Deleter = &apig;
        assert_eq!(d.stream_concurrency(), n);
        d.delete(&ids).await.expect("report");
        assert_eq!(http.max_in_flight(), n, "Deleter at {n}");
    }
    // Unset, the API's default.
    let http = Responder::new(answer_by_id);
    let apig = client(http.clone());
    assert_eq!(apig.max_concurrency(), huawei_apig::DEFAULT_CONCURRENCY);
    apig.delete_certificate()
        .certificate_ids(ids.clone())
        .send()
        .await
        .map(|o| o.into_report())
        .expect("report");
    assert_eq!(http.max_in_flight(), huawei_apig::DEFAULT_CONCURRENCY);
}
