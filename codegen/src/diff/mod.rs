//! API diff: what changes between two doc trees, and whether it breaks code compiled against
//! the crate generated from the old one (`cargo xtask diff`).
//!
//! ```text
//! old pages ─┐                         ┌─ per operation: path, query, header, request, response
//!            ├─ IR ─ pair by operation ┤                                        ──▶ Report
//! new pages ─┘                         └─ per notification event: the resource
//! ```
//!
//! - Pages are read as `cargo xtask gen --specs` reads them, either format; a page that fails is
//!   listed in [`Report::errors`], and the operations of its file are compared with nothing (a
//!   failed new page does not make its old operations "removed").
//! - Operations are paired by method and path template, not by file: a moved page, or an old
//!   twoslash page against a new im-table page, compares as one operation. Templates that
//!   differ only in placeholder names pair too (one to one), and report the renamed placeholder.
//! - Fields are matched by wire name, level by level; arrays are transparent (`a.b`, not
//!   `a[].b`); the documented content of a JSON-in-a-string field counts as its children.
//! - The diff works on the IR, per operation: models shared between operations (`models:`) and
//!   types shared within an area are emitter details that do not show.
//! - Not compared: prose (summaries, descriptions, links, notices), `base_uri`, the `format`
//!   hint, the named model, a v3 notification's envelope, headers and reply (runtime types); a
//!   notification's resource is compared as the `response` of its event type.
//! - APIv2: a v2 operation or notification never pairs with a v3 one (v2 events are keyed
//!   `v2/…`). The flags `security`, `nonceless` and `fragment` are compared (location
//!   `operation`); a v2 notification's XML body is compared too (location `envelope`). A
//!   numbered template group (`coupon_$n`) is a member whose children are its element templates
//!   (the element struct of its `Vec`); it pairs by its index when its name changes, and with
//!   the plain fields it replaces (`coupon_fee`, `coupon_fee_0`) or that replace it. The content
//!   of a v2 `by-json_encode` element is generated (`JsonText`), so it counts as children.
//!
//! # Breaking rules
//!
//! "Breaking" means: code compiled against the crate generated from the old docs stops
//! compiling, or must change to keep making a correct call, against the crate generated from
//! the new ones — by the rules of the generated API (`emit`): required fields are plain
//! types, optional ones `Option<_>`; string fields with documented values are
//! `#[non_exhaustive]` enums with an `Unknown(String)` variant; request structs (body, query,
//! headers) are built by callers, with struct literals and, where the struct is `Default`,
//! `..Default::default()` (the README's way); answers and notification resources are read;
//! path placeholders are chain-method arguments; encrypted fields are plain text to callers.
//!
//! A struct of only public fields breaks any literal that lists its fields when it gains one.
//! The rules take the documented way of writing request literals: an optional field added to a
//! `Default` struct is additive (`..Default::default()` keeps compiling); added to a struct
//! without `Default` (one with a required enum or `Number` member), where a literal must list
//! every field, it is breaking.
//!
//! | rule | change | verdict | why |
//! |---|---|---|---|
//! | `operation-added` | an operation is added | additive | a new chain method; nothing existing changes |
//! | `operation-removed` | an operation is removed | **breaking** | its chain method and types disappear |
//! | `request-body-kind-changed` | the request body changes kind (JSON, XML, multipart, none) | **breaking** | the method's parameters change |
//! | `response-kind-changed` | the answer changes kind (JSON, XML, v2 download, empty, binary) | **breaking** | the call's output type changes |
//! | `notification-added` | a notification event type is added | additive | a new `Event` variant; `Event` is `#[non_exhaustive]` and unknown events were `Event::Unknown` |
//! | `notification-removed` | a notification event type is removed | **breaking** | its `Event` variant and `Resource` type disappear |
//! | `request-field-added-required` | a required request field (body, query or header) is added | **breaking** | every caller must now set it: struct literals stop compiling, and `..Default::default()` would send an empty value the API rejects |
//! | `request-field-added-optional` | an optional request field is added to a struct that implements `Default` | additive | literals written the documented way, with `..Default::default()`, keep compiling and leave it `None` |
//! | `request-field-added-optional-no-default` | an optional request field is added to a struct without `Default` (it has a required enum or `Number` member) | **breaking** | such a struct can only be built by a literal that lists every field |
//! | `first-parameter-added` | the first query parameter or caller-set header of an operation is added | **breaking** | the method gains a `query` or `headers` argument |
//! | `parent-becomes-struct` | a field is added under a field that was free-form JSON (`Value`) or a scalar | **breaking** | the parent's Rust type becomes a struct |
//! | `response-field-added` | a response field is added, required or optional | additive | answers are read, not built: a new member breaks no reader |
//! | `resource-field-added` | a notification resource field is added | additive | resources are read, not built: a new member breaks no reader |
//! | `request-field-removed` | a request field is removed | **breaking** | code that sets it stops compiling |
//! | `response-field-removed` | a response field is removed | **breaking** | code that reads it stops compiling |
//! | `resource-field-removed` | a notification resource field is removed | **breaking** | code that reads it stops compiling |
//! | `request-required-changed` | a request field turns required or optional | **breaking** | its type changes between `T` and `Option<T>`: assignments stop compiling |
//! | `response-required-changed` | a response field turns required or optional | **breaking** | its type changes between `T` and `Option<T>`: reads stop compiling |
//! | `resource-required-changed` | a notification resource field turns required or optional | additive | every resource member is an `Option` whatever the docs say |
//! | `type-changed` | a request, response or resource field changes type (`string`, `integer`, `number`, `boolean`, `object`, `T[]`) | **breaking** | its Rust type changes |
//! | `string-becomes-enum` | a string field without documented values gains some | **breaking** | its type changes from `String` to a generated enum |
//! | `enum-becomes-string` | a string enum field loses all its documented values | **breaking** | its type changes from the enum to `String` |
//! | `enum-value-added` | a value is added to a string enum (request or response) | additive | a new variant of a `#[non_exhaustive]` enum; old code receives it as `Unknown(String)` |
//! | `enum-value-removed` | a value is removed from a string enum (request or response) | **breaking** | its variant disappears: code that sends or matches it stops compiling |
//! | `enum-values-documented` | the documented values of a non-string field (integer, number) change | additive | they are only documentation: the Rust type stays `i64` or `Number` |
//! | `encryption-changed` | a JSON request or response field gains, loses or changes its encryption marker | additive | the Rust type stays the same and callers deal in plain text: the runtime encrypts and decrypts from the regenerated markers (a wire behaviour change, shown for review) |
//! | `encryption-changed-not-applied` | a member of a multipart `meta` part or of a notification resource gains, loses or changes its encryption marker | additive | the Rust type stays the same, and the runtime applies no marker there (it encrypts JSON bodies and decrypts JSON answers only): callers handle the ciphertext themselves, as before (review) |
//! | `path-param-renamed` | a path placeholder is renamed (the template is otherwise the same) | **breaking** | the chain method named after it is renamed |
//! | `path-param-now-integer` | a path placeholder turns `integer` | **breaking** | the chain method's argument changes from `impl Display` to `i64` |
//! | `path-param-detail` | a path placeholder changes otherwise (from `integer`, required flag, values, encryption) | additive | the chain method takes `impl Display`, which an `i64` also is |
//! | `multipart-part-changed` | a multipart part is added, removed or changes type | **breaking** | the method's arguments change |
//! | `multipart-part-detail` | a multipart part changes its required flag, values or encryption | additive | every part is a required argument whatever the docs say |
//! | `runtime-header` | a header the runtime sets (`Wechatpay-Serial`, `Authorization`, `Accept`, `Content-Type`, `User-Agent`) changes | additive | it is not part of the generated API |
//! | `security-added` | an APIv2 operation starts requiring the merchant's API client certificate (`security`) | **breaking** | a client built without a client certificate has the call refused in the TLS handshake: callers must now configure one |
//! | `security-removed` | an APIv2 operation stops requiring the merchant's API client certificate | additive | a client that has a certificate keeps working; one without now succeeds too |
//! | `nonceless-changed` | an APIv2 operation's `nonceless` flag flips (its signed parameters stop or start carrying `nonce_str`) | additive | the runtime adds or omits `nonce_str` from the regenerated `OperationSpec` and callers never set it: their code is unchanged (a wire signing change, shown for review) |
//! | `fragment-changed` | an APIv2 redirect's fixed URL fragment (`#wechat_redirect`) is added, removed or changed | additive | the runtime appends the regenerated fragment; no type changes |
//! | `field-becomes-indexed-group` | a request, response or resource field turns into a numbered template group (`coupon_fee` or `coupon_fee_0` into `coupon_fee_$n`) | **breaking** | its Rust type changes from a scalar member to a `Vec` of element structs |
//! | `indexed-group-becomes-field` | a numbered template group turns back into a plain field | **breaking** | its Rust type changes from a `Vec` of element structs to a scalar member |
//! | `indexed-group-renamed` | a numbered template group's name changes (the common prefix of its templates, e.g. when a template of another prefix joins) | **breaking** | the `Vec` member named after the group (`coupons`) is renamed; element templates added or removed are judged by the field rules |
//! | `encryption-aes-ecb-changed` | a field gains or loses the `by-aes-ecb` encryption marker (an APIv2 `req_info`) | **breaking** | the generated type changes between the element's ciphertext `String` and the decrypted struct |
//! | `json-encoding-changed` | an APIv2 request, response or resource field gains or loses `encoded: by-json_encode` | **breaking** | its Rust type changes between `String` and the struct of its JSON content (v2 JSON-in-a-string content is generated) |
//! | `documentation-only` | anything changes in documented-but-not-generated content: the decoded content of a JSON-in-a-string field (APIv3), one-of alternatives of an operation's field | additive | the generated types do not change |
//!
//! Each rule is decided in [`rules`] and unit-tested on its own (`tests/api_diff_rules.rs`).

