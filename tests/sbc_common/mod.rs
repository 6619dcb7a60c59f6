//! Hand-built proto fixtures shared by the `sbc_*` integration tests (the
//! Lua compiler is developed separately, so protos are written out here).
//! Each fixture is what `luac5.4` emits for the Lua source in its doc
//! comment, minus the `MMBIN*` instructions our ISA does not have.

#![allow(dead_code)] // each test binary uses a different subset

use slotjit::bytecode::isa::OFFSET_SC;
use slotjit::bytecode::{Constant, Instr, LocalVar, OpCode, Proto, UpvalueDesc, VarKind};

pub use OpCode::*;

/// `A B C` instruction without `k`.
pub fn abc(op: OpCode, a: u32, b: u32, c: u32) -> Instr {
    Instr::abc(op, a, b, c, false)
}

/// `A B C` instruction with `k`.
pub fn abck(op: OpCode, a: u32, b: u32, c: u32) -> Instr {
    Instr::abc(op, a, b, c, true)
}

/// `A Bx` instruction.
pub fn abx(op: OpCode, a: u32, bx: u32) -> Instr {
    Instr::abx(op, a, bx)
}

/// `A sBx` instruction.
pub fn asbx(op: OpCode, a: u32, sbx: i32) -> Instr {
    Instr::asbx(op, a, sbx)
}

/// `JMP sJ`.
pub fn jmp(sj: i32) -> Instr {
    Instr::sj_form(JMP, sj)
}

/// `EXTRAARG Ax`.
pub fn extra(ax: u32) -> Instr {
    Instr::ax_form(EXTRAARG, ax)
}

/// A signed `B`/`C` immediate field value.
pub fn simm(v: i32) -> u32 {
    (v + OFFSET_SC) as u32
}

pub fn s(x: &str) -> Constant {
    Constant::Str(x.as_bytes().to_vec())
}

pub fn upval(name: &str, in_stack: bool, index: u8) -> UpvalueDesc {
    UpvalueDesc {
        name: Some(name.to_string()),
        in_stack,
        index,
        kind: VarKind::Regular,
    }
}

pub fn local(name: &str, start_pc: u32, end_pc: u32) -> LocalVar {
    LocalVar {
        name: name.to_string(),
        start_pc,
        end_pc,
    }
}

/// The main chunk `print("hi")`.
pub fn hello() -> Proto {
    Proto {
        source: "@hello.lua".into(),
        num_params: 0,
        is_vararg: true,
        max_stack_size: 2,
        code: vec![
            abc(VARARGPREP, 0, 0, 0),
            abc(GETTABUP, 0, 0, 0),
            abx(LOADK, 1, 1),
            abc(CALL, 0, 2, 1),
            abc(RETURN, 0, 1, 1),
        ],
        constants: vec![s("print"), s("hi")],
        upvalues: vec![upval("_ENV", true, 0)],
        line_info: vec![1, 1, 1, 1, 1],
        ..Proto::default()
    }
}

