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
//! - a batch whose task panics yields its ids as `unconfirmed`, with the panic's message;
//! - a worker that ends without settling its batch (the runtime it was put on with
//!   [`StreamOptions::runtimes`] shut down, or a [`BatchHook`] panicked) stops the stream with
//!   an [`ErrorKind::Transport`](crate::ErrorKind::Transport) error that may have applied.
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
    runtimes: Vec<tokio::runtime::Handle>,
}

impl std::fmt::Debug for StreamOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamOptions")
            .field("batch_size", &self.batch_size)
            .field("concurrency", &self.concurrency)
            .field("on_batch", &self.on_batch.is_some())
            .field("buffer", &self.buffer)
            .field("runtimes", &self.runtimes.len())
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

    /// Runs the workers on these runtimes, in turn (worker `i` on `runtimes[i % len]`),
    /// instead of the one the stream is created on. For a program that runs one
    /// current-thread runtime per core, each on a thread of its own: a worker then never
    /// moves between threads, and with
    /// [`TransportConfig::with_pool_per_thread`](crate::transport::TransportConfig::with_pool_per_thread)
    /// each request stays on the thread of its connection, which costs less CPU per request
    /// than a multi-thread runtime's work stealing (`docs/performance.md` §6). Every runtime
    /// must keep running until the stream ends; the ids, the set of ids seen and the outcomes
    /// are shared by all workers, and the contract of the stream is the same. Empty (the
    /// default): the current runtime.
    pub fn runtimes(mut self, runtimes: Vec<tokio::runtime::Handle>) -> Self {
        self.runtimes = runtimes;
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
    let driving = match tokio::runtime::Handle::try_current() {
        Ok(handle) => AbortOnDrop(handle.spawn(drive(deleter, Box::pin(ids), options, tx))),
        Err(_) => {
            let e = Error::config("a streaming delete must run on a Tokio runtime");
            return futures_util::stream::once(async move { Err(e) }).boxed();
        }
    };
    // The stream holds the driving task: dropping it aborts that task, whose `JoinSet` then
    // aborts every worker, wherever it runs (a batch in flight is cancelled, none starts).
    futures_util::stream::unfold((rx, driving), |(mut rx, driving)| async move {
        rx.recv().await.map(|x| (x, (rx, driving)))
    })
    .boxed()
}

/// Aborts its task when dropped (a finished task is left as it is).
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
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
/// plain lock held for no `await`: no hand-over between tasks (or threads) per batch.
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
    let feed = Arc::new(Feed {
        input: Mutex::new(Input {
            ids,
            first: None,
            seen: SeenIds::new(),
            done: false,
            invalid: None,
            waiting: false,
        }),
        batch_max,
        waiter: tokio::sync::Mutex::new(()),
    });
    let mut tasks = JoinSet::new();
    for i in 0..workers {
        let worker = work(
            deleter.clone(),
            feed.clone(),
            options.on_batch.clone(),
            tx.clone(),
            stop.clone(),
        );
        match options.runtimes.get(i % options.runtimes.len().max(1)) {
            Some(runtime) => tasks.spawn_on(worker, runtime),
            None => tasks.spawn(worker),
        };
    }
    // A worker that ends without finishing (its runtime shut down, or a hook panicked) may
    // have sent a batch it never yielded: the stream must not end as if complete.
    while let Some(joined) = tasks.join_next().await {
        if let Err(e) = joined {
            let why = if e.is_panic() {
                crate::concurrency::panic_message(e.into_panic().as_ref())
            } else {
                "it was cancelled (its runtime shut down)".to_string()
            };
            stop.set(
                Error::new(
                    crate::error::ErrorKind::Transport,
                    format!("a worker of the stream ended before its batch settled: {why}"),
                )
                .with_may_have_applied(true),
            );
        }
    }
    let invalid = feed.lock().invalid.take();
    if let Some(e) = stop.take().or(invalid) {
        let _ = tx.send(Err(e)).await;
    }
}

/// The ids not yet taken, shared by the workers.
///
/// Ids that are ready are taken under [`Feed::input`], a plain lock held for no `await`. A
/// worker that finds none waits for the input under [`Feed::waiter`], so one worker at a
/// time polls the input with its own waker; while it does ([`Input::waiting`]), the others
/// do not poll it (a poll without a waker would replace the waiting worker's) and queue for
/// `waiter` instead.
struct Feed {
    input: Mutex<Input>,
    batch_max: usize,
    waiter: tokio::sync::Mutex<()>,
}

