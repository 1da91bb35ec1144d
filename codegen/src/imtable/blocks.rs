//! The block structure of an im-table page, read from pulldown-cmark events: headings with
//! their anchors, tables (as raw source ranges), paragraphs (text + links) and code blocks.

use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

/// One top-level block of the page, in source order.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Heading {
        line: u32,
        /// The `{#anchor}` of the heading, if any.
        anchor: Option<String>,
        title: String,
    },
    Table {
        /// Byte range of the table in the page text.
        range: Range<usize>,
    },
    Paragraph {
        range: Range<usize>,
        /// The paragraph's text, markup removed (`<br/>` kept as a newline).
        text: String,
        /// Link targets inside the paragraph, in order.
        links: Vec<String>,
    },
    Code {
        range: Range<usize>,
        language: String,
        text: String,
    },
}

/// Parses the page into its blocks. Only the extensions the format needs are enabled:
/// `Options::all()` would turn `{.im-table …}` lines and `:::` containers into other blocks.
pub fn read_blocks(text: &str) -> Vec<Block> {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS;
    let line_index = crate::diag::LineIndex::new(text);
    let mut blocks = Vec::new();
    let mut current: Option<Block> = None;
    let mut depth = 0usize;

    for (event, range) in Parser::new_ext(text, options).into_offset_iter() {
        match event {
            Event::Start(tag) => {
                depth += 1;
                if depth == 1 {
                    current = start_block(&tag, range, &line_index);
                } else if let (Tag::Link { dest_url, .. }, Some(Block::Paragraph { links, .. })) =
                    (&tag, current.as_mut())
                {
                    links.push(dest_url.to_string());
                }
            }
            Event::End(end) => {
                depth = depth.saturating_sub(1);
                if depth == 0
                    && let Some(block) = current.take()
                {
                    blocks.push(block);
                }
                if end == TagEnd::Paragraph && depth > 0 {
                    push_text(current.as_mut(), "\n");
                }
            }
            Event::Text(t) | Event::Code(t) => push_text(current.as_mut(), &t),
            Event::InlineHtml(html) | Event::Html(html) if html.trim() == "<br/>" => {
                push_text(current.as_mut(), "\n");
            }
            Event::SoftBreak | Event::HardBreak => push_text(current.as_mut(), "\n"),
            _ => {}
        }
    }
    blocks
}

fn start_block(
    tag: &Tag<'_>,
    range: Range<usize>,
    line_index: &crate::diag::LineIndex,
) -> Option<Block> {
    match tag {
        Tag::Heading { id, .. } => Some(Block::Heading {
            line: line_index.line(range.start),
            anchor: id.as_ref().map(|id| id.to_string()),
            title: String::new(),
        }),
        Tag::Table(_) => Some(Block::Table { range }),
        Tag::Paragraph => Some(Block::Paragraph {
            range,
            text: String::new(),
            links: Vec::new(),
        }),
        Tag::CodeBlock(kind) => Some(Block::Code {
            range,
            language: match kind {
                CodeBlockKind::Fenced(info) => {
                    info.split_whitespace().next().unwrap_or("").to_owned()
                }
                CodeBlockKind::Indented => String::new(),
            },
            text: String::new(),
        }),
        _ => None,
    }
}

fn push_text(block: Option<&mut Block>, fragment: &str) {
    match block {
        Some(Block::Heading { title, .. }) => title.push_str(fragment),
        Some(Block::Paragraph { text, .. }) | Some(Block::Code { text, .. }) => {
            text.push_str(fragment)
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_headings_tables_and_closers() {
        let page = "---\ntitle: t\n---\n\n# {{ $frontmatter.title }} {#post}\n\n{{ $frontmatter.description }}\n\n| 请求参数 | 类型 {.type} | 描述 {.desc}\n| --- | --- | ---\n| a {data-required} | string | x<br/>`A` \\| `B` 枚举值之一\n\n{.im-table #request}\n\n```php [异步]\n$instance->chain('v3/x')->postAsync([]);\n```\n\n参阅 [官方文档](https://example.com/a)\n";
        let blocks = read_blocks(page);
        assert_eq!(
            blocks[0],
            Block::Heading {
                line: 5,
                anchor: Some("post".into()),
                title: "{{ $frontmatter.title }}".into()
            }
        );
        assert!(
            matches!(&blocks[1], Block::Paragraph { text, .. } if text == "{{ $frontmatter.description }}")
        );
        let Block::Table { range } = &blocks[2] else {
            panic!("{:?}", blocks[2])
        };
        assert!(page[range.clone()].starts_with("| 请求参数"));
        assert!(page[range.clone()].trim_end().ends_with("枚举值之一"));
        assert!(
            matches!(&blocks[3], Block::Paragraph { text, .. } if text == "{.im-table #request}")
        );
        assert!(
            matches!(&blocks[4], Block::Code { language, text, .. } if language == "php" && text.contains("chain('v3/x')"))
        );
        assert!(
            matches!(&blocks[5], Block::Paragraph { links, .. } if links == &["https://example.com/a"])
        );
    }
}
