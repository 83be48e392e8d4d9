//! Shared helpers of the workspace integration tests (`tests/it/`): every client crate built
//! against an in-process [`cert_emulator::Emulator`], fast retry settings, and the checks that
//! a delete report agrees with what the emulator holds afterwards.
//!
//! [`redis`] runs the real `redis-server` the shared rate limit tests need.
//!
//! Every client built here is hermetic: credentials are explicit and (for the Huawei crates)
//! the environment lookup is replaced by one that finds nothing, so variables such as
//! `HUAWEICLOUD_SDK_AK` on the machine running the tests change nothing.

pub mod cli;
pub mod redis;
pub mod tls;
pub mod wire;

use std::collections::HashSet;
use std::fmt::Debug;
use std::hash::Hash;
use std::time::Duration;

use cert_common::{AccessKey, ClientOptions, Credentials, DeleteReport, Outcome, RetryConfig};
use cert_emulator::credentials as creds;
use cert_emulator::{Decision, Emulator};

/// The Huawei project seeded with resources by [`cert_emulator::Seed::standard`].
pub const PROJECT: &str = creds::HUAWEI_PROJECT_ID;

/// Retries with a short full-jitter backoff (5 ms growing to at most 50 ms), `max_attempts`
/// attempts and a 30 s operation deadline, so that retried tests wait milliseconds, not seconds.
pub fn fast_retry(max_attempts: u32) -> RetryConfig {
    RetryConfig::default()
        .with_max_attempts(max_attempts)
        .with_backoff(Duration::from_millis(5), Duration::from_millis(50))
        .with_operation_timeout(Some(Duration::from_secs(30)))
}

/// [`ClientOptions`] with [`fast_retry`]`(3)`; everything else (pacing at the documented rate,
/// timeouts) as shipped.
pub fn options() -> ClientOptions {
    ClientOptions::default().retry(fast_retry(3))
}

/// The emulator's permanent Huawei access key.
pub fn huawei_key() -> Credentials {
    AccessKey::new(creds::HUAWEI_AK, creds::HUAWEI_SK).into()
}

/// The emulator's temporary Huawei access key with its security token.
pub fn huawei_temporary_key() -> Credentials {
    AccessKey::temporary(
        creds::HUAWEI_TEMP_AK,
        creds::HUAWEI_TEMP_SK,
        creds::HUAWEI_SECURITY_TOKEN,
    )
    .into()
}

/// The emulator's Huawei IAM token (sent as `X-Auth-Token`).
pub fn huawei_iam_token() -> Credentials {
    Credentials::IamToken(creds::HUAWEI_IAM_TOKEN.into())
}

/// The emulator's permanent Tencent SecretId/SecretKey.
pub fn tencent_key() -> Credentials {
    AccessKey::new(creds::TENCENT_SECRET_ID, creds::TENCENT_SECRET_KEY).into()
}

/// The emulator's temporary Tencent key with its token.
pub fn tencent_temporary_key() -> Credentials {
    AccessKey::temporary(
        creds::TENCENT_TEMP_SECRET_ID,
        creds::TENCENT_TEMP_SECRET_KEY,
        creds::TENCENT_TOKEN,
    )
    .into()
}

/// The emulator's permanent Alibaba Cloud AccessKey.
pub fn aliyun_key() -> Credentials {
    AccessKey::new(creds::ALIYUN_ACCESS_KEY_ID, creds::ALIYUN_ACCESS_KEY_SECRET).into()
}

/// The emulator's Alibaba Cloud STS key with its security token.
pub fn aliyun_temporary_key() -> Credentials {
    AccessKey::temporary(
        creds::ALIYUN_TEMP_ACCESS_KEY_ID,
        creds::ALIYUN_TEMP_ACCESS_KEY_SECRET,
        creds::ALIYUN_SECURITY_TOKEN,
    )
    .into()
}

/// A Huawei configuration (shared by ELB, APIG and CSMS) pointed at `emu`, for project
/// [`PROJECT`], with an environment lookup that finds nothing.
pub fn huawei_config(
    emu: &Emulator,
    credentials: Credentials,
    options: ClientOptions,
) -> huawei_elb::Config {
    huawei_elb::Config::builder()
        .endpoint(emu.url())
        .project_id(PROJECT)
        .credentials(credentials)
        .options(options)
        .env_lookup(|_| None)
        .build()
}

/// An ELB client for `emu` with the permanent key and [`options`].
pub fn elb(emu: &Emulator) -> huawei_elb::Client {
    elb_with(emu, huawei_key(), options())
}

/// An ELB client for `emu` with these credentials and options.
pub fn elb_with(
    emu: &Emulator,
    credentials: Credentials,
    options: ClientOptions,
) -> huawei_elb::Client {
    huawei_elb::Client::new(huawei_config(emu, credentials, options)).expect("ELB client")
}

/// An APIG client for `emu` with the permanent key and [`options`].
pub fn apig(emu: &Emulator) -> huawei_apig::Client {
    apig_with(emu, huawei_key(), options())
}

/// An APIG client for `emu` with these credentials and options.
pub fn apig_with(
    emu: &Emulator,
    credentials: Credentials,
    options: ClientOptions,
) -> huawei_apig::Client {
    huawei_apig::Client::new(huawei_config(emu, credentials, options)).expect("APIG client")
}

