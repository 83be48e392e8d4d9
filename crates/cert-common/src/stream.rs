//! Streaming deletes: ids in as a [`Stream`], outcomes out as they settle, in bounded memory.
//!
//! [`delete_stream`] (and [`Deleter::delete_stream`], which calls it) groups the ids into
//! batches of the API's size (1 for APIs that delete one id per request), keeps up to a
//! number of batches in flight, and yields each id's [`ItemOutcome`] as soon as its batch
//! settles. Nothing waits for a whole chunk: a new batch starts as soon as one finishes.
//!
//! Memory is bounded by what is in flight plus the set of ids already seen (each distinct id
//! is sent and reported once, even across the whole stream; see [`SeenIds`]): about 18 bytes
//! plus the id per id (a 32-hex-digit id counts 16), so 1,000,000 ids fit in tens of
//! megabytes.
//!
//! The contract of [`Deleter::delete`] holds for the stream as a whole:
//! - every distinct id that was sent is yielded exactly once;
//! - an invalid id ([`Deleter::validate_id`]) ends the input: the ids before it are sent and
//!   yielded, nothing after it is, then the stream yields the
//!   [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) error and ends;
//! - a batch whose delete fails (no credentials, an endpoint that is not the API) stops the
//!   stream: no batch starts after it, batches in flight finish and are yielded, the ids of
//!   its partial report are yielded, then the error;
//! - ids never sent are never yielded: after an error, the caller knows them as the ids it
//!   fed that no item named;
//! - a batch whose task panics yields its ids as `unconfirmed`, with the panic's message.
//!
//! Dropping the returned stream cancels the batches still in flight.

use std::sync::{Arc, Mutex};

use futures_util::future::FutureExt;
use futures_util::stream::{BoxStream, Stream, StreamExt};
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use crate::deleter::Deleter;
use crate::error::Error;
use crate::outcome::{DeleteReport, ItemOutcome, Outcome};
use crate::seen::SeenIds;

/// What a [`delete_stream`] yields: one id's outcome, or the error that stopped the stream
/// (always the last item).
pub type StreamItem = Result<ItemOutcome<String>, Error>;

/// Ids for a streaming delete.
pub type IdStream = BoxStream<'static, String>;

/// The outcomes of a streaming delete.
pub type OutcomeStream = BoxStream<'static, StreamItem>;

/// Called with a batch's ids just before the batch is sent (a journal writes them down, so a
/// run killed mid-request knows which ids may have been deleted). An `Err` keeps the batch
/// from being sent and stops the stream with that error, as a failed batch does: a journal
/// that cannot record a request must not let it go out unrecorded.
pub type BatchHook = Arc<dyn Fn(&[String]) -> Result<(), Error> + Send + Sync>;

/// Settings of a streaming delete. The defaults come from the deleter:
/// [`Deleter::stream_batch`] and [`Deleter::stream_concurrency`].
#[derive(Clone, Default)]
#[must_use]
pub struct StreamOptions {
    batch_size: Option<usize>,
    concurrency: Option<usize>,
    on_batch: Option<BatchHook>,
    buffer: Option<usize>,
}

impl std::fmt::Debug for StreamOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamOptions")
            .field("batch_size", &self.batch_size)
            .field("concurrency", &self.concurrency)
            .field("on_batch", &self.on_batch.is_some())
            .field("buffer", &self.buffer)
            .finish()
    }
}

impl StreamOptions {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Ids per request, at most (clamped to at least 1). Smaller batches settle, and reach a
    /// journal, sooner; the API's own limit is the default and should not be exceeded.
    pub fn batch_size(mut self, n: usize) -> Self {
        self.batch_size = Some(n.max(1));
        self
    }

