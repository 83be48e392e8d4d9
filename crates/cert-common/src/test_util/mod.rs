//! Test doubles shared by the provider crates' tests (feature `test-util`).
//!
//! Everything here stands in for one of this crate's seams, so a client can be driven without
//! a network, a real clock or real randomness:
//!
//! | item | what |
//! |---|---|
//! | [`ScriptedHttp`] | a transport ([`HttpSend`]) that records requests, answers a script |
//! | [`response`], [`json_response`] | the [`HttpResponse`]s of a script |
//! | [`QueuedRandom`], [`hex_bytes`] | randomness ([`Random`]): pinned nonces, ids, jitter |
//! | [`manual_options`] | [`ClientOptions`] with time and randomness pinned |
//! | [`signing_vector`], [`assert_wire_matches`] | the vendors' signing vectors |
//!
//! [`HttpSend`]: crate::transport::HttpSend
//! [`HttpResponse`]: crate::http::HttpResponse
//! [`Random`]: crate::random::Random
//!
//! Enable it for tests only:
//!
//! ```toml
//! [dev-dependencies]
//! cert-common = { version = "0.1", features = ["test-util"] }
//! ```
//!
//! These doubles panic (with a message) on misuse, as a test should; none of them is meant for
//! production code.

use std::sync::{Arc, Mutex, MutexGuard};

use crate::random::FixedRandom;
use crate::runtime::ClientOptions;
use crate::time::ManualClock;

mod http;
mod random;
mod vectors;

pub use http::{ScriptedHttp, json_response, response};
pub use random::{QueuedRandom, hex_bytes};
#[cfg(feature = "huawei")]
pub use vectors::{HUAWEI_VECTOR_USER_AGENT, huawei_vector_config};
pub use vectors::{assert_wire_matches, signing_vector, signing_vectors};

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panicking test thread must not hide what was recorded from the others.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Options whose clock and sleeps are `clock` and whose randomness is fixed
/// ([`FixedRandom`]`(0.5)`: `unit()` is 0.5, so backoff delays are exact).
///
/// Everything else is [`ClientOptions::default`]; chain `.http(...)`, `.random(...)`,
/// `.retry(...)` and so on to change it.
pub fn manual_options(clock: &ManualClock) -> ClientOptions {
    ClientOptions::default()
        .time(Arc::new(clock.clone()), Arc::new(clock.clone()))
        .random(Arc::new(FixedRandom(0.5)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn manual_options_pin_time_and_randomness() {
        let clock = ManualClock::at_unix(1_704_164_645);
        let options = manual_options(&clock);
        assert_eq!(options.random.unit(), 0.5);
        assert_eq!(
            options.clock.now(),
            std::time::UNIX_EPOCH + Duration::from_secs(1_704_164_645)
        );
        options.sleep.sleep(Duration::from_secs(3)).await;
        assert_eq!(clock.sleeps(), [Duration::from_secs(3)]);
    }
}
