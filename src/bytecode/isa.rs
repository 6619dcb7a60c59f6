//! The slot bytecode instruction set: opcodes, instruction formats and the
//! bit layout of a 32-bit instruction word.
//!
//! This module is the single source of truth for opcodes. The interpreter,
//! the verifier, the disassembler, the code generators and `docs/bytecode.md`
//! (checked by a test) all derive from the [`define_opcodes!`] table below.
//!
//! # Instruction word
//!
//! ```text
//!  31       24 23      16 15 14       7 6      0
//! +-----------+----------+--+----------+--------+
//! |     C     |    B     |k |    A     |   op   |   iABC
//! +-----------+----------+--+----------+--------+
//! |          Bx (17 bits)   |    A     |   op   |   iABx / iAsBx
//! +-------------------------+----------+--------+
//! |              Ax / sJ (25 bits)     |   op   |   iAx / isJ
//! +------------------------------------+--------+
//! ```
//!
//! Signed fields are stored with an excess-K bias (`sBx = Bx - 65535`,
//! `sJ = field - 16777215`, `sC = C - 127`, `sB = B - 127`).
//!
//! The register machine follows the model of Lua 5.4 (registers are slots of
//! the current frame, constants `K[i]` per proto, upvalues `U[i]` per closure)
//! because its code shape is what `lua5.4`'s error messages are derived from.
//! Unlike Lua 5.4 there are no `MMBIN*` companion instructions: an arithmetic
//! instruction handles its own metamethod fallback, and the `k` bit of the
//! immediate/constant forms says the operands were swapped by the compiler.

/// Number of bits of the opcode field.
pub const SIZE_OP: u32 = 7;
/// Number of bits of the `A` field.
pub const SIZE_A: u32 = 8;
/// Number of bits of the `B` and `C` fields.
pub const SIZE_B: u32 = 8;
/// Number of bits of the `C` field.
pub const SIZE_C: u32 = 8;
/// Number of bits of the `Bx` field.
pub const SIZE_BX: u32 = SIZE_C + SIZE_B + 1;
/// Number of bits of the `Ax` / `sJ` field.
pub const SIZE_AX: u32 = SIZE_BX + SIZE_A;

/// Bit position of the `A` field.
pub const POS_A: u32 = SIZE_OP;
/// Bit position of the `k` flag.
pub const POS_K: u32 = POS_A + SIZE_A;
/// Bit position of the `B` field.
pub const POS_B: u32 = POS_K + 1;
/// Bit position of the `C` field.
pub const POS_C: u32 = POS_B + SIZE_B;
/// Bit position of the `Bx` field.
pub const POS_BX: u32 = POS_K;
/// Bit position of the `Ax` / `sJ` field.
pub const POS_AX: u32 = POS_A;

/// Largest value of `A`, `B` and `C`.
pub const MAX_ARG_A: u32 = (1 << SIZE_A) - 1;
/// Largest value of `B`.
pub const MAX_ARG_B: u32 = (1 << SIZE_B) - 1;
/// Largest value of `C`.
pub const MAX_ARG_C: u32 = (1 << SIZE_C) - 1;
/// Largest value of `Bx`.
pub const MAX_ARG_BX: u32 = (1 << SIZE_BX) - 1;
/// Largest value of `Ax`.
pub const MAX_ARG_AX: u32 = (1 << SIZE_AX) - 1;
/// Bias of `sBx`.
pub const OFFSET_SBX: i32 = (MAX_ARG_BX >> 1) as i32;
/// Largest value of `sJ` field (unbiased).
pub const MAX_ARG_SJ: u32 = (1 << SIZE_AX) - 1;
/// Bias of `sJ`.
pub const OFFSET_SJ: i32 = (MAX_ARG_SJ >> 1) as i32;
/// Bias of `sC` and `sB`.
pub const OFFSET_SC: i32 = (MAX_ARG_C >> 1) as i32;

/// Maximum number of registers in a frame (register indices are `A` fields).
pub const MAX_REGISTERS: u32 = 255;
/// Number of list items accumulated before a `SETLIST` is emitted.
pub const FIELDS_PER_FLUSH: u32 = 50;

/// How the operand fields of an instruction are laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `A B C k`
    ABC,
    /// `A Bx` (unsigned 17-bit)
    ABx,
    /// `A sBx` (signed 17-bit)
    AsBx,
    /// `Ax` (unsigned 25-bit)
    Ax,
    /// `sJ` (signed 25-bit jump)
    SJ,
}

