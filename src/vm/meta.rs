//! Metamethods and the slow paths of the interpreter: indexing through
//! `__index`/`__newindex`, arithmetic/bitwise fallbacks with `lua5.4`'s
//! error messages, comparisons, equality, `#`, concatenation and the
//! value-to-string conversions the VM needs.

use super::layout::*;
use super::number::*;
use super::table;
use super::value::Value;
use super::{Throw, Tm, Vm};

/// Where an operand came from, for error messages ("(local 'x')").
#[derive(Clone, Copy, Debug)]
pub enum Origin {
    /// A register of the innermost Lua frame.
    Reg(u32),
    /// An upvalue of the running closure.
    Upval(u32),
    /// Somewhere that has no name (constants, intermediate values).
    None,
}

/// The metamethod event of an arithmetic or bitwise instruction (all
/// operand forms: register, constant `K`, immediate `I`), `None` for other
/// instructions. `SHRI` with `k` set was compiled from `x << c`.
pub fn arith_event(i: crate::bytecode::Instr) -> Option<Tm> {
    use crate::bytecode::isa::op;
    Some(match i.op_byte() {
        op::ADD | op::ADDK | op::ADDI => Tm::Add,
        op::SUB | op::SUBK => Tm::Sub,
        op::MUL | op::MULK => Tm::Mul,
        op::MOD | op::MODK => Tm::Mod,
        op::POW | op::POWK => Tm::Pow,
        op::DIV | op::DIVK => Tm::Div,
        op::IDIV | op::IDIVK => Tm::IDiv,
        op::BAND | op::BANDK => Tm::BAnd,
        op::BOR | op::BORK => Tm::BOr,
        op::BXOR | op::BXORK => Tm::BXor,
        op::SHL | op::SHLI => Tm::Shl,
        op::SHRI if i.k() => Tm::Shl,
        op::SHR | op::SHRI => Tm::Shr,
        op::UNM => Tm::Unm,
        op::BNOT => Tm::BNot,
        _ => return None,
    })
}

/// Maximum length of `__index`/`__newindex` chains (Lua's `MAXTAGLOOP`).
const MAX_TAG_LOOP: u32 = 2000;

/// The "address" `tostring` and `%p` show for a built-in function: its
/// native id above the 32-bit guest heap offsets, so that it never equals
/// the address of a heap object.
pub(crate) fn native_address(v: Value) -> u64 {
    (1u64 << 40) | u64::from(v.payload() as u32)
}

impl Vm {
    /// Variable info text for an origin.
    pub(crate) fn origin_info(&self, o: Origin) -> String {
        match o {
            Origin::Reg(r) => self.reg_info(r),
            Origin::Upval(u) => self.upval_info(u),
            Origin::None => String::new(),
        }
    }

    /// Metatable (byte offset) of any value.
    pub fn metatable_of(&self, v: Value) -> Option<u32> {
        let mt = match v.tag() {
            TAG_TABLE => table::metatable(&self.heap, slot_index(v.offset())),
            TAG_STR => self.string_meta,
            TAG_USERDATA => self.heap.mem[slot_index(v.offset())].hi as u32,
            _ => 0,
        };
        (mt != 0).then_some(mt)
    }

    /// Metamethod `tm` of a metatable (nil if absent), using the absence cache
    /// for the first six events.
    #[inline]
    pub(crate) fn get_tm(&mut self, mt: u32, tm: Tm) -> Value {
        let t = slot_index(mt);
        let bit = tm as u8;
        if bit < 6 && table::tm_flags(&self.heap, t) & (1 << bit) != 0 {
            return Value::NIL;
        }
        let name = slot_index(self.tm_names[tm as usize]);
        let v = table::get_str(&self.heap, t, name);
        if v.is_nil() && bit < 6 {
            table::set_tm_absent(&mut self.heap, t, bit);
        }
        v
    }

    /// Metamethod `tm` of a value (nil if none).
    pub(crate) fn get_tm_by_obj(&mut self, v: Value, tm: Tm) -> Value {
        match self.metatable_of(v) {
            Some(mt) => self.get_tm(mt, tm),
            None => Value::NIL,
        }
    }

    // -- indexing ------------------------------------------------------------------

