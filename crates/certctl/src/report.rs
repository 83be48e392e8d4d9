//! Rendering a delete report (JSON or a table) and the exit status it implies.

use cert_common::{DeleteReport, Outcome};
use serde::Serialize;

/// Exit status: every id deleted or absent.
pub const EXIT_OK: u8 = 0;
/// Exit status: some id refused or unconfirmed.
pub const EXIT_INCOMPLETE: u8 = 1;
/// Exit status: usage or input error; nothing sent.
pub const EXIT_USAGE: u8 = 2;
/// Exit status: credentials or configuration error; nothing sent.
pub const EXIT_CONFIG: u8 = 3;

/// Writes `text` to standard output. A reader that went away (`certctl … | head`) is not an
/// error worth a panic, which `print!` would raise: the exit status still tells the outcome.
pub fn print(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

/// One line of the JSON report.
#[derive(Debug, Serialize)]
pub struct JsonItem<'a> {
    /// The id as given.
    pub id: &'a str,
    /// deleted | absent | refused | unconfirmed.
    pub outcome: &'static str,
    /// Provider code, for refused and unconfirmed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<&'a str>,
    /// Message, for refused and unconfirmed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<&'a str>,
    /// The request id that decided the outcome.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<&'a str>,
}

/// The whole JSON document.
#[derive(Debug, Serialize)]
pub struct JsonReport<'a> {
    /// Which API.
    pub provider: &'a str,
    /// True for `--dry-run` (nothing sent).
    pub dry_run: bool,
    /// One entry per requested id.
    pub items: Vec<JsonItem<'a>>,
    /// True when an earlier attempt of a request may have taken effect before the answer the
    /// report is built from (so ids it deleted may be missing from a server-listed report).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub earlier_attempt_may_have_applied: bool,
    /// Counts.
    pub totals: JsonTotals,
}

/// Counts by outcome.
#[derive(Debug, Serialize, Default, PartialEq, Eq)]
pub struct JsonTotals {
    /// Distinct ids requested.
    pub requested: usize,
    /// Deleted.
    pub deleted: usize,
    /// Absent.
    pub absent: usize,
    /// Refused.
    pub refused: usize,
    /// Unconfirmed.
    pub unconfirmed: usize,
}

/// The JSON document of a report.
pub fn to_json<'a>(provider: &'a str, report: &'a DeleteReport<String>) -> JsonReport<'a> {
    let t = report.totals();
    JsonReport {
        provider,
        dry_run: false,
        earlier_attempt_may_have_applied: false,
        items: report
            .items()
            .iter()
            .map(|i| JsonItem {
                id: &i.id,
                outcome: i.outcome.as_str(),
                code: i.outcome.code(),
                message: i.outcome.message(),
                request_id: i.request_id.as_deref(),
            })
            .collect(),
        totals: JsonTotals {
            requested: t.requested,
            deleted: t.deleted,
            absent: t.absent,
            refused: t.refused,
            unconfirmed: t.unconfirmed,
        },
    }
}

/// A plain-text table of a report.
pub fn to_table(provider: &str, report: &DeleteReport<String>) -> String {
    let width = report
        .items()
        .iter()
        .map(|i| i.id.chars().count())
        .max()
        .unwrap_or(2)
        .max(2);
    let mut out = format!(
        "{provider}\n  {:<width$}  {:<11}  detail\n",
        "id", "outcome"
    );
    for i in report.items() {
        let detail = match &i.outcome {
            Outcome::Refused { .. } | Outcome::Unconfirmed { .. } => {
                let code = i
                    .outcome
                    .code()
                    .map(|c| format!("[{c}] "))
                    .unwrap_or_default();
                format!("{code}{}", i.outcome.message().unwrap_or(""))
            }
            _ => i
                .request_id
                .as_deref()
                .map(|r| format!("request id {r}"))
                .unwrap_or_default(),
        };
        out.push_str(&format!(
            "  {:<width$}  {:<11}  {detail}\n",
            i.id,
            i.outcome.as_str()
        ));
    }
    let t = report.totals();
    out.push_str(&format!(
        "  {} requested: {} deleted, {} absent, {} refused, {} unconfirmed\n",
        t.requested, t.deleted, t.absent, t.refused, t.unconfirmed
    ));
    out
}

/// A report written as ids settle: nothing is held per id, so a run of millions of ids
/// prints its report in constant memory.
///
/// JSON: the same document as [`to_json`], written line by line:
/// `{"provider":…,"dry_run":false,"items":[` then one item per line, then
/// `],"totals":{…}}`, with `"stopped"` (why the run stopped early) and `"skipped"` (ids a
/// resumed run passed over as settled) when they apply. Table: a header, one row per id,
/// then the totals.
pub struct Sink {
    out: std::io::BufWriter<std::io::Stdout>,
    format: crate::cli::OutputFormat,
    items: usize,
    totals: JsonTotals,
    /// The table's id column, in characters ([`id_column`]).
    id_width: usize,
}

/// The width of a streamed table's id column: the ids are not known when the header is
/// written, so it is the usual length of the API's ids (Huawei's are 32 hex digits; Tencent's
/// and Aliyun's fit in 20). A longer id pushes its own row's outcome to the right.
fn id_column(provider: &str) -> usize {
    if provider.starts_with("huawei-") {
        32
    } else {
        20
    }
}

