//! Where the ids to delete come from: arguments, a file, or standard input (`-`), read as a
//! stream: a reader thread hands ids over as it reads them, so a million ids never sit in
//! memory at once.
//!
//! Lines are trimmed; blank lines and lines starting with `#` are skipped. Ids on the command
//! line and in a file are checked before anything is sent (a file is read twice: once to
//! check every line and count the distinct ids, once to send them). Standard input can only
//! be read once: a bad line there stops the run at that line, after the ids before it settle.

use std::io::BufRead;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use cert_common::Deleter;
use cert_common::seen::SeenIds;
use cert_common::stream::IdStream;

/// Ids read ahead of the deletes, at most.
const READ_AHEAD: usize = 4096;

/// What the reader found wrong, if anything (set by the reader thread).
pub type InputFailure = Arc<Mutex<Option<String>>>;

/// A running source of ids.
pub struct Input {
    /// The ids, as they are read.
    pub stream: IdStream,
    /// Distinct ids to send, when known before the run (arguments and files).
    pub total: Option<u64>,
    /// Set when the input stopped at a bad line (standard input) or could not be read.
    pub failure: InputFailure,
    /// Ids read (after skipping).
    pub read: Arc<AtomicU64>,
    /// Ids skipped because a journal says they are settled.
    pub skipped: Arc<AtomicU64>,
}

fn wanted(line: &str) -> Option<&str> {
    let l = line.trim();
    (!l.is_empty() && !l.starts_with('#')).then_some(l)
}

/// Collects every id into memory (for `--dry-run`, which prints them all anyway).
pub fn collect(args: &[String], from: Option<&str>) -> Result<Vec<String>, String> {
    let mut ids: Vec<String> = args.iter().map(|s| s.trim().to_string()).collect();
    if let Some(source) = from {
        let text = if source == "-" {
            std::io::stdin()
                .lock()
                .lines()
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| format!("cannot read ids from standard input: {e}"))?
                .join("\n")
        } else {
            std::fs::read_to_string(source)
                .map_err(|e| format!("cannot read ids from {source}: {e}"))?
        };
        ids.extend(text.lines().filter_map(wanted).map(str::to_string));
    }
    check_args(&ids)?;
    if ids.is_empty() {
        return Err(no_ids());
    }
    Ok(ids)
}

fn check_args(ids: &[String]) -> Result<(), String> {
    if ids.iter().any(String::is_empty) {
        return Err("an id is empty".into());
    }
    Ok(())
}

fn no_ids() -> String {
    "no ids given: pass them as arguments, or with --ids-from FILE (or - for stdin)".into()
}

/// Checks `id` with the deleter; the message names where it came from.
fn check(deleter: &dyn Deleter, id: &str, place: &str) -> Result<(), String> {
    deleter
        .validate_id(id)
        .map_err(|e| format!("{place}: {e}"))
}