    /// `t[key]` with metamethods (Lua's `luaV_finishget` from the start).
    pub fn index(&mut self, t: Value, key: Value, origin: Origin) -> Result<Value, Throw> {
        let mut t = t;
        let mut first = true;
        for _ in 0..MAX_TAG_LOOP {
            let tm = if t.is_table() {
                let v = table::get(&self.heap, slot_index(t.offset()), key);
                if !v.is_nil() {
                    return Ok(v);
                }
                let mt = table::metatable(&self.heap, slot_index(t.offset()));
                if mt == 0 {
                    return Ok(Value::NIL);
                }
                let tm = self.get_tm(mt, Tm::Index);
                if tm.is_nil() {
                    return Ok(Value::NIL);
                }
                tm
            } else {
                let tm = self.get_tm_by_obj(t, Tm::Index);
                if tm.is_nil() {
                    let info = if first {
                        self.origin_info(origin)
                    } else {
                        String::new()
                    };
                    return Err(self.index_error(t, key, &info));
                }
                tm
            };
            if tm.is_function() {
                return self.call_tm_res(tm, t, key);
            }
            t = tm;
            first = false;
        }
        Err(self.rt_error("'__index' chain too long; possible loop"))
    }

    /// `t[key]` for a table `t` whose raw lookup of the string `key` just
    /// missed: follows `__index` tables with string lookups only (the
    /// method-call and field-through-class path), falling back to
    /// [`Vm::index`] for anything unusual.
    pub fn index_str_miss(&mut self, t: Value, key: Value, origin: Origin) -> Result<Value, Throw> {
        let mut t = t;
        for _ in 0..MAX_TAG_LOOP {
            let mt = table::metatable(&self.heap, slot_index(t.offset()));
            if mt == 0 {
                return Ok(Value::NIL);
            }
            let tm = self.get_tm(mt, Tm::Index);
            if tm.is_nil() {
                return Ok(Value::NIL);
            }
            if !tm.is_table() {
                if tm.is_function() {
                    return self.call_tm_res(tm, t, key);
                }
                return self.index(tm, key, Origin::None);
            }
            let v = table::get_str(
                &self.heap,
                slot_index(tm.offset()),
                slot_index(key.offset()),
            );
            if !v.is_nil() {
                return Ok(v);
            }
            t = tm;
        }
        let _ = origin;
        Err(self.rt_error("'__index' chain too long; possible loop"))
    }

    fn index_error(&mut self, t: Value, _key: Value, info: &str) -> Throw {
        self.type_error(t, "index", info)
    }

    /// `t[key] = val` with metamethods (Lua's `luaV_finishset` from the start).
    pub fn set_index(
        &mut self,
        t: Value,
        key: Value,
        val: Value,
        origin: Origin,
    ) -> Result<(), Throw> {
        let mut t = t;
        let mut first = true;
        for _ in 0..MAX_TAG_LOOP {
            let tm = if t.is_table() {
                let ti = slot_index(t.offset());
                let mt = table::metatable(&self.heap, ti);
                let tm = if mt == 0 {
                    Value::NIL
                } else {
                    self.get_tm(mt, Tm::NewIndex)
                };
                if tm.is_nil() || !table::get(&self.heap, ti, key).is_nil() {
                    return self.raw_set(t, key, val);
                }
                tm
            } else {
                let tm = self.get_tm_by_obj(t, Tm::NewIndex);
                if tm.is_nil() {
                    let info = if first {
                        self.origin_info(origin)
                    } else {
                        String::new()
                    };
                    return Err(self.type_error(t, "index", &info));
                }
                tm
            };
            if tm.is_function() {
                return self.call_tm3(tm, t, key, val);
            }
            t = tm;
            first = false;
        }
        Err(self.rt_error("'__newindex' chain too long; possible loop"))
    }

    // -- arithmetic ------------------------------------------------------------------

    /// String-to-number conversion (`cvt2num`).
    pub fn str_to_number(&self, v: Value) -> Option<Value> {
        if !v.is_string() {
            return None;
        }
        match crate::lua::str2number(self.str_bytes(v))? {
            crate::lua::LuaNumber::Int(i) => Some(Value::int(i)),
            crate::lua::LuaNumber::Float(f) => Some(Value::float(f)),
        }
    }

