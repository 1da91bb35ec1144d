//! The report: every change found, every page that could not be read. Its JSON form is what
//! `cargo xtask diff --format json` prints.

use serde::Serialize;
use serde_json::Value;

use super::rules::Rule;

/// What one diff found.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Report {
    /// Ordered by operation (path, then method; notifications after operations), then by
    /// location, then in document order.
    pub changes: Vec<Change>,
    /// Pages of either tree that failed to read; their operations are compared with nothing.
    pub errors: Vec<PageError>,
}

impl Report {
    /// The number of breaking changes.
    pub fn breaking(&self) -> usize {
        self.changes.iter().filter(|c| c.breaking).count()
    }

    /// The number of distinct operations (and notifications) with changes.
    pub fn operations(&self) -> usize {
        let mut names: Vec<&str> = self.changes.iter().map(|c| c.operation.as_str()).collect();
        names.dedup();
        names.len()
    }
}

/// One API change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// `METHOD /path/template` (the new template when a placeholder was renamed), or a
    /// notification's event type (`TRANSACTION.SUCCESS`, `partner/TRANSACTION.SUCCESS` for a
    /// page of the `webhook/v3/partner/` group).
    pub operation: String,
    pub location: Location,
    /// Dotted wire names from the root of the location (`scene_info.h5_info.type`); arrays are
    /// transparent and decoded JSON-in-a-string content counts as children. `None` for
    /// operation-level changes.
    pub field: Option<String>,
    pub change: ChangeKind,
    /// The old state: `false`/`true` (required), a type (`object[]`), the list of values, an
    /// encryption marker (or `null`), `{"type", "required"}` of a removed field, the summary
    /// of a removed operation; `null` where there was nothing.
    pub before: Value,
    /// The new state, in the same terms.
    pub after: Value,
    pub breaking: bool,
    /// The rule that decided `breaking` (see the table in [`crate::diff`]).
    pub rule: Rule,
    /// `file:line` in the old tree: the field, or for an added field the nearest old
    /// ancestor (the parent field or the operation heading); `None` for an added operation.
    pub old: Option<String>,
    /// `file:line` in the new tree, likewise.
    pub new: Option<String>,
}

/// Where in an operation a change is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Location {
    /// The operation (or notification) itself.
    Operation,
    /// A path placeholder.
    Path,
    Query,
    Header,
    /// The JSON or multipart body.
    Request,
    /// The answer; for a notification, its decrypted resource.
    Response,
    /// The XML body of an APIv2 notification (its elements, the encrypted one included).
    Envelope,
}

impl Location {
    pub fn name(self) -> &'static str {
        match self {
            Location::Operation => "operation",
            Location::Path => "path",
            Location::Query => "query",
            Location::Header => "header",
            Location::Request => "request",
            Location::Response => "response",
            Location::Envelope => "envelope",
        }
    }
}

/// The kind of a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    OperationAdded,
    OperationRemoved,
    FieldAdded,
    FieldRemoved,
    RequiredChanged,
    TypeChanged,
    EnumValuesAdded,
    EnumValuesRemoved,
    EncryptionChanged,
    NotificationAdded,
    NotificationRemoved,
    SecurityChanged,
    NoncelessChanged,
    FragmentChanged,
    IndexedChanged,
    EncodingChanged,
}

impl ChangeKind {
    pub const ALL: [ChangeKind; 16] = [
        ChangeKind::OperationAdded,
        ChangeKind::OperationRemoved,
        ChangeKind::FieldAdded,
        ChangeKind::FieldRemoved,
        ChangeKind::RequiredChanged,
        ChangeKind::TypeChanged,
        ChangeKind::EnumValuesAdded,
        ChangeKind::EnumValuesRemoved,
        ChangeKind::EncryptionChanged,
        ChangeKind::NotificationAdded,
        ChangeKind::NotificationRemoved,
        ChangeKind::SecurityChanged,
        ChangeKind::NoncelessChanged,
        ChangeKind::FragmentChanged,
        ChangeKind::IndexedChanged,
        ChangeKind::EncodingChanged,
    ];

    /// The kebab-case name of the JSON form.
    pub fn name(self) -> &'static str {
        match self {
            ChangeKind::OperationAdded => "operation-added",
            ChangeKind::OperationRemoved => "operation-removed",
            ChangeKind::FieldAdded => "field-added",
            ChangeKind::FieldRemoved => "field-removed",
            ChangeKind::RequiredChanged => "required-changed",
            ChangeKind::TypeChanged => "type-changed",
            ChangeKind::EnumValuesAdded => "enum-values-added",
            ChangeKind::EnumValuesRemoved => "enum-values-removed",
            ChangeKind::EncryptionChanged => "encryption-changed",
            ChangeKind::NotificationAdded => "notification-added",
            ChangeKind::NotificationRemoved => "notification-removed",
            ChangeKind::SecurityChanged => "security-changed",
            ChangeKind::NoncelessChanged => "nonceless-changed",
            ChangeKind::FragmentChanged => "fragment-changed",
            ChangeKind::IndexedChanged => "indexed-changed",
            ChangeKind::EncodingChanged => "encoding-changed",
        }
    }
}

/// Which tree a page belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Old,
    New,
}

/// A page that failed to read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct PageError {
    pub side: Side,
    /// `file:line` (line 0: the whole file).
    pub file: String,
    pub message: String,
}
