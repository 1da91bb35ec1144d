//! APIv2 numbered templates (FORMATS.md A, `*_$n`, `*_$n_$m`): XML elements named
//! `coupon_fee_0`, `coupon_fee_1` … documented once as `coupon_fee_$n`. The rows of one index
//! become one array-of-objects field marked [`Indexed`], so an emitter can make a `Vec` of
//! structs (and a `Vec` of them inside for a second index) instead of numbered fields.

use crate::ir::{Field, FieldType, Indexed, ItemType};
use crate::names::{Scope, field_ident};

/// The indices of a template name, outermost first: `coupon_refund_id_$n_$m` → `["n", "m"]`.
/// Only trailing `_$x` segments (one lower-case letter) count.
pub fn indices(name: &str) -> Vec<String> {
    let mut found: Vec<String> = name
        .rsplit('_')
        .map_while(|segment| {
            let index = segment.strip_prefix('$')?;
            (index.len() == 1 && index.chars().all(|c| c.is_ascii_lowercase()))
                .then(|| index.to_owned())
        })
        .collect();
    found.reverse();
    found
}

/// A template name without its trailing index segments: `coupon_fee_$n` → `coupon_fee`.
pub fn stem(name: &str) -> &str {
    let mut stem = name;
    while let Some((head, last)) = stem.rsplit_once('_') {
        if last.starts_with('$') {
            stem = head;
        } else {
            break;
        }
    }
    stem
}

/// Groups the templated fields of one XML level; fields without an index are kept as they
/// are, in order, and each group takes the place of its first member. Rust names of the level
/// are made unique (a group is named after what its elements are, in the plural: `coupons`,
/// `refunds`; see [`Indexed::element`]).
pub fn group(fields: Vec<Field>) -> Result<Vec<Field>, (u32, String)> {
    for field in &fields {
        if field.name.contains('$') && indices(&field.name).is_empty() {
            return Err((
                field.line,
                format!(
                    "`{}`: a `$` index must end the name as `_$n` (one lower-case letter)",
                    field.name
                ),
            ));
        }
    }
    if !fields.iter().any(|f| !indices(&f.name).is_empty()) {
        return Ok(fields);
    }
    let tagged = fields.into_iter().map(|f| (indices(&f.name), f)).collect();
    level(tagged, 0)
}

fn level(fields: Vec<(Vec<String>, Field)>, depth: usize) -> Result<Vec<Field>, (u32, String)> {
    // Output slots: a plain field, or the members of the group of one index.
    enum Slot {
        Plain(Field),
        Group(String, Vec<(Vec<String>, Field)>),
    }
    let mut slots: Vec<Slot> = Vec::new();
    for (indices, field) in fields {
        let Some(index) = indices.get(depth).cloned() else {
            slots.push(Slot::Plain(field));
            continue;
        };
        if indices[..depth].contains(&index) {
            return Err((
                field.line,
                format!("`{}` repeats the index `${index}`", field.name),
            ));
        }
        match slots
            .iter_mut()
            .find(|s| matches!(s, Slot::Group(i, _) if *i == index))
        {
            Some(Slot::Group(_, members)) => members.push((indices, field)),
            _ => slots.push(Slot::Group(index, vec![(indices, field)])),
        }
    }
    let mut scope = Scope::new();
    let mut out = Vec::with_capacity(slots.len());
    for slot in slots {
        let mut field = match slot {
            Slot::Plain(mut field) => {
                field.rust_name = field_ident(stem(&field.name));
                field
            }
            Slot::Group(index, members) => group_field(index, members, depth)?,
        };
        field.rust_name = scope.unique_field(std::mem::take(&mut field.rust_name));
        out.push(field);
    }
    Ok(out)
}

fn group_field(
    index: String,
    members: Vec<(Vec<String>, Field)>,
    depth: usize,
) -> Result<Field, (u32, String)> {
    let line = members[0].1.line;
    let required = members.iter().any(|(_, f)| f.required);
    let stems: Vec<&str> = members.iter().map(|(_, f)| stem(&f.name)).collect();
    let prefix = common_prefix(&stems);
    let element = element_noun(&prefix, &stems);
    let indices: Vec<String> = members[0].0[..=depth].to_vec();
    let name = format!("{prefix}${index}");
    let fields = level(members, depth + 1)?;
    let mut field = Field::new(&name, FieldType::Array, line);
    field.rust_name = field_ident(&plural(&element));
    field.items = Some(ItemType::Object);
    field.required = required;
    field.description = format!(
        "The elements numbered by `${index}` (`{}` …), zero-based on the wire.",
        fields.first().map_or("", |f| f.name.as_str())
    );
    field.fields = fields;
    field.indexed = Some(Indexed {
        index,
        indices,
        element,
    });
    Ok(field)
}

