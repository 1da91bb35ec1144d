//! Each malformed-input class of an im-table page yields one exact `file:line: message`.

use codegen::frontend::{Outcome, read_page};

const LOCATION: &str = "specs/v3/demo/items/{item_id}.md";

/// A one-operation page whose request table holds `request_rows`.
fn page(request_rows: &str) -> String {
    format!(
        "---\ntitle: 演示\ndescription: 说明\n---\n\n# {{{{ $frontmatter.title }}}} {{#post}}\n\n{{{{ $frontmatter.description }}}}\n\n\
| 请求参数 | 类型 {{.type}} | 描述 {{.desc}}\n| --- | --- | ---\n| item_id {{data-required}} | string | 编号\n{request_rows}\n\n{{.im-table #request}}\n\n\
| 返回字典 | 类型 {{.type}} | 描述 {{.desc}}\n| --- | --- | ---\n| id {{data-required}} | string | 编号\n\n{{.im-table #response}}\n"
    )
}

fn diagnostics(text: &[u8]) -> Vec<String> {
    match read_page("demo.md", LOCATION, text) {
        Outcome::Failed(diagnostics) => diagnostics.iter().map(ToString::to_string).collect(),
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[test]
fn well_formed_page_reads() {
    let text = page(
        "| json {data-required} | object | 体\n| name {data-indent=1} | string | 名称<br/>`A` \\| `B` 枚举值之一",
    );
    let Outcome::Page(page) = read_page("demo.md", LOCATION, text.as_bytes()) else {
        panic!("page did not read");
    };
    let op = &page.operations[0];
    assert_eq!(op.path, "/v3/demo/items/{item_id}");
    assert_eq!(op.line, 6);
    assert_eq!(op.summary, "演示");
    assert_eq!(op.path_params[0].name, "item_id");
    assert_eq!(op.body.fields[0].enum_values, ["A", "B"]);
}

#[test]
fn indent_jump() {
    let text = page("| json {data-required} | object | 体\n| deep {data-indent=2} | string | 深");
    assert_eq!(
        diagnostics(text.as_bytes()),
        ["demo.md:14: `deep` jumps from indent 0 to 2: its parent is missing"]
    );
}

#[test]
fn duplicate_field() {
    let text = page(
        "| json {data-required} | object | 体\n| a {data-indent=1} | string | 一\n| a {data-indent=1} | string | 二",
    );
    assert_eq!(
        diagnostics(text.as_bytes()),
        [
            "demo.md:15: duplicate field `a` (first declared on line 14) without a divider separating variants"
        ]
    );
}

#[test]
fn child_under_a_scalar() {
    let text = page(
        "| json {data-required} | object | 体\n| a {data-indent=1} | string | 一\n| b {data-indent=2} | string | 二",
    );
    assert_eq!(
        diagnostics(text.as_bytes()),
        [
            "demo.md:15: `b` is nested under `a`, a string without children, and no `{colspan=3 .im-table-line}` divider announces decoded content"
        ]
    );
}

#[test]
fn unknown_type() {
    let text = page("| json {data-required} | object | 体\n| a {data-indent=1} | map | 一");
    assert_eq!(
        diagnostics(text.as_bytes()),
        ["demo.md:14: `a`: unknown type `map`"]
    );
}

#[test]
fn missing_table_closer() {
    let text = page("").replace("{.im-table #request}", "");
    assert_eq!(
        diagnostics(text.as_bytes()),
        [
            "demo.md:10: table is not closed by `{.im-table #request}` or `{.im-table #response}` after one blank line"
        ]
    );
}

#[test]
fn bad_enum_markup() {
    let text = page(
        "| json {data-required} | object | 体\n| s {data-indent=1} | string | 状态<br/>SUCCESS` \\| `FAIL` 枚举值之一",
    );
    assert_eq!(
        diagnostics(text.as_bytes()),
        ["demo.md:14: `s`: enum list has an unbalanced backtick before `枚举值`"]
    );
}

#[test]
fn operation_without_request_table() {
    let text = "---\ntitle: 演示\n---\n\n# {{ $frontmatter.title }} {#get}\n\n| 返回字典 | 类型 {.type} | 描述 {.desc}\n| --- | --- | ---\n| id | string | 编号\n\n{.im-table #response}\n";
    assert_eq!(
        diagnostics(text.as_bytes()),
        ["demo.md:5: operation `get` has no request table (`{.im-table #request}`)"]
    );
}

#[test]
fn non_utf8_bytes() {
    let mut bytes = page("").into_bytes();
    bytes.splice(40..40, [b'\n', 0xff, 0xfe]);
    assert_eq!(
        diagnostics(&bytes),
        ["demo.md:5: page is not valid UTF-8 (invalid byte at offset 41)"]
    );
}

#[test]
fn garbage_text() {
    assert_eq!(
        diagnostics(b"\x00\x01 random words | not | a table"),
        [
            "demo.md:1: not an API page: no method heading (`{#get}` …), request table or twoslash namespace"
        ]
    );
}

#[test]
fn undocumented_placeholder() {
    let text = page("").replace("| item_id {data-required} | string | 编号\n", "");
    assert_eq!(
        diagnostics(text.as_bytes()),
        [
            "demo.md:10: placeholder `{item_id}` of `/v3/demo/items/{item_id}` is not documented in the request table"
        ]
    );
}

#[test]
fn example_chain_disagreeing_with_the_path() {
    let text = page("").replace(
        "{.im-table #request}\n",
        "{.im-table #request}\n\n```php [异步声明式]\n$instance->chain('v3/demo/other/{item_id}')->postAsync([]);\n```\n",
    );
    assert_eq!(
        diagnostics(text.as_bytes()),
        [
            "demo.md:18: the example calls `chain('v3/demo/other/{item_id}')`, but the page path gives `/v3/demo/items/{item_id}`"
        ]
    );
}
