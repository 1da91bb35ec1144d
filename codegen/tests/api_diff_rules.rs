//! The breaking rules of `codegen::diff`, one test per rule, each named after the rule's id
//! (`rule_ids_name_one_test_each` holds that), on IR built by hand; and the rule table kept
//! identical in the module docs and the README.

use codegen::diff::{self, ChangeKind, Location, Report, Rule, rules};
use codegen::frontend::Outcome;
use codegen::ir::{
    ApiVersion, Body, BodyKind, Decoded, Encoding, Encryption, Field, FieldType, Format, Indexed,
    ItemType, Method, Notification, Operation, Page, Response, ResponseKind, SourceFormat,
};
use codegen::spec_tree::PageResult;

// ---- IR builders ------------------------------------------------------------------------

fn op(method: Method, path: &str) -> Operation {
    Operation {
        source: format!("{}.md", path.trim_start_matches('/')),
        line: 6,
        format: SourceFormat::ImTable,
        method,
        path: path.to_owned(),
        summary: "an operation".to_owned(),
        description: String::new(),
        doc_links: Vec::new(),
        notices: Vec::new(),
        base_uri: None,
        path_params: Vec::new(),
        query: Vec::new(),
        headers: Vec::new(),
        body: Body::none(),
        response: Response {
            kind: ResponseKind::Json,
            fields: Vec::new(),
        },
        model: None,
        api_version: ApiVersion::V3,
        security: false,
        nonceless: false,
        fragment: None,
    }
}

fn post(body: Vec<Field>) -> Operation {
    let mut op = op(Method::Post, "/v3/things");
    op.body = Body {
        kind: BodyKind::Json,
        fields: body,
    };
    op
}

fn get(response: Vec<Field>) -> Operation {
    let mut op = op(Method::Get, "/v3/things");
    op.response.fields = response;
    op
}

fn query(params: Vec<Field>) -> Operation {
    let mut op = op(Method::Get, "/v3/things");
    op.query = params;
    op
}

fn headers(headers: Vec<Field>) -> Operation {
    let mut op = op(Method::Get, "/v3/things");
    op.headers = headers;
    op
}

fn upload(parts: Vec<Field>) -> Operation {
    let mut op = op(Method::Post, "/v3/uploads");
    op.body = Body {
        kind: BodyKind::Multipart,
        fields: parts,
    };
    op
}

fn field(name: &str, ty: FieldType) -> Field {
    Field::new(name, ty, 20)
}

fn string(name: &str) -> Field {
    field(name, FieldType::String)
}

fn required(mut field: Field) -> Field {
    field.required = true;
    field
}

fn at(mut field: Field, line: u32) -> Field {
    field.line = line;
    field
}

fn values(mut field: Field, values: &[&str]) -> Field {
    field.enum_values = values.iter().map(|v| v.to_string()).collect();
    field
}

fn object(name: &str, children: Vec<Field>) -> Field {
    let mut field = field(name, FieldType::Object);
    field.fields = children;
    field
}

fn array_of(name: &str, children: Vec<Field>) -> Field {
    let mut field = object(name, children);
    field.ty = FieldType::Array;
    field.items = Some(ItemType::Object);
    field
}

fn encrypted(mut field: Field) -> Field {
    field.encrypted = Some(Encryption::RsaPubkey);
    field
}

fn json_string(name: &str, decoded: Vec<Field>) -> Field {
    let mut field = string(name);
    field.decoded = Some(Box::new(Decoded {
        fields: decoded,
        variants: Vec::new(),
    }));
    field
}

fn file_part(name: &str) -> Field {
    let mut field = required(field(name, FieldType::Object));
    field.format = Some(Format::Binary);
    field
}

fn notification(event: &str, resource: Vec<Field>) -> Notification {
    Notification {
        source: format!("webhook/v3/{event}.md"),
        line: 6,
        event_types: vec![event.to_owned()],
        summary: "a notification".to_owned(),
        description: String::new(),
        doc_links: Vec::new(),
        headers: Vec::new(),
        envelope: Vec::new(),
        resource,
        resource_variants: Vec::new(),
        reply: Vec::new(),
        model: None,
        api_version: ApiVersion::V3,
    }
}

// ---- running a diff ---------------------------------------------------------------------

fn pages(operations: Vec<Operation>, notifications: Vec<Notification>) -> Vec<PageResult> {
    let mut pages: Vec<PageResult> = operations
        .into_iter()
        .map(|op| PageResult {
            source: op.source.clone(),
            outcome: Outcome::Page(Page {
                operations: vec![op],
                notifications: Vec::new(),
            }),
        })
        .collect();
    pages.extend(notifications.into_iter().map(|n| PageResult {
        source: n.source.clone(),
        outcome: Outcome::Page(Page {
            operations: Vec::new(),
            notifications: vec![n],
        }),
    }));
    pages
}

fn diff_ops(old: Vec<Operation>, new: Vec<Operation>) -> Report {
    diff::diff(&pages(old, Vec::new()), &pages(new, Vec::new()))
}

fn diff_events(old: Vec<Notification>, new: Vec<Notification>) -> Report {
    diff::diff(&pages(Vec::new(), old), &pages(Vec::new(), new))
}

/// `(change, location, field, rule, breaking)` of every change, in order.
type Row<'a> = (ChangeKind, Location, Option<&'a str>, Rule, bool);

fn rows(report: &Report) -> Vec<Row<'_>> {
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    report
        .changes
        .iter()
        .map(|c| {
            assert_eq!(c.breaking, c.rule.breaking());
            (c.change, c.location, c.field.as_deref(), c.rule, c.breaking)
        })
        .collect()
}

use ChangeKind::*;
use Location::{Header, Path, Query, Request};
const BREAKING: bool = true;
const ADDITIVE: bool = false;

