//! Compiles the APIv2 modules generated from `codegen/tests/fixtures/apiv2` (`cargo xtask gen`
//! writes them to `tests/v2_generated`) and drives their types through the v2 seam without a
//! network: requests write the elements the docs name (numbered groups expanded, JSON-encoded
//! elements as JSON text, never the envelope the runtime writes), answers and notifications read
//! back, and sensitive elements stay out of `Debug`.

#[rustfmt::skip]
#[path = "v2_generated/v2/mod.rs"]
#[allow(dead_code)]
mod v2;

#[rustfmt::skip]
#[path = "v2_generated/webhook/mod.rs"]
#[allow(dead_code)]
mod webhook;

use wechatpay_api::runtime::PathArgs;
use wechatpay_api::runtime::v2::{
    Answer, Decode, NotificationEncryption, NotificationKind, Operation, Params, RequestKind,
    ResponseKind, SignType,
};

use v2::demo::{paybank, refundquery, unifiedorder};
use webhook::v2::demo_refunded;

/// The chain root on a stand-in client: building a call needs no network.
fn root() -> v2::V2<'static, ()> {
    v2::V2::new(&(), PathArgs::new())
}

fn params(pairs: &[(&str, &str)]) -> Params {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn elements(params: &Params) -> Vec<String> {
    params.iter().map(|(k, v)| format!("{k}={v}")).collect()
}

#[test]
fn request_writes_numbered_groups_and_no_envelope() {
    let request = refundquery::PostRequest {
        offset: Some(2),
        coupons: vec![
            refundquery::PostRequestCoupon {
                coupon_fee: Some(5),
                coupon_ids: vec![
                    refundquery::PostRequestCouponCouponId {
                        coupon_id: Some("C00".into()),
                    },
                    refundquery::PostRequestCouponCouponId {
                        coupon_id: Some("C01".into()),
                    },
                ],
            },
            refundquery::PostRequestCoupon {
                coupon_fee: Some(7),
                coupon_ids: vec![],
            },
        ],
        ..refundquery::PostRequest::new("R-1", vec![])
    };
    let call = root().demo().refundquery().post(&request);
    assert!(call.invalid().is_none());
    assert_eq!(
        elements(call.request_params()),
        [
            "coupon_fee_0=5",
            "coupon_fee_1=7",
            "coupon_id_0_0=C00",
            "coupon_id_0_1=C01",
            "offset=2",
            "out_refund_no=R-1",
        ]
    );
    // The envelope is the runtime's: the spec names it, the struct has no field for it.
    let spec = call.spec();
    assert_eq!(spec.path, "/demo/refundquery");
    assert_eq!(spec.request, RequestKind::Xml);
    assert_eq!(spec.merchant_id, Some("mch_id"));
    assert_eq!(spec.app_id, Some("appid"));
    assert!(spec.signed && !spec.nonceless && !spec.security);
    assert_eq!(spec.sign_types, [SignType::Md5, SignType::HmacSha256]);

    // The app id is optional: set, it is written as is.
    let with_app = refundquery::PostRequest {
        appid: Some("wx-app".into()),
        ..refundquery::PostRequest::new("R-2", vec![])
    };
    let written = Params::from_value(&with_app).unwrap();
    assert_eq!(elements(&written), ["appid=wx-app", "out_refund_no=R-2"]);
}

#[test]
fn answer_reads_numbered_groups_back() {
    let answer = params(&[
        ("return_code", "SUCCESS"),
        ("result_code", "SUCCESS"),
        ("refund_count", "2"),
        ("out_refund_no_0", "R-0"),
        ("refund_fee_0", "100"),
        ("refund_status_0", "SUCCESS"),
        ("coupon_refund_id_0_0", "C00"),
        ("coupon_refund_fee_0_0", "30"),
        ("coupon_refund_id_0_1", "C01"),
        ("out_refund_no_1", "R-1"),
        ("refund_fee_1", "1"),
        ("cash_fee", "70"),
        ("rate", "6.5123"),
        ("mch_id", "1230000109"),
        ("sign", "IGNORED-HERE"),
    ]);
    let decoded = <refundquery::Post as Operation>::Response::decode(Answer {
        params: answer.clone(),
        body: Vec::new(),
    })
    .unwrap();
    assert_eq!(
        decoded.return_code,
        refundquery::PostResponseReturnCode::Success
    );
    assert_eq!(decoded.refund_count, 2);
    assert_eq!(decoded.cash_fee, Some(70));
    assert_eq!(
        decoded.rate.as_ref().map(ToString::to_string).as_deref(),
        Some("6.5123")
    );
    let refunds = &decoded.refunds;
    assert_eq!(refunds.len(), 2);
    assert_eq!(refunds[0].out_refund_no, "R-0");
    assert_eq!(refunds[0].refund_fee, 100);
    assert_eq!(
        refunds[0].refund_status,
        Some(refundquery::PostResponseRefundRefundStatus::Success)
    );
    let coupons: Vec<_> = refunds[0]
        .coupon_refunds
        .iter()
        .map(|c| (c.coupon_refund_id.as_deref(), c.coupon_refund_fee))
        .collect();
    assert_eq!(coupons, [(Some("C00"), Some(30)), (Some("C01"), None)]);
    assert!(refunds[1].coupon_refunds.is_empty());

    // A malformed amount is an error naming its element, never a float.
    let mut bad = answer.clone();
    bad.insert("refund_fee_1", "1.5");
    let error = bad.read::<refundquery::PostResponse>().unwrap_err();
    assert_eq!(error.path(), "refund_fee_1");
    // A required element of a group member is required.
    let mut missing = answer;
    missing.remove("refund_fee_1");
    assert_eq!(
        missing
            .read::<refundquery::PostResponse>()
            .unwrap_err()
            .to_string(),
        "missing element `refund_fee_1`"
    );
}

#[test]
fn json_encoded_elements_travel_as_json_text() {
    let request = unifiedorder::PostRequest {
        detail: Some(unifiedorder::PostRequestDetail {
            cost_price: Some(608800),
            holder_name: Some("Zhang San".into()),
            ..unifiedorder::PostRequestDetail::new()
        }),
        scene_info: Some(serde_json::json!({"store_info": {"id": "S-1"}})),
        ..unifiedorder::PostRequest::new("Goods", 608800)
    };
    let call = root().demo().unifiedorder().post(&request);
    let written = call.request_params();
    assert_eq!(
        written.get("detail"),
        Some(r#"{"cost_price":608800,"holder_name":"Zhang San"}"#)
    );
    assert_eq!(
        written.get("scene_info"),
        Some(r#"{"store_info":{"id":"S-1"}}"#)
    );
    assert_eq!(written.get("total_fee"), Some("608800"));
    assert!(!written.contains("mchid") && !written.contains("sign_type"));
    let spec = call.spec();
    assert_eq!(spec.merchant_id, Some("mchid"));
    assert_eq!(spec.sign_types, [SignType::HmacSha256]);
    assert_eq!(spec.encrypted_request_fields, ["detail.holder_name"]);
    let shown = format!("{request:?}");
    assert!(!shown.contains("Zhang San"), "{shown}");

    let answer = params(&[
        ("return_code", "SUCCESS"),
        ("prepay_id", "wx-prepay"),
        ("promotion_detail", r#"{"promotion_id":"P-1","amount":5}"#),
    ]);
    let decoded: unifiedorder::PostResponse = answer.read().unwrap();
    let promotion = decoded.promotion_detail.expect("decoded promotion");
    assert_eq!(
        (promotion.promotion_id.as_str(), promotion.amount),
        ("P-1", Some(5))
    );
    let broken = params(&[
        ("return_code", "SUCCESS"),
        ("promotion_detail", "{not json"),
    ]);
    let error = broken.read::<unifiedorder::PostResponse>().unwrap_err();
    assert!(error.to_string().contains("promotion_detail"), "{error}");
}

#[test]
fn certificate_nonceless_download_and_redaction() {
    let request = paybank::PostRequest::new("T-1", "6225000011112222", "Li Si", 100);
    let shown = format!("{request:?}");
    assert!(
        !shown.contains("6225000011112222") && !shown.contains("Li Si"),
        "{shown}"
    );
    let spec = <paybank::Post as Operation>::SPEC;
    assert!(spec.security && spec.nonceless && spec.signed);
    assert_eq!(spec.app_id, None);
    assert_eq!(
        spec.encrypted_request_fields,
        ["enc_bank_no", "enc_true_name"]
    );

    let download = <v2::demo::downloadbill::Post as Operation>::SPEC;
    assert_eq!(download.response, ResponseKind::Download);
    let bytes = <v2::demo::downloadbill::Post as Operation>::Response::decode(Answer {
        params: Params::new(),
        body: b"bill text".to_vec(),
    })
    .unwrap();
    assert_eq!(bytes, b"bill text");
}

#[test]
fn notification_marker_names_its_encrypted_element() {
    type Kind = demo_refunded::Notification;
    assert_eq!(Kind::EVENT_TYPES, ["demo-refunded"]);
    assert_eq!(
        Kind::ENCRYPTED,
        Some(("req_info", NotificationEncryption::AesEcb))
    );
    let envelope: <Kind as NotificationKind>::Envelope = params(&[
        ("return_code", "SUCCESS"),
        ("mch_id", "1230000109"),
        ("req_info", "BASE64-CIPHERTEXT"),
    ])
    .read()
    .unwrap();
    assert_eq!(envelope.req_info.as_deref(), Some("BASE64-CIPHERTEXT"));
    assert!(!format!("{envelope:?}").contains("BASE64-CIPHERTEXT"));
    // A failure notification carries few elements: every element is optional.
    let failure: demo_refunded::Envelope = params(&[("return_code", "FAIL")]).read().unwrap();
    assert_eq!(failure.req_info, None);

    let resource: <Kind as NotificationKind>::Resource = params(&[
        ("out_refund_no", "R-1"),
        ("refund_fee", "100"),
        ("refund_status", "SUCCESS"),
    ])
    .read()
    .unwrap();
    assert_eq!(resource.refund_fee, Some(100));
    assert_eq!(
        resource.refund_status,
        Some(demo_refunded::ResourceRefundStatus::Success)
    );
}
