//! `codegen::diff` on synthetic APIv2 page pairs: the hand-written pages of
//! `fixtures/diff_v2/` (an XML operation, a `by-aes-ecb` notification) against edited copies,
//! one test per APIv2 rule, each asserting the rule id and its verdict; plus v2 and v3 pages
//! that must never pair.

use codegen::diff::{self, ChangeKind, Location, Report, Rule};
use codegen::spec_tree::{self, PageResult};

const BREAKING: bool = true;
const ADDITIVE: bool = false;

fn fixture(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/diff_v2")
        .join(name);
    std::fs::read_to_string(path).expect("fixture exists")
}

/// The operation page `POST /v2/demo/orderquery`.
fn orderquery() -> String {
    fixture("orderquery.md")
}

/// The notification page of event `refund-done`.
fn refund_done() -> String {
    fixture("refund-done.md")
}

/// `text` with `from` replaced by `to`; `from` must occur.
fn edit(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "the fixture lacks {from:?}");
    text.replace(from, to)
}

fn tree(pages: &[(&str, &str)]) -> Vec<PageResult> {
    spec_tree::read_files(pages.iter().map(|(source, text)| {
        (
            source.to_string(),
            format!("tree/{source}"),
            text.as_bytes().to_vec(),
        )
    }))
}

const OP: &str = "openapi/v2/demo/orderquery.md";
const HOOK: &str = "webhook/v2/refund-done.md";

fn diff_op(old: &str, new: &str) -> Report {
    diff::diff(&tree(&[(OP, old)]), &tree(&[(OP, new)]))
}

fn diff_hook(old: &str, new: &str) -> Report {
    diff::diff(&tree(&[(HOOK, old)]), &tree(&[(HOOK, new)]))
}

/// `(location, field, rule, breaking)` of every change; every change names the expected
/// operation and judges as its rule does.
fn rows<'a>(report: &'a Report, operation: &str) -> Vec<(Location, Option<&'a str>, Rule, bool)> {
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    report
        .changes
        .iter()
        .map(|c| {
            assert_eq!(c.operation, operation);
            assert_eq!(c.breaking, c.rule.breaking());
            (c.location, c.field.as_deref(), c.rule, c.breaking)
        })
        .collect()
}

const POST: &str = "POST /v2/demo/orderquery";
const SECURITY: &str = "| security {data-required} | `true` | 声明加载商户API证书\n";

#[test]
fn the_fixtures_read_as_v2_and_diff_clean_against_themselves() {
    assert_eq!(diff_op(&orderquery(), &orderquery()), Report::default());
    assert_eq!(diff_hook(&refund_done(), &refund_done()), Report::default());
    let added = diff::diff(&[], &tree(&[(OP, &orderquery()), (HOOK, &refund_done())]));
    let names: Vec<(&str, ChangeKind)> = added
        .changes
        .iter()
        .map(|c| (c.operation.as_str(), c.change))
        .collect();
    assert_eq!(
        names,
        [
            (POST, ChangeKind::OperationAdded),
            ("v2/refund-done", ChangeKind::NotificationAdded)
        ]
    );
}

#[test]
fn security_added_and_removed() {
    let without = edit(&orderquery(), SECURITY, "");
    let report = diff_op(&without, &orderquery());
    assert_eq!(
        rows(&report, POST),
        [(Location::Operation, None, Rule::SecurityAdded, BREAKING)]
    );
    assert_eq!(report.changes[0].change, ChangeKind::SecurityChanged);
    let report = diff_op(&orderquery(), &without);
    assert_eq!(
        rows(&report, POST),
        [(Location::Operation, None, Rule::SecurityRemoved, ADDITIVE)]
    );
}

#[test]
fn nonceless_changed() {
    let nonceless = edit(
        &orderquery(),
        SECURITY,
        &format!("{SECURITY}| nonceless {{data-required}} | `true` | 声明请求无随机字符串\n"),
    );
    for (old, new) in [(orderquery(), nonceless.clone()), (nonceless, orderquery())] {
        let report = diff_op(&old, &new);
        assert_eq!(
            rows(&report, POST),
            [(Location::Operation, None, Rule::NoncelessChanged, ADDITIVE)]
        );
    }
}

