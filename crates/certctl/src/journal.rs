//! `--journal FILE`: one JSON line per event of a run, appended as it happens, so a run that is
//! killed or loses its machine can be resumed (`--resume`) and its report rebuilt
//! (`certctl report FILE`).
//!
//! The file holds, one JSON object per line:
//! 1. a header: `{"certctl_journal":1,"api":…,"endpoint":…,"region":…,"account":…}`, where
//!    `account` is a hash of the access key id, never the key;
//! 2. `{"attempt":[ids…],"at":…}` just before a request for those ids is sent;
//! 3. `{"id":…,"outcome":…,"code":…,"message":…,"request_id":…,"attempted_at":…}` when an id
//!    settles.
//!
//! **Durability.** Every line goes to the kernel with one `write(2)` as soon as it exists (no
//! buffering in the process), so `kill -9` loses nothing that settled: what it can lose is the
//! answer of the requests in flight, whose ids have an `attempt` line and no outcome. The file
//! is `fdatasync`ed at most once a second while lines are written, and at the end of the run; a
//! machine that loses power can lose the last second of lines. Either way `--resume` re-attempts
//! every id without an outcome, and treats the ids with an `attempt` line as possibly deleted
//! already: "not found" then makes them `absent` (never `deleted`), and a refusal makes them
//! `unconfirmed`.
//!
//! **Corruption.** A last line cut short (a crash in the middle of a write) is dropped, and
//! the file is cut back to the last complete line before anything is appended. Any other line
//! that is not a journal line is an error naming the file and the line.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::sync::Mutex;
use std::time::Instant;

use cert_common::seen::SeenIds;
use cert_common::{ItemOutcome, Outcome, Scope};
use serde::{Deserialize, Serialize};

/// The journal format's version.
const VERSION: u32 = 1;

/// How often the file is synced while lines are written.
const SYNC_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// The first line: which API, where and as whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    /// The format version.
    pub certctl_journal: u32,
    /// The API (`aliyun-cas`).
    pub api: String,
    /// The endpoint.
    pub endpoint: String,
    /// The region, if any.
    pub region: Option<String>,
    /// A hash of the access key id.
    pub account: String,
    /// The project (Huawei's project id), for APIs that have one. Journals written before
    /// certctl recorded it have none, and are not checked for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
}

impl Header {
    /// The header of a run in `scope`.
    pub fn of(scope: &Scope) -> Self {
        Header {
            certctl_journal: VERSION,
            api: scope.api.to_string(),
            endpoint: scope.endpoint.clone(),
            region: scope.region.clone(),
            account: scope.account.clone(),
            project: scope.project.clone(),
        }
    }

    /// What differs between the journal's header and this run's, if anything.
    fn differences(&self, run: &Header) -> Vec<String> {
        let mut d = Vec::new();
        let show = |r: &Option<String>| r.clone().unwrap_or_else(|| "(none)".into());
        if self.api != run.api {
            d.push(format!("API {} (this run: {})", self.api, run.api));
        }
        if self.endpoint != run.endpoint {
            d.push(format!(
                "endpoint {} (this run: {})",
                self.endpoint, run.endpoint
            ));
        }
        if self.region != run.region {
            d.push(format!(
                "region {} (this run: {})",
                show(&self.region),
                show(&run.region)
            ));
        }
        if self.project.is_some() && self.project != run.project {
            d.push(format!(
                "project {} (this run: {})",
                show(&self.project),
                show(&run.project)
            ));
        }
        if self.account != run.account {
            d.push(format!(
                "account {} (this run: {}; the account is a hash of the access key id)",
                self.account, run.account
            ));
        }
        d
    }
}

/// A settled id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settled {
    /// The id.
    pub id: String,
    /// deleted | absent | refused | unconfirmed.
    pub outcome: String,
    // Every field is required, `null` included (as certctl writes them): a line missing one
    // was not written by certctl. (`deserialize_with` turns off serde's missing-is-`None`.)
    /// The provider's code.
    #[serde(deserialize_with = "Option::deserialize")]
    pub code: Option<String>,
    /// The message.
    #[serde(deserialize_with = "Option::deserialize")]
    pub message: Option<String>,
    /// The request id that decided the outcome.
    #[serde(deserialize_with = "Option::deserialize")]
    pub request_id: Option<String>,
    /// When its request was sent (UTC).
    #[serde(deserialize_with = "Option::deserialize")]
    pub attempted_at: Option<String>,
}

