//! Shared helpers for the front-end tests: a listing of a `Proto` tree in
//! the normalized `luac -l -l` format produced by
//! `tests/data/frontend/normalize_luac.py` (jump operands as absolute
//! targets, no `MMBIN*`, swap/shl flags shown as `k`, no comments).

#![allow(dead_code)]

use slotjit::bytecode::{Constant, OpCode, Proto};

/// C's `printf("%.14g")`.
pub fn fmt_g14(v: f64) -> String {
    if v.is_nan() {
        return if v.is_sign_negative() {
            "-nan".into()
        } else {
            "nan".into()
        };
    }
    if v.is_infinite() {
        return if v < 0.0 { "-inf".into() } else { "inf".into() };
    }
    if v == 0.0 {
        return if v.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    let sci = format!("{:.13e}", v);
    let (mant, exp) = sci.split_once('e').unwrap();
    let exp: i32 = exp.parse().unwrap();
    let strip = |s: &str| -> String {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s.to_string()
        }
    };
    if !(-4..14).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{}e{}{:02}", strip(mant), sign, exp.abs())
    } else {
        let prec = (13 - exp).max(0) as usize;
        strip(&format!("{:.*}", prec, v))
    }
}

fn fmt_constant(c: &Constant) -> String {
    match c {
        Constant::Nil => "N\tnil".into(),
        Constant::Bool(b) => format!("B\t{}", b),
        Constant::Int(i) => format!("I\t{}", i),
        Constant::Float(f) => {
            let mut s = fmt_g14(*f);
            if s.chars().all(|c| c == '-' || c.is_ascii_digit()) {
                s.push_str(".0");
            }
            format!("F\t{}", s)
        }
        Constant::Str(bytes) => {
            let mut s = String::from("S\t\"");
            for &c in bytes {
                match c {
                    b'"' => s.push_str("\\\""),
                    b'\\' => s.push_str("\\\\"),
                    0x07 => s.push_str("\\a"),
                    0x08 => s.push_str("\\b"),
                    0x0c => s.push_str("\\f"),
                    b'\n' => s.push_str("\\n"),
                    b'\r' => s.push_str("\\r"),
                    b'\t' => s.push_str("\\t"),
                    0x0b => s.push_str("\\v"),
                    0x20..=0x7e => s.push(c as char),
                    _ => s.push_str(&format!("\\{:03}", c)),
                }
            }
            s.push('"');
            s
        }
    }
}

fn operands(p: &Proto, pc: usize) -> String {
    let i = p.code[pc];
    let op = i.opcode().expect("valid opcode");
    let (a, b, c, k) = (i.a(), i.b(), i.c(), i.k());
    let isk = if k { "k" } else { "" };
    let pc1 = pc as i64 + 1; // 1-based, as luac prints
    use OpCode::*;
    match op {
        MOVE | GETUPVAL | SETUPVAL | UNM | BNOT | NOT | LEN | CONCAT => format!("{a} {b}"),
        LOADI | LOADF => format!("{a} {}", i.sbx()),
        LOADK | CLOSURE => format!("{a} {}", i.bx()),
        LOADKX | LOADFALSE | LFALSESKIP | LOADTRUE | CLOSE | TBC | RETURN1 | VARARGPREP => {
            format!("{a}")
        }
        LOADNIL => format!("{a} {b}"),
        GETTABUP | GETTABLE | GETI | GETFIELD | NEWTABLE | CALL => format!("{a} {b} {c}"),
        SETTABUP | SETTABLE | SETI | SETFIELD | SELF | TAILCALL | RETURN => {
            format!("{a} {b} {c}{isk}")
        }
        ADDI | SHRI | SHLI => format!("{a} {b} {}{isk}", i.sc()),
        ADDK | MULK | BANDK | BORK | BXORK => format!("{a} {b} {c}{isk}"),
        SUBK | MODK | POWK | DIVK | IDIVK => format!("{a} {b} {c}"),
        ADD | SUB | MUL | MOD | POW | DIV | IDIV | BAND | BOR | BXOR | SHL | SHR => {
            format!("{a} {b} {c}")
        }
        EQ | LT | LE | EQK | TESTSET => format!("{a} {b} {}", k as u8),
        EQI | LTI | LEI | GTI | GEI => format!("{a} {} {}", i.sb(), k as u8),
        TEST => format!("{a} {}", k as u8),
        JMP => format!("-> {}", pc1 + 1 + i.sj() as i64),
        FORPREP => format!("{a} -> {}", pc1 + i.bx() as i64 + 2),
        TFORPREP => format!("{a} -> {}", pc1 + 1 + i.bx() as i64),
        FORLOOP | TFORLOOP => format!("{a} -> {}", pc1 + 1 - i.bx() as i64),
        TFORCALL => format!("{a} {c}"),
        SETLIST => format!("{a} {b} {c}"), // luac shows k only via its EXTRAARG
        VARARG => format!("{a} {c}"),
        RETURN0 => String::new(),
        EXTRAARG => format!("{}", i.ax()),
    }
}

fn list_function(p: &Proto, out: &mut String) {
    let plus = if p.is_vararg { "+" } else { "" };
    out.push_str(&format!(
        "function <{},{}> {}{} params, {} slots, {} upvalues, {} locals, {} constants, {} functions\n",
        p.line_defined,
        p.last_line_defined,
        p.num_params,
        plus,
        p.max_stack_size,
        p.upvalues.len(),
        p.local_vars.len(),
        p.constants.len(),
        p.protos.len()
    ));
    assert_eq!(p.code.len(), p.line_info.len(), "line_info length");
    for pc in 0..p.code.len() {
        let name = p.code[pc].opcode().map_or("?", |o| o.name());
        out.push_str(&format!(
            "\t{}\t[{}]\t{}\t{}\n",
            pc + 1,
            p.line_info[pc],
            name,
            operands(p, pc)
        ));
    }
    out.push_str(&format!("constants ({})\n", p.constants.len()));
    for (i, c) in p.constants.iter().enumerate() {
        out.push_str(&format!("\t{}\t{}\n", i, fmt_constant(c)));
    }
    out.push_str(&format!("locals ({})\n", p.local_vars.len()));
    for (i, l) in p.local_vars.iter().enumerate() {
        out.push_str(&format!(
            "\t{}\t{}\t{}\t{}\n",
            i,
            l.name,
            l.start_pc + 1,
            l.end_pc + 1
        ));
    }
    out.push_str(&format!("upvalues ({})\n", p.upvalues.len()));
    for (i, u) in p.upvalues.iter().enumerate() {
        out.push_str(&format!(
            "\t{}\t{}\t{}\t{}\n",
            i,
            u.name.as_deref().unwrap_or("-"),
            u.in_stack as u8,
            u.index
        ));
    }
    for child in &p.protos {
        list_function(child, out);
    }
}

/// Normalized listing of a whole prototype tree.
pub fn listing(p: &Proto) -> String {
    let mut out = String::new();
    list_function(p, &mut out);
    out
}
