//! openssl as an independent oracle for known-answer tests: the crate's own code is not used
//! to compute what it is checked against. Every helper returns `None` when openssl is not on
//! PATH (the caller then skips its independent check and says so).

use std::io::Write as _;
use std::process::{Command, Stdio};

/// `openssl ARGS` with `input` on stdin: its stdout. Panics (with openssl's stderr) when
/// openssl runs and fails.
pub fn run(args: &[&str], input: &[u8]) -> Option<Vec<u8>> {
    let mut child = match Command::new("openssl")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => panic!("openssl did not start: {e}"),
    };
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(input)
        .expect("openssl reads its input");
    let output = child.wait_with_output().expect("openssl finishes");
    assert!(
        output.status.success(),
        "openssl {} failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
    Some(output.stdout)
}

/// `openssl dgst ARGS -r` over `message`: the digest in upper-case hex.
#[allow(dead_code)] // not every test file digests
pub fn digest_hex(args: &[&str], message: &[u8]) -> Option<String> {
    let mut all = vec!["dgst"];
    all.extend_from_slice(args);
    all.push("-r");
    let out = run(&all, message)?;
    let text = String::from_utf8(out).expect("openssl prints hex");
    Some(
        text.split_whitespace()
            .next()
            .expect("a digest")
            .to_ascii_uppercase(),
    )
}