    /// Batches in flight at once (clamped to at least 1), for this stream only. Without it the
    /// stream keeps the client's own limit in flight, the one
    /// [`ClientOptions::max_concurrency`](crate::ClientOptions::max_concurrency) sets for
    /// every crate ([`Deleter::stream_concurrency`]). The client's rate limiter paces them
    /// either way.
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = Some(n.max(1));
        self
    }

    /// Calls `hook` with each batch's ids just before it is sent; a batch whose hook fails
    /// is not sent, and the stream stops with the hook's error ([`BatchHook`]).
    pub fn on_batch(mut self, hook: BatchHook) -> Self {
        self.on_batch = Some(hook);
        self
    }

    /// Outcomes buffered for a slow consumer before the stream stops starting batches
    /// (default 1024).
    pub fn buffer(mut self, n: usize) -> Self {
        self.buffer = Some(n.max(1));
        self
    }
}

/// Deletes the ids of `ids` through `deleter`, yielding each outcome as it settles (see the
/// [module docs](self) for the contract). Runs on the current Tokio runtime; called outside
/// one, the stream yields a single [`ErrorKind::Config`](crate::ErrorKind::Config) error.
pub fn delete_stream<D, S>(deleter: Arc<D>, ids: S, options: StreamOptions) -> OutcomeStream
where
    D: Deleter + ?Sized + 'static,
    S: Stream<Item = String> + Send + 'static,
{
    let (tx, rx) = mpsc::channel(options.buffer.unwrap_or(1024));
    match tokio::runtime::Handle::try_current() {
        Ok(handle) => {
            handle.spawn(drive(deleter, Box::pin(ids), options, tx));
        }
        Err(_) => {
            let e = Error::config("a streaming delete must run on a Tokio runtime");
            return futures_util::stream::once(async move { Err(e) }).boxed();
        }
    }
    futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|x| (x, rx)) })
        .boxed()
}

/// Sends `items` to the consumer; false when it has gone away.
async fn send_all(
    tx: &mpsc::Sender<StreamItem>,
    items: impl IntoIterator<Item = ItemOutcome<String>>,
) -> bool {
    for item in items {
        if tx.send(Ok(item)).await.is_err() {
            return false;
        }
    }
    true
}

/// The first error that stopped the stream; once set, no batch starts, and a worker waiting
/// for ids stops waiting.
#[derive(Default)]
struct Stop {
    error: Mutex<Option<Error>>,
    set: std::sync::atomic::AtomicBool,
    notify: tokio::sync::Notify,
}

impl Stop {
    fn set(&self, e: Error) {
        let mut s = self.error.lock().unwrap_or_else(|p| p.into_inner());
        if s.is_none() {
            *s = Some(e);
        }
        self.set.store(true, std::sync::atomic::Ordering::Release);
        self.notify.notify_waiters();
    }
    fn is_set(&self) -> bool {
        self.set.load(std::sync::atomic::Ordering::Acquire)
    }
    fn take(&self) -> Option<Error> {
        self.error.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
    /// Waits for `next`, unless the stream stops first (then `None`).
    async fn unless_stopped<F: std::future::Future>(&self, next: F) -> Option<F::Output> {
        let stopped = self.notify.notified();
        tokio::pin!(stopped);
        // Registered before the check: a stop set after it wakes this.
        stopped.as_mut().enable();
        if self.is_set() {
            return None;
        }
        tokio::select! {
            biased;
            () = stopped => None,
            out = next => Some(out),
        }
    }
}

/// Runs the stream: `concurrency` workers each take the next batch from the shared [`Feed`]
/// as soon as they are free, delete it and send its outcomes. Nothing waits for the slowest
/// batch of a chunk. A worker forms its batch itself, from the ids that are ready, under a
/// lock that is only waited on when no id is ready (then there is nothing to do anyway): no
/// hand-over between tasks per batch.
async fn drive<D: Deleter + ?Sized + 'static>(
    deleter: Arc<D>,
    ids: BoxStream<'static, String>,
    options: StreamOptions,
    tx: mpsc::Sender<StreamItem>,
) {
    let batch_max = options
        .batch_size
        .unwrap_or_else(|| deleter.stream_batch())
        .max(1);
    let workers = options
        .concurrency
        .unwrap_or_else(|| deleter.stream_concurrency())
        .max(1);
    let stop = Arc::new(Stop::default());
    let feed = Arc::new(tokio::sync::Mutex::new(Feed {
        ids,
        seen: SeenIds::new(),
        batch_max,
        done: false,
        invalid: None,
    }));
    let mut tasks = JoinSet::new();
    for _ in 0..workers {
        tasks.spawn(work(
            deleter.clone(),
            feed.clone(),
            options.on_batch.clone(),
            tx.clone(),
            stop.clone(),
        ));
    }
    // Dropping the stream drops `tx`'s receiver: the workers then stop, and so does this.
    while tasks.join_next().await.is_some() {}
    let invalid = feed.lock().await.invalid.take();
    if let Some(e) = stop.take().or(invalid) {
        let _ = tx.send(Err(e)).await;
    }
}