// ---- operations -------------------------------------------------------------------------

#[test]
fn operation_added() {
    let report = diff_ops(vec![], vec![op(Method::Get, "/v3/a")]);
    assert_eq!(
        rows(&report),
        [(
            OperationAdded,
            Location::Operation,
            None,
            Rule::OperationAdded,
            ADDITIVE
        )]
    );
    let change = &report.changes[0];
    assert_eq!(change.operation, "GET /v3/a");
    assert_eq!(
        (change.old.as_deref(), change.new.as_deref()),
        (None, Some("v3/a.md:6"))
    );
}

#[test]
fn operation_removed() {
    let report = diff_ops(vec![op(Method::Delete, "/v3/a")], vec![]);
    assert_eq!(
        rows(&report),
        [(
            OperationRemoved,
            Location::Operation,
            None,
            Rule::OperationRemoved,
            BREAKING
        )]
    );
    assert_eq!(report.changes[0].operation, "DELETE /v3/a");
}

#[test]
fn request_body_kind_changed() {
    let report = diff_ops(vec![post(vec![])], vec![upload_at("/v3/things", vec![])]);
    assert_eq!(
        rows(&report),
        [(
            TypeChanged,
            Request,
            None,
            Rule::RequestBodyKindChanged,
            BREAKING
        )]
    );
    assert_eq!(report.changes[0].before, "json");
    assert_eq!(report.changes[0].after, "multipart");
}

fn upload_at(path: &str, parts: Vec<Field>) -> Operation {
    let mut op = upload(parts);
    op.path = path.to_owned();
    op.source = format!("{}.md", path.trim_start_matches('/'));
    op
}

#[test]
fn response_kind_changed() {
    let mut empty = get(vec![]);
    empty.response.kind = ResponseKind::Empty;
    let report = diff_ops(vec![get(vec![string("a")])], vec![empty]);
    assert_eq!(
        rows(&report),
        [(
            TypeChanged,
            Location::Response,
            None,
            Rule::ResponseKindChanged,
            BREAKING
        )]
    );
}

#[test]
fn notification_added() {
    let report = diff_events(vec![], vec![notification("DEMO.PAID", vec![])]);
    assert_eq!(
        rows(&report),
        [(
            NotificationAdded,
            Location::Operation,
            None,
            Rule::NotificationAdded,
            ADDITIVE
        )]
    );
    assert_eq!(report.changes[0].operation, "DEMO.PAID");
}

#[test]
fn notification_removed() {
    let mut partner = notification("DEMO.PAID", vec![]);
    partner.source = "webhook/v3/partner/DEMO.PAID.md".to_owned();
    let report = diff_events(vec![partner], vec![]);
    assert_eq!(
        rows(&report),
        [(
            NotificationRemoved,
            Location::Operation,
            None,
            Rule::NotificationRemoved,
            BREAKING
        )]
    );
    // A group's event is named after its group, as `webhook::partner::Event` is.
    assert_eq!(report.changes[0].operation, "partner/DEMO.PAID");
}

// ---- fields added ---------------------------------------------------------------------

#[test]
fn request_field_added_required() {
    let report = diff_ops(
        vec![post(vec![object("scene", vec![string("a")])])],
        vec![post(vec![object(
            "scene",
            vec![string("a"), required(string("b"))],
        )])],
    );
    assert_eq!(
        rows(&report),
        [(
            FieldAdded,
            Request,
            Some("scene.b"),
            Rule::RequestFieldAddedRequired,
            BREAKING
        )]
    );
    // Query parameters are a request struct too.
    let report = diff_ops(
        vec![query(vec![string("limit")])],
        vec![query(vec![string("limit"), required(string("offset"))])],
    );
    assert_eq!(
        rows(&report),
        [(
            FieldAdded,
            Query,
            Some("offset"),
            Rule::RequestFieldAddedRequired,
            BREAKING
        )]
    );
}

#[test]
fn request_field_added_optional() {
    let report = diff_ops(
        vec![post(vec![required(string("a"))])],
        vec![post(vec![required(string("a")), string("b")])],
    );
    assert_eq!(
        rows(&report),
        [(
            FieldAdded,
            Request,
            Some("b"),
            Rule::RequestFieldAddedOptional,
            ADDITIVE
        )]
    );
    let change = &report.changes[0];
    assert_eq!(change.before, serde_json::Value::Null);
    assert_eq!(
        change.after,
        serde_json::json!({"type": "string", "required": false})
    );
}

#[test]
fn request_field_added_optional_no_default() {
    // A required string enum (or `Number`) takes `Default` away from its struct.
    for member in [
        required(values(string("kind"), &["A", "B"])),
        required(field("ratio", FieldType::Number)),
    ] {
        let report = diff_ops(
            vec![post(vec![member.clone()])],
            vec![post(vec![member, string("b")])],
        );
        assert_eq!(
            rows(&report),
            [(
                FieldAdded,
                Request,
                Some("b"),
                Rule::RequestFieldAddedOptionalNoDefault,
                BREAKING
            )]
        );
    }
    // Nested: only the struct the field joins counts.
    let inner = object("inner", vec![required(values(string("kind"), &["A"]))]);
    let report = diff_ops(
        vec![post(vec![required(inner.clone()), string("a")])],
        vec![post(vec![required(inner), string("a"), string("b")])],
    );
    assert_eq!(
        report.changes[0].rule,
        Rule::RequestFieldAddedOptionalNoDefault
    );
}