macro_rules! define_opcodes {
    ($( $(#[doc = $doc:literal])* $name:ident = $fmt:ident, $flags:expr, $sem:literal; )*) => {
        /// A slot bytecode operation. The numeric value is the 7-bit opcode field.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u8)]
        #[allow(clippy::upper_case_acronyms)]
        pub enum OpCode {
            $( $(#[doc = $doc])* $name, )*
        }

        /// Every opcode in numeric order.
        pub const ALL_OPCODES: &[OpCode] = &[ $( OpCode::$name, )* ];

        /// Opcode numbers as `u8` constants, for dispatching on the raw
        /// opcode field without decoding it to an [`OpCode`] first.
        #[allow(non_upper_case_globals, missing_docs)]
        pub mod op {
            $( pub const $name: u8 = super::OpCode::$name as u8; )*
        }

        impl OpCode {
            /// The mnemonic, as printed by the disassembler.
            pub const fn name(self) -> &'static str {
                match self { $( OpCode::$name => stringify!($name), )* }
            }
            /// The operand layout.
            pub const fn format(self) -> Format {
                match self { $( OpCode::$name => Format::$fmt, )* }
            }
            /// Property flags ([`OpFlags`]).
            pub const fn flags(self) -> OpFlags {
                match self { $( OpCode::$name => OpFlags($flags), )* }
            }
            /// One-line semantics, used by the documentation.
            pub const fn semantics(self) -> &'static str {
                match self { $( OpCode::$name => $sem, )* }
            }
        }
    };
}

/// Opcode property bits (mirrors what Lua 5.4 keeps in `luaP_opmodes`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpFlags(pub u8);

impl OpFlags {
    /// The instruction writes register `A`.
    pub const SETS_A: u8 = 1;
    /// The instruction is a test: the next instruction must be a `JMP`.
    pub const TEST: u8 = 2;
    /// The instruction uses `top` set by the previous instruction (`B == 0`).
    pub const IN_TOP: u8 = 4;
    /// The instruction sets `top` for the next instruction (`C == 0`).
    pub const OUT_TOP: u8 = 8;
    /// The instruction is an `A B C` arithmetic form whose `C` is a constant index.
    pub const K_OPERAND: u8 = 16;

    const fn has(self, bit: u8) -> bool {
        self.0 & bit != 0
    }
    /// See [`OpFlags::SETS_A`].
    pub const fn sets_a(self) -> bool {
        self.has(Self::SETS_A)
    }
    /// See [`OpFlags::TEST`].
    pub const fn is_test(self) -> bool {
        self.has(Self::TEST)
    }
    /// See [`OpFlags::IN_TOP`].
    pub const fn uses_top(self) -> bool {
        self.has(Self::IN_TOP)
    }
    /// See [`OpFlags::OUT_TOP`].
    pub const fn sets_top(self) -> bool {
        self.has(Self::OUT_TOP)
    }
}

const A_: u8 = OpFlags::SETS_A;
const T_: u8 = OpFlags::TEST;
const IT: u8 = OpFlags::IN_TOP;
const OT: u8 = OpFlags::OUT_TOP;
const KO: u8 = OpFlags::K_OPERAND;

define_opcodes! {
    MOVE = ABC, A_, "R[A] := R[B]";
    LOADI = AsBx, A_, "R[A] := sBx (integer)";
    LOADF = AsBx, A_, "R[A] := sBx (converted to float)";
    LOADK = ABx, A_, "R[A] := K[Bx]";
    LOADKX = ABC, A_, "R[A] := K[Ax of the following EXTRAARG]";
    LOADFALSE = ABC, A_, "R[A] := false";
    LFALSESKIP = ABC, A_, "R[A] := false; pc++";
    LOADTRUE = ABC, A_, "R[A] := true";
    LOADNIL = ABC, A_, "R[A], R[A+1], ..., R[A+B] := nil";
    GETUPVAL = ABC, A_, "R[A] := U[B]";
    SETUPVAL = ABC, 0, "U[B] := R[A]";
    GETTABUP = ABC, A_, "R[A] := U[B][K[C]] (K[C] a short string)";
    GETTABLE = ABC, A_, "R[A] := R[B][R[C]]";
    GETI = ABC, A_, "R[A] := R[B][C] (C an integer key)";
    GETFIELD = ABC, A_, "R[A] := R[B][K[C]] (K[C] a short string)";
    SETTABUP = ABC, 0, "U[A][K[B]] := RK(C) (K[B] a short string)";
    SETTABLE = ABC, 0, "R[A][R[B]] := RK(C)";
    SETI = ABC, 0, "R[A][B] := RK(C) (B an integer key)";
    SETFIELD = ABC, 0, "R[A][K[B]] := RK(C) (K[B] a short string)";
    NEWTABLE = ABC, A_, "R[A] := {} (B: log2(hash size)+1 or 0; C: array size, plus EXTRAARG*256 when k)";
    SELF = ABC, A_, "R[A+1] := R[B]; R[A] := R[B][RK(C)]";
    ADDI = ABC, A_, "R[A] := R[B] + sC (k: operands were swapped)";
    ADDK = ABC, A_ | KO, "R[A] := R[B] + K[C] (k: operands were swapped)";
    SUBK = ABC, A_ | KO, "R[A] := R[B] - K[C]";
    MULK = ABC, A_ | KO, "R[A] := R[B] * K[C] (k: operands were swapped)";
    MODK = ABC, A_ | KO, "R[A] := R[B] % K[C]";
    POWK = ABC, A_ | KO, "R[A] := R[B] ^ K[C]";
    DIVK = ABC, A_ | KO, "R[A] := R[B] / K[C]";
    IDIVK = ABC, A_ | KO, "R[A] := R[B] // K[C]";
    BANDK = ABC, A_ | KO, "R[A] := R[B] & K[C] (k: operands were swapped)";
    BORK = ABC, A_ | KO, "R[A] := R[B] | K[C] (k: operands were swapped)";
    BXORK = ABC, A_ | KO, "R[A] := R[B] ~ K[C] (k: operands were swapped)";
    SHRI = ABC, A_, "R[A] := R[B] >> sC (k: source was `x << -sC`)";
    SHLI = ABC, A_, "R[A] := sC << R[B]";
    ADD = ABC, A_, "R[A] := R[B] + R[C]";
    SUB = ABC, A_, "R[A] := R[B] - R[C]";
    MUL = ABC, A_, "R[A] := R[B] * R[C]";
    MOD = ABC, A_, "R[A] := R[B] % R[C]";
    POW = ABC, A_, "R[A] := R[B] ^ R[C]";
    DIV = ABC, A_, "R[A] := R[B] / R[C]";
    IDIV = ABC, A_, "R[A] := R[B] // R[C]";
    BAND = ABC, A_, "R[A] := R[B] & R[C]";
    BOR = ABC, A_, "R[A] := R[B] | R[C]";
    BXOR = ABC, A_, "R[A] := R[B] ~ R[C]";
    SHL = ABC, A_, "R[A] := R[B] << R[C]";
    SHR = ABC, A_, "R[A] := R[B] >> R[C]";
    UNM = ABC, A_, "R[A] := -R[B]";
    BNOT = ABC, A_, "R[A] := ~R[B]";
    NOT = ABC, A_, "R[A] := not R[B]";
    LEN = ABC, A_, "R[A] := #R[B] (length operator)";
    CONCAT = ABC, A_, "R[A] := R[A] .. ... .. R[A+B-1]";
    CLOSE = ABC, 0, "close all upvalues and to-be-closed variables >= R[A]";
    TBC = ABC, 0, "mark R[A] as a to-be-closed variable";
    JMP = SJ, 0, "pc += sJ";
    EQ = ABC, T_, "if ((R[A] == R[B]) ~= k) then pc++";
    LT = ABC, T_, "if ((R[A] < R[B]) ~= k) then pc++";
    LE = ABC, T_, "if ((R[A] <= R[B]) ~= k) then pc++";
    EQK = ABC, T_, "if ((R[A] == K[B]) ~= k) then pc++";
    EQI = ABC, T_, "if ((R[A] == sB) ~= k) then pc++ (C: sB was a float)";
    LTI = ABC, T_, "if ((R[A] < sB) ~= k) then pc++ (C: sB was a float)";
    LEI = ABC, T_, "if ((R[A] <= sB) ~= k) then pc++ (C: sB was a float)";
    GTI = ABC, T_, "if ((R[A] > sB) ~= k) then pc++ (C: sB was a float)";
    GEI = ABC, T_, "if ((R[A] >= sB) ~= k) then pc++ (C: sB was a float)";
    TEST = ABC, T_, "if (not R[A] == k) then pc++";
    TESTSET = ABC, T_ | A_, "if (not R[B] == k) then pc++ else R[A] := R[B]";
    CALL = ABC, A_ | IT | OT, "R[A], ..., R[A+C-2] := R[A](R[A+1], ..., R[A+B-1]) (B=0: args to top; C=0: results to top)";
    TAILCALL = ABC, A_ | IT | OT, "return R[A](R[A+1], ..., R[A+B-1]) (k: close upvalues first; C>0: vararg function with C-1 params)";
    RETURN = ABC, IT, "return R[A], ..., R[A+B-2] (B=0: to top; k: close upvalues first; C>0: vararg function with C-1 params)";
    RETURN0 = ABC, 0, "return";
    RETURN1 = ABC, 0, "return R[A]";
    FORLOOP = ABx, A_, "update counters; if loop continues then pc -= Bx";
    FORPREP = ABx, A_, "check values and prepare counters; if not to run then pc += Bx + 1";
    TFORPREP = ABx, 0, "create upvalue for R[A + 3]; pc += Bx";
    TFORCALL = ABC, 0, "R[A+4], ..., R[A+3+C] := R[A](R[A+1], R[A+2])";
    TFORLOOP = ABx, A_, "if R[A+4] ~= nil then { R[A+2] := R[A+4]; pc -= Bx }";
    SETLIST = ABC, IT, "R[A][C+i] := R[A+i], 1 <= i <= B (B=0: to top; k: C += EXTRAARG*256)";
    CLOSURE = ABx, A_, "R[A] := closure(P[Bx])";
    VARARG = ABC, A_ | OT, "R[A], R[A+1], ..., R[A+C-2] = vararg (C=0: all, sets top)";
    VARARGPREP = ABC, A_, "adjust vararg parameters (A: number of fixed parameters)";
    EXTRAARG = Ax, 0, "extra (larger) argument for the previous opcode";
}

impl OpCode {
    /// Number of opcodes.
    pub const COUNT: usize = ALL_OPCODES.len();

    /// Decodes the 7-bit opcode field, `None` when it names no opcode.
    #[inline]
    pub fn from_u8(byte: u8) -> Option<OpCode> {
        ALL_OPCODES.get(byte as usize).copied()
    }
}

/// A 32-bit instruction word with field accessors.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
#[repr(transparent)]
pub struct Instr(pub u32);

impl std::fmt::Debug for Instr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.opcode() {
            Some(op) => write!(f, "{}({:#010x})", op.name(), self.0),
            None => write!(f, "INVALID({:#010x})", self.0),
        }
    }
}

