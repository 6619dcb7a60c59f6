//! Direct tests of the `string` library through the VM's embedding API
//! (no Lua compiler involved): `format` conversions, the pattern matcher
//! (through `find`/`match`/`gsub` and through its Rust API), pack/unpack,
//! the string metatable, and robustness against hostile patterns and
//! formats. Expected values were generated with `lua5.4` (5.4.4) and pasted
//! here, so the tests do not need `lua5.4`.

use slotjit::stdlib::string::{format as sfmt, pattern};
use slotjit::vm::{Value, Vm, VmOptions};

/// An argument for a library call.
#[derive(Clone, Copy)]
enum A<'a> {
    B(&'a [u8]),
    I(i64),
    F(f64),
    Nil,
    T,
    #[allow(dead_code)]
    False,
}

struct Lua {
    vm: Vm,
}

impl Lua {
    fn new() -> Lua {
        let mut vm = Vm::new(VmOptions::default()).expect("vm");
        slotjit::stdlib::open_all(&mut vm).expect("stdlib");
        Lua { vm }
    }

    fn lib_fn(&mut self, name: &str) -> Value {
        let lib = self.vm.get_global("string").expect("string table");
        self.vm.raw_get_str(lib, name).expect("function")
    }

    fn value(&mut self, a: A) -> Value {
        match a {
            A::B(b) => self.vm.new_string(b).expect("str"),
            A::I(i) => Value::int(i),
            A::F(f) => Value::float(f),
            A::Nil => Value::NIL,
            A::T => Value::TRUE,
            A::False => Value::FALSE,
        }
    }

    /// Calls `f(args...)`; `Err` holds the error message.
    fn call_value(&mut self, f: Value, args: &[A]) -> Result<Vec<Value>, String> {
        // Arguments stay reachable from a global while they are created.
        let keep = self.vm.new_table(8, 0).expect("table");
        self.vm.set_global("__test_args", keep).expect("set");
        let mut vals = Vec::new();
        for (i, a) in args.iter().enumerate() {
            let v = self.value(*a);
            self.vm
                .raw_set(keep, Value::int(i as i64 + 1), v)
                .expect("raw_set");
            vals.push(v);
        }
        self.vm.call_protected(f, &vals).map_err(|e| e.to_string())
    }

