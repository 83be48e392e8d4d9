//! Running a delete through any provider's `Deleter`: ids stream in, each id's report line
//! (and journal line) goes out as it settles, with progress on a terminal and an exit status.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use cert_common::stream::StreamOptions;
use cert_common::{DeleteReport, Deleter, Error, ErrorKind};
use futures_util::{FutureExt, StreamExt};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::cli::{CommonArgs, OutputFormat};
use crate::journal::{Earlier, Header, Journal};
use crate::report::{self, EXIT_CONFIG, EXIT_USAGE, Ending, Sink};

/// The exit status of an error that stopped a command before anything was sent.
pub fn exit_for(e: &Error) -> u8 {
    match e.kind() {
        ErrorKind::InvalidInput => EXIT_USAGE,
        ErrorKind::Credentials | ErrorKind::Config => EXIT_CONFIG,
        _ => report::EXIT_INCOMPLETE,
    }
}

/// How long a settled id's report line may wait in the output buffer.
const FLUSH_EVERY: Duration = Duration::from_millis(100);

/// Outcomes settled by the stream and not yet written out, at most.
pub const SETTLED_BUFFER: usize = 64;

/// Runs `common` against `deleter`: a dry run prints the plan; otherwise ids stream from
/// their source through [`Deleter::delete_stream`], and each id's line of the report (and of
/// the journal, with `--journal`) is written as it settles. Returns the exit status.
pub async fn delete(deleter: Arc<dyn Deleter>, common: &CommonArgs) -> u8 {
    if common.dry_run {
        return dry_run(deleter.as_ref(), common);
    }
    if let Err(code) = crate::providers::check_rate_limit(&common.conn).await {
        return code;
    }
    let output = common.conn.output;
    if let (Some(journal), Some(from)) = (&common.journal, common.ids_from.as_deref())
        && same_file(journal, from)
    {
        let from = if from == "-" { "standard input" } else { from };
        eprintln!(
            "certctl: the ids ({from}) and --journal {journal} are the same file: the journal's \
             own lines would be read back as ids"
        );
        return EXIT_USAGE;
    }
    // The journal first: a run it would refuse sends nothing.
    let (journal, earlier) = match &common.journal {
        None => (None, Earlier::default()),
        Some(path) => match open_journal(deleter.as_ref(), path, common).await {
            Ok((j, e)) => (Some(Arc::new(j)), e),
            Err(code) => return code,
        },
    };
    if earlier.dropped_partial_line {
        eprintln!(
            "certctl: the journal's last line was cut short (a crash in the middle of a write); it was dropped"
        );
    }
    let Earlier {
        settled,
        interrupted,
        not_gone,
        ..
    } = earlier;
    let skip = journal
        .is_some()
        .then(|| Arc::new(crate::ids::Skip { settled, not_gone }));
    let input = match crate::ids::open(
        &common.ids,
        common.ids_from.as_deref(),
        deleter.clone(),
        skip,
    ) {
        Ok(i) => i,
        Err(msg) => {
            eprintln!("certctl: {msg}");
            return EXIT_USAGE;
        }
    };
    // Few settled outcomes wait between the stream and the journal: a kill loses at most the
    // requests in flight and these.
    let mut options = StreamOptions::new()
        .concurrency(common.conn.concurrency as usize)
        .buffer(SETTLED_BUFFER)
        .runtimes(crate::shards::Shards::handles());
    if let Some(n) = common.batch_size {
        options = options.batch_size(n as usize);
    }
    if let Some(j) = &journal {
        let j = j.clone();
        options = options.on_batch(Arc::new(move |ids: &[String]| {
            j.attempt(ids).map_err(Error::config)
        }));
    }
    let bar = progress(input.total);
    let mut sink: Option<Sink> = None;
    let mut stream = deleter.clone().delete_stream(input.stream, options);
    let mut stopped: Option<Error> = None;
    let mut journal_failed: Option<String> = None;
    let mut flushed = std::time::Instant::now();
    // One timer for the whole run (a timeout per wait would register and remove a timer for
    // nearly every id).
    let mut tick = tokio::time::interval(FLUSH_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        // Write out what has settled when the stream has nothing more ready, at most every
        // FLUSH_EVERY (a write per id would cost more than the id's own request).
        let next = match stream.next().now_or_never() {
            Some(next) => next,
            None => {
                if let Some(s) = &mut sink
                    && flushed.elapsed() >= FLUSH_EVERY
                {
                    s.flush();
                    flushed = std::time::Instant::now();
                }
                let next = tokio::select! {
                    next = stream.next() => next,
                    _ = tick.tick() => continue,
                };
                // The worker whose outcome woke this has already handed its next request to
                // the connection's task, queued behind this one on this thread: let it go out
                // first, and write the report while the request is on the wire (at
                // `--concurrency 1` that is 7 % more ids per second, docs/performance.md §6).
                tokio::task::yield_now().await;
                next
            }
        };
        match next {
            None => break,
            Some(Ok(mut item)) => {
                if interrupted.contains(&item.id) {
                    crate::journal::after_interruption(&mut item);
                }
                if let Some(j) = &journal {
                    j.settled(&item);
                    if let Err(msg) = j.check() {
                        journal_failed = Some(msg);
                    }
                }
                sink.get_or_insert_with(|| Sink::begin(deleter.name(), output))
                    .item(&item);
                bar.inc(1);
                if journal_failed.is_some() {
                    break;
                }
            }
            Some(Err(e)) => stopped = Some(e),
        }
    }
    // Dropping the stream cancels what is still in flight (only after a journal failure):
    // those ids have their `attempt` line, so a resumed run treats them as possibly deleted.
    drop(stream);
    if let Some(j) = &journal {
        j.sync();
    }
    bar.finish_and_clear();
    let input_failure = input
        .failure
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .take();
    let read = input.read.load(Ordering::Relaxed);
    let skipped = input.skipped.load(Ordering::Relaxed);
    if sink.is_none() && read == 0 && stopped.is_none() && journal_failed.is_none() {
        if let Some(msg) = input_failure {
            eprintln!("certctl: {msg}");
            return EXIT_USAGE;
        }
        if skipped == 0 {
            eprintln!("certctl: {}", crate::ids::nothing_read());
            return EXIT_USAGE;
        }
    }
    let sink = sink.unwrap_or_else(|| Sink::begin(deleter.name(), output));
    let settled = sink.totals().requested as u64;
    let (why, code) = match (&journal_failed, &stopped, &input_failure) {
        (Some(msg), _, _) => (Some(msg.clone()), EXIT_CONFIG),
        (None, Some(e), _) => (Some(e.to_string()), stop_status(e)),
        (None, None, Some(msg)) => (Some(msg.clone()), EXIT_USAGE),
        (None, None, None) => (None, report::EXIT_OK),
    };
    if let Some(why) = &why {
        eprintln!("certctl: {why}");
        let unsettled = match input.total {
            Some(total) => format!("{} id(s) not in the report", total.saturating_sub(settled)),
            None => "the ids not in the report".to_string(),
        };
        // Some of them went out in the requests whose answers did not settle them (the one
        // that stopped the run, and those in flight then); the journal knows which.
        let sent = match &journal {
            Some(j) => match j.unsettled_attempts() {
                0 => "none of them was sent".to_string(),
                k => format!(
                    "{k} of them were sent in requests whose answers did not settle them \
                     (unconfirmed in `certctl report`; --resume sends them again), the others \
                     were NOT attempted"
                ),
            },
            None => format!(
                "at most those of the {} request(s) in flight were sent, the others were NOT \
                 attempted",
                common.conn.concurrency
            ),
        };
        eprintln!(
            "certctl: the run stopped: {unsettled}: {sent}; the report covers the {settled} settled before it stopped{}",
            if journal.is_some() {
                " (run again with --resume to continue)"
            } else {
                ""
            }
        );
    }
    // Skipped ids count too: a resumed run whose journal has some refused or unconfirmed is
    // not a run where every id is gone.
    let skipped_not_gone = input.skipped_not_gone.load(Ordering::Relaxed);
    let totals_gone = {
        let t = sink.totals();
        t.deleted + t.absent == t.requested && skipped_not_gone == 0
    };
    sink.finish(&Ending {
        stopped: why,
        skipped,
        skipped_not_gone,
    });
    if code != report::EXIT_OK {
        return code;
    }
    if totals_gone {
        report::EXIT_OK
    } else {
        report::EXIT_INCOMPLETE
    }
}

