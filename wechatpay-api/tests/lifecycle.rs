//! The payment lifecycle end to end through the generated typed chain, against the loopback
//! WeChat Pay (`wechatpay_api::testing`) over real HTTP on 127.0.0.1: prepay (JSAPI, APP, H5,
//! Native), query, close, refund, bills, platform certificates and media uploads, in direct
//! and in partner (service provider) mode; then the typed payment and refund notifications,
//! which decode into the same shared models (`models::Transaction`,
//! `models::PartnerTransaction`, `models::Refund`) as the query answers.
//!
//! Each test checks what the server received (path, query string, decrypted JSON body,
//! headers) and what the client decoded. Amounts are integers in fen.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use wechatpay_api::models;
use wechatpay_api::models::refund::RefundStatus;
use wechatpay_api::runtime::{
    ApiV3Key, Client, Error, MediaFile, MerchantPrivateKey, Operation, VerifyError, WebhookError,
    WebhookHandler, WechatpayKey,
};
use wechatpay_api::testing::{
    Misbehavior, NotificationBuilder, RecordedRequest, Route, SentNotification, TestServer, keys,
};

/// The direct merchant, and the service provider in partner mode: the key the test server
/// knows signs both.
const MCHID: &str = keys::MERCHANT_ID;
const SUB_MCHID: &str = "1900000109";
const APPID: &str = "wxd678efh567hg6787";
const SP_APPID: &str = "wx8888888888888888";
const SUB_APPID: &str = "wxd678efh567hg6999";
const OPENID: &str = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";
const SUB_OPENID: &str = "oUpF8uN95-Ptaags6E_roPHg7AG0";
const OUT_TRADE_NO: &str = "1217752501201407033233368018";
const TRANSACTION_ID: &str = "4200000985202103031441826014";
const OUT_REFUND_NO: &str = "1217752501201407033233368018R1";
const REFUND_ID: &str = "50000000382019052709732678859";
const NOTIFY_URL: &str = "https://www.weixin.qq.com/wxpay/pay.php";
/// Real-name payment: the values `payer.identity` carries (encrypted on the wire).
const ID_NUMBER: &str = "440305199001011234";
const REAL_NAME: &str = "张三";

fn server() -> TestServer {
    TestServer::builder().start().unwrap()
}

fn client(server: &TestServer) -> Client {
    server.client_builder().build().unwrap()
}

/// A route for operation `O` at its documented method and path, expecting its documented
/// encrypted request fields, answering `status` with `answer`.
fn route_for<O: Operation>(status: u16, answer: Value) -> Route {
    Route::new(O::SPEC.method, O::SPEC.path)
        .encrypted_request_fields(O::SPEC.encrypted_request_fields)
        .respond(status, answer)
}

/// The one request the server accepted.
fn only_request(server: &TestServer) -> RecordedRequest {
    let mut requests = server.requests();
    assert_eq!(requests.len(), 1, "{requests:#?}");
    requests.pop().unwrap()
}

fn path_of(request: &RecordedRequest) -> &str {
    request.url.split('?').next().unwrap()
}

/// The query string as name → value (as sent, percent-encoded), whatever the order.
fn query_of(request: &RecordedRequest) -> BTreeMap<String, String> {
    let Some((_, query)) = request.url.split_once('?') else {
        return BTreeMap::new();
    };
    query
        .split('&')
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (name.to_owned(), value.to_owned())
        })
        .collect()
}

fn pairs(expected: &[(&str, &str)]) -> BTreeMap<String, String> {
    expected
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect()
}

/// The body as it crossed the wire (encrypted fields still encrypted).
fn wire_json(request: &RecordedRequest) -> Value {
    serde_json::from_slice(&request.body).unwrap()
}

/// Every shared model goes through these: a query answer, a create answer and a notification
/// resource all compile against the same parameter type.
fn takes_transaction(t: &models::Transaction) -> (&str, i64) {
    (t.out_trade_no.as_str(), t.amount.total)
}

fn takes_partner_transaction(t: &models::PartnerTransaction) -> (&str, &str, i64) {
    (
        t.sub_mchid.as_str(),
        t.out_trade_no.as_str(),
        t.amount.total,
    )
}

fn takes_refund(r: &models::Refund) -> (&str, i64, i64) {
    (r.out_refund_no.as_str(), r.amount.refund, r.amount.total)
}

mod prepay {
    //! `POST /v3/pay/transactions/{jsapi,app,h5,native}` and their partner twins.
    use super::*;
    use wechatpay_api::v3::pay::partner::transactions as partner;
    use wechatpay_api::v3::pay::transactions::{app, h5, jsapi, native};

    /// The one identity type every prepay body shares (aliases of the partner APP one).
    fn identity() -> jsapi::PostRequestPayerIdentity {
        jsapi::PostRequestPayerIdentity {
            type_: jsapi::PostRequestPayerIdentityType::Idcard,
            number: ID_NUMBER.into(),
            name: REAL_NAME.into(),
        }
    }

    fn identity_json() -> Value {
        json!({"type": "IDCARD", "number": ID_NUMBER, "name": REAL_NAME})
    }

    fn store() -> jsapi::PostRequestSceneInfoStoreInfo {
        jsapi::PostRequestSceneInfoStoreInfo {
            id: Some("0001".into()),
            name: "腾讯大厦分店".into(),
            area_code: "440305".into(),
            address: "广东省深圳市南山区科技中一道10000号".into(),
        }
    }

    fn store_json() -> Value {
        json!({
            "id": "0001",
            "name": "腾讯大厦分店",
            "area_code": "440305",
            "address": "广东省深圳市南山区科技中一道10000号"
        })
    }

    fn detail() -> jsapi::PostRequestDetail {
        jsapi::PostRequestDetail {
            cost_price: Some(608800),
            invoice_id: Some("微信123".into()),
            goods_detail: Some(vec![jsapi::PostRequestDetailGoodsDetail {
                merchant_goods_id: "1246464644".into(),
                wechatpay_goods_id: Some("1001".into()),
                goods_name: Some("iPhoneX 256G".into()),
                quantity: 1,
                unit_price: 528800,
            }]),
        }
    }

    fn detail_json() -> Value {
        json!({
            "cost_price": 608800,
            "invoice_id": "微信123",
            "goods_detail": [{
                "merchant_goods_id": "1246464644",
                "wechatpay_goods_id": "1001",
                "goods_name": "iPhoneX 256G",
                "quantity": 1,
                "unit_price": 528800
            }]
        })
    }

    fn h5_scene() -> h5::PostRequestSceneInfo {
        h5::PostRequestSceneInfo {
            payer_client_ip: Some("14.23.150.211".into()),
            device_id: None,
            store_info: None,
            h5_info: Some(h5::PostRequestSceneInfoH5Info {
                type_: Some("Wap".into()),
                app_name: Some("王者荣耀".into()),
                app_url: Some("https://pay.qq.com".into()),
                bundle_id: None,
                package_name: None,
            }),
        }
    }

    fn h5_scene_json() -> Value {
        json!({
            "payer_client_ip": "14.23.150.211",
            "h5_info": {"type": "Wap", "app_name": "王者荣耀", "app_url": "https://pay.qq.com"}
        })
    }

    /// What every prepay request must show: the documented path, `Wechatpay-Serial` naming the
    /// WeChat Pay key, the exact body the server decrypted, and `payer.identity` encrypted on
    /// the wire, each ciphertext opening to the plain value with the WeChat Pay private key.
    fn check_prepay(request: &RecordedRequest, path: &str, expected: Value) {
        assert_eq!(request.method, "POST");
        assert_eq!(request.url, path);
        assert_eq!(
            request.header("wechatpay-serial"),
            Some(keys::PUBLIC_KEY_ID)
        );
        assert_eq!(request.header("content-type"), Some("application/json"));
        let seen = request.json.as_ref().unwrap();
        assert_eq!(seen, &expected);
        // Amounts are JSON integers, never floats.
        assert!(seen["amount"]["total"].is_i64(), "{seen}");

        let wire = wire_json(request);
        let raw = String::from_utf8_lossy(&request.body);
        assert!(!raw.contains(ID_NUMBER), "{raw}");
        assert!(!raw.contains(REAL_NAME), "{raw}");
        let wechatpay = MerchantPrivateKey::from_pem(keys::WECHATPAY_PRIVATE_KEY_PEM).unwrap();
        for (field, plain) in [("number", ID_NUMBER), ("name", REAL_NAME)] {
            let ciphertext = wire["payer"]["identity"][field].as_str().unwrap();
            assert_eq!(
                wechatpay.decrypt(ciphertext).unwrap(),
                plain.as_bytes(),
                "{field}"
            );
        }
        // Apart from the two ciphertexts, the wire body is the decrypted one.
        let mut unencrypted = wire.clone();
        unencrypted["payer"]["identity"]["number"] = json!(ID_NUMBER);
        unencrypted["payer"]["identity"]["name"] = json!(REAL_NAME);
        assert_eq!(unencrypted, expected);
    }

