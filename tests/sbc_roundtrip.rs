//! `.sbc` encode/decode round trips, header checks, error codes and decoder
//! resource limits.

mod sbc_common;

use sbc_common::*;
use slotjit::bytecode::sbc::{self, FORMAT_VERSION, HEADER_LEN, MAGIC, MAX_PROTOS};
use slotjit::bytecode::verify::MAX_NESTING_DEPTH;
use slotjit::bytecode::{
    Constant, Proto, SbcError, decode, decode_unverified, encode, is_sbc, verify,
};

/// Float constants compared by bit pattern (so `-0.0` vs `0.0` and NaN
/// payloads count).
fn float_bits(p: &Proto) -> Vec<u64> {
    let mut out = Vec::new();
    let mut work = vec![p];
    while let Some(p) = work.pop() {
        for k in &p.constants {
            if let Constant::Float(f) = k {
                out.push(f.to_bits());
            }
        }
        work.extend(p.protos.iter());
    }
    out
}

fn round_trip(p: &Proto) -> Vec<u8> {
    verify(p).expect("fixture must verify");
    let bytes = encode(p);
    assert!(is_sbc(&bytes));
    let back = decode(&bytes).expect("decode of an encoded valid proto");
    assert_eq!(&back, p);
    assert_eq!(float_bits(&back), float_bits(p));
    // Deterministic and canonical: re-encoding gives the same bytes.
    assert_eq!(encode(&back), bytes);
    bytes
}

#[test]
fn hello_round_trips() {
    let bytes = round_trip(&hello());
    assert_eq!(&bytes[..4], &MAGIC);
    assert_eq!(u16::from_le_bytes([bytes[4], bytes[5]]), FORMAT_VERSION);
}

#[test]
fn luac_shaped_round_trips() {
    round_trip(&luac_shaped());
}

#[test]
fn kitchen_sink_round_trips_with_all_constant_kinds() {
    let p = kitchen_sink();
    round_trip(&p);
    let back = decode(&encode(&p)).unwrap();
    // The innermost function has its own source; the middle one inherits.
    assert_eq!(back.protos[0].source, "@sink.lua");
    assert_eq!(back.protos[0].protos[0].source, "=other chunk");
    assert_eq!(back.protos[0].protos[0].upvalues[0].name, None);
    assert!(matches!(&back.constants[11], Constant::Float(f) if f.is_sign_negative()));
}

#[test]
fn nan_payload_survives() {
    let mut p = hello();
    let nan = f64::from_bits(0x7ff8_0000_dead_beef);
    p.constants.push(Constant::Float(nan));
    let back = decode(&encode(&p)).unwrap();
    assert!(matches!(back.constants[2], Constant::Float(f) if f.to_bits() == nan.to_bits()));
}

#[test]
fn big_code_round_trips() {
    let n = 100_000;
    let mut code: Vec<_> = (0..n)
        .map(|i| asbx(LOADI, (i % 200) as u32, i as i32 % 60_000 - 30_000))
        .collect();
    code.push(abc(RETURN0, 0, 0, 0));
    let line_info = (0..=n).map(|i| ((i * 7919) % 100_003) as u32).collect();
    let p = Proto {
        source: "@big.lua".into(),
        max_stack_size: 200,
        code,
        line_info,
        ..Proto::default()
    };
    let bytes = round_trip(&p);
    assert!(bytes.len() > 4 * n, "code is stored as 4-byte words");
}

#[test]
fn extreme_line_numbers_round_trip() {
    let mut p = hello();
    p.line_defined = 0;
    p.line_info = vec![u32::MAX, 0, u32::MAX, 1, 0];
    p.last_line_defined = u32::MAX;
    round_trip(&p);
}

#[test]
fn deep_nesting_within_limit_round_trips() {
    round_trip(&nested(MAX_NESTING_DEPTH));
}

