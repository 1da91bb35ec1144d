//! Matching the operations and notifications of two trees: by operation (`METHOD path`), not by
//! file, so a page that moves (or changes format) is compared with itself. An APIv2 operation
//! or notification is never matched with an APIv3 one: they are different calls (and different
//! generated modules) whatever their paths or event types.

use std::collections::{BTreeMap, BTreeSet};

use crate::frontend::Outcome;
use crate::ir::{ApiVersion, Method, Notification, Operation};
use crate::spec_tree::PageResult;

use super::report::{PageError, Side};

/// What one tree holds, ready to be matched.
pub struct Tree<'a> {
    /// Every operation, the first one read winning when two pages describe the same one
    /// (as `cargo xtask gen` does).
    pub operations: Vec<&'a Operation>,
    /// Every notification event type, keyed by [`event_key`]; the first page wins.
    pub events: Vec<(String, &'a Notification)>,
    /// Sources of the pages that failed.
    pub failed: BTreeSet<&'a str>,
}

impl<'a> Tree<'a> {
    /// Collects the pages of one tree; failed pages go to `errors`.
    pub fn new(pages: &'a [PageResult], side: Side, errors: &mut Vec<PageError>) -> Tree<'a> {
        let mut tree = Tree {
            operations: Vec::new(),
            events: Vec::new(),
            failed: BTreeSet::new(),
        };
        let mut seen = BTreeSet::new();
        for page in pages {
            match &page.outcome {
                Outcome::Page(ir) => {
                    for op in &ir.operations {
                        if seen.insert((op.api_version, op.method, op.path.as_str())) {
                            tree.operations.push(op);
                        }
                    }
                    for notification in &ir.notifications {
                        for event in &notification.event_types {
                            let key = event_key(notification, event);
                            if !tree.events.iter().any(|(k, _)| *k == key) {
                                tree.events.push((key, notification));
                            }
                        }
                    }
                }
                Outcome::Failed(diagnostics) => {
                    tree.failed.insert(&page.source);
                    errors.extend(diagnostics.iter().map(|d| PageError {
                        side,
                        file: format!("{}:{}", d.source, d.line),
                        message: d.message.clone(),
                    }));
                }
                Outcome::Skipped(_) => {}
            }
        }
        tree
    }
}

/// A notification's event type, prefixed by its group (the directories below the last `v3`,
/// `v2` or `webhook` directory) the way the emitter groups them: `TRANSACTION.SUCCESS`,
/// `partner/TRANSACTION.SUCCESS`; an APIv2 one by `v2/` too (`v2/TRANSACTION.SUCCESS`, which
/// is not the v3 event of that name).
pub fn event_key(notification: &Notification, event: &str) -> String {
    let key = group_key(&notification.source, event);
    match notification.api_version {
        ApiVersion::V3 => key,
        ApiVersion::V2 => format!("v2/{key}"),
    }
}

fn group_key(source: &str, event: &str) -> String {
    let directories: Vec<&str> = source.split('/').collect();
    let directories = &directories[..directories.len().saturating_sub(1)];
    let start = directories
        .iter()
        .rposition(|d| matches!(*d, "v3" | "v2" | "webhook"))
        .map_or(0, |i| i + 1);
    let mut key: Vec<&str> = directories[start..].to_vec();
    key.push(event);
    key.join("/")
}

/// The path template with its placeholders unnamed: `/v3/a/{}/b`.
fn unnamed(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            if segment.starts_with('{') && segment.ends_with('}') {
                "{}"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Operations paired across the trees: both sides, old only (removed), new only (added).
pub type Pair<'a> = (Option<&'a Operation>, Option<&'a Operation>);

/// Pairs operations by method and path; then the rest by method and path with placeholders
/// unnamed, when that pairs exactly one with one (a renamed placeholder). Ordered by path and
/// method (the new side's when both exist).
pub fn operations<'a>(old: &Tree<'a>, new: &Tree<'a>) -> Vec<Pair<'a>> {
    let exact = |tree: &Tree<'a>| -> BTreeMap<(ApiVersion, Method, &'a str), &'a Operation> {
        tree.operations
            .iter()
            .map(|&op| ((op.api_version, op.method, op.path.as_str()), op))
            .collect()
    };
    let (old_ops, mut new_ops) = (exact(old), exact(new));
    let mut pairs: Vec<Pair<'a>> = Vec::new();
    let mut unmatched_old = Vec::new();
    for (key, o) in old_ops {
        match new_ops.remove(&key) {
            Some(n) => pairs.push((Some(o), Some(n))),
            None => unmatched_old.push(o),
        }
    }
    let mut unmatched_new: Vec<&Operation> = new_ops.into_values().collect();
    let key = |op: &Operation| (op.api_version, op.method, unnamed(&op.path));
    for &o in &unmatched_old {
        let olds = unmatched_old.iter().filter(|x| key(x) == key(o)).count();
        let news: Vec<usize> = (0..unmatched_new.len())
            .filter(|&i| key(unmatched_new[i]) == key(o))
            .collect();
        match (olds, news.as_slice()) {
            (1, [i]) => pairs.push((Some(o), Some(unmatched_new.remove(*i)))),
            _ => pairs.push((Some(o), None)),
        }
    }
    pairs.extend(unmatched_new.into_iter().map(|n| (None, Some(n))));
    pairs.sort_by(|a, b| sort_key(a).cmp(&sort_key(b)));
    pairs
}

fn sort_key<'a>(pair: &Pair<'a>) -> (&'a str, Method) {
    let op = pair.1.or(pair.0).expect("a pair has a side");
    (&op.path, op.method)
}

/// Notification event types paired by key, ordered by key.
pub type EventPair<'a> = (String, Option<&'a Notification>, Option<&'a Notification>);

pub fn events<'a>(old: &Tree<'a>, new: &Tree<'a>) -> Vec<EventPair<'a>> {
    let mut keys: BTreeSet<&str> = old.events.iter().map(|(k, _)| k.as_str()).collect();
    keys.extend(new.events.iter().map(|(k, _)| k.as_str()));
    keys.into_iter()
        .map(|key| {
            let find = |tree: &Tree<'a>| tree.events.iter().find(|(k, _)| k == key).map(|e| e.1);
            (key.to_owned(), find(old), find(new))
        })
        .collect()
}