    #[tokio::test]
    async fn direct_jsapi() {
        let server = server();
        server.route(route_for::<jsapi::Post>(
            200,
            json!({"prepay_id": "wx26112221580621e9b071c00d9e093b0000"}),
        ));
        let client = client(&server);
        let body = jsapi::PostRequest {
            appid: APPID.into(),
            mchid: MCHID.into(),
            description: "Image形象店-深圳腾大-QQ公仔".into(),
            attach: Some("自定义数据".into()),
            out_trade_no: OUT_TRADE_NO.into(),
            amount: jsapi::PostRequestAmount {
                total: 100,
                currency: Some("CNY".into()),
            },
            time_expire: Some("2018-06-08T10:34:56+08:00".into()),
            notify_url: NOTIFY_URL.into(),
            goods_tag: Some("WXG".into()),
            limit_pay: Some(vec![jsapi::PostRequestLimitPay::NoCredit]),
            support_fapiao: Some(false),
            detail: Some(detail()),
            scene_info: Some(jsapi::PostRequestSceneInfo {
                payer_client_ip: Some("14.23.150.211".into()),
                device_id: Some("013467007045764".into()),
                store_info: Some(store()),
            }),
            payer: jsapi::PostRequestPayer {
                openid: OPENID.into(),
                identity: Some(identity()),
            },
            settle_info: Some(jsapi::PostRequestSettleInfo {
                profit_sharing: Some(false),
            }),
            subsidy_info: None,
        };
        let answer: jsapi::PostResponse = client
            .v3()
            .pay()
            .transactions()
            .jsapi()
            .post(&body)
            .await
            .unwrap();
        assert_eq!(answer.prepay_id, "wx26112221580621e9b071c00d9e093b0000");

        check_prepay(
            &only_request(&server),
            "/v3/pay/transactions/jsapi",
            json!({
                "appid": APPID,
                "mchid": MCHID,
                "description": "Image形象店-深圳腾大-QQ公仔",
                "attach": "自定义数据",
                "out_trade_no": OUT_TRADE_NO,
                "amount": {"total": 100, "currency": "CNY"},
                "time_expire": "2018-06-08T10:34:56+08:00",
                "notify_url": NOTIFY_URL,
                "goods_tag": "WXG",
                "limit_pay": ["no_credit"],
                "support_fapiao": false,
                "detail": detail_json(),
                "scene_info": {
                    "payer_client_ip": "14.23.150.211",
                    "device_id": "013467007045764",
                    "store_info": store_json()
                },
                "payer": {"openid": OPENID, "identity": identity_json()},
                "settle_info": {"profit_sharing": false}
            }),
        );
    }

    #[tokio::test]
    async fn direct_app() {
        let server = server();
        server.route(route_for::<app::Post>(
            200,
            json!({"prepay_id": "wx201410272009395522657a690389285100"}),
        ));
        let client = client(&server);
        let body = app::PostRequest {
            appid: APPID.into(),
            mchid: MCHID.into(),
            description: "腾讯充值中心-QQ会员充值".into(),
            out_trade_no: OUT_TRADE_NO.into(),
            amount: app::PostRequestAmount {
                total: 1,
                currency: None,
            },
            notify_url: NOTIFY_URL.into(),
            payer: Some(app::PostRequestPayer {
                identity: Some(identity()),
            }),
            ..Default::default()
        };
        let answer: app::PostResponse = client
            .v3()
            .pay()
            .transactions()
            .app()
            .post(&body)
            .await
            .unwrap();
        assert_eq!(answer.prepay_id, "wx201410272009395522657a690389285100");

        check_prepay(
            &only_request(&server),
            "/v3/pay/transactions/app",
            json!({
                "appid": APPID,
                "mchid": MCHID,
                "description": "腾讯充值中心-QQ会员充值",
                "out_trade_no": OUT_TRADE_NO,
                "amount": {"total": 1},
                "notify_url": NOTIFY_URL,
                "payer": {"identity": identity_json()}
            }),
        );
    }

    #[tokio::test]
    async fn direct_h5() {
        let server = server();
        let h5_url = "https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=wx2916263004719461949c84457c735b0000&package=2150917749";
        server.route(route_for::<h5::Post>(200, json!({"h5_url": h5_url})));
        let client = client(&server);
        let body = h5::PostRequest {
            appid: APPID.into(),
            mchid: MCHID.into(),
            description: "Image形象店-深圳腾大-QQ公仔".into(),
            out_trade_no: OUT_TRADE_NO.into(),
            amount: h5::PostRequestAmount {
                total: 2990,
                currency: Some("CNY".into()),
            },
            notify_url: NOTIFY_URL.into(),
            scene_info: h5_scene(),
            payer: Some(h5::PostRequestPayer {
                identity: Some(identity()),
            }),
            ..Default::default()
        };
        let answer: h5::PostResponse = client
            .v3()
            .pay()
            .transactions()
            .h5()
            .post(&body)
            .await
            .unwrap();
        assert_eq!(answer.h5_url, h5_url);

        check_prepay(
            &only_request(&server),
            "/v3/pay/transactions/h5",
            json!({
                "appid": APPID,
                "mchid": MCHID,
                "description": "Image形象店-深圳腾大-QQ公仔",
                "out_trade_no": OUT_TRADE_NO,
                "amount": {"total": 2990, "currency": "CNY"},
                "notify_url": NOTIFY_URL,
                "scene_info": h5_scene_json(),
                "payer": {"identity": identity_json()}
            }),
        );
    }

    #[tokio::test]
    async fn direct_native() {
        let server = server();
        server.route(route_for::<native::Post>(
            200,
            json!({"code_url": "weixin://wxpay/bizpayurl?pr=p4lpSuKzz"}),
        ));
        let client = client(&server);
        let body = native::PostRequest {
            appid: APPID.into(),
            mchid: MCHID.into(),
            description: "Image形象店-深圳腾大-QQ公仔".into(),
            out_trade_no: OUT_TRADE_NO.into(),
            time_expire: Some("2018-06-08T10:34:56+08:00".into()),
            amount: native::PostRequestAmount {
                total: 100,
                currency: Some("CNY".into()),
            },
            notify_url: NOTIFY_URL.into(),
            payer: Some(native::PostRequestPayer {
                identity: Some(identity()),
            }),
            settle_info: Some(native::PostRequestSettleInfo {
                profit_sharing: Some(true),
            }),
            ..Default::default()
        };
        let answer: native::PostResponse = client
            .v3()
            .pay()
            .transactions()
            .native()
            .post(&body)
            .await
            .unwrap();
        assert_eq!(answer.code_url, "weixin://wxpay/bizpayurl?pr=p4lpSuKzz");

        check_prepay(
            &only_request(&server),
            "/v3/pay/transactions/native",
            json!({
                "appid": APPID,
                "mchid": MCHID,
                "description": "Image形象店-深圳腾大-QQ公仔",
                "out_trade_no": OUT_TRADE_NO,
                "time_expire": "2018-06-08T10:34:56+08:00",
                "amount": {"total": 100, "currency": "CNY"},
                "notify_url": NOTIFY_URL,
                "payer": {"identity": identity_json()},
                "settle_info": {"profit_sharing": true}
            }),
        );
    }

    #[tokio::test]
    async fn partner_jsapi() {
        let server = server();
        server.route(route_for::<partner::jsapi::Post>(
            200,
            json!({"prepay_id": "wx26112221580621e9b071c00d9e093b0000"}),
        ));
        let client = client(&server);
        let body = partner::jsapi::PostRequest {
            sp_appid: SP_APPID.into(),
            sp_mchid: MCHID.into(),
            sub_appid: Some(SUB_APPID.into()),
            sub_mchid: SUB_MCHID.into(),
            description: "Image形象店-深圳腾大-QQ公仔".into(),
            out_trade_no: OUT_TRADE_NO.into(),
            amount: partner::jsapi::PostRequestAmount {
                total: 100,
                currency: Some("CNY".into()),
            },
            notify_url: NOTIFY_URL.into(),
            settle_info: Some(partner::jsapi::PostRequestSettleInfo {
                profit_sharing: Some(true),
                subsidy_amount: Some(10),
            }),
            detail: Some(detail()),
            payer: partner::jsapi::PostRequestPayer {
                sp_openid: OPENID.into(),
                sub_openid: Some(SUB_OPENID.into()),
                identity: Some(identity()),
            },
            ..Default::default()
        };
        let answer: partner::jsapi::PostResponse = client
            .v3()
            .pay()
            .partner()
            .transactions()
            .jsapi()
            .post(&body)
            .await
            .unwrap();
        assert_eq!(answer.prepay_id, "wx26112221580621e9b071c00d9e093b0000");

        check_prepay(
            &only_request(&server),
            "/v3/pay/partner/transactions/jsapi",
            json!({
                "sp_appid": SP_APPID,
                "sp_mchid": MCHID,
                "sub_appid": SUB_APPID,
                "sub_mchid": SUB_MCHID,
                "settle_info": {"profit_sharing": true, "subsidy_amount": 10},
                "description": "Image形象店-深圳腾大-QQ公仔",
                "out_trade_no": OUT_TRADE_NO,
                "amount": {"total": 100, "currency": "CNY"},
                "notify_url": NOTIFY_URL,
                "detail": detail_json(),
                "payer": {"sp_openid": OPENID, "sub_openid": SUB_OPENID, "identity": identity_json()}
            }),
        );
    }

    #[tokio::test]
    async fn partner_app() {
        let server = server();
        server.route(route_for::<partner::app::Post>(
            200,
            json!({"prepay_id": "wx201410272009395522657a690389285100"}),
        ));
        let client = client(&server);
        let body = partner::app::PostRequest {
            sp_appid: SP_APPID.into(),
            sp_mchid: MCHID.into(),
            sub_appid: Some(SUB_APPID.into()),
            sub_mchid: SUB_MCHID.into(),
            description: "腾讯充值中心-QQ会员充值".into(),
            out_trade_no: OUT_TRADE_NO.into(),
            amount: partner::app::PostRequestAmount {
                total: 888,
                currency: Some("CNY".into()),
            },
            notify_url: NOTIFY_URL.into(),
            scene_info: Some(partner::app::PostRequestSceneInfo {
                payer_client_ip: Some("14.23.150.211".into()),
                device_id: None,
                store_info: Some(store()),
            }),
            payer: Some(partner::app::PostRequestPayer {
                identity: Some(identity()),
            }),
            ..Default::default()
        };
        let answer: partner::app::PostResponse = client
            .v3()
            .pay()
            .partner()
            .transactions()
            .app()
            .post(&body)
            .await
            .unwrap();
        assert_eq!(answer.prepay_id, "wx201410272009395522657a690389285100");

        check_prepay(
            &only_request(&server),
            "/v3/pay/partner/transactions/app",
            json!({
                "sp_appid": SP_APPID,
                "sp_mchid": MCHID,
                "sub_appid": SUB_APPID,
                "sub_mchid": SUB_MCHID,
                "description": "腾讯充值中心-QQ会员充值",
                "out_trade_no": OUT_TRADE_NO,
                "amount": {"total": 888, "currency": "CNY"},
                "notify_url": NOTIFY_URL,
                "scene_info": {"payer_client_ip": "14.23.150.211", "store_info": store_json()},
                "payer": {"identity": identity_json()}
            }),
        );
    }

