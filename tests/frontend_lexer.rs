//! Lexer tests: string escapes, long brackets, numerals and `str2number`,
//! checked against values lua5.4 computed. GENERATED from
//! `tests/data/frontend/frontend_lexer.rs.in` by `gen_lexer.py`; edit the
//! template, not this file.

use slotjit::bytecode::{Constant, OpCode, Proto};
use slotjit::lua::{LuaNumber, compile, str2number};

/// String literal source -> the bytes of the string.
const STRINGS: &[(&[u8], &[u8])] = &[
    (b"\"abc\"", b"abc"),
    (b"'abc'", b"abc"),
    (b"\"\\a\\b\\f\\n\\r\\t\\v\\\\\\\"\\'\"", b"\x07\x08\x0c\x0a\x0d\x09\x0b\\\"'"),
    (b"\"\\x41\\x7a\\xff\\x00\"", b"Az\xff\x00"),
    (b"\"\\65\\066\\0677\\255\\0\"", b"ABC7\xff\x00"),
    (b"\"\\u{0}\\u{7F}\\u{80}\\u{7FF}\\u{800}\\u{FFFF}\\u{10000}\\u{10FFFF}\\u{110000}\\u{3FFFFFF}\\u{4000000}\\u{7FFFFFFF}\"", b"\x00\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\xf4\x90\x80\x80\xfb\xbf\xbf\xbf\xbf\xfc\x84\x80\x80\x80\x80\xfd\xbf\xbf\xbf\xbf\xbf"),
    (b"\"a\\z   \x0a\x0a   b\"", b"ab"),
    (b"\"a\\\x0ab\"", b"a\x0ab"),
    (b"\"a\\\x0d\x0ab\"", b"a\x0ab"),
    (b"\"a\\\x0a\x0db\"", b"a\x0ab"),
    (b"\"\\z\"", b""),
    (b"[[\x0aabc]]", b"abc"),
    (b"[[\x0d\x0aabc]]", b"abc"),
    (b"[==[a]]b]=]c]==]", b"a]]b]=]c"),
    (b"[[a\x0d\x0ab\x0a\x0dc\x0dd\x0ae]]", b"a\x0ab\x0ac\x0ad\x0ae"),
    (b"[=[\x0a]=]", b""),
    (b"[[]]", b""),
    (b"\"\"", b""),
    (b"\"\\u{00041}\"", b"A"),
    (b"\"\\xAb\\xcD\"", b"\xab\xcd"),
    (b"'\x80\xff'", b"\x80\xff"),
];

/// Numeral source -> its value.
const NUMERALS: &[(&[u8], Option<LuaNumber>)] = &[
    (b"0", Some(LuaNumber::Int(0i64))),
    (b"1", Some(LuaNumber::Int(1i64))),
    (b"65535", Some(LuaNumber::Int(65535i64))),
    (b"65536", Some(LuaNumber::Int(65536i64))),
    (b"65537", Some(LuaNumber::Int(65537i64))),
    (b"-65535", Some(LuaNumber::Int(-65535i64))),
    (
        b"9223372036854775807",
        Some(LuaNumber::Int(9223372036854775807i64)),
    ),
    (
        b"9223372036854775808",
        Some(LuaNumber::Float(f64::from_bits(0x43e0000000000000))),
    ),
    (
        b"0x7fffffffffffffff",
        Some(LuaNumber::Int(9223372036854775807i64)),
    ),
    (b"0xffffffffffffffff", Some(LuaNumber::Int(-1i64))),
    (b"0x10000000000000000", Some(LuaNumber::Int(0i64))),
    (
        b"0x1p4",
        Some(LuaNumber::Float(f64::from_bits(0x4030000000000000))),
    ),
    (
        b"0x.8",
        Some(LuaNumber::Float(f64::from_bits(0x3fe0000000000000))),
    ),
    (
        b"0x1.8p-1",
        Some(LuaNumber::Float(f64::from_bits(0x3fe8000000000000))),
    ),
    (
        b"0xA.8P+2",
        Some(LuaNumber::Float(f64::from_bits(0x4045000000000000))),
    ),
    (
        b"1e10",
        Some(LuaNumber::Float(f64::from_bits(0x4202a05f20000000))),
    ),
    (
        b"1E-2",
        Some(LuaNumber::Float(f64::from_bits(0x3f847ae147ae147b))),
    ),
    (
        b".5",
        Some(LuaNumber::Float(f64::from_bits(0x3fe0000000000000))),
    ),
    (
        b"5.",
        Some(LuaNumber::Float(f64::from_bits(0x4014000000000000))),
    ),
    (
        b"3.14159265358979",
        Some(LuaNumber::Float(f64::from_bits(0x400921fb54442d11))),
    ),
    (
        b"1e308",
        Some(LuaNumber::Float(f64::from_bits(0x7fe1ccf385ebc8a0))),
    ),
    (
        b"1e309",
        Some(LuaNumber::Float(f64::from_bits(0x7ff0000000000000))),
    ),
    (
        b"2^53",
        Some(LuaNumber::Float(f64::from_bits(0x4340000000000000))),
    ),
    (
        b"0x1p-1074",
        Some(LuaNumber::Float(f64::from_bits(0x0000000000000001))),
    ),
    (
        b"0x1p-1075",
        Some(LuaNumber::Float(f64::from_bits(0x0000000000000000))),
    ),
    (
        b"4.9e-324",
        Some(LuaNumber::Float(f64::from_bits(0x0000000000000001))),
    ),
    (
        b"123456789012345678901234567890",
        Some(LuaNumber::Float(f64::from_bits(0x45f8ee90ff6c373e))),
    ),
    (
        b"0e12",
        Some(LuaNumber::Float(f64::from_bits(0x0000000000000000))),
    ),
    (
        b"0x0p0",
        Some(LuaNumber::Float(f64::from_bits(0x0000000000000000))),
    ),
    (
        b"0x1P+1",
        Some(LuaNumber::Float(f64::from_bits(0x4000000000000000))),
    ),
    (
        b"1.5e+3",
        Some(LuaNumber::Float(f64::from_bits(0x4097700000000000))),
    ),
    (b"0xABCDEFabcdef", Some(LuaNumber::Int(188900977659375i64))),
    (b"100000000000000", Some(LuaNumber::Int(100000000000000i64))),
    (
        b"1e15",
        Some(LuaNumber::Float(f64::from_bits(0x430c6bf526340000))),
    ),
    (
        b"0x8000000000000000",
        Some(LuaNumber::Int(-9223372036854775808i64)),
    ),
];

