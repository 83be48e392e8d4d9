//! The threads certctl's requests run on: one current-thread Tokio runtime per core, each on
//! a thread of its own (thread per core), instead of one multi-thread runtime.
//!
//! The main thread runs the command (reading ids, the report, the journal) on its runtime;
//! [`Shards::start`] adds one thread and runtime per further core. A streamed delete puts its
//! workers on every runtime ([`Shards::handles`] for `StreamOptions::runtimes`), and the
//! transport keeps one connection pool per thread (`TransportConfig::pool_per_thread`), so a
//! request, its connection and its answer stay on one thread. A multi-thread runtime's
//! workers steal each other's tasks, park and wake each other; on two cores that cost about
//! a fifth of certctl's CPU per request (docs/performance.md, section 6).

use std::sync::Mutex;
use std::thread::JoinHandle;

use tokio::runtime::Handle;

/// The runtimes of this process: the main thread's first, then the extra threads'. A run with
/// one worker keeps it on the main thread, with the report: at `--concurrency 1` that spends
/// a fifth less CPU per id than a worker on a thread of its own (whose every outcome wakes
/// the main thread), at the same throughput.
/// Set by [`Shards::start`], emptied when the [`Shards`] are dropped (their runtimes are
/// gone then).
static HANDLES: Mutex<Vec<Handle>> = Mutex::new(Vec::new());

/// The most threads certctl runs requests on.
const MAX_THREADS: usize = 16;

/// The extra threads; dropping this stops their runtimes and waits for the threads.
pub struct Shards {
    threads: Vec<(tokio::sync::oneshot::Sender<()>, JoinHandle<()>)>,
}

impl Shards {
    /// Starts one runtime thread per core beyond the first (`threads` in all, or the number
    /// of cores when `None`), and records their handles and `main`'s for [`Self::handles`].
    pub fn start(main: Handle, threads: Option<usize>) -> std::io::Result<Shards> {
        let n = threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
            .clamp(1, MAX_THREADS);
        let mut started = Vec::with_capacity(n - 1);
        let mut handles = Vec::with_capacity(n);
        handles.push(main);
        for i in 1..n {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            handles.push(runtime.handle().clone());
            let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
            let thread = std::thread::Builder::new()
                .name(format!("certctl-rt-{i}"))
                .spawn(move || {
                    // Runs the tasks spawned onto this runtime until told to stop (or the
                    // sender is gone); dropping the runtime then drops what is left.
                    let _ = runtime.block_on(stopped);
                })?;
            started.push((stop, thread));
        }
        *HANDLES.lock().unwrap_or_else(|p| p.into_inner()) = handles;
        Ok(Shards { threads: started })
    }

    /// Every runtime, for a stream's workers (empty before [`Self::start`] and after the
    /// [`Shards`] are dropped: a stream then runs on the current runtime).
    pub fn handles() -> Vec<Handle> {
        HANDLES.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

impl Drop for Shards {
    fn drop(&mut self) {
        HANDLES.lock().unwrap_or_else(|p| p.into_inner()).clear();
        for (stop, thread) in self.threads.drain(..) {
            let _ = stop.send(());
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_extra_runtime_runs_on_a_thread_of_its_own() {
        let main = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let shards = Shards::start(main.handle().clone(), Some(3)).expect("threads");
        let handles = Shards::handles();
        assert_eq!(handles.len(), 3);
        let names: Vec<String> = main.block_on(async {
            let mut names = Vec::new();
            for h in &handles {
                let name = h
                    .spawn(async {
                        std::thread::current()
                            .name()
                            .unwrap_or_default()
                            .to_string()
                    })
                    .await
                    .expect("task");
                names.push(name);
            }
            names
        });
        let this = std::thread::current()
            .name()
            .unwrap_or_default()
            .to_string();
        assert_eq!(names, [this.as_str(), "certctl-rt-1", "certctl-rt-2"]);
        drop(shards); // stops and joins both threads
        assert!(
            Shards::handles().is_empty(),
            "no handle outlives its runtime"
        );
    }
}