/// The ids not yet taken, and what the stream has seen of them.
struct Feed {
    ids: BoxStream<'static, String>,
    seen: SeenIds,
    batch_max: usize,
    /// The input ended, or an invalid id ended it.
    done: bool,
    /// The invalid id's error, once one was met.
    invalid: Option<Error>,
}

impl Feed {
    /// The next batch: up to `batch_max` new, valid ids. Waits for the first id; then takes
    /// only the ids ready right now, so a slow source does not hold back the ids it has
    /// given. `None` when the input is over (or ended by an invalid id), or the stream stopped.
    async fn next_batch<D: Deleter + ?Sized>(
        &mut self,
        deleter: &D,
        stop: &Stop,
    ) -> Option<Vec<String>> {
        let mut batch = Vec::with_capacity(self.batch_max.min(1024));
        while !self.done {
            let next = if batch.is_empty() {
                // A stopped stream takes no more ids, even from an input that stays open.
                stop.unless_stopped(self.ids.next()).await?
            } else {
                match self.ids.next().now_or_never() {
                    Some(next) => next,
                    None => break,
                }
            };
            let Some(id) = next else {
                self.done = true;
                break;
            };
            if let Err(e) = deleter.validate_id(&id) {
                // The ids before an invalid id are sent; nothing after it is. The error ends
                // the stream once they settle.
                self.invalid = Some(e);
                self.done = true;
                break;
            }
            if self.seen.insert(&id) {
                batch.push(id);
                if batch.len() >= self.batch_max {
                    break;
                }
            }
        }
        (!batch.is_empty()).then_some(batch)
    }
}

