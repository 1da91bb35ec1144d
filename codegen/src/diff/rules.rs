//! The breaking rules: which change, in which place of the generated API, breaks code compiled
//! against the crate generated from the old docs.
//!
//! Every decision the diff makes goes through one function here and yields a [`Rule`]; the
//! rule carries the verdict and the reason, and [`table`] renders them all for the docs.

use serde::Serialize;

use crate::ir::{Encryption, Field, FieldType, ItemType};

/// Where a field lives in the generated Rust API, which decides what a change to it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// A member of a generated request struct: the JSON body, the query struct, the headers
    /// struct. Callers build these.
    Request,
    /// A member of a multipart `meta` part's struct (its decoded content): built like a
    /// request struct, but the runtime encrypts no field of it (it encrypts JSON bodies only).
    Meta,
    /// A member of a generated answer struct. Callers read these.
    Response,
    /// A member of a notification's `Resource` struct: read like an answer, but every member
    /// is an `Option` (the emitter makes resources lenient).
    Resource,
    /// A path placeholder: the argument of a chain method (`i64` for integers, else
    /// `impl Display`).
    Path,
    /// A multipart part: an argument of the operation's method (`FilePart`, `&Value` or the
    /// `meta` struct).
    Part,
    /// A header the runtime sets itself (`Wechatpay-Serial`, `Authorization`, …): never a
    /// parameter.
    RuntimeHeader,
    /// Documented but not generated: the decoded content of a JSON-in-a-string field (the
    /// field stays a `String`), the members of one-of alternatives of an operation's field,
    /// the children of anything that is not a generated struct.
    DocOnly,
}

impl Slot {
    /// Slots whose fields are members of generated structs.
    pub fn typed(self) -> bool {
        matches!(
            self,
            Slot::Request | Slot::Meta | Slot::Response | Slot::Resource
        )
    }
}

/// What the parent of an added field was in the old generated API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parent {
    /// A generated struct; `default` when it implements `Default` (every required member's
    /// type does: strings, integers, booleans, vectors, `Value`, `Default` structs; not
    /// `Number`, not string enums).
    Struct { default: bool },
    /// Not a struct: free-form JSON (`Value`, an object documented without members) or a
    /// scalar whose type changes.
    NotStruct,
    /// No parameter at all: the operation had no query parameters (no `query` argument) or
    /// no caller-set headers (no `headers` argument).
    Absent,
}

macro_rules! rules {
    ($( $variant:ident = $id:literal, $breaking:literal, $when:literal, $why:literal; )*) => {
        /// One breaking rule. Its id is the `rule` of a JSON change.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        pub enum Rule {
            $( #[doc = $when] #[serde(rename = $id)] $variant, )*
        }

        impl Rule {
            /// Every rule, in the order of the documented table.
            pub const ALL: &'static [Rule] = &[$(Rule::$variant),*];

            /// The kebab-case id (`request-field-added-required`).
            pub fn id(self) -> &'static str {
                match self { $(Rule::$variant => $id,)* }
            }

            /// Whether code compiled against the old crate breaks.
            pub fn breaking(self) -> bool {
                match self { $(Rule::$variant => $breaking,)* }
            }

            /// The change the rule covers.
            pub fn when(self) -> &'static str {
                match self { $(Rule::$variant => $when,)* }
            }

            /// Why it breaks, or why it does not.
            pub fn why(self) -> &'static str {
                match self { $(Rule::$variant => $why,)* }
            }
        }
    };
}

