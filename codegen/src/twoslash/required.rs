//! Required flags when both page formats describe an operation: **im-table wins**.
//!
//! The TypeScript pages mark most fields required (no `?`), including 627 of the 1752 shared
//! top-level JSON fields that im-table documents as optional (FORMATS.md B.5); im-table's
//! `data-required` is the maintained source.

use crate::ir::{Field, Operation};

/// Copies im-table's required flags onto the same-named fields of a twoslash operation (same
/// method and path), recursively. Fields only one side documents keep their flag. Returns how
/// many flags changed.
pub fn adopt_required_flags(twoslash: &mut Operation, imtable: &Operation) -> usize {
    adopt(&mut twoslash.path_params, &imtable.path_params)
        + adopt(&mut twoslash.query, &imtable.query)
        + adopt(&mut twoslash.headers, &imtable.headers)
        + adopt(&mut twoslash.body.fields, &imtable.body.fields)
        + adopt(&mut twoslash.response.fields, &imtable.response.fields)
}

fn adopt(twoslash: &mut [Field], imtable: &[Field]) -> usize {
    let mut changed = 0;
    for field in twoslash {
        if let Some(source) = imtable.iter().find(|f| f.name == field.name) {
            if field.required != source.required {
                field.required = source.required;
                changed += 1;
            }
            changed += adopt(&mut field.fields, &source.fields);
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::FieldType;

    fn field(name: &str, required: bool, children: Vec<Field>) -> Field {
        let mut field = Field::new(name, FieldType::Object, 1);
        field.required = required;
        field.fields = children;
        field
    }

    #[test]
    fn imtable_flags_win_recursively_and_unmatched_fields_keep_theirs() {
        let mut twoslash = vec![
            field("a", true, vec![field("b", true, vec![])]),
            field("only_twoslash", true, vec![]),
        ];
        let imtable = vec![field("a", false, vec![field("b", false, vec![])])];
        assert_eq!(adopt(&mut twoslash, &imtable), 2);
        assert!(!twoslash[0].required && !twoslash[0].fields[0].required);
        assert!(twoslash[1].required);
    }
}
