//! A client's answer path on arbitrary headers and body: status check, signature verification
//! (the target signs half of the inputs so that the rest is reached), field decryption and
//! decoding into generated answer types. No panic, no hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let _ = wechatpay_api::fuzzing::answer(bytes);
});
