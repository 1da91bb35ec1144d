//! `cargo xtask bench`: how fast the generator reads and emits doc trees, and how fast the crate
//! it generates checks.
//!
//! ```text
//! cargo xtask bench [--runs N] [--specs DIR]...                       # parse + emit + format
//! cargo xtask bench --check-crate [--area A] [--target-dir D] [--cold] [--specs DIR]...
//! cargo xtask bench --diff-history DIR [--runs N]                     # diff every doc update
//! ```
//!
//! Generation is measured in-process with `Instant` over N runs (median, min, max), peak memory
//! from `VmHWM` in `/proc/self/status`. `--check-crate` generates once, then for each run copies
//! the crate to a fresh directory (nothing of the crate itself is cached) and times
//! `cargo check --features full` and `cargo check --no-default-features --features <area>` with
//! the dependencies already built in the target dir; `--cold` adds one run from an empty one.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use codegen::emit;

use crate::crate_out;

struct BenchArgs {
    runs: usize,
    specs: Vec<PathBuf>,
    check_crate: bool,
    area: String,
    target_dir: Option<PathBuf>,
    cold: bool,
    /// An API history (`DIR/<update>/{old,new}`) to diff instead (see `bench_diff`).
    diff_history: Option<PathBuf>,
}

fn parse_args(args: &[String], root: &Path) -> anyhow::Result<BenchArgs> {
    let mut parsed = BenchArgs {
        runs: 5,
        specs: Vec::new(),
        check_crate: false,
        area: "refund".to_owned(),
        target_dir: None,
        cold: false,
        diff_history: None,
    };
    let mut iter = args.iter();
    let mut in_specs = false;
    while let Some(arg) = iter.next() {
        let mut value = |name: &str| {
            in_specs = false;
            iter.next()
                .cloned()
                .with_context(|| format!("{name} needs a value"))
        };
        match arg.as_str() {
            "--runs" => parsed.runs = value("--runs")?.parse().context("--runs")?,
            "--area" => parsed.area = value("--area")?,
            "--target-dir" => parsed.target_dir = Some(PathBuf::from(value("--target-dir")?)),
            "--check-crate" => parsed.check_crate = true,
            "--cold" => parsed.cold = true,
            "--diff-history" => parsed.diff_history = Some(PathBuf::from(value("--diff-history")?)),
            "--specs" => in_specs = true,
            other if in_specs && !other.starts_with("--") => parsed.specs.push(other.into()),
            other => bail!("unknown argument `{other}`"),
        }
    }
    if parsed.specs.is_empty() {
        let corpus = root.join("../shared/corpus");
        parsed.specs = vec![
            corpus.join("wechatpay.im/openapi/v3"),
            corpus.join("wechatpay.js.org/openapi/v3"),
        ];
    }
    anyhow::ensure!(parsed.runs > 0, "--runs must be at least 1");
    Ok(parsed)
}

pub fn bench(args: &[String], root: &Path) -> anyhow::Result<ExitCode> {
    let args = parse_args(args, root)?;
    if let Some(history) = &args.diff_history {
        return crate::bench_diff::bench_diff_history(history, args.runs);
    }
    for dir in &args.specs {
        anyhow::ensure!(
            dir.exists(),
            "spec directory `{}` does not exist",
            dir.display()
        );
    }
    if args.check_crate {
        return check_crate(&args, root);
    }
    let mut times = Vec::new();
    let mut operations = 0;
    let mut files = 0;
    for _ in 0..args.runs {
        let start = Instant::now();
        let (ops, notifications) = crate::read_operations(&args.specs, true)?;
        let generated = emit::generate_all(
            &ops,
            &notifications,
            emit::Options {
                area_features: true,
            },
        )?;
        times.push(start.elapsed());
        operations = ops.len();
        files = generated.files.len();
    }
    let specs: Vec<String> = args.specs.iter().map(|s| s.display().to_string()).collect();
    println!("specs: {}", specs.join(" "));
    if cfg!(debug_assertions) {
        println!(
            "build: unoptimised; for real figures run `cargo run --release -p xtask -- bench`"
        );
    }
    println!("operations: {operations}, files: {files}");
    println!(
        "parse + emit + format over {} runs: {}",
        args.runs,
        summary(&mut times)
    );
    match peak_rss_mb() {
        Some(mb) => println!("peak memory (VmHWM): {mb:.1} MB"),
        None => println!("peak memory: /proc/self/status unavailable"),
    }
    Ok(ExitCode::SUCCESS)
}