    /// `tonumber` semantics on any value (numbers and numeric strings).
    pub fn to_number(&self, v: Value) -> Option<Value> {
        if v.is_number() {
            Some(v)
        } else {
            self.str_to_number(v)
        }
    }

    /// `luaV_tointegerns` with floor mode "exact" (strings converted).
    pub fn to_integer_strict(&self, v: Value) -> Option<i64> {
        match v.tag() {
            TAG_INT => Some(v.as_int_unchecked()),
            TAG_FLOAT => float_to_int_exact(v.as_float_unchecked()),
            TAG_STR => self
                .str_to_number(v)
                .and_then(|n| self.to_integer_strict(n)),
            _ => None,
        }
    }

    /// Raw arithmetic on two numbers (`luaO_rawarith`); `Ok(None)` when an
    /// operand lacks what the operation needs (integer representation).
    pub fn arith_numbers(&mut self, op: Tm, a: Value, b: Value) -> Result<Option<Value>, Throw> {
        let both_int = a.tag() == TAG_INT && b.tag() == TAG_INT;
        match op {
            Tm::BAnd | Tm::BOr | Tm::BXor | Tm::Shl | Tm::Shr | Tm::BNot => {
                let (Some(x), Some(y)) = (self.to_int_bitwise(a), self.to_int_bitwise(b)) else {
                    return Ok(None);
                };
                Ok(Some(Value::int(match op {
                    Tm::BAnd => x & y,
                    Tm::BOr => x | y,
                    Tm::BXor => x ^ y,
                    Tm::Shl => shift_left(x, y),
                    Tm::Shr => shift_left(x, y.wrapping_neg()),
                    _ => !x,
                })))
            }
            Tm::Div | Tm::Pow => {
                let (x, y) = (a.as_f64().unwrap_or(0.0), b.as_f64().unwrap_or(0.0));
                Ok(Some(Value::float(if op == Tm::Div {
                    x / y
                } else {
                    pow(x, y)
                })))
            }
            _ if both_int => {
                let (x, y) = (a.as_int_unchecked(), b.as_int_unchecked());
                Ok(Some(Value::int(match op {
                    Tm::Add => x.wrapping_add(y),
                    Tm::Sub => x.wrapping_sub(y),
                    Tm::Mul => x.wrapping_mul(y),
                    Tm::Mod => {
                        if y == 0 {
                            return Err(self.rt_error("attempt to perform 'n%0'"));
                        }
                        int_mod(x, y)
                    }
                    Tm::IDiv => {
                        if y == 0 {
                            return Err(self.rt_error("attempt to divide by zero"));
                        }
                        int_floor_div(x, y)
                    }
                    Tm::Unm => x.wrapping_neg(),
                    _ => return Ok(None),
                })))
            }
            _ => {
                let (x, y) = (a.as_f64().unwrap_or(0.0), b.as_f64().unwrap_or(0.0));
                Ok(Some(Value::float(match op {
                    Tm::Add => x + y,
                    Tm::Sub => x - y,
                    Tm::Mul => x * y,
                    Tm::Mod => float_mod(x, y),
                    Tm::IDiv => float_floor_div(x, y),
                    Tm::Unm => -x,
                    _ => return Ok(None),
                })))
            }
        }
    }

    fn to_int_bitwise(&self, v: Value) -> Option<i64> {
        match v.tag() {
            TAG_INT => Some(v.as_int_unchecked()),
            TAG_FLOAT => float_to_int_exact(v.as_float_unchecked()),
            _ => None,
        }
    }

