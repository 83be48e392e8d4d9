//! Where the ids to delete come from: arguments, a file, or standard input (`-`), read as a
//! stream: a reader thread hands ids over as it reads them, so a million ids never sit in
//! memory at once.
//!
//! Lines are trimmed; blank lines and lines starting with `#` are skipped. Ids on the command
//! line and in a file are checked before anything is sent (a file is read twice: once to
//! check every line and count the distinct ids, once to send them). Standard input can only
//! be read once: a bad line there stops the run at that line, after the ids before it settle.

use std::io::{BufRead, BufReader, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use cert_common::Deleter;
use cert_common::seen::SeenIds;
use cert_common::stream::IdStream;
use futures_util::StreamExt;

/// Ids read ahead of the deletes, at most: [`READ_AHEAD_CHUNKS`] chunks of [`CHUNK`].
const READ_AHEAD_CHUNKS: usize = 16;
/// Ids handed over at once, at most. The reader hands over what it has as soon as its next
/// read would wait for more input, so a slow pipe's ids go out as they arrive; a fast one's
/// go in chunks, one wake-up of the run per chunk rather than per id.
const CHUNK: usize = 256;

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
    /// Distinct ids skipped because a journal says they are settled.
    pub skipped: Arc<AtomicU64>,
    /// Of those, the ids whose last outcome was refused or unconfirmed.
    pub skipped_not_gone: Arc<AtomicU64>,
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
    deleter.validate_id(id).map_err(|e| format!("{place}: {e}"))
}

/// The ids a resumed run passes over: those a journal has settled, and among them those whose
/// last outcome was not "gone" (refused, or unconfirmed and not retried), which keep the run's
/// exit status from being 0.
#[derive(Debug, Default)]
pub struct Skip {
    /// Settled ids: skipped.
    pub settled: SeenIds,
    /// Settled ids whose last outcome is refused or unconfirmed.
    pub not_gone: SeenIds,
}

impl Skip {
    fn contains(&self, id: &str) -> bool {
        self.settled.contains(id)
    }
}

/// Opens the ids of `args` and `from` as a stream. Ids in `skip` (settled, per a journal) are
/// passed over and counted, each distinct id once. Errors here mean nothing was sent (exit
/// status 2).
pub fn open(
    args: &[String],
    from: Option<&str>,
    deleter: Arc<dyn Deleter>,
    skip: Option<Arc<Skip>>,
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
    // The bytes of the file the check read: the run sends from those only, so lines added to
    // the file while it runs are never sent unchecked.
    let mut checked_bytes: u64 = 0;
    if let Some(path) = &file {
        let f =
            std::fs::File::open(path).map_err(|e| format!("cannot read ids from {path}: {e}"))?;
        let mut reader = std::io::BufReader::new(f);
        let mut line = String::new();
        for n in 1.. {
            line.clear();
            let read = reader
                .read_line(&mut line)
                .map_err(|e| format!("cannot read ids from {path} line {n}: {e}"))?;
            if read == 0 {
                break;
            }
            checked_bytes += read as u64;
            if let Some(id) = wanted(&line) {
                check(deleter.as_ref(), id, &format!("{path} line {n}"))?;
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

    let (tx, rx) = tokio::sync::mpsc::channel::<Vec<String>>(READ_AHEAD_CHUNKS);
    let failure: InputFailure = Arc::default();
    let read = Arc::new(AtomicU64::new(0));
    let skipped = Arc::new(AtomicU64::new(0));
    let skipped_not_gone = Arc::new(AtomicU64::new(0));
    {
        let (failure, read, skipped) = (failure.clone(), read.clone(), skipped.clone());
        let not_gone = skipped_not_gone.clone();
        std::thread::Builder::new()
            .name("certctl-ids".into())
            .spawn(move || {
                let fail = |msg: String| {
                    *failure.lock().unwrap_or_else(|p| p.into_inner()) = Some(msg);
                };
                let mut out = Handover {
                    tx,
                    chunk: Vec::with_capacity(CHUNK),
                    skip,
                    skipped_ids: SeenIds::new(),
                    read,
                    skipped,
                    skipped_not_gone: not_gone,
                };
                for id in &args {
                    if !out.give(id) {
                        return;
                    }
                }
                if !out.flush() {
                    return;
                }
                let Some(from) = from_owned(file, stdin) else {
                    return;
                };
                let (name, mut reader): (String, BufReader<Box<dyn Read>>) = match from {
                    Source::Stdin => (
                        "standard input".into(),
                        BufReader::with_capacity(64 * 1024, Box::new(std::io::stdin())),
                    ),
                    Source::File(path) => match std::fs::File::open(&path) {
                        Ok(f) => (
                            path,
                            BufReader::with_capacity(64 * 1024, Box::new(f.take(checked_bytes))),
                        ),
                        Err(e) => return fail(format!("cannot read ids from {path}: {e}")),
                    },
                };
                let mut line = String::new();
                let mut n = 0usize;
                loop {
                    line.clear();
                    match reader.read_line(&mut line) {
                        Ok(0) => break,
                        Ok(_) => n += 1,
                        Err(e) => {
                            out.flush();
                            return fail(format!("cannot read ids from {name}: {e}"));
                        }
                    }
                    if let Some(id) = wanted(&line) {
                        if stdin
                            && let Err(msg) =
                                check(deleter.as_ref(), id, &format!("{name} line {n}"))
                        {
                            out.flush();
                            return fail(msg);
                        }
                        if !out.give(id) {
                            return;
                        }
                    }
                    // The next read would wait: hand over what is read so far.
                    if reader.buffer().is_empty() && !out.flush() {
                        return;
                    }
                }
                out.flush();
            })
            .map_err(|e| format!("cannot start the id reader: {e}"))?;
    }
    let stream =
        futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|x| (x, rx)) })
            .flat_map(futures_util::stream::iter);
    Ok(Input {
        stream: Box::pin(stream),
        total,
        failure,
        read,
        skipped,
        skipped_not_gone,
    })
}

