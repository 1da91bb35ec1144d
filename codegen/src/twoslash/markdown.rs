//! The markdown around the twoslash blocks: `# title {#method}` headings, the prose and
//! `[官方文档](url)` links under them, `::: … {.im-deprecated}` notices, and the fenced blocks.

use crate::ir::Method;

/// A ```` ```js twoslash ```` fence: its content and where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// Byte offset of the opening fence line.
    pub fence_offset: usize,
    /// Byte range of the content between the fences.
    pub content: std::ops::Range<usize>,
}

/// Everything between one `{#method}` heading and the next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub method: Method,
    pub heading_offset: usize,
    pub title: String,
    /// Prose lines before the first fence, outside `:::` containers.
    pub prose: Vec<String>,
    /// `[官方文档](url)` targets with their page offsets.
    pub links: Vec<(usize, String)>,
    /// Container classes such as `deprecated` (from `{.im-deprecated}`).
    pub notices: Vec<String>,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Layout {
    pub sections: Vec<Section>,
    /// Twoslash blocks before the first `{#method}` heading.
    pub orphan_blocks: Vec<Block>,
    /// Offset of a fence that is never closed.
    pub unclosed_fence: Option<usize>,
}

const DOC_LINK: &str = "[官方文档](";

/// Scans the page body starting at `body_start`.
pub fn scan(text: &str, body_start: usize) -> Layout {
    let mut layout = Layout::default();
    let mut offset = body_start.min(text.len());
    let mut fence: Option<(usize, String, bool)> = None;
    let mut container_depth = 0usize;
    while offset < text.len() {
        let line_end = text[offset..]
            .find('\n')
            .map_or(text.len(), |n| offset + n + 1);
        let line = text[offset..line_end].trim_end_matches(['\n', '\r']);
        let trimmed = line.trim_start();
        let next = line_end;
        if let Some((open, ticks, twoslash)) = &fence {
            if trimmed.starts_with(ticks.as_str())
                && trimmed.trim_start_matches('`').trim().is_empty()
            {
                if *twoslash {
                    let block = Block {
                        fence_offset: *open,
                        content: text[*open..]
                            .find('\n')
                            .map_or(text.len(), |n| open + n + 1)
                            ..offset,
                    };
                    match layout.sections.last_mut() {
                        Some(section) => section.blocks.push(block),
                        None => layout.orphan_blocks.push(block),
                    }
                }
                fence = None;
            }
            offset = next;
            continue;
        }
        if trimmed.starts_with("```") {
            let ticks_len = trimmed.len() - trimmed.trim_start_matches('`').len();
            let info = trimmed[ticks_len..].trim();
            let twoslash = info.split_whitespace().any(|word| word == "twoslash");
            fence = Some((offset, "`".repeat(ticks_len), twoslash));
        } else if let Some((method, title)) = method_heading(line) {
            layout.sections.push(Section {
                method,
                heading_offset: offset,
                title,
                prose: Vec::new(),
                links: Vec::new(),
                notices: Vec::new(),
                blocks: Vec::new(),
            });
            container_depth = 0;
        } else if let Some(section) = layout.sections.last_mut() {
            if let Some(rest) = trimmed.strip_prefix(":::") {
                if rest.trim().is_empty() {
                    container_depth = container_depth.saturating_sub(1);
                } else {
                    container_depth += 1;
                    section.notices.extend(notice_classes(rest));
                }
            } else if container_depth == 0
                && section.blocks.is_empty()
                && !trimmed.is_empty()
                && !trimmed.starts_with('#')
            {
                section.prose.push(trimmed.to_owned());
            }
            section.links.extend(doc_links(line, offset));
        }
        offset = next;
    }
    layout.unclosed_fence = fence.map(|(open, _, _)| open);
    layout
}

/// `# Title {#post}` → (POST, "Title").
fn method_heading(line: &str) -> Option<(Method, String)> {
    let hashes = line.len() - line.trim_start_matches('#').len();
    if hashes == 0 || hashes > 6 || !line[hashes..].starts_with(' ') {
        return None;
    }
    let heading = line[hashes..].trim();
    let open = heading.rfind("{#")?;
    let anchor = heading[open + 2..].strip_suffix('}')?;
    let method = Method::from_lower(anchor.trim())?;
    Some((method, heading[..open].trim().to_owned()))
}

/// `danger :no_entry_sign: {.im-deprecated}` → ["deprecated"].
fn notice_classes(container: &str) -> Vec<String> {
    let Some(open) = container.rfind('{') else {
        return Vec::new();
    };
    container[open + 1..]
        .trim_end()
        .trim_end_matches('}')
        .split_whitespace()
        .filter_map(|word| word.strip_prefix(".im-"))
        .map(str::to_owned)
        .collect()
}

fn doc_links(line: &str, line_offset: usize) -> Vec<(usize, String)> {
    let mut links = Vec::new();
    let mut from = 0;
    while let Some(found) = line[from..].find(DOC_LINK) {
        let start = from + found + DOC_LINK.len();
        let Some(close) = line[start..].find(')') else {
            break;
        };
        links.push((
            line_offset + from + found,
            line[start..start + close].trim().to_owned(),
        ));
        from = start + close;
    }
    links
}

/// Prose with `[官方文档](…)` links removed.
pub fn without_doc_links(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(found) = rest.find(DOC_LINK) {
        out.push_str(&rest[..found]);
        let after = &rest[found + DOC_LINK.len()..];
        rest = after.find(')').map_or("", |close| &after[close + 1..]);
    }
    out.push_str(rest);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans_sections_blocks_links_and_notices() {
        let page = "# A {#get}\n\ntext [官方文档](https://a) [官方文档](https://b)\n\n::: danger x {.im-deprecated}\nold\n:::\n\n```js twoslash\ncode\n```\n\n参阅 [官方文档](https://c)\n## B {#post}\n```js twoslash\nmore\n```\n";
        let layout = scan(page, 0);
        assert_eq!(layout.sections.len(), 2);
        let a = &layout.sections[0];
        assert_eq!(a.method, Method::Get);
        assert_eq!(a.title, "A");
        assert_eq!(
            a.prose,
            vec!["text [官方文档](https://a) [官方文档](https://b)".to_owned()]
        );
        let links: Vec<_> = a.links.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(links, ["https://a", "https://b", "https://c"]);
        assert_eq!(a.notices, ["deprecated"]);
        assert_eq!(&page[a.blocks[0].content.clone()], "code\n");
        assert_eq!(
            &page[layout.sections[1].blocks[0].content.clone()],
            "more\n"
        );
        assert_eq!(without_doc_links("x [官方文档](u) y"), "x y");
    }

    #[test]
    fn unclosed_fences_and_odd_headings_do_not_panic() {
        let layout = scan("#{#get}\n# 一 {#pos\n```js twoslash\n", 0);
        assert!(layout.sections.is_empty());
        assert!(layout.orphan_blocks.is_empty());
        assert_eq!(layout.unclosed_fence, Some(20));
    }
}
