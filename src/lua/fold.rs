//! Compile-time constant folding of numeric operations: Lua 5.4's
//! `luaO_rawarith` with `lcode.c`'s `validop` guard (never fold what
//! could raise an error at run time) and its refusal to fold results that
//! are NaN or zero floats (to keep `-0.0` and NaN out of constants).

/// A numeric constant operand.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Num {
    Int(i64),
    Flt(f64),
}

/// Arithmetic and bitwise operators, in Lua's `LUA_OP*` order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ArithOp {
    Add,
    Sub,
    Mul,
    Mod,
    Pow,
    Div,
    IDiv,
    BAnd,
    BOr,
    BXor,
    Shl,
    Shr,
    Unm,
    BNot,
}

impl Num {
    fn to_f64(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Flt(f) => f,
        }
    }

    /// `luaV_tointegerns` with `F2Ieq`: only integral floats convert.
    fn to_int(self) -> Option<i64> {
        match self {
            Num::Int(i) => Some(i),
            Num::Flt(f) => float_to_int(f),
        }
    }
}

// Number semantics are the VM's: one implementation for folding and running.
pub(crate) use crate::vm::number::float_to_int_exact as float_to_int;
use crate::vm::number::{float_mod, int_floor_div, shift_left};

/// Integer `%` (the caller has excluded a zero divisor).
fn int_mod(m: i64, n: i64) -> i64 {
    if n == 0 {
        0
    } else {
        crate::vm::number::int_mod(m, n)
    }
}

/// Integer `//` (the caller has excluded a zero divisor).
fn int_idiv(m: i64, n: i64) -> i64 {
    if n == 0 { 0 } else { int_floor_div(m, n) }
}

fn int_arith(op: ArithOp, a: i64, b: i64) -> i64 {
    match op {
        ArithOp::Add => a.wrapping_add(b),
        ArithOp::Sub => a.wrapping_sub(b),
        ArithOp::Mul => a.wrapping_mul(b),
        ArithOp::Mod => int_mod(a, b),
        ArithOp::IDiv => int_idiv(a, b),
        ArithOp::BAnd => a & b,
        ArithOp::BOr => a | b,
        ArithOp::BXor => a ^ b,
        ArithOp::Shl => shift_left(a, b),
        ArithOp::Shr => shift_left(a, 0i64.wrapping_sub(b)),
        ArithOp::Unm => 0i64.wrapping_sub(a),
        ArithOp::BNot => !a,
        ArithOp::Pow | ArithOp::Div => 0, // float-only operations
    }
}

fn float_arith(op: ArithOp, a: f64, b: f64) -> f64 {
    match op {
        ArithOp::Add => a + b,
        ArithOp::Sub => a - b,
        ArithOp::Mul => a * b,
        ArithOp::Div => a / b,
        ArithOp::Pow => {
            if b == 2.0 {
                a * a
            } else {
                a.powf(b)
            }
        }
        ArithOp::IDiv => (a / b).floor(),
        ArithOp::Unm => -a,
        ArithOp::Mod => float_mod(a, b),
        _ => f64::NAN, // bitwise operations never take this path
    }
}

fn is_bitwise(op: ArithOp) -> bool {
    matches!(
        op,
        ArithOp::BAnd | ArithOp::BOr | ArithOp::BXor | ArithOp::Shl | ArithOp::Shr | ArithOp::BNot
    )
}

/// `validop`: whether folding cannot raise an error.
fn valid_op(op: ArithOp, a: Num, b: Num) -> bool {
    if is_bitwise(op) {
        return a.to_int().is_some() && b.to_int().is_some();
    }
    match op {
        ArithOp::Div | ArithOp::IDiv | ArithOp::Mod => b.to_f64() != 0.0,
        _ => true,
    }
}

/// `constfolding`: the folded value, or `None` when Lua would not fold.
pub(crate) fn fold(op: ArithOp, a: Num, b: Num) -> Option<Num> {
    if !valid_op(op, a, b) {
        return None;
    }
    let res = if is_bitwise(op) {
        Num::Int(int_arith(op, a.to_int()?, b.to_int()?))
    } else if matches!(op, ArithOp::Div | ArithOp::Pow) {
        Num::Flt(float_arith(op, a.to_f64(), b.to_f64()))
    } else if let (Num::Int(x), Num::Int(y)) = (a, b) {
        Num::Int(int_arith(op, x, y))
    } else {
        Num::Flt(float_arith(op, a.to_f64(), b.to_f64()))
    };
    match res {
        Num::Flt(f) if f.is_nan() || f == 0.0 => None,
        r => Some(r),
    }
}
