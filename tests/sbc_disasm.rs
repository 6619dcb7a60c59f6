//! Disassembler output: an exact listing for a luac-shaped proto, the
//! comments that depend on constants/jumps/upvalues, and robustness on
//! protos the verifier would reject.

mod sbc_common;

use sbc_common::*;
use slotjit::bytecode::{Constant, Instr, Proto, disassemble};

/// `disassemble(&luac_shaped())`, compared line by line with `luac5.4 -l -l`
/// for the same source (addresses replaced by proto paths, no MMBIN).
const LUAC_SHAPED: &str = r#"main <h.lua:0,0> (24 instructions) [main]
0+ params, 8 slots, 1 upvalue, 8 locals, 4 constants, 1 function
	1	[1]	VARARGPREP	0 0 0
	2	[1]	NEWTABLE 	0 0 0	; array 0, hash 0
	3	[1]	EXTRAARG 	0
	4	[1]	VARARG   	1 0 0	; all out
	5	[1]	SETLIST  	0 0 0	; from index 1
	6	[2]	GETTABUP 	1 0 0	; _ENV "print"
	7	[2]	LOADK    	2 1	; "hi"
	8	[2]	LOADK    	3 2	; 1.5
	9	[2]	LOADI    	4 10	; 10
	10	[2]	CALL     	1 4 1	; 3 in 0 out
	11	[3]	GETTABUP 	1 0 3	; _ENV "pairs"
	12	[3]	MOVE     	2 0 0
	13	[3]	CALL     	1 2 5	; 1 in 4 out
	14	[3]	TFORPREP 	1 1	; to 16
	15	[3]	SETTABLE 	0 5 6
	16	[3]	TFORCALL 	1 0 2
	17	[3]	TFORLOOP 	1 3	; to 15
	18	[3]	CLOSE    	1 0 0
	19	[4]	CLOSURE  	1 0	; function <h.lua:4>
	20	[5]	MOVE     	2 1 0
	21	[5]	VARARG   	3 0 0	; all out
	22	[5]	TAILCALL 	2 0 1k	; all in
	23	[5]	RETURN   	2 0 1k	; all out
	24	[5]	RETURN   	2 1 1k	; 0 out
constants (4) for main:
	0	S	"print"
	1	S	"hi"
	2	F	1.5
	3	S	"pairs"
locals (8) for main:
	0	t	6	25
	1	(for state)	14	19
	2	(for state)	14	19
	3	(for state)	14	19
	4	(for state)	14	19
	5	k	15	16
	6	v	15	16
	7	f	20	25
upvalues (1) for main:
	0	_ENV	1	0	Regular

function <h.lua:4,4> (5 instructions) [main/P[0]]
2 params, 3 slots, 1 upvalue, 2 locals, 0 constants, 0 functions
	1	[4]	GETUPVAL 	2 0 0	; t
	2	[4]	GETI     	2 2 1
	3	[4]	ADD      	2 2 0
	4	[4]	RETURN1  	2 0 0
	5	[4]	RETURN0  	0 0 0
constants (0) for main/P[0]:
locals (2) for main/P[0]:
	0	a	1	6
	1	b	1	6
upvalues (1) for main/P[0]:
	0	t	1	0	Regular
"#;

#[test]
fn luac_shaped_listing_is_exact() {
    let got = disassemble(&luac_shaped());
    if got != LUAC_SHAPED {
        for (i, (g, w)) in got.lines().zip(LUAC_SHAPED.lines()).enumerate() {
            assert_eq!(g, w, "first difference at line {}", i + 1);
        }
        assert_eq!(
            got.lines().count(),
            LUAC_SHAPED.lines().count(),
            "line count differs:\n{got}"
        );
        panic!("listings differ (whitespace?):\n{got}");
    }
}

fn line_with<'a>(listing: &'a str, needle: &str) -> &'a str {
    listing
        .lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line contains {needle:?} in:\n{listing}"))
}

