//! `codegen::diff` on small hand-written pages of both formats: pairing by operation, prose-only
//! updates, failed pages, the JSON shape and the markdown report.

use codegen::diff::{self, ChangeKind, Report, Rule, markdown};
use codegen::spec_tree::{self, PageResult};

/// Reads in-memory pages: `(source, text)`, located under a `tree/` root.
fn tree(pages: &[(&str, &str)]) -> Vec<PageResult> {
    spec_tree::read_files(pages.iter().map(|(source, text)| {
        (
            source.to_string(),
            format!("tree/{source}"),
            text.as_bytes().to_vec(),
        )
    }))
}

/// An im-table page: a POST with a JSON body and a JSON answer.
fn h5_page(description: &str, type_required: bool, extra_response_row: &str) -> String {
    let required = if type_required { " data-required" } else { "" };
    format!(
        r#"---
title: H5下单
description: {description}
---

# {{{{ $frontmatter.title }}}} {{#post}}

{{{{ $frontmatter.description }}}}

| 请求参数 | 类型 {{.type}} | 描述 {{.desc}}
| --- | --- | ---
| json {{data-required}} | object | 声明请求的`JSON`数据结构
| appid {{data-required data-indent=1}} | string | 应用ID
| scene_info {{data-required data-indent=1}} | object | 场景信息
| payer_client_ip {{data-required data-indent=2}} | string | 用户终端IP
| h5_info {{data-required data-indent=2}} | object | H5场景信息
| type {{{required} data-indent=3}} | string | 场景类型

{{.im-table #request}}

| 返回字典 | 类型 {{.type}} | 描述 {{.desc}}
| --- | --- | ---
| h5_url {{data-required}} | string | 支付跳转链接
{extra_response_row}

{{.im-table #response}}
"#
    )
}

/// An im-table page of one operation with one required request field and an empty answer.
fn simple_page(title: &str, method: &str) -> String {
    format!(
        "# {title} {{#{method}}}\n\n| 请求参数 | 类型 {{.type}} | 描述 {{.desc}}\n| --- | --- | ---\n\
         | json {{data-required}} | object | 声明\n| mchid {{data-required data-indent=1}} | string | 商户号\n\n\
         {{.im-table #request}}\n\n| 返回字典 | 类型 {{.type}} | 描述 {{.desc}}\n| --- | --- | ---\n\
         | 空字符串(无返回内容) {{align=center colspan=3}}\n\n{{.im-table #response}}\n"
    )
}

#[test]
fn prose_only_changes_report_no_api_changes() {
    let old = tree(&[("v3/pay/transactions/h5.md", &h5_page("旧的说明", false, ""))]);
    let new = tree(&[(
        "v3/pay/transactions/h5.md",
        &h5_page("新的说明，更长一些", false, ""),
    )]);
    let report = diff::diff(&old, &new);
    assert_eq!(report, Report::default());
    let text = markdown::render(&report, "old", "new");
    assert_eq!(text, "**API diff** `old` → `new`: no API changes.\n");
    assert_eq!(
        serde_json::to_string(&report).unwrap(),
        r#"{"changes":[],"errors":[]}"#
    );
}

#[test]
fn the_json_form_has_the_documented_shape() {
    let old = tree(&[("v3/pay/transactions/h5.md", &h5_page("说明", false, ""))]);
    let new = tree(&[(
        "v3/pay/transactions/h5.md",
        &h5_page("说明", true, "| state | string | 状态<br/>`OK` 枚举值"),
    )]);
    let report = diff::diff(&old, &new);
    assert_eq!(
        serde_json::to_value(&report).unwrap(),
        serde_json::json!({
            "changes": [
                {"operation": "POST /v3/pay/transactions/h5", "location": "request",
                 "field": "scene_info.h5_info.type", "change": "required-changed",
                 "before": false, "after": true, "breaking": true,
                 "rule": "request-required-changed",
                 "old": "v3/pay/transactions/h5.md:17", "new": "v3/pay/transactions/h5.md:17"},
                {"operation": "POST /v3/pay/transactions/h5", "location": "response",
                 "field": "state", "change": "field-added",
                 "before": null, "after": {"type": "string", "required": false},
                 "breaking": false, "rule": "response-field-added",
                 "old": "v3/pay/transactions/h5.md:6", "new": "v3/pay/transactions/h5.md:24"}
            ],
            "errors": []
        })
    );
}

/// A twoslash page at a path that names no URL: the namespace does.
const TWOSLASH_H5: &str = r#"---
title: H5下单
---

# H5下单 {#post}

```js twoslash
// @filename: virtual.ts
/// <reference types="node" />
import { AxiosRequestConfig, AxiosPromise } from 'axios'
namespace WeChatPay.OpenAPI.V3.Pay.Transactions.H5.PostHttpMethod {
  export interface JsonDataRequest {
    appid: string
    scene_info: {
      payer_client_ip: string
      h5_info: {
        type?: string
      }
    }
  }
  export interface RequestConfig extends AxiosRequestConfig {
    data?: JsonDataRequest
  }
  export interface WellformedResponse {
    h5_url: string
  }
}
```
"#;

#[test]
fn pages_pair_by_operation_across_files_and_formats() {
    let old = tree(&[("v3/pay/transactions/h5.md", &h5_page("说明", false, ""))]);
    let new = tree(&[("moved/h5-order.md", TWOSLASH_H5)]);
    let report = diff::diff(&old, &new);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    // One operation compared with itself, not removed + added: what differs is what the two
    // formats say differently (twoslash answers are optional unless im-table says otherwise),
    // with both files named.
    let [change] = report.changes.as_slice() else {
        panic!("{report:#?}")
    };
    assert_eq!(change.operation, "POST /v3/pay/transactions/h5");
    assert_eq!(change.field.as_deref(), Some("h5_url"));
    assert_eq!(change.change, ChangeKind::RequiredChanged);
    assert_eq!(change.old.as_deref(), Some("v3/pay/transactions/h5.md:23"));
    assert_eq!(change.new.as_deref(), Some("moved/h5-order.md:25"));
}

#[test]
fn failed_pages_are_listed_and_their_operations_not_called_removed() {
    let old = tree(&[
        ("v3/pay/transactions/h5.md", &h5_page("说明", false, "")),
        ("v3/other.md", &simple_page("撤销", "post")),
    ]);
    let new = tree(&[
        ("v3/pay/transactions/h5.md", &h5_page("说明", false, "")),
        ("v3/other.md", "---\ntitle: [unclosed\n---\n# 查询 {#get}\n"),
    ]);
    let report = diff::diff(&old, &new);
    assert!(report.changes.is_empty(), "{:#?}", report.changes);
    assert_eq!(report.errors.len(), 1);
    let error = &report.errors[0];
    assert_eq!(error.side, diff::Side::New);
    assert_eq!(error.file, "v3/other.md:2");
    assert!(
        error.message.starts_with("frontmatter is not valid YAML"),
        "{error:?}"
    );
    let text = markdown::render(&report, "old", "new");
    assert!(
        text.starts_with("**API diff** `old` → `new`: no API changes; 1 page could not be read.\n")
    );
    assert!(text.contains(
        "\n### Pages that could not be read\n\n- new `v3/other.md:2`: frontmatter is not valid YAML"
    ));
}

#[test]
fn the_first_page_of_an_operation_wins_as_in_gen() {
    let old = tree(&[("v3/pay/transactions/h5.md", &h5_page("说明", false, ""))]);
    let new = tree(&[
        ("v3/pay/transactions/h5.md", &h5_page("说明", false, "")),
        ("z/h5-copy.md", TWOSLASH_H5),
    ]);
    assert_eq!(diff::diff(&old, &new), Report::default());
}

#[test]
fn the_markdown_report() {
    let old = tree(&[
        (
            "v3/pay/transactions/h5.md",
            &h5_page(
                "说明",
                false,
                "| trade_state | string | 状态<br/>`SUCCESS` \\| `NOTPAY` 枚举值之一",
            ),
        ),
        ("v3/pay/transactions/close.md", &simple_page("关单", "post")),
    ]);
    let new = tree(&[
        (
            "v3/pay/transactions/h5.md",
            &h5_page(
                "说明",
                true,
                "| trade_state | string | 状态<br/>`SUCCESS` \\| `REFUND` 枚举值之一\n| promotion | object | 优惠",
            ),
        ),
        (
            "v3/pay/transactions/native.md",
            &simple_page("Native下单", "post"),
        ),
    ]);
    let report = diff::diff(&old, &new);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let rules: Vec<Rule> = report.changes.iter().map(|c| c.rule).collect();
    assert_eq!(
        rules,
        [
            Rule::OperationRemoved,
            Rule::RequestRequiredChanged,
            Rule::EnumValueAdded,
            Rule::EnumValueRemoved,
            Rule::ResponseFieldAdded,
            Rule::OperationAdded,
        ]
    );
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        insta::assert_snapshot!(
            "api_diff@synthetic",
            markdown::render(&report, "old", "new")
        )
    });
}

/// The synthetic notification pages of `fixtures/webhook/` (hand-written).
fn webhook_fixture(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/webhook")
        .join(name);
    std::fs::read_to_string(path).expect("fixture exists")
}

#[test]
fn notifications_pair_by_event_type_and_compare_their_resource() {
    let paid = webhook_fixture("DEMO.PAID.md");
    let sp_mchid =
        "| sp_mchid {data-required data-indent=3} | string | 服务商商户号(仅服务商模式)\n";
    assert!(paid.contains(sp_mchid));
    let old = tree(&[("webhook/v3/DEMO.PAID.md", &paid)]);
    let new = tree(&[
        ("webhook/v3/DEMO.PAID.md", &paid.replace(sp_mchid, "")),
        (
            "webhook/v3/DEMO.SIGNED.md",
            &webhook_fixture("DEMO.SIGNED.md"),
        ),
    ]);
    let report = diff::diff(&old, &new);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let rows: Vec<(&str, Option<&str>, Rule)> = report
        .changes
        .iter()
        .map(|c| (c.operation.as_str(), c.field.as_deref(), c.rule))
        .collect();
    assert_eq!(
        rows,
        [
            ("DEMO.PAID", Some("sp_mchid"), Rule::ResourceFieldRemoved),
            ("DEMO.SIGNED", None, Rule::NotificationAdded),
        ]
    );
    assert_eq!(report.changes[0].location, diff::Location::Response);
}
