//! The Rust generated from the synthetic APIv2 pages in `tests/fixtures/apiv2` (written for
//! these tests): numbered groups with `$n` and `$n_$m` in a request and an answer, JSON-encoded
//! and URL-encoded elements, a download, a call with a client certificate and no nonce whose
//! elements are RSA-encrypted, and a refund notification with an AES-ECB `req_info`. Every
//! generated file is pinned as a snapshot; `wechatpay-api/tests/v2_generated.rs` compiles the
//! same files (`cargo xtask gen` writes them there) and drives them.

use std::path::PathBuf;

use codegen::emit::{self, Options};
use codegen::spec_tree;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/apiv2")
}

fn generate() -> emit::Generated {
    let export = spec_tree::export(&spec_tree::read_tree(&fixtures()).expect("fixtures read"));
    assert!(export.errors.is_empty(), "{:?}", export.errors);
    emit::generate_all(
        &export.operations,
        &export.notifications,
        Options {
            area_features: false,
        },
    )
    .expect("the fixtures generate")
}

/// Generated code with whitespace runs as one space (prettyplease wraps macro input freely).
fn flat(code: &str) -> String {
    code.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn every_generated_file_is_pinned() {
    let generated = generate();
    assert_eq!(generated.roots, ["v2"]);
    assert!(generated.webhook && !generated.models);
    assert!(generated.omissions.is_empty(), "{:?}", generated.omissions);
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        for (file, code) in &generated.files {
            let name = file.trim_end_matches(".rs").replace('/', "__");
            insta::assert_snapshot!(format!("v2_code@{name}"), code);
        }
    });
}

#[test]
fn envelope_elements_are_no_request_fields() {
    let generated = generate();
    let code = flat(&generated.files["v2/demo.rs"]);
    let request = |module: &str| {
        let start = code
            .find(&format!("pub mod {module} {{"))
            .unwrap_or_else(|| panic!("module {module}"));
        let from = &code[start..];
        let begin = from
            .find("pub struct PostRequest {")
            .expect("request struct");
        let end = from[begin..].find('}').expect("struct end");
        from[begin..begin + end].to_owned()
    };
    let refundquery = request("refundquery");
    for envelope in ["mch_id", "nonce_str", "sign_type", "pub sign:"] {
        assert!(!refundquery.contains(envelope), "{envelope}: {refundquery}");
    }
    assert!(refundquery.contains("pub appid: ::std::option::Option<::std::string::String>"));
    assert!(
        request("unifiedorder").contains("pub detail: ::std::option::Option<PostRequestDetail>")
    );
    assert!(!request("unifiedorder").contains("mchid"));
    assert!(code.contains(r#"merchant_id: ::std::option::Option::Some("mchid")"#));
    assert!(code.contains(
        r#"sign_types: &[ ::wechatpay_api::runtime::v2::SignType::Md5, ::wechatpay_api::runtime::v2::SignType::HmacSha256, ]"#
    ));
    assert!(code.contains(r#"encrypted_request_fields: &["detail.holder_name"]"#));
    assert!(code.contains(r#"encrypted_request_fields: &["enc_bank_no", "enc_true_name"]"#));
    assert!(code.contains("security: true, nonceless: true"));
    assert!(code.contains("type Response = ::wechatpay_api::runtime::v2::Download;"));
}

#[test]
fn unknown_sign_type_values_are_named_errors() {
    let page = std::fs::read_to_string(fixtures().join("v2/demo/refundquery.md")).unwrap();
    let page = page.replace("`MD5` \\| `HMAC-SHA256`", "`MD5` \\| `RSA`");
    let pages = spec_tree::read_files([(
        "v2/demo/refundquery.md".to_owned(),
        "v2/demo/refundquery.md".to_owned(),
        page.into_bytes(),
    )]);
    let export = spec_tree::export(&pages);
    let error = emit::generate(&export.operations, Options::default()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "v2/demo/refundquery.md:17: `POST /v2/demo/refundquery`: unknown `sign_type` value `RSA` (known: `MD5`, `HMAC-SHA256`)"
    );
}

#[test]
fn area_features_of_v2_are_prefixed() {
    let export = spec_tree::export(&spec_tree::read_tree(&fixtures()).unwrap());
    let generated = emit::generate(
        &export.operations,
        Options {
            area_features: true,
        },
    )
    .unwrap();
    let root = flat(&generated.files["v2/mod.rs"]);
    assert!(
        root.contains(r#"#[cfg(feature = "v2-demo")] pub mod demo;"#),
        "{root}"
    );
}
