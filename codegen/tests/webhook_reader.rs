//! The webhook reader on the synthetic pages of `fixtures/webhook/` (hand-written in the
//! wechatpay.im format), the code emitted for them, and one exact `file:line: message` per
//! malformed-input class.

use std::path::Path;

use codegen::emit::{self, Options};
use codegen::frontend::{Outcome, read_page};
use codegen::ir::{FieldType, Notification};
use codegen::spec_tree;

fn fixture(name: &str) -> Notification {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/webhook")
        .join(name);
    let bytes = std::fs::read(&path).expect("fixture exists");
    match read_page(name, &path.display().to_string(), &bytes) {
        Outcome::Page(mut page) => {
            assert!(page.operations.is_empty());
            assert_eq!(page.notifications.len(), 1);
            page.notifications.remove(0)
        }
        other => panic!("{name}: {other:?}"),
    }
}

fn names(fields: &[codegen::ir::Field]) -> Vec<&str> {
    fields.iter().map(|f| f.name.as_str()).collect()
}

#[test]
fn reads_headers_envelope_resource_and_reply() {
    let n = fixture("DEMO.PAID.md");
    assert_eq!(n.source, "DEMO.PAID.md");
    assert_eq!(n.line, 6);
    assert_eq!(n.summary, "演示支付完成(DEMO.PAID)通知");
    assert_eq!(n.description, "演示用的通知页面");
    assert_eq!(n.event_types, ["DEMO.PAID"]);
    assert_eq!(n.doc_links, ["https://example.invalid/doc/demo"]);
    assert_eq!(n.headers.len(), 7);
    assert_eq!(
        names(&n.envelope),
        [
            "id",
            "create_time",
            "event_type",
            "resource_type",
            "summary",
            "resource"
        ]
    );
    let resource = &n.envelope[5];
    assert_eq!(
        names(&resource.fields),
        [
            "original_type",
            "algorithm",
            "associated_data",
            "nonce",
            "ciphertext"
        ]
    );
    assert!(
        resource.fields[4].decoded.is_none(),
        "the decrypted fields live in `resource`, not twice"
    );
    assert_eq!(
        names(&n.resource),
        [
            "mchid",
            "out_trade_no",
            "sp_mchid",
            "trade_state",
            "amount",
            "payer"
        ]
    );
    assert_eq!(n.resource[3].enum_values, ["SUCCESS", "REFUND"]);
    assert_eq!(names(&n.resource[4].fields), ["total", "currency"]);
    assert!(n.resource_variants.is_empty());
    assert_eq!(names(&n.reply), ["status", "body"]);
    assert_eq!(names(&n.reply[1].fields), ["code", "message"]);
}

#[test]
fn original_data_variants_are_unwrapped() {
    let n = fixture("DEMO.WITHDRAW.md");
    assert!(n.resource.is_empty());
    assert_eq!(n.resource_variants.len(), 2);
    assert_eq!(
        names(&n.resource_variants[0]),
        ["withdraw_id", "amount", "state"]
    );
    assert_eq!(
        names(&n.resource_variants[1]),
        ["withdraw_id", "sub_mchid", "amount", "state"]
    );
    let resource = n.envelope.iter().find(|f| f.name == "resource").unwrap();
    assert_eq!(resource.fields.len(), 5);
    assert!(resource.variants.is_empty());
}

#[test]
fn a_divider_placed_one_row_late_still_belongs_to_the_ciphertext() {
    let n = fixture("DEMO.SIGNED.md");
    assert_eq!(names(&n.resource), ["contract_id", "signed_time"]);
    let resource = n.envelope.iter().find(|f| f.name == "resource").unwrap();
    assert!(resource.fields.iter().all(|f| f.decoded.is_none()));
}

