//! Robustness of the decoder, verifier and disassembler against corrupted
//! input: every truncation, every single-bit flip and many random mutations
//! of valid files must give `Err` or a verified proto — never a panic.
//!
//! Mutated files are tested twice: as they are (the CRC rejects them) and
//! with the CRC recomputed, so the parser and the verifier see the damage.

mod sbc_common;

use std::panic::{AssertUnwindSafe, catch_unwind};

use sbc_common::*;
use slotjit::bytecode::sbc::HEADER_LEN;
use slotjit::bytecode::{Proto, decode, decode_unverified, disassemble, encode, verify};

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// What an accepted file must satisfy beyond "no panic".
fn check_accepted(p: &Proto) {
    verify(p).expect("decode returned a proto the verifier rejects");
    let _ = disassemble(p);
    // Canonical encoding: decode(encode(x)) is a fixpoint.
    let again = encode(p);
    let p2 = decode(&again).expect("re-encoded accepted proto must decode");
    assert_eq!(encode(&p2), again);
}

/// Runs every entry point on `bytes`; returns whether `decode` accepted.
/// A panic anywhere is turned into a test failure naming the input.
fn exercise(bytes: &[u8], what: &str) -> bool {
    let result = catch_unwind(AssertUnwindSafe(|| {
        let accepted = match decode(bytes) {
            Ok(p) => {
                check_accepted(&p);
                true
            }
            Err(e) => {
                // Codes and messages must be producible for every error.
                assert!(e.code().starts_with("SJ-SBC-"));
                assert!(!e.to_string().is_empty());
                false
            }
        };
        // Tools look at unverified protos: verifier and disassembler must
        // cope with anything the decoder produces.
        if let Ok(p) = decode_unverified(bytes) {
            let verified = verify(&p).is_ok();
            let _ = disassemble(&p);
            assert_eq!(
                verified, accepted,
                "decode and decode_unverified+verify disagree"
            );
        }
        accepted
    }));
    match result {
        Ok(accepted) => accepted,
        Err(_) => panic!("panic on {what}: input {}", hex(bytes)),
    }
}

fn fixtures() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("hello", encode(&hello())),
        ("luac_shaped", encode(&luac_shaped())),
        ("kitchen_sink", encode(&kitchen_sink())),
    ]
}

#[test]
fn fixtures_are_accepted() {
    for (name, bytes) in fixtures() {
        assert!(exercise(&bytes, name), "{name} must decode");
    }
}

#[test]
fn every_truncation_is_an_error() {
    for (name, bytes) in fixtures() {
        for n in 0..bytes.len() {
            assert!(
                !exercise(&bytes[..n], name),
                "{name} truncated to {n} bytes was accepted"
            );
        }
        // The same truncations of the body with a valid CRC: the parser
        // itself must notice, and say it is truncated (or, when a length
        // byte was cut, malformed / over a limit).
        for n in HEADER_LEN..bytes.len() - 4 {
            let fixed = with_crc(bytes[..n].to_vec());
            let what = format!("{name} body truncated to {n} bytes + crc");
            assert!(!exercise(&fixed, &what), "{what} was accepted");
            let e = decode(&fixed).unwrap_err();
            let ok = ["SJ-SBC-TRUNCATED", "SJ-SBC-MALFORMED", "SJ-SBC-LIMIT"];
            assert!(ok.contains(&e.code()), "{what}: {e}");
        }
    }
}