/// Opens the ids of `args` and `from` as a stream. Ids in `skip` (settled, per a journal) are
/// passed over and counted. Errors here mean nothing was sent (exit status 2).
pub fn open(
    args: &[String],
    from: Option<&str>,
    deleter: Arc<dyn Deleter>,
    skip: Option<Arc<SeenIds>>,
) -> Result<Input, String> {
    let args: Vec<String> = args.iter().map(|s| s.trim().to_string()).collect();
    check_args(&args)?;
    // Arguments and a file are checked, and their distinct ids counted, before anything is sent.
    let mut distinct = SeenIds::new();
    for (n, id) in args.iter().enumerate() {
        check(deleter.as_ref(), id, &format!("argument {}", n + 1))?;
        if !skip.as_ref().is_some_and(|s| s.contains(id)) {
            distinct.insert(id);
        }
    }
    let file = from.filter(|f| *f != "-").map(str::to_string);
    if let Some(path) = &file {
        let f = std::fs::File::open(path).map_err(|e| format!("cannot read ids from {path}: {e}"))?;
        for (n, line) in std::io::BufReader::new(f).lines().enumerate() {
            let line = line.map_err(|e| format!("cannot read ids from {path}: {e}"))?;
            if let Some(id) = wanted(&line) {
                check(deleter.as_ref(), id, &format!("{path} line {}", n + 1))?;
                if !skip.as_ref().is_some_and(|s| s.contains(id)) {
                    distinct.insert(id);
                }
            }
        }
    }
    let stdin = from == Some("-");
    let total = (!stdin).then_some(distinct.len() as u64);
    drop(distinct);
    if total == Some(0) && skip.is_none() {
        return Err(no_ids());
    }

    let (tx, rx) = tokio::sync::mpsc::channel::<String>(READ_AHEAD);
    let failure: InputFailure = Arc::default();
    let read = Arc::new(AtomicU64::new(0));
    let skipped = Arc::new(AtomicU64::new(0));
    {
        let (failure, read, skipped) = (failure.clone(), read.clone(), skipped.clone());
        std::thread::Builder::new()
            .name("certctl-ids".into())
            .spawn(move || {
                let fail = |msg: String| {
                    *failure.lock().unwrap_or_else(|p| p.into_inner()) = Some(msg);
                };
                // One id: skipped, or sent; false when the run no longer wants ids.
                let give = |id: &str| -> bool {
                    if skip.as_ref().is_some_and(|s| s.contains(id)) {
                        skipped.fetch_add(1, Ordering::Relaxed);
                        return true;
                    }
                    read.fetch_add(1, Ordering::Relaxed);
                    tx.blocking_send(id.to_string()).is_ok()
                };
                for id in &args {
                    if !give(id) {
                        return;
                    }
                }
                let Some(from) = from_owned(file, stdin) else {
                    return;
                };
                let (name, reader): (String, Box<dyn BufRead>) = match from {
                    Source::Stdin => (
                        "standard input".into(),
                        Box::new(std::io::BufReader::new(std::io::stdin())),
                    ),
                    Source::File(path) => match std::fs::File::open(&path) {
                        Ok(f) => (path, Box::new(std::io::BufReader::new(f))),
                        Err(e) => return fail(format!("cannot read ids from {path}: {e}")),
                    },
                };
                for (n, line) in reader.lines().enumerate() {
                    let line = match line {
                        Ok(l) => l,
                        Err(e) => return fail(format!("cannot read ids from {name}: {e}")),
                    };
                    let Some(id) = wanted(&line) else { continue };
                    if stdin
                        && let Err(msg) =
                            check(deleter.as_ref(), id, &format!("{name} line {}", n + 1))
                    {
                        return fail(msg);
                    }
                    if !give(id) {
                        return;
                    }
                }
            })
            .map_err(|e| format!("cannot start the id reader: {e}"))?;
    }
    let stream =
        futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|x| (x, rx)) });
    Ok(Input {
        stream: Box::pin(stream),
        total,
        failure,
        read,
        skipped,
    })
}

enum Source {
    Stdin,
    File(String),
}

fn from_owned(file: Option<String>, stdin: bool) -> Option<Source> {
    match (file, stdin) {
        (Some(f), _) => Some(Source::File(f)),
        (None, true) => Some(Source::Stdin),
        (None, false) => None,
    }
}

/// The message for a run that read no id at all.
pub fn nothing_read() -> String {
    no_ids()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_skip_blanks_and_comments() {
        let got: Vec<&str> = ["  a ", "", "# note", "b"]
            .iter()
            .filter_map(|l| wanted(l))
            .collect();
        assert_eq!(got, ["a", "b"]);
    }

    #[test]
    fn empty_arguments_are_an_error() {
        assert!(collect(&[" ".into()], None).is_err());
        assert!(collect(&[], None).is_err());
        assert_eq!(collect(&["x".into()], None), Ok(vec!["x".to_string()]));
    }
}