/// The outcomes a settled line can hold, as [`Outcome::as_str`] writes them.
const OUTCOMES: [&str; 4] = ["deleted", "absent", "refused", "unconfirmed"];

impl Settled {
    /// What makes this line no line certctl writes, if anything: an empty id, or an outcome
    /// that is not one of the four.
    fn problem(&self) -> Option<String> {
        if self.id.is_empty() {
            return Some("an empty id".into());
        }
        if !OUTCOMES.contains(&self.outcome.as_str()) {
            return Some(format!(
                "outcome {:?} is none of {}",
                self.outcome,
                OUTCOMES.join(", ")
            ));
        }
        None
    }

    /// The outcome as the library's type.
    pub fn to_item(&self) -> ItemOutcome<String> {
        let code = self.code.clone();
        let message = self.message.clone().unwrap_or_default();
        let outcome = match self.outcome.as_str() {
            "deleted" => Outcome::Deleted,
            "absent" => Outcome::Absent,
            "refused" => Outcome::Refused { code, message },
            _ => Outcome::Unconfirmed { code, message },
        };
        ItemOutcome::new(self.id.clone(), outcome, self.request_id.clone())
    }
}

/// An `attempt` line.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Attempt {
    attempt: Vec<String>,
    at: String,
}

/// Any line.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Line {
    Header(Header),
    Attempt(Attempt),
    Settled(Settled),
}

fn now_utc() -> String {
    cert_common::time::UtcDateTime::from_system_time(cert_common::time::Clock::now(
        &cert_common::time::SystemClock,
    ))
    .iso8601()
}

/// A journal being written.
#[derive(Debug)]
pub struct Journal {
    path: String,
    inner: Mutex<Writer>,
}

#[derive(Debug)]
struct Writer {
    file: File,
    line: String,
    last_sync: Instant,
    dirty: bool,
    /// When each id in flight was sent (bounded by what is in flight).
    in_flight: HashMap<String, String>,
    failed: Option<String>,
}

/// What a journal says of an earlier run.
#[derive(Debug, Default)]
pub struct Earlier {
    /// Ids with a final outcome (deleted, absent, refused), or unconfirmed when unconfirmed
    /// ids are not retried: a resumed run skips them.
    pub settled: SeenIds,
    /// Ids whose request may have been applied without an outcome reaching the journal: an
    /// `attempt` line and no outcome, or (with `--retry-unconfirmed`) an `unconfirmed` one.
    pub interrupted: SeenIds,
    /// Of the settled ids, those whose last outcome is refused or unconfirmed: a resumed run
    /// skips them, and cannot then end with exit status 0.
    pub not_gone: SeenIds,
    /// True when a last line cut short was dropped.
    pub dropped_partial_line: bool,
}

