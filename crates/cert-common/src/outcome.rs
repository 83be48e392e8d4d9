//! Per-id results of a delete, shared by every provider.
//!
//! A delete reports, for every id it was asked about, exactly one [`Outcome`]. The
//! [`ReportBuilder`] enforces that: ids the caller repeated are reported once, ids the server
//! names that the caller did not ask about are not invented into the report, and ids the server
//! does not mention get an explicit default (usually "unconfirmed").

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::hash::Hash;

use crate::answer::{CodeMeaning, CodeRule};

/// What happened to one id.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// The server confirmed the deletion.
    Deleted,
    /// The server says it does not exist (already deleted, or never was).
    Absent,
    /// The server refused to delete it (e.g. still bound to a domain). Not retried.
    Refused {
        /// The provider's error code, when it gave one.
        code: Option<String>,
        /// The provider's message.
        message: String,
    },
    /// The deletion may or may not have happened: the server did not confirm it (retries ran
    /// out, the connection broke, or the answer did not mention the id), or the call stopped
    /// before it (a wrong endpoint, an answer not of this API: the message says it was not
    /// done).
    Unconfirmed {
        /// The provider's error code of the last failure, when there was one.
        code: Option<String>,
        /// Why it is unconfirmed.
        message: String,
    },
}

impl Outcome {
    /// `deleted`, `absent`, `refused` or `unconfirmed`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Outcome::Deleted => "deleted",
            Outcome::Absent => "absent",
            Outcome::Refused { .. } => "refused",
            Outcome::Unconfirmed { .. } => "unconfirmed",
        }
    }

    /// True for deleted or absent: the id is gone.
    pub fn is_gone(&self) -> bool {
        matches!(self, Outcome::Deleted | Outcome::Absent)
    }

    /// The provider's code, for refused and unconfirmed outcomes.
    pub fn code(&self) -> Option<&str> {
        match self {
            Outcome::Refused { code, .. } | Outcome::Unconfirmed { code, .. } => code.as_deref(),
            _ => None,
        }
    }

    /// The message, for refused and unconfirmed outcomes.
    pub fn message(&self) -> Option<&str> {
        match self {
            Outcome::Refused { message, .. } | Outcome::Unconfirmed { message, .. } => {
                Some(message)
            }
            _ => None,
        }
    }

    /// The outcome of an error for the ids it covers:
    /// - `Absent` when the API's own table says the code means "no such resource"
    ///   ([`CodeMeaning::NotFound`]), even after an earlier attempt that may have applied
    ///   (either way the id is gone; it is never reported as deleted);
    /// - `Refused` when the code says the resource is in use (it exists, so nothing deleted it);
    /// - `Unconfirmed` when the request, or an earlier attempt of it, may have taken effect;
    /// - `Refused` otherwise, with the code and message.
    pub fn from_error(e: &crate::Error) -> Outcome {
        let code = e.code().map(str::to_string);
        let message = match e.last_error() {
            Some(last) => format!("{} ({})", last.message(), e.message()),
            None => e.message().to_string(),
        };
        match e.code_meaning() {
            Some(CodeMeaning::NotFound) => return Outcome::Absent,
            Some(CodeMeaning::InUse) => return Outcome::Refused { code, message },
            _ => {}
        }
        if e.may_have_applied() {
            Outcome::Unconfirmed { code, message }
        } else {
            Outcome::Refused { code, message }
        }
    }

    /// The outcome of one id that an answer lists as not done, with the code it gives for it
    /// (if any). The API's error table decides, as it does for a whole answer's code:
    /// `not_found` is [`Outcome::Absent`]; a code after which the id may be deleted yet, or
    /// may have been (`server_error`, `throttling`, `wrong_endpoint`), is
    /// [`Outcome::Unconfirmed`], never a final refusal; any other code, or none, is
    /// [`Outcome::Refused`]: the answer says this id was not deleted.
    #[doc(hidden)]
    pub fn listed_failure(rules: &[CodeRule], code: Option<String>, message: String) -> Outcome {
        match code
            .as_deref()
            .and_then(|c| crate::answer::lookup(rules, c))
        {
            Some(CodeMeaning::NotFound) => Outcome::Absent,
            Some(
                CodeMeaning::ServerError
                | CodeMeaning::Throttling
                | CodeMeaning::WrongEndpoint
                | CodeMeaning::Undocumented,
            ) => Outcome::Unconfirmed { code, message },
            _ => Outcome::Refused { code, message },
        }
    }

    /// The outcome of an id whose delete task panicked: unconfirmed (it may have been sent),
    /// with the panic message.
    pub fn panicked(message: &str) -> Outcome {
        Outcome::Unconfirmed {
            code: None,
            message: format!("the delete task panicked ({message}); it may have been sent"),
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())?;
        if let Some(c) = self.code() {
            write!(f, " [{c}]")?;
        }
        if let Some(m) = self.message() {
            write!(f, ": {m}")?;
        }
        Ok(())
    }
}

