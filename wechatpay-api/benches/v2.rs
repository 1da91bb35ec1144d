//! What checking one APIv2 answer costs: reading the XML, verifying its `sign` (MD5 and
//! HMAC-SHA256), and decoding it into the generated `v2::pay::orderquery` answer (with a numbered
//! voucher group). `cargo bench -p wechatpay-api --features v2 --bench v2`.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

use wechatpay_api::runtime::v2::sign::{sign, verify};
use wechatpay_api::runtime::v2::{ApiV2Key, Params, SignType, xml};
use wechatpay_api::v2::pay::orderquery;

const KEY: &str = "192006250b4c09247ec02edce69f6a2d";

/// A paid order as `orderquery` answers it, with two vouchers.
fn answer() -> Params {
    [
        ("return_code", "SUCCESS"),
        ("return_msg", "OK"),
        ("result_code", "SUCCESS"),
        ("appid", "wxd930ea5d5a258f4f"),
        ("mch_id", "1900000109"),
        ("nonce_str", "ibuaiVcKdpRxkhJAibuaiVcKdpRxkhJA"),
        ("device_info", "1000"),
        ("openid", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"),
        ("is_subscribe", "N"),
        ("trade_type", "JSAPI"),
        ("trade_state", "SUCCESS"),
        ("bank_type", "CMC"),
        ("total_fee", "101"),
        ("fee_type", "CNY"),
        ("cash_fee", "91"),
        ("cash_fee_type", "CNY"),
        ("coupon_fee", "10"),
        ("coupon_count", "2"),
        ("coupon_type_0", "CASH"),
        ("coupon_id_0", "10000"),
        ("coupon_fee_0", "6"),
        ("coupon_type_1", "NO_CASH"),
        ("coupon_id_1", "10001"),
        ("coupon_fee_1", "4"),
        ("transaction_id", "1009660380201506130728806387"),
        ("out_trade_no", "20150806125346"),
        ("attach", "order attachment"),
        ("time_end", "20150806125350"),
        ("trade_state_desc", "paid"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

fn signed_document(sign_type: SignType) -> Vec<u8> {
    let key = ApiV2Key::new(KEY).unwrap();
    let mut params = answer();
    params.insert("sign", sign(&params, sign_type, &key));
    xml::write(&params).unwrap().into_bytes()
}

fn answer_check(c: &mut Criterion) {
    let key = ApiV2Key::new(KEY).unwrap();
    let md5 = signed_document(SignType::Md5);
    let hmac = signed_document(SignType::HmacSha256);
    let parsed = xml::parse(&md5).unwrap();
    let parsed_hmac = xml::parse(&hmac).unwrap();

    let mut group = c.benchmark_group("v2_answer");
    group.bench_function("parse_xml", |b| {
        b.iter(|| xml::parse(black_box(&md5)).unwrap())
    });
    group.bench_function("verify_md5", |b| {
        b.iter(|| verify(black_box(&parsed), &key, SignType::Md5).unwrap())
    });
    group.bench_function("verify_hmac_sha256", |b| {
        b.iter(|| verify(black_box(&parsed_hmac), &key, SignType::HmacSha256).unwrap())
    });
    group.bench_function("decode_orderquery", |b| {
        b.iter(|| {
            black_box(parsed.clone())
                .read::<orderquery::PostResponse>()
                .unwrap()
        })
    });
    group.bench_function("parse_verify_decode_md5", |b| {
        b.iter(|| {
            let params = xml::parse(black_box(&md5)).unwrap();
            verify(&params, &key, SignType::Md5).unwrap();
            params.read::<orderquery::PostResponse>().unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, answer_check);
criterion_main!(benches);