/// ```lua
/// local t = {...}
/// print("hi", 1.5, 10)
/// for k,v in pairs(t) do t[k]=v end
/// local function f(a,b) return t[1] + a end
/// return f(...)
/// ```
pub fn luac_shaped() -> Proto {
    let f = Proto {
        source: "@h.lua".into(),
        line_defined: 4,
        last_line_defined: 4,
        num_params: 2,
        is_vararg: false,
        max_stack_size: 3,
        code: vec![
            abc(GETUPVAL, 2, 0, 0),
            abc(GETI, 2, 2, 1),
            abc(ADD, 2, 2, 0),
            abc(RETURN1, 2, 0, 0),
            abc(RETURN0, 0, 0, 0),
        ],
        upvalues: vec![upval("t", true, 0)],
        line_info: vec![4; 5],
        local_vars: vec![local("a", 0, 5), local("b", 0, 5)],
        ..Proto::default()
    };
    Proto {
        source: "@h.lua".into(),
        num_params: 0,
        is_vararg: true,
        max_stack_size: 8,
        code: vec![
            abc(VARARGPREP, 0, 0, 0),
            abc(NEWTABLE, 0, 0, 0),
            extra(0),
            abc(VARARG, 1, 0, 0),
            abc(SETLIST, 0, 0, 0),
            abc(GETTABUP, 1, 0, 0),
            abx(LOADK, 2, 1),
            abx(LOADK, 3, 2),
            asbx(LOADI, 4, 10),
            abc(CALL, 1, 4, 1),
            abc(GETTABUP, 1, 0, 3),
            abc(MOVE, 2, 0, 0),
            abc(CALL, 1, 2, 5),
            abx(TFORPREP, 1, 1),
            abc(SETTABLE, 0, 5, 6),
            abc(TFORCALL, 1, 0, 2),
            abx(TFORLOOP, 1, 3),
            abc(CLOSE, 1, 0, 0),
            abx(CLOSURE, 1, 0),
            abc(MOVE, 2, 1, 0),
            abc(VARARG, 3, 0, 0),
            abck(TAILCALL, 2, 0, 1),
            abck(RETURN, 2, 0, 1),
            abck(RETURN, 2, 1, 1),
        ],
        constants: vec![s("print"), s("hi"), Constant::Float(1.5), s("pairs")],
        upvalues: vec![upval("_ENV", true, 0)],
        protos: vec![f],
        line_info: vec![
            1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 4, 5, 5, 5, 5, 5,
        ],
        local_vars: vec![
            local("t", 5, 24),
            local("(for state)", 13, 18),
            local("(for state)", 13, 18),
            local("(for state)", 13, 18),
            local("(for state)", 13, 18),
            local("k", 14, 15),
            local("v", 14, 15),
            local("f", 19, 24),
        ],
        ..Proto::default()
    }
}

/// A main chunk exercising most instruction shapes and every constant kind:
/// numeric and generic `for`, `LOADKX`, `NEWTABLE` with `k`, tests with
/// jumps, `LFALSESKIP`, open calls, `SELF`, closures two levels deep
/// capturing registers and upvalues, and a different source name in the
/// innermost function.
pub fn kitchen_sink() -> Proto {
    let inner = Proto {
        source: "=other chunk".into(),
        line_defined: 7,
        last_line_defined: 9,
        num_params: 0,
        max_stack_size: 2,
        code: vec![abc(GETTABUP, 0, 0, 0), abc(RETURN1, 0, 0, 0)],
        constants: vec![s("x")],
        upvalues: vec![UpvalueDesc {
            name: None,
            in_stack: false,
            index: 1,
            kind: VarKind::Regular,
        }],
        line_info: vec![8, 9],
        ..Proto::default()
    };
    let f = Proto {
        source: "@sink.lua".into(),
        line_defined: 3,
        last_line_defined: 12,
        num_params: 2,
        max_stack_size: 4,
        code: vec![
            abc(GETUPVAL, 2, 0, 0),
            abc(GETI, 3, 2, 1),
            abc(ADD, 2, 0, 1),
            abx(CLOSURE, 3, 0),
            abc(RETURN1, 2, 0, 0),
        ],
        upvalues: vec![
            UpvalueDesc {
                name: Some("t".into()),
                in_stack: true,
                index: 0,
                kind: VarKind::Const,
            },
            upval("_ENV", false, 0),
        ],
        protos: vec![inner],
        line_info: vec![4, 5, 6, 7, 12],
        local_vars: vec![local("a", 0, 5), local("b", 0, 5)],
        ..Proto::default()
    };
    let long: Vec<u8> = (0..1000u32).map(|i| (i * 7 % 251) as u8).collect();
    Proto {
        source: "@sink.lua".into(),
        num_params: 0,
        is_vararg: true,
        max_stack_size: 20,
        code: vec![
            /* 0 */ abc(VARARGPREP, 0, 0, 0),
            /* 1 */ abck(NEWTABLE, 0, 3, 4),
            /* 2 */ extra(1),
            /* 3 */ abc(VARARG, 1, 0, 0),
            /* 4 */ abc(SETLIST, 0, 0, 0),
            /* 5 */ abc(LOADKX, 1, 0, 0),
            /* 6 */ extra(2),
            /* 7 */ asbx(LOADI, 2, 1),
            /* 8 */ asbx(LOADF, 3, -10),
            /* 9 */ asbx(LOADI, 4, 1),
            /* 10 */ abx(FORPREP, 2, 3),
            /* 11 */ abc(ADDK, 1, 1, 3),
            /* 12 */ abc(EQI, 5, simm(5), 0),
            /* 13 */ jmp(0),
            /* 14 */ abx(FORLOOP, 2, 4),
            /* 15 */ abx(CLOSURE, 6, 0),
            /* 16 */ abc(GETTABUP, 7, 0, 5),
            /* 17 */ abc(MOVE, 8, 0, 0),
            /* 18 */ abc(LOADNIL, 9, 1, 0),
            /* 19 */ abx(TFORPREP, 7, 2),
            /* 20 */ abc(SETTABLE, 0, 11, 12),
            /* 21 */ abck(SELF, 13, 0, 6),
            /* 22 */ abc(TFORCALL, 7, 0, 2),
            /* 23 */ abx(TFORLOOP, 7, 4),
            /* 24 */ abc(TEST, 1, 0, 0),
            /* 25 */ jmp(2),
            /* 26 */ abc(LFALSESKIP, 15, 0, 0),
            /* 27 */ abc(LOADTRUE, 15, 0, 0),
            /* 28 */ abck(SETFIELD, 0, 5, 7),
            /* 29 */ abc(BANDK, 16, 15, 4),
            /* 30 */ abc(EQK, 16, 8, 0),
            /* 31 */ jmp(-2),
            /* 32 */ abck(SETTABUP, 0, 6, 11),
            /* 33 */ abck(SETLIST, 0, 2, 7),
            /* 34 */ extra(3),
            /* 35 */ abc(CONCAT, 16, 3, 0),
            /* 36 */ abc(MOVE, 15, 6, 0),
            /* 37 */ abc(VARARG, 16, 0, 0),
            /* 38 */ abc(CALL, 15, 0, 0),
            /* 39 */ abc(RETURN, 15, 0, 1),
        ],
        constants: vec![
            Constant::Nil,
            Constant::Bool(true),
            s("héllo ✓ — unicode"),
            Constant::Float(0.5),
            Constant::Int(-7),
            s("next"),
            s("insert"),
            Constant::Str(vec![0, 255, b'\n', b'"', b'\\', 0x80]),
            Constant::Bool(false),
            Constant::Int(i64::MIN),
            Constant::Int(i64::MAX),
            Constant::Float(-0.0),
            Constant::Float(1e300),
            Constant::Float(f64::INFINITY),
            Constant::Str(long),
            Constant::Str(vec![]),
        ],
        upvalues: vec![upval("_ENV", true, 0)],
        protos: vec![f],
        line_info: (0..40)
            .map(|pc| [1, 2, 100_000, 3, 3][pc % 5] + pc as u32)
            .collect(),
        local_vars: vec![local("t", 5, 40), local("i", 11, 14), local("k", 20, 22)],
        ..Proto::default()
    }
}