#[test]
fn comments_resolve_constants_jumps_and_upvalues() {
    let d = disassemble(&kitchen_sink());
    assert!(d.starts_with("main <sink.lua:0,0> (40 instructions) [main]\n0+ params, 20 slots,"));
    assert!(line_with(&d, "NEWTABLE").ends_with("0 3 4k\t; array 260, hash 4"));
    assert!(line_with(&d, "LOADKX").contains("\"h\\195\\169llo"));
    assert!(line_with(&d, "FORPREP").ends_with("; exit to 16"));
    assert!(line_with(&d, "FORLOOP").ends_with("; to 12"));
    assert!(line_with(&d, "TFORPREP").ends_with("; to 23"));
    assert!(line_with(&d, "TFORLOOP").ends_with("; to 21"));
    assert!(line_with(&d, "LFALSESKIP").ends_with("; to 29"));
    assert!(line_with(&d, "EQI").ends_with("5 132 0\t; 5"));
    assert!(line_with(&d, "LOADF").ends_with("3 -10\t; -10"));
    assert!(line_with(&d, "SETTABUP").ends_with("; _ENV \"insert\" -0.0"));
    assert!(line_with(&d, "SETLIST  \t0 2 7k").ends_with("; from index 776"));
    assert!(line_with(&d, "\tJMP      \t-2").ends_with("; to 31"));
    assert!(line_with(&d, "CALL     \t15 0 0").ends_with("; all in all out"));
    assert!(line_with(&d, "CLOSURE  \t3 0").ends_with("; function <other chunk:7>"));
    // Constants listing: every kind, Lua-style floats and escapes.
    for want in [
        "\t0\tN\tnil",
        "\t1\tB\ttrue",
        "\t3\tF\t0.5",
        "\t4\tI\t-7",
        "\t7\tS\t\"\\000\\255\\n\\\"\\\\\\128\"",
        "\t9\tI\t-9223372036854775808",
        "\t11\tF\t-0.0",
        "\t12\tF\t1e+300",
        "\t13\tF\tinf",
        "\t15\tS\t\"\"",
    ] {
        assert!(
            d.lines().any(|l| l == want),
            "missing constant line {want:?}"
        );
    }
    // Nested functions follow their parent, with their own headers.
    let inner = d
        .find("function <other chunk:7,9> (2 instructions) [main/P[0]/P[0]]")
        .unwrap();
    assert!(inner > d.find("function <sink.lua:3,12>").unwrap());
    assert!(
        line_with(&d, "GETTABUP \t0 0 0").ends_with("; - \"x\""),
        "unnamed upvalue prints as -"
    );
}

#[test]
fn floats_print_like_lua() {
    let p = Proto {
        constants: [
            1.0,
            100.0,
            1e15,
            1e14,
            123456789012345.0,
            0.1,
            1.0 / 3.0,
            1e-5,
            2.5e-300,
            -1.5,
            f64::NAN,
        ]
        .into_iter()
        .map(Constant::Float)
        .collect(),
        ..Proto::default()
    };
    let d = disassemble(&p);
    let got: Vec<&str> = d
        .lines()
        .filter_map(|l| l.strip_prefix('\t'))
        .filter(|l| l.contains("\tF\t"))
        .map(|l| l.rsplit('\t').next().unwrap())
        .collect();
    // What `lua5.4 -e "print(string.format('%.14g', x))"` prints (plus `.0`
    // for integral values, as Lua's tostring does).
    assert_eq!(
        got,
        [
            "1.0",
            "100.0",
            "1e+15",
            "1e+14",
            "1.2345678901234e+14",
            "0.1",
            "0.33333333333333",
            "1e-05",
            "2.5e-300",
            "-1.5",
            "nan"
        ]
    );
}

#[test]
fn unverified_protos_disassemble_without_panicking() {
    let mut p = hello();
    p.code.push(Instr(0x7f)); // invalid opcode
    p.code.push(abx(LOADK, 0, 999)); // constant out of range
    p.code.push(abc(GETUPVAL, 0, 9, 0)); // upvalue out of range
    p.code.push(abx(CLOSURE, 0, 3)); // proto out of range
    p.code.push(Instr::abc(LOADKX, 0, 0, 0, false)); // LOADKX without EXTRAARG, last
    p.line_info.truncate(2); // fewer lines than instructions
    let d = disassemble(&p);
    assert!(d.contains("?op127"), "{d}");
    assert!(line_with(&d, "LOADK    \t0 999").ends_with("; ?"));
    assert!(line_with(&d, "GETUPVAL \t0 9 0").ends_with("; -"));
    assert!(line_with(&d, "CLOSURE  \t0 3").ends_with("; ?"));
    assert!(line_with(&d, "LOADKX").ends_with("; ?"));
    assert!(
        line_with(&d, "?op127").contains("[-]"),
        "missing line info prints as -"
    );
}