/// Reads a journal: its header and every line, in order. A last line without its newline that
/// does not parse is dropped (`Ok(true)` from `end`); any other bad line is an error naming
/// it. Returns the header and the byte length of the good part.
fn read_lines(
    path: &str,
    mut each: impl FnMut(usize, Line) -> Result<(), String>,
) -> Result<(Header, u64, bool), String> {
    let file = File::open(path).map_err(|e| format!("cannot read journal {path}: {e}"))?;
    let mut reader = BufReader::new(file);
    let mut buf = Vec::new();
    let mut good: u64 = 0;
    let mut header: Option<Header> = None;
    let mut n = 0usize;
    loop {
        buf.clear();
        let read = reader
            .read_until(b'\n', &mut buf)
            .map_err(|e| format!("cannot read journal {path}: {e}"))?;
        if read == 0 {
            break;
        }
        n += 1;
        let complete = buf.last() == Some(&b'\n');
        let parsed = std::str::from_utf8(&buf)
            .map_err(|_| "not UTF-8".to_string())
            .and_then(|t| serde_json::from_str::<Line>(t.trim_end()).map_err(|e| e.to_string()));
        // A line that parses but says what certctl never writes is corrupt too.
        let parsed = parsed.and_then(|l| match &l {
            Line::Settled(s) => s.problem().map_or(Ok(l), Err),
            Line::Attempt(a) if a.attempt.iter().any(String::is_empty) => {
                Err("an attempt with an empty id".into())
            }
            _ => Ok(l),
        });
        let line = match parsed {
            Ok(l) => l,
            Err(_) if !complete => {
                // Cut short by a crash in the middle of a write: dropped.
                return header
                    .map(|h| (h, good, true))
                    .ok_or_else(|| format!("journal {path} line 1: no complete header"));
            }
            Err(e) => {
                return Err(format!(
                    "journal {path} line {n} is not a journal line ({e}); it is corrupt: \
                     repair or remove that line, or start a new journal"
                ));
            }
        };
        match (line, &header) {
            (Line::Header(h), None) => {
                if h.certctl_journal != VERSION {
                    return Err(format!(
                        "journal {path} line 1: format version {} (this certctl writes {VERSION})",
                        h.certctl_journal
                    ));
                }
                header = Some(h);
            }
            (_, None) => {
                return Err(format!("journal {path} line 1: not a journal header"));
            }
            (Line::Header(_), Some(_)) => {
                return Err(format!(
                    "journal {path} line {n}: a second header; two runs' journals were joined"
                ));
            }
            (line, Some(_)) => each(n, line)?,
        }
        good += read as u64;
        if !complete {
            // A complete line without its newline: kept, and the newline added on resume.
            break;
        }
    }
    header
        .map(|h| (h, good, false))
        .ok_or_else(|| format!("journal {path} is empty: no header"))
}

/// Reads what a journal says of earlier runs.
fn read_earlier(path: &str, retry_unconfirmed: bool) -> Result<(Header, Earlier, u64), String> {
    let mut settled = SeenIds::new();
    let mut unconfirmed = SeenIds::new();
    let mut attempted = SeenIds::new();
    // Ids with a deleted or absent line, and ids with a refused or (skipped) unconfirmed one.
    let mut gone = SeenIds::new();
    let mut not_gone_ever = SeenIds::new();
    let (header, good, dropped) = read_lines(path, |_, line| {
        match line {
            Line::Attempt(a) => {
                for id in &a.attempt {
                    attempted.insert(id);
                }
            }
            Line::Settled(s) if s.outcome == "unconfirmed" && retry_unconfirmed => {
                unconfirmed.insert(&s.id);
            }
            Line::Settled(s) => {
                settled.insert(&s.id);
                if matches!(s.outcome.as_str(), "deleted" | "absent") {
                    gone.insert(&s.id);
                } else {
                    not_gone_ever.insert(&s.id);
                }
            }
            Line::Header(_) => {}
        }
        Ok(())
    })?;
    // A settled id is never sent again, so a deleted or absent line is its last word.
    let mut not_gone = SeenIds::new();
    for id in not_gone_ever.iter() {
        if !gone.contains(&id) {
            not_gone.insert(&id);
        }
    }
    let mut interrupted = SeenIds::new();
    for id in attempted.iter().chain(unconfirmed.iter()) {
        if !settled.contains(&id) {
            interrupted.insert(&id);
        }
    }
    Ok((
        header,
        Earlier {
            settled,
            interrupted,
            not_gone,
            dropped_partial_line: dropped,
        },
        good,
    ))
}

/// Takes the journal's lock (an advisory lock on the whole file, released when the run's
/// process ends, however it ends), or says which run holds it. A file system without locks
/// is used unlocked.
fn lock_file(file: &File, path: &str) -> Result<(), String> {
    match file.try_lock() {
        Ok(()) => Ok(()),
        Err(std::fs::TryLockError::WouldBlock) => Err(format!(
            "journal {path} is in use by another certctl run (it holds the file's lock): wait \
             for that run to end, or give another file"
        )),
        Err(std::fs::TryLockError::Error(e)) if e.kind() == std::io::ErrorKind::Unsupported => {
            Ok(())
        }
        Err(std::fs::TryLockError::Error(e)) => Err(format!("cannot lock journal {path}: {e}")),
    }
}

/// A journal is a file: a directory given as one is named as such (the OS error would only
/// say "Is a directory" or "Permission denied", depending on the platform).
fn not_a_directory(path: &str) -> Result<(), String> {
    if std::path::Path::new(path).is_dir() {
        return Err(format!(
            "--journal {path} is a directory: give a file's path (in it, for example \
             {}/certctl-journal.jsonl)",
            path.trim_end_matches('/')
        ));
    }
    Ok(())
}

