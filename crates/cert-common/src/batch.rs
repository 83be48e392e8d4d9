//! One call of a delete operation: its requests sent (a bounded number at once), their answers
//! settled into one report, and the output every provider crate's `send()` returns.
//!
//! A provider crate says only what is specific to its API: how the distinct ids split into
//! requests ([`Batch`]), how one request is sent, and what its answer says of each id
//! ([`Answered`]). The rules of the outcome contract live here, once:
//!
//! - every distinct requested id is reported exactly once;
//! - an id the answer names that its request did not carry is kept apart
//!   ([`DeleteOutput::unexpected_ids`]), never put into the report;
//! - a request that failed gives each of its ids [`Outcome::from_error`]; one that was never
//!   sent while others were (its credentials could not be had, say), `unconfirmed` with a
//!   message saying it was not sent;
//! - an error that [stops the run](Error::stops_run) (a wrong endpoint, an answer not of this API)
//!   stops sending: the output says so ([`DeleteOutput::stopped`]), and the ids it did not
//!   do, or never sent, are unconfirmed with a message that says so;
//! - `Err` only when nothing was sent.
//!
//! Users see [`DeleteOutput`] and [`RequestSummary`]; the engine itself (`Batch`, `Answered`,
//! `send_batch`, `send_batches`) is for the provider crates and hidden from the docs, under
//! the same policy as `runtime`.

use std::fmt;
use std::future::Future;
use std::hash::Hash;
use std::ops::Range;

use futures_util::FutureExt;

use crate::concurrency::{panic_message, run_bounded_until};
use crate::error::Error;
use crate::outcome::{DeleteReport, ItemOutcome, Outcome, ReportBuilder};
use crate::runtime::Executed;

#[doc(hidden)]
/// One request of a call with several: how many ids it carries (the next ones of the call's
/// distinct ids, in order) and what the crate prepared to send them (a path, a body).
#[derive(Debug, Clone)]
#[doc(hidden)]
pub struct Batch<P> {
    /// How many of the call's distinct ids the request carries.
    pub len: usize,
    /// What the crate needs to send it.
    pub payload: P,
}

impl<P> Batch<P> {
    /// A request carrying one id (an API that deletes one id per request).
    pub fn single(payload: P) -> Self {
        Batch { len: 1, payload }
    }
}

#[doc(hidden)]
/// A call prepared: its distinct ids and the requests that carry them, in order.
#[doc(hidden)]
pub type Prepared<Id, P> = (ReportBuilder<Id>, Vec<Batch<P>>);

#[doc(hidden)]
/// What one request's answer said, id by id.
#[derive(Debug, Clone)]
#[doc(hidden)]
pub struct Answered<Id> {
    /// The answer's request id.
    pub request_id: Option<String>,
    /// The outcome of each id the answer names.
    pub outcomes: Vec<(Id, Outcome)>,
    /// The outcome of each id of the request the answer does not name (for an API that
    /// deletes one id per request: the outcome).
    pub missing: Outcome,
    /// The idempotency token the request carried, when the API takes one.
    pub idempotency_token: Option<String>,
}

impl<Id> Answered<Id> {
    /// An answer with these outcomes; the ids it does not name are unconfirmed.
    pub fn new(request_id: Option<String>, outcomes: Vec<(Id, Outcome)>) -> Self {
        Answered {
            request_id,
            outcomes,
            missing: Outcome::Unconfirmed {
                code: None,
                message: "the server's answer did not mention this id".into(),
            },
            idempotency_token: None,
        }
    }

    /// An answer that gives every id of its request `outcome` (an API that deletes one id
    /// per request answers for it so).
    pub fn every(outcome: Outcome, request_id: Option<String>) -> Self {
        Answered {
            request_id,
            outcomes: Vec::new(),
            missing: outcome,
            idempotency_token: None,
        }
    }
}

/// One request of a call, as it went.
#[derive(Debug)]
#[non_exhaustive]
pub struct RequestSummary {
    /// Its request id: the last answer's, when one came.
    pub request_id: Option<String>,
    /// Attempts made.
    pub attempts: u32,
    /// True when an earlier failed attempt may have taken effect (then a "not found" may be
    /// the echo of our own delete; it is reported absent, never deleted).
    pub earlier_attempt_may_have_applied: bool,
    /// The idempotency token it carried, when the API takes one.
    pub idempotency_token: Option<String>,
    /// Why the request failed, when it did (each of its ids then carries
    /// [`Outcome::from_error`]).
    pub error: Option<Error>,
}