#[inline(always)]
const fn field(word: u32, pos: u32, size: u32) -> u32 {
    (word >> pos) & ((1u32 << size) - 1)
}

impl Instr {
    /// The opcode, or `None` for an invalid opcode number (only the verifier
    /// should ever see one).
    #[inline(always)]
    pub fn opcode(self) -> Option<OpCode> {
        OpCode::from_u8(self.op_byte())
    }
    /// Raw 7-bit opcode field.
    #[inline(always)]
    pub const fn op_byte(self) -> u8 {
        field(self.0, 0, SIZE_OP) as u8
    }
    /// Field `A`.
    #[inline(always)]
    pub const fn a(self) -> u32 {
        field(self.0, POS_A, SIZE_A)
    }
    /// Field `B`.
    #[inline(always)]
    pub const fn b(self) -> u32 {
        field(self.0, POS_B, SIZE_B)
    }
    /// Field `C`.
    #[inline(always)]
    pub const fn c(self) -> u32 {
        field(self.0, POS_C, SIZE_C)
    }
    /// Flag `k`.
    #[inline(always)]
    pub const fn k(self) -> bool {
        field(self.0, POS_K, 1) != 0
    }
    /// Field `Bx`.
    #[inline(always)]
    pub const fn bx(self) -> u32 {
        field(self.0, POS_BX, SIZE_BX)
    }
    /// Field `sBx`.
    #[inline(always)]
    pub const fn sbx(self) -> i32 {
        self.bx() as i32 - OFFSET_SBX
    }
    /// Field `Ax`.
    #[inline(always)]
    pub const fn ax(self) -> u32 {
        field(self.0, POS_AX, SIZE_AX)
    }
    /// The sizes a `NEWTABLE` asks for, `(array items, hash items)`:
    /// `B` is log2(hash size) + 1 (0: none), `C` the array size, extended
    /// by the `EXTRAARG` after it (`next`) when `k` is set.
    #[inline(always)]
    pub const fn new_table_sizes(self, next: Instr) -> (u32, u32) {
        let b = self.b();
        let hash = if b > 0 {
            let log = if b - 1 < 30 { b - 1 } else { 30 };
            1u32 << log
        } else {
            0
        };
        let mut array = self.c();
        if self.k() {
            array = array.saturating_add(next.ax().saturating_mul(MAX_ARG_C + 1));
        }
        (array, hash)
    }
    /// Field `sJ`.
    #[inline(always)]
    pub const fn sj(self) -> i32 {
        field(self.0, POS_AX, SIZE_AX) as i32 - OFFSET_SJ
    }
    /// Field `sB` (signed `B`).
    #[inline(always)]
    pub const fn sb(self) -> i32 {
        self.b() as i32 - OFFSET_SC
    }
    /// Field `sC` (signed `C`).
    #[inline(always)]
    pub const fn sc(self) -> i32 {
        self.c() as i32 - OFFSET_SC
    }

