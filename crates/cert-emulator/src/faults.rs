//! Fault injection: queued faults ("the next N requests") and a seeded probabilistic mode.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use cert_common::random::{Random, SeededRandom};

use crate::api::Api;

/// Something that goes wrong with one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Answer with this HTTP status (400..=599; anything else becomes 500) and the provider's
    /// server-error body (Huawei `APIG.9999`/`APIG.0201`, Tencent `InternalError`, Aliyun
    /// `InternalError`/`ServiceUnavailable`). Nothing is deleted.
    Status(u16),
    /// The provider's usual transient error: Huawei 500 `APIG.9999`, Tencent HTTP 200 with
    /// `InternalError`, Aliyun 500 `InternalError`. Nothing is deleted.
    InternalError,
    /// Close the connection without answering; nothing is deleted.
    CloseBeforeEffect,
    /// Process the request (the delete takes effect), then close the connection without
    /// answering.
    CloseAfterEffect,
    /// Wait this long, then process the request normally.
    Delay(Duration),
    /// Process the request (the delete takes effect), then answer with the body cut in half:
    /// not valid JSON (a 204 becomes a 200 carrying a broken JSON body).
    MalformedBody,
}

/// Probabilistic faults: each request to an API fails with `probability`, in a way drawn from
/// `faults`; deterministic for a given `seed` and sequence of requests to that API.
#[derive(Debug, Clone, PartialEq)]
pub struct Chaos {
    /// Chance in `[0, 1]` that a request gets a fault.
    pub probability: f64,
    /// Seed of the generator ([`SeededRandom`]).
    pub seed: u64,
    /// The faults to draw from, uniformly.
    pub faults: Vec<Fault>,
}

impl Chaos {
    /// `probability` of a fault per request, drawn from every kind: 500, 502, 503,
    /// [`Fault::InternalError`], both connection closes, [`Fault::MalformedBody`] and a 50 ms
    /// [`Fault::Delay`].
    pub fn new(probability: f64, seed: u64) -> Self {
        Chaos {
            probability,
            seed,
            faults: vec![
                Fault::Status(500),
                Fault::Status(502),
                Fault::Status(503),
                Fault::InternalError,
                Fault::CloseBeforeEffect,
                Fault::CloseAfterEffect,
                Fault::MalformedBody,
                Fault::Delay(Duration::from_millis(50)),
            ],
        }
    }

    /// Draws from `faults` instead.
    pub fn with_faults(mut self, faults: Vec<Fault>) -> Self {
        self.faults = faults;
        self
    }
}

#[derive(Debug, Default)]
pub(crate) struct Faults {
    queued: HashMap<Api, VecDeque<Fault>>,
    chaos: HashMap<Api, (Chaos, SeededRandom)>,
}

impl Faults {
    pub fn push(&mut self, api: Api, fault: Fault, times: usize) {
        let q = self.queued.entry(api).or_default();
        for _ in 0..times.min(1_000_000) {
            q.push_back(fault.clone());
        }
    }

    pub fn clear(&mut self) {
        self.queued.clear();
        self.chaos.clear();
    }

    pub fn set_chaos(&mut self, api: Api, chaos: Option<Chaos>) {
        match chaos {
            Some(c) => {
                // One generator per API, so each API's sequence depends only on its own traffic.
                let rng =
                    SeededRandom::new(c.seed ^ api.index().wrapping_mul(0x9E37_79B9_7F4A_7C15));
                self.chaos.insert(api, (c, rng));
            }
            None => {
                self.chaos.remove(&api);
            }
        }
    }

    pub fn pending(&self, api: Api) -> usize {
        self.queued.get(&api).map_or(0, VecDeque::len)
    }

    /// The fault for the next request to `api`: a queued one first, else a chaos draw.
    pub fn next(&mut self, api: Api) -> Option<Fault> {
        if let Some(f) = self.queued.get_mut(&api).and_then(VecDeque::pop_front) {
            return Some(f);
        }
        let (chaos, rng) = self.chaos.get(&api)?;
        let hit = rng.unit() < chaos.probability;
        let pick = rng.unit();
        if !hit || chaos.faults.is_empty() {
            return None;
        }
        let i = ((pick * chaos.faults.len() as f64) as usize).min(chaos.faults.len() - 1);
        chaos.faults.get(i).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queued_then_chaos_deterministic() {
        let mut f = Faults::default();
        f.push(Api::Elb, Fault::Status(503), 2);
        assert_eq!(f.next(Api::Elb), Some(Fault::Status(503)));
        assert_eq!(f.next(Api::Apig), None);
        assert_eq!(f.next(Api::Elb), Some(Fault::Status(503)));
        assert_eq!(f.next(Api::Elb), None);

        let draw = |seed| {
            let mut f = Faults::default();
            f.set_chaos(Api::Elb, Some(Chaos::new(0.2, seed)));
            (0..500).map(|_| f.next(Api::Elb)).collect::<Vec<_>>()
        };
        let a = draw(42);
        assert_eq!(a, draw(42));
        assert_ne!(a, draw(43));
        let hits = a.iter().filter(|x| x.is_some()).count();
        assert!((60..=140).contains(&hits), "{hits} faults in 500 at 20%");
        let mut f = Faults::default();
        f.set_chaos(Api::Elb, Some(Chaos::new(1.0, 1).with_faults(vec![])));
        assert_eq!(f.next(Api::Elb), None);
    }
}