    /// Calls `string.<name>(args...)`, rendering results like `tostring`
    /// (strings raw, or hex-encoded when `hex`), joined with `|`.
    fn call(&mut self, name: &str, args: &[A], hex: bool) -> Vec<u8> {
        let f = self.lib_fn(name);
        match self.call_value(f, args) {
            Ok(vals) => {
                let mut out = Vec::new();
                for (i, v) in vals.iter().enumerate() {
                    if i > 0 {
                        out.push(b'|');
                    }
                    if v.is_string() && hex {
                        for b in self.vm.str_bytes(*v) {
                            out.extend_from_slice(format!("{b:02x}").as_bytes());
                        }
                    } else if v.is_string() {
                        out.extend_from_slice(self.vm.str_bytes(*v));
                    } else {
                        out.extend_from_slice(self.vm.display(*v).as_bytes());
                    }
                }
                out
            }
            Err(e) => format!("ERR {e}").into_bytes(),
        }
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// `(format, arguments, expected output or "ERR message")`, from lua5.4.
#[rustfmt::skip]
const FORMAT_CASES: &[(&str, &[A], &[u8])] = &[
    ("%5.2s", &[A::B(b"abc")], b"   ab"),
    ("%-10d|", &[A::I(42)], b"42        |"),
    ("%+.3e", &[A::F(f64::from_bits(0x40c81cd6c8b43958))], b"+1.235e+04"),
    ("%#x", &[A::I(255)], b"0xff"),
    ("%#o", &[A::I(8)], b"010"),
    ("%#X", &[A::I(0)], b"0"),
    ("%05d", &[A::I(-42)], b"-0042"),
    ("% d", &[A::I(7)], b" 7"),
    ("%+d", &[A::I(0)], b"+0"),
    ("%.0d", &[A::I(0)], b""),
    ("%5.3d", &[A::I(-7)], b" -007"),
    ("%-+6d|", &[A::I(3)], b"+3    |"),
    ("%u", &[A::I(-1)], b"18446744073709551615"),
    ("%x", &[A::I(-1)], b"ffffffffffffffff"),
    ("%o", &[A::I(-1)], b"1777777777777777777777"),
    ("%X", &[A::I(3735928559)], b"DEADBEEF"),
    ("%d", &[A::I(i64::MIN)], b"-9223372036854775808"),
    ("%i", &[A::I(9223372036854775807)], b"9223372036854775807"),
    ("%c", &[A::I(65)], b"A"),
    ("%-3c|", &[A::I(66)], b"B  |"),
    ("%3c", &[A::I(67)], b"  C"),
    ("%e", &[A::F(f64::from_bits(0x0000000000000000))], b"0.000000e+00"),
    ("%E", &[A::F(f64::from_bits(0x81a56e1fc2f8f359))], b"-1.000000E-300"),
    ("%.0e", &[A::F(f64::from_bits(0x402e000000000000))], b"2e+01"),
    ("%#.0e", &[A::F(f64::from_bits(0x402e000000000000))], b"2.e+01"),
    ("%12.3e|", &[A::F(f64::from_bits(0xbf201f31f46ed246))], b"  -1.230e-04|"),
    ("%f", &[A::F(f64::from_bits(0x3fd5555555555555))], b"0.333333"),
    ("%.0f", &[A::F(f64::from_bits(0x4004000000000000))], b"2"),
    ("%.0f", &[A::F(f64::from_bits(0x400c000000000000))], b"4"),
    ("%#.0f", &[A::F(f64::from_bits(0x3ff0000000000000))], b"1."),
    ("%010.3f", &[A::F(f64::from_bits(0xc00921f9f01b866e))], b"-00003.142"),
    ("%-10.1f|", &[A::F(f64::from_bits(0x4023fae147ae147b))], b"10.0      |"),
    ("%.3f", &[A::F(f64::from_bits(0x430c6bf526340000))], b"1000000000000000.000"),
    ("%f", &[A::F(f64::from_bits(0x7e37e43c8800759c))], b"1000000000000000052504760255204420248704468581108159154915854115511802457988908195786371375080447864043704443832883878176942523235360430575644792184786706982848387200926575803737830233794788090059368953234970799945081119038967640880074652742780142494579258788820056842838115669472196386865459400540160.000000"),
    ("%.10f", &[A::F(f64::from_bits(0x3e10000000000000))], b"0.0000000009"),
    ("%g", &[A::F(f64::from_bits(0x40f86a0000000000))], b"100000"),
    ("%g", &[A::F(f64::from_bits(0x412e848000000000))], b"1e+06"),
    ("%g", &[A::F(f64::from_bits(0x3f1a36e2eb1c432d))], b"0.0001"),
    ("%g", &[A::F(f64::from_bits(0x3ee4f8b588e368f1))], b"1e-05"),
    ("%g", &[A::F(f64::from_bits(0x0000000000000000))], b"0"),
    ("%g", &[A::F(f64::from_bits(0x8000000000000000))], b"-0"),
    ("%#g", &[A::F(f64::from_bits(0x3ff0000000000000))], b"1.00000"),
    ("%.0g", &[A::F(f64::from_bits(0x405ec00000000000))], b"1e+02"),
    ("%.3G", &[A::F(f64::from_bits(0x4415af1d78b58c40))], b"1E+20"),
    ("%10.4g|", &[A::F(f64::from_bits(0x400921f9f01b866e))], b"     3.142|"),
    ("%-10g|", &[A::F(f64::from_bits(0x4004000000000000))], b"2.5       |"),
    ("%+g", &[A::F(f64::from_bits(0x3ff0000000000000))], b"+1"),
    ("%.17g", &[A::F(f64::from_bits(0x3fb999999999999a))], b"0.10000000000000001"),
    ("%g", &[A::F(f64::from_bits(0x7ff0000000000000))], b"inf"),
    ("%G", &[A::F(f64::from_bits(0xfff0000000000000))], b"-INF"),
    ("%5.1f", &[A::F(f64::from_bits(0x7ff0000000000000))], b"  inf"),
    ("%05.1f", &[A::F(f64::from_bits(0xfff0000000000000))], b" -inf"),
    ("%e", &[A::F(f64::from_bits(0x7ff0000000000000))], b"inf"),
    ("%a", &[A::F(f64::from_bits(0x3ff0000000000000))], b"0x1p+0"),
    ("%a", &[A::F(f64::from_bits(0x3fe0000000000000))], b"0x1p-1"),
    ("%a", &[A::F(f64::from_bits(0x3fb999999999999a))], b"0x1.999999999999ap-4"),
    ("%A", &[A::F(f64::from_bits(0x3fb999999999999a))], b"0X1.999999999999AP-4"),
    ("%a", &[A::F(f64::from_bits(0x8000000000000000))], b"-0x0p+0"),
    ("%a", &[A::F(f64::from_bits(0x0000000000000000))], b"0x0p+0"),
    ("%a", &[A::F(f64::from_bits(0x0000000000000001))], b"0x0.0000000000001p-1022"),
    ("%a", &[A::F(f64::from_bits(0x0010000000000000))], b"0x1p-1022"),
    ("%a", &[A::F(f64::from_bits(0x7fefffffffffffff))], b"0x1.fffffffffffffp+1023"),
    ("%a", &[A::F(f64::from_bits(0x000012688b70e62b))], b"0x0.012688b70e62bp-1022"),
    ("%.0a", &[A::F(f64::from_bits(0x3ff8000000000000))], b"0x2p+0"),
    ("%.0a", &[A::F(f64::from_bits(0x4004000000000000))], b"0x1p+1"),
    ("%.1a", &[A::F(f64::from_bits(0x3ff0800000000000))], b"0x1.0p+0"),
    ("%.1a", &[A::F(f64::from_bits(0x3ff1800000000000))], b"0x1.2p+0"),
    ("%.2a", &[A::F(f64::from_bits(0x3fffff0000000000))], b"0x2.00p+0"),
    ("%.3a", &[A::F(f64::from_bits(0x3fd5555555555555))], b"0x1.555p-2"),
    ("%.20a", &[A::F(f64::from_bits(0x3ff0000000000000))], b"0x1.00000000000000000000p+0"),
    ("%#a", &[A::F(f64::from_bits(0x3ff0000000000000))], b"0x1.p+0"),
    ("%#.0a", &[A::F(f64::from_bits(0x0000000000000000))], b"0x0.p+0"),
    ("%+a", &[A::F(f64::from_bits(0x4008000000000000))], b"+0x1.8p+1"),
    ("% a", &[A::F(f64::from_bits(0x4010000000000000))], b" 0x1p+2"),
    ("%020a", &[A::F(f64::from_bits(0x3ff0000000000000))], b"0x000000000000001p+0"),
    ("%-20a|", &[A::F(f64::from_bits(0x4000000000000000))], b"0x1p+1              |"),
    ("%20.3A", &[A::F(f64::from_bits(0xbff0000000000000))], b"         -0X1.000P+0"),
    ("%a", &[A::F(f64::from_bits(0x7ff0000000000000))], b"inf"),
    ("%A", &[A::F(f64::from_bits(0xfff0000000000000))], b"-INF"),
    ("%.3a", &[A::F(f64::from_bits(0x0000000000000006))], b"0x0.000p-1022"),
    ("%.0a", &[A::F(f64::from_bits(0x0000000000000003))], b"0x0p-1022"),
    ("%a", &[A::I(42)], b"0x1.5p+5"),
    ("%q", &[A::B(b"a\x00b\x01c\x012\x0d\x0a\"\\\x7f")], b"\"a\\0b\\1c\\0012\\13\\\x0a\\\"\\\\\\127\""),
    ("%q", &[A::F(f64::from_bits(0x43e0000000000000))], b"0x1p+63"),
    ("%q", &[A::I(i64::MIN)], b"0x8000000000000000"),
    ("%q", &[A::F(f64::from_bits(0x7ff0000000000000))], b"1e9999"),
    ("%q", &[A::F(f64::from_bits(0xfff0000000000000))], b"-1e9999"),
    ("%q", &[A::F(f64::from_bits(0xfff8000000000000))], b"(0/0)"),
    ("%q", &[A::F(f64::from_bits(0x3fb999999999999a))], b"0x1.999999999999ap-4"),
    ("%q", &[A::F(f64::from_bits(0x8000000000000000))], b"-0x0p+0"),
    ("%q", &[A::Nil], b"nil"),
    ("%q", &[A::T], b"true"),
    ("%q", &[A::I(7)], b"7"),
    ("%s", &[A::Nil], b"nil"),
    ("%s", &[A::F(f64::from_bits(0x3ff8000000000000))], b"1.5"),
    ("%s", &[A::I(10)], b"10"),
    ("%.1s|%5s", &[A::B(b"xyz"), A::B(b"ab")], b"x|   ab"),
    ("%%|%s", &[A::B(b"x")], b"%|x"),
];

#[test]
fn format_matches_lua54() {
    let mut l = Lua::new();
    let mut failures = Vec::new();
    for (fmt, args, expected) in FORMAT_CASES {
        let mut all = vec![A::B(fmt.as_bytes())];
        all.extend_from_slice(args);
        let got = l.call("format", &all, false);
        if got != *expected {
            failures.push(format!(
                "format({fmt:?}): got {:?}, want {:?}",
                text(&got),
                text(expected)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// `(function, arguments, results joined by '|' or "ERR message")`, from lua5.4.
#[rustfmt::skip]
const PATTERN_CASES: &[(&str, &[A], &[u8])] = &[
    ("find", &[A::B(b"hello world"), A::B(b"o")], b"5|5"),
    ("find", &[A::B(b"hello world"), A::B(b"o"), A::I(6)], b"8|8"),
    ("find", &[A::B(b"hello world"), A::B(b"o"), A::I(-3)], b"nil"),
    ("find", &[A::B(b"hello"), A::B(b""), A::I(6)], b"6|5"),
    ("find", &[A::B(b"hello"), A::B(b""), A::I(7)], b"nil"),
    ("find", &[A::B(b"hello"), A::B(b"l"), A::I(-100)], b"3|3"),
    ("find", &[A::B(b"a.b"), A::B(b"."), A::I(1), A::T], b"2|2"),
    ("find", &[A::B(b"a+b"), A::B(b"+"), A::I(1), A::T], b"2|2"),
    ("find", &[A::B(b"x^y"), A::B(b"^y")], b"nil"),
    ("find", &[A::B(b"(x)"), A::B(b"%((%a)%)")], b"1|3|x"),
    ("find", &[A::B(b"hello"), A::B(b"()ll()")], b"3|4|3|5"),
    ("find", &[A::B(b"a\x00b"), A::B(b"%z")], b"2|2"),
    ("find", &[A::B(b"abc"), A::B(b"[b-]")], b"2|2"),
    ("find", &[A::B(b"a-c"), A::B(b"[b-]")], b"2|2"),
    ("find", &[A::B(b"abc"), A::B(b"[^%a]")], b"nil"),
    ("match", &[A::B(b"key = val"), A::B(b"(%w+)%s*=%s*(%w+)")], b"key|val"),
    ("match", &[A::B(b"  trim  "), A::B(b"^%s*(.-)%s*$")], b"trim"),
    ("match", &[A::B(b"abcabc"), A::B(b"(abc)%1")], b"abc"),
    ("match", &[A::B(b"f(a(b)c)d"), A::B(b"%b()")], b"(a(b)c)"),
    ("match", &[A::B(b"THE (quick) fox"), A::B(b"%f[%a]%a+"), A::I(5)], b"quick"),
    ("match", &[A::B(b"hello"), A::B(b"()")], b"1"),
    ("match", &[A::B(b"hello"), A::B(b".-l")], b"hel"),
    ("match", &[A::B(b"hello"), A::B(b".*l")], b"hell"),
    ("match", &[A::B(b"hello"), A::B(b"l+")], b"ll"),
    ("match", &[A::B(b"hello"), A::B(b"x?h")], b"h"),
    ("match", &[A::B(b"]"), A::B(b"[]]")], b"]"),
    ("match", &[A::B(b"a]"), A::B(b"[^]]")], b"a"),
    ("match", &[A::B(b"-"), A::B(b"[a-]")], b"-"),
    ("match", &[A::B(b"%"), A::B(b"[%%]")], b"%"),
    ("match", &[A::B(b"\"q\" 'r'"), A::B(b"([\"'])(.-)%1")], b"\"|q"),
    ("match", &[A::B(b"abc"), A::B(b"^(a)(b)(c)$")], b"a|b|c"),
    ("match", &[A::B(b"x"), A::B(b"()()()")], b"1|1|1"),
    ("match", &[A::B(b"hello"), A::B(b"%f[%z]()")], b"6"),
    ("match", &[A::B(b"A1b2"), A::B(b"%u%d%l%d")], b"A1b2"),
    ("match", &[A::B(b"\x09\x0b\x0c\x0d\x0a "), A::B(b"^%s+$")], b"\x09\x0b\x0c\x0d\x0a "),
    ("match", &[A::B(b"abc"), A::B(b"((a)(b))")], b"ab|a|b"),
    ("match", &[A::B(b"12ab"), A::B(b"%x+")], b"12ab"),
    ("match", &[A::B(b"aaa"), A::B(b"a-$")], b"aaa"),
    ("match", &[A::B(b"abc"), A::B(b"$")], b""),
    ("gsub", &[A::B(b"hello world"), A::B(b"o"), A::B(b"0")], b"hell0 w0rld|2"),
    ("gsub", &[A::B(b"hello world"), A::B(b"(o)"), A::B(b"[%1]"), A::I(1)], b"hell[o] world|1"),
    ("gsub", &[A::B(b"abc"), A::B(b""), A::B(b"-")], b"-a-b-c-|4"),
    ("gsub", &[A::B(b"abc"), A::B(b"%w"), A::B(b"%0%0")], b"aabbcc|3"),
    ("gsub", &[A::B(b"abc"), A::B(b"%w"), A::B(b"%%")], b"%%%|3"),
    ("gsub", &[A::B(b"hello world"), A::B(b"(%w+) (%w+)"), A::B(b"%2 %1")], b"world hello|1"),
    ("gsub", &[A::B(b"abc"), A::B(b"^"), A::B(b">")], b">abc|1"),
    ("gsub", &[A::B(b"abc"), A::B(b"$"), A::B(b"<")], b"abc<|1"),
    ("gsub", &[A::B(b"abc"), A::B(b"()b()"), A::B(b"%1-%2")], b"a2-3c|1"),
    ("gsub", &[A::B(b"aaa"), A::B(b"^a"), A::B(b"X")], b"Xaa|1"),
    ("gsub", &[A::B(b"a.b"), A::B(b"%."), A::B(b"%%")], b"a%b|1"),
    ("gsub", &[A::B(b"abc"), A::B(b"."), A::B(b"x"), A::I(0)], b"abc|0"),
    ("gsub", &[A::B(b"abc"), A::B(b"b*"), A::B(b"-")], b"-a-c-|3"),
    ("find", &[A::B(b"abc"), A::B(b"%")], b"ERR malformed pattern (ends with '%')"),
    ("find", &[A::B(b"abc"), A::B(b"[a")], b"ERR malformed pattern (missing ']')"),
    ("match", &[A::B(b"abc"), A::B(b"%b")], b"ERR malformed pattern (missing arguments to '%b')"),
    ("match", &[A::B(b"abc"), A::B(b"%f")], b"ERR missing '[' after '%f' in pattern"),
    ("match", &[A::B(b"abc"), A::B(b"(a")], b"ERR unfinished capture"),
    ("gsub", &[A::B(b"abc"), A::B(b"a)"), A::B(b"x")], b"ERR invalid pattern capture"),
    ("match", &[A::B(b"abc"), A::B(b"%1")], b"ERR invalid capture index %1"),
    ("gsub", &[A::B(b"abc"), A::B(b"a"), A::B(b"%2")], b"ERR invalid capture index %2"),
    ("gsub", &[A::B(b"abc"), A::B(b"a"), A::B(b"%x")], b"ERR invalid use of '%' in replacement string"),
    ("match", &[A::B(b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), A::B(b"a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?")], b"ERR pattern too complex"),
    ("find", &[A::B(b"x"), A::B(b"(((((((((((((((((((((((((((((((((")], b"ERR too many captures"),
    ("match", &[A::B(b"abc"), A::B(b"(()")], b"ERR unfinished capture"),
];

#[test]
fn find_match_gsub_match_lua54() {
    let mut l = Lua::new();
    let mut failures = Vec::new();
    for (name, args, expected) in PATTERN_CASES {
        let got = l.call(name, args, false);
        if got != *expected {
            failures.push(format!(
                "{name}: got {:?}, want {:?}",
                text(&got),
                text(expected)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// `string.pack(args...)`: hex of the result or "ERR message", from lua5.4.
#[rustfmt::skip]
const PACK_CASES: &[(&[A], &[u8])] = &[
    (&[A::B(b"b"), A::I(127)], b"7f"),
    (&[A::B(b"b"), A::I(-128)], b"80"),
    (&[A::B(b"B"), A::I(255)], b"ff"),
    (&[A::B(b"<h"), A::I(4660)], b"3412"),
    (&[A::B(b">h"), A::I(4660)], b"1234"),
    (&[A::B(b"<i3"), A::I(-2)], b"feffff"),
    (&[A::B(b">I3"), A::I(66051)], b"010203"),
    (&[A::B(b"<i16"), A::I(-1)], b"ffffffffffffffffffffffffffffffff"),
    (&[A::B(b"<I16"), A::I(1)], b"01000000000000000000000000000000"),
    (&[A::B(b">i12"), A::I(-3)], b"fffffffffffffffffffffffd"),
    (&[A::B(b"<i9"), A::I(i64::MIN)], b"0000000000000080ff"),
    (&[A::B(b"<j"), A::I(9223372036854775807)], b"ffffffffffffff7f"),
    (&[A::B(b">J"), A::I(-1)], b"ffffffffffffffff"),
    (&[A::B(b"<T"), A::I(16)], b"1000000000000000"),
    (&[A::B(b">f"), A::F(f64::from_bits(0x3ff8000000000000))], b"3fc00000"),
    (&[A::B(b"<d"), A::F(f64::from_bits(0xc002000000000000))], b"00000000000002c0"),
    (&[A::B(b"<n"), A::F(f64::from_bits(0x7ff0000000000000))], b"000000000000f07f"),
    (&[A::B(b"z"), A::B(b"hello")], b"68656c6c6f00"),
    (&[A::B(b"s1"), A::B(b"hi")], b"026869"),
    (&[A::B(b">s2"), A::B(b"hey")], b"0003686579"),
    (&[A::B(b"c5"), A::B(b"ab")], b"6162000000"),
    (&[A::B(b"xxbx"), A::I(1)], b"00000100"),
    (&[A::B(b"<!4 b i4"), A::I(1), A::I(2)], b"0100000002000000"),
    (&[A::B(b"<!4 b Xi4 b"), A::I(1), A::I(2)], b"0100000002"),
    (&[A::B(b"<!8 b h b j"), A::I(1), A::I(2), A::I(3), A::I(4)], b"01000200030000000400000000000000"),
    (&[A::B(b"<! b d"), A::I(1), A::F(f64::from_bits(0x4000000000000000))], b"01000000000000000000000000000040"),
    (&[A::B(b"i4"), A::B(b"12")], b"0c000000"),
    (&[A::B(b"f"), A::I(3)], b"00004040"),
    (&[A::B(b"i17"), A::I(1)], b"ERR integral size (17) out of limits [1,16]"),
    (&[A::B(b"i0"), A::I(1)], b"ERR integral size (0) out of limits [1,16]"),
    (&[A::B(b"!17")], b"ERR integral size (17) out of limits [1,16]"),
    (&[A::B(b"!3 i4"), A::I(1)], b"ERR bad argument #1 to 'string.pack' (format asks for alignment not power of 2)"),
    (&[A::B(b"Xc1")], b"ERR bad argument #1 to 'string.pack' (invalid next option for option 'X')"),
    (&[A::B(b"X")], b"ERR bad argument #1 to 'string.pack' (invalid next option for option 'X')"),
    (&[A::B(b"c")], b"ERR missing size for format option 'c'"),
    (&[A::B(b"y")], b"ERR invalid format option 'y'"),
    (&[A::B(b"i4"), A::F(f64::from_bits(0x41e0000000000000))], b"ERR bad argument #2 to 'string.pack' (integer overflow)"),
    (&[A::B(b"I1"), A::I(256)], b"ERR bad argument #2 to 'string.pack' (unsigned overflow)"),
    (&[A::B(b"I1"), A::I(-1)], b"ERR bad argument #2 to 'string.pack' (unsigned overflow)"),
    (&[A::B(b"b"), A::F(f64::from_bits(0x3ff8000000000000))], b"ERR bad argument #2 to 'string.pack' (number has no integer representation)"),
    (&[A::B(b"b"), A::B(b"x")], b"ERR bad argument #2 to 'string.pack' (number expected, got string)"),
    (&[A::B(b"b")], b"ERR bad argument #2 to 'string.pack' (number expected, got nil)"),
    (&[A::B(b"bb"), A::I(1)], b"ERR bad argument #3 to 'string.pack' (number expected, got nil)"),
    (&[A::B(b"z"), A::B(b"a\x00b")], b"ERR bad argument #2 to 'string.pack' (string contains zeros)"),
    (&[A::B(b"s1"), A::B(b"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")], b"ERR bad argument #2 to 'string.pack' (string length does not fit in given size)"),
    (&[A::B(b"c2"), A::B(b"abc")], b"ERR bad argument #2 to 'string.pack' (string longer than given size)"),
];

/// `string.unpack(args...)`: results (strings in hex) or "ERR message".
#[rustfmt::skip]
const UNPACK_CASES: &[(&[A], &[u8])] = &[
    (&[A::B(b"<h"), A::B(b"4\x12")], b"4660|3"),
    (&[A::B(b">h"), A::B(b"\x124")], b"4660|3"),
    (&[A::B(b"b"), A::B(b"\xff")], b"-1|2"),
    (&[A::B(b"B"), A::B(b"\xff")], b"255|2"),
    (&[A::B(b"<i3"), A::B(b"\xfe\xff\xff")], b"-2|4"),
    (&[A::B(b"<I3"), A::B(b"\xfe\xff\xff")], b"16777214|4"),
    (&[A::B(b"<i16"), A::B(b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff")], b"-1|17"),
    (&[A::B(b"<i9"), A::B(b"\x00\x00\x00\x00\x00\x00\x00\x80\xff")], b"-9223372036854775808|10"),
    (&[A::B(b">f"), A::B(b"?\xc0\x00\x00")], b"1.5|5"),
    (&[A::B(b"<d"), A::B(b"\x9a\x99\x99\x99\x99\x99\xb9?")], b"0.1|9"),
    (&[A::B(b"z"), A::B(b"hello\x00world\x00")], b"68656c6c6f|7"),
    (&[A::B(b"zz"), A::B(b"a\x00b\x00")], b"61|62|5"),
    (&[A::B(b"s1"), A::B(b"\x03abcdef")], b"616263|5"),
    (&[A::B(b"c3"), A::B(b"abcdef"), A::I(4)], b"646566|7"),
    (&[A::B(b"b"), A::B(b"abc"), A::I(-1)], b"99|4"),
    (&[A::B(b"xb"), A::B(b"abc")], b"98|3"),
    (&[A::B(b"<!4 b Xi4 i4"), A::B(b"\x09\x00\x00\x00\x0a\x00\x00\x00")], b"9|10|9"),
    (&[A::B(b""), A::B(b"abc"), A::I(4)], b"4"),
    (&[A::B(b"i4"), A::B(b"abc")], b"ERR bad argument #2 to 'string.unpack' (data string too short)"),
    (&[A::B(b"i4"), A::B(b"abcd"), A::I(5)], b"ERR bad argument #2 to 'string.unpack' (data string too short)"),
    (&[A::B(b"i4"), A::B(b"abcd"), A::I(6)], b"ERR bad argument #3 to 'string.unpack' (initial position out of string)"),
    (&[A::B(b"i16"), A::B(b"\xff\xff\xff\xff\xff\xff\xff\xff\x01\x01\x01\x01\x01\x01\x01\x01")], b"ERR 16-byte integer does not fit into Lua Integer"),
    (&[A::B(b"<I9"), A::B(b"\xff\xff\xff\xff\xff\xff\xff\xff\xff")], b"ERR 9-byte integer does not fit into Lua Integer"),
    (&[A::B(b"z"), A::B(b"abc")], b"ERR bad argument #2 to 'string.unpack' (unfinished string for format 'z')"),
    (&[A::B(b"s1"), A::B(b"\x05abc")], b"ERR bad argument #2 to 'string.unpack' (data string too short)"),
    (&[A::B(b"c4"), A::B(b"abc")], b"ERR bad argument #2 to 'string.unpack' (data string too short)"),
];

/// `string.packsize(fmt)`.
#[rustfmt::skip]
const PACKSIZE_CASES: &[(&str, &[u8])] = &[
    ("b", b"1"),
    ("h", b"2"),
    ("i", b"4"),
    ("l", b"8"),
    ("j", b"8"),
    ("f", b"4"),
    ("d", b"8"),
    ("n", b"8"),
    ("T", b"8"),
    ("c10", b"10"),
    ("i3 i5", b"8"),
    ("!8 b d", b"16"),
    ("!4 b d", b"12"),
    ("b Xd", b"1"),
    ("!2 b Xi8", b"2"),
    ("", b"0"),
    ("xxx", b"3"),
    ("c1073741824c1073741823", b"2147483647"),
    ("s", b"ERR bad argument #1 to 'string.packsize' (variable-length format)"),
    ("z", b"ERR bad argument #1 to 'string.packsize' (variable-length format)"),
    ("c1073741824c1073741824", b"ERR bad argument #1 to 'string.packsize' (format result too large)"),
    ("c2147483648", b"ERR invalid format option '8'"),
    ("i", b"4"),
];

#[test]
fn pack_unpack_packsize_match_lua54() {
    let mut l = Lua::new();
    let mut failures = Vec::new();
    for (args, expected) in PACK_CASES {
        let got = l.call("pack", args, true);
        if got != *expected {
            failures.push(format!(
                "pack: got {:?}, want {:?}",
                text(&got),
                text(expected)
            ));
        }
    }
    for (args, expected) in UNPACK_CASES {
        let got = l.call("unpack", args, true);
        if got != *expected {
            failures.push(format!(
                "unpack: got {:?}, want {:?}",
                text(&got),
                text(expected)
            ));
        }
    }
    for (fmt, expected) in PACKSIZE_CASES {
        let got = l.call("packsize", &[A::B(fmt.as_bytes())], false);
        if got != *expected {
            failures.push(format!(
                "packsize({fmt:?}): got {:?}, want {:?}",
                text(&got),
                text(expected)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

// -- the pattern matcher's Rust API ---------------------------------------------------

fn search(s: &str, p: &str) -> Option<(usize, usize, Vec<pattern::Capture>)> {
    pattern::search(s.as_bytes(), p.as_bytes(), 0)
        .expect("pattern")
        .map(|f| (f.start, f.end, f.captures))
}

#[test]
fn pattern_search_api() {
    use pattern::Capture::{Position, Span};
    assert_eq!(search("hello world", "o w"), Some((4, 7, vec![])));
    assert_eq!(
        search("hello", "(l+)(o)"),
        Some((2, 5, vec![Span(2, 4), Span(4, 5)]))
    );
    assert_eq!(
        search("hello", "()ll()"),
        Some((2, 4, vec![Position(3), Position(5)]))
    );
    assert_eq!(search("abc", "^b"), None);
    assert_eq!(search("abc", "c$"), Some((2, 3, vec![])));
    assert_eq!(search("", ""), Some((0, 0, vec![])));
    assert_eq!(search("x(a(b)c)y", "%b()"), Some((1, 8, vec![])));
    assert_eq!(
        search("THE (quick) fox", "%f[%a]%a+%f[%A]"),
        Some((0, 3, vec![]))
    );
    assert_eq!(search("abab", "(ab)%1"), Some((0, 4, vec![Span(0, 2)])));
    // init beyond the subject: only an empty match at the very end is possible
    assert!(pattern::search(b"abc", b"$", 3).expect("ok").is_some());
    assert!(pattern::search(b"abc", b"a", 3).expect("ok").is_none());
}

#[test]
fn pattern_errors_api() {
    let err = |p: &str| {
        pattern::search(b"abc", p.as_bytes(), 0)
            .expect_err("error")
            .0
    };
    assert_eq!(err("%"), "malformed pattern (ends with '%')");
    assert_eq!(err("[a"), "malformed pattern (missing ']')");
    assert_eq!(err("%b"), "malformed pattern (missing arguments to '%b')");
    assert_eq!(err("%fx"), "missing '[' after '%f' in pattern");
    assert_eq!(err("a)"), "invalid pattern capture");
    assert_eq!(err("%2"), "invalid capture index %2");
    assert_eq!(err("(a"), "unfinished capture");
    assert_eq!(err(&"(".repeat(33)), "too many captures");
    let deep = "a?".repeat(300);
    let subject = "a".repeat(300);
    assert_eq!(
        pattern::search(subject.as_bytes(), deep.as_bytes(), 0)
            .expect_err("deep")
            .0,
        "pattern too complex"
    );
    // 199 nested optional items still fit in MAXCCALLS
    let ok = "a?".repeat(190);
    assert!(
        pattern::search(subject.as_bytes(), ok.as_bytes(), 0)
            .expect("fits")
            .is_some()
    );
}

#[test]
fn pattern_classes_are_c_locale() {
    let count = |cl: u8| (0u8..=255).filter(|&c| pattern::match_class(c, cl)).count();
    let expected: &[(u8, usize)] = &[
        (b'a', 52),
        (b'c', 33),
        (b'd', 10),
        (b'g', 94),
        (b'l', 26),
        (b'p', 32),
        (b's', 6),
        (b'u', 26),
        (b'w', 62),
        (b'x', 22),
        (b'z', 1),
        (b'A', 204),
        (b'S', 250),
        (b'Z', 255),
    ];
    for &(cl, n) in expected {
        assert_eq!(count(cl), n, "class %{}", cl as char);
    }
    // non-letters match themselves
    assert!(pattern::match_class(b'.', b'.'));
    assert!(!pattern::match_class(b'x', b'.'));
    assert!(pattern::match_class(0x0b, b's'), "\\v is a space in C");
}

#[test]
fn plain_find_and_specials() {
    assert_eq!(pattern::find_plain(b"hello", b"ll"), Some(2));
    assert_eq!(pattern::find_plain(b"hello", b""), Some(0));
    assert_eq!(pattern::find_plain(b"hello", b"hello!"), None);
    assert_eq!(pattern::find_plain(b"aaab", b"aab"), Some(1));
    assert_eq!(pattern::find_plain(b"a\0b", b"\0b"), Some(1));
    assert!(pattern::no_specials(b"abc)]"));
    for c in b"^$*+?.([%-" {
        assert!(!pattern::no_specials(&[b'x', *c]), "{}", *c as char);
    }
}

// -- format's pure helpers ---------------------------------------------------------------

fn ffloat(spec: &str, f: f64) -> String {
    let form = format!("%{spec}");
    sfmt::check_format(form.as_bytes(), sfmt::FLAGS_F, true).expect("valid");
    let mut out = Vec::new();
    let conv = *form.as_bytes().last().expect("conv");
    sfmt::format_float(&mut out, &sfmt::parse_spec(form.as_bytes()), conv, f);
    String::from_utf8(out).expect("ascii")
}

#[test]
fn hex_floats_like_glibc() {
    assert_eq!(ffloat("a", 1.0), "0x1p+0");
    assert_eq!(ffloat("a", -0.1), "-0x1.999999999999ap-4");
    assert_eq!(ffloat("A", 255.5), "0X1.FFP+7");
    assert_eq!(ffloat("a", f64::MIN_POSITIVE), "0x1p-1022");
    assert_eq!(ffloat("a", 5e-324), "0x0.0000000000001p-1022");
    assert_eq!(ffloat("a", f64::MAX), "0x1.fffffffffffffp+1023");
    // rounding to a precision: ties to even, carries into the leading digit
    assert_eq!(ffloat(".0a", 1.5), "0x2p+0");
    assert_eq!(ffloat(".0a", 2.5), "0x1p+1");
    assert_eq!(ffloat(".1a", 1.03125), "0x1.0p+0");
    assert_eq!(ffloat(".1a", 1.09375), "0x1.2p+0");
    assert_eq!(ffloat(".2a", 1.99951171875), "0x2.00p+0");
    assert_eq!(ffloat(".15a", 1.0), "0x1.000000000000000p+0");
    assert_eq!(ffloat("#.0a", 1.0), "0x1.p+0");
    assert_eq!(ffloat("+12a", 1.0), "     +0x1p+0");
    assert_eq!(ffloat("012a", -1.0), "-0x000001p+0");
    assert_eq!(ffloat("-12a", 1.0), "0x1p+0      ");
    assert_eq!(ffloat("a", f64::INFINITY), "inf");
    assert_eq!(ffloat("08A", f64::NEG_INFINITY), "    -INF");
}

#[test]
fn decimal_floats_like_glibc() {
    assert_eq!(ffloat(".0f", 0.5), "0");
    assert_eq!(ffloat(".0f", 1.5), "2");
    assert_eq!(ffloat(".2f", 1.005), "1.00");
    assert_eq!(ffloat("e", 0.0), "0.000000e+00");
    assert_eq!(ffloat(".3e", 1e-300), "1.000e-300");
    assert_eq!(ffloat("g", 1e-5), "1e-05");
    assert_eq!(ffloat("g", 123456789.0), "1.23457e+08");
    assert_eq!(ffloat("#.3g", 1.0), "1.00");
    assert_eq!(ffloat(".0g", 0.0001), "0.0001");
    assert_eq!(ffloat("G", 1e-10), "1E-10");
    assert_eq!(ffloat(" f", 1.0), " 1.000000");
    assert_eq!(ffloat("+.1e", -0.0), "-0.0e+00");
    assert_eq!(ffloat("010.2f", -1.5), "-000001.50");
    assert_eq!(ffloat("99.99f", 1.0).len(), 101);
    assert_eq!(ffloat(".99f", -f64::MAX).len(), 410);
}

#[test]
fn conversion_specifications() {
    let check = |f: &str, flags: &[u8], prec: bool| sfmt::check_format(f.as_bytes(), flags, prec);
    assert!(check("%-5d", sfmt::FLAGS_I, true).is_ok());
    assert!(check("%99.99f", sfmt::FLAGS_F, true).is_ok());
    assert_eq!(
        check("%100d", sfmt::FLAGS_I, true),
        Err("invalid conversion specification: '%100d'".into())
    );
    assert_eq!(
        check("%.3c", sfmt::FLAGS_C, false),
        Err("invalid conversion specification: '%.3c'".into())
    );
    assert_eq!(
        check("%#d", sfmt::FLAGS_I, true),
        Err("invalid conversion specification: '%#d'".into())
    );
    assert!(check("%-#08x", sfmt::FLAGS_X, true).is_ok());
    // getformat: spans flags/digits/'.', then one conversion character
    let (form, next) = sfmt::get_format(b"%5.2fabc", 1).expect("short");
    assert_eq!((form.as_slice(), next), (&b"%5.2f"[..], 5));
    let (form, next) = sfmt::get_format(b"%", 1).expect("at end");
    assert_eq!((sfmt::form_text(&form), next), ("%".to_string(), 2));
    assert_eq!(
        sfmt::get_format(b"%------------------------d", 1),
        Err("invalid format (too long)".into())
    );
    let mut out = Vec::new();
    sfmt::add_quoted(&mut out, b"a\0\x01\x012\n\"\\\x7f\xff");
    assert_eq!(out, b"\"a\\0\\1\\0012\\\n\\\"\\\\\\127\xff\"");
}

// -- iterators, replacements and the string metatable through the VM ---------------------

#[test]
fn gmatch_iterates_with_state() {
    let mut l = Lua::new();
    let gmatch = l.lib_fn("gmatch");
    let it = l
        .call_value(gmatch, &[A::B(b"k1=v1, k2=v2"), A::B(b"(%w+)=(%w+)")])
        .expect("gmatch");
    let it = it[0];
    l.vm.set_global("__it", it).expect("root");
    let mut got = Vec::new();
    loop {
        let r = l.vm.call_protected(it, &[]).expect("step");
        if r.is_empty() {
            break;
        }
        got.push(
            r.iter()
                .map(|v| text(l.vm.str_bytes(*v)))
                .collect::<Vec<_>>()
                .join("="),
        );
    }
    assert_eq!(got, ["k1=v1", "k2=v2"]);
    // the exhausted iterator keeps answering nothing
    assert!(l.vm.call_protected(it, &[]).expect("again").is_empty());
    // init (5.4) and empty matches advance
    let it = l
        .call_value(gmatch, &[A::B(b"abc"), A::B(b""), A::I(-1)])
        .expect("gmatch")[0];
    l.vm.set_global("__it", it).expect("root");
    let n =
        std::iter::from_fn(|| l.vm.call_protected(it, &[]).ok().filter(|r| !r.is_empty())).count();
    assert_eq!(n, 2);
}

#[test]
fn gsub_with_native_function_and_table() {
    let mut l = Lua::new();
    let upper = l.lib_fn("upper");
    let gsub = l.lib_fn("gsub");
    let mut args = vec![l.vm.new_string(b"hello big world").expect("s")];
    l.vm.set_global("__s", args[0]).expect("root");
    args.push(l.vm.new_string(b"%a+").expect("p"));
    l.vm.set_global("__p", args[1]).expect("root");
    args.push(upper);
    args.push(Value::int(2));
    let r = l.vm.call_protected(gsub, &args).expect("gsub");
    assert_eq!(l.vm.str_bytes(r[0]), b"HELLO BIG world");
    assert_eq!(r[1].as_int(), Some(2));

    let t = l.vm.new_table(0, 4).expect("t");
    l.vm.set_global("__t", t).expect("root");
    let v = l.vm.new_string(b"X").expect("v");
    l.vm.raw_set_str(t, "big", v).expect("set");
    l.vm.raw_set_str(t, "world", Value::FALSE).expect("set");
    args[2] = t;
    args[3] = Value::NIL;
    let r = l.vm.call_protected(gsub, &args).expect("gsub");
    assert_eq!(l.vm.str_bytes(r[0]), b"hello X world");
    assert_eq!(r[1].as_int(), Some(3));
}

#[test]
fn gsub_function_replacement_survives_collections() {
    // Many captures and replacement strings: collections run in the middle
    // of gsub and must not free what it still uses.
    let mut l = Lua::new();
    let subject: String = (0..40_000).map(|i| format!("w{i} ")).collect();
    let upper = l.lib_fn("upper");
    let gsub = l.lib_fn("gsub");
    let s = l.vm.new_string(subject.as_bytes()).expect("s");
    l.vm.set_global("__s", s).expect("root");
    let p = l.vm.new_string(b"(w%d+)").expect("p");
    l.vm.set_global("__p", p).expect("root");
    let r = l.vm.call_protected(gsub, &[s, p, upper]).expect("gsub");
    assert_eq!(r[1].as_int(), Some(40_000));
    // (assert! rather than assert_eq!: a mismatch would print megabytes)
    assert!(
        l.vm.str_bytes(r[0]) == subject.to_uppercase().as_bytes(),
        "gsub result differs"
    );
    let r = l.call("rep", &[A::B(b"ab"), A::I(3), A::B(b",")], false);
    assert_eq!(r, b"ab,ab,ab");
}

#[test]
fn string_metatable_arithmetic() {
    let mut l = Lua::new();
    assert_ne!(l.vm.string_meta, 0);
    let mt = Value::object(slotjit::vm::layout::TAG_TABLE, l.vm.string_meta);
    let index = l.vm.raw_get_str(mt, "__index").expect("__index");
    let lib = l.vm.get_global("string").expect("lib");
    assert_eq!(index, lib);
    let mut arith = |name: &str, a: A, b: A| -> String {
        let f = l.vm.raw_get_str(mt, name).expect("mm");
        match l.call_value(f, &[a, b]) {
            Ok(v) => l.vm.display(v[0]),
            Err(e) => format!("ERR {e}"),
        }
    };
    assert_eq!(arith("__add", A::B(b"10"), A::I(1)), "11");
    assert_eq!(arith("__add", A::B(b"10"), A::B(b"0x10")), "26");
    assert_eq!(arith("__sub", A::B(b"1.5"), A::I(1)), "0.5");
    assert_eq!(arith("__mul", A::B(b" 3 "), A::B(b"4")), "12");
    assert_eq!(arith("__div", A::B(b"1"), A::B(b"4")), "0.25");
    assert_eq!(arith("__mod", A::B(b"-7"), A::B(b"3")), "2");
    assert_eq!(arith("__pow", A::B(b"2"), A::B(b"10")), "1024.0");
    assert_eq!(arith("__idiv", A::B(b"7"), A::B(b"2")), "3");
    assert_eq!(arith("__unm", A::B(b"3"), A::B(b"3")), "-3");
    assert_eq!(
        arith("__idiv", A::B(b"1"), A::B(b"0")),
        "ERR attempt to divide by zero"
    );
    assert_eq!(
        arith("__add", A::B(b"abc"), A::I(1)),
        "ERR attempt to add a 'string' with a 'number'"
    );
    assert_eq!(
        arith("__add", A::I(1), A::B(b"x")),
        "ERR attempt to add a 'number' with a 'string'"
    );
    assert_eq!(
        arith("__unm", A::B(b"x"), A::B(b"x")),
        "ERR attempt to unm a 'string' with a 'string'"
    );
    assert_eq!(
        arith("__mul", A::B(b"1\0"), A::I(1)),
        "ERR attempt to mul a 'string' with a 'number'"
    );
}

// -- robustness: hostile inputs never panic ------------------------------------------------

/// A small deterministic PRNG (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn pick<'a>(&mut self, items: &'a [&'a [u8]]) -> &'a [u8] {
        items[(self.next() % items.len() as u64) as usize]
    }
}

#[test]
fn random_patterns_and_formats_do_not_panic() {
    let mut l = Lua::new();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let pieces: &[&[u8]] = &[
        b"%", b"[", b"]", b"^", b"$", b"(", b")", b"()", b".", b"*", b"+", b"-", b"?", b"%b",
        b"%f", b"%1", b"%0", b"%a", b"%Z", b"a", b"b", b"\0", b"\xff", b"[^", b"%]", b"-]", b"%%",
    ];
    let subjects: &[&[u8]] = &[
        b"", b"a", b"abc", b"aaa(b)c", b"\0\xff%", b"((((", b"]]]-^$",
    ];
    for _ in 0..3000 {
        let n = 1 + rng.next() % 8;
        let pat: Vec<u8> = (0..n).flat_map(|_| rng.pick(pieces).to_vec()).collect();
        let subj = rng.pick(subjects);
        let init = (rng.next() % 9) as i64 - 4;
        for name in ["find", "match", "gsub"] {
            let args: Vec<A> = if name == "gsub" {
                vec![A::B(subj), A::B(&pat), A::B(b"<%0>")]
            } else {
                vec![A::B(subj), A::B(&pat), A::I(init)]
            };
            let got = l.call(name, &args, false);
            assert!(
                !text(&got).contains("internal error"),
                "{name}({subj:?}, {pat:?}) -> {}",
                text(&got)
            );
        }
    }
    let fpieces: &[&[u8]] = &[
        b"%", b"-", b"+", b" ", b"#", b"0", b"9", b"99", b".", b"d", b"s", b"q", b"a", b"g", b"x",
        b"c", b"%%", b"z",
    ];
    for _ in 0..3000 {
        let n = 1 + rng.next() % 6;
        let fmt: Vec<u8> = (0..n).flat_map(|_| rng.pick(fpieces).to_vec()).collect();
        let args = [A::B(&fmt), A::F(1.5), A::I(-3), A::B(b"str")];
        let got = l.call("format", &args, false);
        assert!(
            !text(&got).contains("internal error"),
            "format({fmt:?}) -> {}",
            text(&got)
        );
    }
}

#[test]
fn resource_limits_give_errors() {
    let mut l = Lua::new();
    assert_eq!(
        l.call("rep", &[A::B(b"x"), A::I(1 << 40)], false),
        b"ERR resulting string too large"
    );
    // empty pieces repeated 2^62 times: immediate
    assert_eq!(
        l.call("rep", &[A::B(b""), A::I(1 << 62), A::B(b"")], false),
        b""
    );
    // Below lua5.4's INT_MAX limit but above the isolate's memory: an error, not an abort.
    let mut small = Lua {
        vm: Vm::new(VmOptions {
            memory_limit: 1 << 24,
        })
        .expect("vm"),
    };
    slotjit::stdlib::open_all(&mut small.vm).expect("stdlib");
    assert_eq!(
        small.call("rep", &[A::B(b"xy"), A::I(1 << 29)], false),
        b"ERR not enough memory"
    );
    assert_eq!(
        small.call("pack", &[A::B(b"c2000000000"), A::B(b"")], false),
        b"ERR not enough memory"
    );
    let subject = "a".repeat(1 << 20);
    let got = small.call(
        "gsub",
        &[A::B(subject.as_bytes()), A::B(b""), A::B(&[b'x'; 64])],
        false,
    );
    assert_eq!(got, b"ERR not enough memory");
}