#[test]
fn fragment_changed() {
    let redirect = edit(
        &orderquery(),
        SECURITY,
        &format!("{SECURITY}| fragment {{data-required}} | string | 固定填`#wechat_redirect`\n"),
    );
    let report = diff_op(&orderquery(), &redirect);
    assert_eq!(
        rows(&report, POST),
        [(Location::Operation, None, Rule::FragmentChanged, ADDITIVE)]
    );
    assert_eq!(report.changes[0].after, "#wechat_redirect");
}

#[test]
fn body_and_answer_kinds() {
    // XML request → JSON request: breaking.
    let json = edit(
        &orderquery(),
        "| xml {data-required} | object | 声明请求的`XML`数据结构",
        "| json {data-required} | object | 声明请求的`JSON`数据结构",
    );
    let report = diff_op(&orderquery(), &json);
    assert_eq!(
        rows(&report, POST),
        [(
            Location::Request,
            None,
            Rule::RequestBodyKindChanged,
            BREAKING
        )]
    );
    assert_eq!(
        (&report.changes[0].before, &report.changes[0].after),
        (&"xml".into(), &"json".into())
    );
    // XML answer → download (only an error dictionary documented): breaking.
    let download = edit(&orderquery(), "| 返回字典 |", "| 异常字典 |");
    let report = diff_op(&orderquery(), &download);
    assert_eq!(
        rows(&report, POST),
        [(
            Location::Response,
            None,
            Rule::ResponseKindChanged,
            BREAKING
        )]
    );
    assert_eq!(
        (&report.changes[0].before, &report.changes[0].after),
        (&"xml".into(), &"download".into())
    );
}

const COUPON_ROWS: &str =
    "| coupon_id_$n | string | 代金券ID\n| coupon_fee_$n | integer | 代金券金额\n";

#[test]
fn element_templates_follow_the_field_rules() {
    // Added to the answer's group: additive; removed: breaking, and the group, now of one
    // template, is renamed after it.
    let wider = edit(
        &orderquery(),
        COUPON_ROWS,
        &format!("{COUPON_ROWS}| coupon_type_$n | string | 代金券类型\n"),
    );
    let report = diff_op(&orderquery(), &wider);
    assert_eq!(
        rows(&report, POST),
        [(
            Location::Response,
            Some("coupon_$n.coupon_type_$n"),
            Rule::ResponseFieldAdded,
            ADDITIVE
        )]
    );
    let narrower = edit(
        &orderquery(),
        "| coupon_fee_$n | integer | 代金券金额\n",
        "",
    );
    let report = diff_op(&orderquery(), &narrower);
    assert_eq!(
        rows(&report, POST),
        [
            (
                Location::Response,
                Some("coupon_id_$n"),
                Rule::IndexedGroupRenamed,
                BREAKING
            ),
            (
                Location::Response,
                Some("coupon_id_$n.coupon_fee_$n"),
                Rule::ResponseFieldRemoved,
                BREAKING
            ),
        ]
    );
    // A template changes type: breaking.
    let retyped = edit(
        &orderquery(),
        "| coupon_fee_$n | integer |",
        "| coupon_fee_$n | string |",
    );
    let report = diff_op(&orderquery(), &retyped);
    assert_eq!(
        rows(&report, POST),
        [(
            Location::Response,
            Some("coupon_$n.coupon_fee_$n"),
            Rule::TypeChanged,
            BREAKING
        )]
    );
    // A request group gains a required template: breaking, like any required request field;
    // the group turns required (a row of it is) and takes the common prefix of its templates.
    let request = |extra: &str| {
        edit(
            &orderquery(),
            "| detail {data-indent=1}",
            &format!(
                "| goods_tag_$n {{data-indent=1}} | string | 标签\n{extra}| detail {{data-indent=1}}"
            ),
        )
    };
    let report = diff_op(
        &request(""),
        &request("| goods_rank_$n {data-required data-indent=1} | integer | 排序\n"),
    );
    assert_eq!(
        rows(&report, POST),
        [
            (
                Location::Request,
                Some("goods_$n"),
                Rule::IndexedGroupRenamed,
                BREAKING
            ),
            (
                Location::Request,
                Some("goods_$n"),
                Rule::RequestRequiredChanged,
                BREAKING
            ),
            (
                Location::Request,
                Some("goods_$n.goods_rank_$n"),
                Rule::RequestFieldAddedRequired,
                BREAKING
            )
        ]
    );
    assert_eq!(report.changes[0].before, "goods_tag_$n");
}

