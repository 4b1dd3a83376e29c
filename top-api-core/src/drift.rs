//! Drift: where an answer and the type it is read into disagreed, kept with the answer so
//! that nothing the gateway sent is dropped without a trace.
//!
//! The catalog copies its types from the platform's pages, and the pages are sometimes
//! wrong (a `Boolean` that carries a code string) or out of date (a field the type lacks).
//! A value that does not fit an `Option` field of a `#[derive(Object)]` type leaves that
//! field `None` and the rest of the answer is read; a key the type has no field for is
//! skipped. Each such place is a [`Drift`], listed by [`Response::drift`](crate::Response::drift)
//! and logged once per method and place.

use std::cell::Cell;
use std::collections::HashSet;
use std::fmt;
use std::sync::{Mutex, PoisonError};

/// How long a value's text is kept in a [`Drift`], in characters.
pub(crate) const CAME_CHARS: usize = 48;

/// One place where an answer and its type disagreed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drift {
    path: String,
    kind: DriftKind,
}

/// How an answer and its type disagreed at a place.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DriftKind {
    /// The answer has a key the type has no field for: its value was skipped.
    UnknownField,
    /// The value does not fit the field's type: the field was left `None`.
    Unfit {
        /// The field's type, as Rust names it (`bool`, `i64`, `Decimal`, `NTbkItem`).
        expected: String,
        /// What came instead: the start of its text, or what kind of value it was.
        came: String,
        /// Why it does not fit, in the decoder's words.
        reason: String,
    },
}

impl Drift {
    /// Where: the wire names from the payload down (`trade.orders[0].alipay_id`).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// How the answer and its type disagreed there.
    pub fn kind(&self) -> &DriftKind {
        &self.kind
    }

    /// True for a key the type has no field for.
    pub fn is_unknown_field(&self) -> bool {
        matches!(self.kind, DriftKind::UnknownField)
    }

    /// The same drift with each of `secrets` replaced in what came: an answer may echo what
    /// it was sent.
    pub(crate) fn redacted(self, secrets: &[&str]) -> Drift {
        match self.kind {
            DriftKind::Unfit { expected, came, reason } => Drift {
                path: self.path,
                kind: DriftKind::Unfit {
                    expected,
                    came: crate::error::redact(&came, secrets),
                    reason: crate::error::redact(&reason, secrets),
                },
            },
            kind => Drift { path: self.path, kind },
        }
    }
}

impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            DriftKind::UnknownField => write!(f, "`{}`: the type has no field for it; skipped", self.path),
            DriftKind::Unfit { expected, came, .. } => {
                write!(f, "`{}`: {came} does not fit `{expected}`; left out", self.path)
            }
        }
    }
}

thread_local! {
    /// The drift of the answer being read on this thread, when one is: the decoder's
    /// visitors are serde's, and reach no state but their own and this.
    static SINK: Cell<Option<Vec<Drift>>> = const { Cell::new(None) };
}

/// Collects the drift of one reading of an answer; the previous collector, if any, is put
/// back when this one is finished or dropped.
pub(crate) struct Collector {
    /// What was collecting before, to put back: `None` once put back.
    outer: Option<Option<Vec<Drift>>>,
}

impl Collector {
    pub(crate) fn start() -> Collector {
        // What an earlier reading left noted is no part of this one.
        crate::lenient::forget_note();
        crate::lenient::forget_taken();
        Collector { outer: Some(SINK.replace(Some(Vec::new()))) }
    }

    /// The drift collected.
    pub(crate) fn finish(mut self) -> Vec<Drift> {
        self.put_back().unwrap_or_default()
    }

    /// Puts the previous collector back, and gives what this one collected.
    fn put_back(&mut self) -> Option<Vec<Drift>> {
        let outer = self.outer.take()?;
        SINK.replace(outer)
    }
}

impl Drop for Collector {
    fn drop(&mut self) {
        let _ = self.put_back();
    }
}

/// Notes a drift in the answer being read, if one is being collected.
pub(crate) fn note(path: String, kind: DriftKind) {
    // Taken while it grows, put back after: nothing else runs meanwhile.
    if let Some(mut sink) = SINK.take() {
        sink.push(Drift { path, kind });
        SINK.set(Some(sink));
    }
}

