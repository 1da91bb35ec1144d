//! Imports a member card for a user through the generated
//! `POST /v3/brand/partner/card-member/user-cards/import-by-openid`, its phone number
//! encrypted on the way out, and prints the verified answer as JSON.
//!
//! Configured from the environment:
//! `WECHATPAY_BASE_URL` (default the real host), `WECHATPAY_MCHID`, `WECHATPAY_MCH_SERIAL`,
//! `WECHATPAY_MCH_PRIVATE_KEY` (PEM file), `WECHATPAY_PUBLIC_KEY_ID`, `WECHATPAY_PUBLIC_KEY`
//! (PEM file), `WECHATPAY_BRAND_ID`, `WECHATPAY_CARD_ID`, `WECHATPAY_OPENID`,
//! `WECHATPAY_USER_CARD_CODE`, `WECHATPAY_PHONE`; optional `WECHATPAY_PICKUP_TIME`
//! (RFC 3339, default now).
//!
//! ```text
//! cargo run -p wechatpay-api --example membercard
//! ```

use std::process::ExitCode;

use wechatpay_api::runtime::{Client, Error, beijing_time, client::DEFAULT_BASE_URL};
use wechatpay_api::v3::brand::partner::card_member::user_cards::import_by_openid::{
    PostRequest, PostRequestDateInformation, PostRequestDateInformationType,
};

fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("environment variable {name} is not set"))
}

fn pem_file(name: &str) -> Result<String, String> {
    let path = env(name)?;
    std::fs::read_to_string(&path).map_err(|e| format!("{name}: cannot read `{path}`: {e}"))
}

async fn run() -> Result<String, String> {
    let base_url = std::env::var("WECHATPAY_BASE_URL").unwrap_or_else(|_| DEFAULT_BASE_URL.into());
    let client = Client::builder()
        .merchant(
            env("WECHATPAY_MCHID")?,
            env("WECHATPAY_MCH_SERIAL")?,
            &pem_file("WECHATPAY_MCH_PRIVATE_KEY")?,
        )
        .wechatpay_public_key(
            env("WECHATPAY_PUBLIC_KEY_ID")?,
            &pem_file("WECHATPAY_PUBLIC_KEY")?,
        )
        .base_url(base_url)
        .build()
        .map_err(|e: Error| e.to_string())?;

    let pickup_time = match std::env::var("WECHATPAY_PICKUP_TIME") {
        Ok(time) => time,
        Err(_) => beijing_time::rfc3339(wechatpay_api::runtime::verify::unix_now()),
    };
    let body = PostRequest {
        brand_id: env("WECHATPAY_BRAND_ID")?,
        card_id: env("WECHATPAY_CARD_ID")?,
        openid: env("WECHATPAY_OPENID")?,
        user_card_code: env("WECHATPAY_USER_CARD_CODE")?,
        // Plain text: the client encrypts it with the WeChat Pay public key.
        phone_number: Some(env("WECHATPAY_PHONE")?),
        user_information: None,
        date_information: PostRequestDateInformation {
            type_: PostRequestDateInformationType::Permanent,
            available_begin_time: None,
            available_end_time: None,
            available_day_after_receive: None,
        },
        pickup_time,
    };

    let answer = client
        .v3()
        .brand()
        .partner()
        .card_member()
        .user_cards()
        .import_by_openid()
        .post(&body)
        .await
        .map_err(|e| e.to_string())?;
    serde_json::to_string_pretty(&answer).map_err(|e| e.to_string())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run().await {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("membercard: {message}");
            ExitCode::FAILURE
        }
    }
}