    #[tokio::test]
    async fn partner_h5() {
        let server = server();
        let h5_url = "https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=wx2916263004719461949c84457c735b0000&package=2150917749";
        server.route(route_for::<partner::h5::Post>(
            200,
            json!({"h5_url": h5_url}),
        ));
        let client = client(&server);
        let body = partner::h5::PostRequest {
            sp_appid: SP_APPID.into(),
            sp_mchid: MCHID.into(),
            sub_mchid: SUB_MCHID.into(),
            description: "Image形象店-深圳腾大-QQ公仔".into(),
            out_trade_no: OUT_TRADE_NO.into(),
            amount: partner::h5::PostRequestAmount {
                total: 1,
                currency: None,
            },
            notify_url: NOTIFY_URL.into(),
            scene_info: h5_scene(),
            payer: Some(partner::h5::PostRequestPayer {
                identity: Some(identity()),
            }),
            ..Default::default()
        };
        let answer: partner::h5::PostResponse = client
            .v3()
            .pay()
            .partner()
            .transactions()
            .h5()
            .post(&body)
            .await
            .unwrap();
        assert_eq!(answer.h5_url, h5_url);

        check_prepay(
            &only_request(&server),
            "/v3/pay/partner/transactions/h5",
            json!({
                "sp_appid": SP_APPID,
                "sp_mchid": MCHID,
                "sub_mchid": SUB_MCHID,
                "description": "Image形象店-深圳腾大-QQ公仔",
                "out_trade_no": OUT_TRADE_NO,
                "amount": {"total": 1},
                "notify_url": NOTIFY_URL,
                "scene_info": h5_scene_json(),
                "payer": {"identity": identity_json()}
            }),
        );
    }

    #[tokio::test]
    async fn partner_native() {
        let server = server();
        server.route(route_for::<partner::native::Post>(
            200,
            json!({"code_url": "weixin://wxpay/bizpayurl?pr=qnu8GBtzz"}),
        ));
        let client = client(&server);
        let body = partner::native::PostRequest {
            sp_appid: SP_APPID.into(),
            sp_mchid: MCHID.into(),
            sub_mchid: SUB_MCHID.into(),
            description: "Image形象店-深圳腾大-QQ公仔".into(),
            attach: Some("自定义数据".into()),
            out_trade_no: OUT_TRADE_NO.into(),
            amount: partner::native::PostRequestAmount {
                total: 100,
                currency: Some("CNY".into()),
            },
            notify_url: NOTIFY_URL.into(),
            payer: Some(partner::native::PostRequestPayer {
                identity: Some(identity()),
            }),
            ..Default::default()
        };
        let answer: partner::native::PostResponse = client
            .v3()
            .pay()
            .partner()
            .transactions()
            .native()
            .post(&body)
            .await
            .unwrap();
        assert_eq!(answer.code_url, "weixin://wxpay/bizpayurl?pr=qnu8GBtzz");

        check_prepay(
            &only_request(&server),
            "/v3/pay/partner/transactions/native",
            json!({
                "sp_appid": SP_APPID,
                "sp_mchid": MCHID,
                "sub_mchid": SUB_MCHID,
                "description": "Image形象店-深圳腾大-QQ公仔",
                "attach": "自定义数据",
                "out_trade_no": OUT_TRADE_NO,
                "amount": {"total": 100, "currency": "CNY"},
                "notify_url": NOTIFY_URL,
                "payer": {"identity": identity_json()}
            }),
        );
    }

    #[tokio::test]
    async fn prepay_without_identity_still_names_the_wechatpay_key() {
        // The docs list `Wechatpay-Serial` for every prepay call, encrypted field or not.
        let server = server();
        server.route(route_for::<native::Post>(
            200,
            json!({"code_url": "weixin://wxpay/bizpayurl?pr=p4lpSuKzz"}),
        ));
        let client = client(&server);
        let body = native::PostRequest {
            appid: APPID.into(),
            mchid: MCHID.into(),
            description: "QQ公仔".into(),
            out_trade_no: OUT_TRADE_NO.into(),
            amount: native::PostRequestAmount {
                total: 1,
                currency: None,
            },
            notify_url: NOTIFY_URL.into(),
            ..Default::default()
        };
        client
            .v3()
            .pay()
            .transactions()
            .native()
            .post(&body)
            .await
            .unwrap();
        let request = only_request(&server);
        assert_eq!(
            request.header("wechatpay-serial"),
            Some(keys::PUBLIC_KEY_ID)
        );
        assert_eq!(
            request.json,
            Some(json!({
                "appid": APPID,
                "mchid": MCHID,
                "description": "QQ公仔",
                "out_trade_no": OUT_TRADE_NO,
                "amount": {"total": 1},
                "notify_url": NOTIFY_URL
            }))
        );
    }
}

/// A paid direct order, as the query answers and the `TRANSACTION.SUCCESS` resource carry it.
fn paid_transaction() -> Value {
    json!({
        "amount": {"currency": "CNY", "payer_currency": "CNY", "payer_total": 90, "total": 100},
        "appid": APPID,
        "attach": "自定义数据",
        "bank_type": "CMC",
        "mchid": MCHID,
        "out_trade_no": OUT_TRADE_NO,
        "payer": {"openid": OPENID},
        "promotion_detail": [{
            "amount": 10,
            "coupon_id": "109519",
            "currency": "CNY",
            "goods_detail": [{
                "discount_amount": 10,
                "goods_id": "M1006",
                "goods_remark": "商品备注信息",
                "quantity": 1,
                "unit_price": 100
            }],
            "merchant_contribute": 0,
            "name": "单品惠-6",
            "other_contribute": 0,
            "scope": "SINGLE",
            "stock_id": "931386",
            "type": "CASH",
            "wechatpay_contribute": 10
        }],
        "scene_info": {"device_id": "013467007045764"},
        "success_time": "2018-06-08T10:34:56+08:00",
        "trade_state": "SUCCESS",
        "trade_state_desc": "支付成功",
        "trade_type": "JSAPI",
        "transaction_id": TRANSACTION_ID
    })
}

/// A paid sub-merchant order, as the partner query answers and notifications carry it.
fn paid_partner_transaction() -> Value {
    json!({
        "sp_appid": SP_APPID,
        "sp_mchid": MCHID,
        "sub_appid": SUB_APPID,
        "sub_mchid": SUB_MCHID,
        "out_trade_no": OUT_TRADE_NO,
        "transaction_id": TRANSACTION_ID,
        "trade_type": "JSAPI",
        "trade_state": "SUCCESS",
        "trade_state_desc": "支付成功",
        "bank_type": "CMC",
        "attach": "自定义数据",
        "success_time": "2018-06-08T10:34:56+08:00",
        "payer": {"sp_openid": OPENID, "sub_openid": SUB_OPENID},
        "amount": {"total": 100, "payer_total": 100, "currency": "CNY", "payer_currency": "CNY"},
        "scene_info": {"device_id": "013467007045764"},
        "installment_info": {"use_subsidy": true, "selected_installment_number": 3}
    })
}

fn check_paid(t: &models::Transaction) {
    use models::transaction::{
        TransactionPromotionDetailScope, TransactionPromotionDetailType, TransactionTradeState,
        TransactionTradeType,
    };
    assert_eq!(takes_transaction(t), (OUT_TRADE_NO, 100));
    assert_eq!(t.appid, APPID);
    assert_eq!(t.mchid, MCHID);
    assert_eq!(t.transaction_id.as_deref(), Some(TRANSACTION_ID));
    assert_eq!(t.trade_type, Some(TransactionTradeType::Jsapi));
    assert_eq!(t.trade_state, Some(TransactionTradeState::Success));
    assert_eq!(t.trade_state_desc.as_deref(), Some("支付成功"));
    assert_eq!(t.success_time.as_deref(), Some("2018-06-08T10:34:56+08:00"));
    assert_eq!(t.payer.as_ref().unwrap().openid, OPENID);
    assert_eq!(t.amount.payer_total, Some(90));
    assert_eq!(t.amount.currency.as_deref(), Some("CNY"));
    let promotion = &t.promotion_detail.as_ref().unwrap()[0];
    assert_eq!(promotion.amount, 10);
    assert_eq!(promotion.wechatpay_contribute, Some(10));
    assert_eq!(
        promotion.scope,
        Some(TransactionPromotionDetailScope::Single)
    );
    assert_eq!(promotion.type_, Some(TransactionPromotionDetailType::Cash));
    assert_eq!(
        promotion.goods_detail.as_ref().unwrap()[0].discount_amount,
        10
    );
    assert_eq!(
        t.scene_info.as_ref().unwrap().device_id.as_deref(),
        Some("013467007045764")
    );
}

