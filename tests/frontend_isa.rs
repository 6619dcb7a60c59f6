//! Where our ISA differs from Lua 5.4's (no MMBIN*): the encodings the
//! VM relies on, plus proto-level invariants of compiled chunks.

use slotjit::bytecode::{Constant, Instr, OpCode, Proto, VarKind};
use slotjit::lua::compile;

fn main_code(src: &str) -> Proto {
    compile(src.as_bytes(), "@t.lua").unwrap_or_else(|e| panic!("{src}: {e}"))
}

/// First instruction with opcode `op`.
fn find(p: &Proto, op: OpCode) -> Instr {
    *p.code
        .iter()
        .find(|i| i.opcode() == Some(op))
        .unwrap_or_else(|| panic!("no {op:?} in {:?}", p.code))
}

#[test]
fn subtraction_of_constants_uses_subk() {
    for (src, k) in [
        ("local x = ...; return x - 1", Constant::Int(1)),
        ("local x = ...; return x - 300", Constant::Int(300)),
        ("local x = ...; return x - 1.5", Constant::Float(1.5)),
    ] {
        let p = main_code(src);
        let i = find(&p, OpCode::SUBK);
        assert_eq!(p.constants[i.c() as usize], k, "{src}");
        assert!(!i.k());
        assert!(
            !p.code.iter().any(|i| i.opcode() == Some(OpCode::ADDI)),
            "{src}"
        );
    }
}

#[test]
fn shifts_by_immediates() {
    let p = main_code("local x = ...; return x << 3");
    let i = find(&p, OpCode::SHRI);
    assert_eq!((i.sc(), i.k()), (-3, true));
    let p = main_code("local x = ...; return x >> 3");
    let i = find(&p, OpCode::SHRI);
    assert_eq!((i.sc(), i.k()), (3, false));
    let p = main_code("local x = ...; return 3 << x");
    let i = find(&p, OpCode::SHLI);
    assert_eq!((i.b(), i.sc(), i.k()), (0, 3, false));
}

#[test]
fn swapped_commutative_operands_set_k() {
    for (src, op, swapped) in [
        ("local x = ...; return x + 1", OpCode::ADDI, false),
        ("local x = ...; return 1 + x", OpCode::ADDI, true),
        ("local x = ...; return 1.5 + x", OpCode::ADDK, true),
        ("local x = ...; return x * 2", OpCode::MULK, false),
        ("local x = ...; return 2 * x", OpCode::MULK, true),
        ("local x = ...; return 7 & x", OpCode::BANDK, true),
        ("local x = ...; return x | 7", OpCode::BORK, false),
        ("local x = ...; return 7 ~ x", OpCode::BXORK, true),
    ] {
        assert_eq!(find(&main_code(src), op).k(), swapped, "{src}");
    }
}

#[test]
fn immediate_comparisons_record_float_literals() {
    let c_of = |src: &str, op| find(&main_code(src), op).c();
    assert_eq!(c_of("local x = ...; return x < 1", OpCode::LTI), 0);
    assert_eq!(c_of("local x = ...; return x < 1.0", OpCode::LTI), 1);
    assert_eq!(c_of("local x = ...; return 2.0 < x", OpCode::GTI), 1);
    assert_eq!(c_of("local x = ...; return x == -3.0", OpCode::EQI), 1);
    // Like luac: an integral float too big for sB still sets C on EQK.
    assert_eq!(c_of("local x = ...; return x == 1000.0", OpCode::EQK), 1);
    let i = find(&main_code("local x = ...; return x >= 5"), OpCode::GEI);
    assert_eq!((i.sb(), i.k()), (5, true));
}

#[test]
fn main_chunk_shape() {
    let p = main_code("print(1)");
    assert!(p.is_vararg);
    assert_eq!(p.source, "@t.lua");
    assert_eq!((p.line_defined, p.last_line_defined), (0, 0));
    assert_eq!(p.code[0], Instr::abc(OpCode::VARARGPREP, 0, 0, 0, false));
    assert_eq!(p.upvalues.len(), 1);
    let env = &p.upvalues[0];
    assert_eq!(
        (env.name.as_deref(), env.in_stack, env.index, env.kind),
        (Some("_ENV"), true, 0, VarKind::Regular)
    );
    assert_eq!(p.line_info.len(), p.code.len());
    // Final return of a vararg function: RETURN with C = nparams + 1.
    let last = *p.code.last().unwrap();
    assert_eq!(
        (last.opcode(), last.a(), last.b(), last.c(), last.k()),
        (Some(OpCode::RETURN), 0, 1, 1, false)
    );
}

#[test]
fn return_flags() {
    // to-be-closed variable: returns close (k) and no tail call
    let p = main_code("local x <close> = nil; return f(x)");
    assert!(p.code.iter().any(|i| i.opcode() == Some(OpCode::TBC)));
    assert!(!p.code.iter().any(|i| i.opcode() == Some(OpCode::TAILCALL)));
    let r = find(&p, OpCode::RETURN);
    assert!(r.k());
    // plain tail call in a vararg function: C = nparams + 1
    let p = main_code("return f(1)");
    let t = find(&p, OpCode::TAILCALL);
    assert_eq!((t.b(), t.c(), t.k()), (2, 1, false));
    // captured local: needclose → k on returns; fixed-arity function keeps RETURN0/RETURN1 otherwise
    let p = main_code(
        "local function f(a) local b = a; local g = function() return b end; return g end",
    );
    let f = &p.protos[0];
    assert_eq!(f.num_params, 1);
    assert!(!f.is_vararg);
    let r = find(f, OpCode::RETURN);
    assert!(r.k() && r.c() == 0);
    let p = main_code("local function f(a) return a end");
    assert!(
        p.protos[0]
            .code
            .iter()
            .any(|i| i.opcode() == Some(OpCode::RETURN1))
    );
    let p = main_code("local function f(a, ...) return a end");
    let r = find(&p.protos[0], OpCode::RETURN);
    assert_eq!((r.b(), r.c()), (2, 2));
}

#[test]
fn compile_time_constants_fold() {
    let p = main_code("local x <const> = 10; local y <const> = x * 2 + 1; return y");
    assert_eq!(p.code[1], Instr::asbx(OpCode::LOADI, 0, 21));
    assert!(
        p.local_vars.is_empty(),
        "constants have no debug entry: {:?}",
        p.local_vars
    );
    let p = main_code("local s <const> = 'abc'; local t <const> = {}; return s, t");
    assert_eq!(p.local_vars.len(), 1);
    assert_eq!(p.local_vars[0].name, "t");
}

#[test]
fn upvalue_kinds() {
    let p = main_code(
        "local a <const> = {}; local b <close> = nil; local c = 1; return function() return a, b, c end",
    );
    let f = &p.protos[0];
    let kinds: Vec<_> = f
        .upvalues
        .iter()
        .map(|u| (u.name.clone().unwrap(), u.in_stack, u.index, u.kind))
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("a".to_string(), true, 0, VarKind::Const),
            ("b".to_string(), true, 1, VarKind::ToBeClosed),
            ("c".to_string(), true, 2, VarKind::Regular),
        ]
    );
}

#[test]
fn error_lines() {
    let e = compile(b"x = 1\n\ny = = 2", "@t.lua").unwrap_err();
    assert_eq!(
        (e.line, e.message.as_str()),
        (3, "t.lua:3: unexpected symbol near '='")
    );
    assert_eq!(e.to_string(), e.message);
    assert_eq!(e.code(), "SJ-LUA-SYNTAX");
}
