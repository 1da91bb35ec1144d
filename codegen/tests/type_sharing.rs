//! Within one generated file (a business area), a struct or string enum identical to an earlier
//! one (same fields, wire names, presence, types and direction; docs aside) is emitted once; the
//! later ones are `pub type` aliases of the first, by a path relative to their own module.

use std::path::Path;

use codegen::emit::{self, Options};
use codegen::spec_tree;

fn generated_specs() -> emit::Generated {
    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs/v3");
    let export = spec_tree::export(&spec_tree::read_tree(&specs).expect("specs/ is readable"));
    emit::generate(
        &export.operations,
        Options {
            area_features: true,
        },
    )
    .expect("specs/ emits")
}

#[test]
fn identical_types_of_one_area_are_aliases_of_the_first() {
    let generated = generated_specs();
    let marketing = &generated.files["v3/marketing.rs"];
    // `…/users/import` answers exactly like `…/phone-membercard/import`, emitted first.
    assert!(
        marketing.contains(
            "pub type PostResponse = super::super::phone_membercard::import::PostResponse;"
        ),
        "{marketing}"
    );
    assert_eq!(marketing.matches("pub struct PostResponse ").count(), 1);

    let brand = &generated.files["v3/brand.rs"];
    // A response enum with the request enum's values shares its definition.
    assert!(brand.contains(
        "pub type PostResponseValidDateInformationType = PostRequestDateInformationType;"
    ));
    assert!(!brand.contains("pub enum PostResponseValidDateInformationType"));
}