#[test]
fn first_parameter_added() {
    let report = diff_ops(vec![query(vec![])], vec![query(vec![string("limit")])]);
    assert_eq!(
        rows(&report),
        [(
            FieldAdded,
            Query,
            Some("limit"),
            Rule::FirstParameterAdded,
            BREAKING
        )]
    );
    // A runtime header does not make a `headers` argument: the first caller header is new.
    let serial = required(string("Wechatpay-Serial"));
    let report = diff_ops(
        vec![headers(vec![serial.clone()])],
        vec![headers(vec![serial, string("Idempotency-Key")])],
    );
    assert_eq!(
        rows(&report),
        [(
            FieldAdded,
            Header,
            Some("Idempotency-Key"),
            Rule::FirstParameterAdded,
            BREAKING
        )]
    );
}

#[test]
fn parent_becomes_struct() {
    // An object documented without members is free-form JSON (`Value`).
    let report = diff_ops(
        vec![post(vec![object("extra", vec![])])],
        vec![post(vec![object("extra", vec![string("a")])])],
    );
    assert_eq!(
        rows(&report),
        [(
            FieldAdded,
            Request,
            Some("extra.a"),
            Rule::ParentBecomesStruct,
            BREAKING
        )]
    );
    let report = diff_ops(
        vec![get(vec![object("extra", vec![])])],
        vec![get(vec![object("extra", vec![string("a")])])],
    );
    assert_eq!(report.changes[0].rule, Rule::ParentBecomesStruct);
}

#[test]
fn response_field_added() {
    let report = diff_ops(
        vec![get(vec![array_of("list", vec![string("a")])])],
        vec![get(vec![
            array_of("list", vec![string("a"), required(string("b"))]),
            string("c"),
        ])],
    );
    // Arrays are transparent: `list.b`, not `list[].b`.
    assert_eq!(
        rows(&report),
        [
            (
                FieldAdded,
                Location::Response,
                Some("list.b"),
                Rule::ResponseFieldAdded,
                ADDITIVE
            ),
            (
                FieldAdded,
                Location::Response,
                Some("c"),
                Rule::ResponseFieldAdded,
                ADDITIVE
            ),
        ]
    );
}

#[test]
fn resource_field_added() {
    let report = diff_events(
        vec![notification("DEMO.PAID", vec![string("a")])],
        vec![notification(
            "DEMO.PAID",
            vec![string("a"), required(string("b"))],
        )],
    );
    assert_eq!(
        rows(&report),
        [(
            FieldAdded,
            Location::Response,
            Some("b"),
            Rule::ResourceFieldAdded,
            ADDITIVE
        )]
    );
}

// ---- fields removed -------------------------------------------------------------------

#[test]
fn request_field_removed() {
    let report = diff_ops(
        vec![post(vec![string("a"), at(string("b"), 31)])],
        vec![post(vec![string("a")])],
    );
    assert_eq!(
        rows(&report),
        [(
            FieldRemoved,
            Request,
            Some("b"),
            Rule::RequestFieldRemoved,
            BREAKING
        )]
    );
    // The new side of a removal is the nearest new ancestor: here the operation heading.
    let change = &report.changes[0];
    assert_eq!(change.old.as_deref(), Some("v3/things.md:31"));
    assert_eq!(change.new.as_deref(), Some("v3/things.md:6"));
}

#[test]
fn response_field_removed() {
    let report = diff_ops(
        vec![get(vec![string("a"), string("b")])],
        vec![get(vec![string("b")])],
    );
    assert_eq!(
        rows(&report),
        [(
            FieldRemoved,
            Location::Response,
            Some("a"),
            Rule::ResponseFieldRemoved,
            BREAKING
        )]
    );
}

#[test]
fn resource_field_removed() {
    let report = diff_events(
        vec![notification("DEMO.PAID", vec![string("a")])],
        vec![notification("DEMO.PAID", vec![])],
    );
    assert_eq!(
        rows(&report),
        [(
            FieldRemoved,
            Location::Response,
            Some("a"),
            Rule::ResourceFieldRemoved,
            BREAKING
        )]
    );
}

// ---- required flips -------------------------------------------------------------------

#[test]
fn request_required_changed() {
    for (before, after) in [(false, true), (true, false)] {
        let mut old = at(string("type"), 31);
        old.required = before;
        let mut new = at(string("type"), 33);
        new.required = after;
        let report = diff_ops(
            vec![post(vec![object(
                "scene_info",
                vec![object("h5_info", vec![old])],
            )])],
            vec![post(vec![object(
                "scene_info",
                vec![object("h5_info", vec![new])],
            )])],
        );
        assert_eq!(
            rows(&report),
            [(
                RequiredChanged,
                Request,
                Some("scene_info.h5_info.type"),
                Rule::RequestRequiredChanged,
                BREAKING
            )]
        );
        let change = &report.changes[0];
        assert_eq!(
            (&change.before, &change.after),
            (&before.into(), &after.into())
        );
        assert_eq!(change.old.as_deref(), Some("v3/things.md:31"));
        assert_eq!(change.new.as_deref(), Some("v3/things.md:33"));
    }
    // The headers struct follows the same rule.
    let report = diff_ops(
        vec![headers(vec![string("Idempotency-Key")])],
        vec![headers(vec![required(string("Idempotency-Key"))])],
    );
    assert_eq!(report.changes[0].rule, Rule::RequestRequiredChanged);
    assert_eq!(report.changes[0].location, Header);
}

#[test]
fn response_required_changed() {
    for (old, new) in [
        (string("a"), required(string("a"))),
        (required(string("a")), string("a")),
    ] {
        let report = diff_ops(vec![get(vec![old])], vec![get(vec![new])]);
        assert_eq!(
            rows(&report),
            [(
                RequiredChanged,
                Location::Response,
                Some("a"),
                Rule::ResponseRequiredChanged,
                BREAKING
            )]
        );
    }
}

#[test]
fn resource_required_changed() {
    let report = diff_events(
        vec![notification("DEMO.PAID", vec![string("a")])],
        vec![notification("DEMO.PAID", vec![required(string("a"))])],
    );
    assert_eq!(
        rows(&report),
        [(
            RequiredChanged,
            Location::Response,
            Some("a"),
            Rule::ResourceRequiredChanged,
            ADDITIVE
        )]
    );
}