fn check_paid_partner(t: &models::PartnerTransaction) {
    use models::partner_transaction::{PartnerTransactionTradeState, PartnerTransactionTradeType};
    assert_eq!(takes_partner_transaction(t), (SUB_MCHID, OUT_TRADE_NO, 100));
    assert_eq!(t.sp_appid, SP_APPID);
    assert_eq!(t.sp_mchid, MCHID);
    assert_eq!(t.sub_appid.as_deref(), Some(SUB_APPID));
    assert_eq!(t.transaction_id.as_deref(), Some(TRANSACTION_ID));
    assert_eq!(t.trade_type, Some(PartnerTransactionTradeType::Jsapi));
    assert_eq!(t.trade_state, Some(PartnerTransactionTradeState::Success));
    let payer = t.payer.as_ref().unwrap();
    assert_eq!(payer.sp_openid, OPENID);
    assert_eq!(payer.sub_openid.as_deref(), Some(SUB_OPENID));
    assert_eq!(t.amount.payer_total, Some(100));
    let installments = t.installment_info.as_ref().unwrap();
    assert!(installments.use_subsidy);
    assert_eq!(installments.selected_installment_number, 3);
}

mod query {
    //! `GET …/id/{transaction_id}` and `GET …/out-trade-no/{out_trade_no}`, direct and partner.
    use super::*;
    use wechatpay_api::v3::pay::partner::transactions as partner;
    use wechatpay_api::v3::pay::transactions::{id, out_trade_no};

    /// Only digits, letters and `_-*` are allowed in an order number; `*` must be escaped.
    const ODD_OUT_TRADE_NO: &str = "T2024_01-9*1";
    const ODD_OUT_TRADE_NO_IN_PATH: &str = "T2024_01-9%2A1";

    #[tokio::test]
    async fn direct_by_transaction_id() {
        let server = server();
        server.route(route_for::<id::transaction_id::Get>(
            200,
            paid_transaction(),
        ));
        let client = client(&server);
        let answer: models::Transaction = client
            .v3()
            .pay()
            .transactions()
            .id()
            .transaction_id(TRANSACTION_ID)
            .get(&id::transaction_id::GetQuery {
                mchid: MCHID.into(),
            })
            .await
            .unwrap();
        check_paid(&answer);

        let request = only_request(&server);
        assert_eq!(request.method, "GET");
        assert_eq!(
            request.url,
            format!("/v3/pay/transactions/id/{TRANSACTION_ID}?mchid={MCHID}")
        );
        assert!(request.body.is_empty());
        assert_eq!(request.json, None);
        assert_eq!(request.header("wechatpay-serial"), None);
    }

    #[tokio::test]
    async fn direct_by_out_trade_no_of_an_unpaid_order() {
        let server = server();
        // What WeChat Pay answers for an order nobody has paid yet: no transaction_id, payer,
        // success_time; an empty promotion list and an empty device id.
        server.route(route_for::<out_trade_no::out_trade_no::Get>(
            200,
            json!({
                "amount": {"payer_currency": "CNY", "total": 100},
                "appid": APPID,
                "mchid": MCHID,
                "out_trade_no": ODD_OUT_TRADE_NO,
                "promotion_detail": [],
                "scene_info": {"device_id": ""},
                "trade_state": "NOTPAY",
                "trade_state_desc": "订单未支付"
            }),
        ));
        let client = client(&server);
        let answer: models::Transaction = client
            .v3()
            .pay()
            .transactions()
            .out_trade_no()
            .out_trade_no(ODD_OUT_TRADE_NO)
            .get(&out_trade_no::out_trade_no::GetQuery {
                mchid: MCHID.into(),
            })
            .await
            .unwrap();
        assert_eq!(takes_transaction(&answer), (ODD_OUT_TRADE_NO, 100));
        assert_eq!(
            answer.trade_state,
            Some(models::transaction::TransactionTradeState::Notpay)
        );
        assert_eq!(answer.transaction_id, None);
        assert!(answer.payer.is_none());
        assert_eq!(answer.amount.payer_total, None);
        assert_eq!(answer.promotion_detail.as_deref().map(<[_]>::len), Some(0));

        let request = only_request(&server);
        assert_eq!(
            request.url,
            format!("/v3/pay/transactions/out-trade-no/{ODD_OUT_TRADE_NO_IN_PATH}?mchid={MCHID}")
        );
    }

    #[tokio::test]
    async fn both_direct_queries_give_the_same_type() {
        let server = server();
        server.route(route_for::<id::transaction_id::Get>(
            200,
            paid_transaction(),
        ));
        server.route(route_for::<out_trade_no::out_trade_no::Get>(
            200,
            paid_transaction(),
        ));
        let client = client(&server);
        let query = id::transaction_id::GetQuery {
            mchid: MCHID.into(),
        };
        let by_id: models::Transaction = client
            .v3()
            .pay()
            .transactions()
            .id()
            .transaction_id(TRANSACTION_ID)
            .get(&query)
            .await
            .unwrap();
        let by_out_trade_no: models::Transaction = client
            .v3()
            .pay()
            .transactions()
            .out_trade_no()
            .out_trade_no(OUT_TRADE_NO)
            .get(&query)
            .await
            .unwrap();
        assert_eq!(
            takes_transaction(&by_id),
            takes_transaction(&by_out_trade_no)
        );
        assert_eq!(by_id, by_out_trade_no);
        let paths: Vec<String> = server
            .requests()
            .iter()
            .map(|r| path_of(r).to_owned())
            .collect();
        assert_eq!(
            paths,
            [
                format!("/v3/pay/transactions/id/{TRANSACTION_ID}"),
                format!("/v3/pay/transactions/out-trade-no/{OUT_TRADE_NO}"),
            ]
        );
    }

    #[tokio::test]
    async fn partner_by_transaction_id_and_by_out_trade_no() {
        let server = server();
        server.route(route_for::<partner::id::transaction_id::Get>(
            200,
            paid_partner_transaction(),
        ));
        let mut by_number = paid_partner_transaction();
        by_number["out_trade_no"] = json!(ODD_OUT_TRADE_NO);
        server.route(route_for::<partner::out_trade_no::out_trade_no::Get>(
            200, by_number,
        ));
        let client = client(&server);
        let query = partner::id::transaction_id::GetQuery {
            sp_mchid: MCHID.into(),
            sub_mchid: SUB_MCHID.into(),
        };
        let by_id: models::PartnerTransaction = client
            .v3()
            .pay()
            .partner()
            .transactions()
            .id()
            .transaction_id(TRANSACTION_ID)
            .get(&query)
            .await
            .unwrap();
        let by_out_trade_no: models::PartnerTransaction = client
            .v3()
            .pay()
            .partner()
            .transactions()
            .out_trade_no()
            .out_trade_no(ODD_OUT_TRADE_NO)
            .get(&query)
            .await
            .unwrap();
        check_paid_partner(&by_id);
        assert_eq!(
            takes_partner_transaction(&by_out_trade_no),
            (SUB_MCHID, ODD_OUT_TRADE_NO, 100)
        );

        let requests = server.requests();
        assert_eq!(requests.len(), 2);
        assert_eq!(
            path_of(&requests[0]),
            format!("/v3/pay/partner/transactions/id/{TRANSACTION_ID}")
        );
        assert_eq!(
            path_of(&requests[1]),
            format!("/v3/pay/partner/transactions/out-trade-no/{ODD_OUT_TRADE_NO_IN_PATH}")
        );
        for request in &requests {
            assert_eq!(
                query_of(request),
                pairs(&[("sp_mchid", MCHID), ("sub_mchid", SUB_MCHID)])
            );
            assert!(request.body.is_empty());
        }
    }
}

mod close {
    //! `POST …/out-trade-no/{out_trade_no}/close`: an empty 204 answer.
    use super::*;
    use wechatpay_api::v3::pay::partner::transactions::out_trade_no::out_trade_no::close as partner_close;
    use wechatpay_api::v3::pay::transactions::out_trade_no::out_trade_no::close;

    #[tokio::test]
    async fn direct() {
        let server = server();
        server.route(Route::new(close::Post::SPEC.method, close::Post::SPEC.path));
        let client = client(&server);
        let () = client
            .v3()
            .pay()
            .transactions()
            .out_trade_no()
            .out_trade_no(OUT_TRADE_NO)
            .close()
            .post(&close::PostRequest {
                mchid: MCHID.into(),
            })
            .await
            .unwrap();

        let request = only_request(&server);
        assert_eq!(request.method, "POST");
        assert_eq!(
            request.url,
            format!("/v3/pay/transactions/out-trade-no/{OUT_TRADE_NO}/close")
        );
        assert_eq!(request.json, Some(json!({"mchid": MCHID})));
        assert_eq!(request.header("content-type"), Some("application/json"));
    }

    #[tokio::test]
    async fn partner() {
        let server = server();
        server.route(Route::new(
            partner_close::Post::SPEC.method,
            partner_close::Post::SPEC.path,
        ));
        let client = client(&server);
        let () = client
            .v3()
            .pay()
            .partner()
            .transactions()
            .out_trade_no()
            .out_trade_no(OUT_TRADE_NO)
            .close()
            .post(&partner_close::PostRequest {
                sp_mchid: MCHID.into(),
                sub_mchid: SUB_MCHID.into(),
            })
            .await
            .unwrap();

        let request = only_request(&server);
        assert_eq!(
            request.url,
            format!("/v3/pay/partner/transactions/out-trade-no/{OUT_TRADE_NO}/close")
        );
        assert_eq!(
            request.json,
            Some(json!({"sp_mchid": MCHID, "sub_mchid": SUB_MCHID}))
        );
    }

