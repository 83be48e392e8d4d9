//! Running a delete through any provider's `Deleter`: ids in, a report out, with progress on a
//! terminal and an exit status.

use std::io::IsTerminal;
use std::sync::Arc;
use std::time::Duration;

use cert_common::{DeleteReport, Deleter, Error, ErrorKind};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::cli::{CommonArgs, OutputFormat};
use crate::report::{self, EXIT_CONFIG, EXIT_USAGE};

/// The exit status of an error that stopped a command before anything was sent.
pub fn exit_for(e: &Error) -> u8 {
    match e.kind() {
        ErrorKind::InvalidInput => EXIT_USAGE,
        ErrorKind::Credentials | ErrorKind::Config => EXIT_CONFIG,
        _ => report::EXIT_INCOMPLETE,
    }
}

/// Ids per call to `Deleter::delete`: the progress bar moves between chunks.
const CHUNK: usize = 500;

/// Runs `common` against `deleter`: a dry run prints the plan; otherwise deletes in chunks and
/// prints the report. Returns the exit status.
pub async fn delete(deleter: Arc<dyn Deleter>, common: &CommonArgs) -> u8 {
    let ids = match crate::ids::collect(&common.ids, common.ids_from.as_deref()) {
        Ok(ids) => ids,
        Err(msg) => {
            eprintln!("certctl: {msg}");
            return EXIT_USAGE;
        }
    };
    let plan = match deleter.plan(&ids) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("certctl: {e}");
            return exit_for(&e);
        }
    };
    if common.dry_run {
        print_plan(deleter.name(), &plan, common.conn.output);
        return report::EXIT_OK;
    }
    let bar = progress(ids.len());
    let mut reports = Vec::new();
    for (n, chunk) in ids.chunks(CHUNK).enumerate() {
        match delete_chunk(&deleter, chunk).await {
            Ok(r) => {
                bar.inc(chunk.len() as u64);
                reports.push(r);
            }
            Err(mut e) => {
                // `delete` fails only before sending anything for this chunk, or when an answer
                // stopped the run (the endpoint is not the API): then the ids it had already
                // sent are in the error's partial report.
                bar.finish_and_clear();
                eprintln!("certctl: {e}");
                let partial = e.take_partial_report();
                let settled_here = partial.as_ref().map_or(0, |p| p.items().len());
                if reports.is_empty() && settled_here == 0 {
                    return exit_for(&e);
                }
                if let Some(p) = partial {
                    reports.push(p);
                }
                let done = DeleteReport::concat(reports);
                let not_attempted = ids.len() - n * CHUNK - settled_here;
                eprintln!(
                    "certctl: the run stopped; {not_attempted} id(s) were NOT attempted; the report covers the {} sent before it stopped",
                    done.items().len()
                );
                print_report(deleter.name(), &done, common.conn.output);
                return match exit_for(&e) {
                    report::EXIT_CONFIG => report::EXIT_CONFIG,
                    _ => report::EXIT_INCOMPLETE,
                };
            }
        }
    }
    bar.finish_and_clear();
    let all = DeleteReport::concat(reports);
    print_report(deleter.name(), &all, common.conn.output);
    report::exit_status(&all)
}

/// Deletes one chunk as a task of its own: should anything in it panic, the chunk's ids are
/// reported `unconfirmed` with the panic's message instead of the run losing its report.
async fn delete_chunk(
    deleter: &Arc<dyn Deleter>,
    chunk: &[String],
) -> Result<DeleteReport<String>, Error> {
    let task = {
        let (deleter, chunk) = (deleter.clone(), chunk.to_vec());
        tokio::spawn(async move { deleter.delete(&chunk).await })
    };
    match task.await {
        Ok(result) => result,
        Err(joined) => {
            let why = if joined.is_panic() {
                cert_common::concurrency::panic_message(joined.into_panic().as_ref())
            } else {
                "the task was cancelled".to_string()
            };
            let builder = cert_common::outcome::ReportBuilder::new(chunk.iter().cloned());
            Ok(builder.finish(cert_common::Outcome::panicked(&why), None))
        }
    }
}

fn progress(total: usize) -> ProgressBar {
    let bar = ProgressBar::new(total as u64);
    if std::io::stderr().is_terminal() && total > CHUNK {
        bar.set_draw_target(ProgressDrawTarget::stderr());
        if let Ok(style) =
            ProgressStyle::with_template("{bar:40} {pos}/{len} ids  {rate}  eta {eta}")
        {
            bar.set_style(style.with_key(
                "rate",
                |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = write!(w, "{:.0} ids/s", state.per_sec());
                },
            ));
        }
        bar.enable_steady_tick(Duration::from_millis(200));
    } else {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    bar
}

/// Prints a report.
pub fn print_report(provider: &str, report: &DeleteReport<String>, output: OutputFormat) {
    match output {
        OutputFormat::Json => {
            match serde_json::to_string_pretty(&report::to_json(provider, report)) {
                Ok(s) => println!("{s}"),
                Err(e) => eprintln!("certctl: cannot render JSON: {e}"),
            }
        }
        OutputFormat::Table => print!("{}", report::to_table(provider, report)),
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
            println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        }
        OutputFormat::Table => {
            println!(
                "{provider}: dry run, nothing sent; {} request(s) would be sent:",
                plan.len()
            );
            for p in plan {
                println!(
                    "  {} {}  ({} id(s): {})",
                    p.method,
                    p.target,
                    p.ids.len(),
                    p.ids.join(", ")
                );
            }
        }
    }
}