// ---- types and values -----------------------------------------------------------------

#[test]
fn type_changed() {
    let report = diff_ops(
        vec![post(vec![string("count")])],
        vec![post(vec![field("count", FieldType::Integer)])],
    );
    assert_eq!(
        rows(&report),
        [(
            TypeChanged,
            Request,
            Some("count"),
            Rule::TypeChanged,
            BREAKING
        )]
    );
    assert_eq!(
        (&report.changes[0].before, &report.changes[0].after),
        (&"string".into(), &"integer".into())
    );
    let report = diff_ops(
        vec![get(vec![object("amount", vec![string("total")])])],
        vec![get(vec![array_of("amount", vec![string("total")])])],
    );
    assert_eq!(
        rows(&report),
        [(
            TypeChanged,
            Location::Response,
            Some("amount"),
            Rule::TypeChanged,
            BREAKING
        )]
    );
    assert_eq!(report.changes[0].after, "object[]");
}

#[test]
fn string_becomes_enum() {
    let report = diff_ops(
        vec![get(vec![string("state")])],
        vec![get(vec![values(string("state"), &["SUCCESS"])])],
    );
    assert_eq!(
        rows(&report),
        [(
            EnumValuesAdded,
            Location::Response,
            Some("state"),
            Rule::StringBecomesEnum,
            BREAKING
        )]
    );
}

#[test]
fn enum_becomes_string() {
    let report = diff_ops(
        vec![post(vec![values(string("state"), &["A", "B"])])],
        vec![post(vec![string("state")])],
    );
    assert_eq!(
        rows(&report),
        [(
            EnumValuesRemoved,
            Request,
            Some("state"),
            Rule::EnumBecomesString,
            BREAKING
        )]
    );
}

#[test]
fn enum_value_added() {
    let old = values(string("state"), &["A"]);
    let new = values(string("state"), &["A", "B"]);
    let report = diff_ops(vec![post(vec![old.clone()])], vec![post(vec![new.clone()])]);
    assert_eq!(
        rows(&report),
        [(
            EnumValuesAdded,
            Request,
            Some("state"),
            Rule::EnumValueAdded,
            ADDITIVE
        )]
    );
    assert_eq!(report.changes[0].before, serde_json::json!(["A"]));
    assert_eq!(report.changes[0].after, serde_json::json!(["A", "B"]));
    // An answer's new value reaches old code as `Unknown(String)`.
    let report = diff_ops(vec![get(vec![old])], vec![get(vec![new])]);
    assert_eq!(report.changes[0].rule, Rule::EnumValueAdded);
    // `string[]` fields are vectors of the enum: the same rule.
    let mut list = field("states", FieldType::Array);
    list.items = Some(ItemType::String);
    let report = diff_ops(
        vec![get(vec![values(list.clone(), &["A"])])],
        vec![get(vec![values(list, &["A", "B"])])],
    );
    assert_eq!(report.changes[0].rule, Rule::EnumValueAdded);
}

#[test]
fn enum_value_removed() {
    let old = values(string("state"), &["A", "B"]);
    let new = values(string("state"), &["A"]);
    for report in [
        diff_ops(vec![post(vec![old.clone()])], vec![post(vec![new.clone()])]),
        diff_ops(vec![get(vec![old])], vec![get(vec![new])]),
    ] {
        let [(kind, _, field, rule, breaking)] = rows(&report)[..] else {
            panic!("{report:?}")
        };
        assert_eq!(
            (kind, field, rule, breaking),
            (
                EnumValuesRemoved,
                Some("state"),
                Rule::EnumValueRemoved,
                BREAKING
            )
        );
    }
}

#[test]
fn enum_values_documented() {
    let report = diff_ops(
        vec![post(vec![field("level", FieldType::Integer)])],
        vec![post(vec![values(
            field("level", FieldType::Integer),
            &["1", "2"],
        )])],
    );
    assert_eq!(
        rows(&report),
        [(
            EnumValuesAdded,
            Request,
            Some("level"),
            Rule::EnumValuesDocumented,
            ADDITIVE
        )]
    );
}

#[test]
fn encryption_changed() {
    let report = diff_ops(
        vec![
            post(vec![string("name")]),
            get(vec![encrypted(string("name"))]),
        ],
        vec![
            post(vec![encrypted(string("name"))]),
            get(vec![string("name")]),
        ],
    );
    assert_eq!(
        rows(&report),
        [
            (
                EncryptionChanged,
                Location::Response,
                Some("name"),
                Rule::EncryptionChanged,
                ADDITIVE
            ),
            (
                EncryptionChanged,
                Request,
                Some("name"),
                Rule::EncryptionChanged,
                ADDITIVE
            ),
        ]
    );
    assert_eq!(report.changes[0].before, "by-rsa-pubkey");
    assert_eq!(report.changes[0].after, serde_json::Value::Null);
}

#[test]
fn encryption_changed_not_applied() {
    // The runtime encrypts JSON bodies only (not a multipart `meta` part) and decrypts JSON
    // answers only (not the members of a notification's resource).
    let meta = |field: Field| required(json_string("meta", vec![field]));
    let report = diff_ops(
        vec![upload(vec![file_part("file"), meta(string("phone"))])],
        vec![upload(vec![
            file_part("file"),
            meta(encrypted(string("phone"))),
        ])],
    );
    assert_eq!(
        rows(&report),
        [(
            EncryptionChanged,
            Request,
            Some("meta.phone"),
            Rule::EncryptionChangedNotApplied,
            ADDITIVE
        )]
    );
    let report = diff_events(
        vec![notification("DEMO.PAID", vec![string("phone")])],
        vec![notification("DEMO.PAID", vec![encrypted(string("phone"))])],
    );
    assert_eq!(report.changes[0].rule, Rule::EncryptionChangedNotApplied);
}