#[test]
fn fixtures_emit_a_webhook_module() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/webhook");
    let export = spec_tree::export(&spec_tree::read_tree(&dir).expect("fixtures readable"));
    assert!(export.errors.is_empty(), "{:?}", export.errors);
    let generated = emit::generate_all(&[], &export.notifications, Options::default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(generated.webhook);
    assert!(generated.roots.is_empty());
    let files: Vec<&str> = generated.files.keys().map(String::as_str).collect();
    assert_eq!(
        files,
        [
            "webhook/demo_paid.rs",
            "webhook/demo_signed.rs",
            "webhook/demo_withdraw.rs",
            "webhook/mod.rs"
        ]
    );
    let root = &generated.files["webhook/mod.rs"];
    assert!(
        root.contains("DemoPaid(::std::boxed::Box<demo_paid::Resource>)"),
        "{root}"
    );
    assert!(
        root.contains("\"DEMO.PAID\" => {") || root.contains("\"DEMO.PAID\" => Event::DemoPaid"),
        "{root}"
    );
    assert!(root.contains("Unknown {"));
    let paid = &generated.files["webhook/demo_paid.rs"];
    // Documented as required, yet optional: the docs' required flags hold for one shape only.
    assert!(
        paid.contains("pub sp_mchid: ::std::option::Option<::std::string::String>"),
        "{paid}"
    );
    assert!(
        paid.contains("pub total: ::std::option::Option<i64>"),
        "{paid}"
    );
    assert!(paid.contains("pub enum ResourceTradeState"), "{paid}");
    let withdraw = &generated.files["webhook/demo_withdraw.rs"];
    // Variants merged; `amount` is an integer in one and a string in the other.
    assert!(withdraw.contains("pub sub_mchid: ::std::option::Option<::std::string::String>"));
    assert!(
        withdraw.contains("pub amount: ::std::option::Option<::wechatpay_api::Value>"),
        "{withdraw}"
    );
    assert!(
        withdraw.contains("Created = \"CREATED\""),
        "enum values of both shapes: {withdraw}"
    );
}

#[test]
fn notifications_are_not_emitted_by_generate() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/webhook");
    let export = spec_tree::export(&spec_tree::read_tree(&dir).expect("fixtures readable"));
    let generated = emit::generate(&export.operations, Options::default()).unwrap();
    assert!(!generated.webhook && generated.files.is_empty());
    assert_eq!(
        emit::generate_all(&[], &[], Options::default()).unwrap(),
        generated
    );
}

// ---- malformed pages ------------------------------------------------------------------------

const HEADERS: &str =
    "| headers {data-required} | object | 头\n| Wechatpay-Serial {data-indent=1} | string | 序列号";
const ENVELOPE: &str = "| body {data-required} | object | 体\n| id {data-required data-indent=1} | string | ID\n| event_type {data-required data-indent=1} | string | 类型<br/>`DEMO.X` 枚举值\n| resource {data-required data-indent=1} | object | 资源";
const CIPHERTEXT: &str = "| ciphertext {data-required data-indent=2} | string {data-tooltip=APIv3密钥加密后的BASE64字符串 data-encrypted=by-aes-gcm} | 密文";
const DECRYPTED: &str =
    "| {colspan=3 .im-table-line}\n| out_trade_no {data-indent=3} | string | 单号";
const REPLY: &str = "| 应答规范 | 类型 {.type} | 描述 {.desc}\n| --- | --- | ---\n| status | number | 状态码\n\n{.im-table #response}\n";

/// A webhook page whose request table holds `rows` (its table starts on line 9, rows on 11),
/// followed by `rest` (the reply table by default).
fn page(rows: &str, rest: &str) -> String {
    format!(
        "---\ntitle: 演示(DEMO.X)通知\n---\n\n# {{{{ $frontmatter.title }}}} {{#post}}\n\n说明\n\n\
| 请求参数 | 类型 {{.type}} | 描述 {{.desc}}\n| --- | --- | ---\n{rows}\n\n{{.im-table #request}}\n\n{rest}"
    )
}

fn well_formed_rows() -> String {
    format!("{HEADERS}\n{ENVELOPE}\n{CIPHERTEXT}\n{DECRYPTED}")
}