/// The coupon rows documented as plain first elements (`coupon_id_0`).
fn first_coupon_only() -> String {
    edit(
        &orderquery(),
        COUPON_ROWS,
        "| coupon_id_0 | string | 代金券ID\n| coupon_fee_0 | integer | 代金券金额\n",
    )
}

#[test]
fn field_becomes_indexed_group() {
    let report = diff_op(&first_coupon_only(), &orderquery());
    assert_eq!(
        rows(&report, POST),
        [
            (
                Location::Response,
                Some("coupon_id_0"),
                Rule::FieldBecomesIndexedGroup,
                BREAKING
            ),
            (
                Location::Response,
                Some("coupon_fee_0"),
                Rule::FieldBecomesIndexedGroup,
                BREAKING
            ),
        ]
    );
    assert_eq!(report.changes[0].change, ChangeKind::IndexedChanged);
    assert_eq!(report.changes[0].after, "coupon_$n");
}

#[test]
fn indexed_group_becomes_field() {
    let report = diff_op(&orderquery(), &first_coupon_only());
    assert_eq!(
        rows(&report, POST),
        [
            (
                Location::Response,
                Some("coupon_id_0"),
                Rule::IndexedGroupBecomesField,
                BREAKING
            ),
            (
                Location::Response,
                Some("coupon_fee_0"),
                Rule::IndexedGroupBecomesField,
                BREAKING
            ),
        ]
    );
}

#[test]
fn indexed_group_renamed() {
    // A template of another prefix joins the group: `coupon_$n` (`coupons`) becomes `$n`.
    let joined = edit(
        &orderquery(),
        COUPON_ROWS,
        &format!("{COUPON_ROWS}| refund_id_$n | string | 退款单号\n"),
    );
    let report = diff_op(&orderquery(), &joined);
    assert_eq!(
        rows(&report, POST),
        [
            (
                Location::Response,
                Some("$n"),
                Rule::IndexedGroupRenamed,
                BREAKING
            ),
            (
                Location::Response,
                Some("$n.refund_id_$n"),
                Rule::ResponseFieldAdded,
                ADDITIVE
            ),
        ]
    );
    assert_eq!(
        (&report.changes[0].before, &report.changes[0].after),
        (&"coupon_$n".into(), &"$n".into())
    );
}

#[test]
fn encryption_aes_ecb_changed() {
    // `req_info` stops being encrypted: the element is a plain string and the decrypted
    // resource is gone (the rows under its divider are now prose of a plain string).
    let plain = edit(&refund_done(), " {data-encrypted=by-aes-ecb}", "");
    let report = diff_hook(&refund_done(), &plain);
    assert_eq!(
        rows(&report, "v2/refund-done"),
        [
            (
                Location::Envelope,
                Some("req_info"),
                Rule::EncryptionAesEcbChanged,
                BREAKING
            ),
            (
                Location::Envelope,
                Some("req_info.out_refund_no"),
                Rule::DocumentationOnly,
                ADDITIVE
            ),
            (
                Location::Envelope,
                Some("req_info.refund_fee"),
                Rule::DocumentationOnly,
                ADDITIVE
            ),
            (
                Location::Response,
                Some("out_refund_no"),
                Rule::ResourceFieldRemoved,
                BREAKING
            ),
            (
                Location::Response,
                Some("refund_fee"),
                Rule::ResourceFieldRemoved,
                BREAKING
            ),
        ]
    );
    // From one scheme to the other.
    let gcm = edit(&refund_done(), "by-aes-ecb", "by-aes-gcm");
    let report = diff_hook(&refund_done(), &gcm);
    assert_eq!(
        rows(&report, "v2/refund-done"),
        [(
            Location::Envelope,
            Some("req_info"),
            Rule::EncryptionAesEcbChanged,
            BREAKING
        )]
    );
    // The envelope's other elements are compared too.
    let wider = edit(
        &refund_done(),
        "| mch_id {data-required data-indent=1} | string | 商户号\n",
        "| mch_id {data-required data-indent=1} | string | 商户号\n| appid {data-indent=1} | string | 应用ID\n",
    );
    let report = diff_hook(&refund_done(), &wider);
    assert_eq!(
        rows(&report, "v2/refund-done"),
        [(
            Location::Envelope,
            Some("appid"),
            Rule::ResourceFieldAdded,
            ADDITIVE
        )]
    );
}