    #[tokio::test]
    async fn an_empty_answer_is_still_verified() {
        let server = server();
        server.route(Route::new(close::Post::SPEC.method, close::Post::SPEC.path));
        let client = client(&server);
        // A 204 carries no body to tamper with (HTTP drops it): forge the signature instead.
        server.misbehave_once(Misbehavior::WrongKey);
        let err = client
            .v3()
            .pay()
            .transactions()
            .out_trade_no()
            .out_trade_no(OUT_TRADE_NO)
            .close()
            .post(&close::PostRequest {
                mchid: MCHID.into(),
            })
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::Verification(VerifyError::BadSignature { .. })),
            "{err:?}"
        );
    }
}

/// A refund WeChat Pay has accepted and is still working on.
fn processing_refund() -> Value {
    json!({
        "refund_id": REFUND_ID,
        "out_refund_no": OUT_REFUND_NO,
        "transaction_id": TRANSACTION_ID,
        "out_trade_no": OUT_TRADE_NO,
        "channel": "ORIGINAL",
        "user_received_account": "招商银行信用卡0403",
        "create_time": "2020-12-01T16:18:12+08:00",
        "status": "PROCESSING",
        "funds_account": "AVAILABLE",
        "amount": {
            "total": 100,
            "refund": 50,
            "from": [{"account": "AVAILABLE", "amount": 50}],
            "payer_total": 90,
            "payer_refund": 45,
            "settlement_refund": 50,
            "settlement_total": 100,
            "discount_refund": 5,
            "currency": "CNY",
            "refund_fee": 0
        },
        "promotion_detail": [{
            "promotion_id": "109519",
            "scope": "SINGLE",
            "type": "DISCOUNT",
            "amount": 10,
            "refund_amount": 5,
            "goods_detail": [{
                "merchant_goods_id": "1217752501201407033233368018",
                "wechatpay_goods_id": "1001",
                "goods_name": "iPhone6s 16G",
                "unit_price": 100,
                "refund_amount": 50,
                "refund_quantity": 1
            }]
        }]
    })
}

mod refund {
    //! `POST /v3/refund/domestic/refunds`, `GET …/refunds/{out_refund_no}` and
    //! `POST …/refunds/{refund_id}/apply-abnormal-refund`: all answer `models::Refund`.
    use super::*;
    use wechatpay_api::v3::refund::domestic::refunds::refund_id::apply_abnormal_refund as abnormal;
    use wechatpay_api::v3::refund::domestic::refunds::{self, out_refund_no};

    fn create_body(sub_mchid: Option<&str>) -> refunds::PostRequest {
        refunds::PostRequest {
            sub_mchid: sub_mchid.map(str::to_owned),
            transaction_id: None,
            out_trade_no: Some(OUT_TRADE_NO.into()),
            out_refund_no: OUT_REFUND_NO.into(),
            reason: Some("商品已售完".into()),
            notify_url: Some(NOTIFY_URL.into()),
            funds_account: Some("AVAILABLE".into()),
            amount: refunds::PostRequestAmount {
                refund: 50,
                from: Some(vec![refunds::PostRequestAmountFrom {
                    account: "AVAILABLE".into(),
                    amount: 50,
                }]),
                total: 100,
                currency: "CNY".into(),
            },
            goods_detail: Some(vec![refunds::PostRequestGoodsDetail {
                merchant_goods_id: "1217752501201407033233368018".into(),
                wechatpay_goods_id: Some("1001".into()),
                goods_name: Some("iPhone6s 16G".into()),
                unit_price: 100,
                refund_amount: 50,
                refund_quantity: 1,
            }]),
        }
    }

    fn create_json() -> Value {
        json!({
            "out_trade_no": OUT_TRADE_NO,
            "out_refund_no": OUT_REFUND_NO,
            "reason": "商品已售完",
            "notify_url": NOTIFY_URL,
            "funds_account": "AVAILABLE",
            "amount": {
                "refund": 50,
                "from": [{"account": "AVAILABLE", "amount": 50}],
                "total": 100,
                "currency": "CNY"
            },
            "goods_detail": [{
                "merchant_goods_id": "1217752501201407033233368018",
                "wechatpay_goods_id": "1001",
                "goods_name": "iPhone6s 16G",
                "unit_price": 100,
                "refund_amount": 50,
                "refund_quantity": 1
            }]
        })
    }

    fn check_processing(r: &models::Refund) {
        assert_eq!(takes_refund(r), (OUT_REFUND_NO, 50, 100));
        assert_eq!(r.refund_id, REFUND_ID);
        assert_eq!(r.transaction_id, TRANSACTION_ID);
        assert_eq!(r.out_trade_no, OUT_TRADE_NO);
        assert_eq!(r.channel.as_deref(), Some("ORIGINAL"));
        assert_eq!(r.status, Some(RefundStatus::Processing));
        assert_eq!(r.user_received_account, "招商银行信用卡0403");
        assert_eq!(r.amount.payer_refund, 45);
        assert_eq!(r.amount.discount_refund, Some(5));
        assert_eq!(r.amount.settlement_refund, Some(50));
        assert_eq!(
            r.amount.refund_fee.as_ref().and_then(|n| n.as_i64()),
            Some(0)
        );
        let from = &r.amount.from.as_ref().unwrap()[0];
        assert_eq!((from.account.as_str(), from.amount), ("AVAILABLE", 50));
        let promotion = &r.promotion_detail.as_ref().unwrap()[0];
        assert_eq!((promotion.amount, promotion.refund_amount), (10, 5));
        assert_eq!(
            promotion.goods_detail.as_ref().unwrap()[0].refund_quantity,
            1
        );
        assert_eq!(r.refund_status, None);
    }

    #[tokio::test]
    async fn create_direct() {
        let server = server();
        server.route(route_for::<refunds::Post>(200, processing_refund()));
        let client = client(&server);
        let answer: models::Refund = client
            .v3()
            .refund()
            .domestic()
            .refunds()
            .post(&create_body(None))
            .await
            .unwrap();
        check_processing(&answer);

        let request = only_request(&server);
        assert_eq!(request.method, "POST");
        assert_eq!(request.url, "/v3/refund/domestic/refunds");
        let seen = request.json.as_ref().unwrap();
        assert_eq!(seen, &create_json());
        for amount in [
            &seen["amount"]["refund"],
            &seen["amount"]["total"],
            &seen["amount"]["from"][0]["amount"],
        ] {
            assert!(amount.is_i64(), "{amount}");
        }
        assert_eq!(request.header("wechatpay-serial"), None);
    }

    #[tokio::test]
    async fn create_partner_names_the_sub_merchant() {
        let server = server();
        let mut answer = processing_refund();
        answer["sp_mchid"] = json!(MCHID);
        answer["sub_mchid"] = json!(SUB_MCHID);
        server.route(route_for::<refunds::Post>(200, answer));
        let client = client(&server);
        let answer: models::Refund = client
            .v3()
            .refund()
            .domestic()
            .refunds()
            .post(&create_body(Some(SUB_MCHID)))
            .await
            .unwrap();
        check_processing(&answer);
        assert_eq!(answer.sub_mchid.as_deref(), Some(SUB_MCHID));

        let mut expected = create_json();
        expected["sub_mchid"] = json!(SUB_MCHID);
        assert_eq!(only_request(&server).json, Some(expected));
    }

    #[tokio::test]
    async fn query_by_out_refund_no_direct_and_partner() {
        let server = server();
        let mut done = processing_refund();
        done["status"] = json!("SUCCESS");
        done["success_time"] = json!("2020-12-01T16:18:12+08:00");
        server.route(route_for::<out_refund_no::Get>(200, done));
        let client = client(&server);

        let direct: models::Refund = client
            .v3()
            .refund()
            .domestic()
            .refunds()
            .out_refund_no(OUT_REFUND_NO)
            .get(&out_refund_no::GetQuery { sub_mchid: None })
            .await
            .unwrap();
        let partner: models::Refund = client
            .v3()
            .refund()
            .domestic()
            .refunds()
            .out_refund_no(OUT_REFUND_NO)
            .get(&out_refund_no::GetQuery {
                sub_mchid: Some(SUB_MCHID.into()),
            })
            .await
            .unwrap();
        for answer in [&direct, &partner] {
            assert_eq!(takes_refund(answer), (OUT_REFUND_NO, 50, 100));
            assert_eq!(answer.status, Some(RefundStatus::Success));
            assert_eq!(
                answer.success_time.as_deref(),
                Some("2020-12-01T16:18:12+08:00")
            );
        }

        let requests = server.requests();
        assert_eq!(requests.len(), 2);
        assert_eq!(
            requests[0].url,
            format!("/v3/refund/domestic/refunds/{OUT_REFUND_NO}")
        );
        assert_eq!(
            requests[1].url,
            format!("/v3/refund/domestic/refunds/{OUT_REFUND_NO}?sub_mchid={SUB_MCHID}")
        );
        assert!(
            requests
                .iter()
                .all(|r| r.method == "GET" && r.body.is_empty())
        );
    }