/// What one element of a group is: the templates' common prefix (`coupon_`), else the word
/// most of their stems share (the first of the most frequent, when it occurs more than once),
/// else `item`.
fn element_noun(prefix: &str, stems: &[&str]) -> String {
    let prefix = prefix.trim_end_matches('_');
    if !prefix.is_empty() {
        return prefix.to_owned();
    }
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for word in stems.iter().flat_map(|stem| stem.split('_')) {
        match counts.iter_mut().find(|(w, _)| *w == word) {
            Some((_, count)) => *count += 1,
            None if !word.is_empty() => counts.push((word, 1)),
            None => {}
        }
    }
    let best = counts.iter().map(|(_, count)| *count).max().unwrap_or(0);
    match counts.iter().find(|(_, count)| *count == best) {
        Some((word, _)) if best > 1 => (*word).to_owned(),
        _ => "item".to_owned(),
    }
}

/// The English plural of a snake_case noun's last word: `coupon` → `coupons`,
/// `coupon_refund` → `coupon_refunds`, `batch` → `batches`, `entry` → `entries`.
fn plural(noun: &str) -> String {
    let consonant_y = noun.len() > 1
        && noun.ends_with('y')
        && !noun[..noun.len() - 1].ends_with(['a', 'e', 'i', 'o', 'u']);
    if consonant_y {
        format!("{}ies", &noun[..noun.len() - 1])
    } else if noun.ends_with(['s', 'x', 'z']) || noun.ends_with("ch") || noun.ends_with("sh") {
        format!("{noun}es")
    } else {
        format!("{noun}s")
    }
}

/// The longest common prefix of `stems` that ends at a `_` boundary (`coupon_`), or empty.
fn common_prefix(stems: &[&str]) -> String {
    let first = stems.first().copied().unwrap_or("");
    let mut len = first.len();
    for stem in &stems[1..] {
        // Whole characters only, so the prefix never ends inside one.
        len = first
            .char_indices()
            .zip(stem.chars())
            .take_while(|((at, a), b)| *at < len && a == b)
            .last()
            .map_or(0, |((at, a), _)| at + a.len_utf8());
    }
    let shared = &first[..len];
    match shared.rfind('_') {
        Some(end) if stems.len() > 1 => shared[..=end].to_owned(),
        _ if stems.len() == 1 => format!("{first}_"),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(name: &str) -> Field {
        Field::new(name, FieldType::String, 1)
    }

    #[test]
    fn template_indices() {
        assert_eq!(indices("coupon_fee_$n"), ["n"]);
        assert_eq!(indices("coupon_refund_id_$n_$m"), ["n", "m"]);
        assert!(indices("coupon_fee").is_empty());
        assert_eq!(stem("coupon_refund_id_$n_$m"), "coupon_refund_id");
    }

    #[test]
    fn groups_one_and_two_indices() {
        let out = group(vec![
            f("refund_count"),
            f("refund_id_$n"),
            f("coupon_type_$n_$m"),
            f("refund_fee_$n"),
            f("coupon_refund_id_$n_$m"),
            f("total_fee"),
        ])
        .unwrap();
        let names: Vec<_> = out.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["refund_count", "$n", "total_fee"]);
        let n = &out[1];
        assert_eq!(n.rust_name, "refunds");
        assert_eq!(n.indexed.as_ref().unwrap().element, "refund");
        assert_eq!(n.ty, FieldType::Array);
        assert_eq!(n.indexed.as_ref().unwrap().indices, ["n"]);
        let inner: Vec<_> = n.fields.iter().map(|f| f.rust_name.as_str()).collect();
        assert_eq!(inner, ["refund_id", "coupons", "refund_fee"]);
        let m = &n.fields[1];
        assert_eq!(m.name, "coupon_$m");
        assert_eq!(m.indexed.as_ref().unwrap().index, "m");
        assert_eq!(m.indexed.as_ref().unwrap().indices, ["n", "m"]);
        assert_eq!(m.fields[1].name, "coupon_refund_id_$n_$m");
        assert_eq!(m.fields[1].rust_name, "coupon_refund_id");
    }

    #[test]
    fn elements_are_named_by_prefix_then_by_the_shared_word() {
        assert_eq!(
            element_noun("coupon_", &["coupon_fee", "coupon_id"]),
            "coupon"
        );
        let refund = ["out_refund_no", "refund_id", "refund_fee", "coupon_type"];
        assert_eq!(element_noun("", &refund), "refund");
        assert_eq!(element_noun("", &["openid", "amount"]), "item");
        for (noun, plural_form) in [
            ("coupon", "coupons"),
            ("coupon_refund", "coupon_refunds"),
            ("batch", "batches"),
            ("entry", "entries"),
            ("day", "days"),
            ("item_no", "item_nos"),
        ] {
            assert_eq!(plural(noun), plural_form);
        }
    }

    #[test]
    fn group_names_from_the_common_prefix() {
        assert_eq!(common_prefix(&["coupon_fee", "coupon_id"]), "coupon_");
        assert_eq!(common_prefix(&["refund_id", "out_refund_no"]), "");
        assert_eq!(common_prefix(&["item_no"]), "item_no_");
        // Stems that part inside a multi-byte character.
        assert_eq!(common_prefix(&["券_中", "券_丰"]), "券_");
        assert_eq!(common_prefix(&["中", "丰"]), "");
    }

    #[test]
    fn a_misplaced_index_is_an_error() {
        assert!(group(vec![f("a_$n_b")]).is_err());
        assert!(group(vec![f("a_$n_$n")]).is_err());
    }
}