/// `tonumber(s)` in lua5.4.
const STR2NUM: &[(&[u8], Option<LuaNumber>)] = &[
    (b"10", Some(LuaNumber::Int(10i64))),
    (b"  10  ", Some(LuaNumber::Int(10i64))),
    (b"\x09\x0a 0x10 \x0b\x0c\x0d", Some(LuaNumber::Int(16i64))),
    (b"-10", Some(LuaNumber::Int(-10i64))),
    (b"+10", Some(LuaNumber::Int(10i64))),
    (b"- 10", None),
    (b"--10", None),
    (
        b"1e1",
        Some(LuaNumber::Float(f64::from_bits(0x4024000000000000))),
    ),
    (b"1e", None),
    (b"0x", None),
    (b"0x1p", None),
    (b"inf", None),
    (b"nan", None),
    (b"-inf", None),
    (b"infinity", None),
    (
        b"1e500",
        Some(LuaNumber::Float(f64::from_bits(0x7ff0000000000000))),
    ),
    (
        b"-1e500",
        Some(LuaNumber::Float(f64::from_bits(0xfff0000000000000))),
    ),
    (b"0x1g", None),
    (b"1 2", None),
    (b"", None),
    (b"  ", None),
    (b".", None),
    (
        b"-.5",
        Some(LuaNumber::Float(f64::from_bits(0xbfe0000000000000))),
    ),
    (
        b"+.5e1",
        Some(LuaNumber::Float(f64::from_bits(0x4014000000000000))),
    ),
    (
        b"5.e-1",
        Some(LuaNumber::Float(f64::from_bits(0x3fe0000000000000))),
    ),
    (
        b"0X1P-2",
        Some(LuaNumber::Float(f64::from_bits(0x3fd0000000000000))),
    ),
    (b"0x.", None),
    (
        b"0x.1",
        Some(LuaNumber::Float(f64::from_bits(0x3fb0000000000000))),
    ),
    (b"1.5x", None),
    (
        b"9223372036854775807",
        Some(LuaNumber::Int(9223372036854775807i64)),
    ),
    (
        b"9223372036854775808",
        Some(LuaNumber::Float(f64::from_bits(0x43e0000000000000))),
    ),
    (
        b"-9223372036854775808",
        Some(LuaNumber::Int(-9223372036854775808i64)),
    ),
    (
        b"-9223372036854775809",
        Some(LuaNumber::Float(f64::from_bits(0xc3e0000000000000))),
    ),
    (b"0xffffffffffffffff", Some(LuaNumber::Int(-1i64))),
    (b"-0x1", Some(LuaNumber::Int(-1i64))),
    (b"1__", None),
    (b"1_000", None),
    (b"0b101", None),
    (
        b"1.0",
        Some(LuaNumber::Float(f64::from_bits(0x3ff0000000000000))),
    ),
    (b"-0", Some(LuaNumber::Int(0i64))),
    (
        b"-0.0",
        Some(LuaNumber::Float(f64::from_bits(0x8000000000000000))),
    ),
    (b"00012", Some(LuaNumber::Int(12i64))),
    (b"0x00012", Some(LuaNumber::Int(18i64))),
    (b"1e+", None),
    (
        b"1e+5",
        Some(LuaNumber::Float(f64::from_bits(0x40f86a0000000000))),
    ),
    (
        b"1E-5",
        Some(LuaNumber::Float(f64::from_bits(0x3ee4f8b588e368f1))),
    ),
    (
        b"0x1.fffffffffffff8p0",
        Some(LuaNumber::Float(f64::from_bits(0x4000000000000000))),
    ),
    (
        b"0x1.00000000000008p0",
        Some(LuaNumber::Float(f64::from_bits(0x3ff0000000000000))),
    ),
    (
        b"0x1.000000000000080000001p0",
        Some(LuaNumber::Float(f64::from_bits(0x3ff0000000000001))),
    ),
    (
        b"0x1.00000000000018p0",
        Some(LuaNumber::Float(f64::from_bits(0x3ff0000000000002))),
    ),
    (b"1\x00", None),
    (
        b"0x123456789abcdef0123",
        Some(LuaNumber::Int(5001117282205630755i64)),
    ),
    (
        b"123456789012345678901234567890e-30",
        Some(LuaNumber::Float(f64::from_bits(0x3fbf9add3746f65f))),
    ),
    (
        b"0x1p99999999",
        Some(LuaNumber::Float(f64::from_bits(0x7ff0000000000000))),
    ),
    (
        b"0x1p-99999999",
        Some(LuaNumber::Float(f64::from_bits(0x0000000000000000))),
    ),
    (b"  -  1", None),
    (b"\xa01", None),
];

