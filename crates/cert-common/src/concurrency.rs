//! Bounded concurrency for clients that send one request per id (APIG, Aliyun) or per batch
//! (Tencent). The shared rate limiter still paces every attempt; this only caps how many are in
//! flight.

use std::future::Future;

use tokio::task::JoinSet;

/// Maps every item through `f`, with at most `limit` futures in flight (as tasks on the current
/// tokio runtime); outputs come back in input order. Dropping the returned future aborts the
/// tasks still running. A panic inside a task is resumed in the caller.
pub async fn run_bounded<I, T, F, Fut>(mut items: Vec<I>, limit: usize, f: F) -> Vec<T>
where
    F: Fn(I) -> Fut,
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let limit = limit.max(1);
    let total = items.len();
    if total == 1
        && let Some(item) = items.pop()
    {
        // One item: no task to spawn (and no allocation moving between threads).
        return vec![f(item).await];
    }
    let mut outputs: Vec<Option<T>> = (0..total).map(|_| None).collect();
    let mut waiting = items.into_iter().enumerate();
    let mut running = JoinSet::new();
    let spawn = |running: &mut JoinSet<(usize, T)>, (i, item): (usize, I)| {
        let fut = f(item);
        running.spawn(async move { (i, fut.await) });
    };
    for item in waiting.by_ref().take(limit) {
        spawn(&mut running, item);
    }
    while let Some(joined) = running.join_next().await {
        match joined {
            Ok((i, v)) => outputs[i] = Some(v),
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            // Cancelled: only when the runtime is shutting down; the output stays missing.
            Err(_) => {}
        }
        if let Some(item) = waiting.next() {
            spawn(&mut running, item);
        }
    }
    outputs.into_iter().flatten().collect()
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
        let out = run_bounded((0..20u64).collect(), 3, |i| {
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
        assert_eq!(out, (0..20).map(|i| i * 10).collect::<Vec<_>>());
        assert_eq!(peak.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn simultaneous_finishes_do_not_stop_early() {
        let out = run_bounded((0..10).collect(), 4, |i| async move { i }).await;
        assert_eq!(out.len(), 10);
        let empty: Vec<u8> = run_bounded(Vec::<u8>::new(), 4, |i| async move { i }).await;
        assert!(empty.is_empty());
    }
}
