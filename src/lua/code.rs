//! Code generation, after Lua 5.4.4's `lcode.c`: expression descriptors
//! (`expdesc`), register allocation, jump lists threaded through `JMP`
//! instructions, constants, constant folding, and the emission of every
//! operator. The parser drives these methods; they act on the current
//! function (`Parser::fs`).
//!
//! Deliberate differences from `lcode.c` (the ISA has no `MMBIN*`):
//! - `x - c` uses `SUBK` (Lua: `ADDI x -c` + `MMBINI __sub`);
//! - `x << c` is `SHRI x -c` with `k=1`; swapped commutative immediate/K
//!   forms (`ADDI`, `ADDK`, `MULK`, `BANDK`, `BORK`, `BXORK`) carry `k=1`.

use std::rc::Rc;

use crate::bytecode::isa::{
    MAX_ARG_AX, MAX_ARG_B, MAX_ARG_BX, MAX_ARG_C, MAX_ARG_SJ, OFFSET_SBX, OFFSET_SC, OFFSET_SJ,
};
use crate::bytecode::{Constant, Instr, OpCode};

use super::fold::{ArithOp, Num, float_to_int, fold};
use super::lexer::LResult;
use super::parser::Parser;

/// End of a jump list.
pub(crate) const NO_JUMP: i32 = -1;
/// "No register" for `TESTSET` patching.
const NO_REG: u32 = 255;
/// `LUA_MULTRET`.
pub(crate) const MULTRET: i32 = -1;
/// Largest register count (`MAXREGS`).
const MAX_REGS: u32 = 255;
/// Largest constant index usable as an `RK` operand.
const MAX_INDEX_RK: u32 = MAX_ARG_B;

/// A compile-time constant value (of a `<const>` local).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum ConstVal {
    Nil,
    Bool(bool),
    Int(i64),
    Flt(f64),
    Str(Rc<[u8]>),
}

/// What an expression descriptor denotes (`expkind`).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum ExpKind {
    /// Empty expression list, or no value.
    Void,
    Nil,
    True,
    False,
    /// Constant `K[i]`.
    K(u32),
    KFlt(f64),
    KInt(i64),
    KStr(Rc<[u8]>),
    /// Value in a fixed register.
    NonReloc(u32),
    /// Local variable: register and index among the function's active variables.
    Local {
        ridx: u32,
        vidx: u32,
    },
    /// Upvalue index.
    Upval(u32),
    /// Compile-time constant: absolute index in the parser's variable list.
    Const(usize),
    /// `R[t][R[idx]]`
    Indexed {
        t: u32,
        idx: u32,
    },
    /// `U[t][K[idx]]`
    IndexUp {
        t: u32,
        idx: u32,
    },
    /// `R[t][idx]` (integer key)
    IndexI {
        t: u32,
        idx: u32,
    },
    /// `R[t][K[idx]]` (short string key)
    IndexStr {
        t: u32,
        idx: u32,
    },
    /// A test/comparison: pc of its jump.
    Jmp(i32),
    /// Result can go to any register: pc of the instruction.
    Reloc(i32),
    /// A call: pc of the `CALL`.
    Call(i32),
    /// `...`: pc of the `VARARG`.
    Vararg(i32),
}

impl ExpKind {
    /// `vkisvar`
    pub(crate) fn is_var(&self) -> bool {
        matches!(
            self,
            ExpKind::Local { .. }
                | ExpKind::Upval(_)
                | ExpKind::Const(_)
                | ExpKind::Indexed { .. }
                | ExpKind::IndexUp { .. }
                | ExpKind::IndexI { .. }
                | ExpKind::IndexStr { .. }
        )
    }

    /// `vkisindexed`
    pub(crate) fn is_indexed(&self) -> bool {
        matches!(
            self,
            ExpKind::Indexed { .. }
                | ExpKind::IndexUp { .. }
                | ExpKind::IndexI { .. }
                | ExpKind::IndexStr { .. }
        )
    }

    /// `hasmultret`
    pub(crate) fn has_multret(&self) -> bool {
        matches!(self, ExpKind::Call(_) | ExpKind::Vararg(_))
    }
}

/// An expression descriptor with its true/false exit lists.
#[derive(Clone, Debug)]
pub(crate) struct ExpDesc {
    pub(crate) k: ExpKind,
    pub(crate) t: i32,
    pub(crate) f: i32,
}

impl ExpDesc {
    pub(crate) fn new(k: ExpKind) -> ExpDesc {
        ExpDesc {
            k,
            t: NO_JUMP,
            f: NO_JUMP,
        }
    }

    fn has_jumps(&self) -> bool {
        self.t != self.f
    }

    /// The register or constant index held by a `NonReloc`/`K` expression.
    fn info(&self) -> u32 {
        match self.k {
            ExpKind::NonReloc(r) | ExpKind::K(r) => r,
            _ => 0,
        }
    }
}

/// Binary operators, in Lua's `BinOpr` order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BinOpr {
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
    Concat,
    Eq,
    Lt,
    Le,
    Ne,
    Gt,
    Ge,
    And,
    Or,
}

impl BinOpr {
    /// The arithmetic/bitwise operator, for the operators that fold.
    fn arith(self) -> Option<ArithOp> {
        Some(match self {
            BinOpr::Add => ArithOp::Add,
            BinOpr::Sub => ArithOp::Sub,
            BinOpr::Mul => ArithOp::Mul,
            BinOpr::Mod => ArithOp::Mod,
            BinOpr::Pow => ArithOp::Pow,
            BinOpr::Div => ArithOp::Div,
            BinOpr::IDiv => ArithOp::IDiv,
            BinOpr::BAnd => ArithOp::BAnd,
            BinOpr::BOr => ArithOp::BOr,
            BinOpr::BXor => ArithOp::BXor,
            BinOpr::Shl => ArithOp::Shl,
            BinOpr::Shr => ArithOp::Shr,
            _ => return None,
        })
    }

    /// Register-register opcode.
    fn reg_op(self) -> OpCode {
        match self {
            BinOpr::Add => OpCode::ADD,
            BinOpr::Sub => OpCode::SUB,
            BinOpr::Mul => OpCode::MUL,
            BinOpr::Mod => OpCode::MOD,
            BinOpr::Pow => OpCode::POW,
            BinOpr::Div => OpCode::DIV,
            BinOpr::IDiv => OpCode::IDIV,
            BinOpr::BAnd => OpCode::BAND,
            BinOpr::BOr => OpCode::BOR,
            BinOpr::BXor => OpCode::BXOR,
            BinOpr::Shl => OpCode::SHL,
            _ => OpCode::SHR,
        }
    }

