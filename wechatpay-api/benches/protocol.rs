//! Runtime overhead against the raw crypto it wraps, side by side in one run:
//! - `sign/client_build_and_sign`: a typed call built from a body, serialised and signed
//!   (`Call::prepare`, everything but the network) vs `sign/raw_rsa2048_sign`: one
//!   SHA256withRSA signature by aws-lc-rs over a message of the same size.
//! - `verify/client_verify_response`: a signed answer checked by the client (headers, key
//!   lookup by serial, message, base64, signature, clock) vs `verify/raw_rsa2048_verify`.
//! - `key_store/refreshing_store`: the same answer, signed by a platform certificate, checked
//!   by a client whose key store downloads and refreshes certificates (snapshot load, validity
//!   check) vs `key_store/fixed_certificate`: a client given that certificate by hand.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256, RsaKeyPair,
};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use criterion::{Criterion, criterion_group, criterion_main};
use reqwest::header::{HeaderMap, HeaderValue};
use rustls_pki_types::pem::PemObject;
use serde::Serialize;
use std::hint::black_box;
use wechatpay_api::runtime::signing::{request_message, response_message};
use wechatpay_api::runtime::verify::unix_now;
use wechatpay_api::runtime::{
    ApiV3Key, Call, Client, HttpMethod, Json, MerchantPrivateKey, Operation, OperationSpec,
    PathArgs, RequestBodyKind, ResponseBodyKind,
};

const MERCHANT_KEY: &str = include_str!("../src/testing/keys/merchant_private_key.pem");
const WECHATPAY_KEY: &str = include_str!("../src/testing/keys/wechatpay_private_key.pem");
const WECHATPAY_PUBLIC: &str = include_str!("../src/testing/keys/wechatpay_public_key.pem");
const PUB_KEY_ID: &str = "PUB_KEY_ID_0119000000012024112500000000000000";
const PLATFORM_CERTIFICATE: &str = include_str!("../src/testing/keys/platform_certificate.pem");
const PLATFORM_KEY: &str = include_str!("../src/testing/keys/platform_private_key.pem");
const PLATFORM_SERIAL: &str = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1";

struct Post;
impl Operation for Post {
    const SPEC: &'static OperationSpec = &OperationSpec {
        method: HttpMethod::Post,
        path: "/v3/brand/partner/card-member/user-cards/import-by-openid",
        base_uri: None,
        request_body: RequestBodyKind::Json,
        response_body: ResponseBodyKind::Json,
        encrypted_request_fields: &[],
        encrypted_response_fields: &[],
        sends_wechatpay_serial: false,
    };
    type Response = Json<serde_json::Value>;
}

#[derive(Serialize)]
struct Body {
    brand_id: &'static str,
    appid: &'static str,
    openid: &'static str,
    card_id: &'static str,
    code: &'static str,
}

const BODY: Body = Body {
    brand_id: "1000",
    appid: "wxd678efh567hg6787",
    openid: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
    card_id: "pbLatjnrwUUdZI641gKdTMJ9Mx9s",
    code: "1234567890",
};

fn client() -> Client {
    Client::builder()
        .merchant(
            "1900000001",
            "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C",
            MERCHANT_KEY,
        )
        .wechatpay_public_key(PUB_KEY_ID, WECHATPAY_PUBLIC)
        .build()
        .expect("client")
}

fn sign(c: &mut Criterion) {
    let client = client();
    let der =
        rustls_pki_types::PrivatePkcs8KeyDer::from_pem_slice(MERCHANT_KEY.as_bytes()).unwrap();
    let raw = RsaKeyPair::from_pkcs8(der.secret_pkcs8_der()).unwrap();
    let rng = SystemRandom::new();
    let body = serde_json::to_vec(&BODY).unwrap();
    let message = request_message(
        "POST",
        Post::SPEC.path,
        unix_now(),
        "593BEC0C930BF1AFEB40B4A08C8FB242",
        &body,
    );
    let mut signature = vec![0u8; raw.public_modulus_len()];

    let mut group = c.benchmark_group("sign");
    group.bench_function("client_build_and_sign", |b| {
        b.iter(|| {
            Call::<_, Post>::new(&client, PathArgs::new())
                .json(black_box(&BODY))
                .prepare()
                .unwrap()
        })
    });
    group.bench_function("raw_rsa2048_sign", |b| {
        b.iter(|| {
            raw.sign(&RSA_PKCS1_SHA256, &rng, black_box(&message), &mut signature)
                .unwrap();
        })
    });
    group.finish();
}