/// Whether `journal` is the file the ids come from (`-`: what standard input reads from):
/// the same device and inode.
#[cfg(unix)]
fn same_file(journal: &str, ids_from: &str) -> bool {
    use std::os::fd::AsFd;
    use std::os::unix::fs::MetadataExt;
    let Ok(j) = std::fs::metadata(journal) else {
        return false; // a journal not there yet is no ids file
    };
    let ids = if ids_from == "-" {
        std::io::stdin()
            .as_fd()
            .try_clone_to_owned()
            .ok()
            .and_then(|fd| std::fs::File::from(fd).metadata().ok())
    } else {
        std::fs::metadata(ids_from).ok()
    };
    ids.is_some_and(|i| j.is_file() && j.dev() == i.dev() && j.ino() == i.ino())
}

/// Whether `journal` is the file the ids come from: the same canonical path (standard input
/// is not checked).
#[cfg(not(unix))]
fn same_file(journal: &str, ids_from: &str) -> bool {
    ids_from != "-"
        && matches!(
            (std::fs::canonicalize(journal), std::fs::canonicalize(ids_from)),
            (Ok(a), Ok(b)) if a == b
        )
}

/// The exit status of an error that stopped a run part-way.
fn stop_status(e: &Error) -> u8 {
    match exit_for(e) {
        EXIT_USAGE => EXIT_USAGE,
        EXIT_CONFIG => EXIT_CONFIG,
        _ => report::EXIT_INCOMPLETE,
    }
}

