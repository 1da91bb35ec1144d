//! The whole corpus (both page formats, first tree wins on a duplicate method and path) emits
//! byte-identical files however often, and in whatever order the operations arrive: name
//! collisions across thousands of types are settled by the sorted order, never by input order.
//! Skips when `../shared/corpus` is absent.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use codegen::emit::{self, Generated, Options};
use codegen::ir::Operation;
use codegen::spec_tree;

fn trees() -> Vec<PathBuf> {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
    vec![
        corpus.join("wechatpay.im/openapi/v3"),
        corpus.join("wechatpay.js.org/openapi/v3"),
    ]
}

/// Every operation of the trees, the first tree winning on a duplicate (as `cargo xtask gen`).
fn operations(trees: &[PathBuf]) -> Vec<Operation> {
    let mut seen = BTreeSet::new();
    let mut operations = Vec::new();
    for tree in trees {
        let export = spec_tree::export(&spec_tree::read_tree(tree).expect("corpus is readable"));
        for op in export.operations {
            if seen.insert((op.method, op.path.clone())) {
                operations.push(op);
            }
        }
    }
    operations
}

fn generate(operations: &[Operation]) -> Generated {
    emit::generate(
        operations,
        Options {
            area_features: true,
        },
    )
    .expect("the corpus emits")
}

/// A fixed permutation (xorshift-driven Fisher–Yates), different from the input order.
fn shuffled(mut operations: Vec<Operation>, mut seed: u64) -> Vec<Operation> {
    for i in (1..operations.len()).rev() {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        operations.swap(i, (seed % (i as u64 + 1)) as usize);
    }
    operations
}

#[test]
fn whole_corpus_output_is_byte_identical_in_any_operation_order() {
    let trees = trees();
    if trees.iter().any(|t| !t.is_dir()) {
        eprintln!("skipping: corpus not found at {}", trees[0].display());
        return;
    }
    let operations = operations(&trees);
    assert!(
        operations.len() > 800,
        "only {} operations read from the corpus",
        operations.len()
    );
    let first = generate(&operations);
    assert!(first.files.len() > 50, "only {} files", first.files.len());
    assert_eq!(first, generate(&operations), "a second run differs");
    for seed in [0x9e37_79b9_7f4a_7c15, 42] {
        let order = shuffled(operations.clone(), seed);
        assert_ne!(
            order.iter().map(|o| &o.path).collect::<Vec<_>>(),
            operations.iter().map(|o| &o.path).collect::<Vec<_>>(),
            "the shuffle changed nothing"
        );
        let again = generate(&order);
        for (file, content) in &first.files {
            assert!(
                again.files.get(file) == Some(content),
                "{file} differs when the operations arrive in another order (seed {seed:#x})"
            );
        }
        assert_eq!(first, again, "the file set differs in another order");
    }
}
