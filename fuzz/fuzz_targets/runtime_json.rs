//! The JSON layer (`FromJson` of generated types, `Value`, the generated `webhook::Event`) on
//! arbitrary bytes: what reads writes back and reads again unchanged. No panic, no hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    wechatpay_api::fuzzing::json(bytes);
});
