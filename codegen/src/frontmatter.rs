//! YAML frontmatter (`---` … `---` at the top of a page).

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::diag::Diagnostic;

/// The frontmatter keys the generator uses; others (`head`, `prev`, …) are ignored.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Frontmatter {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// `false` only on redirect stubs.
    #[serde(default)]
    pub navbar: Option<bool>,
    /// Named models (this project's spec pages): slot → model name, where the slot is an
    /// operation's method anchor (`get`, `post`, …: its JSON answer) or `resource` (a
    /// notification's decrypted resource). Every slot naming one model shares one Rust type.
    #[serde(default)]
    pub models: BTreeMap<String, String>,
}

impl Frontmatter {
    /// Redirect stubs: `navbar: false` or a `Moved to …` title.
    pub fn is_redirect(&self) -> bool {
        self.navbar == Some(false)
            || self
                .title
                .as_deref()
                .is_some_and(|t| t.trim_start().starts_with("Moved to"))
    }
}

/// Splits a page into its frontmatter and the byte offset where the markdown body starts.
/// A page without frontmatter yields the default and offset 0.
pub fn split(source: &str, text: &str) -> Result<(Frontmatter, usize), Diagnostic> {
    let Some(rest) = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
    else {
        return Ok((Frontmatter::default(), 0));
    };
    let opening = text.len() - rest.len();
    let mut offset = opening;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "---" {
            let yaml = &text[opening..offset];
            let body = offset + line.len();
            let frontmatter = if yaml.trim().is_empty() {
                Frontmatter::default()
            } else {
                serde_saphyr::from_str(yaml).map_err(|e| {
                    let first = e.to_string();
                    let first = first.lines().next().unwrap_or("invalid YAML");
                    Diagnostic::new(source, 2, format!("frontmatter is not valid YAML: {first}"))
                })?
            };
            return Ok((frontmatter, body));
        }
        offset += line.len();
    }
    Err(Diagnostic::new(
        source,
        1,
        "frontmatter opened with `---` is never closed",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_title_and_description() {
        let text = "---\ntitle: 查询\ndescription: 说明\n---\n\n# x {#get}\n";
        let (fm, body) = split("p.md", text).unwrap();
        assert_eq!(fm.title.as_deref(), Some("查询"));
        assert_eq!(fm.description.as_deref(), Some("说明"));
        assert!(!fm.is_redirect());
        assert_eq!(&text[body..], "\n# x {#get}\n");
    }

    #[test]
    fn null_description_and_redirects() {
        let text = "---\ntitle: Moved to /x\ndescription:\nnavbar: false\nprev: false\nhead: [[meta, {http-equiv: refresh, content: 0;url=/x}]]\n---\n";
        let (fm, _) = split("p.md", text).unwrap();
        assert_eq!(fm.description, None);
        assert!(fm.is_redirect());
    }

    #[test]
    fn unclosed_frontmatter_is_an_error() {
        let err = split("p.md", "---\ntitle: x\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "p.md:1: frontmatter opened with `---` is never closed"
        );
    }

    #[test]
    fn bad_yaml_is_an_error() {
        let err = split("p.md", "---\ntitle: [unclosed\n---\n").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("p.md:2: frontmatter is not valid YAML"),
            "{err}"
        );
    }
}
