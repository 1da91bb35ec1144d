#!/usr/bin/env bash
# CI step: generate the whole docs corpus (both page formats) into a temporary crate and check
# that it compiles, with every area (`full`) and with one small area alone. Nothing of the corpus
# or of the generated crate is committed; the crate lives in a temp dir and is removed on exit.
#
# The generated crate's dependencies are built into `target/generated-check` (gitignored), so later
# runs on the same checkout only re-check the generated code itself.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
corpus="$root/../shared/corpus"

if [ ! -d "$corpus" ]; then
    echo "whole-corpus: $corpus is absent; skipping"
    exit 0
fi

out=$(mktemp -d "${TMPDIR:-/tmp}/wechatpay-whole-corpus.XXXXXX")
trap 'rm -rf "$out"' EXIT

cargo xtask gen \
    --specs "$corpus/wechatpay.im/openapi/v3" "$corpus/wechatpay.js.org/openapi/v3" \
    --out "$out"

# Same dependency versions as the workspace (no resolution against the registry index).
cp Cargo.lock "$out/Cargo.lock"

# Shared with .ci/webhooks.sh (same flags, same lock file): dependencies build once.
export CARGO_TARGET_DIR="${GENERATED_CHECK_TARGET_DIR:-$root/target/generated-check}"
export RUSTFLAGS="${RUSTFLAGS:-} -D warnings"
small_area="${WHOLE_CORPUS_AREA:-refund}"

echo "whole-corpus: cargo check --features full"
(cd "$out" && cargo check --quiet --features full)

echo "whole-corpus: cargo check --no-default-features --features $small_area"
(cd "$out" && cargo check --quiet --no-default-features --features "$small_area")

echo "whole-corpus: ok"