rules! {
    OperationAdded = "operation-added", false,
        "an operation is added",
        "a new chain method; nothing existing changes";
    OperationRemoved = "operation-removed", true,
        "an operation is removed",
        "its chain method and types disappear";
    RequestBodyKindChanged = "request-body-kind-changed", true,
        "the request body changes kind (JSON, XML, multipart, none)",
        "the method's parameters change";
    ResponseKindChanged = "response-kind-changed", true,
        "the answer changes kind (JSON, XML, v2 download, empty, binary)",
        "the call's output type changes";
    NotificationAdded = "notification-added", false,
        "a notification event type is added",
        "a new `Event` variant; `Event` is `#[non_exhaustive]` and unknown events were `Event::Unknown`";
    NotificationRemoved = "notification-removed", true,
        "a notification event type is removed",
        "its `Event` variant and `Resource` type disappear";
    RequestFieldAddedRequired = "request-field-added-required", true,
        "a required request field (body, query or header) is added",
        "every caller must now set it: struct literals stop compiling, and `..Default::default()` would send an empty value the API rejects";
    RequestFieldAddedOptional = "request-field-added-optional", false,
        "an optional request field is added to a struct that implements `Default`",
        "literals written the documented way, with `..Default::default()`, keep compiling and leave it `None`";
    RequestFieldAddedOptionalNoDefault = "request-field-added-optional-no-default", true,
        "an optional request field is added to a struct without `Default` (it has a required enum or `Number` member)",
        "such a struct can only be built by a literal that lists every field";
    FirstParameterAdded = "first-parameter-added", true,
        "the first query parameter or caller-set header of an operation is added",
        "the method gains a `query` or `headers` argument";
    ParentBecomesStruct = "parent-becomes-struct", true,
        "a field is added under a field that was free-form JSON (`Value`) or a scalar",
        "the parent's Rust type becomes a struct";
    ResponseFieldAdded = "response-field-added", false,
        "a response field is added, required or optional",
        "answers are read, not built: a new member breaks no reader";
    ResourceFieldAdded = "resource-field-added", false,
        "a notification resource field is added",
        "resources are read, not built: a new member breaks no reader";
    RequestFieldRemoved = "request-field-removed", true,
        "a request field is removed",
        "code that sets it stops compiling";
    ResponseFieldRemoved = "response-field-removed", true,
        "a response field is removed",
        "code that reads it stops compiling";
    ResourceFieldRemoved = "resource-field-removed", true,
        "a notification resource field is removed",
        "code that reads it stops compiling";
    RequestRequiredChanged = "request-required-changed", true,
        "a request field turns required or optional",
        "its type changes between `T` and `Option<T>`: assignments stop compiling";
    ResponseRequiredChanged = "response-required-changed", true,
        "a response field turns required or optional",
        "its type changes between `T` and `Option<T>`: reads stop compiling";
    ResourceRequiredChanged = "resource-required-changed", false,
        "a notification resource field turns required or optional",
        "every resource member is an `Option` whatever the docs say";
    TypeChanged = "type-changed", true,
        "a request, response or resource field changes type (`string`, `integer`, `number`, `boolean`, `object`, `T[]`)",
        "its Rust type changes";
    StringBecomesEnum = "string-becomes-enum", true,
        "a string field without documented values gains some",
        "its type changes from `String` to a generated enum";
    EnumBecomesString = "enum-becomes-string", true,
        "a string enum field loses all its documented values",
        "its type changes from the enum to `String`";
    EnumValueAdded = "enum-value-added", false,
        "a value is added to a string enum (request or response)",
        "a new variant of a `#[non_exhaustive]` enum; old code receives it as `Unknown(String)`";
    EnumValueRemoved = "enum-value-removed", true,
        "a value is removed from a string enum (request or response)",
        "its variant disappears: code that sends or matches it stops compiling";
    EnumValuesDocumented = "enum-values-documented", false,
        "the documented values of a non-string field (integer, number) change",
        "they are only documentation: the Rust type stays `i64` or `Number`";
    EncryptionChanged = "encryption-changed", false,
        "a JSON request or response field gains, loses or changes its encryption marker",
        "the Rust type stays the same and callers deal in plain text: the runtime encrypts and decrypts from the regenerated markers (a wire behaviour change, shown for review)";
    EncryptionChangedNotApplied = "encryption-changed-not-applied", false,
        "a member of a multipart `meta` part or of a notification resource gains, loses or changes its encryption marker",
        "the Rust type stays the same, and the runtime applies no marker there (it encrypts JSON bodies and decrypts JSON answers only): callers handle the ciphertext themselves, as before (review)";
    PathParamRenamed = "path-param-renamed", true,
        "a path placeholder is renamed (the template is otherwise the same)",
        "the chain method named after it is renamed";
    PathParamNowInteger = "path-param-now-integer", true,
        "a path placeholder turns `integer`",
        "the chain method's argument changes from `impl Display` to `i64`";
    PathParamDetail = "path-param-detail", false,
        "a path placeholder changes otherwise (from `integer`, required flag, values, encryption)",
        "the chain method takes `impl Display`, which an `i64` also is";
    PartChanged = "multipart-part-changed", true,
        "a multipart part is added, removed or changes type",
        "the method's arguments change";
    PartDetail = "multipart-part-detail", false,
        "a multipart part changes its required flag, values or encryption",
        "every part is a required argument whatever the docs say";
    RuntimeHeader = "runtime-header", false,
        "a header the runtime sets (`Wechatpay-Serial`, `Authorization`, `Accept`, `Content-Type`, `User-Agent`) changes",
        "it is not part of the generated API";
    SecurityAdded = "security-added", true,
        "an APIv2 operation starts requiring the merchant's API client certificate (`security`)",
        "a client built without a client certificate has the call refused in the TLS handshake: callers must now configure one";
    SecurityRemoved = "security-removed", false,
        "an APIv2 operation stops requiring the merchant's API client certificate",
        "a client that has a certificate keeps working; one without now succeeds too";
    NoncelessChanged = "nonceless-changed", false,
        "an APIv2 operation's `nonceless` flag flips (its signed parameters stop or start carrying `nonce_str`)",
        "the runtime adds or omits `nonce_str` from the regenerated `OperationSpec` and callers never set it: their code is unchanged (a wire signing change, shown for review)";
    FragmentChanged = "fragment-changed", false,
        "an APIv2 redirect's fixed URL fragment (`#wechat_redirect`) is added, removed or changed",
        "the runtime appends the regenerated fragment; no type changes";
    FieldBecomesIndexedGroup = "field-becomes-indexed-group", true,
        "a request, response or resource field turns into a numbered template group (`coupon_fee` or `coupon_fee_0` into `coupon_fee_$n`)",
        "its Rust type changes from a scalar member to a `Vec` of element structs";
    IndexedGroupBecomesField = "indexed-group-becomes-field", true,
        "a numbered template group turns back into a plain field",
        "its Rust type changes from a `Vec` of element structs to a scalar member";
    IndexedGroupRenamed = "indexed-group-renamed", true,
        "a numbered template group's name changes (the common prefix of its templates, e.g. when a template of another prefix joins)",
        "the `Vec` member named after the group (`coupons`) is renamed; element templates added or removed are judged by the field rules";
    EncryptionAesEcbChanged = "encryption-aes-ecb-changed", true,
        "a field gains or loses the `by-aes-ecb` encryption marker (an APIv2 `req_info`)",
        "the generated type changes between the element's ciphertext `String` and the decrypted struct";
    JsonEncodingChanged = "json-encoding-changed", true,
        "an APIv2 request, response or resource field gains or loses `encoded: by-json_encode`",
        "its Rust type changes between `String` and the struct of its JSON content (v2 JSON-in-a-string content is generated)";
    DocumentationOnly = "documentation-only", false,
        "anything changes in documented-but-not-generated content: the decoded content of a JSON-in-a-string field (APIv3), one-of alternatives of an operation's field",
        "the generated types do not change";
}

