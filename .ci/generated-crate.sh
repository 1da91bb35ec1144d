#!/usr/bin/env bash
# A crate generated outside the repository (`cargo xtask gen --specs specs --out DIR`) reaches its
# own operations through `Client::v3()`: a loopback test in the generated crate queries an order
# through its chain against the runtime's test server and gets the generated crate's own
# `models::Transaction` (the runtime crate's built-in chain would give another type, and the test
# would not compile). Needs only `specs/`, so it never skips.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
out="$(mktemp -d "${TMPDIR:-/tmp}/wechatpay-generated-crate.XXXXXX")"
trap 'rm -rf "$out"' EXIT

cargo xtask gen --specs specs --out "$out"
cp Cargo.lock "$out/"
cat >> "$out/Cargo.toml" <<EOF

[dev-dependencies]
wechatpay-api = { path = "$root/wechatpay-api", default-features = false, features = ["test-server"] }
tokio = { version = "1", features = ["rt", "macros"] }
serde_json = "1"
EOF
mkdir -p "$out/tests"
cat > "$out/tests/entry_point.rs" <<'EOF'
use wechatpay_generated::v3::pay::transactions::out_trade_no::out_trade_no::GetQuery;
use wechatpay_generated::{Client, models};
use wechatpay_api::runtime::HttpMethod;
use wechatpay_api::testing::{Route, TestServer};

#[tokio::test]
async fn client_v3_reaches_this_crates_operations() {
    let server = TestServer::builder().start().unwrap();
    server.route(
        Route::new(HttpMethod::Get, "/v3/pay/transactions/out-trade-no/{out_trade_no}").respond(
            200,
            serde_json::json!({
                "appid": "wxd678efh567hg6787", "mchid": "1230000109",
                "out_trade_no": "T-1", "trade_state": "SUCCESS", "amount": {"total": 1}
            }),
        ),
    );
    let client = Client::new(server.client_builder().build().unwrap());
    let order: models::Transaction = client
        .v3()
        .pay()
        .transactions()
        .out_trade_no()
        .out_trade_no("T-1")
        .get(&GetQuery { mchid: "1230000109".into() })
        .await
        .unwrap();
    assert_eq!(order.out_trade_no, "T-1");
    assert_eq!(order.amount.total, 1);
    assert_eq!(server.requests()[0].url, "/v3/pay/transactions/out-trade-no/T-1?mchid=1230000109");
}
EOF

export CARGO_TARGET_DIR="${GENERATED_CHECK_TARGET_DIR:-$root/target/generated-check}"
RUSTFLAGS="${RUSTFLAGS:-} -D warnings" cargo test --quiet --manifest-path "$out/Cargo.toml" --features full
echo "generated-crate: ok"
