//! Reading one page: detect its format and hand it to the matching front end.

use crate::diag::Diagnostic;
use crate::ir::{Method, Page, ResponseKind, SourceFormat};
use crate::{frontmatter, imtable, twoslash};

/// What reading one page produced.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The operations (and/or notifications) of an API page.
    Page(Page),
    /// A page that holds no API description (redirect stub, navigation page), with the reason.
    Skipped(String),
    /// The page could not be read; every problem found, each with its line.
    Failed(Vec<Diagnostic>),
}

/// Reads one page. `source` names it in diagnostics and in the IR (a path relative to the
/// spec root); `location` is its full `/`-separated path, from which front ends derive the URL
/// (the part from `v3/` on); `bytes` is its raw content, which need not be valid UTF-8.
pub fn read_page(source: &str, location: &str, bytes: &[u8]) -> Outcome {
    match read_located(location, bytes) {
        Outcome::Page(mut page) => {
            for op in &mut page.operations {
                op.source = source.to_owned();
            }
            for notification in &mut page.notifications {
                notification.source = source.to_owned();
            }
            Outcome::Page(page)
        }
        Outcome::Failed(mut diagnostics) => {
            for d in &mut diagnostics {
                d.source = source.to_owned();
            }
            Outcome::Failed(diagnostics)
        }
        skipped => skipped,
    }
}

/// Front ends name the page by its location; [`read_page`] renames it to the source name.
fn read_located(source: &str, bytes: &[u8]) -> Outcome {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let line =
                crate::diag::LineIndex::new(&String::from_utf8_lossy(&bytes[..e.valid_up_to()]))
                    .line(e.valid_up_to());
            return Outcome::Failed(vec![Diagnostic::new(
                source,
                line,
                format!(
                    "page is not valid UTF-8 (invalid byte at offset {})",
                    e.valid_up_to()
                ),
            )]);
        }
    };
    let (frontmatter, body_start) = match frontmatter::split(source, text) {
        Ok(split) => split,
        Err(diagnostic) => return Outcome::Failed(vec![diagnostic]),
    };
    if frontmatter.is_redirect() {
        return Outcome::Skipped("redirect stub".to_owned());
    }
    let result = match detect(text) {
        Some(SourceFormat::ImTable) => imtable::parse(source, text, &frontmatter, body_start),
        Some(SourceFormat::Twoslash) => twoslash::parse(source, text, &frontmatter, body_start),
        None if text.contains("{.im-table .centered}") => {
            return Outcome::Skipped("navigation page: no API description".to_owned());
        }
        None => {
            return Outcome::Failed(vec![crate::diag::Diagnostic::new(
                source,
                1,
                "not an API page: no method heading (`{#get}` …), request table or twoslash namespace",
            )]);
        }
    };
    match result.and_then(|page| assign_models(source, text, &frontmatter, page)) {
        Ok(page) => Outcome::Page(page),
        Err(diagnostics) => Outcome::Failed(diagnostics),
    }
}

/// Applies the frontmatter's `models` slots to the page's operations and notifications.
fn assign_models(
    source: &str,
    text: &str,
    frontmatter: &frontmatter::Frontmatter,
    mut page: Page,
) -> Result<Page, Vec<Diagnostic>> {
    let line = text
        .lines()
        .position(|l| l.starts_with("models:"))
        .map_or(1, |i| i as u32 + 1);
    let mut errors = Vec::new();
    for (slot, model) in &frontmatter.models {
        if !is_model_name(model) {
            errors.push(Diagnostic::new(
                source,
                line,
                format!("model name `{model}` (slot `{slot}`) is not an UpperCamelCase identifier"),
            ));
            continue;
        }
        let assigned = if slot == "resource" {
            page.notifications
                .iter_mut()
                .map(|n| n.model = Some(model.clone()))
                .count()
        } else {
            let method = Method::from_lower(slot);
            let mut count = 0;
            for op in page
                .operations
                .iter_mut()
                .filter(|op| Some(op.method) == method)
            {
                if op.response.kind != ResponseKind::Json {
                    errors.push(Diagnostic::new(
                        source,
                        op.line,
                        format!("model `{model}`: the `{slot}` operation does not answer JSON"),
                    ));
                }
                op.model = Some(model.clone());
                count += 1;
            }
            count
        };
        if assigned == 0 {
            errors.push(Diagnostic::new(
                source,
                line,
                format!(
                    "models: slot `{slot}` names no operation (`get`, `post`, …) or notification \
                     (`resource`) on this page"
                ),
            ));
        }
    }
    if errors.is_empty() {
        Ok(page)
    } else {
        Err(errors)
    }
}

fn is_model_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
}

/// Detects the page format from its content.
pub fn detect(text: &str) -> Option<SourceFormat> {
    if text.contains("```js twoslash") {
        Some(SourceFormat::Twoslash)
    } else if text.contains("{.im-table #request}")
        || text.contains("{.im-table #response}")
        || has_method_heading(text)
    {
        Some(SourceFormat::ImTable)
    } else {
        None
    }
}

fn has_method_heading(text: &str) -> bool {
    text.lines().any(|line| {
        line.starts_with('#')
            && crate::ir::Method::ALL
                .iter()
                .any(|m| line.trim_end().ends_with(&format!("{{#{}}}", m.lower())))
    })
}
