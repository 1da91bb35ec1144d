//! The IR of the three twoslash seeds in `specs/`.

use std::path::Path;

use codegen::frontend::{Outcome, read_page};
use codegen::ir::{
    BodyKind, Field, FieldType, Format, ItemType, Method, Operation, ResponseKind, SourceFormat,
};

fn read(source: &str) -> Vec<Operation> {
    let location = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../specs")
        .join(source);
    let bytes = std::fs::read(&location).unwrap();
    match read_page(source, &location.to_string_lossy(), &bytes) {
        Outcome::Page(page) => page.operations,
        other => panic!("{source}: {other:?}"),
    }
}

/// (name, type, required) of each field.
fn shape(fields: &[Field]) -> Vec<(&str, FieldType, bool)> {
    fields
        .iter()
        .map(|f| (f.name.as_str(), f.ty, f.required))
        .collect()
}

use FieldType::{Array, Number, Object, String};

#[test]
fn seed_000_users_import() {
    let operations = read("v3/marketing/membercard-open/cards/{card_id}/users/import.md");
    let [op] = operations.as_slice() else {
        panic!("{operations:#?}")
    };
    assert_eq!(op.format, SourceFormat::Twoslash);
    assert_eq!(op.method, Method::Post);
    assert_eq!(
        op.path,
        "/v3/marketing/membercard-open/cards/{card_id}/users/import"
    );
    assert_eq!(op.line, 6);
    assert_eq!(op.summary, "根据openid导入用户会员卡");
    assert!(op.description.starts_with("对于经营会员生意的商户来说"));
    assert_eq!(
        op.doc_links,
        [
            "https://pay.weixin.qq.com/wiki/doc/apiv3/wxpay/marketing/membercard_open/chapter3_13.shtml"
        ]
    );
    assert_eq!(shape(&op.path_params), [("card_id", String, true)]);
    assert_eq!(op.path_params[0].line, 22);
    assert!(op.query.is_empty() && op.headers.is_empty());
    assert_eq!(op.body.kind, BodyKind::Json);
    assert_eq!(
        shape(&op.body.fields),
        [
            ("openid", String, true),
            ("code", String, true),
            ("out_request_no", String, true)
        ]
    );
    assert_eq!(op.body.fields[0].line, 16);
    assert_eq!(op.response.kind, ResponseKind::Json);
    // Response fields read from twoslash pages are optional (see `twoslash::policy`).
    assert_eq!(shape(&op.response.fields), [("code", String, false)]);
}

#[test]
fn seed_002_phone_membercard_import() {
    let operations =
        read("v3/marketing/membercard-open/cards/{card_id}/phone-membercard/import.md");
    let [op] = operations.as_slice() else {
        panic!("{operations:#?}")
    };
    assert_eq!(op.method, Method::Post);
    assert_eq!(
        op.path,
        "/v3/marketing/membercard-open/cards/{card_id}/phone-membercard/import"
    );
    assert_eq!(op.summary, "根据手机号导入用户会员卡");
    assert_eq!(
        op.description,
        "商户可通过加密后的用户手机号，将存量会员通过接口导入至微信侧后台。"
    );
    assert_eq!(
        op.doc_links,
        [
            "https://pay.weixin.qq.com/wiki/doc/apiv3/wxpay/marketing/membercard_open/chapter3_14.shtml",
            "https://pay.weixin.qq.com/doc/v3/merchant/4012550535",
            "https://pay.weixin.qq.com/doc/v3/partner/4012727629",
        ]
    );
    assert_eq!(shape(&op.path_params), [("card_id", String, true)]);
    assert_eq!(shape(&op.headers), [("Wechatpay-Serial", String, true)]);
    assert_eq!(op.headers[0].rust_name, "wechatpay_serial");
    assert_eq!(
        shape(&op.body.fields),
        [
            ("encrypted_phone_number", String, true),
            ("code", String, true),
            ("out_request_no", String, true)
        ]
    );
    // `encrypted_…` with the `Wechatpay-Serial` header: encrypted automatically.
    assert_eq!(
        op.body.fields[0].encrypted,
        Some(codegen::ir::Encryption::RsaPubkey)
    );
    assert_eq!(op.body.fields[1].encrypted, None);
    // Response fields read from twoslash pages are optional (see `twoslash::policy`).
    assert_eq!(shape(&op.response.fields), [("code", String, false)]);
}