mod compare;
mod fields;
pub mod markdown;
mod pairing;
mod report;
pub mod rules;

use serde_json::Value;

use crate::spec_tree::PageResult;

pub use report::{Change, ChangeKind, Location, PageError, Report, Side};
pub use rules::Rule;

/// Compares two trees of pages (as [`crate::spec_tree::read_tree`] reads them).
pub fn diff(old: &[PageResult], new: &[PageResult]) -> Report {
    let mut report = Report::default();
    let old_tree = pairing::Tree::new(old, Side::Old, &mut report.errors);
    let new_tree = pairing::Tree::new(new, Side::New, &mut report.errors);
    let at = |source: &str, line: u32| Some(format!("{source}:{line}"));
    for (old_op, new_op) in pairing::operations(&old_tree, &new_tree) {
        match (old_op, new_op) {
            (Some(o), Some(n)) => compare::operations(o, n, &mut report.changes),
            (Some(o), None) if !new_tree.failed.contains(o.source.as_str()) => {
                report.changes.push(compare::operation_change(
                    compare::operation_name(o),
                    Location::Operation,
                    ChangeKind::OperationRemoved,
                    Rule::OperationRemoved,
                    Value::String(o.summary.clone()),
                    Value::Null,
                    at(&o.source, o.line),
                    None,
                ))
            }
            (None, Some(n)) if !old_tree.failed.contains(n.source.as_str()) => {
                report.changes.push(compare::operation_change(
                    compare::operation_name(n),
                    Location::Operation,
                    ChangeKind::OperationAdded,
                    Rule::OperationAdded,
                    Value::Null,
                    Value::String(n.summary.clone()),
                    None,
                    at(&n.source, n.line),
                ))
            }
            _ => {}
        }
    }
    for (key, old_event, new_event) in pairing::events(&old_tree, &new_tree) {
        match (old_event, new_event) {
            (Some(o), Some(n)) => compare::notifications(&key, o, n, &mut report.changes),
            (Some(o), None) if !new_tree.failed.contains(o.source.as_str()) => {
                report.changes.push(compare::operation_change(
                    key,
                    Location::Operation,
                    ChangeKind::NotificationRemoved,
                    Rule::NotificationRemoved,
                    Value::String(o.summary.clone()),
                    Value::Null,
                    at(&o.source, o.line),
                    None,
                ))
            }
            (None, Some(n)) if !old_tree.failed.contains(n.source.as_str()) => {
                report.changes.push(compare::operation_change(
                    key,
                    Location::Operation,
                    ChangeKind::NotificationAdded,
                    Rule::NotificationAdded,
                    Value::Null,
                    Value::String(n.summary.clone()),
                    None,
                    at(&n.source, n.line),
                ))
            }
            _ => {}
        }
    }
    report.errors.sort();
    report
}