    /// Register-constant opcode.
    fn k_op(self) -> OpCode {
        match self {
            BinOpr::Add => OpCode::ADDK,
            BinOpr::Sub => OpCode::SUBK,
            BinOpr::Mul => OpCode::MULK,
            BinOpr::Mod => OpCode::MODK,
            BinOpr::Pow => OpCode::POWK,
            BinOpr::Div => OpCode::DIVK,
            BinOpr::IDiv => OpCode::IDIVK,
            BinOpr::BAnd => OpCode::BANDK,
            BinOpr::BOr => OpCode::BORK,
            _ => OpCode::BXORK,
        }
    }
}

/// Unary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum UnOpr {
    Minus,
    BNot,
    Not,
    Len,
}

/// Key of the constant cache. Like Lua's scanner table, integral floats
/// collapse onto integer keys (hence `number_k`'s perturbed keys).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum KKey {
    Nil,
    Bool(bool),
    Int(i64),
    Flt(u64),
    Str(Rc<[u8]>),
}

impl KKey {
    fn from_float(f: f64) -> KKey {
        match float_to_int(f) {
            Some(i) => KKey::Int(i),
            None => KKey::Flt(f.to_bits()),
        }
    }
}

/// `luaV_rawequalobj` restricted to values of the same type tag.
fn same_constant(a: &Constant, b: &Constant) -> bool {
    match (a, b) {
        (Constant::Nil, Constant::Nil) => true,
        (Constant::Bool(x), Constant::Bool(y)) => x == y,
        (Constant::Int(x), Constant::Int(y)) => x == y,
        (Constant::Float(x), Constant::Float(y)) => x == y,
        (Constant::Str(x), Constant::Str(y)) => x == y,
        _ => false,
    }
}

/// `fitsC`: fits the signed 8-bit `sC`/`sB` operand.
fn fits_c(i: i64) -> bool {
    (-i64::from(OFFSET_SC)..=i64::from(MAX_ARG_C as i32 - OFFSET_SC)).contains(&i)
}

/// `fitsBx`: fits the signed `sBx` operand.
fn fits_bx(i: i64) -> bool {
    (-i64::from(OFFSET_SBX)..=i64::from(MAX_ARG_BX as i32 - OFFSET_SBX)).contains(&i)
}

fn int2sc(i: i64) -> u32 {
    (i + i64::from(OFFSET_SC)) as u32
}

/// Replaces the opcode of an instruction.
pub(crate) fn with_op(i: Instr, op: OpCode) -> Instr {
    Instr((i.0 & !0x7f) | op as u32)
}

/// `luaO_ceillog2`
fn ceil_log2(x: u32) -> u32 {
    32 - x.saturating_sub(1).leading_zeros()
}

fn tonumeral(e: &ExpDesc) -> Option<Num> {
    if e.has_jumps() {
        return None;
    }
    match e.k {
        ExpKind::KInt(i) => Some(Num::Int(i)),
        ExpKind::KFlt(f) => Some(Num::Flt(f)),
        _ => None,
    }
}

fn const2exp(v: &ConstVal) -> ExpKind {
    match v {
        ConstVal::Int(i) => ExpKind::KInt(*i),
        ConstVal::Flt(f) => ExpKind::KFlt(*f),
        ConstVal::Bool(false) => ExpKind::False,
        ConstVal::Bool(true) => ExpKind::True,
        ConstVal::Nil => ExpKind::Nil,
        ConstVal::Str(s) => ExpKind::KStr(s.clone()),
    }
}

/// `isKint`
fn is_kint(e: &ExpDesc) -> Option<i64> {
    match e.k {
        ExpKind::KInt(i) if !e.has_jumps() => Some(i),
        _ => None,
    }
}

/// `isCint`: integer constant that fits the unsigned `C` operand.
fn is_cint(e: &ExpDesc) -> Option<u32> {
    is_kint(e)
        .filter(|&i| (i as u64) <= u64::from(MAX_ARG_C))
        .map(|i| i as u32)
}

/// `isSCint`
fn is_scint(e: &ExpDesc) -> bool {
    is_kint(e).is_some_and(fits_c)
}

/// `isSCnumber`: a numeral that fits an immediate operand. Like Lua,
/// `is_float` is set for any integral float, even one that does not fit.
fn is_scnumber(e: &ExpDesc, is_float: &mut bool) -> Option<u32> {
    let i = match e.k {
        ExpKind::KInt(i) => i,
        ExpKind::KFlt(f) => {
            let i = float_to_int(f)?;
            *is_float = true;
            i
        }
        _ => return None,
    };
    (!e.has_jumps() && fits_c(i)).then(|| int2sc(i))
}