    #[tokio::test]
    async fn apply_abnormal_refund_encrypts_the_bank_card() {
        let server = server();
        let mut answer = processing_refund();
        answer["channel"] = json!("OTHER_BANKCARD");
        answer["user_received_account"] = json!("工商银行借记卡1234");
        server.route(route_for::<abnormal::Post>(200, answer));
        let client = client(&server);
        let body = abnormal::PostRequest {
            sub_mchid: Some(SUB_MCHID.into()),
            out_refund_no: OUT_REFUND_NO.into(),
            type_: abnormal::PostRequestType::UserBankCard,
            bank_type: Some(abnormal::PostRequestBankType::IcbcDebit),
            bank_account: Some("6212261202011581234".into()),
            real_name: Some(REAL_NAME.into()),
        };
        let answer: models::Refund = client
            .v3()
            .refund()
            .domestic()
            .refunds()
            .refund_id(REFUND_ID)
            .apply_abnormal_refund()
            .post(&body)
            .await
            .unwrap();
        assert_eq!(takes_refund(&answer), (OUT_REFUND_NO, 50, 100));
        assert_eq!(answer.channel.as_deref(), Some("OTHER_BANKCARD"));
        assert_eq!(answer.user_received_account, "工商银行借记卡1234");

        let request = only_request(&server);
        assert_eq!(
            request.url,
            format!("/v3/refund/domestic/refunds/{REFUND_ID}/apply-abnormal-refund")
        );
        assert_eq!(
            request.header("wechatpay-serial"),
            Some(keys::PUBLIC_KEY_ID)
        );
        assert_eq!(
            request.json,
            Some(json!({
                "sub_mchid": SUB_MCHID,
                "out_refund_no": OUT_REFUND_NO,
                "type": "USER_BANK_CARD",
                "bank_type": "ICBC_DEBIT",
                "bank_account": "6212261202011581234",
                "real_name": REAL_NAME
            }))
        );
        let raw = String::from_utf8_lossy(&request.body);
        assert!(!raw.contains("6212261202011581234"), "{raw}");
        assert!(!raw.contains(REAL_NAME), "{raw}");
        let wechatpay = MerchantPrivateKey::from_pem(keys::WECHATPAY_PRIVATE_KEY_PEM).unwrap();
        let wire = wire_json(&request);
        assert_eq!(
            wechatpay
                .decrypt(wire["bank_account"].as_str().unwrap())
                .unwrap(),
            b"6212261202011581234"
        );
    }
}

mod bill {
    //! `GET /v3/bill/{tradebill,fundflowbill,sub-merchant-fundflowbill}`: where to download.
    use super::*;
    use wechatpay_api::v3::bill::{fundflowbill, sub_merchant_fundflowbill, tradebill};

    const DOWNLOAD_URL: &str = "https://api.mch.weixin.qq.com/v3/billdownload/file?token=6XIv5TUPto7pByrTQKhd6kwvyKLG2uY2wMMR8cNXqaA_Cv_isgaUtBzp4QtiozLO";

    fn bill_answer() -> Value {
        json!({
            "hash_type": "SHA1",
            "hash_value": "79bb0f45fc4c42234a918000b2668d689e2bde04",
            "download_url": DOWNLOAD_URL
        })
    }

    #[tokio::test]
    async fn trade_bill_direct_and_partner() {
        let server = server();
        server.route(route_for::<tradebill::Get>(200, bill_answer()));
        let client = client(&server);
        let direct: tradebill::GetResponse = client
            .v3()
            .bill()
            .tradebill()
            .get(&tradebill::GetQuery {
                bill_date: "2019-06-11".into(),
                sub_mchid: None,
                bill_type: Some(tradebill::GetQueryBillType::All),
                tar_type: Some(tradebill::GetQueryTarType::Gzip),
            })
            .await
            .unwrap();
        let partner: tradebill::GetResponse = client
            .v3()
            .bill()
            .tradebill()
            .get(&tradebill::GetQuery {
                bill_date: "2019-06-11".into(),
                sub_mchid: Some(SUB_MCHID.into()),
                bill_type: Some(tradebill::GetQueryBillType::Refund),
                tar_type: None,
            })
            .await
            .unwrap();
        for answer in [&direct, &partner] {
            assert_eq!(answer.download_url, DOWNLOAD_URL);
            assert_eq!(answer.hash_type, "SHA1");
            assert_eq!(
                answer.hash_value,
                "79bb0f45fc4c42234a918000b2668d689e2bde04"
            );
        }

        let requests = server.requests();
        assert_eq!(requests.len(), 2);
        assert!(requests.iter().all(|r| path_of(r) == "/v3/bill/tradebill"));
        assert_eq!(
            query_of(&requests[0]),
            pairs(&[
                ("bill_date", "2019-06-11"),
                ("bill_type", "ALL"),
                ("tar_type", "GZIP")
            ])
        );
        assert_eq!(
            query_of(&requests[1]),
            pairs(&[
                ("bill_date", "2019-06-11"),
                ("sub_mchid", SUB_MCHID),
                ("bill_type", "REFUND")
            ])
        );
    }

    #[tokio::test]
    async fn fund_flow_bill() {
        let server = server();
        server.route(route_for::<fundflowbill::Get>(200, bill_answer()));
        let client = client(&server);
        let answer: fundflowbill::GetResponse = client
            .v3()
            .bill()
            .fundflowbill()
            .get(&fundflowbill::GetQuery {
                bill_date: "2019-06-11".into(),
                sub_mchid: None,
                account_type: Some(fundflowbill::GetQueryAccountType::Basic),
                tar_type: Some(fundflowbill::GetQueryTarType::Gzip),
            })
            .await
            .unwrap();
        assert_eq!(answer.download_url, DOWNLOAD_URL);
        assert_eq!(answer.hash_type, "SHA1");
        assert_eq!(
            answer.hash_value,
            "79bb0f45fc4c42234a918000b2668d689e2bde04"
        );

        let request = only_request(&server);
        assert_eq!(request.method, "GET");
        assert_eq!(path_of(&request), "/v3/bill/fundflowbill");
        assert_eq!(
            query_of(&request),
            pairs(&[
                ("bill_date", "2019-06-11"),
                ("account_type", "BASIC"),
                ("tar_type", "GZIP")
            ])
        );
    }

    #[tokio::test]
    async fn sub_merchant_fund_flow_bill() {
        let server = server();
        server.route(route_for::<sub_merchant_fundflowbill::Get>(
            200,
            json!({
                "download_bill_count": 2,
                "download_bill_list": [
                    {
                        "bill_sequence": 1,
                        "download_url": format!("{DOWNLOAD_URL}1"),
                        "encrypt_key": "a0YK7p/u3Prx8TeQn7XM9LmjTFmn+zPwaACeZCA6PdWs0ZN1vNEPGIdKfsZ3Ctfq0",
                        "hash_type": "SHA1",
                        "hash_value": "0ae1b3b7b0a4c5d2f1e6a78b9c0d1e2f3a4b5c6d",
                        "nonce": "a8607ef79034"
                    },
                    {
                        "bill_sequence": 2,
                        "download_url": format!("{DOWNLOAD_URL}2"),
                        "encrypt_key": "b1ZL8q/v4Qsy9UfRo8YN0MnkUGno+aQxbBDfaDB7QeXt1aO2wOFQHJeLgtA4Dugr1",
                        "hash_type": "SHA1",
                        "hash_value": "1bf2c4c8c1b5d6e3a2f7b89cad1e2f3a4b5c6d7e",
                        "nonce": "b9718f08a145"
                    }
                ]
            }),
        ));
        let client = client(&server);
        let answer: sub_merchant_fundflowbill::GetResponse = client
            .v3()
            .bill()
            .sub_merchant_fundflowbill()
            .get(&sub_merchant_fundflowbill::GetQuery {
                sub_mchid: SUB_MCHID.into(),
                bill_date: "2019-06-11".into(),
                tar_type: Some(sub_merchant_fundflowbill::GetQueryTarType::Gzip),
                algorithm: sub_merchant_fundflowbill::GetQueryAlgorithm::AeadAes256Gcm,
                account_type: sub_merchant_fundflowbill::GetQueryAccountType::Basic,
            })
            .await
            .unwrap();
        assert_eq!(answer.download_bill_count, 2);
        let parts = answer.download_bill_list.as_ref().unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].bill_sequence, 1);
        assert_eq!(parts[0].download_url, format!("{DOWNLOAD_URL}1"));
        assert_eq!(parts[0].hash_type, "SHA1");
        assert_eq!(
            parts[0].hash_value,
            "0ae1b3b7b0a4c5d2f1e6a78b9c0d1e2f3a4b5c6d"
        );
        assert_eq!(parts[0].nonce, "a8607ef79034");
        assert_eq!(parts[1].bill_sequence, 2);
        assert_eq!(parts[1].download_url, format!("{DOWNLOAD_URL}2"));

        let request = only_request(&server);
        assert_eq!(path_of(&request), "/v3/bill/sub-merchant-fundflowbill");
        assert_eq!(
            query_of(&request),
            pairs(&[
                ("sub_mchid", SUB_MCHID),
                ("bill_date", "2019-06-11"),
                ("tar_type", "GZIP"),
                ("algorithm", "AEAD_AES_256_GCM"),
                ("account_type", "BASIC")
            ])
        );
    }

    /// The generated `GET /v3/billdownload/file` returns the raw file, unverified (WeChat Pay
    /// does not sign downloads; `runtime::bill` checks the digest).
    #[tokio::test]
    async fn bill_file_through_the_generated_download_operation() {
        use wechatpay_api::runtime::HttpMethod;
        use wechatpay_api::v3::billdownload::file;
        let server = server();
        server.route(
            Route::new(HttpMethod::Get, "/v3/billdownload/file").respond_bytes(
                200,
                "text/plain",
                b"a,b\n1,2\n".to_vec(),
            ),
        );
        let client = client(&server);
        let bytes: Vec<u8> = client
            .v3()
            .billdownload()
            .file()
            .get(&file::GetQuery {
                token: "6XIv5TUP".into(),
                tartype: None,
            })
            .await
            .unwrap();
        assert_eq!(bytes, b"a,b\n1,2\n");
        let request = only_request(&server);
        assert_eq!(request.url, "/v3/billdownload/file?token=6XIv5TUP");
        assert!(request.header("authorization").is_some());
    }
}

mod certificates {
    //! `GET /v3/certificates`: the platform certificates, encrypted with the APIv3 key.
    use super::*;
    use wechatpay_api::v3::certificates::{GetQuery, GetQueryAlgorithmType, GetResponse};