/// The rule of a field present only in the new docs, whose old parent was `parent`.
pub fn added(slot: Slot, required: bool, parent: Parent) -> Rule {
    match slot {
        Slot::DocOnly => Rule::DocumentationOnly,
        Slot::RuntimeHeader => Rule::RuntimeHeader,
        Slot::Path => Rule::PathParamRenamed,
        Slot::Part => Rule::PartChanged,
        _ if parent == Parent::Absent => Rule::FirstParameterAdded,
        _ if parent == Parent::NotStruct => Rule::ParentBecomesStruct,
        Slot::Response => Rule::ResponseFieldAdded,
        Slot::Resource => Rule::ResourceFieldAdded,
        Slot::Request | Slot::Meta if required => Rule::RequestFieldAddedRequired,
        Slot::Request | Slot::Meta if parent == (Parent::Struct { default: true }) => {
            Rule::RequestFieldAddedOptional
        }
        Slot::Request | Slot::Meta => Rule::RequestFieldAddedOptionalNoDefault,
    }
}

/// The rule of a field present only in the old docs.
pub fn removed(slot: Slot) -> Rule {
    match slot {
        Slot::DocOnly => Rule::DocumentationOnly,
        Slot::RuntimeHeader => Rule::RuntimeHeader,
        Slot::Path => Rule::PathParamRenamed,
        Slot::Part => Rule::PartChanged,
        Slot::Request | Slot::Meta => Rule::RequestFieldRemoved,
        Slot::Response => Rule::ResponseFieldRemoved,
        Slot::Resource => Rule::ResourceFieldRemoved,
    }
}

/// The rule of a field whose required flag flips.
pub fn required_changed(slot: Slot) -> Rule {
    match slot {
        Slot::Request | Slot::Meta => Rule::RequestRequiredChanged,
        Slot::Response => Rule::ResponseRequiredChanged,
        Slot::Resource => Rule::ResourceRequiredChanged,
        other => detail(other),
    }
}

/// The rule of a field whose documented type (`string`, `object[]`, …) changes.
pub fn type_changed(slot: Slot, new: &Field) -> Rule {
    match slot {
        Slot::Path if new.ty == FieldType::Integer => Rule::PathParamNowInteger,
        Slot::Part => Rule::PartChanged,
        other if other.typed() => Rule::TypeChanged,
        other => detail(other),
    }
}

/// The rule of values added to (`added`) or removed from a field's documented values, given
/// the field on both sides.
pub fn enum_changed(slot: Slot, old: &Field, new: &Field, added: bool) -> Rule {
    if !slot.typed() {
        return detail(slot);
    }
    if !is_string_like(old) || !is_string_like(new) {
        return Rule::EnumValuesDocumented;
    }
    match (
        added,
        old.enum_values.is_empty(),
        new.enum_values.is_empty(),
    ) {
        (true, true, _) => Rule::StringBecomesEnum,
        (true, false, _) => Rule::EnumValueAdded,
        (false, _, true) => Rule::EnumBecomesString,
        (false, _, false) => Rule::EnumValueRemoved,
    }
}