#[test]
fn seed_004_codes_get_and_patch() {
    let operations = read("v3/marketing/membercard-open/cards/{card_id}/codes/{code}.md");
    let [get, patch] = operations.as_slice() else {
        panic!("{operations:#?}")
    };
    let path = "/v3/marketing/membercard-open/cards/{card_id}/codes/{code}";

    assert_eq!(
        (get.method, get.path.as_str(), get.line),
        (Method::Get, path, 6)
    );
    assert_eq!(get.summary, "查询用户会员卡信息");
    assert_eq!(
        get.description,
        "通过此接口可查询指定用户会员卡的信息，如会员积分、储值余额、开卡信息等"
    );
    assert_eq!(
        get.doc_links,
        [
            "https://pay.weixin.qq.com/wiki/doc/apiv3/wxpay/marketing/membercard_open/chapter3_4.shtml"
        ]
    );
    assert_eq!(
        shape(&get.path_params),
        [("card_id", String, true), ("code", String, true)]
    );
    assert_eq!(get.body.kind, BodyKind::None);
    assert_eq!(get.response.kind, ResponseKind::Json);
    assert_eq!(
        shape(&get.response.fields),
        [
            ("card_id", String, false),
            ("code", String, false),
            ("openid", String, false),
            ("membership_number", String, false),
            ("level", String, false),
            ("nickname", String, false),
            ("head_image_url", String, false),
            ("background_picture_url", String, false),
            ("balance", Number, false),
            ("user_card_status", String, false),
            ("user_information", Object, false),
            ("bonus_value", Number, false),
        ]
    );
    let user_information = &get.response.fields[10];
    assert_eq!(
        shape(&user_information.fields),
        [
            ("common_field_list", Array, false),
            ("custom_field_list", Array, false)
        ]
    );
    let custom = &user_information.fields[1];
    assert_eq!(custom.items, Some(ItemType::Object));
    assert_eq!(
        shape(&custom.fields),
        [
            ("name", String, false),
            ("value", String, false),
            ("value_list", Array, false)
        ]
    );
    assert_eq!(custom.fields[2].items, Some(ItemType::String));

    assert_eq!(
        (patch.method, patch.path.as_str(), patch.line),
        (Method::Patch, path, 131)
    );
    assert_eq!(patch.summary, "修改用户会员卡信息");
    assert_eq!(
        patch.description,
        "通过此接口可更新指定用户的会员卡背景图、会员卡号、等级、储值余额"
    );
    assert_eq!(
        patch.doc_links,
        [
            "https://pay.weixin.qq.com/wiki/doc/apiv3/wxpay/marketing/membercard_open/chapter3_8.shtml",
            "https://pay.weixin.qq.com/doc/v3/merchant/4012549292",
            "https://pay.weixin.qq.com/doc/v3/partner/4012709735",
        ]
    );
    assert_eq!(patch.body.kind, BodyKind::Json);
    let balance = &patch.body.fields[4];
    assert_eq!(
        (balance.name.as_str(), balance.ty),
        ("balance_information", Object)
    );
    assert_eq!(
        shape(&balance.fields),
        [
            ("before_balance", Number, true),
            ("balance", Number, true),
            ("add_balance", Number, true),
            ("balance_remark", String, true)
        ]
    );
    assert_eq!(patch.response.kind, ResponseKind::Empty);
    assert!(
        patch
            .response
            .fields
            .iter()
            .all(|f| f.format != Some(Format::DateTime))
    );
}
