//! Fixed RSA-2048 test keys (generated once with openssl; never use them outside tests).
//!
//! The merchant key pair, a WeChat Pay public key pair and a self-signed platform
//! certificate with its private key, plus the ids that go with them.

/// The test APIv2 key (32 letters and digits): v2 requests, answers and notifications are
/// signed with it, and refund notifications' `req_info` encrypted with its MD5.
pub const APIV2_KEY: &str = "192006250b4c09247ec02edce69f6a2d";
/// The RSA public key v2 bank transfers encrypt with, as `risk/getpublickey` hands it out
/// (PKCS#1); it is the WeChat Pay test key pair's public half.
pub const V2_RSA_PUBLIC_KEY_PEM: &str = include_str!("keys/v2_rsa_public_key.pem");

/// Test merchant id.
pub const MERCHANT_ID: &str = "1900000001";
/// Serial of the (imaginary) merchant API certificate.
pub const MERCHANT_SERIAL: &str = "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C";
/// The merchant private key (PKCS#8).
pub const MERCHANT_PRIVATE_KEY_PEM: &str = include_str!("keys/merchant_private_key.pem");
/// The merchant public key (SPKI).
pub const MERCHANT_PUBLIC_KEY_PEM: &str = include_str!("keys/merchant_public_key.pem");

/// Id of the test WeChat Pay public key.
pub const PUBLIC_KEY_ID: &str = "PUB_KEY_ID_0119000000012024112500000000000000";
/// The WeChat Pay public key (SPKI), as the merchant platform hands it out.
pub const WECHATPAY_PUBLIC_KEY_PEM: &str = include_str!("keys/wechatpay_public_key.pem");
/// Its private half, which only the (test) WeChat Pay holds.
pub const WECHATPAY_PRIVATE_KEY_PEM: &str = include_str!("keys/wechatpay_private_key.pem");

/// Serial of the test platform certificate.
pub const PLATFORM_SERIAL: &str = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1";
/// The self-signed test platform certificate.
pub const PLATFORM_CERTIFICATE_PEM: &str = include_str!("keys/platform_certificate.pem");
/// Its private key.
pub const PLATFORM_PRIVATE_KEY_PEM: &str = include_str!("keys/platform_private_key.pem");

/// The test APIv3 key (32 bytes) that encrypts test notification resources.
pub const APIV3_KEY: &str = "a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb";

/// The test app id (`appid`) of v2 notifications.
pub const APPID: &str = "wxd930ea5d5a258f4f";
