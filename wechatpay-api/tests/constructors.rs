//! The generated request constructors (`Name::new(required fields…)`) in real calls against the
//! loopback WeChat Pay: the required fields in wire order, every optional one `None` and so left
//! out of the wire body (no `null`), optional ones set with struct update syntax, string fields
//! taking `&str` or `String`.

use serde_json::{Value, json};
use wechatpay_api::runtime::{Client, Operation};
use wechatpay_api::testing::{RecordedRequest, Route, TestServer, keys};
use wechatpay_api::v3::pay::partner::transactions::jsapi as partner_jsapi;
use wechatpay_api::v3::pay::transactions::jsapi;
use wechatpay_api::v3::pay::transactions::out_trade_no::out_trade_no;
use wechatpay_api::v3::refund::domestic::refunds;

const APPID: &str = "wxd678efh567hg6787";
const OPENID: &str = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";
const OUT_TRADE_NO: &str = "1217752501201407033233368018";
const NOTIFY_URL: &str = "https://www.weixin.qq.com/wxpay/pay.php";
const PREPAY_ID: &str = "wx26112221580621e9b071c00d9e093b0000";

fn server_for<O: Operation>(status: u16, answer: Value) -> (TestServer, Client) {
    let server = TestServer::builder().start().unwrap();
    server.route(
        Route::new(O::SPEC.method, O::SPEC.path)
            .encrypted_request_fields(O::SPEC.encrypted_request_fields)
            .respond(status, answer),
    );
    let client = server.client_builder().build().unwrap();
    (server, client)
}

fn only_request(server: &TestServer) -> RecordedRequest {
    let mut requests = server.requests();
    assert_eq!(requests.len(), 1, "{requests:#?}");
    requests.pop().unwrap()
}

/// The body as it crossed the wire, checked to hold no `null` anywhere.
fn wire_without_nulls(request: &RecordedRequest) -> Value {
    fn no_nulls(value: &Value, path: &str) {
        match value {
            Value::Null => panic!("`{path}` is null on the wire"),
            Value::Object(map) => map
                .iter()
                .for_each(|(k, v)| no_nulls(v, &format!("{path}.{k}"))),
            Value::Array(items) => items
                .iter()
                .enumerate()
                .for_each(|(i, v)| no_nulls(v, &format!("{path}[{i}]"))),
            _ => {}
        }
    }
    let raw = std::str::from_utf8(&request.body).unwrap();
    assert!(!raw.contains("null"), "{raw}");
    let wire: Value = serde_json::from_str(raw).unwrap();
    no_nulls(&wire, "$");
    wire
}

#[tokio::test]
async fn jsapi_prepay_from_required_fields_only() {
    let (server, client) = server_for::<jsapi::Post>(200, json!({"prepay_id": PREPAY_ID}));
    let mchid = String::from(keys::MERCHANT_ID);
    // `&str` and `String` both go into string fields; nested types have constructors too.
    let body = jsapi::PostRequest::new(
        APPID,
        mchid,
        "Blue mug",
        OUT_TRADE_NO,
        jsapi::PostRequestAmount::new(1),
        NOTIFY_URL,
        jsapi::PostRequestPayer::new(OPENID),
    );
    assert!(body.attach.is_none() && body.scene_info.is_none() && body.payer.identity.is_none());
    let answer = client
        .v3()
        .pay()
        .transactions()
        .jsapi()
        .post(&body)
        .await
        .unwrap();
    assert_eq!(answer.prepay_id, PREPAY_ID);

    let request = only_request(&server);
    let expected = json!({
        "appid": APPID,
        "mchid": keys::MERCHANT_ID,
        "description": "Blue mug",
        "out_trade_no": OUT_TRADE_NO,
        "amount": {"total": 1},
        "notify_url": NOTIFY_URL,
        "payer": {"openid": OPENID}
    });
    assert_eq!(wire_without_nulls(&request), expected);
    assert_eq!(request.json.as_ref(), Some(&expected));
}

