//! Fuzz target for the `.sbc` decoder, verifier and disassembler
//! (`cargo +nightly fuzz run sbc_decode`; seed corpus:
//! `SLOTJIT_FUZZ_SEEDS=1 cargo test --test sbc_robust write_fuzz_seeds`).
//!
//! Properties: no input panics; whatever `decode` accepts verifies,
//! disassembles and re-encodes to a fixpoint; `decode` accepts exactly what
//! `decode_unverified` + `verify` accept. A random CRC almost never matches,
//! so each input is also tried with its trailing CRC recomputed: that is
//! what lets the fuzzer reach the parser and the verifier.

#![no_main]

use libfuzzer_sys::fuzz_target;
use slotjit::bytecode::sbc::{crc32, encode};
use slotjit::bytecode::{decode, decode_unverified, disassemble, verify};

fn check(bytes: &[u8]) {
    let accepted = match decode(bytes) {
        Ok(p) => {
            assert!(verify(&p).is_ok(), "decode returned an unverifiable proto");
            let _ = disassemble(&p);
            let again = encode(&p);
            let p2 = decode(&again).expect("re-encoded proto must decode");
            assert_eq!(encode(&p2), again, "encoding is not a fixpoint");
            true
        }
        Err(e) => {
            assert!(e.code().starts_with("SJ-SBC-"));
            let _ = e.to_string();
            false
        }
    };
    if let Ok(p) = decode_unverified(bytes) {
        let _ = disassemble(&p);
        assert_eq!(
            verify(&p).is_ok(),
            accepted,
            "decode and decode_unverified+verify disagree"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    check(data);
    if data.len() >= 4 {
        let mut fixed = data.to_vec();
        let n = fixed.len() - 4;
        let crc = crc32(&fixed[..n]);
        fixed[n..].copy_from_slice(&crc.to_le_bytes());
        check(&fixed);
    }
});
