//! Only answers the docs describe as a file stream become downloads. A download
//! (`ResponseKind::Binary`, emitted as `ResponseBodyKind::Binary`) is the one answer the runtime
//! does not verify, so a page must say so itself: an im-table answer table whose placeholder row
//! reads `文件流…`, or a twoslash answer interface that `extends ReadStream`. Everything else, a
//! page whose only answer table is the error table (`异常字典`) included, answers JSON or is
//! empty, and both are signed.
//!
//! Reads every page of both formats under `openapi/` (v2 pages too: the error-table-only pages
//! live there) and every emitted module; skips when `../shared/corpus` is absent.

use std::path::Path;

use codegen::emit::{self, Options};
use codegen::frontend::{Outcome, read_page};
use codegen::ir::{Operation, ResponseKind, SourceFormat};
use codegen::spec_tree;

mod common;

/// Whether the text of the operation (its heading line to the next operation's) documents a
/// file-stream answer, read straight from the markdown, not through a front end.
fn documents_file_stream(format: SourceFormat, section: &str) -> bool {
    match format {
        SourceFormat::ImTable => {
            // The answer table: `| 返回字典 | …` up to its `{.im-table #response}` closer.
            let mut in_answer = false;
            for line in section.lines().map(str::trim) {
                if line.starts_with("| 返回字典") {
                    in_answer = true;
                } else if line.starts_with("| 请求参数") || line.starts_with("| 异常字典") {
                    in_answer = false;
                } else if in_answer && line.starts_with("| 文件流") {
                    return true;
                }
            }
            false
        }
        SourceFormat::Twoslash => section.lines().any(|line| {
            let line = line.trim();
            line.contains("interface ")
                && line.contains(" extends ")
                && line.split(" extends ").nth(1).is_some_and(|supers| {
                    supers
                        .split([',', ' ', '{'])
                        .any(|name| name.rsplit('.').next() == Some("ReadStream"))
                })
        }),
    }
}

struct Read {
    pages: usize,
    operations: Vec<Operation>,
    undocumented_downloads: Vec<String>,
    file_streams: usize,
}

fn read_format(root: &Path) -> Read {
    let files = spec_tree::markdown_files(root).expect("corpus is readable");
    let mut read = Read {
        pages: 0,
        operations: Vec::new(),
        undocumented_downloads: Vec::new(),
        file_streams: 0,
    };
    for file in &files {
        let source = spec_tree::source_name(root, file);
        let bytes = std::fs::read(file).expect("page is readable");
        let Outcome::Page(page) = read_page(&source, &spec_tree::location_of(file), &bytes) else {
            continue;
        };
        read.pages += 1;
        let text = String::from_utf8_lossy(&bytes);
        let lines: Vec<&str> = text.lines().collect();
        let mut starts: Vec<u32> = page.operations.iter().map(|op| op.line).collect();
        starts.sort_unstable();
        for op in &page.operations {
            let from = op.line as usize - 1;
            let to = starts
                .iter()
                .find(|&&line| line > op.line)
                .map_or(lines.len(), |&line| line as usize - 1);
            let section = lines[from..to].join("\n");
            let documented = documents_file_stream(op.format, &section);
            if documented {
                read.file_streams += 1;
            }
            if op.response.kind == ResponseKind::Binary && !documented {
                read.undocumented_downloads.push(format!(
                    "{}:{}: {} {}",
                    source,
                    op.line,
                    op.method.lower().to_uppercase(),
                    op.path
                ));
            }
        }
        read.operations.extend(page.operations);
    }
    read
}

#[test]
fn only_documented_file_streams_are_downloads() {
    let Some(corpus) = common::corpus("") else {
        return;
    };
    let mut undocumented = Vec::new();
    for format in ["wechatpay.im/openapi", "wechatpay.js.org/openapi"] {
        let root = corpus.join(format);
        if !root.is_dir() {
            eprintln!("skipping {format}: not in the corpus");
            continue;
        }
        let read = read_format(&root);
        undocumented.extend(read.undocumented_downloads);

        // What the emitter makes of them: one `ResponseBodyKind::Binary` per download, and no
        // more (the v3 operations, generated as one crate like `cargo xtask gen`).
        let v3: Vec<Operation> = read
            .operations
            .iter()
            .filter(|op| op.path.starts_with("/v3/"))
            .cloned()
            .collect();
        let downloads = v3
            .iter()
            .filter(|op| op.response.kind == ResponseKind::Binary)
            .count();
        let generated = emit::generate(
            &v3,
            Options {
                area_features: true,
            },
        )
        .unwrap_or_else(|e| panic!("{format}: {e}"));
        let emitted = generated
            .files
            .values()
            .map(|code| code.matches("ResponseBodyKind::Binary").count())
            .sum::<usize>();
        assert_eq!(
            emitted, downloads,
            "{format}: the emitted modules hold {emitted} downloads, the IR {downloads}"
        );
        assert!(
            read.file_streams > 0,
            "{format}: no file-stream answer found: the check reads nothing"
        );
        eprintln!(
            "{format}: {} pages, {} operations, {} documented file streams, {downloads} v3 downloads emitted",
            read.pages,
            read.operations.len(),
            read.file_streams
        );
    }
    assert!(
        undocumented.is_empty(),
        "downloads (unverified answers) whose answer is not documented as a file stream:\n{}",
        undocumented.join("\n")
    );
}

/// Every im-table page of the corpus, with its answer tables turned into error tables
/// (`| 返回字典` → `| 异常字典`, what a page documenting only the error answer looks like):
/// none of its operations becomes a download.
#[test]
fn error_table_only_pages_are_not_downloads() {
    let Some(root) = common::corpus("wechatpay.im/openapi") else {
        return;
    };
    let files = spec_tree::markdown_files(&root).expect("corpus is readable");
    let mut variants = 0;
    let mut downloads = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("page is readable");
        if !text.contains("| 返回字典") || text.contains("| 文件流") {
            continue;
        }
        let variant = text.replace("| 返回字典", "| 异常字典");
        let source = spec_tree::source_name(&root, file);
        let Outcome::Page(page) =
            read_page(&source, &spec_tree::location_of(file), variant.as_bytes())
        else {
            continue;
        };
        variants += 1;
        downloads.extend(
            page.operations
                .iter()
                .filter(|op| op.response.kind == ResponseKind::Binary)
                .map(|op| format!("{source}:{}: {}", op.line, op.path)),
        );
    }
    assert!(
        variants > 100,
        "only {variants} pages read: the check reads nothing"
    );
    assert!(
        downloads.is_empty(),
        "{} of the error-table-only variants became unverified downloads, e.g.:\n{}",
        downloads.len(),
        downloads[..downloads.len().min(10)].join("\n")
    );
    eprintln!("{variants} error-table-only page variants, no download");
}
