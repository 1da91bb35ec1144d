//! `cargo xtask bench --diff-history DIR`: diff every doc update of an API history
//! (`DIR/<update>/{old,new}`, as in `../shared/api-history`), timed over N runs, with the counts
//! of what was found: changes by kind and by rule, breaking or not, page errors.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::ensure;
use codegen::diff::{self, ChangeKind, Report, Rule};
use codegen::spec_tree::{self, PageResult};

use crate::bench::summary;

/// Every update folder (one holding a `COMMIT` file), sorted.
fn updates(history: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut updates = Vec::new();
    for entry in std::fs::read_dir(history)? {
        let path = entry?.path();
        if path.join("COMMIT").is_file() {
            updates.push(path);
        }
    }
    updates.sort();
    Ok(updates)
}

fn side(update: &Path, side: &str) -> anyhow::Result<Vec<PageResult>> {
    let dir = update.join(side);
    Ok(if dir.is_dir() {
        spec_tree::read_tree(&dir)?
    } else {
        Vec::new()
    })
}

/// Reads and diffs every update: the whole history, as timed.
fn diff_all(updates: &[PathBuf]) -> anyhow::Result<Vec<Report>> {
    updates
        .iter()
        .map(|update| Ok(diff::diff(&side(update, "old")?, &side(update, "new")?)))
        .collect()
}

pub fn bench_diff_history(history: &Path, runs: usize) -> anyhow::Result<ExitCode> {
    ensure!(history.is_dir(), "no API history at {}", history.display());
    let updates = updates(history)?;
    ensure!(
        !updates.is_empty(),
        "no updates (folders with a COMMIT file) in {}",
        history.display()
    );
    let mut times = Vec::new();
    let mut reports = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        reports = diff_all(&updates)?;
        times.push(start.elapsed());
    }
    println!(
        "api history: {} ({} updates)",
        history.display(),
        updates.len()
    );
    if cfg!(debug_assertions) {
        println!(
            "build: unoptimised; for real figures run `cargo run --release -p xtask -- bench --diff-history DIR`"
        );
    }
    println!(
        "read + diff of every update over {runs} runs: {}",
        summary(&mut times)
    );
    // The comparison alone, on trees read once.
    let trees = updates
        .iter()
        .map(|update| Ok((side(update, "old")?, side(update, "new")?)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mut diff_times = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        for (old, new) in &trees {
            std::hint::black_box(diff::diff(old, new));
        }
        diff_times.push(start.elapsed());
    }
    println!(
        "of which the diff alone (trees read once) over {runs} runs: {}",
        summary(&mut diff_times)
    );

    let changes: Vec<&diff::Change> = reports.iter().flat_map(|r| &r.changes).collect();
    let breaking = changes.iter().filter(|c| c.breaking).count();
    let quiet = reports.iter().filter(|r| r.changes.is_empty()).count();
    let with_breaking = reports.iter().filter(|r| r.breaking() > 0).count();
    let errors: usize = reports.iter().map(|r| r.errors.len()).sum();
    println!(
        "changes: {} ({breaking} breaking, {} additive); updates with no API changes: {quiet}, with breaking changes: {with_breaking}; page errors: {errors}",
        changes.len(),
        changes.len() - breaking
    );
    let mut by_kind: BTreeMap<ChangeKind, (usize, usize)> = BTreeMap::new();
    let mut by_rule: BTreeMap<Rule, usize> = BTreeMap::new();
    for change in &changes {
        let entry = by_kind.entry(change.change).or_default();
        if change.breaking {
            entry.0 += 1;
        } else {
            entry.1 += 1;
        }
        *by_rule.entry(change.rule).or_default() += 1;
    }
    println!("\n| change | breaking | additive |\n|---|---:|---:|");
    for kind in ChangeKind::ALL {
        let (b, a) = by_kind.get(&kind).copied().unwrap_or_default();
        println!("| `{}` | {b} | {a} |", kind.name());
    }
    println!("\n| rule | verdict | changes |\n|---|---|---:|");
    for rule in Rule::ALL {
        let verdict = if rule.breaking() {
            "breaking"
        } else {
            "additive"
        };
        println!(
            "| `{}` | {verdict} | {} |",
            rule.id(),
            by_rule.get(rule).copied().unwrap_or(0)
        );
    }
    Ok(ExitCode::SUCCESS)
}
