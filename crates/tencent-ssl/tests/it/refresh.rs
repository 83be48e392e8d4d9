//! The one refresh-and-retry of temporary credentials: only an answer that refuses the key or
//! token itself makes the runtime fetch new keys and send once more; a permission refusal or
//! a clock-skew refusal does not (new keys would not change them, and each would cost an STS
//! or metadata call).

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use cert_common::credentials::{AccessKey, CachedProvider, FetchTemporary, Temporary};
use cert_common::test_util::{ScriptedHttp, json_response, manual_options};
use cert_common::time::ManualClock;
use cert_common::{Error, RateLimit};

use crate::common::{error_body, success_body};

#[derive(Debug, Default, Clone)]
struct Counting(Arc<AtomicU32>);

#[async_trait]
impl FetchTemporary for Counting {
    async fn fetch(&self) -> Result<Temporary, Error> {
        let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
        Ok(Temporary {
            credentials: AccessKey::temporary(format!("AKIDTMP{n}"), "sk", "tok").into(),
            expires_at: SystemTime::now() + Duration::from_secs(3600),
        })
    }
    fn describe(&self) -> String {
        "counting".into()
    }
}

async fn run(first_answer: &str) -> (usize, u32, bool) {
    let clock = ManualClock::at_unix(1_700_000_000);
    let http = ScriptedHttp::new([
        Ok(json_response(200, first_answer)),
        Ok(json_response(200, &success_body(&[7], "r2"))),
    ]);
    let fetches = Counting::default();
    let client = tencent_ssl::Client::new(
        tencent_ssl::Config::builder()
            .endpoint("https://ssl.tencentcloudapi.com")
            .credentials_provider(Arc::new(CachedProvider::new(
                fetches.clone(),
                Duration::from_secs(300),
            )))
            .options(
                manual_options(&clock)
                    .http(http.clone())
                    .rate_limit(RateLimit::Off),
            )
            .build(),
    )
    .expect("client");
    let out = client.batch_delete_csr().csr_id(7).send().await;
    let deleted = out.is_ok_and(|o| o.report().items()[0].outcome == cert_common::Outcome::Deleted);
    (http.seen().len(), fetches.0.load(Ordering::SeqCst), deleted)
}

#[tokio::test]
async fn a_refused_token_is_replaced_once_and_the_call_succeeds() {
    let (sent, fetched, deleted) = run(&error_body(
        "AuthFailure.TokenFailure",
        "token expired",
        "r1",
    ))
    .await;
    assert_eq!((sent, fetched, deleted), (2, 2, true));
}

#[tokio::test]
async fn a_permission_refusal_keeps_the_keys_and_sends_once() {
    for code in [
        "UnauthorizedOperation",
        "AuthFailure.UnauthorizedOperation",
        "AuthFailure.SignatureExpire",
    ] {
        let (sent, fetched, deleted) = run(&error_body(code, "no", "r1")).await;
        assert_eq!((sent, fetched, deleted), (1, 1, false), "{code}");
    }
}