/// The outcome of one id.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ItemOutcome<Id> {
    /// The id as the caller gave it.
    pub id: Id,
    /// What happened.
    pub outcome: Outcome,
    /// The request id of the request that decided the outcome, when the server gave one.
    pub request_id: Option<String>,
}

impl<Id> ItemOutcome<Id> {
    /// The outcome of `id`, decided by the request with `request_id`.
    pub fn new(id: Id, outcome: Outcome, request_id: Option<String>) -> Self {
        ItemOutcome {
            id,
            outcome,
            request_id,
        }
    }
}

/// One outcome per requested id, in the order the caller first named them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteReport<Id> {
    items: Vec<ItemOutcome<Id>>,
}

/// Counts of a report's outcomes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Totals {
    /// Requested ids (each once).
    pub requested: usize,
    /// Deleted.
    pub deleted: usize,
    /// Already absent.
    pub absent: usize,
    /// Refused.
    pub refused: usize,
    /// Unconfirmed.
    pub unconfirmed: usize,
}

impl<Id> DeleteReport<Id> {
    /// A report of these items (each id once: the caller's to ensure).
    pub(crate) fn from_items(items: Vec<ItemOutcome<Id>>) -> Self {
        DeleteReport { items }
    }

    /// The outcomes.
    pub fn items(&self) -> &[ItemOutcome<Id>] {
        &self.items
    }

    /// Consumes the report.
    pub fn into_items(self) -> Vec<ItemOutcome<Id>> {
        self.items
    }

    /// Counts by outcome.
    pub fn totals(&self) -> Totals {
        let mut t = Totals {
            requested: self.items.len(),
            ..Totals::default()
        };
        for i in &self.items {
            match i.outcome {
                Outcome::Deleted => t.deleted += 1,
                Outcome::Absent => t.absent += 1,
                Outcome::Refused { .. } => t.refused += 1,
                Outcome::Unconfirmed { .. } => t.unconfirmed += 1,
            }
        }
        t
    }

    /// True when every id is deleted or absent.
    pub fn all_gone(&self) -> bool {
        self.items.iter().all(|i| i.outcome.is_gone())
    }

    /// Maps ids to another type (e.g. to strings for a provider-neutral report).
    pub fn map_ids<J>(self, f: impl Fn(Id) -> J) -> DeleteReport<J> {
        DeleteReport {
            items: self
                .items
                .into_iter()
                .map(|i| ItemOutcome {
                    id: f(i.id),
                    outcome: i.outcome,
                    request_id: i.request_id,
                })
                .collect(),
        }
    }

    /// Joins reports of disjoint id sets (e.g. batches) in order.
    pub fn concat(reports: impl IntoIterator<Item = DeleteReport<Id>>) -> Self {
        DeleteReport {
            items: reports.into_iter().flat_map(|r| r.items).collect(),
        }
    }
}

impl<Id: PartialEq> DeleteReport<Id> {
    /// The outcome of `id`.
    pub fn get(&self, id: &Id) -> Option<&ItemOutcome<Id>> {
        self.items.iter().find(|i| &i.id == id)
    }
}

/// Builds a [`DeleteReport`] that holds exactly one outcome per requested id.
///
/// Outcomes are kept in a list by position (an id maps to its position), so memory stays
/// proportional to the ids and `finish` moves the outcomes out rather than copying them.
/// Up to 16 distinct ids an id's position is found by scanning the list; above, through a map
/// (a call with a handful of ids then costs no map and no copy of each id).
#[derive(Debug)]
#[doc(hidden)]
pub struct ReportBuilder<Id> {
    order: Vec<Id>,
    index: Option<HashMap<Id, usize>>,
    slots: Vec<Option<(Outcome, Option<String>)>>,
    ignored: Vec<Id>,
}

/// Up to this many distinct ids, a [`ReportBuilder`] finds an id by scanning.
const SMALL: usize = 16;