/// What a call's `send()` returns: one outcome per distinct requested id, and each request.
#[derive(Debug)]
#[non_exhaustive]
pub struct DeleteOutput<Id> {
    report: DeleteReport<Id>,
    requests: Summaries,
    unexpected_ids: Vec<Id>,
    /// The request whose error stopped the call, when one did.
    stopped: Option<usize>,
}

/// The requests of a call: a call of one request keeps it without a list.
#[derive(Debug, Default)]
enum Summaries {
    #[default]
    None,
    One(RequestSummary),
    Many(Vec<RequestSummary>),
}

impl Summaries {
    fn push(&mut self, summary: RequestSummary) {
        *self = match std::mem::take(self) {
            Summaries::None => Summaries::One(summary),
            Summaries::One(first) => Summaries::Many(vec![first, summary]),
            Summaries::Many(mut all) => {
                all.push(summary);
                Summaries::Many(all)
            }
        };
    }

    fn as_slice(&self) -> &[RequestSummary] {
        match self {
            Summaries::None => &[],
            Summaries::One(one) => std::slice::from_ref(one),
            Summaries::Many(all) => all,
        }
    }

    fn as_mut_slice(&mut self) -> &mut [RequestSummary] {
        match self {
            Summaries::None => &mut [],
            Summaries::One(one) => std::slice::from_mut(one),
            Summaries::Many(all) => all,
        }
    }
}

impl<Id> DeleteOutput<Id> {
    /// One outcome per distinct requested id, in the order first requested.
    pub fn report(&self) -> &DeleteReport<Id> {
        &self.report
    }

    /// The report, consuming the output.
    pub fn into_report(self) -> DeleteReport<Id> {
        self.report
    }

    /// Each request sent, in the order of its first id.
    pub fn requests(&self) -> &[RequestSummary] {
        self.requests.as_slice()
    }

    /// The request ids of the answers, in request order.
    pub fn request_ids(&self) -> Vec<&str> {
        self.requests()
            .iter()
            .filter_map(|r| r.request_id.as_deref())
            .collect()
    }

    /// The first request's request id (the only one, for a one-request call).
    pub fn request_id(&self) -> Option<&str> {
        self.requests()
            .first()
            .and_then(|r| r.request_id.as_deref())
    }

    /// Attempts made, over every request.
    pub fn attempts(&self) -> u32 {
        self.requests().iter().map(|r| r.attempts).sum()
    }

    /// True when, for some request, an earlier failed attempt may have taken effect.
    pub fn earlier_attempt_may_have_applied(&self) -> bool {
        self.requests()
            .iter()
            .any(|r| r.earlier_attempt_may_have_applied)
    }

    /// The first request-level error, when a request failed.
    pub fn error(&self) -> Option<&Error> {
        self.requests().iter().find_map(|r| r.error.as_ref())
    }

    /// The first request-level error, consuming the output.
    pub fn into_error(mut self) -> Option<Error> {
        self.take_error()
    }

    /// Takes the first request-level error out of the output.
    pub fn take_error(&mut self) -> Option<Error> {
        self.requests
            .as_mut_slice()
            .iter_mut()
            .find_map(|r| r.error.take())
    }

    #[doc(hidden)]
    /// The output of such a request that failed after it was sent: no id named, the error
    /// kept ([`stopped`](Self::stopped) when it [stops a run](Error::stops_run)).
    pub fn of_failure(e: Error) -> Self {
        let stopped = e.stops_run().then_some(0);
        DeleteOutput {
            report: DeleteReport::from_items(Vec::new()),
            requests: Summaries::One(RequestSummary {
                request_id: e.request_id().map(str::to_string),
                attempts: e.attempts(),
                earlier_attempt_may_have_applied: e.may_have_applied(),
                idempotency_token: None,
                error: Some(e),
            }),
            unexpected_ids: Vec::new(),
            stopped,
        }
    }

    /// The error whose answer stopped the call (a wrong endpoint, an answer not of this API:
    /// [`Error::stops_run`]), when one did. No request started after it. The ids it carried
    /// and those never sent are unconfirmed, with a message saying they were not done or not
    /// sent (worth another try once the endpoint is fixed), and its
    /// [partial report](Error::partial_report) holds the ids answers settled, and the ids of a
    /// stopping request that may have applied.
    pub fn stopped(&self) -> Option<&Error> {
        let at = self.stopped?;
        self.requests().get(at).and_then(|r| r.error.as_ref())
    }