/// Names the type the last noted unfit value was meant for, if it names none yet.
pub(crate) fn name_expected(expected: &str) {
    if let Some(mut sink) = SINK.take() {
        if let Some(Drift { kind: DriftKind::Unfit { expected: slot, .. }, .. }) = sink.last_mut() {
            if slot.is_empty() {
                slot.push_str(expected);
            }
        }
        SINK.set(Some(sink));
    }
}

/// The start of a value's text, as a drift keeps it.
pub(crate) fn came(text: &str) -> String {
    let mut chars = text.chars();
    let start: String = chars.by_ref().take(CAME_CHARS).collect();
    if chars.next().is_some() {
        format!("{start:?}…")
    } else {
        format!("{start:?}")
    }
}

/// The last part of a Rust type's name, with its generic arguments' last parts:
/// `core::option::Option<top_api_core::decimal::Decimal>` → `Option<Decimal>`.
pub(crate) fn short_type_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut word = String::new();
    for c in name.chars() {
        if c.is_alphanumeric() || c == '_' || c == ':' {
            word.push(c);
        } else {
            out.push_str(word.rsplit("::").next().unwrap_or(""));
            word.clear();
            out.push(c);
        }
    }
    out.push_str(word.rsplit("::").next().unwrap_or(""));
    out
}

/// How many places of each method a process logs at most: a place is logged once.
const LOGGED_AT_MOST: usize = 4096;

/// Logs each drift once per method and place (list indices left out), at warn level.
pub(crate) fn log_once(method: &str, drift: &[Drift]) {
    static LOGGED: Mutex<Option<HashSet<String>>> = Mutex::new(None);
    if drift.is_empty() || !log::log_enabled!(target: "top_api", log::Level::Warn) {
        return;
    }
    let mut logged = LOGGED.lock().unwrap_or_else(PoisonError::into_inner);
    let logged = logged.get_or_insert_with(HashSet::new);
    for drift in drift {
        let place = format!("{method} {}", without_indices(&drift.path));
        if logged.len() >= LOGGED_AT_MOST || !logged.insert(place) {
            continue;
        }
        log::warn!(target: "top_api", "{method}: the answer drifts from its type at {drift}");
    }
}

/// A path without its list indices: `orders[3].sku` → `orders[].sku`.
fn without_indices(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_index = false;
    for c in path.chars() {
        match c {
            '[' => {
                in_index = true;
                out.push('[');
            }
            ']' => {
                in_index = false;
                out.push(']');
            }
            _ if in_index => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_are_short() {
        assert_eq!(short_type_name("core::option::Option<top_api_core::decimal::Decimal>"), "Option<Decimal>");
        assert_eq!(short_type_name("bool"), "bool");
        assert_eq!(short_type_name("alloc::vec::Vec<alloc::string::String>"), "Vec<String>");
    }

    #[test]
    fn what_came_is_cut_and_quoted() {
        assert_eq!(came("TOP_USER_NOT_LOGIN"), "\"TOP_USER_NOT_LOGIN\"");
        let long = "x".repeat(100);
        assert_eq!(came(&long), format!("{:?}…", "x".repeat(CAME_CHARS)));
    }

    #[test]
    fn indices_are_left_out_of_logged_places() {
        assert_eq!(without_indices("trades[12].orders[0].sku"), "trades[].orders[].sku");
    }

    #[test]
    fn collectors_nest_and_put_back_what_they_found() {
        let outer = Collector::start();
        note("a".into(), DriftKind::UnknownField);
        let inner = Collector::start();
        note("b".into(), DriftKind::UnknownField);
        let inner = inner.finish();
        assert_eq!(inner.iter().map(Drift::path).collect::<Vec<_>>(), ["b"]);
        let outer = outer.finish();
        assert_eq!(outer.iter().map(Drift::path).collect::<Vec<_>>(), ["a"]);
        // With no collector, a note is dropped.
        note("c".into(), DriftKind::UnknownField);
        let none = Collector::start().finish();
        assert!(none.is_empty());
    }
}
