#!/usr/bin/env bash
# Dependency advisories: `cargo deny check advisories` (configuration in deny.toml) against the
# RustSec advisory database, which cargo-deny fetches with git.
#
# When the database can be fetched, cargo-deny is installed (pinned, --locked) if missing and
# the check runs; a vulnerable, unsound or unmaintained dependency fails it. When it cannot be
# fetched, the check is skipped with a message (exit 0): a machine without that network path
# cannot check advisories, and says so instead of failing every run.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_DENY_VERSION=0.20.2
DB_URL=https://github.com/rustsec/advisory-db

if ! timeout 30 git ls-remote --exit-code "$DB_URL" HEAD >/dev/null 2>&1; then
    echo "advisories: SKIPPED: the RustSec advisory database ($DB_URL) cannot be fetched from this machine"
    exit 0
fi
if ! cargo deny --version >/dev/null 2>&1; then
    echo "advisories: installing cargo-deny $CARGO_DENY_VERSION"
    cargo install cargo-deny --locked --version "$CARGO_DENY_VERSION"
fi
cargo deny --version
cargo deny check advisories