#[tokio::test]
async fn optional_fields_set_with_struct_update_syntax() {
    let (server, client) = server_for::<jsapi::Post>(200, json!({"prepay_id": PREPAY_ID}));
    let body = jsapi::PostRequest {
        attach: Some("order 7".into()),
        support_fapiao: Some(false),
        amount: jsapi::PostRequestAmount {
            currency: Some("CNY".into()),
            ..jsapi::PostRequestAmount::new(100)
        },
        ..jsapi::PostRequest::new(
            APPID,
            keys::MERCHANT_ID,
            "Blue mug",
            OUT_TRADE_NO,
            jsapi::PostRequestAmount::new(0),
            NOTIFY_URL,
            jsapi::PostRequestPayer::new(OPENID),
        )
    };
    client
        .v3()
        .pay()
        .transactions()
        .jsapi()
        .post(&body)
        .await
        .unwrap();
    assert_eq!(
        wire_without_nulls(&only_request(&server)),
        json!({
            "appid": APPID,
            "mchid": keys::MERCHANT_ID,
            "description": "Blue mug",
            "attach": "order 7",
            "out_trade_no": OUT_TRADE_NO,
            "amount": {"total": 100, "currency": "CNY"},
            "notify_url": NOTIFY_URL,
            "support_fapiao": false,
            "payer": {"openid": OPENID}
        })
    );
}

/// Eight required fields (clippy's `too_many_arguments` is allowed on such constructors).
#[tokio::test]
async fn partner_jsapi_prepay_with_eight_required_fields() {
    let (server, client) = server_for::<partner_jsapi::Post>(200, json!({"prepay_id": PREPAY_ID}));
    let body = partner_jsapi::PostRequest::new(
        APPID,
        keys::MERCHANT_ID,
        "1900000109",
        "Blue mug",
        OUT_TRADE_NO,
        partner_jsapi::PostRequestAmount::new(1),
        NOTIFY_URL,
        partner_jsapi::PostRequestPayer::new(OPENID),
    );
    client
        .v3()
        .pay()
        .partner()
        .transactions()
        .jsapi()
        .post(&body)
        .await
        .unwrap();
    assert_eq!(
        wire_without_nulls(&only_request(&server)),
        json!({
            "sp_appid": APPID,
            "sp_mchid": keys::MERCHANT_ID,
            "sub_mchid": "1900000109",
            "description": "Blue mug",
            "out_trade_no": OUT_TRADE_NO,
            "amount": {"total": 1},
            "notify_url": NOTIFY_URL,
            "payer": {"sp_openid": OPENID}
        })
    );
}

#[tokio::test]
async fn query_struct_and_refund_constructors() {
    let (server, client) = server_for::<out_trade_no::Get>(
        200,
        json!({
            "appid": APPID, "mchid": keys::MERCHANT_ID, "out_trade_no": OUT_TRADE_NO,
            "trade_type": "JSAPI", "trade_state": "NOTPAY", "trade_state_desc": "未支付",
            "amount": {"total": 1}
        }),
    );
    client
        .v3()
        .pay()
        .transactions()
        .out_trade_no()
        .out_trade_no(OUT_TRADE_NO)
        .get(&out_trade_no::GetQuery::new(keys::MERCHANT_ID))
        .await
        .unwrap();
    let request = only_request(&server);
    assert_eq!(
        request.url,
        format!(
            "/v3/pay/transactions/out-trade-no/{OUT_TRADE_NO}?mchid={}",
            keys::MERCHANT_ID
        )
    );

    // The refund body's required fields are `out_refund_no` and `amount` (`refund`, `total`,
    // `currency`); the order it refunds is named by an optional field.
    let body = refunds::PostRequest {
        out_trade_no: Some(OUT_TRADE_NO.into()),
        ..refunds::PostRequest::new("R-1", refunds::PostRequestAmount::new(1, 1, "CNY"))
    };
    assert_eq!(body.out_refund_no, "R-1");
    assert_eq!(body.amount.currency, "CNY");
    assert!(body.transaction_id.is_none() && body.amount.from.is_none());
}
