//! Doc comments from page prose. Descriptions are upstream markdown fragments: they must not
//! turn into doctests, HTML tags or intra-doc links when rustdoc reads them.

use proc_macro2::TokenStream;
use quote::quote;

/// `#[doc = "…"]` attributes, one per line of `text` (none when it is empty).
pub fn doc_attrs(text: &str) -> TokenStream {
    let mut attrs = TokenStream::new();
    for line in sanitize(text).lines() {
        let line = format!(" {line}");
        attrs.extend(quote!(#[doc = #line]));
    }
    attrs
}

/// Joins paragraphs with a blank doc line between them.
pub fn paragraphs<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    parts
        .into_iter()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn sanitize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.trim().lines().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let line = line.trim().replace("```", "'''");
        let mut in_code = false;
        for c in line.chars() {
            if c == '`' {
                in_code = !in_code;
            } else if !in_code && matches!(c, '[' | ']' | '<' | '>') && !out.ends_with('\\') {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_escaped_and_lines_trimmed() {
        assert_eq!(sanitize("  a <b> [c]\n    code"), "a \\<b\\> \\[c\\]\ncode");
        assert_eq!(sanitize("```rust\nx\n```"), "'''rust\nx\n'''");
    }
}
