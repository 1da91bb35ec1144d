#!/usr/bin/env bash
# Generated notification types compile: generates every webhook page of the wechatpay.im corpus
# into a standalone crate (`cargo xtask gen --specs … --out …`, feature `webhook`) and runs
# `cargo check --all-features` on it. Skips (successfully) when the corpus is absent.
#
# The temporary crate builds into GENERATED_CHECK_TARGET_DIR when set, else into target/generated-check of
# this workspace, shared with .ci/whole-corpus.sh (kept between runs so dependencies compile once).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
corpus="$root/../shared/corpus/wechatpay.im/webhook/v3"
if [ ! -d "$corpus" ]; then
    echo "webhooks: corpus not found at $corpus; skipping"
    exit 0
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
start=$SECONDS
cargo xtask gen --specs "$corpus" --out "$tmp"
# The workspace's lock file pins the runtime's dependencies (no resolution, shared builds).
cp Cargo.lock "$tmp/"
count=$(find "$tmp/src/webhook" -name '*.rs' ! -name mod.rs | wc -l)
if [ "$count" -eq 0 ]; then
    echo "webhooks: no notification module generated from $corpus" >&2
    exit 1
fi
grep -q '^webhook = \[\]' "$tmp/Cargo.toml" || { echo "webhooks: no \`webhook\` feature in the generated crate" >&2; exit 1; }
# Shared with .ci/whole-corpus.sh (same flags, same lock file): dependencies build once.
export CARGO_TARGET_DIR="${GENERATED_CHECK_TARGET_DIR:-$root/target/generated-check}"
RUSTFLAGS="${RUSTFLAGS:-} -D warnings" cargo check --manifest-path "$tmp/Cargo.toml" --all-features
echo "webhooks: $count notification modules generated and checked in $((SECONDS - start)) s"