    /// The arithmetic/bitwise slow path: metamethods, then errors
    /// (`luaT_trybinTM`).
    pub fn arith_slow(
        &mut self,
        op: Tm,
        a: Value,
        b: Value,
        oa: Origin,
        ob: Origin,
    ) -> Result<Value, Throw> {
        if a.is_number()
            && b.is_number()
            && let Some(v) = self.arith_numbers(op, a, b)?
        {
            return Ok(v);
        }
        let mut tm = self.get_tm_by_obj(a, op);
        if tm.is_nil() {
            tm = self.get_tm_by_obj(b, op);
        }
        if !tm.is_nil() {
            return self.call_tm_res(tm, a, b);
        }
        let bitwise = matches!(
            op,
            Tm::BAnd | Tm::BOr | Tm::BXor | Tm::Shl | Tm::Shr | Tm::BNot
        );
        if bitwise {
            if a.is_number() && b.is_number() {
                let bad = if self.to_int_bitwise(a).is_none() {
                    oa
                } else {
                    ob
                };
                let info = self.origin_info(bad);
                return Err(self.rt_error(&format!("number{info} has no integer representation")));
            }
            let (v, o) = if !a.is_number() { (a, oa) } else { (b, ob) };
            let info = self.origin_info(o);
            return Err(self.type_error(v, "perform bitwise operation on", &info));
        }
        let (v, o) = if !a.is_number() { (a, oa) } else { (b, ob) };
        let info = self.origin_info(o);
        Err(self.type_error(v, "perform arithmetic on", &info))
    }

    // -- comparison ------------------------------------------------------------------

    /// `a == b` with `__eq` (Lua's `luaV_equalobj`).
    pub fn equals(&mut self, a: Value, b: Value) -> Result<bool, Throw> {
        if a.tag() != b.tag() {
            return Ok(match (a.tag(), b.tag()) {
                (TAG_INT, TAG_FLOAT) => eq_int_float(a.as_int_unchecked(), b.as_float_unchecked()),
                (TAG_FLOAT, TAG_INT) => eq_int_float(b.as_int_unchecked(), a.as_float_unchecked()),
                _ => false,
            });
        }
        match a.tag() {
            TAG_FLOAT => Ok(a.as_float_unchecked() == b.as_float_unchecked()),
            TAG_STR => Ok(self
                .heap
                .str_eq(slot_index(a.offset()), slot_index(b.offset()))),
            TAG_TABLE | TAG_USERDATA => {
                if a.payload() == b.payload() {
                    return Ok(true);
                }
                let mut tm = self.get_tm_by_obj(a, Tm::Eq);
                if tm.is_nil() {
                    tm = self.get_tm_by_obj(b, Tm::Eq);
                }
                if tm.is_nil() {
                    return Ok(false);
                }
                Ok(!self.call_tm_res(tm, a, b)?.is_falsy())
            }
            _ => Ok(a.payload() == b.payload()),
        }
    }

    /// Raw equality (no metamethods).
    pub fn raw_equals(&self, a: Value, b: Value) -> bool {
        if a.tag() != b.tag() {
            return match (a.tag(), b.tag()) {
                (TAG_INT, TAG_FLOAT) => eq_int_float(a.as_int_unchecked(), b.as_float_unchecked()),
                (TAG_FLOAT, TAG_INT) => eq_int_float(b.as_int_unchecked(), a.as_float_unchecked()),
                _ => false,
            };
        }
        match a.tag() {
            TAG_FLOAT => a.as_float_unchecked() == b.as_float_unchecked(),
            TAG_STR => self
                .heap
                .str_eq(slot_index(a.offset()), slot_index(b.offset())),
            _ => a.payload() == b.payload(),
        }
    }

    /// `a < b` (or `a <= b` when `le`) with metamethods and errors.
    pub fn less(&mut self, a: Value, b: Value, le: bool) -> Result<bool, Throw> {
        if let Some(r) = number_less(a, b, le) {
            return Ok(r);
        }
        if a.is_string() && b.is_string() {
            let ord = self.str_bytes(a).cmp(self.str_bytes(b));
            return Ok(if le { ord.is_le() } else { ord.is_lt() });
        }
        let ev = if le { Tm::Le } else { Tm::Lt };
        let mut tm = self.get_tm_by_obj(a, ev);
        if tm.is_nil() {
            tm = self.get_tm_by_obj(b, ev);
        }
        if !tm.is_nil() {
            return Ok(!self.call_tm_res(tm, a, b)?.is_falsy());
        }
        if le {
            // Negating a result cannot be finished after a yield.
            self.mm_resumable = false;
            // LUA_COMPAT_LT_LE (on in the reference lua5.4 build):
            // `a <= b` falls back to `not (b < a)` through `__lt`.
            let mut tm = self.get_tm_by_obj(b, Tm::Lt);
            if tm.is_nil() {
                tm = self.get_tm_by_obj(a, Tm::Lt);
            }
            if !tm.is_nil() {
                return Ok(self.call_tm_res(tm, b, a)?.is_falsy());
            }
        }
        Err(self.order_error(a, b))
    }