/// Opens the journal of a run (created, or resumed), or returns the exit status.
async fn open_journal(
    deleter: &dyn Deleter,
    path: &str,
    common: &CommonArgs,
) -> Result<(Journal, Earlier), u8> {
    let scope = match deleter.scope().await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("certctl: {e}");
            return Err(exit_for(&e));
        }
    };
    let header = Header::of(&scope);
    let opened = if common.resume {
        Journal::resume(path, &header, common.retry_unconfirmed)
    } else {
        Journal::create(path, &header).map(|j| (j, Earlier::default()))
    };
    opened.map_err(|msg| {
        eprintln!("certctl: {msg}");
        EXIT_CONFIG
    })
}

fn dry_run(deleter: &dyn Deleter, common: &CommonArgs) -> u8 {
    let ids = match crate::ids::collect(&common.ids, common.ids_from.as_deref()) {
        Ok(ids) => ids,
        Err(msg) => {
            eprintln!("certctl: {msg}");
            return EXIT_USAGE;
        }
    };
    match deleter.plan(&ids) {
        Ok(plan) => {
            print_plan(deleter.name(), &plan, common.conn.output);
            report::EXIT_OK
        }
        Err(e) => {
            eprintln!("certctl: {e}");
            exit_for(&e)
        }
    }
}

/// `certctl report FILE`: the report a journal records.
pub fn replay(file: &str, output: OutputFormat) -> u8 {
    let sink: std::cell::RefCell<Option<Sink>> = std::cell::RefCell::new(None);
    let result = crate::journal::replay(
        file,
        |header| *sink.borrow_mut() = Some(Sink::begin(&header.api, output)),
        |item| {
            if let Some(s) = sink.borrow_mut().as_mut() {
                s.item(&item);
            }
        },
    );
    let sink = sink.into_inner();
    match result {
        Ok(dropped) => {
            if dropped {
                eprintln!("certctl: the journal's last line was cut short; it was ignored");
            }
        }
        Err(msg) => {
            eprintln!("certctl: {msg}");
            return EXIT_CONFIG;
        }
    }
    let Some(sink) = sink else {
        return EXIT_CONFIG;
    };
    let gone = {
        let t = sink.totals();
        t.deleted + t.absent == t.requested
    };
    sink.finish(&Ending::default());
    if gone {
        report::EXIT_OK
    } else {
        report::EXIT_INCOMPLETE
    }
}

fn progress(total: Option<u64>) -> ProgressBar {
    if !std::io::stderr().is_terminal() || total.is_some_and(|t| t <= 500) {
        return ProgressBar::hidden();
    }
    let (bar, template) = match total {
        Some(t) => (
            ProgressBar::new(t),
            "{bar:40} {pos}/{len} ids  {rate}  eta {eta}",
        ),
        None => (ProgressBar::no_length(), "{spinner} {pos} ids  {rate}"),
    };
    bar.set_draw_target(ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.with_key(
            "rate",
            |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{:.0} ids/s", state.per_sec());
            },
        ));
    }
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// Prints a report.
pub fn print_report(provider: &str, report: &DeleteReport<String>, output: OutputFormat) {
    match output {
        OutputFormat::Json => {
            match serde_json::to_string_pretty(&report::to_json(provider, report)) {
                Ok(s) => report::print(&(s + "\n")),
                Err(e) => eprintln!("certctl: cannot render JSON: {e}"),
            }
        }
        OutputFormat::Table => report::print(&report::to_table(provider, report)),
    }
}

fn print_plan(provider: &str, plan: &[cert_common::PlannedRequest], output: OutputFormat) {
    match output {
        OutputFormat::Json => {
            let items: Vec<serde_json::Value> = plan
                .iter()
                .map(|p| serde_json::json!({"method": p.method, "target": p.target, "ids": p.ids}))
                .collect();
            let doc = serde_json::json!({"provider": provider, "dry_run": true, "requests": items});
            report::print(&(serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"));
        }
        OutputFormat::Table => {
            use std::fmt::Write;
            let mut text = format!(
                "{provider}: dry run, nothing sent; {} request(s) would be sent:\n",
                plan.len()
            );
            for p in plan {
                let _ = writeln!(
                    text,
                    "  {} {}  ({} id(s): {})",
                    p.method,
                    p.target,
                    p.ids.len(),
                    p.ids.join(", ")
                );
            }
            report::print(&text);
        }
    }
}
