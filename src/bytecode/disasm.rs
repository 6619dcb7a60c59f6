//! A disassembler for slot bytecode in the spirit of `luac -l -l`.
//!
//! Operands are printed from each opcode's [`Format`] in the opcode table
//! (`A B C` with a `k` suffix when set, `A Bx`, `A sBx`, `Ax`, `sJ`), so a new opcode
//! disassembles without touching this file; only the trailing `; comment`
//! (constant values, jump targets, upvalue names) knows individual opcodes.
//!
//! The disassembler works on *unverified* protos too (tools show broken
//! files): every lookup is checked and unknown things print as `?`.

use std::fmt::Write;

use super::isa::{Format, Instr, OpCode};
use super::proto::{Constant, Proto};
use super::verify::chunk_id;

/// Disassembles a proto and all its nested protos (depth-first, parents
/// first), like `luac -l -l`.
///
/// Instruction numbers in the first column are `pc + 1` and jump targets in
/// comments use the same numbering, as in `luac`.
pub fn disassemble(proto: &Proto) -> String {
    let mut out = String::new();
    // Explicit stack: the input may be an unverified, absurdly deep tree.
    let mut work: Vec<(&Proto, String)> = vec![(proto, "main".to_string())];
    while let Some((p, path)) = work.pop() {
        if !out.is_empty() {
            out.push('\n');
        }
        function(&mut out, p, &path);
        for (i, child) in p.protos.iter().enumerate().rev() {
            work.push((child, format!("{path}/P[{i}]")));
        }
    }
    out
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn function(out: &mut String, p: &Proto, path: &str) {
    let src = chunk_id(&p.source);
    let kind = if path == "main" { "main" } else { "function" };
    // `write!` to a String cannot fail; ignoring the Result is deliberate.
    let _ = writeln!(
        out,
        "{kind} <{src}:{},{}> ({}) [{path}]",
        p.line_defined,
        p.last_line_defined,
        plural(p.code.len(), "instruction")
    );
    let _ = writeln!(
        out,
        "{}{} params, {} slots, {}, {}, {}, {}",
        p.num_params,
        if p.is_vararg { "+" } else { "" },
        p.max_stack_size,
        plural(p.upvalues.len(), "upvalue"),
        plural(p.local_vars.len(), "local"),
        plural(p.constants.len(), "constant"),
        plural(p.protos.len(), "function")
    );
    for (pc, &i) in p.code.iter().enumerate() {
        let line = match p.line_info.get(pc) {
            Some(l) => l.to_string(),
            None => "-".to_string(),
        };
        let (name, operands) = match i.opcode() {
            Some(op) => (op.name().to_string(), operands(op, i)),
            None => (format!("?op{}", i.op_byte()), format!("{:#010x}", i.0)),
        };
        let comment = i
            .opcode()
            .map(|op| comment(p, pc, op, i))
            .unwrap_or_default();
        let mut row = format!("\t{}\t[{line}]\t{name:<9}\t{operands}", pc + 1);
        if !comment.is_empty() {
            row.push_str("\t; ");
            row.push_str(&comment);
        }
        out.push_str(&row);
        out.push('\n');
    }
    let _ = writeln!(out, "constants ({}) for {path}:", p.constants.len());
    for (i, k) in p.constants.iter().enumerate() {
        let tag = match k {
            Constant::Nil => "N",
            Constant::Bool(_) => "B",
            Constant::Int(_) => "I",
            Constant::Float(_) => "F",
            Constant::Str(_) => "S",
        };
        let _ = writeln!(out, "\t{i}\t{tag}\t{}", constant(k));
    }
    let _ = writeln!(out, "locals ({}) for {path}:", p.local_vars.len());
    for (i, v) in p.local_vars.iter().enumerate() {
        // luac prints 1-based start and end pcs.
        let _ = writeln!(
            out,
            "\t{i}\t{}\t{}\t{}",
            v.name,
            u64::from(v.start_pc) + 1,
            u64::from(v.end_pc) + 1
        );
    }
    let _ = writeln!(out, "upvalues ({}) for {path}:", p.upvalues.len());
    for (i, u) in p.upvalues.iter().enumerate() {
        let _ = writeln!(
            out,
            "\t{i}\t{}\t{}\t{}\t{:?}",
            u.name.as_deref().unwrap_or("-"),
            u8::from(u.in_stack),
            u.index,
            u.kind
        );
    }
}

/// The raw operand fields, as laid out by the opcode's format.
fn operands(op: OpCode, i: Instr) -> String {
    match op.format() {
        Format::ABC => {
            let mut s = format!("{} {} {}", i.a(), i.b(), i.c());
            if i.k() {
                s.push('k'); // luac style: `2 0 1k`
            }
            s
        }
        Format::ABx => format!("{} {}", i.a(), i.bx()),
        Format::AsBx => format!("{} {}", i.a(), i.sbx()),
        Format::Ax => format!("{}", i.ax()),
        Format::SJ => format!("{}", i.sj()),
    }
}

/// A constant as `luac` prints it: strings quoted and escaped, floats
/// always with a decimal point or exponent.
pub fn constant(k: &Constant) -> String {
    match k {
        Constant::Nil => "nil".to_string(),
        Constant::Bool(b) => b.to_string(),
        Constant::Int(v) => v.to_string(),
        Constant::Float(v) => float(*v),
        Constant::Str(s) => quote(s),
    }
}

/// `%.14g`, plus `.0` when the result looks like an integer (Lua's
/// `lua_Number` formatting).
fn float(v: f64) -> String {
    if v.is_nan() {
        return if v.is_sign_negative() { "-nan" } else { "nan" }.to_string();
    }
    if v.is_infinite() {
        return if v < 0.0 { "-inf" } else { "inf" }.to_string();
    }
    if v == 0.0 {
        return if v.is_sign_negative() { "-0.0" } else { "0.0" }.to_string();
    }
    // Round to 14 significant digits first, then choose the notation from
    // the rounded exponent, as C's %g does.
    let sci = format!("{v:.13e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let s = if !(-4..14).contains(&exp) {
        let m = trim_zeros(mantissa);
        format!("{m}e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs())
    } else {
        let decimals = usize::try_from(13 - exp).unwrap_or(0);
        trim_zeros(&format!("{v:.decimals$}")).to_string()
    };
    if s.contains(['.', 'e', 'n', 'i']) {
        s
    } else {
        format!("{s}.0")
    }
}

fn trim_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

/// A byte string quoted like `luac`'s `PrintString`.
fn quote(s: &[u8]) -> String {
    let mut out = String::from("\"");
    for &b in s {
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            0x07 => out.push_str("\\a"),
            0x08 => out.push_str("\\b"),
            0x0c => out.push_str("\\f"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x0b => out.push_str("\\v"),
            0x20..=0x7e => out.push(char::from(b)),
            _ => {
                let _ = write!(out, "\\{b:03}");
            }
        }
    }
    out.push('"');
    out
}

fn k_str(p: &Proto, idx: u32) -> String {
    p.constants
        .get(idx as usize)
        .map(constant)
        .unwrap_or_else(|| "?".to_string())
}

fn upval_name(p: &Proto, idx: u32) -> String {
    p.upvalues
        .get(idx as usize)
        .and_then(|u| u.name.clone())
        .unwrap_or_else(|| "-".to_string())
}

/// `RK(C)`: a constant when `k`, else nothing worth saying.
fn rk_c(p: &Proto, i: Instr) -> Option<String> {
    i.k().then(|| k_str(p, i.c()))
}

/// A 1-based instruction number for a signed pc (may be out of range in
/// unverified code).
fn target(pc: i64) -> String {
    format!("to {}", pc + 1)
}

fn count(n: u32, what: &str) -> String {
    if n == 0 {
        format!("all {what}")
    } else {
        format!("{} {what}", n - 1)
    }
}

fn comment(p: &Proto, pc: usize, op: OpCode, i: Instr) -> String {
    use OpCode::*;
    let pc = pc as i64;
    let next_ax = || p.code.get(pc as usize + 1).map(|e| e.ax());
    match op {
        LOADI | LOADF => i.sbx().to_string(),
        LOADK => k_str(p, i.bx()),
        LOADKX => next_ax()
            .map(|ax| k_str(p, ax))
            .unwrap_or_else(|| "?".into()),
        LFALSESKIP => target(pc + 2),
        GETUPVAL | SETUPVAL => upval_name(p, i.b()),
        GETTABUP => format!("{} {}", upval_name(p, i.b()), k_str(p, i.c())),
        SETTABUP => {
            let mut s = format!("{} {}", upval_name(p, i.a()), k_str(p, i.b()));
            if let Some(v) = rk_c(p, i) {
                s.push(' ');
                s.push_str(&v);
            }
            s
        }
        GETFIELD => k_str(p, i.c()),
        SETFIELD => {
            let mut s = k_str(p, i.b());
            if let Some(v) = rk_c(p, i) {
                s.push(' ');
                s.push_str(&v);
            }
            s
        }
        SETTABLE | SETI | SELF => rk_c(p, i).unwrap_or_default(),
        NEWTABLE => {
            let extra = if i.k() { next_ax().unwrap_or(0) } else { 0 };
            let array = u64::from(extra) * 256 + u64::from(i.c());
            let hash = if i.b() == 0 {
                0
            } else {
                1u64 << (i.b() - 1).min(63)
            };
            format!("array {array}, hash {hash}")
        }
        ADDI | SHRI | SHLI => i.sc().to_string(),
        ADDK | SUBK | MULK | MODK | POWK | DIVK | IDIVK | BANDK | BORK | BXORK => k_str(p, i.c()),
        EQK => k_str(p, i.b()),
        EQI | LTI | LEI | GTI | GEI => i.sb().to_string(),
        JMP => target(pc + 1 + i64::from(i.sj())),
        CALL => format!("{} {}", count(i.b(), "in"), count(i.c(), "out")),
        TAILCALL => count(i.b(), "in"),
        RETURN => count(i.b(), "out"),
        FORPREP => format!("exit {}", target(pc + 2 + i64::from(i.bx()))),
        TFORPREP => target(pc + 1 + i64::from(i.bx())),
        FORLOOP | TFORLOOP => target(pc + 1 - i64::from(i.bx())),
        SETLIST => {
            let extra = if i.k() { next_ax().unwrap_or(0) } else { 0 };
            format!(
                "from index {}",
                u64::from(extra) * 256 + u64::from(i.c()) + 1
            )
        }
        CLOSURE => match p.protos.get(i.bx() as usize) {
            Some(c) => format!("function <{}:{}>", chunk_id(&c.source), c.line_defined),
            None => "?".to_string(),
        },
        VARARG => count(i.c(), "out"),
        _ => String::new(),
    }
}
