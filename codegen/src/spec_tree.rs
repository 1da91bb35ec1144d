//! Reading every page under a directory (or a single file) in a deterministic order.

use std::fs;
use std::path::{Path, PathBuf};

use crate::diag::Diagnostic;
use crate::frontend::{Outcome, read_page};
use crate::ir::{Export, Page};

/// One page read from disk.
#[derive(Debug, Clone)]
pub struct PageResult {
    /// Path relative to the root the walk started from, `/`-separated.
    pub source: String,
    pub outcome: Outcome,
}

/// Every `.md` file under `root` (or `root` itself when it is a file), sorted by path.
pub fn markdown_files(root: &Path) -> std::io::Result<Vec<PathBuf>> {
    if root.is_file() {
        return Ok(vec![root.to_path_buf()]);
    }
    let mut files = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// The `source` name of `file` under `root`: its relative path with `/` separators; a root
/// that is a file itself is named by its file name.
pub fn source_name(root: &Path, file: &Path) -> String {
    let relative = if root.is_file() {
        Path::new(file.file_name().unwrap_or(file.as_os_str()))
    } else {
        file.strip_prefix(root).unwrap_or(file)
    };
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// The full `/`-separated path of a file, from which its URL is derived.
pub fn location_of(file: &Path) -> String {
    let absolute = fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf());
    absolute
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Reads every page under `root`.
pub fn read_tree(root: &Path) -> Result<Vec<PageResult>, Diagnostic> {
    let files = markdown_files(root).map_err(|e| {
        Diagnostic::new(
            &root.display().to_string(),
            0,
            format!("cannot list pages: {e}"),
        )
    })?;
    let mut pages = Vec::with_capacity(files.len());
    for file in files {
        let source = source_name(root, &file);
        let location = location_of(&file);
        let outcome = match fs::read(&file) {
            Ok(bytes) => read_page(&source, &location, &bytes),
            Err(e) => Outcome::Failed(vec![Diagnostic::new(
                &source,
                0,
                format!("cannot read: {e}"),
            )]),
        };
        pages.push(PageResult { source, outcome });
    }
    Ok(pages)
}

/// Reads pages held in memory (e.g. blobs of a git revision): each `(source, location, bytes)`
/// as [`read_page`] takes them, in the order given. `location` only needs the `v3/` (or
/// `webhook/`) part of a path that a file on disk would have.
pub fn read_files(files: impl IntoIterator<Item = (String, String, Vec<u8>)>) -> Vec<PageResult> {
    files
        .into_iter()
        .map(|(source, location, bytes)| PageResult {
            outcome: read_page(&source, &location, &bytes),
            source,
        })
        .collect()
}

/// Collects pages into the export form: all operations, all notifications, all errors.
pub fn export(pages: &[PageResult]) -> Export {
    let mut export = Export::default();
    for page in pages {
        match &page.outcome {
            Outcome::Page(Page {
                operations,
                notifications,
            }) => {
                export.operations.extend(operations.iter().cloned());
                export.notifications.extend(notifications.iter().cloned());
            }
            Outcome::Failed(errors) => export.errors.extend(errors.iter().cloned()),
            Outcome::Skipped(_) => {}
        }
    }
    export
}