    /// "attempt to compare two X values" / "attempt to compare X with Y".
    pub(crate) fn order_error(&mut self, a: Value, b: Value) -> Throw {
        let t1 = self.type_name_for_error(a);
        let t2 = self.type_name_for_error(b);
        if t1 == t2 {
            self.rt_error(&format!("attempt to compare two {t1} values"))
        } else {
            self.rt_error(&format!("attempt to compare {t1} with {t2}"))
        }
    }

    // -- length ------------------------------------------------------------------------

    /// `#v` with `__len`.
    pub fn length(&mut self, v: Value, origin: Origin) -> Result<Value, Throw> {
        match v.tag() {
            TAG_STR => Ok(Value::int(self.heap.str_len(slot_index(v.offset())) as i64)),
            TAG_TABLE => {
                let mt = table::metatable(&self.heap, slot_index(v.offset()));
                if mt != 0 {
                    let tm = self.get_tm(mt, Tm::Len);
                    if !tm.is_nil() {
                        return self.call_tm_res(tm, v, v);
                    }
                }
                Ok(Value::int(
                    table::length(&self.heap, slot_index(v.offset())) as i64,
                ))
            }
            _ => {
                let tm = self.get_tm_by_obj(v, Tm::Len);
                if tm.is_nil() {
                    let info = self.origin_info(origin);
                    return Err(self.type_error(v, "get length of", &info));
                }
                self.call_tm_res(tm, v, v)
            }
        }
    }

    // -- strings -----------------------------------------------------------------------

    /// Appends the string form of a number or string; false for other values.
    pub fn append_str_or_number(&self, out: &mut Vec<u8>, v: Value) -> bool {
        match v.tag() {
            TAG_STR => out.extend_from_slice(self.str_bytes(v)),
            TAG_INT => write_int(out, v.as_int_unchecked()),
            TAG_FLOAT => write_float(out, v.as_float_unchecked()),
            _ => return false,
        }
        true
    }

    /// Concatenates the `n` values at stack indices `first..first+n` into
    /// `first` (Lua's `luaV_concat`, right to left, with `__concat`).
    ///
    /// As in `luaV_concat`, `__concat` is called with the stack top just past
    /// the operands still to concatenate, so when it yields, the interpreter
    /// can tell from the top how many are left and finish the instruction
    /// after the resume ([`Vm::finish_concat`]).
    pub fn concat(&mut self, first: u32, n: u32) -> Result<(), Throw> {
        let resumable = std::mem::take(&mut self.mm_resumable);
        let mut total = n;
        let mut buf = Vec::new();
        while total > 1 {
            let top = first + total; // one past the last operand
            let a = self.stk(top - 2);
            let b = self.stk(top - 1);
            let a_ok = a.is_string() || a.is_number();
            let b_ok = b.is_string() || b.is_number();
            if !(a_ok && b_ok) {
                let mut tm = self.get_tm_by_obj(a, Tm::Concat);
                if tm.is_nil() {
                    tm = self.get_tm_by_obj(b, Tm::Concat);
                }
                if tm.is_nil() {
                    let (v, idx) = if a_ok { (b, top - 1) } else { (a, top - 2) };
                    let info = self.stack_index_info(idx);
                    return Err(self.type_error(v, "concatenate", &info));
                }
                self.top = top;
                self.mm_resumable = resumable;
                let r = self.call_tm_res(tm, a, b)?;
                self.set_stk(top - 2, r);
                total -= 1;
                continue;
            }
            // Collect as many string/number operands as possible from the right.
            let mut k = 2;
            while k < total {
                let v = self.stk(top - 1 - k);
                if !(v.is_string() || v.is_number()) {
                    break;
                }
                k += 1;
            }
            buf.clear();
            for i in (top - k)..top {
                let v = self.stk(i);
                self.append_str_or_number(&mut buf, v);
            }
            let s = self.new_string(&buf)?;
            self.set_stk(top - k, s);
            total -= k - 1;
        }
        Ok(())
    }

