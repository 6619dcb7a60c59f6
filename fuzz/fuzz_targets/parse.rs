//! Fuzz target: the Lua front end must return `Ok` or `Err` on any input,
//! never panic or overflow the stack. Run with `cargo +nightly fuzz run parse`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(proto) = slotjit::lua::compile(data, "@fuzz.lua") {
        // Invariants every compiled prototype tree must satisfy.
        fn check(p: &slotjit::bytecode::Proto) {
            assert_eq!(p.code.len(), p.line_info.len());
            assert!(p.max_stack_size >= 2);
            p.protos.iter().for_each(check);
        }
        check(&proto);
    }
});