/// How a streamed run ended, for the report's last lines.
#[derive(Debug, Default)]
pub struct Ending {
    /// Why the run stopped before every id was attempted.
    pub stopped: Option<String>,
    /// Ids skipped because a journal says they are settled.
    pub skipped: u64,
    /// Of those, the ids the journal has as refused or unconfirmed.
    pub skipped_not_gone: u64,
}

impl Sink {
    /// Starts a report of `provider`.
    pub fn begin(provider: &str, format: crate::cli::OutputFormat) -> Sink {
        use std::io::Write;
        let mut out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout());
        let _ = match format {
            crate::cli::OutputFormat::Json => writeln!(
                out,
                "{{\"provider\":{},\"dry_run\":false,\"items\":[",
                serde_json::Value::from(provider)
            ),
            crate::cli::OutputFormat::Table => {
                write!(
                    out,
                    "{provider}\n  {:<width$}  {:<11}  detail\n",
                    "id",
                    "outcome",
                    width = id_column(provider)
                )
            }
        };
        Sink {
            out,
            format,
            items: 0,
            totals: JsonTotals::default(),
            id_width: id_column(provider),
        }
    }

    /// Writes one settled id.
    pub fn item(&mut self, i: &cert_common::ItemOutcome<String>) {
        use std::io::Write;
        let t = &mut self.totals;
        t.requested += 1;
        match i.outcome {
            Outcome::Deleted => t.deleted += 1,
            Outcome::Absent => t.absent += 1,
            Outcome::Refused { .. } => t.refused += 1,
            _ => t.unconfirmed += 1,
        }
        let _ = match self.format {
            crate::cli::OutputFormat::Json => {
                let item = JsonItem {
                    id: &i.id,
                    outcome: i.outcome.as_str(),
                    code: i.outcome.code(),
                    message: i.outcome.message(),
                    request_id: i.request_id.as_deref(),
                };
                // A leading comma, so that each item's line is whole when it is written:
                // a reader going line by line sees an id as soon as it settles.
                let sep: &[u8] = if self.items == 0 { b"" } else { b"," };
                self.out
                    .write_all(sep)
                    .and_then(|()| serde_json::to_writer(&mut self.out, &item).map_err(Into::into))
                    .and_then(|()| self.out.write_all(b"\n"))
            }
            crate::cli::OutputFormat::Table => {
                let detail = match &i.outcome {
                    Outcome::Refused { .. } | Outcome::Unconfirmed { .. } => {
                        let code = i
                            .outcome
                            .code()
                            .map(|c| format!("[{c}] "))
                            .unwrap_or_default();
                        format!("{code}{}", i.outcome.message().unwrap_or(""))
                    }
                    _ => i
                        .request_id
                        .as_deref()
                        .map(|r| format!("request id {r}"))
                        .unwrap_or_default(),
                };
                writeln!(
                    self.out,
                    "  {:<width$}  {:<11}  {detail}",
                    i.id,
                    i.outcome.as_str(),
                    width = self.id_width
                )
            }
        };
        self.items += 1;
    }

    /// Pushes what is written so far to standard output.
    pub fn flush(&mut self) {
        use std::io::Write;
        let _ = self.out.flush();
    }

    /// The counts so far.
    pub fn totals(&self) -> &JsonTotals {
        &self.totals
    }

    /// Ends the report.
    pub fn finish(mut self, ending: &Ending) {
        use std::io::Write;
        let t = &self.totals;
        let _ = match self.format {
            crate::cli::OutputFormat::Json => {
                let mut tail = serde_json::Map::new();
                tail.insert("totals".into(), serde_json::to_value(t).unwrap_or_default());
                if let Some(s) = &ending.stopped {
                    tail.insert("stopped".into(), s.clone().into());
                }
                if ending.skipped > 0 {
                    tail.insert("skipped".into(), ending.skipped.into());
                }
                if ending.skipped_not_gone > 0 {
                    tail.insert(
                        "skipped_refused_or_unconfirmed".into(),
                        ending.skipped_not_gone.into(),
                    );
                }
                let tail = serde_json::Value::Object(tail).to_string();
                // `{"totals":…}` without its opening brace closes the document.
                writeln!(self.out, "],{}", &tail[1..])
            }
            crate::cli::OutputFormat::Table => {
                let mut r = writeln!(
                    self.out,
                    "  {} requested: {} deleted, {} absent, {} refused, {} unconfirmed",
                    t.requested, t.deleted, t.absent, t.refused, t.unconfirmed
                );
                if ending.skipped > 0 {
                    r = r.and_then(|()| {
                        writeln!(
                            self.out,
                            "  {} skipped: settled by an earlier run{} (certctl report JOURNAL shows them)",
                            ending.skipped,
                            if ending.skipped_not_gone > 0 {
                                format!(", {} of them refused or unconfirmed", ending.skipped_not_gone)
                            } else {
                                String::new()
                            }
                        )
                    });
                }
                r
            }
        };
        self.flush();
    }
}