/// The input and what the stream has seen of it.
struct Input {
    ids: BoxStream<'static, String>,
    /// An id the waiting worker received, not yet taken.
    first: Option<String>,
    seen: SeenIds,
    /// The input ended, or an invalid id ended it.
    done: bool,
    /// The invalid id's error, once one was met.
    invalid: Option<Error>,
    /// A worker's waker is registered with the input: poll it only from that worker.
    waiting: bool,
}

/// Clears [`Input::waiting`] when the waiting worker leaves [`Feed::next_batch`].
struct ClearWaiting<'a>(&'a Feed);

impl Drop for ClearWaiting<'_> {
    fn drop(&mut self) {
        self.0.lock().waiting = false;
    }
}

/// What [`Feed::take_ready`] found.
enum Ready {
    Batch(Vec<String>),
    /// The input is over (or ended by an invalid id).
    Done,
    /// Nothing ready now.
    Empty,
}

impl Feed {
    fn lock(&self) -> std::sync::MutexGuard<'_, Input> {
        self.input.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The next batch: up to `batch_max` new, valid ids. Waits for the first id; then takes
    /// only the ids ready right now, so a slow source does not hold back the ids it has
    /// given. `None` when the input is over (or ended by an invalid id), or the stream stopped.
    async fn next_batch<D: Deleter + ?Sized>(
        &self,
        deleter: &D,
        stop: &Stop,
    ) -> Option<Vec<String>> {
        match self.take_ready(deleter, false) {
            Ready::Batch(batch) => return Some(batch),
            Ready::Done => return None,
            Ready::Empty => {}
        }
        let _waiter = self.waiter.lock().await;
        // However this ends (a batch, the end, a stop, or the task dropped while it waits), no
        // waker of this worker's is left for the others to respect. Declared after `_waiter`,
        // so dropped before it: the flag is clear before the next worker may wait.
        let _clear = ClearWaiting(self);
        loop {
            // A stopped stream takes no more ids, even from an input that stays open.
            if stop.is_set() {
                return None;
            }
            match self.take_ready(deleter, true) {
                Ready::Batch(batch) => return Some(batch),
                Ready::Done => return None,
                Ready::Empty => {}
            }
            let arrived = futures_util::future::poll_fn(|cx| {
                let mut input = self.lock();
                let input = &mut *input;
                match input.ids.poll_next_unpin(cx) {
                    std::task::Poll::Pending => {
                        input.waiting = true;
                        std::task::Poll::Pending
                    }
                    std::task::Poll::Ready(next) => {
                        input.waiting = false;
                        match next {
                            Some(id) => input.first = Some(id),
                            None => input.done = true,
                        }
                        std::task::Poll::Ready(())
                    }
                }
            });
            stop.unless_stopped(arrived).await?;
        }
    }

    /// Up to `batch_max` new, valid ids of those ready now, without waiting. `waiter`: the
    /// caller holds [`Self::waiter`], so it may poll the input while a waker is registered.
    fn take_ready<D: Deleter + ?Sized>(&self, deleter: &D, waiter: bool) -> Ready {
        let mut input = self.lock();
        let input = &mut *input;
        let mut batch = Vec::new();
        while !input.done {
            let next = match input.first.take() {
                Some(id) => Some(id),
                None if input.waiting && !waiter => break,
                None => match input.ids.next().now_or_never() {
                    Some(next) => next,
                    None => break,
                },
            };
            let Some(id) = next else {
                input.done = true;
                break;
            };
            if let Err(e) = deleter.validate_id(&id) {
                // The ids before an invalid id are sent; nothing after it is. The error ends
                // the stream once they settle.
                input.invalid = Some(e);
                input.done = true;
                break;
            }
            if input.seen.insert(&id) {
                if batch.is_empty() {
                    batch.reserve(self.batch_max.min(1024));
                }
                batch.push(id);
                if batch.len() >= self.batch_max {
                    break;
                }
            }
        }
        if !batch.is_empty() {
            Ready::Batch(batch)
        } else if input.done {
            Ready::Done
        } else {
            Ready::Empty
        }
    }
}

