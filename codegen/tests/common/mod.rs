//! Helpers shared by the corpus tests: locating `../shared/corpus` and `../shared/api-history`
//! (absent on a fresh clone, where those tests skip) and reading fixtures of expected
//! diagnostics or allowed differences.

// Each test crate uses its own subset of these helpers.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// `../shared/corpus/<relative>` if it is a directory; otherwise says the test skips.
pub fn corpus(relative: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpus")
        .join(relative);
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipping: corpus not found at {}", dir.display());
        None
    }
}

/// `../shared/api-history` (real doc updates: `DATE-COMMIT/{COMMIT,old,new}`) if it is a
/// directory; otherwise says the test skips.
pub fn api_history() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/api-history");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipping: api history not found at {}", dir.display());
        None
    }
}

/// Fixture lines, `#` comments and blank lines left out.
pub fn listed_lines(fixture: &str) -> BTreeSet<String> {
    fixture
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

/// Fixture entries written as a line followed by an indented `reason: …` line.
pub fn reasoned_lines(fixture: &str) -> BTreeMap<String, String> {
    let mut entries = BTreeMap::new();
    let mut pending: Option<String> = None;
    for line in fixture.lines() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(reason) = line.trim_start().strip_prefix("reason:") {
            let entry = pending.take().expect("a `reason:` line follows an entry");
            assert!(!reason.trim().is_empty(), "empty reason for {entry}");
            entries.insert(entry, reason.trim().to_owned());
        } else {
            assert!(pending.is_none(), "entry without a reason: {pending:?}");
            pending = Some(line.to_owned());
        }
    }
    assert!(pending.is_none(), "entry without a reason: {pending:?}");
    entries
}