/// The rule of a field whose encryption marker changes.
pub fn encryption_changed(slot: Slot) -> Rule {
    match slot {
        Slot::Meta | Slot::Resource => Rule::EncryptionChangedNotApplied,
        other if other.typed() => Rule::EncryptionChanged,
        other => detail(other),
    }
}

/// The rule of a field that turns into a numbered template group (`to_group`) or back.
pub fn indexed_changed(slot: Slot, to_group: bool) -> Rule {
    match slot {
        other if other.typed() && to_group => Rule::FieldBecomesIndexedGroup,
        other if other.typed() => Rule::IndexedGroupBecomesField,
        other => detail(other),
    }
}

/// The rule of a numbered template group whose name changes.
pub fn indexed_renamed(slot: Slot) -> Rule {
    if slot.typed() {
        Rule::IndexedGroupRenamed
    } else {
        detail(slot)
    }
}

/// The rule of a field whose encryption marker changes to or from `old` → `new`.
pub fn encryption_marker_changed(
    slot: Slot,
    old: Option<Encryption>,
    new: Option<Encryption>,
) -> Rule {
    let aes_ecb = [old, new].contains(&Some(Encryption::AesEcb));
    match slot {
        other if other.typed() && aes_ecb => Rule::EncryptionAesEcbChanged,
        other => encryption_changed(other),
    }
}

/// The rule of an APIv2 field that gains or loses `encoded: by-json_encode`.
pub fn json_encoding_changed(slot: Slot) -> Rule {
    if slot.typed() {
        Rule::JsonEncodingChanged
    } else {
        detail(slot)
    }
}

/// The verdict for changes that do not reach the generated API of a slot.
fn detail(slot: Slot) -> Rule {
    match slot {
        Slot::Path => Rule::PathParamDetail,
        Slot::Part => Rule::PartDetail,
        Slot::RuntimeHeader => Rule::RuntimeHeader,
        _ => Rule::DocumentationOnly,
    }
}

/// Fields the emitter turns into string enums when they document values.
fn is_string_like(field: &Field) -> bool {
    field.ty == FieldType::String
        || (field.ty == FieldType::Array && field.items == Some(ItemType::String))
}

/// Whether the emitter derives `Default` for the struct of `fields` (mirrors
/// `emit::types`: optional members are `Option`; required ones must be `Default` themselves).
pub fn struct_is_default(fields: &[Field]) -> bool {
    fields.iter().all(|f| !f.required || type_is_default(f))
}

fn type_is_default(field: &Field) -> bool {
    match field.ty {
        FieldType::Object => struct_is_default(&field.fields),
        FieldType::Array => true,
        FieldType::String => field.enum_values.is_empty(),
        FieldType::Integer | FieldType::Boolean => true,
        FieldType::Number => false,
    }
}

/// The rule table, as markdown: rule id, change, breaking or additive, why.
pub fn table() -> String {
    let mut out = String::from("| rule | change | verdict | why |\n|---|---|---|---|\n");
    for rule in Rule::ALL {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            rule.id(),
            rule.when(),
            if rule.breaking() {
                "**breaking**"
            } else {
                "additive"
            },
            rule.why()
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_kebab_case_and_match_serde() {
        let mut ids: Vec<&str> = Rule::ALL.iter().map(|r| r.id()).collect();
        for rule in Rule::ALL {
            let id = rule.id();
            assert!(
                id.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{id}"
            );
            assert_eq!(serde_json::to_value(rule).unwrap(), id);
        }
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), Rule::ALL.len());
    }

    #[test]
    fn the_table_has_a_row_per_rule() {
        let table = table();
        assert_eq!(table.lines().count(), Rule::ALL.len() + 2);
        for rule in Rule::ALL {
            assert!(table.contains(&format!("| `{}` |", rule.id())));
        }
    }

    #[test]
    fn doc_only_and_runtime_slots_never_break() {
        let field = Field::new("a", FieldType::String, 1);
        for slot in [Slot::DocOnly, Slot::RuntimeHeader] {
            let parent = Parent::Struct { default: false };
            for rule in [
                added(slot, true, parent),
                removed(slot),
                required_changed(slot),
                type_changed(slot, &field),
                enum_changed(slot, &field, &field, true),
                enum_changed(slot, &field, &field, false),
                encryption_changed(slot),
                encryption_marker_changed(slot, None, Some(Encryption::AesEcb)),
                indexed_changed(slot, true),
                indexed_changed(slot, false),
                indexed_renamed(slot),
                json_encoding_changed(slot),
            ] {
                assert!(!rule.breaking(), "{slot:?}: {rule:?}");
            }
        }
    }
}