/// The value `return <literal>` loads into its first register.
fn returned_value(p: &Proto) -> Constant {
    let i = p.code[1];
    match i.opcode().unwrap() {
        OpCode::LOADI => Constant::Int(i.sbx() as i64),
        OpCode::LOADF => Constant::Float(i.sbx() as f64),
        OpCode::LOADK => p.constants[i.bx() as usize].clone(),
        other => panic!("unexpected {other:?}"),
    }
}

fn same_number(a: Option<LuaNumber>, b: Option<LuaNumber>) -> bool {
    match (a, b) {
        (Some(LuaNumber::Float(x)), Some(LuaNumber::Float(y))) => x.to_bits() == y.to_bits(),
        (x, y) => x == y,
    }
}

#[test]
fn string_literals() {
    for (src, want) in STRINGS {
        let mut prog = b"return ".to_vec();
        prog.extend_from_slice(src);
        let p = compile(&prog, "=t")
            .unwrap_or_else(|e| panic!("{:?}: {e}", String::from_utf8_lossy(src)));
        assert_eq!(
            returned_value(&p),
            Constant::Str(want.to_vec()),
            "{}",
            String::from_utf8_lossy(src)
        );
    }
}

#[test]
fn numerals() {
    for (src, want) in NUMERALS {
        let mut prog = b"return ".to_vec();
        prog.extend_from_slice(src);
        let p = compile(&prog, "=t").unwrap();
        let got = match returned_value(&p) {
            Constant::Int(i) => Some(LuaNumber::Int(i)),
            Constant::Float(f) => Some(LuaNumber::Float(f)),
            other => panic!("{other:?}"),
        };
        // `2^53` and friends are folded constants, also checked here.
        assert!(
            same_number(got, *want),
            "{}: got {got:?} want {want:?}",
            String::from_utf8_lossy(src)
        );
    }
}

#[test]
fn str2number_matches_tonumber() {
    for (src, want) in STR2NUM {
        let got = str2number(src);
        assert!(
            same_number(got, *want),
            "{:?}: got {got:?} want {want:?}",
            String::from_utf8_lossy(src)
        );
    }
}

#[test]
fn chunk_ids() {
    use slotjit::lua::chunk_id;
    assert_eq!(chunk_id("@x.lua"), "x.lua");
    assert_eq!(chunk_id("=stdin"), "stdin");
    assert_eq!(chunk_id("=(command line)"), "(command line)");
    assert_eq!(chunk_id("print(1)"), "[string \"print(1)\"]");
    assert_eq!(chunk_id("line1\nline2"), "[string \"line1...\"]");
    let long_src = "x = 1 -- a rather long source text that will not fit at all";
    assert_eq!(
        chunk_id(long_src),
        "[string \"x = 1 -- a rather long source text that will ...\"]"
    );
    let file61 = format!("@{}", "f".repeat(60));
    assert_eq!(chunk_id(&file61), format!("...{}", "f".repeat(56)));
    let name44 = "a".repeat(44);
    assert_eq!(chunk_id(&name44), format!("[string \"{name44}\"]"));
    let name45 = "a".repeat(45);
    assert_eq!(
        chunk_id(&name45),
        format!("[string \"{}...\"]", "a".repeat(45))
    );
    let long_file = format!("@{}", "d/".repeat(40));
    assert_eq!(
        chunk_id(&long_file),
        format!("...{}", &long_file[long_file.len() - 56..])
    );
    let file60 = format!("@{}", "f".repeat(59));
    assert_eq!(chunk_id(&file60), "f".repeat(59));
    let lit = format!("={}", "q".repeat(70));
    assert_eq!(chunk_id(&lit), "q".repeat(59));
}