    /// The report, or the error that [stopped](Self::stopped) the call, carrying the ids
    /// settled before it as its partial report (what a bulk run that must stop wants).
    pub fn into_result(mut self) -> Result<DeleteReport<Id>, Error> {
        if let Some(at) = self.stopped
            && let Some(e) = self
                .requests
                .as_mut_slice()
                .get_mut(at)
                .and_then(|r| r.error.take())
        {
            return Err(e);
        }
        Ok(self.report)
    }

    /// The idempotency token of the first request, when the API takes one.
    pub fn idempotency_token(&self) -> Option<&str> {
        self.requests()
            .first()
            .and_then(|r| r.idempotency_token.as_deref())
    }

    /// Ids an answer named that its request did not carry (not part of the report), each once.
    pub fn unexpected_ids(&self) -> &[Id] {
        &self.unexpected_ids
    }
}

impl<Id: Clone + Eq + Hash + fmt::Display> DeleteOutput<Id> {
    #[doc(hidden)]
    /// The output of one request whose answer names the ids it settled, as
    /// [`of_answer`](Self::of_answer), from its lists: the ids it says it deleted, and the
    /// others with their outcomes (an id in both is unconfirmed).
    pub fn of_lists(
        request: Executed<Option<String>>,
        deleted: impl IntoIterator<Item = Id>,
        others: impl IntoIterator<Item = (Id, Outcome)>,
    ) -> Self {
        let deleted = deleted.into_iter().map(|id| (id, Outcome::Deleted));
        let named = deleted.chain(others).collect();
        Self::of_answer(request.map(|rid| Answered::new(rid, named)))
    }

    #[doc(hidden)]
    /// The output of one request whose answer names the ids it settled (an API that deletes
    /// what a filter matches): each named id once, under the rules of [`send_batch`] (an id
    /// named twice with different outcomes is unconfirmed).
    pub fn of_answer(executed: Executed<Answered<Id>>) -> Self {
        let names = executed.value.outcomes.iter().map(|(id, _)| id.clone());
        let mut settle = Settle::new(ReportBuilder::new(names));
        let all = 0..settle.report.ids().len();
        settle.answered(all, executed);
        settle.finish().unwrap_or_else(DeleteOutput::of_failure)
    }
}

#[doc(hidden)]
/// Sends `batches`, at most `limit` at once: `send` gets each batch's ids and payload. The
/// batches carry `report`'s distinct ids in order (their `len`s add up to its count); every
/// id is settled into one [`DeleteOutput`].
#[doc(hidden)]
pub async fn send_batches<Id, P, F, Fut>(
    report: ReportBuilder<Id>,
    batches: Vec<Batch<P>>,
    limit: usize,
    send: F,
) -> Result<DeleteOutput<Id>, Error>
where
    Id: Clone + Eq + Hash + fmt::Display,
    F: Fn(&[Id], &P) -> Fut,
    Fut: Future<Output = Result<Executed<Answered<Id>>, Error>> + Send + 'static,
    Id: Send + 'static,
{
    let mut start = 0;
    let mut ranged = Vec::with_capacity(batches.len());
    for batch in batches {
        let end = (start + batch.len).min(report.ids().len());
        ranged.push((start..end, batch.payload));
        start = end;
    }
    let stops = |r: &Result<Executed<Answered<Id>>, Error>| matches!(r, Err(e) if e.stops_run());
    let ids = report.ids();
    let settled = run_bounded_until(ranged, limit, |(r, p)| send(&ids[r.clone()], p), stops).await;
    let mut settle = Settle::new(report);
    for ((range, _), result) in settled.done {
        settle.settle(range, result.map_err(|f| f.0));
    }
    settle.finish()
}

#[doc(hidden)]
/// [`send_batches`] for a call of one request, carrying every id of `report`, sent from this
/// task by `request` (which may borrow).
#[doc(hidden)]
pub async fn send_batch<Id, Fut>(
    report: ReportBuilder<Id>,
    request: Fut,
) -> Result<DeleteOutput<Id>, Error>
where
    Id: Clone + Eq + Hash + fmt::Display,
    Fut: Future<Output = Result<Executed<Answered<Id>>, Error>>,
{
    let result = std::panic::AssertUnwindSafe(request)
        .catch_unwind()
        .await
        .map_err(|p| panic_message(p.as_ref()));
    let all = 0..report.ids().len();
    let mut settle = Settle::new(report);
    settle.settle(all, result);
    settle.finish()
}

