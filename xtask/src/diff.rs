//! `cargo xtask diff`: what changed in the API between two doc trees, and whether it breaks
//! callers (see `codegen::diff` for the rules).
//!
//! ```text
//! cargo xtask diff OLD NEW [--format markdown|json] [--deny breaking]
//! cargo xtask diff --git REV [--format markdown|json] [--deny breaking]
//! ```
//!
//! Exit status: 2 with `--deny breaking` when a change is breaking; otherwise 1 when a page
//! of either tree could not be read (the report, printed anyway, lists them); 0.

use std::path::Path;
use std::process::ExitCode;

use anyhow::ensure;
use codegen::diff::{self, markdown};
use codegen::spec_tree::{self, PageResult};

use crate::diff_args::{DiffArgs, Format, Trees};
use crate::git_tree;

/// The spec tree `--git` compares, relative to the workspace root.
const SPECS: &str = "specs";

pub fn run(args: &[String], root: &Path) -> anyhow::Result<ExitCode> {
    let args = DiffArgs::parse(args)?;
    let (old, new, old_label, new_label) = match &args.trees {
        Trees::Dirs { old, new } => (
            read_dir(old)?,
            read_dir(new)?,
            old.display().to_string(),
            new.display().to_string(),
        ),
        Trees::Git { rev } => (
            git_tree::read_tree_at(root, rev, SPECS)?,
            read_dir(&root.join(SPECS))?,
            format!("{rev}:{SPECS}/"),
            format!("{SPECS}/"),
        ),
    };
    let report = diff::diff(&old, &new);
    match args.format {
        Format::Markdown => print!("{}", markdown::render(&report, &old_label, &new_label)),
        Format::Json => println!("{}", serde_json::to_string_pretty(&report)?),
    }
    let breaking = report.breaking();
    if args.deny_breaking && breaking > 0 {
        eprintln!("diff: {breaking} breaking change(s) (--deny breaking)");
        return Ok(ExitCode::from(2));
    }
    if !report.errors.is_empty() {
        eprintln!(
            "diff: {} page error(s); the operations of those pages were not compared",
            report.errors.len()
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

fn read_dir(dir: &Path) -> anyhow::Result<Vec<PageResult>> {
    ensure!(dir.exists(), "doc tree `{}` does not exist", dir.display());
    Ok(spec_tree::read_tree(dir)?)
}