fn verify(c: &mut Criterion) {
    let client = client();
    let signer = MerchantPrivateKey::from_pem(WECHATPAY_KEY).unwrap();
    let body = br#"{"card_id":"pbLatjnrwUUdZI641gKdTMJ9Mx9s","code":"1234567890","phone_number":"UwSI5hW6Zy8sMUQb2vqXL1l1nUXVbXDUGY1wOSVWgMP7Ul8Hx0bxbJ/VUu6kFMhO0K/L8hHpn/RgCqeFBbvvVglZhJA4ASBh3NPHG5GrQ0bHmzIWWu9Ou/Nf/eyKhgEnMWH3PK0nZwgf6Hb6fHZPTRLeiTwyPhYbApIhwOxNx78FOc+I3dhBuvXmAoIikE1kDIoc/P9dvpvRt9Lb0Gj6PiC5Aw2GqZTWR62S+HjaJpU/WlFkvrSCU2N1VpMoiqhIZW3Bm6QvB4TP4rr0dWJIwdsFwNEjsBm0CRJMzvkuF7y5UOTq16n5oJSGaNTrn+jvq2gdxkIC/t5ZF2tIJ52Wyw=="}"#;
    let timestamp = unix_now().to_string();
    let nonce = "593BEC0C930BF1AFEB40B4A08C8FB242";
    let signature = signer
        .sign(&response_message(&timestamp, nonce, body))
        .unwrap();
    let mut headers = HeaderMap::new();
    headers.insert(
        "Wechatpay-Timestamp",
        HeaderValue::from_str(&timestamp).unwrap(),
    );
    headers.insert("Wechatpay-Nonce", HeaderValue::from_static(nonce));
    headers.insert(
        "Wechatpay-Signature",
        HeaderValue::from_str(&signature).unwrap(),
    );
    headers.insert("Wechatpay-Serial", HeaderValue::from_static(PUB_KEY_ID));
    headers.insert("Request-ID", HeaderValue::from_static("08F78BB5AF0610D302"));
    headers.insert("Content-Type", HeaderValue::from_static("application/json"));
    client
        .verify(&headers, body)
        .expect("the benchmark answer verifies");

    let spki =
        rustls_pki_types::SubjectPublicKeyInfoDer::from_pem_slice(WECHATPAY_PUBLIC.as_bytes())
            .unwrap();
    let raw = ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, spki.as_ref()).unwrap();
    let message = response_message(&timestamp, nonce, body);
    let signature_bytes = STANDARD.decode(&signature).unwrap();

    let mut group = c.benchmark_group("verify");
    group.bench_function("client_verify_response", |b| {
        b.iter(|| client.verify(black_box(&headers), black_box(body)).unwrap())
    });
    group.bench_function("raw_rsa2048_verify", |b| {
        b.iter(|| {
            raw.verify_sig(black_box(&message), black_box(&signature_bytes))
                .unwrap()
        })
    });
    group.finish();
}

/// An answer signed by the test platform certificate's key, and its headers.
fn certificate_signed_answer() -> (HeaderMap, Vec<u8>) {
    let signer = MerchantPrivateKey::from_pem(PLATFORM_KEY).unwrap();
    let body = br#"{"prepay_id":"wx26112221580621e9b071c00d9e093b0000"}"#.to_vec();
    let timestamp = unix_now().to_string();
    let nonce = "593BEC0C930BF1AFEB40B4A08C8FB242";
    let signature = signer
        .sign(&response_message(&timestamp, nonce, &body))
        .unwrap();
    let mut headers = HeaderMap::new();
    headers.insert(
        "Wechatpay-Timestamp",
        HeaderValue::from_str(&timestamp).unwrap(),
    );
    headers.insert("Wechatpay-Nonce", HeaderValue::from_static(nonce));
    headers.insert(
        "Wechatpay-Signature",
        HeaderValue::from_str(&signature).unwrap(),
    );
    headers.insert(
        "Wechatpay-Serial",
        HeaderValue::from_static(PLATFORM_SERIAL),
    );
    (headers, body)
}

fn key_store(c: &mut Criterion) {
    let builder = || {
        Client::builder().merchant(
            "1900000001",
            "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C",
            MERCHANT_KEY,
        )
    };
    let fixed = builder()
        .platform_certificate(PLATFORM_CERTIFICATE)
        .build()
        .unwrap();
    let refreshing = builder()
        .download_certificates(ApiV3Key::new("a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb").unwrap())
        .platform_certificate(PLATFORM_CERTIFICATE)
        .build()
        .unwrap();
    assert!(refreshing.key_store().refresh_status().is_some());
    let (headers, body) = certificate_signed_answer();
    fixed.verify(&headers, &body).expect("verifies");
    refreshing.verify(&headers, &body).expect("verifies");

    let mut group = c.benchmark_group("key_store");
    group.bench_function("refreshing_store", |b| {
        b.iter(|| {
            refreshing
                .verify(black_box(&headers), black_box(&body))
                .unwrap()
        })
    });
    group.bench_function("fixed_certificate", |b| {
        b.iter(|| fixed.verify(black_box(&headers), black_box(&body)).unwrap())
    });
    group.finish();
}

criterion_group!(benches, sign, verify, key_store);
criterion_main!(benches);