/// A chain of `depth` nested functions below a main chunk (main is depth 0).
pub fn nested(depth: usize) -> Proto {
    let mut p = Proto {
        source: "@deep.lua".into(),
        line_defined: depth as u32,
        last_line_defined: depth as u32,
        max_stack_size: 2,
        code: vec![abc(RETURN0, 0, 0, 0)],
        line_info: vec![depth as u32],
        ..Proto::default()
    };
    for d in (0..depth).rev() {
        p = Proto {
            source: "@deep.lua".into(),
            line_defined: d as u32,
            last_line_defined: d as u32,
            max_stack_size: 2,
            code: vec![abx(CLOSURE, 0, 0), abc(RETURN0, 0, 0, 0)],
            line_info: vec![d as u32; 2],
            protos: vec![p],
            ..Proto::default()
        };
    }
    p
}

/// Replaces the trailing CRC so mutated files get past the checksum and
/// exercise the parser and verifier.
pub fn fix_crc(bytes: &mut [u8]) {
    if bytes.len() < 4 {
        return;
    }
    let n = bytes.len() - 4;
    let crc = slotjit::bytecode::sbc::crc32(&bytes[..n]);
    bytes[n..].copy_from_slice(&crc.to_le_bytes());
}

/// Appends a fresh CRC to a body (header + proto bytes).
pub fn with_crc(mut body: Vec<u8>) -> Vec<u8> {
    let crc = slotjit::bytecode::sbc::crc32(&body);
    body.extend_from_slice(&crc.to_le_bytes());
    body
}