    #[tokio::test]
    async fn answer_decodes_and_the_certificate_opens_with_the_apiv3_key() {
        let apiv3_key = ApiV3Key::new(keys::APIV3_KEY).unwrap();
        let nonce = "61f9c719728a";
        let ciphertext = apiv3_key
            .encrypt(
                nonce,
                "certificate",
                keys::PLATFORM_CERTIFICATE_PEM.as_bytes(),
            )
            .unwrap();
        let server = server();
        server.route(route_for::<wechatpay_api::v3::certificates::Get>(
            200,
            json!({
                "data": [{
                    "serial_no": keys::PLATFORM_SERIAL,
                    "effective_time": "2018-06-08T10:34:56+08:00",
                    "expire_time": "2023-06-08T10:34:56+08:00",
                    "encrypt_certificate": {
                        "algorithm": "AEAD_AES_256_GCM",
                        "nonce": nonce,
                        "associated_data": "certificate",
                        "ciphertext": ciphertext
                    }
                }]
            }),
        ));
        let client = client(&server);
        let all: GetResponse = client
            .v3()
            .certificates()
            .get(&GetQuery::default())
            .await
            .unwrap();
        let rsa: GetResponse = client
            .v3()
            .certificates()
            .get(&GetQuery {
                algorithm_type: Some(GetQueryAlgorithmType::Rsa),
            })
            .await
            .unwrap();
        assert_eq!(all, rsa);
        assert_eq!(all.data.len(), 1);
        let entry = &all.data[0];
        assert_eq!(entry.serial_no, keys::PLATFORM_SERIAL);
        assert_eq!(entry.expire_time, "2023-06-08T10:34:56+08:00");
        let encrypted = &entry.encrypt_certificate;
        assert_eq!(encrypted.algorithm, "AEAD_AES_256_GCM");
        let pem = apiv3_key
            .decrypt(
                &encrypted.nonce,
                &encrypted.associated_data,
                &encrypted.ciphertext,
            )
            .unwrap();
        let certificate =
            WechatpayKey::platform_certificate(std::str::from_utf8(&pem).unwrap()).unwrap();
        assert_eq!(certificate.id(), entry.serial_no);

        let urls: Vec<String> = server.requests().into_iter().map(|r| r.url).collect();
        assert_eq!(
            urls,
            ["/v3/certificates", "/v3/certificates?algorithm_type=RSA"]
        );
    }
}

mod media {
    //! `POST /v3/merchant/media/{upload,video_upload}` through the generated chain, with the
    //! digest and the file part from `MediaFile`.
    use super::*;
    use wechatpay_api::v3::merchant::media::{upload, video_upload};

    /// The generated `meta` of the upload calls, from a `MediaFile`.
    fn meta_of(file: &MediaFile) -> upload::PostMeta {
        upload::PostMeta {
            sha256: file.sha256().to_owned(),
            filename: file.file_name().to_owned(),
        }
    }

    fn check_upload(request: &RecordedRequest, path: &str, file: &MediaFile) {
        assert_eq!(request.method, "POST");
        assert_eq!(request.url, path);
        assert!(
            request
                .header("content-type")
                .unwrap()
                .starts_with("multipart/form-data; boundary="),
            "{request:?}"
        );
        assert_eq!(
            request.json,
            Some(json!({"filename": file.file_name(), "sha256": file.sha256()}))
        );
        let part = request.file("file").unwrap();
        assert_eq!(part, &file.file_part());
        assert_eq!(part.file_name, file.file_name());
        assert_eq!(part.content_type, file.content_type());
        assert_eq!(part.bytes, file.bytes());
    }

    #[tokio::test]
    async fn image_upload() {
        let server = server();
        server.route(route_for::<upload::Post>(
            200,
            json!({"media_id": "H1ihR9JUtVj-J7CJqBUY5ZOrG_Je75H-rKhsNlS7Fb1Ts-gaq0yHbr6Qx6P1U6RdWHAhnZyRjzYOfL_8kYqFt3nK2MpXgaQ4k3T8"}),
        ));
        let client = client(&server);
        let file = MediaFile::new("logo.png", b"\x89PNG\r\n\x1a\n fake image".to_vec()).unwrap();
        let answer: upload::PostResponse = client
            .v3()
            .merchant()
            .media()
            .upload()
            .post(file.file_part(), &meta_of(&file))
            .await
            .unwrap();
        assert!(answer.media_id.starts_with("H1ihR9JUtVj"), "{answer:?}");
        check_upload(&only_request(&server), "/v3/merchant/media/upload", &file);
    }

    #[tokio::test]
    async fn video_upload() {
        let server = server();
        server.route(route_for::<video_upload::Post>(
            200,
            json!({"media_id": "6uqyGjGrCf2GtyXP8bxrbuH9-aAoTjH-rKeSl3Lf4_So6kdkQu4w8BYVP3bzLtvR38lxt4PjtCDXsQpzqge_hQEovHzOhsLleGFQVRF-U_0"}),
        ));
        let client = client(&server);
        let file = MediaFile::new(
            "intro.mp4",
            vec![0u8, 0, 0, 24, b'f', b't', b'y', b'p', 1, 2],
        )
        .unwrap();
        let answer: video_upload::PostResponse = client
            .v3()
            .merchant()
            .media()
            .video_upload()
            .post(file.file_part(), &meta_of(&file))
            .await
            .unwrap();
        assert!(answer.media_id.starts_with("6uqyGjGrCf2"), "{answer:?}");
        check_upload(
            &only_request(&server),
            "/v3/merchant/media/video_upload",
            &file,
        );
        assert_eq!(
            only_request(&server).file("file").unwrap().content_type,
            "video/mp4"
        );
    }

    #[tokio::test]
    async fn a_digest_that_does_not_match_the_file_is_refused() {
        let server = server();
        server.route(route_for::<upload::Post>(200, json!({"media_id": "M"})));
        let client = client(&server);
        let file = MediaFile::new("logo.png", b"\x89PNG image".to_vec()).unwrap();
        let other = MediaFile::new("logo.png", b"\x89PNG other image".to_vec()).unwrap();
        let err = client
            .v3()
            .merchant()
            .media()
            .upload()
            .post(file.file_part(), &meta_of(&other))
            .await
            .unwrap_err();
        let api = err.as_api().expect("an API error");
        assert_eq!((api.status, api.code_str()), (400, Some("PARAM_ERROR")));
        assert!(
            api.message.as_deref().unwrap().contains("sha256"),
            "{api:?}"
        );
        assert!(server.requests().is_empty());
    }
}

mod notifications {
    //! Typed `TRANSACTION.SUCCESS` and `REFUND.*` notifications, direct and partner: their
    //! resources are the very models the queries answer with.
    use super::*;
    use wechatpay_api::v3::pay::partner::transactions as partner;
    use wechatpay_api::v3::pay::transactions::id;
    use wechatpay_api::webhook;

    fn handler() -> WebhookHandler {
        WebhookHandler::builder(ApiV3Key::new(keys::APIV3_KEY).unwrap())
            .wechatpay_public_key(keys::PUBLIC_KEY_ID, keys::WECHATPAY_PUBLIC_KEY_PEM)
            .build()
            .unwrap()
    }

    fn transaction_notification(resource: Value) -> SentNotification {
        NotificationBuilder::new("TRANSACTION.SUCCESS", resource)
            .id("EV-2018022511223320873")
            .summary("支付成功")
            .build()
            .unwrap()
    }

    fn refund_notification(event_type: &str, resource: Value) -> SentNotification {
        NotificationBuilder::new(event_type, resource)
            .id("EV-2018022511223320874")
            .summary("退款状态")
            .original_type(Some("refund"))
            .associated_data("refund")
            .build()
            .unwrap()
    }

    /// A final refund state, as the `REFUND.*` resource carries it (direct merchant).
    fn refund_resource(status: &str) -> Value {
        let mut resource = json!({
            "mchid": MCHID,
            "out_trade_no": OUT_TRADE_NO,
            "transaction_id": TRANSACTION_ID,
            "out_refund_no": OUT_REFUND_NO,
            "refund_id": REFUND_ID,
            "refund_status": status,
            "user_received_account": "招商银行信用卡0403",
            "amount": {"total": 100, "refund": 50, "payer_total": 90, "payer_refund": 45}
        });
        if status == "SUCCESS" {
            resource["success_time"] = json!("2018-06-08T10:34:56+08:00");
        }
        resource
    }

    #[tokio::test]
    async fn direct_transaction_success_is_the_query_model() {
        let sent = transaction_notification(paid_transaction());
        let notification = handler()
            .handle_event::<webhook::Event>(&sent.headers, &sent.body)
            .unwrap();
        assert_eq!(notification.event_type, "TRANSACTION.SUCCESS");
        assert_eq!(notification.id, "EV-2018022511223320873");
        assert_eq!(notification.serial, keys::PUBLIC_KEY_ID);
        let paid: Box<models::Transaction> = match notification.resource {
            webhook::Event::TransactionSuccess(t) => t,
            other => panic!("{other:?}"),
        };
        check_paid(&paid);

        // The same order read back through the query decodes to an equal value of that type.
        let server = server();
        server.route(route_for::<id::transaction_id::Get>(
            200,
            paid_transaction(),
        ));
        let queried: models::Transaction = client(&server)
            .v3()
            .pay()
            .transactions()
            .id()
            .transaction_id(TRANSACTION_ID)
            .get(&id::transaction_id::GetQuery {
                mchid: MCHID.into(),
            })
            .await
            .unwrap();
        assert_eq!(*paid, queried);
        assert_eq!(takes_transaction(&paid), takes_transaction(&queried));
    }

