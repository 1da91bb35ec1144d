//! `WebhookHandler` on arbitrary headers and body, on envelopes signed by the target, and on
//! arbitrary resources sealed and signed into real notifications. No panic, no hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let _ = wechatpay_api::fuzzing::webhook(bytes);
});
