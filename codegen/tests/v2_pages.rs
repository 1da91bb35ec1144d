//! Synthetic APIv2 pages of both formats (written for these tests, not copied from the corpus):
//! XML bodies and answers, the `security`/`nonceless`/`fragment` rows, indexed templates
//! (`$n`, `$n_$m`), downloads whose error answer is XML, and a v2 notification. The IR of each
//! is pinned as a snapshot.

use codegen::frontend::{Outcome, read_page};
use codegen::ir::{
    ApiVersion, BodyKind, Encryption, Field, FieldType, ItemType, Page, ResponseKind,
};

fn read(location: &str, text: &str) -> Page {
    let source = location.rsplit_once("/v2/").map_or(location, |(_, s)| s);
    match read_page(source, location, text.as_bytes()) {
        Outcome::Page(page) => page,
        other => panic!("{location}: {other:?}"),
    }
}

fn failure(location: &str, text: &str) -> Vec<String> {
    match read_page(location, location, text.as_bytes()) {
        Outcome::Failed(d) => d.iter().map(ToString::to_string).collect(),
        other => panic!("{location}: expected a failure, got {other:?}"),
    }
}

fn snapshot(name: &str, page: &Page) {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| insta::assert_json_snapshot!(format!("v2_ir@{name}"), page));
}

/// The Rust generated from a page, every file, pinned as a snapshot.
fn code_snapshot(name: &str, page: &Page) {
    let generated =
        codegen::emit::generate_all(&page.operations, &page.notifications, Default::default())
            .unwrap();
    let code: String = generated
        .files
        .iter()
        .map(|(file, code)| format!("// ===== {file} =====\n{code}"))
        .collect();
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| insta::assert_snapshot!(format!("v2_code@{name}"), code));
}