#[test]
fn json_encoding_changed() {
    let plain = edit(&orderquery(), " {data-encoded=by-json_encode}", "");
    for (old, new) in [(orderquery(), plain.clone()), (plain, orderquery())] {
        let report = diff_op(&old, &new);
        assert_eq!(
            rows(&report, POST),
            [(
                Location::Request,
                Some("detail"),
                Rule::JsonEncodingChanged,
                BREAKING
            )]
        );
        assert_eq!(report.changes[0].change, ChangeKind::EncodingChanged);
    }
    // The JSON content is generated in v2: a required member added breaks request literals.
    let wider = edit(
        &orderquery(),
        "| goods_id {data-required data-indent=2} | string | 商品编码\n",
        "| goods_id {data-required data-indent=2} | string | 商品编码\n| quantity {data-required data-indent=2} | integer | 数量\n",
    );
    let report = diff_op(&orderquery(), &wider);
    assert_eq!(
        rows(&report, POST),
        [(
            Location::Request,
            Some("detail.quantity"),
            Rule::RequestFieldAddedRequired,
            BREAKING
        )]
    );
}

/// The v3 notification fixture of the webhook diff tests.
fn v3_paid() -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/webhook/DEMO.PAID.md");
    std::fs::read_to_string(path).expect("fixture exists")
}

#[test]
fn v2_and_v3_pages_never_pair() {
    // The v2 notification under the v3 event's name: another event, not a changed one.
    let old = tree(&[("webhook/v3/DEMO.PAID.md", &v3_paid())]);
    let new = tree(&[("webhook/v2/DEMO.PAID.md", &refund_done())]);
    let report = diff::diff(&old, &new);
    let rows: Vec<(&str, ChangeKind)> = report
        .changes
        .iter()
        .map(|c| (c.operation.as_str(), c.change))
        .collect();
    assert_eq!(
        rows,
        [
            ("DEMO.PAID", ChangeKind::NotificationRemoved),
            ("v2/DEMO.PAID", ChangeKind::NotificationAdded),
        ]
    );
    // Both in one tree: neither hides the other, and an edit of one shows on it alone.
    let both = |v2: &str| {
        tree(&[
            ("webhook/v3/DEMO.PAID.md", &v3_paid()),
            ("webhook/v2/DEMO.PAID.md", v2),
        ])
    };
    assert_eq!(
        diff::diff(&both(&refund_done()), &both(&refund_done())),
        Report::default()
    );
    let gcm = edit(&refund_done(), "by-aes-ecb", "by-aes-gcm");
    let report = diff::diff(&both(&refund_done()), &both(&gcm));
    assert_eq!(
        rows_of(&report),
        [("v2/DEMO.PAID", Rule::EncryptionAesEcbChanged)]
    );
    // A v3 operation page and a v2 one of the "same" path: removed and added.
    let v3_page = edit(
        &orderquery(),
        "| xml {data-required} | object | 声明请求的`XML`数据结构",
        "| json {data-required} | object | 声明请求的`JSON`数据结构",
    );
    let old = tree(&[("v3/demo/orderquery.md", &v3_page)]);
    let new = tree(&[(OP, &orderquery())]);
    let report = diff::diff(&old, &new);
    let kinds: Vec<(&str, ChangeKind)> = report
        .changes
        .iter()
        .map(|c| (c.operation.as_str(), c.change))
        .collect();
    assert_eq!(
        kinds,
        [
            (POST, ChangeKind::OperationAdded),
            ("POST /v3/demo/orderquery", ChangeKind::OperationRemoved),
        ]
    );
}

fn rows_of(report: &Report) -> Vec<(&str, Rule)> {
    report
        .changes
        .iter()
        .map(|c| (c.operation.as_str(), c.rule))
        .collect()
}
