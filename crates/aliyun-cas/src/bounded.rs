//! Runs at most `limit` futures at a time on the caller's task (no spawning: dropping the
//! caller's future cancels them all).

use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::task::Poll;

/// Maps every item through `f`, keeping at most `limit` futures in flight; outputs in input
/// order.
pub(crate) async fn run_bounded<I, F, Fut>(items: Vec<I>, limit: usize, f: F) -> Vec<Fut::Output>
where
    F: Fn(I) -> Fut,
    Fut: Future,
{
    let limit = limit.max(1);
    let mut outputs: Vec<Option<Fut::Output>> = items.iter().map(|_| None).collect();
    let mut waiting = items.into_iter().enumerate();
    let mut running: Vec<(usize, Pin<Box<Fut>>)> = Vec::with_capacity(limit);
    poll_fn(|cx| {
        loop {
            while running.len() < limit {
                match waiting.next() {
                    Some((i, item)) => running.push((i, Box::pin(f(item)))),
                    None => break,
                }
            }
            if running.is_empty() {
                return Poll::Ready(());
            }
            let mut progressed = false;
            let mut k = 0;
            while k < running.len() {
                if let Poll::Ready(v) = running[k].1.as_mut().poll(cx) {
                    let (i, _) = running.swap_remove(k);
                    outputs[i] = Some(v);
                    progressed = true;
                } else {
                    k += 1;
                }
            }
            if !progressed {
                return Poll::Pending;
            }
        }
    })
    .await;
    outputs.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    /// A future that is pending `n` times (waking itself) before it yields `v`.
    struct Delay {
        left: u32,
        v: usize,
    }

    impl Future for Delay {
        type Output = usize;
        fn poll(mut self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> Poll<usize> {
            if self.left == 0 {
                Poll::Ready(self.v)
            } else {
                self.left -= 1;
                cx.waker().wake_by_ref();
                Poll::Pending
            }
        }
    }

    #[test]
    fn all_items_run_in_order_and_at_most_limit_at_once() {
        let started = Cell::new(0usize);
        let fut = run_bounded((0..10).collect(), 3, |i| {
            started.set(started.get() + 1);
            Delay {
                // Items 0 to 2 finish together, then the rest at different times.
                left: if i < 3 { 1 } else { (i % 4) as u32 },
                v: i * 10,
            }
        });
        let waker = std::task::Waker::noop();
        let mut cx = std::task::Context::from_waker(waker);
        let mut fut = Box::pin(fut);
        let mut polls = 0;
        let out = loop {
            polls += 1;
            if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
                break v;
            }
            assert!(polls < 100, "stuck");
        };
        assert_eq!(out, (0..10).map(|i| i * 10).collect::<Vec<_>>());
        assert_eq!(started.get(), 10);
    }
}