// ---- path placeholders, multipart parts, runtime headers, documentation ----------------

fn by_id(path: &str, param: Option<Field>) -> Operation {
    let mut op = op(Method::Get, path);
    op.source = "v3/things/by-id.md".to_owned();
    op.path_params = param.into_iter().collect();
    op
}

#[test]
fn path_param_renamed() {
    // Paired by the template with placeholders unnamed: one operation, not removed + added.
    let report = diff_ops(
        vec![by_id("/v3/things/{id}", None)],
        vec![by_id("/v3/things/{thing_id}", None)],
    );
    assert_eq!(
        rows(&report),
        [
            (
                FieldAdded,
                Path,
                Some("thing_id"),
                Rule::PathParamRenamed,
                BREAKING
            ),
            (
                FieldRemoved,
                Path,
                Some("id"),
                Rule::PathParamRenamed,
                BREAKING
            ),
        ]
    );
    assert_eq!(report.changes[0].operation, "GET /v3/things/{thing_id}");
}

#[test]
fn path_param_now_integer() {
    let report = diff_ops(
        vec![by_id("/v3/things/{id}", Some(required(string("id"))))],
        vec![by_id(
            "/v3/things/{id}",
            Some(required(field("id", FieldType::Integer))),
        )],
    );
    assert_eq!(
        rows(&report),
        [(
            TypeChanged,
            Path,
            Some("id"),
            Rule::PathParamNowInteger,
            BREAKING
        )]
    );
}

#[test]
fn path_param_detail() {
    // `impl Display` takes an `i64` too; flags and values do not reach the argument.
    let report = diff_ops(
        vec![by_id(
            "/v3/things/{id}",
            Some(required(field("id", FieldType::Integer))),
        )],
        vec![by_id("/v3/things/{id}", Some(values(string("id"), &["A"])))],
    );
    assert_eq!(
        rows(&report),
        [
            (
                RequiredChanged,
                Path,
                Some("id"),
                Rule::PathParamDetail,
                ADDITIVE
            ),
            (
                TypeChanged,
                Path,
                Some("id"),
                Rule::PathParamDetail,
                ADDITIVE
            ),
            (
                EnumValuesAdded,
                Path,
                Some("id"),
                Rule::PathParamDetail,
                ADDITIVE
            ),
        ]
    );
}

#[test]
fn multipart_part_changed() {
    let meta = required(json_string("meta", vec![required(string("filename"))]));
    let report = diff_ops(
        vec![upload(vec![file_part("file"), meta.clone()])],
        vec![upload(vec![file_part("image"), meta])],
    );
    assert_eq!(
        rows(&report),
        [
            (
                FieldAdded,
                Request,
                Some("image"),
                Rule::PartChanged,
                BREAKING
            ),
            (
                FieldRemoved,
                Request,
                Some("file"),
                Rule::PartChanged,
                BREAKING
            ),
        ]
    );
}

#[test]
fn multipart_part_detail() {
    // The `meta` part's decoded content is a generated request struct (`meta.*`).
    let old_meta = required(json_string("meta", vec![required(string("filename"))]));
    let new_meta = json_string(
        "meta",
        vec![required(string("filename")), required(string("sha256"))],
    );
    let report = diff_ops(
        vec![upload(vec![file_part("file"), old_meta])],
        vec![upload(vec![file_part("file"), new_meta])],
    );
    assert_eq!(
        rows(&report),
        [
            (
                RequiredChanged,
                Request,
                Some("meta"),
                Rule::PartDetail,
                ADDITIVE
            ),
            (
                FieldAdded,
                Request,
                Some("meta.sha256"),
                Rule::RequestFieldAddedRequired,
                BREAKING
            ),
        ]
    );
}

#[test]
fn runtime_header() {
    let report = diff_ops(
        vec![headers(vec![])],
        vec![headers(vec![required(string("Wechatpay-Serial"))])],
    );
    assert_eq!(
        rows(&report),
        [(
            FieldAdded,
            Header,
            Some("Wechatpay-Serial"),
            Rule::RuntimeHeader,
            ADDITIVE
        )]
    );
}

#[test]
fn documentation_only() {
    // The decoded content of a JSON-in-a-string field stays prose: the field is a `String`.
    let report = diff_ops(
        vec![get(vec![json_string(
            "detail",
            vec![string("a"), string("b")],
        )])],
        vec![get(vec![json_string(
            "detail",
            vec![required(string("a")), string("c")],
        )])],
    );
    assert_eq!(
        rows(&report),
        [
            (
                RequiredChanged,
                Location::Response,
                Some("detail.a"),
                Rule::DocumentationOnly,
                ADDITIVE
            ),
            (
                FieldAdded,
                Location::Response,
                Some("detail.c"),
                Rule::DocumentationOnly,
                ADDITIVE
            ),
            (
                FieldRemoved,
                Location::Response,
                Some("detail.b"),
                Rule::DocumentationOnly,
                ADDITIVE
            ),
        ]
    );
    // The members of an operation field's one-of alternatives are not generated either.
    let mut old = object("payer", vec![string("id")]);
    old.variants = vec![vec![string("openid")]];
    let mut new = object("payer", vec![string("id")]);
    new.variants = vec![vec![string("openid"), string("sub_openid")]];
    let report = diff_ops(vec![get(vec![old])], vec![get(vec![new])]);
    assert_eq!(
        rows(&report),
        [(
            FieldAdded,
            Location::Response,
            Some("payer.sub_openid"),
            Rule::DocumentationOnly,
            ADDITIVE
        )]
    );
}