#[test]
fn too_deep_nesting_is_a_limit_error() {
    let bytes = encode(&nested(MAX_NESTING_DEPTH + 1));
    let err = decode_unverified(&bytes).unwrap_err();
    assert_eq!(err.code(), "SJ-SBC-LIMIT", "{err}");
    assert!(err.to_string().contains("nested deeper"), "{err}");
}

#[test]
fn too_many_protos_is_a_limit_error() {
    let child = Proto {
        max_stack_size: 2,
        code: vec![abc(RETURN0, 0, 0, 0)],
        line_info: vec![0],
        ..Proto::default()
    };
    let p = Proto {
        max_stack_size: 2,
        code: vec![abc(RETURN0, 0, 0, 0)],
        line_info: vec![0],
        protos: vec![child; MAX_PROTOS],
        ..Proto::default()
    };
    let err = decode_unverified(&encode(&p)).unwrap_err();
    assert_eq!(err.code(), "SJ-SBC-LIMIT", "{err}");
}

#[test]
fn error_codes_for_header_problems() {
    let good = encode(&hello());

    let err = decode(b"\x7fELF....................").unwrap_err();
    assert_eq!(err.code(), "SJ-SBC-MAGIC");
    assert!(!is_sbc(b"\x7fELF"));
    assert_eq!(decode(b"").unwrap_err().code(), "SJ-SBC-TRUNCATED");
    assert_eq!(decode(&good[..3]).unwrap_err().code(), "SJ-SBC-TRUNCATED");

    let mut v2 = good.clone();
    v2[4] = 2;
    let err = decode(&v2).unwrap_err();
    assert_eq!(err, SbcError::Version { found: 2 });
    assert_eq!(err.code(), "SJ-SBC-VERSION");

    let mut bad_crc = good.clone();
    let last = bad_crc.len() - 1;
    bad_crc[last] ^= 1;
    assert_eq!(decode(&bad_crc).unwrap_err().code(), "SJ-SBC-CHECKSUM");

    let mut body_flip = good.clone();
    body_flip[HEADER_LEN + 3] ^= 0x10;
    assert_eq!(decode(&body_flip).unwrap_err().code(), "SJ-SBC-CHECKSUM");

    // Header fields, each patched with a valid CRC.
    for (offset, value, needle) in [
        (6, 1, "flags"),
        (8, 8, "instruction size"),
        (10, 9, "A field bits"),
        (13, 3, "opcode count"),
        (15, 4, "float size"),
        (16, 0xAA, "ISA fingerprint"),
    ] {
        let mut b = good.clone();
        b[offset] = value;
        fix_crc(&mut b);
        let err = decode(&b).unwrap_err();
        assert_eq!(err.code(), "SJ-SBC-HEADER", "offset {offset}: {err}");
        assert!(err.to_string().contains(needle), "offset {offset}: {err}");
        assert!(err.to_string().contains(&format!("byte {offset}")), "{err}");
    }
}

#[test]
fn trailing_bytes_are_malformed() {
    let good = encode(&hello());
    let mut body = good[..good.len() - 4].to_vec();
    body.push(0);
    let err = decode(&with_crc(body)).unwrap_err();
    assert_eq!(err.code(), "SJ-SBC-MALFORMED", "{err}");
    assert!(err.to_string().contains("after the main proto"), "{err}");
}

/// Builds a file from raw body bytes (after the header) with a valid CRC.
fn file_with_body(body: &[u8]) -> Vec<u8> {
    let mut b = encode(&hello())[..HEADER_LEN].to_vec();
    b.extend_from_slice(body);
    with_crc(b)
}

