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

/// The exit status of a report.
pub fn exit_status(report: &DeleteReport<String>) -> u8 {
    if report.all_gone() {
        EXIT_OK
    } else {
        EXIT_INCOMPLETE
    }
}