/// A CSMS client for `emu` with the permanent key and [`options`].
pub fn csms(emu: &Emulator) -> huawei_csms::Client {
    csms_with(emu, huawei_key(), options())
}

/// A CSMS client for `emu` with these credentials and options.
pub fn csms_with(
    emu: &Emulator,
    credentials: Credentials,
    options: ClientOptions,
) -> huawei_csms::Client {
    huawei_csms::Client::new(huawei_config(emu, credentials, options)).expect("CSMS client")
}

/// A Tencent SSL client for `emu` with the permanent key and [`options`].
pub fn tencent(emu: &Emulator) -> tencent_ssl::Client {
    tencent_with(emu, tencent_key(), options())
}

/// A Tencent SSL client for `emu` with these credentials and options.
pub fn tencent_with(
    emu: &Emulator,
    credentials: Credentials,
    options: ClientOptions,
) -> tencent_ssl::Client {
    let config = tencent_ssl::Config::builder()
        .endpoint(emu.url())
        .credentials(credentials)
        .options(options)
        .build();
    tencent_ssl::Client::new(config).expect("Tencent client")
}

/// An Alibaba Cloud CAS client for `emu` with the permanent key and [`options`].
pub fn aliyun(emu: &Emulator) -> aliyun_cas::Client {
    aliyun_with(emu, aliyun_key(), options())
}

/// An Alibaba Cloud CAS client for `emu` with these credentials and options.
pub fn aliyun_with(
    emu: &Emulator,
    credentials: Credentials,
    options: ClientOptions,
) -> aliyun_cas::Client {
    let config = aliyun_cas::Config::builder()
        .endpoint(emu.url())
        .credentials(credentials)
        .options(options)
        .build();
    aliyun_cas::Client::new(config).expect("Aliyun client")
}

/// The outcome names of a report (`deleted`, `absent`, `refused`, `unconfirmed`) keyed by id,
/// in report order: a compact, comparable view.
pub fn shape<Id: ToString>(report: &DeleteReport<Id>) -> Vec<(String, &'static str)> {
    report
        .items()
        .iter()
        .map(|i| (i.id.to_string(), i.outcome.as_str()))
        .collect()
}

/// The distinct ids of `requested`, in first-seen order.
pub fn distinct<Id: Clone + Eq + Hash>(requested: &[Id]) -> Vec<Id> {
    let mut seen = HashSet::new();
    requested
        .iter()
        .filter(|id| seen.insert((*id).clone()))
        .cloned()
        .collect()
}

/// Asserts the report holds exactly one outcome per distinct requested id, in the order first
/// requested: none dropped, none repeated, none invented.
pub fn assert_one_outcome_per_id<Id: Clone + Eq + Hash + Debug>(
    report: &DeleteReport<Id>,
    requested: &[Id],
) {
    let reported: Vec<Id> = report.items().iter().map(|i| i.id.clone()).collect();
    assert_eq!(
        reported,
        distinct(requested),
        "the report must name every requested id exactly once, in order"
    );
}

/// How a report's outcomes compared with the emulator's state.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Agreement {
    /// Ids reported deleted (and gone).
    pub deleted: usize,
    /// Ids reported absent (and gone).
    pub absent: usize,
    /// Ids reported refused (and, when they existed, still there).
    pub refused: usize,
    /// Ids reported unconfirmed that the server did delete.
    pub unconfirmed_gone: usize,
    /// Ids reported unconfirmed that are still there.
    pub unconfirmed_kept: usize,
}

/// Checks a report against the state after the delete and panics on any overclaim:
///
/// - `Deleted`: the id existed before and is gone now;
/// - `Absent`: the id is gone now;
/// - `Refused`: an id that existed before is still there (a refusal deletes nothing);
/// - every id that existed and is gone is `Deleted`, `Absent` or `Unconfirmed`.
///
/// `existed_before` and `exists_now` answer for an id.
pub fn assert_agrees_with_state<Id: Debug>(
    report: &DeleteReport<Id>,
    existed_before: impl Fn(&Id) -> bool,
    exists_now: impl Fn(&Id) -> bool,
) -> Agreement {
    let mut a = Agreement::default();
    for item in report.items() {
        let (before, now) = (existed_before(&item.id), exists_now(&item.id));
        match &item.outcome {
            Outcome::Deleted => {
                assert!(
                    before && !now,
                    "{:?} reported deleted, but existed before: {before}, exists now: {now}",
                    item.id
                );
                a.deleted += 1;
            }
            Outcome::Absent => {
                assert!(!now, "{:?} reported absent but still exists", item.id);
                a.absent += 1;
            }
            Outcome::Refused { .. } => {
                assert!(
                    !before || now,
                    "{:?} reported refused ({}) but the server deleted it",
                    item.id,
                    item.outcome
                );
                a.refused += 1;
            }
            Outcome::Unconfirmed { .. } if before && !now => a.unconfirmed_gone += 1,
            Outcome::Unconfirmed { .. } => a.unconfirmed_kept += 1,
            other => panic!("{:?}: an outcome this test does not know: {other}", item.id),
        }
    }
    a
}

/// How many requests the emulator rejected with `code`.
pub fn rejected_with(emu: &Emulator, code: &str) -> usize {
    emu.requests()
        .iter()
        .filter(|r| matches!(&r.decision, Decision::Rejected { code: c } if c == code))
        .count()
}
