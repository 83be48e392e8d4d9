//! Bounded concurrency for clients that send one request per id (APIG, Aliyun) or per batch
//! (Tencent). The shared rate limiter still paces every attempt; this only caps how many are in
//! flight. Results come back paired with their own inputs, by construction: nothing pairs them
//! by position.

use std::collections::HashMap;
use std::future::Future;

use futures_util::FutureExt;
use tokio::task::JoinSet;

/// A task that did not finish with an output: it panicked (the panic's message), or it was
/// cancelled because the runtime shut down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskFailed(pub String);

impl std::fmt::Display for TaskFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The message of a panic payload (its `&str` or `String`).
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_string()
    }
}

/// What [`run_bounded_until`] returns: every started input with its own result, in input
/// order, and the inputs never started (because a result asked to stop).
#[derive(Debug)]
pub struct Settled<I, T> {
    /// Each started input, paired with its output or the reason it has none.
    pub done: Vec<(I, Result<T, TaskFailed>)>,
    /// Inputs never started, in input order.
    pub not_started: Vec<I>,
}

/// Maps every item through `f`, with at most `limit` futures in flight (as tasks on the current
/// tokio runtime), and returns each item paired with its own result, in input order. A task
/// that panics does not take the others down: its item comes back with [`TaskFailed`] and the
/// panic's message. Dropping the returned future aborts the tasks still running.
pub async fn run_bounded<I, T, F, Fut>(
    items: Vec<I>,
    limit: usize,
    f: F,
) -> Vec<(I, Result<T, TaskFailed>)>
where
    F: Fn(&I) -> Fut,
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    run_bounded_until(items, limit, f, |_| false).await.done
}

/// As [`run_bounded`], but once an output makes `stop` true no further item is started (those
/// still running finish and are returned); the items never started come back in
/// [`Settled::not_started`].
pub async fn run_bounded_until<I, T, F, Fut, S>(
    items: Vec<I>,
    limit: usize,
    f: F,
    stop: S,
) -> Settled<I, T>
where
    F: Fn(&I) -> Fut,
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
    S: Fn(&T) -> bool,
{
    let limit = limit.max(1);
    let total = items.len();
    let mut items = items;
    if total == 1
        && let Some(item) = items.pop()
    {
        // One item: run it here, with the same panic isolation, and spare a task's spawn and
        // its wake-ups (a one-id delete, and each id of a stream, go this way).
        {
            let result = std::panic::AssertUnwindSafe(f(&item))
                .catch_unwind()
                .await
                .map_err(|p| TaskFailed(panic_message(p.as_ref())));
            return Settled {
                done: vec![(item, result)],
                not_started: Vec::new(),
            };
        }
    }
    let mut inputs: Vec<Option<I>> = items.into_iter().map(Some).collect();
    let mut outputs: Vec<Option<Result<T, TaskFailed>>> = (0..total).map(|_| None).collect();
    let mut by_task: HashMap<tokio::task::Id, usize> = HashMap::with_capacity(limit.min(total));
    let mut running = JoinSet::new();
    let mut next = 0usize;
    let mut stopped = false;
    loop {
        while !stopped && next < total && running.len() < limit {
            if let Some(item) = &inputs[next] {
                let fut = f(item);
                let handle = running.spawn(fut);
                by_task.insert(handle.id(), next);
            }
            next += 1;
        }
        let Some(joined) = running.join_next_with_id().await else {
            break;
        };
        let (id, result) = match joined {
            Ok((id, v)) => (id, Ok(v)),
            Err(e) => {
                let id = e.id();
                let why = if e.is_panic() {
                    panic_message(e.into_panic().as_ref())
                } else {
                    "the task was cancelled (the runtime is shutting down)".to_string()
                };
                (id, Err(TaskFailed(why)))
            }
        };
        if let Some(at) = by_task.remove(&id) {
            if let Ok(v) = &result
                && stop(v)
            {
                stopped = true;
            }
            outputs[at] = Some(result);
        }
    }
    let mut done = Vec::with_capacity(next);
    let mut not_started = Vec::new();
    for (at, (input, output)) in inputs.iter_mut().zip(outputs).enumerate() {
        let Some(input) = input.take() else { continue };
        match output {
            Some(result) => done.push((input, result)),
            None if at >= next => not_started.push(input),
            // Started but neither finished nor failed: cannot happen once the set is empty.
            None => done.push((
                input,
                Err(TaskFailed("the task ended without a result".into())),
            )),
        }
    }
    Settled { done, not_started }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    #[tokio::test(start_paused = true)]
    async fn order_is_kept_and_at_most_limit_run_at_once() {
        let now = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let out = run_bounded((0..20u64).collect(), 3, |&i| {
            let (now, peak) = (now.clone(), peak.clone());
            async move {
                let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(n, Ordering::SeqCst);
                // Items finish out of order.
                tokio::time::sleep(Duration::from_millis(50 - (i % 5) * 10)).await;
                now.fetch_sub(1, Ordering::SeqCst);
                i * 10
            }
        })
        .await;
        let want: Vec<(u64, Result<u64, TaskFailed>)> = (0..20).map(|i| (i, Ok(i * 10))).collect();
        assert_eq!(out, want);
        assert_eq!(peak.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn simultaneous_finishes_do_not_stop_early() {
        let out = run_bounded((0..10).collect(), 4, |&i| async move { i }).await;
        assert_eq!(out.len(), 10);
        assert!(out.iter().all(|(i, r)| r.as_ref() == Ok(i)));
        let empty = run_bounded(Vec::<u8>::new(), 4, |&i| async move { i }).await;
        assert!(empty.is_empty());
    }

    #[tokio::test]
    async fn a_panicking_task_keeps_its_input_and_spares_the_others() {
        let out = run_bounded((0..6u32).collect(), 2, |&i| async move {
            if i == 3 {
                panic!("boom at {i}");
            }
            i + 100
        })
        .await;
        assert_eq!(out.len(), 6);
        for (i, r) in &out {
            if *i == 3 {
                assert_eq!(r, &Err(TaskFailed("boom at 3".into())));
            } else {
                assert_eq!(r, &Ok(i + 100));
            }
        }
        let one = run_bounded(vec![7u8], 1, |_| async { panic!("alone") }).await;
        assert_eq!(one, vec![(7u8, Err::<(), _>(TaskFailed("alone".into())))]);
    }

    #[tokio::test]
    async fn a_stop_result_starts_nothing_more() {
        let s =
            run_bounded_until((0..10u32).collect(), 1, |&i| async move { i }, |v| *v == 1).await;
        // 0, then 1, which says stop: nothing after it starts.
        assert_eq!(s.done.iter().map(|(i, _)| *i).collect::<Vec<_>>(), [0, 1]);
        assert_eq!(s.not_started, (2..10).collect::<Vec<_>>());
    }
}