impl<Id: Clone + Eq + Hash> ReportBuilder<Id> {
    /// A builder for `requested` ids (repeats collapse to one). Given a `Vec`, it keeps the
    /// ids in place: no copy of the list, no copy of an id while it holds up to 16.
    pub fn new(requested: impl IntoIterator<Item = Id>) -> Self {
        let mut order: Vec<Id> = requested.into_iter().collect();
        let mut index: Option<HashMap<Id, usize>> = None;
        let mut kept = 0;
        for at in 0..order.len() {
            let seen = match &index {
                Some(map) => map.contains_key(&order[at]),
                None => order[..kept].contains(&order[at]),
            };
            if seen {
                continue;
            }
            if index.is_none() && kept == SMALL {
                let mut map = HashMap::with_capacity(order.len().max(2 * SMALL));
                for (known_at, known) in order[..kept].iter().enumerate() {
                    map.insert(known.clone(), known_at);
                }
                index = Some(map);
            }
            if let Some(map) = &mut index {
                map.insert(order[at].clone(), kept);
            }
            order.swap(kept, at);
            kept += 1;
        }
        order.truncate(kept);
        // A list much longer than its distinct ids gives the room back; a little slack is
        // kept (shrinking costs a copy).
        if order.capacity() - order.len() > 1024 {
            order.shrink_to_fit();
        }
        ReportBuilder {
            order,
            index,
            slots: Vec::new(),
            ignored: Vec::new(),
        }
    }

    /// The requested ids, each once, in order.
    pub fn ids(&self) -> &[Id] {
        &self.order
    }

    /// Records an outcome. An id that was not requested is ignored (see
    /// [`ReportBuilder::ignored`]); a second outcome for an id keeps the first, unless the
    /// first was unconfirmed.
    pub fn record(&mut self, id: &Id, outcome: Outcome, request_id: Option<String>) {
        let Some(at) = self.position(id) else {
            self.ignored.push(id.clone());
            return;
        };
        self.record_at(at, outcome, request_id);
    }

    /// Records an outcome for the id at position `at` of [`ReportBuilder::ids`] (as
    /// [`ReportBuilder::record`] does; an `at` past the end is ignored).
    pub fn record_at(&mut self, at: usize, outcome: Outcome, request_id: Option<String>) {
        if self.slots.is_empty() {
            // Made at the first outcome: a call whose one answer covers every id needs none.
            self.slots = (0..self.order.len()).map(|_| None).collect();
        }
        let Some(slot) = self.slots.get_mut(at) else {
            return;
        };
        let replace = match slot {
            None => true,
            Some((Outcome::Unconfirmed { .. }, _)) => {
                !matches!(outcome, Outcome::Unconfirmed { .. })
            }
            Some(_) => false,
        };
        if replace {
            *slot = Some((outcome, request_id));
        }
    }

    /// Records `outcome` for the id at `at` when the same answer already gave it one (it
    /// names the id twice): an outcome of the same kind keeps the first; another kind makes
    /// the id unconfirmed, the answer contradicting itself (never deleted on such an answer).
    pub(crate) fn record_again_at(
        &mut self,
        at: usize,
        outcome: Outcome,
        request_id: Option<String>,
    ) {
        let Some(Some((first, _))) = self.slots.get(at) else {
            return self.record_at(at, outcome, request_id);
        };
        if first.as_str() != outcome.as_str() {
            let message = format!(
                "the answer names this id twice, as {} and as {}: it contradicts itself",
                first.as_str(),
                outcome.as_str()
            );
            self.slots[at] = Some((
                Outcome::Unconfirmed {
                    code: None,
                    message,
                },
                request_id,
            ));
        }
    }

    /// True when some id has an outcome.
    pub fn has_any(&self) -> bool {
        self.slots.iter().any(Option::is_some)
    }

    /// True when the id at position `at` has an outcome.
    pub fn has_at(&self, at: usize) -> bool {
        self.slots.get(at).is_some_and(Option::is_some)
    }

    /// True when `id` has an outcome.
    pub fn has(&self, id: &Id) -> bool {
        self.position(id).is_some_and(|at| self.has_at(at))
    }

    /// Where `id` is in the list, if it was requested.
    pub(crate) fn position(&self, id: &Id) -> Option<usize> {
        match &self.index {
            Some(map) => map.get(id).copied(),
            None => self.order.iter().position(|known| known == id),
        }
    }

    /// Ids the server named that the caller did not ask about.
    pub fn ignored(&self) -> &[Id] {
        &self.ignored
    }

