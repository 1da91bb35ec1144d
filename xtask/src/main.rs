//! `cargo xtask`: the maintainers' commands.
//!
//! - `cargo xtask gen`: regenerate `wechatpay-api`'s endpoint modules from `specs/`.
//! - `cargo xtask gen --check`: fail when the committed modules are stale.
//! - `cargo xtask gen --specs DIR... --out DIR`: generate a standalone crate from any doc trees.
//! - `cargo xtask ir PATH...`: print the IR of the pages under PATHs as JSON.
//! - `cargo xtask diff OLD NEW` / `cargo xtask diff --git REV`: the API changes between two doc
//!   trees, each marked breaking or additive (markdown or `--format json`).

mod bench;
mod bench_diff;
mod crate_out;
mod diff;
mod diff_args;
mod gen_args;
mod git_tree;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use codegen::emit::{self, Generated};
use codegen::ir::{Notification, Operation};
use codegen::spec_tree;

use gen_args::GenArgs;

/// What `cargo xtask gen` keeps committed: (spec tree, generated `src` directory, whether each
/// business area is a cargo feature), relative to the workspace root. APIv2 pages of a tree
/// (`specs/v2/**`, `specs/webhook/v2/**`) generate `v2/**` (areas gated by `v2-<area>`) and
/// `webhook/v2/**` beside the v3 modules. The conformance fixtures
/// exercise identifier edge cases; their generated modules are compiled and driven by
/// `wechatpay-api/tests/conformance.rs`.
const COMMITTED_TARGETS: [(&str, &str, bool); 4] = [
    ("specs", "wechatpay-api/src", true),
    (
        "codegen/tests/fixtures/conformance",
        "wechatpay-api/tests/conformance",
        false,
    ),
    // Typed notifications of synthetic webhook pages, driven by wechatpay-api/tests/webhook.rs.
    (
        "codegen/tests/fixtures/webhook",
        "wechatpay-api/tests/webhook_generated",
        false,
    ),
    // APIv2 operations and notifications of synthetic pages, driven by
    // wechatpay-api/tests/v2_generated.rs.
    (
        "codegen/tests/fixtures/apiv2",
        "wechatpay-api/tests/v2_generated",
        false,
    ),
];

const USAGE: &str = "usage: cargo xtask ir PATH...\n       cargo xtask gen [--check] [--specs DIR]... [--out DIR]\n       cargo xtask bench [--runs N] [--check-crate [--area A] [--target-dir D] [--cold]] [--specs DIR]...\n       cargo xtask bench --diff-history DIR [--runs N]\n       cargo xtask diff (OLD NEW | --git REV) [--format markdown|json] [--deny breaking]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("ir") => ir(&args[1..]),
        Some("gen") => GenArgs::parse(&args[1..]).and_then(generate),
        Some("bench") => bench::bench(&args[1..], &workspace_root()),
        Some("diff") => diff::run(&args[1..], &workspace_root()),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives inside the workspace")
        .to_path_buf()
}

