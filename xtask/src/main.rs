//! `cargo xtask`: the maintainers' commands.
//!
//! - `cargo xtask gen [--check] [--specs DIR]... [--out DIR]`: regenerate the endpoint modules.
//! - `cargo xtask ir PATH...`: print the IR of the pages under PATHs as JSON.

use std::path::PathBuf;
use std::process::ExitCode;

use codegen::spec_tree;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("ir") => ir(&args[1..]),
        _ => {
            eprintln!("usage: cargo xtask ir PATH...\n       cargo xtask gen [--check] [--specs DIR]... [--out DIR]");
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

/// Prints the IR of every page under the given paths; exits 1 if any page failed.
fn ir(paths: &[String]) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(!paths.is_empty(), "usage: cargo xtask ir PATH...");
    let mut pages = Vec::new();
    for path in paths {
        pages.extend(spec_tree::read_tree(&PathBuf::from(path))?);
    }
    let export = spec_tree::export(&pages);
    println!("{}", serde_json::to_string_pretty(&export)?);
    for error in &export.errors {
        eprintln!("{error}");
    }
    Ok(if export.errors.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