/// The state of settling a call's answers.
struct Settle<Id> {
    report: ReportBuilder<Id>,
    requests: Summaries,
    /// The outcome and request id of every id, when one answer covered the whole call
    /// without naming ids (nothing is recorded id by id then).
    whole_call: Option<(Outcome, Option<String>)>,
    unexpected: Vec<Id>,
    /// The request (in `requests`) whose error stopped the run, when one did.
    stop: Option<usize>,
    /// The ids of stopping requests that cannot have applied, and their outcome: recorded
    /// once the partial report (the ids answers settled) is taken.
    held: Vec<(Range<usize>, Outcome, Option<String>)>,
    /// True once some request was (or may have been) sent.
    sent: bool,
}

impl<Id: Clone + Eq + Hash + fmt::Display> Settle<Id> {
    fn new(report: ReportBuilder<Id>) -> Self {
        Settle {
            report,
            requests: Summaries::None,
            whole_call: None,
            unexpected: Vec::new(),
            stop: None,
            held: Vec::new(),
            sent: false,
        }
    }

    /// Settles one request, which carried the ids at `range` of the report: its answer, its
    /// error, or the panic that ended its task.
    fn settle(
        &mut self,
        range: Range<usize>,
        result: Result<Result<Executed<Answered<Id>>, Error>, String>,
    ) {
        match result {
            Ok(Ok(executed)) => self.answered(range, executed),
            Ok(Err(e)) => self.failed(range, e),
            Err(panic) => {
                self.sent = true;
                for at in range {
                    self.report.record_at(at, Outcome::panicked(&panic), None);
                }
            }
        }
    }

    fn answered(&mut self, range: Range<usize>, executed: Executed<Answered<Id>>) {
        self.sent = true;
        let answer = executed.value;
        for (id, outcome) in answer.outcomes {
            match self.report.position(&id) {
                // Ranges are settled once each: an outcome already there came from this
                // answer, which names the id twice.
                Some(at) if range.contains(&at) && self.report.has_at(at) => {
                    let rid = answer.request_id.clone();
                    self.report.record_again_at(at, outcome, rid);
                }
                Some(at) if range.contains(&at) => {
                    self.report
                        .record_at(at, outcome, answer.request_id.clone());
                }
                _ if self.unexpected.contains(&id) => {}
                _ => self.unexpected.push(id),
            }
        }
        if range.start == 0 && range.end == self.report.ids().len() && !self.report.has_any() {
            // The one request of the call, its answer naming no id: every id gets its
            // outcome when the report is made.
            self.whole_call = Some((answer.missing, answer.request_id.clone()));
        } else {
            for at in range {
                if !self.report.has_at(at) {
                    let rid = answer.request_id.clone();
                    self.report.record_at(at, answer.missing.clone(), rid);
                }
            }
        }
        self.requests.push(RequestSummary {
            request_id: answer.request_id,
            attempts: executed.attempts,
            earlier_attempt_may_have_applied: executed.earlier_attempt_may_have_applied,
            idempotency_token: answer.idempotency_token,
            error: None,
        });
    }

    fn failed(&mut self, range: Range<usize>, e: Error) {
        if e.attempts() > 0 {
            self.sent = true;
        }
        let rid = e.request_id().map(str::to_string);
        let stops = e.stops_run();
        if stops {
            self.stop.get_or_insert(self.requests.as_slice().len());
        }
        // A request never sent (no usable credentials by then, say) while others were, or
        // one whose stopping answer shows nothing was done: its ids are unconfirmed, not
        // refused (that is final, and these are worth another try once the cause is fixed).
        let not_done = |what: &str| Outcome::Unconfirmed {
            code: e.code().map(str::to_string),
            message: format!("{what}: {e}"),
        };
        if e.attempts() == 0 || (stops && !e.may_have_applied()) {
            let outcome = not_done(if e.attempts() == 0 {
                "not sent"
            } else {
                "not done"
            });
            if stops {
                // Not part of the partial report: recorded once it is taken.
                self.held.push((range, outcome, rid.clone()));
            } else {
                for at in range {
                    self.report.record_at(at, outcome.clone(), rid.clone());
                }
            }
        } else {
            let outcome = Outcome::from_error(&e);
            for at in range {
                self.report.record_at(at, outcome.clone(), rid.clone());
            }
        }
        self.requests.push(RequestSummary {
            request_id: rid,
            attempts: e.attempts(),
            earlier_attempt_may_have_applied: e.may_have_applied(),
            idempotency_token: None,
            error: Some(e),
        });
    }

