//! Replays the inputs kept under `fixtures/fuzz/` (one directory per fuzz target of `fuzz/`)
//! through the same entry points as the fuzz targets: each must give IR or diagnostics, never a
//! panic or a stack overflow.

use std::fs;
use std::path::Path;

use codegen::fuzzing;

fn replay(target: &str, run: fn(&[u8]) -> Result<usize, Vec<codegen::Diagnostic>>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fuzz")
        .join(target);
    let mut inputs: Vec<_> = fs::read_dir(&dir)
        .expect("fixtures/fuzz/<target> exists")
        .map(|e| e.expect("readable entry").path())
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty(), "no inputs under {}", dir.display());
    for input in inputs {
        let bytes = fs::read(&input).expect("readable input");
        // A panic fails the test and names the input through the thread's panic message.
        eprintln!("replaying {}", input.display());
        let _ = run(&bytes);
    }
}

#[test]
fn imtable_inputs_replay_without_panics() {
    replay("imtable", fuzzing::imtable_page);
}

#[test]
fn twoslash_inputs_replay_without_panics() {
    replay("twoslash", fuzzing::twoslash_page);
}

#[test]
fn location_never_cuts_a_character() {
    let text = format!("chain('v3/{}é')", "a".repeat(296));
    assert_eq!(fuzzing::location(&text), fuzzing::LOCATION);
    assert_eq!(
        fuzzing::location("x chain('v3/pay/{id}') y"),
        "fuzz/openapi/v3/pay/{id}.md"
    );
    assert_eq!(fuzzing::location("no chain here"), fuzzing::LOCATION);
}