fn check_crate(args: &BenchArgs, root: &Path) -> anyhow::Result<ExitCode> {
    let (ops, notifications) = crate::read_operations(&args.specs, true)?;
    let generated = emit::generate_all(
        &ops,
        &notifications,
        emit::Options {
            area_features: true,
        },
    )?;
    let scratch = std::env::temp_dir().join(format!("wechatpay-bench-{}", std::process::id()));
    let template = scratch.join("template");
    crate_out::write_crate(&template, &generated, &root.join("wechatpay-api"))?;
    fs::copy(root.join("Cargo.lock"), template.join("Cargo.lock"))?;
    let target = args
        .target_dir
        .clone()
        .unwrap_or_else(|| root.join("target/generated-check"));
    println!(
        "operations: {}; target dir: {}",
        ops.len(),
        target.display()
    );

    let full = ["--features", "full"];
    let area = ["--no-default-features", "--features", args.area.as_str()];
    // Warm the dependencies (not measured).
    cargo_check(&template, &target, &full)?;
    cargo_check(&template, &target, &area)?;
    let mut full_times = Vec::new();
    let mut area_times = Vec::new();
    for run in 0..args.runs {
        full_times.push(cargo_check(
            &fresh_copy(&template, &scratch, run, "full")?,
            &target,
            &full,
        )?);
        area_times.push(cargo_check(
            &fresh_copy(&template, &scratch, run, "area")?,
            &target,
            &area,
        )?);
    }
    let per_100 = |d: Duration| d.as_secs_f64() * 100.0 / ops.len().max(1) as f64;
    let full_median = median(&mut full_times);
    println!(
        "cargo check --features full, warm deps, {} runs: {} ({:.2} s per 100 operations)",
        args.runs,
        summary(&mut full_times),
        per_100(full_median)
    );
    println!(
        "cargo check --features {}, warm deps, {} runs: {}",
        args.area,
        args.runs,
        summary(&mut area_times)
    );
    if args.cold {
        let cold_target = scratch.join("cold-target");
        let cold = cargo_check(
            &fresh_copy(&template, &scratch, 0, "cold")?,
            &cold_target,
            &full,
        )?;
        println!(
            "cargo check --features full, cold (empty target dir), 1 run: {:.1} s",
            cold.as_secs_f64()
        );
    }
    let _ = fs::remove_dir_all(&scratch);
    Ok(ExitCode::SUCCESS)
}

fn fresh_copy(template: &Path, scratch: &Path, run: usize, kind: &str) -> anyhow::Result<PathBuf> {
    let dir = scratch.join(format!("{kind}-{run}"));
    let status = Command::new("cp")
        .arg("-r")
        .arg(template)
        .arg(&dir)
        .status()?;
    anyhow::ensure!(status.success(), "copying the generated crate failed");
    Ok(dir)
}

fn cargo_check(dir: &Path, target: &Path, features: &[&str]) -> anyhow::Result<Duration> {
    let start = Instant::now();
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
        .arg("check")
        .arg("--quiet")
        .args(features)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .status()
        .context("running cargo check")?;
    let elapsed = start.elapsed();
    anyhow::ensure!(
        status.success(),
        "cargo check {features:?} failed in {}",
        dir.display()
    );
    Ok(elapsed)
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

pub fn summary(times: &mut [Duration]) -> String {
    let median = median(times);
    format!(
        "median {:.3} s (min {:.3} s, max {:.3} s)",
        median.as_secs_f64(),
        times[0].as_secs_f64(),
        times[times.len() - 1].as_secs_f64()
    )
}

fn peak_rss_mb() -> Option<f64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}