    /// Builds an `A B C k` instruction. Fields are masked to their widths.
    pub const fn abc(op: OpCode, a: u32, b: u32, c: u32, k: bool) -> Instr {
        Instr(
            (op as u32)
                | ((a & MAX_ARG_A) << POS_A)
                | ((k as u32) << POS_K)
                | ((b & MAX_ARG_B) << POS_B)
                | ((c & MAX_ARG_C) << POS_C),
        )
    }
    /// Builds an `A Bx` instruction.
    pub const fn abx(op: OpCode, a: u32, bx: u32) -> Instr {
        Instr((op as u32) | ((a & MAX_ARG_A) << POS_A) | ((bx & MAX_ARG_BX) << POS_BX))
    }
    /// Builds an `A sBx` instruction.
    pub const fn asbx(op: OpCode, a: u32, sbx: i32) -> Instr {
        Instr::abx(op, a, (sbx + OFFSET_SBX) as u32)
    }
    /// Builds an `Ax` instruction.
    pub const fn ax_form(op: OpCode, ax: u32) -> Instr {
        Instr((op as u32) | ((ax & MAX_ARG_AX) << POS_AX))
    }
    /// Builds an `sJ` instruction.
    pub const fn sj_form(op: OpCode, sj: i32) -> Instr {
        Instr((op as u32) | ((((sj + OFFSET_SJ) as u32) & MAX_ARG_SJ) << POS_AX))
    }