    /// Finishes with only the ids that have an outcome (a run stopped part-way: the others
    /// were never sent).
    pub fn finish_recorded(self) -> DeleteReport<Id> {
        let mut slots = self.slots.into_iter();
        let items = self
            .order
            .into_iter()
            .filter_map(|id| {
                let slot = slots.next().flatten();
                slot.map(|(outcome, request_id)| ItemOutcome {
                    id,
                    outcome,
                    request_id,
                })
            })
            .collect();
        DeleteReport { items }
    }

    /// Finishes: ids with no outcome get `missing` (and `request_id`).
    pub fn finish(self, missing: Outcome, request_id: Option<String>) -> DeleteReport<Id> {
        self.finish_with(|| (missing.clone(), request_id.clone()))
    }

    /// Finishes: ids with no outcome get the outcome and request id `missing` makes, called
    /// once per such id (and never when every id has one, so its message costs nothing then).
    pub fn finish_with(
        self,
        mut missing: impl FnMut() -> (Outcome, Option<String>),
    ) -> DeleteReport<Id> {
        let ReportBuilder {
            order,
            index,
            slots,
            ..
        } = self;
        drop(index);
        let mut slots = slots.into_iter();
        let items = order
            .into_iter()
            .map(|id| {
                let slot = slots.next().flatten();
                let (outcome, request_id) = slot.unwrap_or_else(&mut missing);
                ItemOutcome {
                    id,
                    outcome,
                    request_id,
                }
            })
            .collect();
        DeleteReport { items }
    }
}