/// Takes batches until there are none, deleting each and sending its outcomes.
async fn work<D: Deleter + ?Sized + 'static>(
    deleter: Arc<D>,
    feed: Arc<Feed>,
    on_batch: Option<BatchHook>,
    tx: mpsc::Sender<StreamItem>,
    stop: Arc<Stop>,
) {
    loop {
        // A batch is not taken after the stream stopped: its ids are never sent.
        if stop.is_set() {
            return;
        }
        let batch = feed.next_batch(deleter.as_ref(), &stop).await;
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
        /// The thread each batch was deleted on.
        threads: Mutex<Vec<String>>,
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
            self.threads.lock().unwrap_or_else(|p| p.into_inner()).push(
                std::thread::current()
                    .name()
                    .unwrap_or_default()
                    .to_string(),
            );
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

    /// Two current-thread runtimes, each on a thread of its own, until the returned sender
    /// is dropped.
    fn runtime_threads() -> (
        Vec<tokio::runtime::Handle>,
        Vec<std::thread::JoinHandle<()>>,
        tokio::sync::watch::Sender<()>,
    ) {
        let (stop, stopped) = tokio::sync::watch::channel(());
        let mut handles = Vec::new();
        let mut threads = Vec::new();
        for name in ["rt-a", "rt-b"] {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            handles.push(rt.handle().clone());
            let mut stopped = stopped.clone();
            threads.push(
                std::thread::Builder::new()
                    .name(name.into())
                    .spawn(move || {
                        rt.block_on(async move {
                            let _ = stopped.changed().await;
                        });
                    })
                    .expect("thread"),
            );
        }
        (handles, threads, stop)
    }

    #[test]
    fn workers_on_several_runtimes_share_one_trickling_input() {
        let (handles, threads, stop) = runtime_threads();
        let main = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let d = fake(2, 1);
        let got = main.block_on(async {
            // Ids come one at a time and in bursts, with pauses: workers on both threads wait
            // for the input in turn, and none may miss its wake-up.
            let (tx, rx) = tokio::sync::mpsc::channel::<String>(4);
            tokio::spawn(async move {
                for i in 0..300u32 {
                    if tx.send(i.to_string()).await.is_err() {
                        return;
                    }
                    if i % 7 == 0 {
                        tokio::time::sleep(Duration::from_millis(2)).await;
                    }
                }
            });
            let ids = futures_util::stream::unfold(rx, |mut rx| async move {
                rx.recv().await.map(|id| (id, rx))
            });
            let o = StreamOptions::new().concurrency(6).runtimes(handles);
            tokio::time::timeout(
                Duration::from_secs(30),
                delete_stream(d.clone(), ids, o).collect::<Vec<_>>(),
            )
            .await
            .expect("the stream ends (no worker missed the input's wake-up)")
        });
        let mut seen: Vec<u32> = got
            .into_iter()
            .map(|r| r.expect("no error").id.parse().expect("number"))
            .collect();
        seen.sort_unstable();
        assert_eq!(seen, (0..300).collect::<Vec<_>>(), "each id exactly once");
        let on = d.threads.lock().unwrap_or_else(|p| p.into_inner()).clone();
        assert!(on.iter().all(|t| t == "rt-a" || t == "rt-b"), "{on:?}");
        assert!(
            on.iter().any(|t| t == "rt-a") && on.iter().any(|t| t == "rt-b"),
            "{on:?}"
        );
        drop(stop);
        for t in threads {
            t.join().expect("runtime thread");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn dropping_the_stream_cancels_the_batches_in_flight() {
        let d = fake(1, 1000);
        let s = delete_stream(
            d.clone(),
            futures_util::stream::iter(ids(0..100)),
            StreamOptions::new(),
        );
        tokio::time::sleep(Duration::from_millis(10)).await; // the three workers start
        let sent = || d.sent.lock().unwrap_or_else(|p| p.into_inner()).len();
        assert_eq!(sent(), 3);
        drop(s);
        tokio::time::sleep(Duration::from_secs(60)).await;
        assert_eq!(sent(), 3, "no batch starts after the drop");
        assert_eq!(
            d.now.load(Ordering::SeqCst),
            3,
            "the batches in flight were cancelled, not finished"
        );
    }

    #[test]
    fn a_worker_whose_runtime_shuts_down_ends_the_stream_with_an_error() {
        let (handles, threads, stop) = runtime_threads();
        let main = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let d = fake(1, 200);
        let got = main.block_on(async {
            let o = StreamOptions::new()
                .concurrency(2)
                .runtimes(vec![handles[0].clone()]);
            let mut s = delete_stream(d.clone(), futures_util::stream::iter(ids(0..100)), o);
            let mut got = vec![s.next().await.expect("a first outcome")];
            // The workers' runtime goes away with batches in flight.
            drop(stop);
            for t in threads {
                t.join().expect("runtime thread");
            }
            while let Some(item) = s.next().await {
                got.push(item);
            }
            got
        });
        let e = got
            .last()
            .expect("items")
            .as_ref()
            .expect_err("the stream ends with an error, not as if complete");
        assert_eq!(e.kind(), ErrorKind::Transport, "{e}");
        assert!(e.to_string().contains("cancelled"), "{e}");
        assert!(e.may_have_applied());
        assert!(got.len() < 100, "it did not run to the end: {}", got.len());
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