    /// Finishes a `CONCAT` whose `__concat` yielded, once resumed (the
    /// `OP_CONCAT` case of `luaV_finishOp`): `result` is what the metamethod
    /// returned, just below the top; the concatenation goes on (and may
    /// yield again).
    pub(crate) fn finish_concat(&mut self, first: u32, result: Value) -> Result<(), Throw> {
        // The top when `__concat` was called: one past the operands left.
        let top = self.top - 1;
        let total = top - first;
        self.set_stk(top - 2, result);
        self.top = top - 1;
        self.mm_resumable = true;
        let r = self.concat(first, total - 1);
        self.mm_resumable = false;
        r
    }

    /// `tostring` without `__tostring`/`__name` (`luaL_tolstring`'s defaults).
    pub fn to_display_bytes(&self, v: Value, out: &mut Vec<u8>) {
        if self.append_str_or_number(out, v) {
            return;
        }
        use std::io::Write;
        let _ = match v.tag() {
            TAG_NIL => write!(out, "nil"),
            TAG_FALSE => write!(out, "false"),
            TAG_TRUE => write!(out, "true"),
            TAG_TABLE => write!(out, "table: 0x{:08x}", v.offset()),
            TAG_LFUNC | TAG_NCLOSURE => write!(out, "function: 0x{:08x}", v.offset()),
            // lua5.4.4 prints C functions as "function: 0x...", like Lua ones.
            TAG_NFUNC => write!(out, "function: 0x{:x}", native_address(v)),
            TAG_THREAD => write!(out, "thread: 0x{:08x}", v.offset()),
            _ => write!(out, "userdata: 0x{:08x}", v.payload()),
        };
    }

    /// `luaL_tolstring`: `__tostring`, then `__name`, then the default form.
    pub fn tostring(&mut self, v: Value) -> Result<Value, Throw> {
        if v.is_string() {
            return Ok(v);
        }
        if let Some(mt) = self.metatable_of(v) {
            let key = self.new_string(b"__tostring")?;
            let tm = table::get(&self.heap, slot_index(mt), key);
            if !tm.is_nil() {
                let r = self.call_value(tm, &[v], 1)?;
                let r = r.first().copied().unwrap_or(Value::NIL);
                if r.is_number() {
                    // lua_isstring accepts numbers; they are converted.
                    let mut buf = Vec::new();
                    self.append_str_or_number(&mut buf, r);
                    return self.new_string(&buf);
                }
                if !r.is_string() {
                    return Err(self.error_l("'__tostring' must return a string"));
                }
                return Ok(r);
            }
            let key = self.new_string(b"__name")?;
            let name = table::get(&self.heap, slot_index(mt), key);
            if name.is_string() {
                let mut out = self.str_bytes(name).to_vec();
                use std::io::Write;
                let _ = write!(out, ": 0x{:08x}", v.payload() as u32);
                return self.new_string(&out);
            }
        }
        let mut out = Vec::new();
        self.to_display_bytes(v, &mut out);
        self.new_string(&out)
    }
}

/// Float power as C's `pow` (Rust's `powf` agrees on the special cases Lua exercises).
#[inline]
pub fn pow(x: f64, y: f64) -> f64 {
    if y == 2.0 { x * x } else { x.powf(y) }
}

/// Number comparison, `None` when either operand is not a number.
#[inline]
pub fn number_less(a: Value, b: Value, le: bool) -> Option<bool> {
    Some(match (a.tag(), b.tag()) {
        (TAG_INT, TAG_INT) => {
            let (x, y) = (a.as_int_unchecked(), b.as_int_unchecked());
            if le { x <= y } else { x < y }
        }
        (TAG_FLOAT, TAG_FLOAT) => {
            let (x, y) = (a.as_float_unchecked(), b.as_float_unchecked());
            if le { x <= y } else { x < y }
        }
        (TAG_INT, TAG_FLOAT) => {
            let (i, f) = (a.as_int_unchecked(), b.as_float_unchecked());
            if le {
                le_int_float(i, f)
            } else {
                lt_int_float(i, f)
            }
        }
        (TAG_FLOAT, TAG_INT) => {
            let (f, i) = (a.as_float_unchecked(), b.as_int_unchecked());
            if le {
                le_float_int(f, i)
            } else {
                lt_float_int(f, i)
            }
        }
        _ => return None,
    })
}
