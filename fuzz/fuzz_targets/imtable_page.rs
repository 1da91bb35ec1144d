//! The im-table front end (and the emitter behind it) on arbitrary bytes: no panic, no hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let _ = codegen::fuzzing::imtable_page(bytes);
});
