#!/usr/bin/env bash
# The API diff of a change to specs/, for the review: prints the markdown report of
# `cargo xtask diff --git BASE` (specs/ at BASE against the working tree), where BASE is the merge
# base with main. On main itself (a clean clone of main: the merge base is HEAD) BASE is HEAD~1,
# so the log shows what the last commit (or merge) did to the API; with no HEAD~1 (a single
# commit, or a depth-1 shallow clone) there is nothing to compare and the step says so.
#
# Prints nothing but a line when specs/ did not change since BASE.
#
# API_DIFF_DENY=breaking fails the step (exit 2) on any breaking change; the default reports only.
# Page errors fail the step either way (exit 1): specs/ must always read.
set -euo pipefail
cd "$(dirname "$0")/.."

main_ref=""
for ref in main origin/main; do
    if git rev-parse --verify --quiet "$ref^{commit}" >/dev/null; then
        main_ref="$ref"
        break
    fi
done
if [ -z "$main_ref" ]; then
    echo "api diff: no main branch to compare with; skipping"
    exit 0
fi
base="$(git merge-base HEAD "$main_ref")"
if [ "$base" = "$(git rev-parse HEAD)" ]; then
    if ! base="$(git rev-parse --verify --quiet 'HEAD~1^{commit}')"; then
        echo "api diff: HEAD is main and has no parent here; nothing to compare"
        exit 0
    fi
    echo "api diff: HEAD is main; comparing with its parent HEAD~1"
fi
short="$(git rev-parse --short "$base")"
if git diff --quiet "$base" -- specs && [ -z "$(git ls-files --others --exclude-standard -- specs)" ]; then
    echo "api diff: specs/ unchanged since $short; nothing to report"
    exit 0
fi

deny=()
case "${API_DIFF_DENY:-}" in
    "") ;;
    breaking) deny=(--deny breaking) ;;
    *) echo "api diff: API_DIFF_DENY must be empty or \`breaking\`, not \`$API_DIFF_DENY\`" >&2; exit 1 ;;
esac
echo "api diff: specs/ at $short against the working tree"
cargo xtask diff --git "$short" "${deny[@]}"