#[test]
fn every_single_bit_flip_is_caught_or_verified() {
    for (name, proto) in [
        ("hello", hello()),
        ("luac_shaped", luac_shaped()),
        ("kitchen_sink", kitchen_sink()),
    ] {
        let bytes = encode(&proto);
        // Where the main proto's instruction words are in the file.
        let code: Vec<u8> = proto.code.iter().flat_map(|i| i.0.to_le_bytes()).collect();
        let code_at = bytes.windows(code.len()).position(|w| w == code).unwrap();
        let code_bits = code_at * 8..(code_at + code.len()) * 8;
        let (mut code_flips_accepted, mut accepted) = (0usize, 0usize);
        for bit in 0..bytes.len() * 8 {
            let mut b = bytes.clone();
            b[bit / 8] ^= 1 << (bit % 8);
            // CRC-32 detects every single-bit error.
            assert!(
                !exercise(&b, name),
                "{name} with bit {bit} flipped was accepted"
            );
            fix_crc(&mut b);
            if exercise(&b, &format!("{name} bit {bit} flipped + crc")) {
                accepted += 1;
                code_flips_accepted += usize::from(code_bits.contains(&bit));
            }
        }
        eprintln!(
            "{name}: {accepted} of {} flips verified; {code_flips_accepted} of {} in code",
            bytes.len() * 8,
            code_bits.len()
        );
        // Sanity: the verifier is not rubber-stamping. Flips in names, line
        // numbers or constant values are harmless; most flips in
        // instruction words are not.
        assert!(
            code_flips_accepted < code_bits.len() / 2,
            "{name}: verifier accepts too much"
        );
        assert!(
            accepted > 0,
            "{name}: no flip at all was harmless — suspicious"
        );
    }
}

/// xorshift64*: deterministic, dependency-free.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn random_mutations_never_panic() {
    let mut rng = Rng(0x5EED_CAFE_F00D_0001);
    let interesting = [0u8, 1, 2, 0x7f, 0x80, 0xff, 0x3f, 0x40];
    for (name, bytes) in fixtures() {
        for round in 0..3000 {
            let mut b = bytes.clone();
            for _ in 0..1 + rng.below(4) {
                let body_len = b.len().saturating_sub(4).max(1);
                let pos = HEADER_LEN.min(body_len - 1)
                    + rng.below(body_len.saturating_sub(HEADER_LEN).max(1));
                match rng.below(5) {
                    0 => b[pos] = rng.next() as u8,
                    1 => b[pos] = interesting[rng.below(interesting.len())],
                    2 => {
                        b.insert(pos, rng.next() as u8);
                    }
                    3 => {
                        if b.len() > HEADER_LEN + 5 {
                            b.remove(pos);
                        }
                    }
                    _ => {
                        // Overwrite an instruction-sized word with a random one.
                        for j in 0..4 {
                            if let Some(x) = b.get_mut(pos + j) {
                                *x = rng.next() as u8;
                            }
                        }
                    }
                }
            }
            fix_crc(&mut b);
            exercise(&b, &format!("{name} mutation round {round}"));
        }
    }
}

#[test]
fn random_instruction_words_never_panic_the_verifier() {
    // Replace instructions of valid protos with random words: the verifier
    // and disassembler run on the proto directly (no decoder in between).
    let mut rng = Rng(42);
    for base in [hello(), luac_shaped(), kitchen_sink()] {
        for _ in 0..5000 {
            let mut p = base.clone();
            let n = p.code.len();
            for _ in 0..1 + rng.below(2) {
                let pc = rng.below(n);
                p.code[pc].0 = rng.next() as u32;
            }
            let r = catch_unwind(AssertUnwindSafe(|| {
                let _ = verify(&p);
                let _ = disassemble(&p);
            }));
            assert!(r.is_ok(), "panic on code {:?}", p.code);
        }
    }
}

/// `SLOTJIT_FUZZ_SEEDS=1 cargo test --test sbc_robust write_fuzz_seeds`
/// writes the fixtures as a seed corpus for `fuzz/fuzz_targets/sbc_decode.rs`
/// (a no-op otherwise).
#[test]
fn write_fuzz_seeds() {
    if std::env::var_os("SLOTJIT_FUZZ_SEEDS").is_none() {
        return;
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/sbc_decode");
    std::fs::create_dir_all(&dir).unwrap();
    for (name, bytes) in fixtures() {
        std::fs::write(dir.join(format!("{name}.sbc")), bytes).unwrap();
    }
    std::fs::write(dir.join("nested.sbc"), encode(&nested(5))).unwrap();
}
