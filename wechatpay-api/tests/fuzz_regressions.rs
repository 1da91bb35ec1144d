//! Replays the inputs kept under `fixtures/fuzz/` (one directory per runtime fuzz target of
//! `fuzz/`: seeds, and every input a fuzzer found crashing) through the same entry points as the
//! targets: each must give a value or a typed error, never a panic or a stack overflow.

use std::fs;
use std::path::{Path, PathBuf};

use wechatpay_api::fuzzing;

fn inputs(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fuzz")
        .join(target);
    let mut inputs: Vec<_> = fs::read_dir(&dir)
        .expect("fixtures/fuzz/<target> exists")
        .map(|e| e.expect("readable entry").path())
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty(), "no inputs under {}", dir.display());
    inputs
}

fn replay(target: &str, run: impl Fn(&[u8])) {
    for input in inputs(target) {
        let bytes = fs::read(&input).expect("readable input");
        // A panic fails the test; the line above it names the input.
        eprintln!("replaying {}", input.display());
        run(&bytes);
    }
}

#[test]
fn answer_inputs_replay_without_panics() {
    replay("answer", |bytes| drop(fuzzing::answer(bytes)));
}

#[test]
fn webhook_inputs_replay_without_panics() {
    replay("webhook", |bytes| drop(fuzzing::webhook(bytes)));
}

#[test]
fn json_inputs_replay_without_panics() {
    replay("json", fuzzing::json);
}

/// The targets reach what they are for: signed seeds get past verification and decode.
#[test]
fn signed_seeds_reach_decoding() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz");
    let read = |path: &str| fs::read(dir.join(path)).unwrap();
    fuzzing::answer(&read("answer/signed_transaction.bin")).unwrap();
    fuzzing::answer(&read("answer/signed_refund_decrypt.bin")).unwrap();
    fuzzing::webhook(&read("webhook/resource_transaction.bin")).unwrap();
    fuzzing::webhook(&read("webhook/resource_unknown_event.bin")).unwrap();
    // Unsigned, or signed but sealed with another key: typed errors.
    assert!(fuzzing::answer(&read("answer/unsigned_error.bin")).is_err());
    assert!(fuzzing::webhook(&read("webhook/signed_envelope.bin")).is_err());
    // The mode byte and header lines.
    let (mode, headers, body) = fuzzing::split(b"\x05A: 1\nB:2\n\n{}");
    assert_eq!(mode, 5);
    assert_eq!(
        headers,
        [("A".into(), "1".into()), ("B".into(), "2".into())]
    );
    assert_eq!(body, b"{}");
    assert_eq!(fuzzing::split(b""), (0, Vec::new(), &b""[..]));
}