// ---- APIv2 ------------------------------------------------------------------------------

/// An APIv2 XML operation: `body` the request elements, `response` the answer's.
fn v2(body: Vec<Field>, response: Vec<Field>) -> Operation {
    let mut op = op(Method::Post, "/v2/pay/orderquery");
    op.api_version = ApiVersion::V2;
    op.body = Body {
        kind: BodyKind::Xml,
        fields: body,
    };
    op.response = Response {
        kind: ResponseKind::Xml,
        fields: response,
    };
    op
}

/// A numbered template group (`coupon_$n` of `coupon_id_$n` …), as `codegen::indexed` makes it.
fn group(name: &str, templates: Vec<Field>) -> Field {
    let mut field = array_of(name, templates);
    field.indexed = Some(Indexed {
        index: "n".to_owned(),
        indices: vec!["n".to_owned()],
        element: String::new(),
    });
    field
}

fn json_encoded(mut field: Field) -> Field {
    field.encoded = Some(Encoding::JsonEncode);
    field
}

fn v2_notification(envelope: Vec<Field>, resource: Vec<Field>) -> Notification {
    let mut n = notification("refund-processed", resource);
    n.source = "webhook/v2/refund-processed.md".to_owned();
    n.api_version = ApiVersion::V2;
    n.envelope = envelope;
    n
}

fn operation_row(report: &Report) -> Vec<(ChangeKind, Rule, bool)> {
    rows(report)
        .into_iter()
        .map(|(change, location, field, rule, breaking)| {
            assert_eq!((location, field), (Location::Operation, None));
            (change, rule, breaking)
        })
        .collect()
}

#[test]
fn security_added() {
    let mut new = v2(vec![], vec![]);
    new.security = true;
    let report = diff_ops(vec![v2(vec![], vec![])], vec![new]);
    assert_eq!(
        operation_row(&report),
        [(SecurityChanged, Rule::SecurityAdded, BREAKING)]
    );
    let change = &report.changes[0];
    assert_eq!(
        (&change.before, &change.after),
        (&false.into(), &true.into())
    );
    assert_eq!(change.operation, "POST /v2/pay/orderquery");
}

#[test]
fn security_removed() {
    let mut old = v2(vec![], vec![]);
    old.security = true;
    let report = diff_ops(vec![old], vec![v2(vec![], vec![])]);
    assert_eq!(
        operation_row(&report),
        [(SecurityChanged, Rule::SecurityRemoved, ADDITIVE)]
    );
}

#[test]
fn nonceless_changed() {
    let mut nonceless = v2(vec![], vec![]);
    nonceless.nonceless = true;
    for (old, new) in [
        (v2(vec![], vec![]), nonceless.clone()),
        (nonceless, v2(vec![], vec![])),
    ] {
        let report = diff_ops(vec![old], vec![new]);
        assert_eq!(
            operation_row(&report),
            [(NoncelessChanged, Rule::NoncelessChanged, ADDITIVE)]
        );
    }
}

#[test]
fn fragment_changed() {
    let mut redirect = v2(vec![], vec![]);
    redirect.fragment = Some("#wechat_redirect".to_owned());
    let report = diff_ops(vec![v2(vec![], vec![])], vec![redirect]);
    assert_eq!(
        operation_row(&report),
        [(FragmentChanged, Rule::FragmentChanged, ADDITIVE)]
    );
    assert_eq!(report.changes[0].after, "#wechat_redirect");
}

#[test]
fn v2_body_and_answer_kinds_change_by_the_kind_rules() {
    let mut json = v2(vec![], vec![]);
    json.body.kind = BodyKind::Json;
    json.response.kind = ResponseKind::Download;
    let report = diff_ops(vec![v2(vec![], vec![])], vec![json]);
    assert_eq!(
        rows(&report),
        [
            (
                TypeChanged,
                Request,
                None,
                Rule::RequestBodyKindChanged,
                BREAKING
            ),
            (
                TypeChanged,
                Location::Response,
                None,
                Rule::ResponseKindChanged,
                BREAKING
            ),
        ]
    );
    let values: Vec<_> = report
        .changes
        .iter()
        .map(|c| (&c.before, &c.after))
        .collect();
    assert_eq!(
        values,
        [
            (&"xml".into(), &"json".into()),
            (&"xml".into(), &"download".into())
        ]
    );
}

#[test]
fn v2_element_templates_follow_the_field_rules() {
    let coupons = |templates: Vec<Field>| group("coupon_$n", templates);
    let id = || string("coupon_id_$n");
    let fee = || field("coupon_fee_$n", FieldType::Integer);
    // Answer: a template added is additive, one removed breaking, one changing type breaking.
    let report = diff_ops(
        vec![v2(vec![], vec![coupons(vec![id(), fee()])])],
        vec![v2(
            vec![],
            vec![coupons(vec![
                id(),
                string("coupon_fee_$n"),
                string("coupon_type_$n"),
            ])],
        )],
    );
    assert_eq!(
        rows(&report),
        [
            (
                TypeChanged,
                Location::Response,
                Some("coupon_$n.coupon_fee_$n"),
                Rule::TypeChanged,
                BREAKING
            ),
            (
                FieldAdded,
                Location::Response,
                Some("coupon_$n.coupon_type_$n"),
                Rule::ResponseFieldAdded,
                ADDITIVE
            ),
        ]
    );
    // Request: element structs are built by callers like any request struct.
    let report = diff_ops(
        vec![v2(vec![coupons(vec![id(), fee()])], vec![])],
        vec![v2(
            vec![coupons(vec![
                id(),
                fee(),
                required(string("coupon_tag_$n")),
            ])],
            vec![],
        )],
    );
    assert_eq!(
        rows(&report),
        [(
            FieldAdded,
            Request,
            Some("coupon_$n.coupon_tag_$n"),
            Rule::RequestFieldAddedRequired,
            BREAKING
        )]
    );
    let report = diff_ops(
        vec![v2(vec![coupons(vec![id(), fee()])], vec![])],
        vec![v2(
            vec![coupons(vec![id(), fee(), string("coupon_tag_$n")])],
            vec![],
        )],
    );
    assert_eq!(report.changes[0].rule, Rule::RequestFieldAddedOptional);
    let report = diff_ops(
        vec![v2(vec![coupons(vec![id(), fee()])], vec![])],
        vec![v2(vec![coupons(vec![id()])], vec![])],
    );
    assert_eq!(report.changes[0].rule, Rule::RequestFieldRemoved);
}