    /// Returns a copy with field `A` replaced.
    pub const fn with_a(self, a: u32) -> Instr {
        Instr((self.0 & !(MAX_ARG_A << POS_A)) | ((a & MAX_ARG_A) << POS_A))
    }
    /// Returns a copy with field `B` replaced.
    pub const fn with_b(self, b: u32) -> Instr {
        Instr((self.0 & !(MAX_ARG_B << POS_B)) | ((b & MAX_ARG_B) << POS_B))
    }
    /// Returns a copy with field `C` replaced.
    pub const fn with_c(self, c: u32) -> Instr {
        Instr((self.0 & !(MAX_ARG_C << POS_C)) | ((c & MAX_ARG_C) << POS_C))
    }
    /// Returns a copy with flag `k` replaced.
    pub const fn with_k(self, k: bool) -> Instr {
        Instr((self.0 & !(1 << POS_K)) | ((k as u32) << POS_K))
    }
    /// Returns a copy with field `Bx` replaced.
    pub const fn with_bx(self, bx: u32) -> Instr {
        Instr((self.0 & !(MAX_ARG_BX << POS_BX)) | ((bx & MAX_ARG_BX) << POS_BX))
    }
    /// Returns a copy with field `sJ` replaced.
    pub const fn with_sj(self, sj: i32) -> Instr {
        Instr(
            (self.0 & !(MAX_ARG_SJ << POS_AX))
                | ((((sj + OFFSET_SJ) as u32) & MAX_ARG_SJ) << POS_AX),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Checked at compile time: every opcode number fits the 7-bit field.
    const _: () = assert!(OpCode::COUNT <= 1 << SIZE_OP);

    #[test]
    fn opcode_numbers_round_trip() {
        for (i, op) in ALL_OPCODES.iter().enumerate() {
            assert_eq!(*op as usize, i);
            assert_eq!(OpCode::from_u8(i as u8), Some(*op));
        }
        assert_eq!(OpCode::from_u8(OpCode::COUNT as u8), None);
    }

    #[test]
    fn fields_round_trip() {
        let i = Instr::abc(OpCode::ADD, 200, 17, 255, true);
        assert_eq!(
            (i.opcode(), i.a(), i.b(), i.c(), i.k()),
            (Some(OpCode::ADD), 200, 17, 255, true)
        );
        let j = Instr::asbx(OpCode::LOADI, 3, -65535);
        assert_eq!((j.a(), j.sbx()), (3, -65535));
        let j = Instr::asbx(OpCode::LOADI, 3, 65536);
        assert_eq!(j.sbx(), 65536);
        let s = Instr::sj_form(OpCode::JMP, -16777215);
        assert_eq!(s.sj(), -16777215);
        let s = s.with_sj(123);
        assert_eq!(s.sj(), 123);
        assert_eq!(
            Instr::abc(OpCode::ADDI, 0, 0, (5 + OFFSET_SC) as u32, false).sc(),
            5
        );
    }
}
