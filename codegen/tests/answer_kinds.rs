//! Which answer kind an im-table page's answer table gives. A download (`Binary`) is the one
//! answer the runtime does not verify, so only an answer table that says `文件流` makes one.

use codegen::frontend::{Outcome, read_page};
use codegen::ir::ResponseKind;

const LOCATION: &str = "specs/v3/demo/items/{item_id}.md";

/// A one-operation page whose answer table is `answer`: its header cell and its rows.
fn kind_of(header: &str, rows: &str) -> ResponseKind {
    let text = format!(
        "---\ntitle: 演示\n---\n\n# {{{{ $frontmatter.title }}}} {{#get}}\n\n\
| 请求参数 | 类型 {{.type}} | 描述 {{.desc}}\n| --- | --- | ---\n| item_id {{data-required}} | string | 编号\n\n{{.im-table #request}}\n\n\
| {header} | 类型 {{.type}} | 描述 {{.desc}}\n| --- | --- | ---\n{rows}\n\n{{.im-table #response}}\n"
    );
    match read_page("demo.md", LOCATION, text.as_bytes()) {
        Outcome::Page(page) => page.operations[0].response.kind,
        other => panic!("page did not read: {other:?}"),
    }
}

#[test]
fn a_page_with_only_the_error_table_is_not_a_download() {
    // Its rows document the error body; the success answer is undocumented, so it is signed
    // like any answer without documented content, never an unverified download.
    assert_eq!(
        kind_of(
            "异常字典",
            "| code | string | 错误码\n| message | string | 错误描述"
        ),
        ResponseKind::Empty
    );
}

#[test]
fn only_a_file_stream_answer_is_a_download() {
    assert_eq!(
        kind_of(
            "返回字典",
            "| 文件流(保存后按本地图片查看) {align=center colspan=3}"
        ),
        ResponseKind::Binary
    );
    assert_eq!(
        kind_of("返回字典", "| 无应答数据 {align=center colspan=3}"),
        ResponseKind::Empty
    );
    assert_eq!(
        kind_of("返回字典", "| id {data-required} | string | 编号"),
        ResponseKind::Json
    );
}