/// Prints the IR of every page under the given paths; exits 1 if any page failed.
fn ir(paths: &[String]) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(!paths.is_empty(), "{USAGE}");
    let mut pages = Vec::new();
    for path in paths {
        pages.extend(spec_tree::read_tree(&PathBuf::from(path))?);
    }
    let export = spec_tree::export(&pages);
    println!("{}", serde_json::to_string_pretty(&export)?);
    for error in &export.errors {
        eprintln!("{error}");
    }
    Ok(if export.errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Reads every spec tree in order; a later tree's operation with an already-seen method and
/// path is dropped (the first tree wins). Page failures abort with every diagnostic, unless
/// `tolerate_failures`, where the failed pages are reported and left out.
fn read_operations(
    spec_dirs: &[PathBuf],
    tolerate_failures: bool,
) -> anyhow::Result<(Vec<Operation>, Vec<Notification>)> {
    let mut operations: Vec<Operation> = Vec::new();
    let mut notifications: Vec<Notification> = Vec::new();
    let mut seen = BTreeSet::new();
    let mut errors = Vec::new();
    for dir in spec_dirs {
        anyhow::ensure!(
            dir.exists(),
            "spec directory `{}` does not exist",
            dir.display()
        );
        let export = spec_tree::export(&spec_tree::read_tree(dir)?);
        errors.extend(export.errors);
        for op in export.operations {
            if seen.insert((op.method, op.path.clone())) {
                operations.push(op);
            }
        }
        notifications.extend(export.notifications);
    }
    if !errors.is_empty() {
        for error in &errors {
            eprintln!("{error}");
        }
        if !tolerate_failures {
            bail!("{} page error(s); nothing generated", errors.len());
        }
        eprintln!(
            "warning: the {} page error(s) above left those pages out",
            errors.len()
        );
    }
    Ok((operations, notifications))
}

fn generate(args: GenArgs) -> anyhow::Result<ExitCode> {
    let root = workspace_root();
    match &args.out {
        Some(out) => {
            let spec_dirs = if args.specs.is_empty() {
                vec![root.join("specs")]
            } else {
                args.specs.clone()
            };
            let (operations, notifications) = read_operations(&spec_dirs, true)?;
            let generated = emit::generate_all(
                &operations,
                &notifications,
                emit::Options {
                    area_features: true,
                },
            )?;
            crate_out::write_crate(out, &generated, &root.join("wechatpay-api"))?;
            report_omissions(&generated);
            eprintln!(
                "generated {} operations and {} notifications into {}",
                operations.len() - skipped_operations(&generated),
                notifications.len(),
                out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        None => {
            let mut stale = false;
            for (specs, out, area_features) in COMMITTED_TARGETS {
                let (operations, notifications) = read_operations(&[root.join(specs)], false)?;
                let generated = emit::generate_all(
                    &operations,
                    &notifications,
                    emit::Options { area_features },
                )?;
                let out = root.join(out);
                report_omissions(&generated);
                if args.check {
                    stale |= !check(&out, &generated)?;
                } else {
                    write_generated(&out, &generated)?;
                    eprintln!(
                        "generated {} operations and {} notifications from {specs}/ into {}",
                        operations.len() - skipped_operations(&generated),
                        notifications.len(),
                        out.display()
                    );
                }
            }
            if stale {
                eprintln!("run `cargo xtask gen` and commit the result");
                return Ok(ExitCode::FAILURE);
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// How many operations the generation left out whole.
fn skipped_operations(generated: &Generated) -> usize {
    generated
        .omissions
        .iter()
        .filter(|o| o.policy.skips_operation())
        .count()
}

/// Prints what the generation left out, one line each, then the count per policy.
fn report_omissions(generated: &Generated) {
    if generated.omissions.is_empty() {
        return;
    }
    let mut counts: std::collections::BTreeMap<emit::Policy, usize> = Default::default();
    for omission in &generated.omissions {
        eprintln!("left out: {omission}");
        *counts.entry(omission.policy).or_default() += 1;
    }
    let operations = skipped_operations(generated);
    let fields = generated.omissions.len() - operations;
    let by_policy: Vec<String> = counts
        .iter()
        .map(|(policy, n)| format!("{policy} {n}"))
        .collect();
    eprintln!(
        "left out {operations} operation(s) and {fields} field(s): {}",
        by_policy.join(", ")
    );
}

/// Files under the generated roots of `src` that the generator did not produce.
fn stale_files(src: &Path, generated: &Generated) -> anyhow::Result<Vec<String>> {
    let mut stale = Vec::new();
    let models = format!("{MODELS}.rs");
    if !generated.models && is_generated_file(&src.join(&models)) {
        stale.push(models);
    }
    let webhook = generated.webhook.then(|| "webhook".to_owned());
    for root in generated.roots.iter().chain(&webhook) {
        let dir = src.join(root);
        if !dir.exists() {
            continue;
        }
        for file in spec_tree_files(&dir)? {
            let relative = file
                .strip_prefix(src)
                .context("generated file outside src")?
                .to_string_lossy()
                .replace('\\', "/");
            if !generated.files.contains_key(&relative) {
                stale.push(relative);
            }
        }
    }
    Ok(stale)
}

/// The named-models file a generation may write beside the roots.
const MODELS: &str = "models";

fn is_generated_file(path: &Path) -> bool {
    fs::read_to_string(path).is_ok_and(|text| text.starts_with(emit::GENERATED_HEADER))
}

fn spec_tree_files(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

fn write_generated(src: &Path, generated: &Generated) -> anyhow::Result<()> {
    for stale in stale_files(src, generated)? {
        fs::remove_file(src.join(&stale)).with_context(|| format!("removing stale {stale}"))?;
    }
    for (relative, content) in &generated.files {
        let path = src.join(relative);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        if fs::read_to_string(&path).ok().as_deref() != Some(content.as_str()) {
            fs::write(&path, content).with_context(|| format!("writing {}", path.display()))?;
        }
    }
    Ok(())
}

/// Whether `src` holds exactly what was generated; prints each difference.
fn check(src: &Path, generated: &Generated) -> anyhow::Result<bool> {
    let mut problems = Vec::new();
    for (relative, content) in &generated.files {
        match fs::read_to_string(src.join(relative)) {
            Ok(on_disk) if on_disk == *content => {}
            Ok(_) => problems.push(format!("{relative} differs from what the specs generate")),
            Err(_) => problems.push(format!("{relative} is missing")),
        }
    }
    for stale in stale_files(src, generated)? {
        problems.push(format!("{stale} is not generated by any spec"));
    }
    if problems.is_empty() {
        eprintln!(
            "{} is up to date ({} files)",
            src.display(),
            generated.files.len()
        );
        return Ok(true);
    }
    for problem in &problems {
        eprintln!("stale: {}/{problem}", src.display());
    }
    Ok(false)
}
