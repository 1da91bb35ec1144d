#!/usr/bin/env bash
# CI step: generate the whole docs corpus (both page formats) into a temporary crate and check
# that it compiles, with every area (`full`) and with one small area alone; then the same for the
# APIv2 pages of both sites (`openapi/v2` and `webhook/v2`) in a crate of their own, reporting what
# the generator left out and why. Nothing of the corpus or of the generated crates is committed;
# they live in a temp dir and are removed on exit.
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

echo "whole-corpus: APIv2 (openapi/v2 and webhook/v2 of both sites)"
v2_start=$SECONDS
v2_out="$out/apiv2"
cargo xtask gen \
    --specs "$corpus/wechatpay.im/openapi/v2" "$corpus/wechatpay.js.org/openapi/v2" \
        "$corpus/wechatpay.im/webhook/v2" "$corpus/wechatpay.js.org/webhook/v2" \
    --out "$v2_out" 2> "$out/apiv2.log" || { cat "$out/apiv2.log" >&2; exit 1; }
grep -E '^(left out|generated)' "$out/apiv2.log"
cp Cargo.lock "$v2_out/Cargo.lock"
v2_operations=$(grep -rho 'impl ::wechatpay_api::runtime::v2::Operation for' "$v2_out/src/v2" | wc -l)
v2_notifications=$(grep -rho 'impl ::wechatpay_api::runtime::v2::NotificationKind for' "$v2_out/src/webhook/v2" | wc -l)
if [ "$v2_operations" -eq 0 ] || [ "$v2_notifications" -eq 0 ]; then
    echo "whole-corpus: no APIv2 operation or notification generated" >&2
    exit 1
fi
echo "whole-corpus: cargo check the APIv2 crate --features full ($v2_operations operations, $v2_notifications notifications)"
(cd "$v2_out" && cargo check --quiet --features full)
echo "whole-corpus: cargo check the APIv2 crate --no-default-features --features v2-pay"
(cd "$v2_out" && cargo check --quiet --no-default-features --features v2-pay)
echo "whole-corpus: APIv2 generated and checked in $((SECONDS - v2_start)) s"

echo "whole-corpus: ok"