    fn finish(mut self) -> Result<DeleteOutput<Id>, Error> {
        if !self.sent {
            // Nothing was sent (every request failed before its first attempt): the call
            // ends with the first request's error.
            if let Some(e) = self
                .requests
                .as_mut_slice()
                .iter_mut()
                .find_map(|r| r.error.take())
            {
                return Err(e);
            }
        }
        if let Some(at) = self.stop {
            return Ok(self.finish_stopped(at));
        }
        let mut whole_call = self.whole_call;
        // Every id gets the whole call's outcome (the last one takes it, the others a copy).
        let mut left = self.report.ids().len();
        let report = self.report.finish_with(|| {
            left = left.saturating_sub(1);
            let settled = if left == 0 {
                whole_call.take()
            } else {
                whole_call.clone()
            };
            match settled {
                Some(settled) => settled,
                None => {
                    let message = "no answer covered this id".to_string();
                    (
                        Outcome::Unconfirmed {
                            code: None,
                            message,
                        },
                        None,
                    )
                }
            }
        });
        Ok(DeleteOutput {
            report,
            requests: self.requests,
            unexpected_ids: self.unexpected,
            stopped: None,
        })
    }

    /// Finishes a call the error of request `at` stopped: the ids answers settled become
    /// its partial report (with the ids of stopping requests that may have applied); the
    /// others are unconfirmed, said not done (a stopping request's) or not sent.
    fn finish_stopped(mut self, at: usize) -> DeleteOutput<Id> {
        let n = self.report.ids().len();
        if let Some((outcome, rid)) = self.whole_call.take() {
            for i in 0..n {
                self.report.record_at(i, outcome.clone(), rid.clone());
            }
        }
        let settled: Vec<bool> = (0..n).map(|i| self.report.has_at(i)).collect();
        for (range, outcome, rid) in std::mem::take(&mut self.held) {
            for i in range {
                if !self.report.has_at(i) {
                    self.report.record_at(i, outcome.clone(), rid.clone());
                }
            }
        }
        let error = self
            .requests
            .as_mut_slice()
            .get_mut(at)
            .and_then(|r| r.error.take());
        let why = error
            .as_ref()
            .map_or_else(String::new, |e| format!(" ({e})"));
        let not_sent = Outcome::Unconfirmed {
            code: None,
            message: format!("not sent: an earlier request's answer stopped the call{why}"),
        };
        let report = self.report.finish_with(|| (not_sent.clone(), None));
        let partial = DeleteReport::from_items(
            report
                .items()
                .iter()
                .zip(&settled)
                .filter(|(_, settled)| **settled)
                .map(|(item, _)| ItemOutcome {
                    id: item.id.to_string(),
                    outcome: item.outcome.clone(),
                    request_id: item.request_id.clone(),
                })
                .collect(),
        );
        if let (Some(summary), Some(e)) = (self.requests.as_mut_slice().get_mut(at), error) {
            summary.error = Some(e.with_partial_report(partial));
        }
        DeleteOutput {
            report,
            requests: self.requests,
            unexpected_ids: self.unexpected,
            stopped: Some(at),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn executed(value: Answered<u64>) -> Result<Executed<Answered<u64>>, Error> {
        Ok(Executed {
            value,
            attempts: 1,
            earlier_attempt_may_have_applied: false,
            client_request_id: "c".into(),
        })
    }

    fn sent_error(kind: ErrorKind, may_have_applied: bool) -> Error {
        let mut e = Error::new(kind, "failed").with_may_have_applied(may_have_applied);
        e.set_attempts(1);
        e
    }

    fn batches(lens: &[usize]) -> Vec<Batch<usize>> {
        lens.iter()
            .enumerate()
            .map(|(n, &len)| Batch { len, payload: n })
            .collect()
    }

    #[tokio::test]
    async fn each_id_once_unexpected_ids_apart_and_unnamed_ids_get_the_missing_outcome() {
        let report = ReportBuilder::new([1u64, 2, 3, 2, 4]);
        let out = send_batches(report, batches(&[2, 2]), 2, |ids, &n| {
            let ids = ids.to_vec();
            async move {
                // The first request's answer names 1, the other request's 3, and 99; the
                // second names nothing.
                let outcomes = if n == 0 {
                    vec![
                        (ids[0], Outcome::Deleted),
                        (3, Outcome::Deleted),
                        (99, Outcome::Absent),
                    ]
                } else {
                    Vec::new()
                };
                executed(Answered::new(Some(format!("r{n}")), outcomes))
            }
        })
        .await
        .expect("sent");
        let items = out.report().items();
        let got: Vec<(u64, &str)> = items.iter().map(|i| (i.id, i.outcome.as_str())).collect();
        assert_eq!(
            got,
            [
                (1, "deleted"),
                (2, "unconfirmed"),
                (3, "unconfirmed"),
                (4, "unconfirmed")
            ],
            "3 named by the wrong request is not taken from it"
        );
        assert_eq!(out.unexpected_ids(), [3, 99]);
        assert_eq!(out.request_ids(), ["r0", "r1"]);
        assert_eq!(items[3].request_id.as_deref(), Some("r1"));
        assert_eq!(out.attempts(), 2);
        assert!(out.error().is_none());
    }

    #[tokio::test]
    async fn a_failed_request_gives_its_ids_the_errors_outcome_and_keeps_the_error() {
        let report = ReportBuilder::new([1u64, 2]);
        let out = send_batches(report, batches(&[1, 1]), 1, |ids, _| {
            let id = ids[0];
            async move {
                if id == 1 {
                    executed(Answered::every(Outcome::Deleted, None))
                } else {
                    Err(sent_error(ErrorKind::Transport, true))
                }
            }
        })
        .await
        .expect("one request was sent");
        let outcomes: Vec<&str> = out
            .report()
            .items()
            .iter()
            .map(|i| i.outcome.as_str())
            .collect();
        assert_eq!(outcomes, ["deleted", "unconfirmed"]);
        assert_eq!(out.error().map(Error::kind), Some(ErrorKind::Transport));
        assert!(out.earlier_attempt_may_have_applied());
    }

    #[tokio::test]
    async fn an_answer_naming_an_id_twice_with_different_outcomes_is_unconfirmed() {
        let report = ReportBuilder::new([1u64, 2]);
        let answer = Answered::new(
            Some("r".into()),
            vec![
                (1, Outcome::Deleted),
                (1, Outcome::Absent),
                (2, Outcome::Deleted),
                (2, Outcome::Deleted),
            ],
        );
        let out = send_batch(report, async { executed(answer) })
            .await
            .expect("sent");
        let items = out.report().items();
        assert_eq!(
            items[0].outcome.as_str(),
            "unconfirmed",
            "deleted and absent"
        );
        assert!(
            items[0]
                .outcome
                .message()
                .unwrap_or("")
                .contains("contradicts")
        );
        assert_eq!(items[1].outcome, Outcome::Deleted, "twice the same");

        // An answer that names its own ids (a filter's): each once, under the same rule.
        let answer = Answered::new(
            None,
            vec![
                ("a".to_string(), Outcome::Deleted),
                ("b".to_string(), Outcome::Deleted),
                (
                    "b".to_string(),
                    Outcome::Refused {
                        code: None,
                        message: "m".into(),
                    },
                ),
            ],
        );
        let out = DeleteOutput::of_answer(Executed {
            value: answer,
            attempts: 1,
            earlier_attempt_may_have_applied: false,
            client_request_id: "c".into(),
        });
        let got: Vec<(&str, &str)> = (out.report().items().iter())
            .map(|i| (i.id.as_str(), i.outcome.as_str()))
            .collect();
        assert_eq!(got, [("a", "deleted"), ("b", "unconfirmed")]);
        assert_eq!(out.attempts(), 1);
    }

    #[tokio::test]
    async fn a_request_never_sent_beside_sent_ones_is_unconfirmed_not_refused() {
        let report = ReportBuilder::new([1u64, 2]);
        let out = send_batches(report, batches(&[1, 1]), 1, |ids, _| {
            let id = ids[0];
            async move {
                if id == 1 {
                    executed(Answered::every(Outcome::Deleted, None))
                } else {
                    Err(Error::new(ErrorKind::Credentials, "the STS refresh failed"))
                }
            }
        })
        .await
        .expect("one request was sent");
        let items = out.report().items();
        assert_eq!(items[0].outcome, Outcome::Deleted);
        assert_eq!(items[1].outcome.as_str(), "unconfirmed");
        let message = items[1].outcome.message().unwrap_or("");
        assert!(
            message.starts_with("not sent") && message.contains("STS"),
            "{message}"
        );
        assert_eq!(out.error().map(Error::kind), Some(ErrorKind::Credentials));
        assert!(out.stopped().is_none());
    }

    #[tokio::test]
    async fn nothing_sent_is_an_err_and_a_stop_keeps_what_was_settled() {
        let report = ReportBuilder::new([1u64, 2]);
        let e = send_batches(report, batches(&[1, 1]), 2, |_, _| async {
            Err::<Executed<Answered<u64>>, _>(Error::new(ErrorKind::Credentials, "no key"))
        })
        .await
        .expect_err("nothing was sent");
        assert_eq!(e.kind(), ErrorKind::Credentials);

        // 1 deleted; 2's answer stops the call; 3 is never sent.
        let report = ReportBuilder::new([1u64, 2, 3]);
        let out = send_batches(report, batches(&[1, 1, 1]), 1, |ids, _| {
            let id = ids[0];
            async move {
                match id {
                    1 => executed(Answered::every(Outcome::Deleted, Some("r1".into()))),
                    2 => Err(sent_error(ErrorKind::Config, false)),
                    _ => panic!("sent after the stop"),
                }
            }
        })
        .await
        .expect("two requests were sent");
        let got: Vec<(u64, &str, &str)> = out
            .report()
            .items()
            .iter()
            .map(|i| (i.id, i.outcome.as_str(), i.outcome.message().unwrap_or("")))
            .collect();
        assert_eq!(got[0], (1, "deleted", ""));
        assert_eq!((got[1].0, got[1].1), (2, "unconfirmed"));
        assert!(got[1].2.starts_with("not done"), "{}", got[1].2);
        assert_eq!((got[2].0, got[2].1), (3, "unconfirmed"));
        assert!(got[2].2.starts_with("not sent"), "{}", got[2].2);
        assert_eq!(out.requests().len(), 2, "3 was never sent");
        let e = out.stopped().expect("stopped");
        assert!(e.stops_run());
        let partial = e.partial_report().expect("partial report");
        assert_eq!(partial.items().len(), 1, "only the id an answer settled");
        assert_eq!(partial.items()[0].id, "1");
        let e = out
            .into_result()
            .expect_err("what a bulk run gets: the stop");
        assert_eq!(e.partial_report().map(|r| r.items().len()), Some(1));

        // A stop that may have applied: its ids are in the partial report.
        let report = ReportBuilder::new([1u64, 2]);
        let out = send_batch(report, async { Err(sent_error(ErrorKind::Config, true)) })
            .await
            .expect("sent");
        let e = out.stopped().expect("stopped");
        assert_eq!(e.partial_report().map(|r| r.items().len()), Some(2));
        assert!(
            out.report()
                .items()
                .iter()
                .all(|i| i.outcome.as_str() == "unconfirmed")
        );

        // No stop: into_result is the report.
        let report = ReportBuilder::new([5u64]);
        let out = send_batch(report, async {
            executed(Answered::every(Outcome::Absent, None))
        })
        .await
        .expect("sent");
        assert!(out.stopped().is_none());
        assert_eq!(
            out.into_result().expect("report").items()[0].outcome,
            Outcome::Absent
        );
    }

    #[tokio::test]
    async fn a_panicking_request_is_reported_not_propagated() {
        let report = ReportBuilder::new([7u64]);
        let request = async {
            if report_is_unreachable() {
                return executed(Answered::every(Outcome::Deleted, None));
            }
            panic!("parser bug")
        };
        let out = send_batch(report, request).await.expect("settled");
        let item = &out.report().items()[0];
        assert_eq!(item.outcome.as_str(), "unconfirmed");
        assert!(item.outcome.message().unwrap_or("").contains("parser bug"));
    }

    fn report_is_unreachable() -> bool {
        std::hint::black_box(false)
    }
}