/// Takes batches until there are none, deleting each and sending its outcomes.
async fn work<D: Deleter + ?Sized + 'static>(
    deleter: Arc<D>,
    feed: Arc<tokio::sync::Mutex<Feed>>,
    on_batch: Option<BatchHook>,
    tx: mpsc::Sender<StreamItem>,
    stop: Arc<Stop>,
) {
    loop {
        // A batch is not taken after the stream stopped: its ids are never sent.
        if stop.is_set() {
            return;
        }
        let batch = { feed.lock().await.next_batch(deleter.as_ref(), &stop).await };
        let Some(batch) = batch else { return };
        if stop.is_set() {
            return;
        }
        if let Some(hook) = &on_batch
            && let Err(e) = hook(&batch)
        {
            // Not sent, so never yielded: the caller knows these ids as not attempted.
            stop.set(e);
            return;
        }
        let result = std::panic::AssertUnwindSafe(deleter.delete(&batch))
            .catch_unwind()
            .await;
        let items = match result {
            Ok(Ok(report)) => report.into_items(),
            Ok(Err(mut e)) => {
                let partial = e.take_partial_report().map(DeleteReport::into_items);
                stop.set(e);
                partial.unwrap_or_default()
            }
            Err(panic) => {
                let why = crate::concurrency::panic_message(panic.as_ref());
                batch
                    .into_iter()
                    .map(|id| ItemOutcome {
                        id,
                        outcome: Outcome::panicked(&why),
                        request_id: None,
                    })
                    .collect()
            }
        };
        if !send_all(&tx, items).await {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use async_trait::async_trait;

    use super::*;
    use crate::deleter::{PlannedRequest, Scope};
    use crate::error::ErrorKind;
    use crate::outcome::ReportBuilder;

    /// Deletes everything it is given, after `delay`; records every batch and the most batches
    /// ever in flight. An id `bad` is invalid; a batch holding `panic` panics; a batch holding
    /// `stop` fails with a config error whose partial report settles its other ids.
    #[derive(Default)]
    struct Fake {
        batch: usize,
        delay_ms: u64,
        slow_first: bool,
        sent: Mutex<Vec<Vec<String>>>,
        now: AtomicUsize,
        peak: AtomicUsize,
    }

    #[async_trait]
    impl Deleter for Fake {
        fn name(&self) -> &'static str {
            "fake"
        }
        fn plan(&self, ids: &[String]) -> Result<Vec<PlannedRequest>, Error> {
            if ids.iter().any(|i| i == "bad") {
                return Err(Error::invalid_input("`bad` is not an id"));
            }
            Ok(Vec::new())
        }
        fn stream_batch(&self) -> usize {
            self.batch
        }
        fn stream_concurrency(&self) -> usize {
            3
        }
        async fn scope(&self) -> Result<Scope, Error> {
            Ok(Scope::new("fake", String::new(), None, String::new()))
        }
        async fn delete(&self, ids: &[String]) -> Result<DeleteReport<String>, Error> {
            let first = {
                let mut sent = self.sent.lock().unwrap_or_else(|p| p.into_inner());
                sent.push(ids.to_vec());
                sent.len() == 1
            };
            let n = self.now.fetch_add(1, Ordering::SeqCst) + 1;
            self.peak.fetch_max(n, Ordering::SeqCst);
            let delay = if first && self.slow_first {
                self.delay_ms * 50
            } else {
                self.delay_ms
            };
            tokio::time::sleep(Duration::from_millis(delay)).await;
            self.now.fetch_sub(1, Ordering::SeqCst);
            assert!(
                !ids.iter().any(|i| i == "panic"),
                "the fake was told to panic"
            );
            let mut b = ReportBuilder::new(ids.iter().cloned());
            if ids.iter().any(|i| i == "stop") {
                for id in ids.iter().filter(|i| *i != "stop") {
                    b.record(id, Outcome::Deleted, None);
                }
                return Err(
                    Error::config("the endpoint is not the API").with_partial_report(b.finish(
                        Outcome::Unconfirmed {
                            code: None,
                            message: "may have applied".into(),
                        },
                        None,
                    )),
                );
            }
            Ok(b.finish(Outcome::Deleted, Some("req".into())))
        }
    }

    fn fake(batch: usize, delay_ms: u64) -> Arc<Fake> {
        Arc::new(Fake {
            batch,
            delay_ms,
            ..Fake::default()
        })
    }

    async fn collect(d: Arc<Fake>, ids: Vec<String>, o: StreamOptions) -> Vec<StreamItem> {
        let ids = futures_util::stream::iter(ids);
        delete_stream(d, ids, o).collect().await
    }

    fn ids(range: std::ops::Range<u32>) -> Vec<String> {
        range.map(|i| i.to_string()).collect()
    }

    #[tokio::test(start_paused = true)]
    async fn every_distinct_id_once_in_bounded_batches_and_flight() {
        let d = fake(7, 5);
        let mut input = ids(0..2000);
        input.extend(ids(0..500)); // duplicates, late
        input.insert(10, "3".into()); // and early
        let got = collect(d.clone(), input, StreamOptions::new()).await;
        let mut seen: Vec<String> = got
            .into_iter()
            .map(|r| {
                let item = r.expect("no error");
                assert_eq!(item.outcome, Outcome::Deleted);
                item.id
            })
            .collect();
        seen.sort_by_key(|s| s.parse::<u32>().unwrap_or(u32::MAX));
        assert_eq!(seen, ids(0..2000), "each id exactly once");
        let sent = d.sent.lock().unwrap_or_else(|p| p.into_inner());
        assert!(sent.iter().all(|b| !b.is_empty() && b.len() <= 7));
        assert_eq!(sent.iter().map(Vec::len).sum::<usize>(), 2000);
        assert_eq!(d.peak.load(Ordering::SeqCst), 3, "three batches in flight");
    }

    #[tokio::test(start_paused = true)]
    async fn a_slow_batch_does_not_hold_back_the_others() {
        let d = Arc::new(Fake {
            batch: 1,
            delay_ms: 10,
            slow_first: true,
            ..Fake::default()
        });
        let got = collect(d, ids(0..40), StreamOptions::new().concurrency(2)).await;
        let order: Vec<String> = got.into_iter().map(|r| r.expect("ok").id).collect();
        assert_eq!(order.len(), 40);
        // The first id took 500 ms; 10 ms per id on the other lane settles about 39 of them
        // meanwhile.
        assert_eq!(order.last().map(String::as_str), Some("0"), "{order:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn an_invalid_id_stops_before_it_is_sent() {
        let d = fake(1, 5);
        let mut input = ids(0..20);
        input.insert(10, "bad".into());
        let got = collect(d.clone(), input, StreamOptions::new().concurrency(1)).await;
        let (last, settled) = got.split_last().expect("items");
        let e = last.as_ref().expect_err("ends with the error");
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        assert_eq!(settled.len(), 10);
        assert!(settled.iter().all(|r| r.is_ok()));
        let sent = d.sent.lock().unwrap_or_else(|p| p.into_inner());
        assert_eq!(sent.len(), 10, "nothing after the bad id was sent");
    }

    #[tokio::test(start_paused = true)]
    async fn a_stopping_error_yields_its_partial_report_then_the_error() {
        let d = fake(4, 5);
        let mut input = ids(0..8);
        input.insert(5, "stop".into());
        input.extend(ids(100..200));
        let got = collect(d.clone(), input, StreamOptions::new().concurrency(1)).await;
        let (last, settled) = got.split_last().expect("items");
        assert_eq!(
            last.as_ref().expect_err("error last").kind(),
            ErrorKind::Config
        );
        let ids: Vec<&str> = settled
            .iter()
            .map(|r| r.as_ref().expect("ok").id.as_str())
            .collect();
        // Batch one (0..4) deleted; batch two (4, stop, 5, 6) stopped with all four settled.
        assert_eq!(ids, ["0", "1", "2", "3", "4", "stop", "5", "6"]);
        assert_eq!(d.sent.lock().unwrap_or_else(|p| p.into_inner()).len(), 2);
    }

    /// An input that stays open (a pipe whose writer is slow) does not keep a stopped stream
    /// waiting: the error comes as soon as the batches in flight settle.
    #[tokio::test(start_paused = true)]
    async fn a_stop_ends_the_stream_while_the_input_stays_open() {
        let d = fake(2, 5);
        let input = futures_util::stream::iter(["0", "stop", "1", "2"].map(String::from))
            .chain(futures_util::stream::pending());
        let got: Vec<StreamItem> = tokio::time::timeout(
            std::time::Duration::from_secs(60),
            delete_stream(d.clone(), input, StreamOptions::new().concurrency(3)).collect(),
        )
        .await
        .expect("the stream ends without the input ending");
        let (last, settled) = got.split_last().expect("items");
        assert_eq!(
            last.as_ref().expect_err("error last").kind(),
            ErrorKind::Config
        );
        let mut ids: Vec<&str> = settled
            .iter()
            .map(|r| r.as_ref().expect("ok").id.as_str())
            .collect();
        ids.sort_unstable();
        // The stopping batch settles; the batch beside it in flight too.
        assert_eq!(ids, ["0", "1", "2", "stop"]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_panicking_batch_is_unconfirmed() {
        let d = fake(3, 1);
        let input: Vec<String> = ["a", "panic", "b", "c", "d"].map(String::from).to_vec();
        let got = collect(d, input, StreamOptions::new().concurrency(1)).await;
        let mut by_id: Vec<(String, &'static str)> = got
            .into_iter()
            .map(|r| {
                let i = r.expect("ok");
                (i.id, i.outcome.as_str())
            })
            .collect();
        by_id.sort();
        assert_eq!(
            by_id,
            [
                ("a".to_string(), "unconfirmed"),
                ("b".to_string(), "unconfirmed"),
                ("c".to_string(), "deleted"),
                ("d".to_string(), "deleted"),
                ("panic".to_string(), "unconfirmed"),
            ]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn the_batch_hook_sees_each_batch_before_it_is_sent() {
        let d = fake(5, 1);
        let hooked: Arc<Mutex<Vec<Vec<String>>>> = Arc::default();
        let hook: BatchHook = {
            let hooked = hooked.clone();
            let d = d.clone();
            Arc::new(move |b: &[String]| {
                let sent = d.sent.lock().unwrap_or_else(|p| p.into_inner());
                assert!(!sent.iter().any(|s| s == b), "hook runs before sending");
                hooked
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(b.to_vec());
                Ok(())
            })
        };
        let got = collect(d.clone(), ids(0..23), StreamOptions::new().on_batch(hook)).await;
        assert_eq!(got.len(), 23);
        let mut hooked = hooked.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let mut sent = d.sent.lock().unwrap_or_else(|p| p.into_inner()).clone();
        hooked.sort();
        sent.sort();
        assert_eq!(hooked, sent);
    }

    #[tokio::test(start_paused = true)]
    async fn a_failing_hook_keeps_its_batch_unsent_and_stops_the_stream() {
        let d = fake(5, 1);
        let calls = Arc::new(AtomicUsize::new(0));
        let hook: BatchHook = {
            let calls = calls.clone();
            Arc::new(move |_: &[String]| {
                if calls.fetch_add(1, Ordering::SeqCst) >= 2 {
                    Err(Error::config("the journal cannot be written"))
                } else {
                    Ok(())
                }
            })
        };
        let got = collect(d.clone(), ids(0..100), StreamOptions::new().on_batch(hook)).await;
        let sent: Vec<String> = d.sent.lock().unwrap_or_else(|p| p.into_inner()).concat();
        assert_eq!(sent.len(), 10, "two batches of 5 went out, then none");
        let (items, errors): (Vec<_>, Vec<_>) = got.into_iter().partition(Result::is_ok);
        let mut yielded: Vec<String> = items
            .into_iter()
            .filter_map(|i| i.ok())
            .map(|i| i.id)
            .collect();
        yielded.sort();
        let mut sent = sent;
        sent.sort();
        assert_eq!(yielded, sent, "exactly the sent ids are yielded");
        assert_eq!(errors.len(), 1);
        let e = errors
            .into_iter()
            .next()
            .and_then(Result::err)
            .expect("the hook's error");
        assert_eq!(e.kind(), ErrorKind::Config);
        assert!(e.to_string().contains("journal"), "{e}");
    }

    #[test]
    fn outside_a_runtime_it_is_an_error_not_a_panic() {
        let s = delete_stream(
            fake(1, 0),
            futures_util::stream::iter(ids(0..3)),
            StreamOptions::new(),
        );
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("runtime");
        let got: Vec<StreamItem> = rt.block_on(s.collect());
        assert_eq!(got.len(), 1);
        assert_eq!(
            got[0].as_ref().expect_err("error").kind(),
            ErrorKind::Config
        );
    }
}