#[test]
fn field_becomes_indexed_group() {
    // `coupon_id_0` documented as a plain element, then as the template `coupon_id_$n`.
    let report = diff_ops(
        vec![v2(vec![], vec![string("coupon_id_0"), string("cash_fee")])],
        vec![v2(
            vec![],
            vec![
                group("coupon_id_$n", vec![string("coupon_id_$n")]),
                string("cash_fee"),
            ],
        )],
    );
    assert_eq!(
        rows(&report),
        [(
            IndexedChanged,
            Location::Response,
            Some("coupon_id_0"),
            Rule::FieldBecomesIndexedGroup,
            BREAKING
        )]
    );
    assert_eq!(
        (&report.changes[0].before, &report.changes[0].after),
        (&"coupon_id_0".into(), &"coupon_id_$n".into())
    );
    // By the template's stem, and in a request; a field of the group's own name flips too.
    let report = diff_ops(
        vec![v2(vec![string("coupon_fee")], vec![])],
        vec![v2(
            vec![group(
                "coupon_$n",
                vec![string("coupon_id_$n"), string("coupon_fee_$n")],
            )],
            vec![],
        )],
    );
    assert_eq!(
        rows(&report),
        [(
            IndexedChanged,
            Request,
            Some("coupon_fee"),
            Rule::FieldBecomesIndexedGroup,
            BREAKING
        )]
    );
    let report = diff_ops(
        vec![v2(vec![], vec![string("coupon_$n")])],
        vec![v2(
            vec![],
            vec![group("coupon_$n", vec![string("coupon_id_$n")])],
        )],
    );
    assert_eq!(report.changes[0].rule, Rule::FieldBecomesIndexedGroup);
    assert_eq!(report.changes.len(), 1, "{:#?}", report.changes);
    // An unrelated plain field removed while a group is added is no flip.
    let report = diff_ops(
        vec![v2(vec![], vec![string("total_fee")])],
        vec![v2(
            vec![],
            vec![group("coupon_$n", vec![string("coupon_id_$n")])],
        )],
    );
    let rules: Vec<Rule> = report.changes.iter().map(|c| c.rule).collect();
    assert_eq!(
        rules,
        [Rule::ResponseFieldAdded, Rule::ResponseFieldRemoved]
    );
}