fn diagnostics(text: &str) -> Vec<String> {
    match read_page("DEMO.X.md", "webhook/v3/DEMO.X.md", text.as_bytes()) {
        Outcome::Failed(diagnostics) => diagnostics.iter().map(ToString::to_string).collect(),
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[test]
fn well_formed_minimal_page_reads() {
    let text = page(&well_formed_rows(), REPLY);
    let Outcome::Page(page) = read_page("DEMO.X.md", "webhook/v3/DEMO.X.md", text.as_bytes())
    else {
        panic!("page did not read");
    };
    let n = &page.notifications[0];
    assert_eq!(n.event_types, ["DEMO.X"]);
    assert_eq!(names(&n.resource), ["out_trade_no"]);
    assert_eq!(n.resource[0].line, 19);
    assert_eq!(n.resource[0].ty, FieldType::String);
}

#[test]
fn stray_top_level_row() {
    let text = page(
        &format!("{}\n| channels | string | 渠道", well_formed_rows()),
        REPLY,
    );
    assert_eq!(
        diagnostics(&text),
        [
            "DEMO.X.md:20: top-level row `channels` of a notification is neither `headers` nor `body`"
        ]
    );
}

#[test]
fn no_body() {
    let text = page(HEADERS, REPLY);
    assert_eq!(
        diagnostics(&text),
        [
            "DEMO.X.md:9: the notification's request table has no `body` object (the posted JSON envelope)"
        ]
    );
}

#[test]
fn no_event_type_values() {
    let rows = well_formed_rows().replace("类型<br/>`DEMO.X` 枚举值", "类型");
    assert_eq!(
        diagnostics(&page(&rows, REPLY)),
        [
            "DEMO.X.md:15: `event_type` names no event type (expected `` `TRANSACTION.SUCCESS` 枚举值 ``)"
        ]
    );
}

#[test]
fn no_resource() {
    let rows = format!(
        "{HEADERS}\n| body {{data-required}} | object | 体\n| event_type {{data-indent=1}} | string | `DEMO.X` 枚举值"
    );
    assert_eq!(
        diagnostics(&page(&rows, REPLY)),
        ["DEMO.X.md:13: the envelope has no `resource` object (the encrypted notification data)"]
    );
}

#[test]
fn no_ciphertext() {
    let rows = format!("{HEADERS}\n{ENVELOPE}\n| nonce {{data-indent=2}} | string | 随机串");
    assert_eq!(
        diagnostics(&page(&rows, REPLY)),
        ["DEMO.X.md:16: `resource` has no `ciphertext` string marked `data-encrypted=by-aes-gcm`"]
    );
}

#[test]
fn ciphertext_without_decrypted_fields() {
    let rows = format!("{HEADERS}\n{ENVELOPE}\n{CIPHERTEXT}");
    assert_eq!(
        diagnostics(&page(&rows, REPLY)),
        [
            "DEMO.X.md:17: `ciphertext` is not followed by a `{colspan=3 .im-table-line}` divider and the decrypted fields"
        ]
    );
}

#[test]
fn no_reply_table() {
    assert_eq!(
        diagnostics(&page(&well_formed_rows(), "")),
        ["DEMO.X.md:5: notification has no reply table (`| 应答规范` … `{.im-table #response}`)"]
    );
}

#[test]
fn an_answer_table_on_a_notification_page() {
    let rest = format!(
        "| 返回字典 | 类型 {{.type}} | 描述 {{.desc}}\n| --- | --- | ---\n| a | string | 甲\n\n{{.im-table #response}}\n\n{REPLY}"
    );
    assert_eq!(
        diagnostics(&page(&well_formed_rows(), &rest)),
        [
            "DEMO.X.md:23: a notification page documents the merchant's reply (`| 应答规范`), not a `| 返回字典` or `| 异常字典` answer"
        ]
    );
}

#[test]
fn two_headings() {
    let rest = format!("{REPLY}\n## 又一个 {{#post}}\n");
    assert_eq!(
        diagnostics(&page(&well_formed_rows(), &rest)),
        [
            "DEMO.X.md:29: a second method heading on a notification page (one notification per page)"
        ]
    );
}

#[test]
fn indent_jump_in_the_resource() {
    let rows = format!(
        "{}\n| deep {{data-indent=5}} | string | 深",
        well_formed_rows()
    );
    assert_eq!(
        diagnostics(&page(&rows, REPLY)),
        ["DEMO.X.md:20: `deep` jumps from indent 3 to 5: its parent is missing"]
    );
}

#[test]
fn no_request_table() {
    let text = format!("---\ntitle: t\n---\n\n# t {{#post}}\n\n{REPLY}");
    assert_eq!(
        diagnostics(&text),
        ["DEMO.X.md:5: notification has no request table (`| 请求参数` … `{.im-table #request}`)"]
    );
}