/// A set of ids to test membership in: the list itself while it holds up to 16 (no hashing,
/// no allocation), a hash set beyond, as [`ReportBuilder`] finds its ids.
#[derive(Debug)]
#[doc(hidden)]
pub enum IdSet<'a, Id> {
    /// Scanned.
    Few(&'a [Id]),
    /// Hashed.
    Many(HashSet<&'a Id>),
}

impl<'a, Id: Eq + Hash> IdSet<'a, Id> {
    /// The set of `ids`.
    pub fn new(ids: &'a [Id]) -> Self {
        if ids.len() <= SMALL {
            IdSet::Few(ids)
        } else {
            IdSet::Many(ids.iter().collect())
        }
    }

    /// True when `id` is in the set.
    pub fn contains(&self, id: &Id) -> bool {
        match self {
            IdSet::Few(ids) => ids.contains(id),
            IdSet::Many(set) => set.contains(id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listed_failure_is_what_the_table_says_of_its_code() {
        let rules = [
            CodeRule::exact("Gone", CodeMeaning::NotFound),
            CodeRule::exact("Busy", CodeMeaning::ServerError),
            CodeRule::family("Slow", CodeMeaning::Throttling),
            CodeRule::exact("Bound", CodeMeaning::InUse),
            CodeRule::exact("Nope", CodeMeaning::Refused),
        ];
        let of = |code: Option<&str>| {
            Outcome::listed_failure(&rules, code.map(str::to_string), "m".into()).as_str()
        };
        assert_eq!(of(Some("Gone")), "absent");
        assert_eq!(of(Some("Busy")), "unconfirmed");
        assert_eq!(of(Some("Slow.Down")), "unconfirmed");
        assert_eq!(of(Some("Bound")), "refused");
        assert_eq!(of(Some("Nope")), "refused");
        assert_eq!(of(Some("Unknown")), "refused");
        assert_eq!(of(None), "refused");
        let kept = Outcome::listed_failure(&rules, Some("Busy".into()), "m".into());
        assert_eq!((kept.code(), kept.message()), (Some("Busy"), Some("m")));
    }

    #[test]
    fn id_sets_answer_alike_below_and_above_the_scan_limit() {
        for n in [0u64, 1, 16, 17, 100] {
            let ids: Vec<u64> = (0..n).map(|i| i * 3).collect();
            let set = IdSet::new(&ids);
            assert_eq!(matches!(set, IdSet::Few(_)), n <= 16, "{n}");
            for probe in 0..n * 3 + 2 {
                assert_eq!(
                    set.contains(&probe),
                    probe % 3 == 0 && probe < n * 3,
                    "{n} {probe}"
                );
            }
        }
    }

    #[test]
    fn finish_with_makes_the_missing_outcome_only_for_missing_ids() {
        let mut made = 0;
        let mut b = ReportBuilder::new(["a", "b"].map(String::from));
        b.record(&"a".into(), Outcome::Deleted, None);
        b.record(&"b".into(), Outcome::Absent, None);
        let r = b.finish_with(|| {
            made += 1;
            (Outcome::Absent, None)
        });
        assert_eq!((r.items.len(), made), (2, 0));
        let mut b = ReportBuilder::new(["a", "b", "c"].map(String::from));
        b.record(&"b".into(), Outcome::Deleted, None);
        let r = b.finish_with(|| {
            made += 1;
            (Outcome::Absent, Some("rid".into()))
        });
        assert_eq!(made, 2);
        assert_eq!(r.items[0].request_id.as_deref(), Some("rid"));
        assert_eq!(r.items[1].outcome, Outcome::Deleted);
    }

    #[test]
    fn one_outcome_per_requested_id_and_nothing_invented() {
        let mut b = ReportBuilder::new(["a", "b", "a", "c"].map(String::from));
        b.record(&"a".into(), Outcome::Deleted, Some("r1".into()));
        b.record(&"a".into(), Outcome::Deleted, Some("r1".into()));
        b.record(&"zzz".into(), Outcome::Deleted, None);
        b.record(&"b".into(), Outcome::Absent, None);
        let r = b.finish(
            Outcome::Unconfirmed {
                code: None,
                message: "not mentioned".into(),
            },
            Some("r1".into()),
        );
        let ids: Vec<&str> = r.items().iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids, ["a", "b", "c"]);
        assert_eq!(r.items()[2].outcome.as_str(), "unconfirmed");
        let t = r.totals();
        assert_eq!(
            (t.requested, t.deleted, t.absent, t.unconfirmed),
            (3, 1, 1, 1)
        );
        assert!(!r.all_gone());
    }

    /// Repeats anywhere in the list, below and above the scan limit, collapse to the first
    /// place each id was given; a builder that recorded nothing has no outcome for any id.
    #[test]
    fn interleaved_repeats_keep_first_order_in_place() {
        let few: Vec<String> = ["b", "a", "b", "c", "a", "d"].map(String::from).to_vec();
        let b = ReportBuilder::new(few);
        assert_eq!(b.ids(), ["b", "a", "c", "d"]);
        assert!(!b.has(&"a".to_string()) && !b.has_any());
        assert!(b.finish_recorded().items().is_empty());
        let many: Vec<u64> = (0..30).flat_map(|i| [i, i / 2, 29 - i]).collect();
        let b = ReportBuilder::new(many.clone());
        let mut want = Vec::new();
        for id in many {
            if !want.contains(&id) {
                want.push(id);
            }
        }
        assert_eq!(b.ids(), want.as_slice());
    }

    #[test]
    fn many_ids_behave_as_few() {
        // 40 distinct ids, each given twice, crosses from scanning to the map at 16.
        let ids: Vec<u64> = (0..40).chain(0..40).collect();
        let mut b = ReportBuilder::new(ids);
        assert_eq!(b.ids(), (0..40).collect::<Vec<_>>().as_slice());
        for id in (0..40).filter(|i| i % 3 == 0) {
            b.record(&id, Outcome::Deleted, Some(format!("r{id}")));
        }
        b.record(&99, Outcome::Deleted, None);
        assert!(b.has(&39) && !b.has(&38) && !b.has(&99));
        assert_eq!(b.ignored(), &[99]);
        let r = b.finish(Outcome::Absent, None);
        assert_eq!(r.items().len(), 40);
        for (i, item) in r.items().iter().enumerate() {
            assert_eq!(item.id, i as u64);
            let want = if i % 3 == 0 {
                Outcome::Deleted
            } else {
                Outcome::Absent
            };
            assert_eq!(item.outcome, want, "{i}");
        }
        assert_eq!(r.items()[39].request_id.as_deref(), Some("r39"));
    }

    #[test]
    fn a_definite_answer_replaces_unconfirmed() {
        let mut b = ReportBuilder::new([1u64]);
        b.record(
            &1,
            Outcome::Unconfirmed {
                code: None,
                message: "timeout".into(),
            },
            None,
        );
        b.record(&1, Outcome::Deleted, Some("r2".into()));
        b.record(&1, Outcome::Absent, None);
        let r = b.finish(Outcome::Absent, None);
        assert_eq!(r.items()[0].outcome, Outcome::Deleted);
        assert_eq!(r.items()[0].request_id.as_deref(), Some("r2"));
    }
}