impl Journal {
    /// Starts a new journal at `path` for a run in `scope`. A journal already there (not
    /// empty) is refused: resume it with `--resume`, or pick another file.
    pub fn create(path: &str, header: &Header) -> Result<Journal, String> {
        not_a_directory(path)?;
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| format!("cannot create journal {path}: {e}"))?;
        // Locked before it is looked at: of two runs started on one new file, one writes it.
        lock_file(&file, path)?;
        if file.metadata().is_ok_and(|m| m.len() > 0) {
            return Err(format!(
                "journal {path} already exists: add --resume to continue that run, or give \
                 another file"
            ));
        }
        let j = Journal::wrap(path, file);
        j.write_json(header);
        j.sync();
        j.check()?;
        Ok(j)
    }

    /// Opens `path` to resume the run it records. Refused when the journal was written for
    /// another API, endpoint, region or account than `header`'s.
    pub fn resume(
        path: &str,
        header: &Header,
        retry_unconfirmed: bool,
    ) -> Result<(Journal, Earlier), String> {
        if !std::path::Path::new(path).exists() {
            return Err(format!(
                "--resume: journal {path} does not exist (start without --resume to create it)"
            ));
        }
        not_a_directory(path)?;
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
            .map_err(|e| format!("cannot open journal {path}: {e}"))?;
        // Held for the whole run: two runs resuming one journal would send the same ids.
        lock_file(&file, path)?;
        let (found, earlier, good) = read_earlier(path, retry_unconfirmed)?;
        let diff = found.differences(header);
        if !diff.is_empty() {
            return Err(format!(
                "refusing to resume journal {path}: it was written for {}",
                diff.join("; ")
            ));
        }
        // Cut a partial last line away; end a complete last line that lacks its newline.
        file.set_len(good)
            .map_err(|e| format!("cannot repair journal {path}: {e}"))?;
        let mut last = [0u8; 1];
        let needs_newline = good > 0
            && file.seek(SeekFrom::Start(good - 1)).is_ok()
            && file.read_exact(&mut last).is_ok()
            && last[0] != b'\n';
        file.seek(SeekFrom::End(0))
            .map_err(|e| format!("cannot open journal {path}: {e}"))?;
        if needs_newline {
            file.write_all(b"\n")
                .map_err(|e| format!("cannot write journal {path}: {e}"))?;
        }
        Ok((Journal::wrap(path, file), earlier))
    }

    fn wrap(path: &str, file: File) -> Journal {
        Journal {
            path: path.to_string(),
            inner: Mutex::new(Writer {
                file,
                line: String::with_capacity(256),
                last_sync: Instant::now(),
                dirty: false,
                in_flight: HashMap::new(),
                failed: None,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Writer> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn write_json(&self, value: &impl Serialize) {
        let mut w = self.lock();
        w.write(value, &self.path);
    }

    /// Records that `ids` are about to be sent. An `Err` (the line could not be written, now
    /// or earlier) means they must not be sent: a crash would then leave no trace of them.
    pub fn attempt(&self, ids: &[String]) -> Result<(), String> {
        let at = now_utc();
        let mut w = self.lock();
        if let Some(e) = &w.failed {
            return Err(e.clone());
        }
        w.write(
            &Attempt {
                attempt: ids.to_vec(),
                at: at.clone(),
            },
            &self.path,
        );
        if let Some(e) = &w.failed {
            return Err(e.clone());
        }
        for id in ids {
            w.in_flight.insert(id.clone(), at.clone());
        }
        Ok(())
    }

    /// Ids written down as attempted in this run and not settled (yet).
    pub fn unsettled_attempts(&self) -> usize {
        self.lock().in_flight.len()
    }

    /// Records a settled id.
    pub fn settled(&self, item: &ItemOutcome<String>) {
        let mut w = self.lock();
        let attempted_at = w.in_flight.remove(&item.id);
        let line = Settled {
            id: item.id.clone(),
            outcome: item.outcome.as_str().to_string(),
            code: item.outcome.code().map(str::to_string),
            message: item.outcome.message().map(str::to_string),
            request_id: item.request_id.clone(),
            attempted_at,
        };
        w.write(&line, &self.path);
    }

    /// Syncs the file to disk.
    pub fn sync(&self) {
        let mut w = self.lock();
        w.sync(&self.path);
    }

    /// The first write or sync error, if any: the run must stop, since the journal no longer
    /// records it.
    pub fn check(&self) -> Result<(), String> {
        match &self.lock().failed {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }
}

impl Writer {
    fn write(&mut self, value: &impl Serialize, path: &str) {
        if self.failed.is_some() {
            return;
        }
        self.line.clear();
        // Serializing these types into a String cannot fail.
        let mut bytes = std::mem::take(&mut self.line).into_bytes();
        if let Err(e) = serde_json::to_writer(&mut bytes, value) {
            self.failed = Some(format!("cannot write journal {path}: {e}"));
            return;
        }
        bytes.push(b'\n');
        // One write(2) per line: once it returns, a kill of this process cannot lose it.
        if let Err(e) = self.file.write_all(&bytes) {
            self.failed = Some(format!("cannot write journal {path}: {e}"));
        }
        bytes.clear();
        self.line = String::from_utf8(bytes).unwrap_or_default();
        self.dirty = true;
        if self.last_sync.elapsed() >= SYNC_EVERY {
            self.sync(path);
        }
    }

    fn sync(&mut self, path: &str) {
        if self.dirty && self.failed.is_none() {
            if let Err(e) = self.file.sync_data() {
                self.failed = Some(format!("cannot sync journal {path}: {e}"));
            }
            self.dirty = false;
        }
        self.last_sync = Instant::now();
    }
}

/// `certctl report FILE`: the report of every run a journal records, each id once (its last
/// outcome), in the order the ids settled; ids sent by an interrupted run that never settled
/// are `unconfirmed`. Two passes over the file, so a journal of millions of ids needs memory
/// for the set of ids only.
pub fn replay(
    path: &str,
    begin: impl FnOnce(&Header),
    mut emit: impl FnMut(ItemOutcome<String>),
) -> Result<bool, String> {
    let mut ids = SeenIds::new();
    let mut last_line: Vec<usize> = Vec::new();
    let mut attempted = SeenIds::new();
    let (header, _, _) = read_lines(path, |n, line| {
        match line {
            Line::Settled(s) => {
                if let (Some(i), _) = ids.insert_full(&s.id) {
                    if i == last_line.len() {
                        last_line.push(n);
                    } else if let Some(slot) = last_line.get_mut(i) {
                        *slot = n;
                    }
                }
            }
            Line::Attempt(a) => {
                for id in &a.attempt {
                    attempted.insert(id);
                }
            }
            Line::Header(_) => {}
        }
        Ok(())
    })?;
    begin(&header);
    let (_, _, dropped) = read_lines(path, |n, line| {
        if let Line::Settled(s) = line
            && ids
                .index_of(&s.id)
                .and_then(|i| last_line.get(i))
                .is_some_and(|&last| last == n)
        {
            emit(s.to_item());
        }
        Ok(())
    })?;
    for id in attempted.iter() {
        if !ids.contains(&id) {
            let outcome = Outcome::Unconfirmed {
                code: None,
                message: "sent by a run that stopped or was interrupted before an answer \
                          settled it; resume the run to settle it"
                    .into(),
            };
            emit(ItemOutcome::new(id.to_string(), outcome, None));
        }
    }
    Ok(dropped)
}

/// The outcome of an id whose earlier attempt, in an interrupted run, may have applied: a
/// refusal now cannot show that nothing was deleted, so it is `unconfirmed`; "not found" stays
/// `absent` and never becomes `deleted`.
pub fn after_interruption(item: &mut ItemOutcome<String>) {
    if let Outcome::Refused { code, message } = &item.outcome {
        item.outcome = Outcome::Unconfirmed {
            code: code.clone(),
            message: format!(
                "{message} (an interrupted earlier run sent this id and may have deleted it)"
            ),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> Header {
        Header {
            certctl_journal: VERSION,
            api: "aliyun-cas".into(),
            endpoint: "http://127.0.0.1:1".into(),
            region: None,
            account: "abcd".into(),
            project: None,
        }
    }

    fn temp(name: &str) -> String {
        let p = std::env::temp_dir().join(format!("certctl-journal-{}-{name}", std::process::id()));
        let _ = std::fs::remove_file(&p);
        p.to_string_lossy().into_owned()
    }

    fn item(id: &str, outcome: Outcome) -> ItemOutcome<String> {
        ItemOutcome::new(id.into(), outcome, Some("r".into()))
    }

    #[test]
    fn resume_knows_settled_and_interrupted_ids() {
        let path = temp("resume");
        let j = Journal::create(&path, &header()).expect("create");
        j.attempt(&["1".into(), "2".into()]).expect("attempt");
        j.settled(&item("1", Outcome::Deleted));
        j.attempt(&["3".into()]).expect("attempt");
        drop(j);
        assert!(
            Journal::create(&path, &header()).is_err(),
            "never overwritten"
        );
        let (_, earlier) = Journal::resume(&path, &header(), false).expect("resume");
        assert!(earlier.settled.contains("1"));
        assert!(!earlier.settled.contains("2"));
        assert!(earlier.interrupted.contains("2") && earlier.interrupted.contains("3"));
        assert!(!earlier.interrupted.contains("1"));
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn a_directory_is_named_as_one_not_given_an_os_error() {
        let dir = std::env::temp_dir();
        let dir = dir.to_string_lossy();
        for e in [
            Journal::create(&dir, &header()).err(),
            Journal::resume(&dir, &header(), false).err(),
        ] {
            let e = e.expect("refused");
            assert!(e.contains("is a directory: give a file's path"), "{e}");
        }
    }

    #[test]
    fn a_journal_in_use_by_another_run_is_refused() {
        let path = temp("locked");
        let first = Journal::create(&path, &header()).expect("create");
        let e = Journal::create(&path, &header())
            .map(|_| ())
            .expect_err("in use");
        assert!(e.contains("in use by another certctl run"), "{e}");
        let e = Journal::resume(&path, &header(), false)
            .map(|_| ())
            .expect_err("in use");
        assert!(e.contains("in use by another certctl run"), "{e}");
        drop(first);
        let (resumed, _) = Journal::resume(&path, &header(), false).expect("free again");
        let e = Journal::resume(&path, &header(), false)
            .map(|_| ())
            .expect_err("in use");
        assert!(e.contains("in use"), "{e}");
        drop(resumed);
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn a_journal_that_cannot_record_an_attempt_refuses_it() {
        let j = Journal::wrap("/dev/full", File::create("/dev/full").expect("/dev/full"));
        let e = j.attempt(&["1".into()]).expect_err("disk full");
        assert!(e.contains("cannot write journal /dev/full"), "{e}");
        assert!(
            j.attempt(&["2".into()]).is_err(),
            "and every attempt after it"
        );
    }

    #[test]
    fn another_account_or_endpoint_is_refused() {
        let path = temp("scope");
        drop(Journal::create(&path, &header()).expect("create"));
        let mut other = header();
        other.account = "ffff".into();
        let e = Journal::resume(&path, &other, false).expect_err("refused");
        assert!(e.contains("account abcd"), "{e}");
        let mut other = header();
        other.endpoint = "https://cas.aliyuncs.com".into();
        let e = Journal::resume(&path, &other, false).expect_err("refused");
        assert!(e.contains("endpoint"), "{e}");
        let _ = std::fs::remove_file(&path);
        // A project recorded must match; a journal without one (older) is not checked.
        let mut in_project = header();
        in_project.project = Some("p1".into());
        drop(Journal::create(&path, &in_project).expect("create"));
        let mut other = in_project.clone();
        other.project = Some("p2".into());
        let e = Journal::resume(&path, &other, false)
            .map(|_| ())
            .expect_err("refused");
        assert!(e.contains("project p1 (this run: p2)"), "{e}");
        let _ = std::fs::remove_file(&path);
        drop(Journal::create(&path, &header()).expect("create"));
        assert!(Journal::resume(&path, &in_project, false).is_ok());
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn a_cut_last_line_is_dropped_and_the_file_repaired() {
        let path = temp("cut");
        let j = Journal::create(&path, &header()).expect("create");
        j.settled(&item("1", Outcome::Deleted));
        drop(j);
        let mut f = OpenOptions::new().append(true).open(&path).expect("open");
        f.write_all(br#"{"id":"2","outcome":"dele"#).expect("write");
        drop(f);
        let (j, earlier) = Journal::resume(&path, &header(), false).expect("tolerated");
        assert!(earlier.dropped_partial_line);
        assert!(earlier.settled.contains("1") && !earlier.settled.contains("2"));
        j.settled(&item("2", Outcome::Deleted));
        drop(j);
        let mut got = Vec::new();
        replay(&path, |_| {}, |i| got.push(i.id)).expect("replay");
        assert_eq!(got, ["1", "2"]);
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn other_corruption_names_the_line() {
        let path = temp("corrupt");
        let j = Journal::create(&path, &header()).expect("create");
        j.settled(&item("1", Outcome::Deleted));
        drop(j);
        let mut f = OpenOptions::new().append(true).open(&path).expect("open");
        f.write_all(b"garbage\n").expect("write");
        drop(f);
        let j = OpenOptions::new().append(true).open(&path).expect("open");
        drop(j);
        let e = Journal::resume(&path, &header(), false).expect_err("corrupt");
        assert!(e.contains("line 3"), "{e}");
        let e = replay(&path, |_| {}, |_| {}).expect_err("corrupt");
        assert!(e.contains("line 3"), "{e}");
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn a_line_that_parses_but_says_nothing_certctl_writes_is_corrupt() {
        let bad: [&[u8]; 6] = [
            br#"{"id":"2","outcome":"bogus","code":null,"message":null,"request_id":null,"attempted_at":null}"#,
            br#"{"id":"2","outcome":"Deleted","code":null,"message":null,"request_id":null,"attempted_at":null}"#,
            br#"{"id":"","outcome":"deleted","code":null,"message":null,"request_id":null,"attempted_at":null}"#,
            br#"{"attempt":["3",""],"at":"2026-12-07T00:00:00Z"}"#,
            br#"{"id":"2","outcome":"deleted","extra":1}"#,
            br#"{"id":"2","outcome":"deleted"}"#,
        ];
        for (n, line) in bad.iter().enumerate() {
            let path = temp(&format!("parses-{n}"));
            let j = Journal::create(&path, &header()).expect("create");
            j.settled(&item("1", Outcome::Deleted));
            drop(j);
            let mut f = OpenOptions::new().append(true).open(&path).expect("open");
            // A complete last line (its newline written) is never taken for one cut short.
            f.write_all(line).expect("write");
            f.write_all(b"\n").expect("write");
            drop(f);
            for e in [
                Journal::resume(&path, &header(), false)
                    .map(|_| ())
                    .expect_err("corrupt"),
                replay(&path, |_| {}, |_| {})
                    .map(|_| ())
                    .expect_err("corrupt"),
            ] {
                assert!(e.contains("line 3") && e.contains("corrupt"), "{n}: {e}");
            }
            let _ = std::fs::remove_file(&path);
        }
    }

    #[test]
    fn replay_reports_each_id_once_with_its_last_outcome() {
        let path = temp("replay");
        let j = Journal::create(&path, &header()).expect("create");
        j.attempt(&["1".into(), "2".into(), "3".into()])
            .expect("attempt");
        j.settled(&item(
            "1",
            Outcome::Unconfirmed {
                code: None,
                message: "timeout".into(),
            },
        ));
        j.settled(&item("2", Outcome::Absent));
        j.attempt(&["1".into()]).expect("attempt");
        j.settled(&item("1", Outcome::Deleted));
        drop(j);
        let mut got = Vec::new();
        replay(&path, |_| {}, |i| got.push((i.id, i.outcome.as_str()))).expect("replay");
        assert_eq!(
            got,
            [
                ("2".to_string(), "absent"),
                ("1".to_string(), "deleted"),
                ("3".to_string(), "unconfirmed"),
            ]
        );
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn a_refusal_after_an_interruption_is_unconfirmed() {
        let mut i = item(
            "9",
            Outcome::Refused {
                code: Some("X".into()),
                message: "no such".into(),
            },
        );
        after_interruption(&mut i);
        assert_eq!(i.outcome.as_str(), "unconfirmed");
        let mut a = item("9", Outcome::Absent);
        after_interruption(&mut a);
        assert_eq!(a.outcome, Outcome::Absent);
    }
}