/// The reader's side of the hand-over: ids gathered into chunks.
struct Handover {
    tx: tokio::sync::mpsc::Sender<Vec<String>>,
    chunk: Vec<String>,
    skip: Option<Arc<Skip>>,
    /// The ids skipped so far (each is counted once, however often it is given).
    skipped_ids: SeenIds,
    read: Arc<AtomicU64>,
    skipped: Arc<AtomicU64>,
    skipped_not_gone: Arc<AtomicU64>,
}

impl Handover {
    /// One id: skipped, or added to the chunk (handed over when full). False when the run no
    /// longer wants ids.
    fn give(&mut self, id: &str) -> bool {
        if let Some(skip) = self.skip.as_ref().filter(|s| s.contains(id)) {
            if self.skipped_ids.insert(id) {
                self.skipped.fetch_add(1, Ordering::Relaxed);
                if skip.not_gone.contains(id) {
                    self.skipped_not_gone.fetch_add(1, Ordering::Relaxed);
                }
            }
            return true;
        }
        self.read.fetch_add(1, Ordering::Relaxed);
        self.chunk.push(id.to_string());
        self.chunk.len() < CHUNK || self.flush()
    }

    /// Hands over the chunk, if any (waiting while the run is [`READ_AHEAD_CHUNKS`] behind).
    /// False when the run no longer wants ids.
    fn flush(&mut self) -> bool {
        if self.chunk.is_empty() {
            return true;
        }
        let chunk = std::mem::replace(&mut self.chunk, Vec::with_capacity(CHUNK));
        self.tx.blocking_send(chunk).is_ok()
    }
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
    fn lines_added_to_the_ids_file_after_the_check_are_not_sent() {
        use std::io::Write;
        let path = std::env::temp_dir().join(format!("certctl-ids-grow-{}", std::process::id()));
        std::fs::write(&path, "1\n2\n").expect("ids");
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let deleter: Arc<dyn Deleter> = Arc::new(
            aliyun_cas::Client::new(aliyun_cas::Config::builder().region("cn-hangzhou").build())
                .expect("client"),
        );
        let path_text = path.to_string_lossy().into_owned();
        let input = open(&[], Some(&path_text), deleter, None).expect("checked");
        assert_eq!(input.total, Some(2));
        // Appended after the check (as a journal given as the ids file would be): not sent,
        // even the line that is not an id at all.
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .expect("open");
        f.write_all(b"3\nnot-an-id\n").expect("append");
        drop(f);
        let got: Vec<String> = rt.block_on(input.stream.collect());
        assert_eq!(got, ["1", "2"]);
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn an_ids_file_that_is_not_utf8_names_the_line() {
        let path = std::env::temp_dir().join(format!("certctl-ids-utf8-{}", std::process::id()));
        std::fs::write(&path, b"1\n\xff\xfe\n").expect("ids");
        let deleter: Arc<dyn Deleter> = Arc::new(
            aliyun_cas::Client::new(aliyun_cas::Config::builder().region("cn-hangzhou").build())
                .expect("client"),
        );
        let path_text = path.to_string_lossy().into_owned();
        let e = open(&[], Some(&path_text), deleter, None)
            .map(|_| ())
            .expect_err("not UTF-8");
        assert!(e.contains("line 2"), "{e}");
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn empty_arguments_are_an_error() {
        assert!(collect(&[" ".into()], None).is_err());
        assert!(collect(&[], None).is_err());
        assert_eq!(collect(&["x".into()], None), Ok(vec!["x".to_string()]));
    }
}