/// Generated code with whitespace runs as one space (prettyplease wraps macro input freely).
fn flat(code: &str) -> String {
    code.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn names(fields: &[Field]) -> Vec<&str> {
    fields.iter().map(|f| f.name.as_str()).collect()
}

const IM_QUERY: &str = r#"---
title: 合成查询
description: 合成的APIv2查询页面
---

# {{ $frontmatter.title }} {#post}

{{ $frontmatter.description }}

| 请求参数 | 类型 {.type} | 描述 {.desc}
| --- | --- | ---
| xml {data-required} | object {data-tooltip="对应PHP的array"} | 声明请求的`XML`数据结构
| appid {data-required data-indent=1} | string | 应用ID
| sign_type {data-indent=1} | string | 签名类型<br/>`MD5` \| `HMAC-SHA256` 枚举值之一
| item_no_$n {data-indent=1} | string | 子单号
| security {data-required} | `true` | 声明加载商户API证书
| nonceless {data-required} | `true` | 声明请求的`XML`无随机字符串参数

{.im-table #request}

```php
$instance->chain('v2/demo/query')->postAsync([])
->then(static function($response) {
  print_r(\WeChatPay\Transformer::toArray((string) $response->getBody()));
});
```

| 返回字典 | 类型 {.type} | 描述 {.desc}
| --- | --- | ---
| return_code {data-required} | string | 返回状态码<br/>`SUCCESS` \| `FAIL` 枚举值之一
| refund_count | integer | 退款笔数
| refund_id_$n {data-required} | string | 退款单号
| coupon_id_$n_$m | string | 券ID
| coupon_fee_$n_$m | integer | 券金额
| refund_fee_$n | integer | 退款金额
| cash_fee | integer | 现金金额

{.im-table #response}
"#;

#[test]
fn im_table_xml_flags_and_indexed_templates() {
    let page = read("openapi/v2/demo/query.md", IM_QUERY);
    let [op] = page.operations.as_slice() else {
        panic!("one operation");
    };
    assert_eq!(op.api_version, ApiVersion::V2);
    assert_eq!(op.path, "/v2/demo/query");
    assert!(op.security && op.nonceless);
    assert_eq!(op.body.kind, BodyKind::Xml);
    assert_eq!(names(&op.body.fields), ["appid", "sign_type", "item_no_$n"]);
    let items = &op.body.fields[2];
    assert_eq!(items.ty, FieldType::Array);
    assert_eq!(items.items, Some(ItemType::Object));
    assert_eq!(items.rust_name, "item_nos");
    assert_eq!(names(&items.fields), ["item_no_$n"]);

    assert_eq!(op.response.kind, ResponseKind::Xml);
    assert_eq!(
        names(&op.response.fields),
        ["return_code", "refund_count", "$n", "cash_fee"]
    );
    let refunds = &op.response.fields[2];
    let indexed = refunds.indexed.as_ref().expect("indexed group");
    assert_eq!(
        (indexed.index.as_str(), indexed.indices.as_slice()),
        ("n", &["n".to_owned()][..])
    );
    assert!(
        refunds.required,
        "a required member makes the group required"
    );
    assert_eq!(
        names(&refunds.fields),
        ["refund_id_$n", "coupon_$m", "refund_fee_$n"]
    );
    let coupons = &refunds.fields[1];
    assert_eq!(coupons.rust_name, "coupons");
    assert_eq!(
        coupons.indexed.as_ref().map(|i| i.index.as_str()),
        Some("m")
    );
    let rust: Vec<_> = coupons
        .fields
        .iter()
        .map(|f| f.rust_name.as_str())
        .collect();
    assert_eq!(rust, ["coupon_id", "coupon_fee"]);
    snapshot("im-query", &page);
    code_snapshot("im-query", &page);
    // The indexed groups generate as `Group`s of element structs; `codegen/tests/v2_emit.rs`
    // pins the code of such pages.
    let generated = codegen::emit::generate(&page.operations, Default::default()).unwrap();
    let code = flat(&generated.files["v2/demo.rs"]);
    assert!(code.contains(r#"refunds : "$n" required Group"#), "{code}");
    assert!(
        code.contains(r#"coupons : "coupon_$m" required Group"#),
        "{code}"
    );
}

const IM_DOWNLOAD: &str = r#"---
title: 合成下载
---

# {{ $frontmatter.title }} {#post}

| 请求参数 | 类型 {.type} | 描述 {.desc}
| --- | --- | ---
| xml {data-required} | object | 声明请求的`XML`数据结构
| bill_date {data-required data-indent=1} | string | 账单日期
| tar_type {data-indent=1} | string | 压缩账单<br/>`GZIP` 枚举值

{.im-table #request}

| 异常字典 | 类型 {.type} | 描述 {.desc}
| --- | --- | ---
| return_code {data-required} | string | 返回状态码
| return_msg | string | 返回信息
| error_code | string | 错误码

{.im-table #response}
"#;

#[test]
fn im_table_error_dictionary_is_a_download() {
    let page = read("openapi/v2/demo/downloadbill.md", IM_DOWNLOAD);
    let op = &page.operations[0];
    assert_eq!(op.response.kind, ResponseKind::Download);
    assert_eq!(
        names(&op.response.fields),
        ["return_code", "return_msg", "error_code"]
    );
    assert!(!op.security && !op.nonceless);
    snapshot("im-download", &page);
}

#[test]
fn im_table_v3_error_dictionary_is_not_a_download() {
    let v3 = IM_DOWNLOAD.replace("| xml {data-required} | object | 声明请求的`XML`数据结构\n| bill_date {data-required data-indent=1}", "| query {data-required} | object | 查询参数\n| bill_date {data-required data-indent=1}")
        .replace("| tar_type {data-indent=1} | string | 压缩账单<br/>`GZIP` 枚举值\n", "");
    let page = read("openapi/v3/demo/downloadbill.md", &v3);
    let op = &page.operations[0];
    assert_eq!(op.api_version, ApiVersion::V3);
    // Only a documented file stream may skip verification in v3 (see `answer_kinds.rs`).
    assert_eq!(op.response.kind, ResponseKind::Empty);
    assert!(op.response.fields.is_empty());
}

const IM_REDIRECT: &str = r#"---
title: 合成跳转
---

# {{ $frontmatter.title }} {#get}

| 请求参数 | 类型 {.type} | 描述 {.desc}
| --- | --- | ---
| query {data-required} | object | 声明请求的查询参数
| appid {data-required data-indent=1} | string | 应用ID
| fragment {data-required} | string | 固定填`#wechat_redirect`

{.im-table #request}

| 返回字典 | 类型 {.type} | 描述 {.desc}
| --- | --- | ---

{.im-table #response}
"#;

#[test]
fn im_table_fragment() {
    let page = read("openapi/v2/demo/authindex.md", IM_REDIRECT);
    let op = &page.operations[0];
    assert_eq!(op.fragment.as_deref(), Some("#wechat_redirect"));
    assert_eq!(op.body.kind, BodyKind::None);
    assert_eq!(names(&op.query), ["appid"]);
    assert_eq!(op.response.kind, ResponseKind::Empty);
}

#[test]
fn im_table_fixed_value_placeholder() {
    let text = r#"---
title: 合成固定参数
---

# {{ $frontmatter.title }} {#post}

| 请求参数 | 类型 {.type} | 描述 {.desc}
| --- | --- | ---
| addThing {data-required} | string | 错误的固定值
| addthing {data-required} | string | 固定值`addThing`
| xml {data-required} | object | 声明请求的`XML`数据结构
| appid {data-required data-indent=1} | string | 应用ID

{.im-table #request}

```php
$instance->chain('v2/demo/{addthing}')->post([]);
```

| 返回字典 | 类型 {.type} | 描述 {.desc}
| --- | --- | ---
| return_code {data-required} | string | 返回状态码

{.im-table #response}
"#;
    // The fixed-value row is dropped; a row naming the real segment is no parameter either.
    let errors = failure("openapi/v2/demo/addThing.md", text);
    assert!(
        errors[0].contains("top-level row `addThing` is neither a request part"),
        "{errors:?}"
    );
    let page = read(
        "openapi/v2/demo/addThing.md",
        &text.replace("| addThing {data-required} | string | 错误的固定值\n", ""),
    );
    let op = &page.operations[0];
    assert_eq!(op.path, "/v2/demo/addThing");
    assert!(op.path_params.is_empty());
}

#[test]
fn im_table_flag_and_template_diagnostics() {
    let bad_flag = IM_QUERY.replace(
        "| security {data-required} | `true` |",
        "| security {data-required} | string |",
    );
    let errors = failure("openapi/v2/demo/query.md", &bad_flag);
    assert_eq!(
        errors,
        ["openapi/v2/demo/query.md:16: the v2 flag `security` must be typed `` `true` ``"]
    );
    let bad_template = IM_QUERY.replace("| item_no_$n {", "| item_$n_no {");
    let errors = failure("openapi/v2/demo/query.md", &bad_template);
    assert_eq!(
        errors,
        [
            "openapi/v2/demo/query.md:15: `item_$n_no`: a `$` index must end the name as `_$n` (one lower-case letter)"
        ]
    );
}

const IM_NOTIFICATION: &str = r#"---
title: 合成退款通知
---

# {{ $frontmatter.title }} {#post}

| 请求参数 | 类型 {.type} | 描述 {.desc}
| -- | -- | --
| headers {data-required} | object | 通知的头参数
| Content-Type {data-required data-indent=1} | string | `text/xml`
| body {data-required} | object | 通知的`XML`数据结构
| return_code {data-required data-indent=1} | string | 返回状态码
| mch_id {data-required data-indent=1} | string | 商户号
| req_info {data-required data-indent=1} | string {data-encrypted=by-aes-ecb} | 加密信息
| {colspan=3 .im-table-line}
| out_refund_no {data-required data-indent=2} | string | 商户退款单号
| refund_status {data-required data-indent=2} | string | 退款状态<br/>`SUCCESS` \| `CHANGE` 枚举值之一

{.im-table #request}

| 应答规范 | 类型 {.type} | 描述 {.desc}
| --- | --- | ---
| body | object | 应答的`XML`数据结构
| return_code {data-indent=1} | string | 业务处理状态码<br/>`SUCCESS` \| `FAIL` 枚举值之一
| return_msg {data-indent=1} | string | 业务处理信息

{.im-table #response}
"#;

#[test]
fn im_table_v2_notification() {
    let page = read("webhook/v2/demo-refunded.md", IM_NOTIFICATION);
    let [n] = page.notifications.as_slice() else {
        panic!("one notification");
    };
    assert_eq!(n.api_version, ApiVersion::V2);
    assert_eq!(n.event_types, ["demo-refunded"]);
    assert_eq!(names(&n.headers), ["Content-Type"]);
    assert_eq!(names(&n.envelope), ["return_code", "mch_id", "req_info"]);
    assert_eq!(n.envelope[2].encrypted, Some(Encryption::AesEcb));
    assert_eq!(names(&n.resource), ["out_refund_no", "refund_status"]);
    assert_eq!(names(&n.reply), ["body"]);
    snapshot("im-notification", &page);
    let generated =
        codegen::emit::generate_all(&[], &page.notifications, Default::default()).unwrap();
    let code = flat(&generated.files["webhook/v2/demo_refunded.rs"]);
    assert!(
        code.contains(r#"::std::option::Option::Some(( "req_info", ::wechatpay_api::runtime::v2::NotificationEncryption::AesEcb"#),
        "{code}"
    );

    // An `event_ciphertext` (AES-GCM) notification keyed by its `event_type`.
    let gcm = IM_NOTIFICATION
        .replace(
            "| req_info {data-required data-indent=1} | string {data-encrypted=by-aes-ecb} | 加密信息",
            "| event_type {data-required data-indent=1} | string | 通知类型<br/>`DEMO.DONE` 枚举值\n| event_ciphertext {data-required data-indent=1} | string {data-encrypted=by-aes-gcm} | 通知密文",
        );
    let page = read("webhook/v2/DEMO.DONE.md", &gcm);
    let n = &page.notifications[0];
    assert_eq!(n.event_types, ["DEMO.DONE"]);
    assert_eq!(n.envelope[3].encrypted, Some(Encryption::AesGcm));
    assert_eq!(names(&n.resource), ["out_refund_no", "refund_status"]);

    // Not encrypted: the XML body is the whole notification.
    let plain = IM_NOTIFICATION.replace(
        "| req_info {data-required data-indent=1} | string {data-encrypted=by-aes-ecb} | 加密信息\n| {colspan=3 .im-table-line}\n| out_refund_no {data-required data-indent=2} | string | 商户退款单号\n| refund_status {data-required data-indent=2}",
        "| refund_status {data-required data-indent=1}",
    );
    let page = read("webhook/v2/demo-plain.md", &plain);
    let n = &page.notifications[0];
    assert_eq!(
        names(&n.envelope),
        ["return_code", "mch_id", "refund_status"]
    );
    assert!(n.resource.is_empty());
}

const TWOSLASH_QUERY: &str = r#"---
title: 合成查询
---

# {{ $frontmatter.title }} {#post}

```js twoslash
// @filename: virtual.ts
/// <reference types="node" />
import { AxiosRequestConfig, AxiosPromise } from 'axios'
namespace WeChatPay.OpenAPI.V2.Demo.Query.PostHttpMethod {
  export interface XmlDataRequest {
    appid: string
    sign_type?: 'MD5' | 'HMAC-SHA256'
    item_no_$n?: string
  }
  export interface RequestConfig extends AxiosRequestConfig {
    data?: XmlDataRequest
    security: true
  }
  export interface WellformedResponse {
    return_code: string
    refund_count: number
    refund_id_$n: string
    coupon_id_$n_$m: string
    coupon_fee_$n_$m: number
    refund_fee_$n: number
  }
}
namespace WeChatPay.OpenAPI.V2.Demo {
  export interface Query {
    post(data: Query.PostHttpMethod.XmlDataRequest, config?: Query.PostHttpMethod.RequestConfig): AxiosPromise<Query.PostHttpMethod.WellformedResponse>
  }
}
```
"#;

#[test]
fn twoslash_xml_security_and_indexed_templates() {
    let page = read("openapi/v2/demo/query.md", TWOSLASH_QUERY);
    let op = &page.operations[0];
    assert_eq!(op.api_version, ApiVersion::V2);
    assert!(op.security);
    assert_eq!(op.body.kind, BodyKind::Xml);
    assert_eq!(names(&op.body.fields), ["appid", "sign_type", "item_no_$n"]);
    assert_eq!(op.response.kind, ResponseKind::Xml);
    assert_eq!(
        names(&op.response.fields),
        ["return_code", "refund_count", "$n"]
    );
    let refunds = &op.response.fields[2];
    assert_eq!(
        names(&refunds.fields),
        ["refund_id_$n", "coupon_$m", "refund_fee_$n"]
    );
    snapshot("twoslash-query", &page);
    code_snapshot("twoslash-query", &page);
}

#[test]
fn twoslash_stream_is_a_v2_download() {
    let text = TWOSLASH_QUERY
        .replace(
            "import { AxiosRequestConfig, AxiosPromise } from 'axios'",
            "import { AxiosRequestConfig, AxiosPromise } from 'axios'\nimport { ReadStream } from 'fs'",
        )
        .replace("    security: true\n", "    responseType: 'stream'\n");
    let start = text
        .find("  export interface WellformedResponse {")
        .unwrap();
    let end = start + text[start..].find("\n  }\n").unwrap() + 5;
    let text = format!(
        "{}  export interface WellformedResponse extends ReadStream {{\n  }}\n{}",
        &text[..start],
        &text[end..]
    );
    let page = read("openapi/v2/demo/query.md", &text);
    let op = &page.operations[0];
    assert!(!op.security);
    assert_eq!(op.response.kind, ResponseKind::Download);
    assert!(
        op.response.fields.is_empty(),
        "the page documents no error answer"
    );
}

const TWOSLASH_NOTIFICATION: &str = r#"---
title: 合成退款通知(XML)
description: 合成的APIv2通知
---

# {{ $frontmatter.title }} {#post}

## 请求报文 {#req}

```xml
<xml>
  <return_code>SUCCESS</return_code>
  <req_info><![CDATA[c2FtcGxl]]></req_info>
</xml>
```

## 处理程序 {#app}

```js twoslash
/**
 * @typedef XmlDataRequest
 * @prop {'SUCCESS'|'FAIL'} return_code 返回状态码
 * @prop {string=} sub_mch_id 子商户号
 * @prop {string} req_info 加密信息
 * @typedef ReqInfo
 * @prop {string} out_refund_no
 * @prop {number} refund_fee
 * @prop {{id: string, fee?: number}[]} details
 */
const { req_info } = Transformer.toObject(xml)
```

## 应答报文 {#resp}

```xml
<xml>
  <return_code><![CDATA[SUCCESS]]></return_code>
  <return_msg><![CDATA[OK]]></return_msg>
</xml>
```
"#;

#[test]
fn twoslash_v2_notification_from_jsdoc() {
    let page = read("webhook/v2/demo-refunded.md", TWOSLASH_NOTIFICATION);
    let [n] = page.notifications.as_slice() else {
        panic!("one notification");
    };
    assert_eq!(n.api_version, ApiVersion::V2);
    assert_eq!(n.event_types, ["demo-refunded"]);
    assert_eq!(
        names(&n.envelope),
        ["return_code", "sub_mch_id", "req_info"]
    );
    assert_eq!(n.envelope[0].enum_values, ["SUCCESS", "FAIL"]);
    assert!(!n.envelope[1].required);
    assert_eq!(n.envelope[2].encrypted, Some(Encryption::AesEcb));
    assert_eq!(
        names(&n.resource),
        ["out_refund_no", "refund_fee", "details"]
    );
    let details = &n.resource[2];
    assert_eq!(
        (details.ty, details.items),
        (FieldType::Array, Some(ItemType::Object))
    );
    assert_eq!(names(&details.fields), ["id", "fee"]);
    assert!(details.fields[0].required && !details.fields[1].required);
    assert_eq!(names(&n.reply[0].fields), ["return_code", "return_msg"]);
    snapshot("twoslash-notification", &page);

    let orphan = TWOSLASH_NOTIFICATION.replace(" * @prop {string} req_info 加密信息\n", "");
    let errors = failure("webhook/v2/demo-refunded.md", &orphan);
    assert_eq!(
        errors,
        [
            "webhook/v2/demo-refunded.md:24: `@typedef ReqInfo` belongs to no `event_ciphertext`/`req_info` element and no `JSON.parse(obj.…)` of the handler"
        ]
    );
}

/// Every synthetic page cut short after any line, or missing any one line, gives IR or
/// diagnostics, never a panic.
#[test]
fn damaged_v2_pages_never_panic() {
    let pages = [
        ("openapi/v2/demo/query.md", IM_QUERY),
        ("openapi/v2/demo/downloadbill.md", IM_DOWNLOAD),
        ("openapi/v2/demo/authindex.md", IM_REDIRECT),
        ("webhook/v2/demo-refunded.md", IM_NOTIFICATION),
        ("openapi/v2/demo/query.md", TWOSLASH_QUERY),
        ("webhook/v2/demo-refunded.md", TWOSLASH_NOTIFICATION),
    ];
    for (location, text) in pages {
        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        for cut in 0..lines.len() {
            let prefix: String = lines[..cut].concat();
            let without: String = lines[..cut].concat() + &lines[cut + 1..].concat();
            for damaged in [prefix, without] {
                match read_page(location, location, damaged.as_bytes()) {
                    Outcome::Failed(diagnostics) => assert!(
                        !diagnostics.is_empty(),
                        "{location}: a failure without a reason"
                    ),
                    // Whatever a damaged page still reads as generates or fails with a
                    // diagnostic, never a panic.
                    Outcome::Page(page) => {
                        let _ = codegen::emit::generate_all(
                            &page.operations,
                            &page.notifications,
                            Default::default(),
                        );
                    }
                    Outcome::Skipped(_) => {}
                }
            }
        }
    }
}