impl Parser<'_> {
    // ----- instruction emission -------------------------------------------------

    /// Current pc (number of instructions emitted).
    pub(crate) fn pc(&self) -> i32 {
        self.fs.f.code.len() as i32
    }

    fn instr(&self, pc: i32) -> Instr {
        usize::try_from(pc)
            .ok()
            .and_then(|p| self.fs.f.code.get(p))
            .copied()
            .unwrap_or(Instr(u32::MAX))
    }

    pub(crate) fn set_instr(&mut self, pc: i32, i: Instr) {
        if let Some(slot) = usize::try_from(pc)
            .ok()
            .and_then(|p| self.fs.f.code.get_mut(p))
        {
            *slot = i;
        }
    }

    /// Updates the instruction at `pc` in place.
    pub(crate) fn patch_instr(&mut self, pc: i32, f: impl FnOnce(Instr) -> Instr) {
        let i = self.instr(pc);
        self.set_instr(pc, f(i));
    }

    /// `luaK_code`: emits with the line of the last consumed token.
    pub(crate) fn code(&mut self, i: Instr) -> i32 {
        self.fs.f.code.push(i);
        self.fs.f.line_info.push(self.lx.lastline);
        self.pc() - 1
    }

    pub(crate) fn code_abck(&mut self, op: OpCode, a: u32, b: u32, c: u32, k: bool) -> i32 {
        self.code(Instr::abc(op, a, b, c, k))
    }

    pub(crate) fn code_abc(&mut self, op: OpCode, a: u32, b: u32, c: u32) -> i32 {
        self.code_abck(op, a, b, c, false)
    }

    pub(crate) fn code_abx(&mut self, op: OpCode, a: u32, bx: u32) -> i32 {
        self.code(Instr::abx(op, a, bx))
    }

    fn code_extraarg(&mut self, a: u32) -> i32 {
        self.code(Instr::ax_form(OpCode::EXTRAARG, a.min(MAX_ARG_AX)))
    }

    /// `luaK_codek`: `LOADK`, or `LOADKX` + `EXTRAARG` for large indices.
    fn codek(&mut self, reg: u32, k: u32) -> i32 {
        if k <= MAX_ARG_BX {
            self.code_abx(OpCode::LOADK, reg, k)
        } else {
            let p = self.code_abx(OpCode::LOADKX, reg, 0);
            self.code_extraarg(k);
            p
        }
    }

    /// `luaK_fixline`: the last instruction belongs to `line`.
    pub(crate) fn fixline(&mut self, line: u32) {
        if let Some(l) = self.fs.f.line_info.last_mut() {
            *l = line;
        }
    }

    fn remove_last_instruction(&mut self) {
        self.fs.f.code.pop();
        self.fs.f.line_info.pop();
    }

    /// `previousinstruction`: `None` when a jump may target the current pc.
    fn previous_instruction(&self) -> Option<Instr> {
        if self.pc() > self.fs.lasttarget {
            self.fs.f.code.last().copied()
        } else {
            None
        }
    }

    /// `luaK_nil`: merges with a previous adjacent `LOADNIL`.
    pub(crate) fn code_nil(&mut self, from: u32, n: u32) {
        let mut from = from;
        let mut l = from + n - 1;
        if let Some(prev) = self.previous_instruction()
            && prev.opcode() == Some(OpCode::LOADNIL)
        {
            let pfrom = prev.a();
            let pl = pfrom + prev.b();
            if (pfrom <= from && from <= pl + 1) || (from <= pfrom && pfrom <= l + 1) {
                from = from.min(pfrom);
                l = l.max(pl);
                let pc = self.pc() - 1;
                self.patch_instr(pc, |i| i.with_a(from).with_b(l - from));
                return;
            }
        }
        self.code_abc(OpCode::LOADNIL, from, n - 1, 0);
    }

    /// `luaK_int`
    pub(crate) fn code_int(&mut self, reg: u32, i: i64) {
        if fits_bx(i) {
            self.code(Instr::asbx(OpCode::LOADI, reg, i as i32));
        } else {
            let k = self.int_k(i);
            self.codek(reg, k);
        }
    }

    /// `luaK_float`
    fn code_float(&mut self, reg: u32, f: f64) {
        match float_to_int(f) {
            Some(fi) if fits_bx(fi) => {
                self.code(Instr::asbx(OpCode::LOADF, reg, fi as i32));
            }
            _ => {
                let k = self.number_k(f);
                self.codek(reg, k);
            }
        }
    }

    /// `luaK_ret`
    pub(crate) fn ret(&mut self, first: u32, nret: i32) {
        let op = match nret {
            0 => OpCode::RETURN0,
            1 => OpCode::RETURN1,
            _ => OpCode::RETURN,
        };
        self.code_abc(op, first, (nret + 1) as u32, 0);
    }

    // ----- registers --------------------------------------------------------------

    /// `luaK_checkstack`
    pub(crate) fn checkstack(&mut self, n: u32) -> LResult<()> {
        let newstack = self.fs.freereg + n;
        if newstack > u32::from(self.fs.f.max_stack_size) {
            if newstack >= MAX_REGS {
                return Err(self
                    .lx
                    .syntax_error("function or expression needs too many registers"));
            }
            self.fs.f.max_stack_size = newstack as u8;
        }
        Ok(())
    }

    /// `luaK_reserveregs`
    pub(crate) fn reserveregs(&mut self, n: u32) -> LResult<()> {
        self.checkstack(n)?;
        self.fs.freereg += n;
        Ok(())
    }

    fn freereg(&mut self, reg: u32) {
        if reg >= self.nvarstack() {
            self.fs.freereg = self.fs.freereg.saturating_sub(1);
        }
    }

    fn freeregs(&mut self, r1: u32, r2: u32) {
        if r1 > r2 {
            self.freereg(r1);
            self.freereg(r2);
        } else {
            self.freereg(r2);
            self.freereg(r1);
        }
    }

    pub(crate) fn freeexp(&mut self, e: &ExpDesc) {
        if let ExpKind::NonReloc(r) = e.k {
            self.freereg(r);
        }
    }

    fn freeexps(&mut self, e1: &ExpDesc, e2: &ExpDesc) {
        match (&e1.k, &e2.k) {
            (ExpKind::NonReloc(r1), ExpKind::NonReloc(r2)) => self.freeregs(*r1, *r2),
            (ExpKind::NonReloc(r1), _) => self.freereg(*r1),
            (_, ExpKind::NonReloc(r2)) => self.freereg(*r2),
            _ => {}
        }
    }

    // ----- constants ----------------------------------------------------------------

    /// `addk`: reuses a cached index only when it still holds an equal
    /// value of the same type in this function (the cache is shared by all
    /// functions of the chunk, as Lua's scanner table is).
    fn addk(&mut self, key: KKey, v: Constant) -> u32 {
        if let Some(&k) = self.kcache.get(&key)
            && self
                .fs
                .f
                .constants
                .get(k)
                .is_some_and(|c| same_constant(c, &v))
        {
            return k as u32;
        }
        let k = self.fs.f.constants.len();
        self.kcache.insert(key, k);
        self.fs.f.constants.push(v);
        k as u32
    }

    pub(crate) fn string_k(&mut self, s: &Rc<[u8]>) -> u32 {
        self.addk(KKey::Str(s.clone()), Constant::Str(s.to_vec()))
    }

    fn int_k(&mut self, i: i64) -> u32 {
        self.addk(KKey::Int(i), Constant::Int(i))
    }

    /// `luaK_numberK`: integral floats get a perturbed key so that they do
    /// not collide with the equal integer.
    fn number_k(&mut self, r: f64) -> u32 {
        match float_to_int(r) {
            None => self.addk(KKey::from_float(r), Constant::Float(r)),
            Some(ik) => {
                let q = 2f64.powi(-52);
                let k = if ik == 0 { q } else { r + r * q };
                self.addk(KKey::from_float(k), Constant::Float(r))
            }
        }
    }

    fn bool_k(&mut self, b: bool) -> u32 {
        self.addk(KKey::Bool(b), Constant::Bool(b))
    }

    fn nil_k(&mut self) -> u32 {
        self.addk(KKey::Nil, Constant::Nil)
    }

    /// `luaK_exp2const`
    pub(crate) fn exp2const(&self, e: &ExpDesc) -> Option<ConstVal> {
        if e.has_jumps() {
            return None;
        }
        match &e.k {
            ExpKind::False => Some(ConstVal::Bool(false)),
            ExpKind::True => Some(ConstVal::Bool(true)),
            ExpKind::Nil => Some(ConstVal::Nil),
            ExpKind::KStr(s) => Some(ConstVal::Str(s.clone())),
            ExpKind::Const(i) => self.actvar.get(*i).and_then(|v| v.k.clone()),
            ExpKind::KInt(i) => Some(ConstVal::Int(*i)),
            ExpKind::KFlt(f) => Some(ConstVal::Flt(*f)),
            _ => None,
        }
    }

    // ----- jumps ----------------------------------------------------------------

    /// `luaK_jump`
    pub(crate) fn jump(&mut self) -> i32 {
        self.code(Instr::sj_form(OpCode::JMP, NO_JUMP))
    }

    /// `luaK_getlabel`: marks the current pc as a jump target.
    pub(crate) fn getlabel(&mut self) -> i32 {
        self.fs.lasttarget = self.pc();
        self.pc()
    }

    fn condjump(&mut self, op: OpCode, a: u32, b: u32, c: u32, k: bool) -> i32 {
        self.code_abck(op, a, b, c, k);
        self.jump()
    }

    fn getjump(&self, pc: i32) -> i32 {
        let offset = self.instr(pc).sj();
        if offset == NO_JUMP {
            NO_JUMP
        } else {
            pc + 1 + offset
        }
    }

    fn fixjump(&mut self, pc: i32, dest: i32) -> LResult<()> {
        let offset = dest - (pc + 1);
        if !(-OFFSET_SJ..=MAX_ARG_SJ as i32 - OFFSET_SJ).contains(&offset) {
            return Err(self.lx.syntax_error("control structure too long"));
        }
        self.patch_instr(pc, |i| i.with_sj(offset));
        Ok(())
    }

    /// `luaK_concat`: appends list `l2` to list `l1`.
    pub(crate) fn concat(&mut self, l1: &mut i32, l2: i32) -> LResult<()> {
        if l2 == NO_JUMP {
            return Ok(());
        }
        if *l1 == NO_JUMP {
            *l1 = l2;
            return Ok(());
        }
        let mut list = *l1;
        // Jump lists are acyclic, so this ends; the bound guards anyway.
        for _ in 0..=self.fs.f.code.len() {
            let next = self.getjump(list);
            if next == NO_JUMP {
                break;
            }
            list = next;
        }
        self.fixjump(list, l2)
    }

    /// `getjumpcontrol`: the test before a conditional jump, or the jump.
    fn getjumpcontrol(&self, pc: i32) -> i32 {
        if pc >= 1
            && self
                .instr(pc - 1)
                .opcode()
                .is_some_and(|op| op.flags().is_test())
        {
            pc - 1
        } else {
            pc
        }
    }

    fn patchtestreg(&mut self, node: i32, reg: u32) -> bool {
        let ctl = self.getjumpcontrol(node);
        let i = self.instr(ctl);
        if i.opcode() != Some(OpCode::TESTSET) {
            return false;
        }
        let new = if reg != NO_REG && reg != i.b() {
            i.with_a(reg)
        } else {
            Instr::abc(OpCode::TEST, i.b(), 0, 0, i.k())
        };
        self.set_instr(ctl, new);
        true
    }

    fn removevalues(&mut self, mut list: i32) {
        let mut guard = self.fs.f.code.len() + 1;
        while list != NO_JUMP && guard > 0 {
            self.patchtestreg(list, NO_REG);
            list = self.getjump(list);
            guard -= 1;
        }
    }

    fn patchlistaux(&mut self, mut list: i32, vtarget: i32, reg: u32, dtarget: i32) -> LResult<()> {
        let mut guard = self.fs.f.code.len() + 1;
        while list != NO_JUMP && guard > 0 {
            let next = self.getjump(list);
            if self.patchtestreg(list, reg) {
                self.fixjump(list, vtarget)?;
            } else {
                self.fixjump(list, dtarget)?;
            }
            list = next;
            guard -= 1;
        }
        Ok(())
    }

    /// `luaK_patchlist`
    pub(crate) fn patchlist(&mut self, list: i32, target: i32) -> LResult<()> {
        self.patchlistaux(list, target, NO_REG, target)
    }

    /// `luaK_patchtohere`
    pub(crate) fn patchtohere(&mut self, list: i32) -> LResult<()> {
        let hr = self.getlabel();
        self.patchlist(list, hr)
    }

    /// `luaK_jumpto`
    pub(crate) fn jumpto(&mut self, target: i32) -> LResult<()> {
        let j = self.jump();
        self.patchlist(j, target)
    }

    fn need_value(&self, mut list: i32) -> bool {
        let mut guard = self.fs.f.code.len() + 1;
        while list != NO_JUMP && guard > 0 {
            if self.instr(self.getjumpcontrol(list)).opcode() != Some(OpCode::TESTSET) {
                return true;
            }
            list = self.getjump(list);
            guard -= 1;
        }
        false
    }

    // ----- discharging expressions ------------------------------------------------

    /// `luaK_setreturns`
    pub(crate) fn setreturns(&mut self, e: &ExpDesc, nresults: i32) -> LResult<()> {
        match e.k {
            ExpKind::Call(pc) => {
                self.patch_instr(pc, |i| i.with_c((nresults + 1) as u32));
            }
            ExpKind::Vararg(pc) => {
                let fr = self.fs.freereg;
                self.patch_instr(pc, |i| i.with_c((nresults + 1) as u32).with_a(fr));
                self.reserveregs(1)?;
            }
            _ => {}
        }
        Ok(())
    }

    /// `luaK_setmultret`
    pub(crate) fn setmultret(&mut self, e: &ExpDesc) -> LResult<()> {
        self.setreturns(e, MULTRET)
    }

    /// `luaK_setoneret`
    pub(crate) fn setoneret(&mut self, e: &mut ExpDesc) {
        match e.k {
            ExpKind::Call(pc) => e.k = ExpKind::NonReloc(self.instr(pc).a()),
            ExpKind::Vararg(pc) => {
                self.patch_instr(pc, |i| i.with_c(2));
                e.k = ExpKind::Reloc(pc);
            }
            _ => {}
        }
    }

    /// `luaK_dischargevars`: makes `e` not a variable.
    pub(crate) fn dischargevars(&mut self, e: &mut ExpDesc) {
        match e.k.clone() {
            ExpKind::Const(i) => {
                if let Some(v) = self.actvar.get(i).and_then(|v| v.k.clone()) {
                    e.k = const2exp(&v);
                }
            }
            ExpKind::Local { ridx, .. } => e.k = ExpKind::NonReloc(ridx),
            ExpKind::Upval(u) => e.k = ExpKind::Reloc(self.code_abc(OpCode::GETUPVAL, 0, u, 0)),
            ExpKind::IndexUp { t, idx } => {
                e.k = ExpKind::Reloc(self.code_abc(OpCode::GETTABUP, 0, t, idx));
            }
            ExpKind::IndexI { t, idx } => {
                self.freereg(t);
                e.k = ExpKind::Reloc(self.code_abc(OpCode::GETI, 0, t, idx));
            }
            ExpKind::IndexStr { t, idx } => {
                self.freereg(t);
                e.k = ExpKind::Reloc(self.code_abc(OpCode::GETFIELD, 0, t, idx));
            }
            ExpKind::Indexed { t, idx } => {
                self.freeregs(t, idx);
                e.k = ExpKind::Reloc(self.code_abc(OpCode::GETTABLE, 0, t, idx));
            }
            ExpKind::Vararg(_) | ExpKind::Call(_) => self.setoneret(e),
            _ => {}
        }
    }

    fn discharge2reg(&mut self, e: &mut ExpDesc, reg: u32) {
        self.dischargevars(e);
        match e.k.clone() {
            ExpKind::Nil => self.code_nil(reg, 1),
            ExpKind::False => {
                self.code_abc(OpCode::LOADFALSE, reg, 0, 0);
            }
            ExpKind::True => {
                self.code_abc(OpCode::LOADTRUE, reg, 0, 0);
            }
            ExpKind::KStr(s) => {
                let k = self.string_k(&s);
                self.codek(reg, k);
            }
            ExpKind::K(k) => {
                self.codek(reg, k);
            }
            ExpKind::KFlt(f) => self.code_float(reg, f),
            ExpKind::KInt(i) => self.code_int(reg, i),
            ExpKind::Reloc(pc) => self.patch_instr(pc, |i| i.with_a(reg)),
            ExpKind::NonReloc(r) => {
                if r != reg {
                    self.code_abc(OpCode::MOVE, reg, r, 0);
                }
            }
            _ => return, // VJMP: nothing to do
        }
        e.k = ExpKind::NonReloc(reg);
    }

    fn discharge2anyreg(&mut self, e: &mut ExpDesc) -> LResult<()> {
        if !matches!(e.k, ExpKind::NonReloc(_)) {
            self.reserveregs(1)?;
            let r = self.fs.freereg - 1;
            self.discharge2reg(e, r);
        }
        Ok(())
    }

    fn code_loadbool(&mut self, a: u32, op: OpCode) -> i32 {
        self.getlabel();
        self.code_abc(op, a, 0, 0)
    }

    /// `exp2reg`: final value (including jump-list values) into `reg`.
    fn exp2reg(&mut self, e: &mut ExpDesc, reg: u32) -> LResult<()> {
        self.discharge2reg(e, reg);
        if let ExpKind::Jmp(pc) = e.k {
            let mut t = e.t;
            self.concat(&mut t, pc)?;
            e.t = t;
        }
        if e.has_jumps() {
            let mut p_f = NO_JUMP;
            let mut p_t = NO_JUMP;
            if self.need_value(e.t) || self.need_value(e.f) {
                let fj = if matches!(e.k, ExpKind::Jmp(_)) {
                    NO_JUMP
                } else {
                    self.jump()
                };
                p_f = self.code_loadbool(reg, OpCode::LFALSESKIP);
                p_t = self.code_loadbool(reg, OpCode::LOADTRUE);
                self.patchtohere(fj)?;
            }
            let final_pc = self.getlabel();
            self.patchlistaux(e.f, final_pc, reg, p_f)?;
            self.patchlistaux(e.t, final_pc, reg, p_t)?;
        }
        e.f = NO_JUMP;
        e.t = NO_JUMP;
        e.k = ExpKind::NonReloc(reg);
        Ok(())
    }

    /// `luaK_exp2nextreg`
    pub(crate) fn exp2nextreg(&mut self, e: &mut ExpDesc) -> LResult<()> {
        self.dischargevars(e);
        self.freeexp(e);
        self.reserveregs(1)?;
        let r = self.fs.freereg - 1;
        self.exp2reg(e, r)
    }

    /// `luaK_exp2anyreg`: returns the register holding the value.
    pub(crate) fn exp2anyreg(&mut self, e: &mut ExpDesc) -> LResult<u32> {
        self.dischargevars(e);
        if let ExpKind::NonReloc(r) = e.k {
            if !e.has_jumps() {
                return Ok(r);
            }
            if r >= self.nvarstack() {
                self.exp2reg(e, r)?;
                return Ok(r);
            }
        }
        self.exp2nextreg(e)?;
        Ok(e.info())
    }

    /// `luaK_exp2anyregup`
    pub(crate) fn exp2anyregup(&mut self, e: &mut ExpDesc) -> LResult<()> {
        if !matches!(e.k, ExpKind::Upval(_)) || e.has_jumps() {
            self.exp2anyreg(e)?;
        }
        Ok(())
    }

    /// `luaK_exp2val`
    pub(crate) fn exp2val(&mut self, e: &mut ExpDesc) -> LResult<()> {
        if e.has_jumps() {
            self.exp2anyreg(e)?;
        } else {
            self.dischargevars(e);
        }
        Ok(())
    }

    /// `luaK_exp2K`: makes `e` a `K` expression with an RK-sized index.
    fn exp2k(&mut self, e: &mut ExpDesc) -> bool {
        if e.has_jumps() {
            return false;
        }
        let info = match e.k.clone() {
            ExpKind::True => self.bool_k(true),
            ExpKind::False => self.bool_k(false),
            ExpKind::Nil => self.nil_k(),
            ExpKind::KInt(i) => self.int_k(i),
            ExpKind::KFlt(f) => self.number_k(f),
            ExpKind::KStr(s) => self.string_k(&s),
            ExpKind::K(k) => k,
            _ => return false,
        };
        if info <= MAX_INDEX_RK {
            e.k = ExpKind::K(info);
            true
        } else {
            false
        }
    }

    /// `luaK_exp2RK`: true when `e` ends up a constant.
    fn exp2rk(&mut self, e: &mut ExpDesc) -> LResult<bool> {
        if self.exp2k(e) {
            Ok(true)
        } else {
            self.exp2anyreg(e)?;
            Ok(false)
        }
    }

    fn codeabrk(&mut self, op: OpCode, a: u32, b: u32, ec: &mut ExpDesc) -> LResult<()> {
        let k = self.exp2rk(ec)?;
        self.code_abck(op, a, b, ec.info(), k);
        Ok(())
    }

    /// `luaK_storevar`
    pub(crate) fn storevar(&mut self, var: &ExpDesc, ex: &mut ExpDesc) -> LResult<()> {
        match var.k {
            ExpKind::Local { ridx, .. } => {
                self.freeexp(ex);
                return self.exp2reg(ex, ridx);
            }
            ExpKind::Upval(u) => {
                let e = self.exp2anyreg(ex)?;
                self.code_abc(OpCode::SETUPVAL, e, u, 0);
            }
            ExpKind::IndexUp { t, idx } => self.codeabrk(OpCode::SETTABUP, t, idx, ex)?,
            ExpKind::IndexI { t, idx } => self.codeabrk(OpCode::SETI, t, idx, ex)?,
            ExpKind::IndexStr { t, idx } => self.codeabrk(OpCode::SETFIELD, t, idx, ex)?,
            ExpKind::Indexed { t, idx } => self.codeabrk(OpCode::SETTABLE, t, idx, ex)?,
            _ => {}
        }
        self.freeexp(ex);
        Ok(())
    }

    /// `luaK_self`: `e:key(` -> `SELF`.
    pub(crate) fn code_self(&mut self, e: &mut ExpDesc, key: &mut ExpDesc) -> LResult<()> {
        self.exp2anyreg(e)?;
        let ereg = e.info();
        self.freeexp(e);
        let base = self.fs.freereg;
        e.k = ExpKind::NonReloc(base);
        self.reserveregs(2)?;
        self.codeabrk(OpCode::SELF, base, ereg, key)?;
        self.freeexp(key);
        Ok(())
    }

    // ----- conditionals -----------------------------------------------------------

    fn negatecondition(&mut self, pc: i32) {
        let ctl = self.getjumpcontrol(pc);
        self.patch_instr(ctl, |i| i.with_k(!i.k()));
    }

    fn jumponcond(&mut self, e: &mut ExpDesc, cond: bool) -> LResult<i32> {
        if let ExpKind::Reloc(pc) = e.k {
            let ie = self.instr(pc);
            if ie.opcode() == Some(OpCode::NOT) {
                self.remove_last_instruction();
                return Ok(self.condjump(OpCode::TEST, ie.b(), 0, 0, !cond));
            }
        }
        self.discharge2anyreg(e)?;
        self.freeexp(e);
        Ok(self.condjump(OpCode::TESTSET, NO_REG, e.info(), 0, cond))
    }

    /// `luaK_goiftrue`: falls through when true, jumps when false.
    pub(crate) fn goiftrue(&mut self, e: &mut ExpDesc) -> LResult<()> {
        self.dischargevars(e);
        let pc = match e.k {
            ExpKind::Jmp(pc) => {
                self.negatecondition(pc);
                pc
            }
            ExpKind::K(_)
            | ExpKind::KFlt(_)
            | ExpKind::KInt(_)
            | ExpKind::KStr(_)
            | ExpKind::True => NO_JUMP,
            _ => self.jumponcond(e, false)?,
        };
        let mut f = e.f;
        self.concat(&mut f, pc)?;
        e.f = f;
        self.patchtohere(e.t)?;
        e.t = NO_JUMP;
        Ok(())
    }

    /// `luaK_goiffalse`: falls through when false, jumps when true.
    pub(crate) fn goiffalse(&mut self, e: &mut ExpDesc) -> LResult<()> {
        self.dischargevars(e);
        let pc = match e.k {
            ExpKind::Jmp(pc) => pc,
            ExpKind::Nil | ExpKind::False => NO_JUMP,
            _ => self.jumponcond(e, true)?,
        };
        let mut t = e.t;
        self.concat(&mut t, pc)?;
        e.t = t;
        self.patchtohere(e.f)?;
        e.f = NO_JUMP;
        Ok(())
    }

    fn codenot(&mut self, e: &mut ExpDesc) -> LResult<()> {
        match e.k {
            ExpKind::Nil | ExpKind::False => e.k = ExpKind::True,
            ExpKind::K(_)
            | ExpKind::KFlt(_)
            | ExpKind::KInt(_)
            | ExpKind::KStr(_)
            | ExpKind::True => {
                e.k = ExpKind::False;
            }
            ExpKind::Jmp(pc) => self.negatecondition(pc),
            ExpKind::Reloc(_) | ExpKind::NonReloc(_) => {
                self.discharge2anyreg(e)?;
                self.freeexp(e);
                let r = e.info();
                e.k = ExpKind::Reloc(self.code_abc(OpCode::NOT, 0, r, 0));
            }
            _ => {}
        }
        std::mem::swap(&mut e.f, &mut e.t);
        self.removevalues(e.f);
        self.removevalues(e.t);
        Ok(())
    }

    // ----- indexing ---------------------------------------------------------------

    /// `isKstr`: a short-string constant usable as a `K[B]`/`K[C]` key.
    fn is_kstr(&self, e: &ExpDesc) -> bool {
        match e.k {
            ExpKind::K(k) if !e.has_jumps() && k <= MAX_ARG_B => self
                .fs
                .f
                .constants
                .get(k as usize)
                .is_some_and(Constant::is_short_string),
            _ => false,
        }
    }

    /// `luaK_indexed`: turns `t` into `t[k]`.
    pub(crate) fn indexed(&mut self, t: &mut ExpDesc, k: &mut ExpDesc) -> LResult<()> {
        if let ExpKind::KStr(s) = k.k.clone() {
            k.k = ExpKind::K(self.string_k(&s));
        }
        if matches!(t.k, ExpKind::Upval(_)) && !self.is_kstr(k) {
            self.exp2anyreg(t)?;
        }
        if let ExpKind::Upval(u) = t.k {
            t.k = ExpKind::IndexUp {
                t: u,
                idx: k.info(),
            };
            return Ok(());
        }
        let treg = match t.k {
            ExpKind::Local { ridx, .. } => ridx,
            _ => t.info(),
        };
        t.k = if self.is_kstr(k) {
            ExpKind::IndexStr {
                t: treg,
                idx: k.info(),
            }
        } else if let Some(c) = is_cint(k) {
            ExpKind::IndexI { t: treg, idx: c }
        } else {
            ExpKind::Indexed {
                t: treg,
                idx: self.exp2anyreg(k)?,
            }
        };
        Ok(())
    }

    // ----- operators --------------------------------------------------------------

    fn constfolding(&mut self, op: ArithOp, e1: &mut ExpDesc, e2: &ExpDesc) -> bool {
        let (Some(a), Some(b)) = (tonumeral(e1), tonumeral(e2)) else {
            return false;
        };
        match fold(op, a, b) {
            Some(Num::Int(i)) => e1.k = ExpKind::KInt(i),
            Some(Num::Flt(f)) => e1.k = ExpKind::KFlt(f),
            None => return false,
        }
        true
    }

    fn codeunexpval(&mut self, op: OpCode, e: &mut ExpDesc, line: u32) -> LResult<()> {
        let r = self.exp2anyreg(e)?;
        self.freeexp(e);
        e.k = ExpKind::Reloc(self.code_abc(op, 0, r, 0));
        self.fixline(line);
        Ok(())
    }

    /// `finishbinexpval`; `k` is the ISA's swapped-operands/shl flag.
    fn finishbinexpval(
        &mut self,
        e1: &mut ExpDesc,
        e2: &ExpDesc,
        op: OpCode,
        v2: u32,
        k: bool,
        line: u32,
    ) -> LResult<()> {
        let v1 = self.exp2anyreg(e1)?;
        let pc = self.code_abck(op, 0, v1, v2, k);
        self.freeexps(e1, e2);
        e1.k = ExpKind::Reloc(pc);
        self.fixline(line);
        Ok(())
    }

    fn codebinexpval(
        &mut self,
        op: OpCode,
        e1: &mut ExpDesc,
        e2: &mut ExpDesc,
        line: u32,
    ) -> LResult<()> {
        let v2 = self.exp2anyreg(e2)?;
        self.finishbinexpval(e1, e2, op, v2, false, line)
    }

    fn codebini(
        &mut self,
        op: OpCode,
        e1: &mut ExpDesc,
        e2: &ExpDesc,
        k: bool,
        line: u32,
    ) -> LResult<()> {
        let v2 = int2sc(is_kint(e2).unwrap_or(0));
        self.finishbinexpval(e1, e2, op, v2, k, line)
    }

    fn codearith(
        &mut self,
        opr: BinOpr,
        e1: &mut ExpDesc,
        e2: &mut ExpDesc,
        flip: bool,
        line: u32,
    ) -> LResult<()> {
        if tonumeral(e2).is_some() && self.exp2k(e2) {
            let v2 = e2.info();
            self.finishbinexpval(e1, e2, opr.k_op(), v2, flip, line)
        } else {
            if flip {
                std::mem::swap(e1, e2);
            }
            self.codebinexpval(opr.reg_op(), e1, e2, line)
        }
    }

    fn codecommutative(
        &mut self,
        opr: BinOpr,
        e1: &mut ExpDesc,
        e2: &mut ExpDesc,
        line: u32,
    ) -> LResult<()> {
        let mut flip = false;
        if tonumeral(e1).is_some() {
            std::mem::swap(e1, e2);
            flip = true;
        }
        if opr == BinOpr::Add && is_scint(e2) {
            self.codebini(OpCode::ADDI, e1, e2, flip, line)
        } else {
            self.codearith(opr, e1, e2, flip, line)
        }
    }

    fn codebitwise(
        &mut self,
        opr: BinOpr,
        e1: &mut ExpDesc,
        e2: &mut ExpDesc,
        line: u32,
    ) -> LResult<()> {
        let mut flip = false;
        if matches!(e1.k, ExpKind::KInt(_)) && self.exp2rk(e1)? {
            std::mem::swap(e1, e2);
            flip = true;
        } else if !(matches!(e2.k, ExpKind::KInt(_)) && self.exp2rk(e2)?) {
            return self.codebinexpval(opr.reg_op(), e1, e2, line);
        }
        let v2 = e2.info();
        self.finishbinexpval(e1, e2, opr.k_op(), v2, flip, line)
    }

    /// `codeorder`: `op` is `LT` or `LE`.
    fn codeorder(&mut self, op: OpCode, e1: &mut ExpDesc, e2: &mut ExpDesc) -> LResult<()> {
        let mut is_float = false;
        let (op, r1, r2) = if let Some(im) = is_scnumber(e2, &mut is_float) {
            let r1 = self.exp2anyreg(e1)?;
            (
                if op == OpCode::LT {
                    OpCode::LTI
                } else {
                    OpCode::LEI
                },
                r1,
                im,
            )
        } else if let Some(im) = is_scnumber(e1, &mut is_float) {
            let r1 = self.exp2anyreg(e2)?;
            (
                if op == OpCode::LT {
                    OpCode::GTI
                } else {
                    OpCode::GEI
                },
                r1,
                im,
            )
        } else {
            let r1 = self.exp2anyreg(e1)?;
            let r2 = self.exp2anyreg(e2)?;
            (op, r1, r2)
        };
        self.freeexps(e1, e2);
        e1.k = ExpKind::Jmp(self.condjump(op, r1, r2, u32::from(is_float), true));
        Ok(())
    }

    /// `codeeq`: `e1` was already made RK (or left a numeral) by `infix`.
    fn codeeq(&mut self, opr: BinOpr, e1: &mut ExpDesc, e2: &mut ExpDesc) -> LResult<()> {
        let mut is_float = false;
        if !matches!(e1.k, ExpKind::NonReloc(_)) {
            std::mem::swap(e1, e2);
        }
        let r1 = self.exp2anyreg(e1)?;
        let (op, r2) = if let Some(im) = is_scnumber(e2, &mut is_float) {
            (OpCode::EQI, im)
        } else if self.exp2rk(e2)? {
            (OpCode::EQK, e2.info())
        } else {
            (OpCode::EQ, self.exp2anyreg(e2)?)
        };
        self.freeexps(e1, e2);
        e1.k = ExpKind::Jmp(self.condjump(op, r1, r2, u32::from(is_float), opr == BinOpr::Eq));
        Ok(())
    }

    /// `luaK_prefix`
    pub(crate) fn prefix(&mut self, op: UnOpr, e: &mut ExpDesc, line: u32) -> LResult<()> {
        self.dischargevars(e);
        let zero = ExpDesc::new(ExpKind::KInt(0));
        match op {
            UnOpr::Minus => {
                if !self.constfolding(ArithOp::Unm, e, &zero) {
                    self.codeunexpval(OpCode::UNM, e, line)?;
                }
            }
            UnOpr::BNot => {
                if !self.constfolding(ArithOp::BNot, e, &zero) {
                    self.codeunexpval(OpCode::BNOT, e, line)?;
                }
            }
            UnOpr::Len => self.codeunexpval(OpCode::LEN, e, line)?,
            UnOpr::Not => self.codenot(e)?,
        }
        Ok(())
    }

    /// `luaK_infix`: prepares the first operand before reading the second.
    pub(crate) fn infix(&mut self, op: BinOpr, v: &mut ExpDesc) -> LResult<()> {
        self.dischargevars(v);
        match op {
            BinOpr::And => self.goiftrue(v)?,
            BinOpr::Or => self.goiffalse(v)?,
            BinOpr::Concat => self.exp2nextreg(v)?,
            BinOpr::Eq | BinOpr::Ne => {
                if tonumeral(v).is_none() {
                    self.exp2rk(v)?;
                }
            }
            BinOpr::Lt | BinOpr::Le | BinOpr::Gt | BinOpr::Ge => {
                if is_scnumber(v, &mut false).is_none() {
                    self.exp2anyreg(v)?;
                }
            }
            _ => {
                if tonumeral(v).is_none() {
                    self.exp2anyreg(v)?;
                }
            }
        }
        Ok(())
    }

    /// `codeconcat`: merges `e1 .. (e2a .. e2b)` into one `CONCAT`.
    fn codeconcat(&mut self, e1: &ExpDesc, e2: &ExpDesc, line: u32) {
        let r1 = e1.info();
        if let Some(ie2) = self.previous_instruction()
            && ie2.opcode() == Some(OpCode::CONCAT)
        {
            let n = ie2.b();
            self.freeexp(e2);
            let pc = self.pc() - 1;
            self.patch_instr(pc, |i| i.with_a(r1).with_b(n + 1));
        } else {
            self.code_abc(OpCode::CONCAT, r1, 2, 0);
            self.freeexp(e2);
            self.fixline(line);
        }
    }

    /// `luaK_posfix`: finishes a binary operation.
    pub(crate) fn posfix(
        &mut self,
        opr: BinOpr,
        e1: &mut ExpDesc,
        e2: &mut ExpDesc,
        line: u32,
    ) -> LResult<()> {
        self.dischargevars(e2);
        if let Some(aop) = opr.arith()
            && self.constfolding(aop, e1, e2)
        {
            return Ok(());
        }
        match opr {
            BinOpr::And => {
                let mut f = e2.f;
                self.concat(&mut f, e1.f)?;
                e2.f = f;
                *e1 = e2.clone();
            }
            BinOpr::Or => {
                let mut t = e2.t;
                self.concat(&mut t, e1.t)?;
                e2.t = t;
                *e1 = e2.clone();
            }
            BinOpr::Concat => {
                self.exp2nextreg(e2)?;
                self.codeconcat(e1, e2, line);
            }
            BinOpr::Add | BinOpr::Mul => self.codecommutative(opr, e1, e2, line)?,
            BinOpr::Sub | BinOpr::Div | BinOpr::IDiv | BinOpr::Mod | BinOpr::Pow => {
                self.codearith(opr, e1, e2, false, line)?;
            }
            BinOpr::BAnd | BinOpr::BOr | BinOpr::BXor => self.codebitwise(opr, e1, e2, line)?,
            BinOpr::Shl => {
                if is_scint(e1) {
                    std::mem::swap(e1, e2);
                    self.codebini(OpCode::SHLI, e1, e2, false, line)?;
                } else if let Some(i2) = is_kint(e2).filter(|&i| fits_c(i) && fits_c(-i)) {
                    self.finishbinexpval(e1, e2, OpCode::SHRI, int2sc(-i2), true, line)?;
                } else {
                    self.codebinexpval(OpCode::SHL, e1, e2, line)?;
                }
            }
            BinOpr::Shr => {
                if is_scint(e2) {
                    self.codebini(OpCode::SHRI, e1, e2, false, line)?;
                } else {
                    self.codebinexpval(OpCode::SHR, e1, e2, line)?;
                }
            }
            BinOpr::Eq | BinOpr::Ne => self.codeeq(opr, e1, e2)?,
            BinOpr::Lt => self.codeorder(OpCode::LT, e1, e2)?,
            BinOpr::Le => self.codeorder(OpCode::LE, e1, e2)?,
            BinOpr::Gt | BinOpr::Ge => {
                std::mem::swap(e1, e2);
                let op = if opr == BinOpr::Gt {
                    OpCode::LT
                } else {
                    OpCode::LE
                };
                self.codeorder(op, e1, e2)?;
            }
        }
        Ok(())
    }

    // ----- tables and function end ------------------------------------------------

    /// `luaK_settablesize`: fills in `NEWTABLE` and its `EXTRAARG`.
    pub(crate) fn settablesize(&mut self, pc: i32, ra: u32, asize: u32, hsize: u32) {
        let rb = if hsize != 0 { ceil_log2(hsize) + 1 } else { 0 };
        let extra = asize / (MAX_ARG_C + 1);
        let rc = asize % (MAX_ARG_C + 1);
        self.set_instr(pc, Instr::abc(OpCode::NEWTABLE, ra, rb, rc, extra > 0));
        self.set_instr(
            pc + 1,
            Instr::ax_form(OpCode::EXTRAARG, extra.min(MAX_ARG_AX)),
        );
    }

    /// `luaK_setlist`; `tostore == MULTRET` stores up to the stack top.
    pub(crate) fn setlist(&mut self, base: u32, nelems: u32, tostore: i32) {
        let tostore = if tostore == MULTRET {
            0
        } else {
            tostore as u32
        };
        if nelems <= MAX_ARG_C {
            self.code_abc(OpCode::SETLIST, base, tostore, nelems);
        } else {
            let extra = nelems / (MAX_ARG_C + 1);
            self.code_abck(
                OpCode::SETLIST,
                base,
                tostore,
                nelems % (MAX_ARG_C + 1),
                true,
            );
            self.code_extraarg(extra);
        }
        self.fs.freereg = base + 1;
    }

    fn finaltarget(&self, mut i: i32) -> i32 {
        for _ in 0..100 {
            let pc = self.instr(i);
            if pc.opcode() != Some(OpCode::JMP) {
                break;
            }
            i += pc.sj() + 1;
        }
        i
    }

    /// `luaK_finish`: final pass: return flags and jump threading.
    pub(crate) fn finish(&mut self) -> LResult<()> {
        let needclose = self.fs.needclose;
        let is_vararg = self.fs.f.is_vararg;
        let nparams = u32::from(self.fs.f.num_params);
        for pc in 0..self.pc() {
            let i = self.instr(pc);
            match i.opcode() {
                Some(OpCode::RETURN0 | OpCode::RETURN1 | OpCode::RETURN | OpCode::TAILCALL) => {
                    let mut i = i;
                    if matches!(i.opcode(), Some(OpCode::RETURN0 | OpCode::RETURN1)) {
                        if !(needclose || is_vararg) {
                            continue;
                        }
                        i = with_op(i, OpCode::RETURN);
                    }
                    if needclose {
                        i = i.with_k(true);
                    }
                    if is_vararg {
                        i = i.with_c(nparams + 1);
                    }
                    self.set_instr(pc, i);
                }
                Some(OpCode::JMP) => {
                    let target = self.finaltarget(pc);
                    self.fixjump(pc, target)?;
                }
                _ => {}
            }
        }
        Ok(())
    }
}