#[test]
fn indexed_group_becomes_field() {
    let report = diff_ops(
        vec![v2(
            vec![],
            vec![group(
                "coupon_$n",
                vec![string("coupon_id_$n"), string("coupon_fee_$n")],
            )],
        )],
        vec![v2(
            vec![],
            vec![string("coupon_id_0"), string("coupon_fee_0")],
        )],
    );
    assert_eq!(
        rows(&report),
        [
            (
                IndexedChanged,
                Location::Response,
                Some("coupon_id_0"),
                Rule::IndexedGroupBecomesField,
                BREAKING
            ),
            (
                IndexedChanged,
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
    // A template of another prefix joins: the group's name (and `Vec` member) changes; it stays
    // paired by its index, and the new template is an element member added.
    let report = diff_ops(
        vec![v2(
            vec![],
            vec![group("coupon_$n", vec![string("coupon_id_$n")])],
        )],
        vec![v2(
            vec![],
            vec![group(
                "$n",
                vec![string("coupon_id_$n"), string("refund_id_$n")],
            )],
        )],
    );
    assert_eq!(
        rows(&report),
        [
            (
                IndexedChanged,
                Location::Response,
                Some("$n"),
                Rule::IndexedGroupRenamed,
                BREAKING
            ),
            (
                FieldAdded,
                Location::Response,
                Some("$n.refund_id_$n"),
                Rule::ResponseFieldAdded,
                ADDITIVE
            ),
        ]
    );
    assert_eq!(report.changes[0].before, "coupon_$n");
}

#[test]
fn encryption_aes_ecb_changed() {
    let req_info = || required(string("req_info"));
    let mut ecb = req_info();
    ecb.encrypted = Some(Encryption::AesEcb);
    let resource = vec![string("out_refund_no")];
    let report = diff_events(
        vec![v2_notification(vec![ecb.clone()], resource.clone())],
        vec![v2_notification(vec![req_info()], vec![])],
    );
    assert_eq!(
        rows(&report),
        [
            (
                EncryptionChanged,
                Location::Envelope,
                Some("req_info"),
                Rule::EncryptionAesEcbChanged,
                BREAKING
            ),
            (
                FieldRemoved,
                Location::Response,
                Some("out_refund_no"),
                Rule::ResourceFieldRemoved,
                BREAKING
            ),
        ]
    );
    assert_eq!(report.changes[0].operation, "v2/refund-processed");
    // In an answer too, and from one marker to another.
    let mut gcm = req_info();
    gcm.encrypted = Some(Encryption::AesGcm);
    let report = diff_ops(vec![v2(vec![], vec![ecb])], vec![v2(vec![], vec![gcm])]);
    assert_eq!(report.changes[0].rule, Rule::EncryptionAesEcbChanged);
    assert!(report.changes[0].breaking);
}

#[test]
fn json_encoding_changed() {
    let detail = || json_string("detail", vec![required(string("goods_id"))]);
    let report = diff_ops(
        vec![v2(vec![detail()], vec![])],
        vec![v2(vec![json_encoded(detail())], vec![])],
    );
    assert_eq!(
        rows(&report),
        [(
            EncodingChanged,
            Request,
            Some("detail"),
            Rule::JsonEncodingChanged,
            BREAKING
        )]
    );
    assert_eq!(report.changes[0].after, "by-json_encode");
    // The content of a v2 JSON element is generated: its members follow the field rules ...
    let mut wider = json_encoded(detail());
    wider
        .decoded
        .as_mut()
        .unwrap()
        .fields
        .push(string("goods_name"));
    let report = diff_ops(
        vec![v2(
            vec![json_encoded(detail())],
            vec![json_encoded(detail())],
        )],
        vec![v2(vec![wider.clone()], vec![wider])],
    );
    assert_eq!(
        rows(&report),
        [
            (
                FieldAdded,
                Request,
                Some("detail.goods_name"),
                Rule::RequestFieldAddedOptional,
                ADDITIVE
            ),
            (
                FieldAdded,
                Location::Response,
                Some("detail.goods_name"),
                Rule::ResponseFieldAdded,
                ADDITIVE
            ),
        ]
    );
    // ... while in v3 the marker and the content are documentation.
    let mut v3_new = json_encoded(detail());
    v3_new
        .decoded
        .as_mut()
        .unwrap()
        .fields
        .push(required(string("goods_name")));
    let report = diff_ops(vec![post(vec![detail()])], vec![post(vec![v3_new])]);
    assert_eq!(
        rows(&report),
        [(
            FieldAdded,
            Request,
            Some("detail.goods_name"),
            Rule::DocumentationOnly,
            ADDITIVE
        )]
    );
}

#[test]
fn v2_and_v3_never_pair() {
    // The same method and path (and event type) in the other API version is another call.
    let mut v3 = v2(vec![], vec![]);
    v3.api_version = ApiVersion::V3;
    let report = diff_ops(vec![v3], vec![v2(vec![], vec![])]);
    let kinds: Vec<(ChangeKind, bool)> = report
        .changes
        .iter()
        .map(|c| (c.change, c.breaking))
        .collect();
    assert_eq!(
        kinds,
        [(OperationRemoved, BREAKING), (OperationAdded, ADDITIVE)]
    );

    let mut v3_event = notification("refund-processed", vec![]);
    v3_event.source = "webhook/v3/refund-processed.md".to_owned();
    let v2_event = v2_notification(vec![], vec![]);
    let report = diff_events(vec![v3_event.clone()], vec![v2_event.clone()]);
    let events: Vec<(&str, ChangeKind)> = report
        .changes
        .iter()
        .map(|c| (c.operation.as_str(), c.change))
        .collect();
    assert_eq!(
        events,
        [
            ("refund-processed", NotificationRemoved),
            ("v2/refund-processed", NotificationAdded)
        ]
    );
    // Both in one tree: neither hides the other.
    let both = || vec![v3_event.clone(), v2_event.clone()];
    assert_eq!(diff_events(both(), both()), Report::default());
    let report = diff_events(both(), vec![v2_event.clone()]);
    assert_eq!(report.changes.len(), 1);
    assert_eq!(report.changes[0].operation, "refund-processed");
}

// ---- the rules as a whole ---------------------------------------------------------------

#[test]
fn rule_ids_name_one_test_each() {
    let source = include_str!("api_diff_rules.rs");
    for rule in Rule::ALL {
        let test = format!("fn {}() {{", rule.id().replace('-', "_"));
        assert!(
            source.contains(&test),
            "no test `{test}` for rule `{}`",
            rule.id()
        );
    }
}

/// The table of `rules::table()` appears verbatim in the module docs and the README.
#[test]
fn the_rule_table_is_documented() {
    let table = rules::table();
    let module_doc: String = table.lines().map(|l| format!("//! {l}\n")).collect();
    let module = include_str!("../src/diff/mod.rs");
    assert!(
        module.contains(&module_doc),
        "src/diff/mod.rs lacks the current rule table:\n{module_doc}"
    );
    let readme = include_str!("../../README.md");
    assert!(
        readme.contains(&table),
        "README.md lacks the current rule table:\n{table}"
    );
}

/// `rules::struct_is_default` agrees with the emitter's `derive(Default)`.
#[test]
fn default_detection_matches_the_emitter() {
    let cases: Vec<(Vec<Field>, bool)> = vec![
        (
            vec![required(string("a")), field("b", FieldType::Number)],
            true,
        ),
        (vec![required(field("b", FieldType::Number))], false),
        (vec![required(values(string("kind"), &["A"]))], false),
        (vec![values(string("kind"), &["A"])], true),
        (
            vec![required(object(
                "o",
                vec![required(field("n", FieldType::Number))],
            ))],
            false,
        ),
        (
            vec![required(array_of(
                "l",
                vec![required(field("n", FieldType::Number))],
            ))],
            true,
        ),
        (
            vec![
                required(object("v", vec![])),
                required(field("i", FieldType::Integer)),
            ],
            true,
        ),
    ];
    for (fields, default) in cases {
        assert_eq!(rules::struct_is_default(&fields), default, "{fields:?}");
        let generated = codegen::emit::generate(&[post(fields.clone())], Default::default())
            .expect("generates");
        let code = generated.files.values().cloned().collect::<String>();
        let derives = code
            .split("pub struct PostRequest ")
            .next()
            .and_then(|head| head.rsplit("#[derive(").next())
            .expect("a PostRequest struct");
        assert_eq!(
            derives.starts_with("Clone, Default)"),
            default,
            "{fields:?}\n{code}"
        );
    }
}