    #[tokio::test]
    async fn partner_transaction_success_is_the_partner_query_model() {
        let sent = transaction_notification(paid_partner_transaction());
        let notification = handler()
            .handle_event::<webhook::partner::Event>(&sent.headers, &sent.body)
            .unwrap();
        assert_eq!(notification.resource.event_type(), "TRANSACTION.SUCCESS");
        let paid: Box<models::PartnerTransaction> = match notification.resource {
            webhook::partner::Event::TransactionSuccess(t) => t,
            other => panic!("{other:?}"),
        };
        check_paid_partner(&paid);

        let server = server();
        server.route(route_for::<partner::out_trade_no::out_trade_no::Get>(
            200,
            paid_partner_transaction(),
        ));
        let queried: models::PartnerTransaction = client(&server)
            .v3()
            .pay()
            .partner()
            .transactions()
            .out_trade_no()
            .out_trade_no(OUT_TRADE_NO)
            .get(&partner::id::transaction_id::GetQuery {
                sp_mchid: MCHID.into(),
                sub_mchid: SUB_MCHID.into(),
            })
            .await
            .unwrap();
        assert_eq!(*paid, queried);
        assert_eq!(
            takes_partner_transaction(&paid),
            takes_partner_transaction(&queried)
        );
    }

    #[test]
    fn a_partner_resource_is_not_a_direct_transaction() {
        // Decoded as the direct event, the sub-merchant order misses `appid` and `mchid`.
        let sent = transaction_notification(paid_partner_transaction());
        let err = handler()
            .handle_event::<webhook::Event>(&sent.headers, &sent.body)
            .unwrap_err();
        assert!(
            matches!(err, WebhookError::Resource { ref event_type, .. } if event_type == "TRANSACTION.SUCCESS"),
            "{err:?}"
        );
    }

    #[test]
    fn refund_events_are_the_refund_model() {
        use models::refund::RefundRefundStatus;
        for (event_type, status, expected) in [
            ("REFUND.SUCCESS", "SUCCESS", RefundRefundStatus::Success),
            ("REFUND.ABNORMAL", "ABNORMAL", RefundRefundStatus::Abnormal),
            ("REFUND.CLOSED", "CLOSED", RefundRefundStatus::Closed),
        ] {
            let sent = refund_notification(event_type, refund_resource(status));
            let notification = handler()
                .handle_event::<webhook::Event>(&sent.headers, &sent.body)
                .unwrap();
            assert_eq!(notification.event_type, event_type);
            assert_eq!(notification.original_type.as_deref(), Some("refund"));
            let refund: Box<models::Refund> = match (event_type, notification.resource) {
                ("REFUND.SUCCESS", webhook::Event::RefundSuccess(r))
                | ("REFUND.ABNORMAL", webhook::Event::RefundAbnormal(r))
                | ("REFUND.CLOSED", webhook::Event::RefundClosed(r)) => r,
                (_, other) => panic!("{event_type}: {other:?}"),
            };
            assert_eq!(takes_refund(&refund), (OUT_REFUND_NO, 50, 100));
            assert_eq!(refund.refund_status, Some(expected), "{event_type}");
            assert_eq!(refund.mchid.as_deref(), Some(MCHID));
            assert_eq!(refund.refund_id, REFUND_ID);
            assert_eq!(refund.amount.payer_refund, 45);
            assert_eq!(
                refund.success_time.is_some(),
                status == "SUCCESS",
                "{event_type}"
            );
            // Fields only the refund calls answer with are absent, not errors.
            assert_eq!(refund.status, None);
            assert_eq!(refund.channel, None);
        }
    }

    #[test]
    fn partner_refund_event_is_the_refund_model() {
        let mut resource = refund_resource("SUCCESS");
        let object = resource.as_object_mut().unwrap();
        object.remove("mchid");
        object.insert("sp_mchid".into(), json!(MCHID));
        object.insert("sub_mchid".into(), json!(SUB_MCHID));
        let sent = refund_notification("REFUND.SUCCESS", resource);
        let notification = handler()
            .handle_event::<webhook::partner::Event>(&sent.headers, &sent.body)
            .unwrap();
        let refund: Box<models::Refund> = match notification.resource {
            webhook::partner::Event::RefundSuccess(r) => r,
            other => panic!("{other:?}"),
        };
        assert_eq!(takes_refund(&refund), (OUT_REFUND_NO, 50, 100));
        assert_eq!(refund.sp_mchid.as_deref(), Some(MCHID));
        assert_eq!(refund.sub_mchid.as_deref(), Some(SUB_MCHID));
        assert_eq!(refund.mchid, None);
    }

    #[test]
    fn a_tampered_notification_is_refused() {
        let sent = transaction_notification(paid_transaction());
        // An attacker relabels a genuine payment notification as a refund.
        let mut forged = sent.clone();
        forged.body = sent
            .body
            .replace("\"TRANSACTION.SUCCESS\"", "\"REFUND.SUCCESS\"");
        assert_ne!(forged.body, sent.body);
        let err = handler()
            .handle_event::<webhook::Event>(&forged.headers, &forged.body)
            .unwrap_err();
        assert!(
            matches!(
                err,
                WebhookError::Signature(VerifyError::BadSignature { ref serial }) if serial == keys::PUBLIC_KEY_ID
            ),
            "{err:?}"
        );
        assert_eq!(err.reply().status, 401);
        // The untouched one still goes through.
        assert!(
            handler()
                .handle_event::<webhook::Event>(&sent.headers, &sent.body)
                .is_ok()
        );
    }
}

mod errors {
    //! Failures of lifecycle calls: WeChat Pay's error answers and answers that fail checks.
    use super::*;
    use wechatpay_api::v3::pay::partner::transactions as partner;
    use wechatpay_api::v3::pay::transactions::{id, out_trade_no};

    fn order_not_exist() -> Value {
        json!({"code": "ORDER_NOT_EXIST", "message": "订单不存在"})
    }

    #[tokio::test]
    async fn order_not_exist_is_a_typed_api_error() {
        let server = server();
        server.route(route_for::<out_trade_no::out_trade_no::Get>(
            404,
            order_not_exist(),
        ));
        server.route(route_for::<partner::id::transaction_id::Get>(
            404,
            order_not_exist(),
        ));
        let client = client(&server);
        let direct = client
            .v3()
            .pay()
            .transactions()
            .out_trade_no()
            .out_trade_no("NO-SUCH-ORDER")
            .get(&out_trade_no::out_trade_no::GetQuery {
                mchid: MCHID.into(),
            })
            .await
            .unwrap_err();
        let partner = client
            .v3()
            .pay()
            .partner()
            .transactions()
            .id()
            .transaction_id(TRANSACTION_ID)
            .get(&partner::id::transaction_id::GetQuery {
                sp_mchid: MCHID.into(),
                sub_mchid: SUB_MCHID.into(),
            })
            .await
            .unwrap_err();
        for err in [&direct, &partner] {
            let Error::Api(api) = err else {
                panic!("expected Error::Api, got {err:?}");
            };
            assert_eq!(api.status, 404);
            assert_eq!(api.code_str(), Some("ORDER_NOT_EXIST"));
            assert_eq!(api.message.as_deref(), Some("订单不存在"));
            assert!(
                api.request_id
                    .as_deref()
                    .unwrap()
                    .starts_with("TEST-REQUEST-")
            );
            assert!(err.to_string().contains("ORDER_NOT_EXIST"), "{err}");
        }
        // Both requests reached the server (the error is its answer, not a client check).
        let urls: Vec<String> = server.requests().into_iter().map(|r| r.url).collect();
        assert_eq!(
            urls,
            [
                format!("/v3/pay/transactions/out-trade-no/NO-SUCH-ORDER?mchid={MCHID}"),
                format!(
                    "/v3/pay/partner/transactions/id/{TRANSACTION_ID}?sp_mchid={MCHID}&sub_mchid={SUB_MCHID}"
                ),
            ]
        );
    }

    #[tokio::test]
    async fn a_tampered_answer_is_refused() {
        let server = server();
        server.route(route_for::<id::transaction_id::Get>(
            200,
            paid_transaction(),
        ));
        let client = client(&server);
        let query = id::transaction_id::GetQuery {
            mchid: MCHID.into(),
        };
        server.misbehave_once(Misbehavior::TamperedBody);
        let err = client
            .v3()
            .pay()
            .transactions()
            .id()
            .transaction_id(TRANSACTION_ID)
            .get(&query)
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::Verification(VerifyError::BadSignature { ref serial }) if serial == keys::PUBLIC_KEY_ID
            ),
            "{err:?}"
        );
        // The next, untouched answer is accepted.
        let answer: models::Transaction = client
            .v3()
            .pay()
            .transactions()
            .id()
            .transaction_id(TRANSACTION_ID)
            .get(&query)
            .await
            .unwrap();
        check_paid(&answer);
    }

    #[tokio::test]
    async fn a_tampered_prepay_answer_is_refused() {
        use wechatpay_api::v3::pay::transactions::jsapi;
        let server = server();
        server.route(route_for::<jsapi::Post>(
            200,
            json!({"prepay_id": "wx26112221580621e9b071c00d9e093b0000"}),
        ));
        let client = client(&server);
        server.misbehave_once(Misbehavior::TamperedBody);
        let body = jsapi::PostRequest {
            appid: APPID.into(),
            mchid: MCHID.into(),
            description: "QQ公仔".into(),
            out_trade_no: OUT_TRADE_NO.into(),
            amount: jsapi::PostRequestAmount {
                total: 1,
                currency: None,
            },
            notify_url: NOTIFY_URL.into(),
            payer: jsapi::PostRequestPayer {
                openid: OPENID.into(),
                identity: None,
            },
            ..Default::default()
        };
        let err = client
            .v3()
            .pay()
            .transactions()
            .jsapi()
            .post(&body)
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::Verification(VerifyError::BadSignature { .. })),
            "{err:?}"
        );
    }
}