#[test]
fn hostile_counts_do_not_allocate() {
    // A proto header claiming 2^60 instructions, then nothing.
    let mut body = vec![0, 0, 0, 0, 0, 2];
    body.extend_from_slice(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10]);
    let err = decode(&file_with_body(&body)).unwrap_err();
    assert_eq!(err.code(), "SJ-SBC-LIMIT", "{err}");

    // A count within the limit but beyond the input: truncated, not allocated.
    let mut body = vec![0, 0, 0, 0, 0, 2];
    body.extend_from_slice(&[0xff, 0xff, 0xff, 0x07]); // 16M instructions
    let err = decode(&file_with_body(&body)).unwrap_err();
    assert_eq!(err.code(), "SJ-SBC-TRUNCATED", "{err}");
    assert!(err.to_string().contains("instructions"), "{err}");

    // A huge string length.
    let mut body = vec![0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f];
    body.extend_from_slice(b"abc");
    let err = decode(&file_with_body(&body)).unwrap_err();
    assert_eq!(err.code(), "SJ-SBC-TRUNCATED", "{err}");
}

#[test]
fn malformed_fields_are_reported_with_offsets() {
    // is_vararg = 2
    let err = decode(&file_with_body(&[0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 0, 0])).unwrap_err();
    assert_eq!(err.code(), "SJ-SBC-MALFORMED", "{err}");
    assert!(err.to_string().contains("is_vararg"), "{err}");
    assert!(
        err.to_string()
            .contains(&format!("byte {}", HEADER_LEN + 4)),
        "{err}"
    );

    // Non-minimal varint (0x80 0x00) for line_defined.
    let err = decode(&file_with_body(&[0, 0x80, 0x00])).unwrap_err();
    assert_eq!(err.code(), "SJ-SBC-MALFORMED", "{err}");
    assert!(err.to_string().contains("not minimal"), "{err}");

    // line_defined beyond u32.
    let err = decode(&file_with_body(&[0, 0x80, 0x80, 0x80, 0x80, 0x10])).unwrap_err();
    assert_eq!(err.code(), "SJ-SBC-MALFORMED", "{err}");

    // Unknown constant tag 9.
    let err = decode(&file_with_body(&[0, 0, 0, 0, 0, 2, 0, 1, 9])).unwrap_err();
    assert_eq!(err.code(), "SJ-SBC-MALFORMED", "{err}");
    assert!(err.to_string().contains("constant tag 9"), "{err}");

    // Source name that is not UTF-8.
    let err = decode(&file_with_body(&[3, 0xff, 0xfe])).unwrap_err();
    assert_eq!(err.code(), "SJ-SBC-MALFORMED", "{err}");
    assert!(err.to_string().contains("UTF-8"), "{err}");
}

#[test]
fn errors_name_the_proto_path() {
    // Corrupt the nested proto's upvalue kind byte in luac_shaped: find it by
    // encoding a variant with a distinctive upvalue name.
    let mut p = luac_shaped();
    p.protos[0].upvalues[0].name = Some("UNIQUE_NAME".into());
    let mut bytes = encode(&p);
    let pos = bytes.windows(11).position(|w| w == b"UNIQUE_NAME").unwrap();
    // Layout: in_stack, index, kind, name len+1, name bytes.
    bytes[pos - 2] = 7;
    fix_crc(&mut bytes);
    let err = decode(&bytes).unwrap_err();
    assert_eq!(err.code(), "SJ-SBC-MALFORMED", "{err}");
    assert!(err.to_string().contains("main/P[0]"), "{err}");
    assert!(err.to_string().contains("variable kind 7"), "{err}");
}

#[test]
fn decode_runs_the_verifier_but_decode_unverified_does_not() {
    let mut p = hello();
    p.code[2] = abx(LOADK, 1, 99);
    let bytes = encode(&p);
    assert_eq!(decode_unverified(&bytes).unwrap(), p);
    let err = decode(&bytes).unwrap_err();
    assert_eq!(err.code(), "SJ-SBC-VERIFY");
    assert!(matches!(err, SbcError::Verify(_)));
}

#[test]
fn fingerprint_is_stable_within_a_build() {
    assert_eq!(sbc::isa_fingerprint(), sbc::isa_fingerprint());
    let b = encode(&hello());
    assert_eq!(
        u32::from_le_bytes([b[16], b[17], b[18], b[19]]),
        sbc::isa_fingerprint()
    );
}
