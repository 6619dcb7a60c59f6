//! Tier 1: baseline code generation, one template per opcode.
//!
//! A Lua function becomes a Wasm function `(func: i32)` that runs the frame
//! whose function value sits at stack index `func`. Registers stay in guest
//! memory (DESIGN decisions 4 and 6): templates load and store 16-byte slots
//! at `base + 16 * r`, so the interpreter, the GC and error reporting see the
//! frame exactly as if the interpreter had run it.
//!
//! Control flow is compiled: every jump target starts a basic block; the
//! blocks are nested Wasm `block`s inside one dispatch `loop`, so forward
//! jumps are plain `br`s and backward jumps (loops) go through a `br_table`
//! at the loop head (where Wasmtime also checks the epoch deadline).
//!
//! Inline fast paths cover moves and loads of numeric constants, integer and
//! float arithmetic, numeric comparisons, truth tests and integer `for`
//! loops. Everything else (and every fast path's unusual case) calls the
//! runtime's `step` import, which executes that one instruction with the
//! interpreter's own code — so every opcode is supported, with identical
//! semantics, error messages and tracebacks.

use wasm_encoder::{
    BlockType, CodeSection, EntityType, ExportKind, ExportSection, Function, FunctionSection,
    GlobalType, ImportSection, IndirectNameMap, InstructionSink, MemArg, MemArgTarget, MemoryType,
    Module, NameMap, NameSection, RefType, TableType, TypeSection, ValType,
};

use super::{
    RT_CODE_TABLE, RT_FUNCTION_IMPORTS, RT_MEMORY, RT_MODULE, STEP_FRAME_DONE,
    constants_import_name, export_name, rt_block,
};
use crate::bytecode::isa::{Instr, OpCode, op};
use crate::bytecode::{Constant, Proto};
use crate::vm::Value;
use crate::vm::layout::{
    LCLOSURE_UPVALS_BYTE, MAX_SHORT_STRING, SLOT_BYTES, STRING_LEN_BYTE, TABLE_ARRAY_BYTE,
    TABLE_ASIZE_BYTE, TABLE_METATABLE_BYTE, TAG_FALSE, TAG_FLOAT, TAG_INT, TAG_NIL, TAG_STR,
    TAG_TABLE, UPVAL_LOCATION_BYTE,
};

mod frames;
mod helpers;
mod lookup;

/// Function indices of the runtime imports (their order is
/// [`RT_FUNCTION_IMPORTS`]).
const FN_STEP: u32 = 0;
const FN_GROW_STACK: u32 = 1;
const FN_CALL_NATIVE: u32 = 2;
const FN_NEW_TABLE: u32 = 3;
/// Function index of the first helper ([`helpers::HELPERS`]).
const FN_FIRST_HELPER: u32 = RT_FUNCTION_IMPORTS.len() as u32;
/// Function index of the first compiled Lua function.
const FN_FIRST_LUA: u32 = FN_FIRST_HELPER + helpers::HELPERS.len() as u32;
/// Function index of helper `k`.
const fn helper(k: usize) -> u32 {
    FN_FIRST_HELPER + k as u32
}
/// Type index of `step`: `(i32) -> i32`.
const TY_STEP: u32 = 0;
/// Type index of a compiled Lua function: `() -> ()` (its frame is the
/// newest one; the base is in the runtime block).
const TY_LUA: u32 = 1;
/// Type index of `grow_stack`: `(i32) -> ()`.
const TY_GROW_STACK: u32 = 2;
/// Type index of `new_table`: `(i32, i32, i32, i32) -> ()`.
const TY_NEW_TABLE: u32 = 3;
/// Type index of helper `k` (one type each, in helper order).
const TY_FIRST_HELPER: u32 = 4;

// Locals of a compiled function (no parameters).
/// Byte address of register 0.
const L_BASE: u32 = 0;
/// Block index the dispatch loop branches to.
const L_TARGET: u32 = 1;
/// Scratch: the result of `step` or of `call_prepare`, a table's address.
const L_NEXT: u32 = 2;
/// Scratch address (upvalue locations).
const L_ADDR: u32 = 3;
/// Number of `i32` locals (the ones above).
const I32_LOCALS: u32 = 4;
/// Scratch `i64`: an array index.
const L_INDEX: u32 = 4;
/// Names of the locals, for the name section.
const LOCAL_NAMES: [(u32, &str); 5] = [
    (L_BASE, "base"),
    (L_TARGET, "target"),
    (L_NEXT, "next"),
    (L_ADDR, "addr"),
    (L_INDEX, "index"),
];

/// One function of a batch.
pub struct BatchFunction<'a> {
    /// The verified prototype.
    pub proto: &'a Proto,
    /// `chunk:line:function`, for the name section (profilers, debuggers).
    pub name: String,
}

/// Compiles a batch of functions into one module. Function `i` of the batch
/// is exported as [`export_name`]`(i)` and imports the address of its
/// constants as global `i` ([`constants_import_name`]).
pub fn compile_batch(funcs: &[BatchFunction<'_>]) -> Vec<u8> {
    let mut module = Module::new();
    let mut types = TypeSection::new();
    types.ty().function([ValType::I32], [ValType::I32]);
    types.ty().function([], []);
    types.ty().function([ValType::I32], []);
    types.ty().function([ValType::I32; 4], []);
    for h in &helpers::HELPERS {
        types
            .ty()
            .function(h.params.iter().copied(), [ValType::I32]);
    }
    module.section(&types);

    let mut imports = ImportSection::new();
    for (index, name) in RT_FUNCTION_IMPORTS.iter().enumerate() {
        let ty = match index as u32 {
            FN_GROW_STACK => TY_GROW_STACK,
            FN_NEW_TABLE => TY_NEW_TABLE,
            _ => TY_STEP,
        };
        imports.import(RT_MODULE, name, EntityType::Function(ty));
    }
    imports.import(
        RT_MODULE,
        RT_MEMORY,
        MemoryType {
            minimum: 1,
            maximum: None,
            memory64: false,
            shared: false,
            page_size_log2: None,
        },
    );
    imports.import(
        RT_MODULE,
        RT_CODE_TABLE,
        TableType {
            element_type: RefType::FUNCREF,
            table64: false,
            minimum: 0,
            maximum: None,
            shared: false,
        },
    );
    for i in 0..funcs.len() {
        imports.import(
            RT_MODULE,
            &constants_import_name(i),
            EntityType::Global(GlobalType {
                val_type: ValType::I32,
                mutable: false,
                shared: false,
            }),
        );
    }
    module.section(&imports);

    let mut functions = FunctionSection::new();
    for k in 0..helpers::HELPERS.len() {
        functions.function(TY_FIRST_HELPER + k as u32);
    }
    for _ in funcs {
        functions.function(TY_LUA);
    }
    module.section(&functions);

    let mut exports = ExportSection::new();
    for i in 0..funcs.len() {
        exports.export(&export_name(i), ExportKind::Func, FN_FIRST_LUA + i as u32);
    }
    module.section(&exports);

    let mut code = CodeSection::new();
    for h in &helpers::HELPERS {
        code.function(&h.body());
    }
    for (i, f) in funcs.iter().enumerate() {
        code.function(&FunctionCompiler::new(f.proto, i as u32).compile());
    }
    module.section(&code);

    let mut names = NameSection::new();
    let mut fnames = NameMap::new();
    for (index, name) in RT_FUNCTION_IMPORTS.iter().enumerate() {
        fnames.append(index as u32, &format!("{RT_MODULE}.{name}"));
    }
    for (k, h) in helpers::HELPERS.iter().enumerate() {
        fnames.append(helper(k), h.name);
    }
    for (i, f) in funcs.iter().enumerate() {
        fnames.append(FN_FIRST_LUA + i as u32, &f.name);
    }
    names.functions(&fnames);
    let mut locals = IndirectNameMap::new();
    for i in 0..funcs.len() {
        let mut l = NameMap::new();
        for (index, name) in LOCAL_NAMES {
            l.append(index, name);
        }
        locals.append(FN_FIRST_LUA + i as u32, &l);
    }
    names.locals(&locals);
    module.section(&names);
    module.finish()
}

/// Where control may go after an instruction executed by `step`.
struct Successors {
    /// Possible next pcs other than falling through to `pc + 1`.
    jumps: Vec<u32>,
    /// Whether `pc + 1` is possible.
    falls_through: bool,
    /// Whether the instruction can end the frame.
    returns: bool,
}

/// Target of the `JMP` at `pc`.
fn jump_target(code: &[Instr], pc: usize) -> u32 {
    (pc as i64 + 1 + code[pc].sj() as i64) as u32
}

fn successors(code: &[Instr], pc: usize) -> Successors {
    let i = code[pc];
    let p = pc as u32;
    let plain = |jumps: Vec<u32>, falls_through| Successors {
        jumps,
        falls_through,
        returns: false,
    };
    match i.op_byte() {
        op::JMP => plain(vec![jump_target(code, pc)], false),
        op::EQ
        | op::LT
        | op::LE
        | op::EQK
        | op::EQI
        | op::LTI
        | op::LEI
        | op::GTI
        | op::GEI
        | op::TEST
        | op::TESTSET => plain(vec![p + 2, jump_target(code, pc + 1)], false),
        op::FORPREP => plain(vec![p + i.bx() + 2], true),
        op::FORLOOP | op::TFORLOOP => plain(vec![p + 1 - i.bx()], true),
        op::TFORPREP => plain(vec![p + 1 + i.bx()], false),
        op::LFALSESKIP | op::LOADKX | op::NEWTABLE => plain(vec![p + 2], false),
        op::SETLIST if i.k() => plain(vec![p + 2], false),
        op::RETURN | op::RETURN0 | op::RETURN1 => Successors {
            jumps: vec![],
            falls_through: false,
            returns: true,
        },
        op::TAILCALL => Successors {
            jumps: vec![],
            falls_through: true,
            returns: true,
        },
        _ => plain(vec![], true),
    }
}

/// Compiles one proto.
struct FunctionCompiler<'a> {
    proto: &'a Proto,
    /// Index of the global that holds the address of the constants.
    constants: u32,
    code: &'a [Instr],
    /// Sorted pcs that start a basic block.
    leaders: Vec<u32>,
    /// `(pc, block index)` of the targets of backward jumps (`FORLOOP`,
    /// `TFORLOOP`, `JMP` back) except pc 0: where the interpreter may hand a
    /// running frame over (on-stack replacement).
    loop_heads: Vec<(u32, usize)>,
    /// Index in `leaders` of the block being emitted.
    block: usize,
    /// Wasm control nesting opened by the current template (ifs).
    extra: u32,
    f: Function,
}

/// A 32-bit access at `offset` (the runtime block's words, object fields).
fn word(offset: u32) -> MemArg {
    MemArg {
        offset: offset as u64,
        align: 2,
        target: MemArgTarget::Memory(0),
        ordering: None,
    }
}

/// A 64-bit access at `offset` (value words).
fn mem(offset: u32) -> MemArg {
    MemArg {
        offset: offset as u64,
        align: 3,
        target: MemArgTarget::Memory(0),
        ordering: None,
    }
}

/// Byte offset of register `r`'s payload word from the frame base.
fn lo(r: u32) -> u32 {
    r * SLOT_BYTES
}

/// Byte offset of register `r`'s tag word from the frame base.
fn hi(r: u32) -> u32 {
    r * SLOT_BYTES + 8
}

/// A numeric constant operand, as the arithmetic templates use it.
#[derive(Clone, Copy)]
enum Num {
    Int(i64),
    Float(f64),
}

impl<'a> FunctionCompiler<'a> {
    fn new(proto: &'a Proto, constants: u32) -> Self {
        let code = &proto.code[..];
        let mut leaders = vec![0u32];
        let mut loop_heads = Vec::new();
        for pc in 0..code.len() {
            let s = successors(code, pc);
            for t in s.jumps {
                if (t as usize) < code.len() {
                    leaders.push(t);
                    // pc 0 is never handed over (see `entry`).
                    if t != 0 && t as usize <= pc {
                        loop_heads.push(t);
                    }
                }
            }
        }
        leaders.sort_unstable();
        leaders.dedup();
        loop_heads.sort_unstable();
        loop_heads.dedup();
        // Every jump target is a leader.
        let loop_heads = loop_heads
            .into_iter()
            .filter_map(|t| Some((t, leaders.binary_search(&t).ok()?)))
            .collect();
        FunctionCompiler {
            proto,
            constants,
            code,
            leaders,
            loop_heads,
            block: 0,
            extra: 0,
            f: Function::new([(I32_LOCALS, ValType::I32), (1, ValType::I64)]),
        }
    }

    fn ins(&mut self) -> InstructionSink<'_> {
        self.f.instructions()
    }

    fn compile(mut self) -> Function {
        let m = self.leaders.len() as u32;
        self.entry();
        self.ins().loop_(BlockType::Empty);
        for _ in 0..m {
            self.ins().block(BlockType::Empty);
        }
        let targets: Vec<u32> = (0..m).collect();
        self.ins()
            .local_get(L_TARGET)
            .br_table(targets, m) // default: leave the loop (never taken)
            .end();
        // Now at the start of block 0 (pc 0).
        for pc in 0..self.code.len() {
            if self.block + 1 < self.leaders.len() && self.leaders[self.block + 1] as usize == pc {
                self.ins().end();
                self.block += 1;
            }
            self.instruction(pc);
        }
        self.ins().end(); // loop
        self.ins().unreachable().end();
        self.f
    }

    /// `base` = the frame base the host published in the runtime block.
    fn reload_base(&mut self) {
        self.ins()
            .i32_const(0)
            .i32_load(word(rt_block::BASE))
            .local_set(L_BASE);
    }

    /// Pushes the byte address of register `r`.
    fn reg_address(&mut self, r: u32) {
        self.ins()
            .local_get(L_BASE)
            .i32_const((r * SLOT_BYTES) as i32)
            .i32_add();
    }

    /// How the function starts: a fresh frame (saved pc 0) runs the
    /// prologue; a frame the interpreter stopped at a loop head (on-stack
    /// replacement, see `backedge!` in the interpreter) continues there,
    /// its registers already in memory. Any other saved pc is a bug: the
    /// dispatch's default leaves the loop and traps.
    fn entry(&mut self) {
        if self.loop_heads.is_empty() {
            self.prologue();
            return;
        }
        frames::saved_pc(&mut self.ins());
        self.ins()
            .local_tee(L_NEXT)
            .if_(BlockType::Empty)
            .i32_const(-1)
            .local_set(L_TARGET);
        self.reload_base();
        for (pc, block) in std::mem::take(&mut self.loop_heads) {
            self.ins()
                .local_get(L_NEXT)
                .i32_const(pc as i32)
                .i32_eq()
                .if_(BlockType::Empty)
                .i32_const(block as i32)
                .local_set(L_TARGET)
                .end();
        }
        self.ins().else_();
        self.prologue();
        self.ins().end();
    }

    /// The function prologue: `precall`'s frame set-up (room, missing
    /// arguments, the frame's top), redone harmlessly for frames the host
    /// set up.
    fn prologue(&mut self) {
        let (params, max_stack) = (self.proto.num_params, self.proto.max_stack_size);
        self.ins()
            .i32_const(params as i32)
            .i32_const(max_stack as i32)
            .call(helper(helpers::PROLOGUE))
            .local_set(L_BASE);
    }

    /// `CALL A B C`: a Lua callee runs directly through its code-table slot
    /// (compiled code, or the interpreter trampoline, which finishes the
    /// frame set-up); other callees, a full frame buffer and too deep
    /// nesting take `step`.
    fn call(&mut self, pc: usize) {
        let i = self.code[pc];
        self.call_at(pc, i.a(), i.b(), i.c() as i32 - 1);
    }

    /// `TFORCALL A C`: the iterator, state and control move to `R[A+4..]`
    /// and the iterator is called like `CALL A+4 3 C+1`.
    fn generic_for_call(&mut self, pc: usize) {
        let i = self.code[pc];
        let a = i.a();
        for r in 0..3 {
            self.copy_reg(a + 4 + r, a + r);
        }
        self.call_at(pc, a + 4, 3, i.c() as i32);
    }

    /// A call of `R[ra]` with `b - 1` arguments (0: up to the top) wanting
    /// `nresults` (-1: all), for the instruction at `pc`.
    fn call_at(&mut self, pc: usize, ra: u32, b: u32, nresults: i32) {
        self.reg_address(ra);
        self.ins()
            .i32_const(b as i32)
            .i32_const(nresults)
            .i32_const(pc as i32 + 1)
            .call(helper(helpers::CALL_PREPARE))
            .local_tee(L_NEXT)
            .i32_const(-1)
            .i32_ne()
            .if_(BlockType::Empty)
            .local_get(L_NEXT)
            .local_get(L_BASE)
            .call(helper(helpers::CALL_RUN))
            .local_set(L_BASE)
            .else_();
        self.nested(|c| c.native_call_or_step(pc));
    }

    /// A call the Lua-to-Lua path declined: an ordinary native callee runs
    /// through `call_native` (then execution goes on at `pc + 1`); anything
    /// else takes `step`.
    fn native_call_or_step(&mut self, pc: usize) {
        self.ins()
            .i32_const(pc as i32)
            .call(FN_CALL_NATIVE)
            .if_(BlockType::Empty);
        self.reload_base();
        self.ins().else_();
        self.nested(|c| c.step(pc));
    }

    /// `RETURN0`/`RETURN1`: the short helper when the caller wants what is
    /// returned (exactly that many values, or all), else the general one.
    fn return_small(&mut self, pc: usize, results: u32) {
        self.ins().local_get(L_BASE);
        self.reg_address(self.code[pc].a());
        self.ins()
            .i32_const(results as i32)
            .call(helper(helpers::RETURN_SMALL))
            .if_(BlockType::Empty)
            .return_()
            .end();
        self.return_values(pc, results as i32);
    }

    /// Returns `n` values from `R[A]` (-1: up to the top) for any wanted
    /// count, and leaves the function.
    fn return_values(&mut self, pc: usize, n: i32) {
        self.ins().local_get(L_BASE);
        self.reg_address(self.code[pc].a());
        self.ins()
            .i32_const(n)
            .call(helper(helpers::RETURN_VALUES))
            .drop()
            .return_();
    }

    /// Emits `body` one Wasm block deeper than the template (inside the
    /// `if`, `else` or `block` just opened) and closes that block, keeping
    /// the branch depths `jump` computes right.
    fn nested(&mut self, body: impl FnOnce(&mut Self)) {
        self.extra += 1;
        body(self);
        self.extra -= 1;
        self.ins().end();
    }

    /// Emits a jump to the block starting at `target`.
    fn jump(&mut self, target: u32) {
        let Ok(j) = self.leaders.binary_search(&target) else {
            // Not a block start (cannot happen for verified code): trap.
            self.ins().unreachable();
            return;
        };
        let m = self.leaders.len();
        if j > self.block {
            let depth = (j - self.block - 1) as u32 + self.extra;
            self.ins().br(depth);
        } else {
            let depth = (m - 1 - self.block) as u32 + self.extra;
            self.ins().i32_const(j as i32).local_set(L_TARGET).br(depth);
        }
    }

    /// Calls `step` for the instruction at `pc` and follows where it went.
    fn step(&mut self, pc: usize) {
        let s = successors(self.code, pc);
        self.ins()
            .i32_const(pc as i32)
            .call(FN_STEP)
            .local_set(L_NEXT);
        self.reload_base();
        if s.returns {
            self.ins()
                .local_get(L_NEXT)
                .i32_const(STEP_FRAME_DONE)
                .i32_eq()
                .if_(BlockType::Empty)
                .return_()
                .end();
        }
        for t in s.jumps {
            self.ins()
                .local_get(L_NEXT)
                .i32_const(t as i32)
                .i32_eq()
                .if_(BlockType::Empty);
            self.nested(|c| c.jump(t));
        }
        if s.falls_through {
            // Anything else is a bug in the successor table: trap loudly.
            self.ins()
                .local_get(L_NEXT)
                .i32_const(pc as i32 + 1)
                .i32_ne()
                .if_(BlockType::Empty)
                .unreachable()
                .end();
        } else {
            self.ins().unreachable();
        }
    }

    // -- small emitters ----------------------------------------------------------

    /// `R[dst] := R[src]` (both words).
    fn copy_reg(&mut self, dst: u32, src: u32) {
        self.ins()
            .local_get(L_BASE)
            .local_get(L_BASE)
            .i64_load(mem(lo(src)))
            .i64_store(mem(lo(dst)))
            .local_get(L_BASE)
            .local_get(L_BASE)
            .i64_load(mem(hi(src)))
            .i64_store(mem(hi(dst)));
    }

    /// Stores a constant value (both words, exactly as the VM encodes it).
    fn store_const(&mut self, r: u32, v: Value) {
        self.store_value(r, v.tag(), v.payload() as i64);
    }

    fn store_value(&mut self, r: u32, tag: u64, payload: i64) {
        self.ins()
            .local_get(L_BASE)
            .i64_const(payload)
            .i64_store(mem(lo(r)))
            .local_get(L_BASE)
            .i64_const(tag as i64)
            .i64_store(mem(hi(r)));
    }

    /// Pushes `tag(R[r]) == tag` (i32).
    fn tag_is(&mut self, r: u32, tag: u64) {
        self.ins()
            .local_get(L_BASE)
            .i64_load(mem(hi(r)))
            .i64_const(tag as i64)
            .i64_eq();
    }

    fn num_constant(&self, k: u32) -> Option<Num> {
        match self.proto.constants.get(k as usize)? {
            Constant::Int(i) => Some(Num::Int(*i)),
            Constant::Float(f) => Some(Num::Float(*f)),
            _ => None,
        }
    }

    // -- templates -----------------------------------------------------------------

    fn instruction(&mut self, pc: usize) {
        let i = self.code[pc];
        let Some(opc) = i.opcode() else {
            self.ins().unreachable();
            return;
        };
        let a = i.a();
        match opc {
            OpCode::MOVE => self.copy_reg(a, i.b()),
            OpCode::LOADI => self.store_value(a, TAG_INT, i.sbx() as i64),
            OpCode::LOADF => self.store_value(a, TAG_FLOAT, (i.sbx() as f64).to_bits() as i64),
            OpCode::LOADK => match self.proto.constants.get(i.bx() as usize) {
                Some(Constant::Int(v)) => self.store_value(a, TAG_INT, *v),
                Some(Constant::Float(v)) => self.store_value(a, TAG_FLOAT, v.to_bits() as i64),
                Some(Constant::Bool(true)) => self.store_const(a, Value::TRUE),
                Some(Constant::Bool(false)) => self.store_const(a, Value::FALSE),
                Some(Constant::Nil) => self.store_const(a, Value::NIL),
                Some(Constant::Str(_)) => {
                    self.reg_address(a);
                    self.constant_address(i.bx());
                    self.copy_value();
                }
                None => self.step(pc),
            },
            OpCode::LOADFALSE => self.store_const(a, Value::FALSE),
            OpCode::LOADTRUE => self.store_const(a, Value::TRUE),
            OpCode::LOADNIL => {
                for r in a..=a + i.b() {
                    self.store_const(r, Value::NIL);
                }
            }
            OpCode::JMP => self.jump(jump_target(self.code, pc)),
            OpCode::ADD | OpCode::SUB | OpCode::MUL => {
                self.arith(pc, opc, Operand::Reg(i.c()));
            }
            OpCode::ADDI => self.arith(pc, OpCode::ADD, Operand::Num(Num::Int(i.sc() as i64))),
            OpCode::MOD | OpCode::IDIV | OpCode::DIV => {
                self.arith(pc, opc, Operand::Reg(i.c()));
            }
            OpCode::UNM => self.negate(pc),
            OpCode::ADDK
            | OpCode::SUBK
            | OpCode::MULK
            | OpCode::MODK
            | OpCode::IDIVK
            | OpCode::DIVK => {
                let base_op = match opc {
                    OpCode::ADDK => OpCode::ADD,
                    OpCode::SUBK => OpCode::SUB,
                    OpCode::MULK => OpCode::MUL,
                    OpCode::MODK => OpCode::MOD,
                    OpCode::IDIVK => OpCode::IDIV,
                    _ => OpCode::DIV,
                };
                match self.num_constant(i.c()) {
                    Some(n) => self.arith(pc, base_op, Operand::Num(n)),
                    None => self.step(pc),
                }
            }
            OpCode::LT | OpCode::LE => self.compare(pc, opc, Operand::Reg(i.b())),
            OpCode::LTI | OpCode::LEI | OpCode::GTI | OpCode::GEI | OpCode::EQI => {
                self.compare(pc, opc, Operand::Num(Num::Int(i.sb() as i64)))
            }
            OpCode::EQ => self.compare(pc, opc, Operand::Reg(i.b())),
            OpCode::EQK => match self.proto.constants.get(i.b() as usize) {
                Some(Constant::Int(v)) => self.compare(pc, OpCode::EQI, Operand::Num(Num::Int(*v))),
                Some(Constant::Nil | Constant::Bool(_)) => self.equal_identical(pc, i.b()),
                Some(Constant::Str(_)) if self.is_short_string(i.b()) => {
                    self.equal_identical(pc, i.b())
                }
                _ => self.step(pc),
            },
            OpCode::TEST => {
                // cond = R[A] is truthy; if cond ~= k then skip the jump.
                self.ins()
                    .local_get(L_BASE)
                    .i64_load(mem(hi(a)))
                    .i64_const(TAG_FALSE as i64)
                    .i64_gt_u()
                    .i32_const(i.k() as i32)
                    .i32_ne();
                self.branch_on_stack(pc);
            }
            OpCode::TESTSET => {
                let b = i.b();
                // if (isfalse(R[B]) == k) then skip, else R[A] := R[B] and jump.
                self.ins()
                    .local_get(L_BASE)
                    .i64_load(mem(hi(b)))
                    .i64_const(TAG_FALSE as i64)
                    .i64_le_u()
                    .i32_const(i.k() as i32)
                    .i32_eq()
                    .if_(BlockType::Empty);
                self.nested(|c| c.jump(pc as u32 + 2));
                self.copy_reg(a, b);
                self.jump(jump_target(self.code, pc + 1));
            }
            OpCode::NOT => {
                // R[A] := falsy(R[B]): `true` is {1, TAG_TRUE}, `false` is
                // {0, TAG_FALSE} (checked by `bool_encoding_fits_not`).
                let b = i.b();
                self.ins()
                    .local_get(L_BASE)
                    .local_get(L_BASE)
                    .i64_load(mem(hi(b)))
                    .i64_const(TAG_FALSE as i64)
                    .i64_le_u()
                    .i64_extend_i32_u()
                    .i64_store(mem(lo(a)))
                    .local_get(L_BASE)
                    .local_get(L_BASE)
                    .i64_load(mem(lo(a)))
                    .i64_const(TAG_FALSE as i64)
                    .i64_add()
                    .i64_store(mem(hi(a)));
            }
            OpCode::NEWTABLE => {
                // Sizes are static; the host allocates (and may collect).
                // (Verified code always has the `EXTRAARG` after it.)
                let next = self.code.get(pc + 1).copied().unwrap_or(Instr(0));
                let (array, hash) = i.new_table_sizes(next);
                self.ins()
                    .i32_const(pc as i32)
                    .i32_const(a as i32)
                    .i32_const(array as i32)
                    .i32_const(hash as i32)
                    .call(FN_NEW_TABLE);
                self.reload_base();
                self.jump(pc as u32 + 2);
            }
            OpCode::FORPREP => self.for_prep(pc),
            OpCode::FORLOOP => self.for_loop(pc),
            OpCode::LEN => self.length(pc),
            OpCode::TFORLOOP => {
                // if R[A+4] ~= nil { R[A+2] := R[A+4]; jump back }
                self.tag_is(a + 4, TAG_NIL);
                self.ins().i32_eqz().if_(BlockType::Empty);
                self.nested(|c| {
                    c.copy_reg(a + 2, a + 4);
                    c.jump(pc as u32 + 1 - i.bx());
                });
            }
            OpCode::GETI => self.int_key_access(pc, a, i.b(), ArrayKey::Const(i.c()), Access::Get),
            OpCode::GETTABLE => {
                self.int_key_access(pc, a, i.b(), ArrayKey::Reg(i.c()), Access::Get)
            }
            OpCode::SETI => {
                let value = rk(i.c(), i.k());
                self.int_key_access(pc, a, a, ArrayKey::Const(i.b()), Access::Set(value))
            }
            OpCode::SETTABLE => {
                let value = rk(i.c(), i.k());
                self.int_key_access(pc, a, a, ArrayKey::Reg(i.b()), Access::Set(value))
            }
            OpCode::GETFIELD if self.is_short_string(i.c()) => {
                self.field_get(pc, Place::Reg(i.b()), i.c(), false)
            }
            OpCode::GETTABUP if self.is_short_string(i.c()) => {
                self.field_get(pc, Place::Upval(i.b()), i.c(), false)
            }
            OpCode::SELF if i.k() && self.is_short_string(i.c()) => {
                self.field_get(pc, Place::Reg(i.b()), i.c(), true)
            }
            OpCode::SETFIELD if self.is_short_string(i.b()) => {
                self.field_set(pc, Place::Reg(a), i.b(), rk(i.c(), i.k()))
            }
            OpCode::SETTABUP if self.is_short_string(i.b()) => {
                self.field_set(pc, Place::Upval(a), i.b(), rk(i.c(), i.k()))
            }
            OpCode::CALL => self.call(pc),
            OpCode::TFORCALL => self.generic_for_call(pc),
            // Varargs (the frame would move back) and upvalues to close
            // take `step`.
            OpCode::TAILCALL if i.c() == 0 && !i.k() => {
                self.reg_address(a);
                self.ins()
                    .i32_const(i.b() as i32)
                    .call(helper(helpers::TAIL_CALL))
                    .if_(BlockType::Empty)
                    .return_()
                    .end();
                self.native_call_or_step(pc);
            }
            // Upvalues to close (`k`) and vararg frames (`C`) take `step`.
            OpCode::RETURN if !i.k() && i.c() == 0 => self.return_values(pc, i.b() as i32 - 1),
            OpCode::RETURN0 => self.return_small(pc, 0),
            OpCode::RETURN1 => self.return_small(pc, 1),
            OpCode::GETUPVAL => {
                self.upvalue_location(i.b());
                self.ins()
                    .local_get(L_BASE)
                    .local_get(L_ADDR)
                    .i64_load(mem(0))
                    .i64_store(mem(lo(a)))
                    .local_get(L_BASE)
                    .local_get(L_ADDR)
                    .i64_load(mem(8))
                    .i64_store(mem(hi(a)));
            }
            OpCode::SETUPVAL => {
                // No write barrier: the collector is stop-the-world.
                self.upvalue_location(i.b());
                self.ins()
                    .local_get(L_ADDR)
                    .local_get(L_BASE)
                    .i64_load(mem(lo(a)))
                    .i64_store(mem(0))
                    .local_get(L_ADDR)
                    .local_get(L_BASE)
                    .i64_load(mem(hi(a)))
                    .i64_store(mem(8));
            }
            // Operand of the instruction before it, which jumps over it.
            OpCode::EXTRAARG => {
                self.ins().unreachable();
            }
            _ => self.step(pc),
        }
    }

    /// Whether constant `k` is a short (hence interned) string.
    fn is_short_string(&self, k: u32) -> bool {
        matches!(self.proto.constants.get(k as usize),
            Some(Constant::Str(s)) if s.len() <= MAX_SHORT_STRING)
    }

    /// Pushes the byte address of constant `k` in guest memory.
    fn constant_address(&mut self, k: u32) {
        let global = self.constants;
        self.ins()
            .global_get(global)
            .i32_const((k * SLOT_BYTES) as i32)
            .i32_add();
    }

    /// Pushes the byte address of a value operand.
    fn value_address(&mut self, v: ValueRef) {
        match v {
            ValueRef::Reg(r) => self.reg_address(r),
            ValueRef::Const(k) => self.constant_address(k),
        }
    }

    /// Copies the 16-byte value at the address on top of the stack to the
    /// address below it (both consumed).
    fn copy_value(&mut self) {
        self.ins()
            .local_set(L_ADDR)
            .local_tee(L_NEXT)
            .local_get(L_ADDR)
            .i64_load(mem(0))
            .i64_store(mem(0))
            .local_get(L_NEXT)
            .local_get(L_ADDR)
            .i64_load(mem(8))
            .i64_store(mem(8));
    }

    /// `L_ADDR` = the byte address of the value at `place`.
    fn place_address(&mut self, place: Place) {
        match place {
            Place::Reg(r) => {
                self.reg_address(r);
                self.ins().local_set(L_ADDR);
            }
            Place::Upval(n) => self.upvalue_location(n),
        }
    }

    /// `EQK` against a constant that equals only an identical value: `nil`,
    /// a boolean, or a short string (interned: equal strings are the same
    /// object). No metamethod applies (`__eq` needs two tables or two
    /// userdata), so there is no slow path.
    fn equal_identical(&mut self, pc: usize, k: u32) {
        let i = self.code[pc];
        let a = i.a();
        self.constant_address(k);
        self.ins().local_set(L_ADDR);
        self.ins()
            .local_get(L_BASE)
            .i64_load(mem(hi(a)))
            .local_get(L_ADDR)
            .i64_load(mem(8))
            .i64_eq()
            .local_get(L_BASE)
            .i64_load(mem(lo(a)))
            .local_get(L_ADDR)
            .i64_load(mem(0))
            .i64_eq()
            .i32_and()
            .i32_const(i.k() as i32)
            .i32_ne();
        self.branch_on_stack(pc);
    }

    /// `R[A] := place[K[key]]` for a short-string key (`GETFIELD`,
    /// `GETTABUP`; with `method`, `SELF`, which also sets `R[A+1] :=
    /// R[B]`): the table's own value, or an `__index` table's, found by
    /// `index_str`. Non-tables and `__index` functions take `step`.
    fn field_get(&mut self, pc: usize, place: Place, key: u32, method: bool) {
        let i = self.code[pc];
        let a = i.a();
        // block $done { block $slow { ...fast path...; br $done } step }
        self.ins().block(BlockType::Empty).block(BlockType::Empty);
        self.place_address(place);
        if method {
            // A string receiver: its method, from the strings' metatable.
            self.ins()
                .local_get(L_ADDR)
                .i64_load(mem(8))
                .i64_const(TAG_STR as i64)
                .i64_eq()
                .if_(BlockType::Result(ValType::I32));
            self.constant_address(key);
            self.ins()
                .i32_load(word(0))
                .call(helper(helpers::STRING_INDEX))
                .else_();
        }
        self.ins()
            .local_get(L_ADDR)
            .i64_load(mem(8))
            .i64_const(TAG_TABLE as i64)
            .i64_ne()
            .br_if(if method { 1 } else { 0 })
            .local_get(L_ADDR)
            .i32_load(word(0));
        self.constant_address(key);
        self.ins()
            .i32_load(word(0))
            .call(helper(helpers::INDEX_STR));
        if method {
            self.ins().end();
        }
        self.ins().local_tee(L_NEXT).i32_eqz().br_if(0);
        if method {
            self.copy_reg(a + 1, i.b());
        }
        self.reg_address(a);
        self.ins().local_get(L_NEXT);
        self.copy_value();
        self.ins().br(1).end();
        self.nested(|c| c.step(pc));
    }

    /// `place[K[key]] := value` for a short-string key (`SETFIELD`,
    /// `SETTABUP`) through `set_str` (overwrites, and new keys in a table
    /// without metatable when their main position is free); everything
    /// else takes `step`.
    fn field_set(&mut self, pc: usize, place: Place, key: u32, value: ValueRef) {
        self.ins().block(BlockType::Empty).block(BlockType::Empty);
        self.place_address(place);
        self.ins()
            .local_get(L_ADDR)
            .i64_load(mem(8))
            .i64_const(TAG_TABLE as i64)
            .i64_ne()
            .br_if(0)
            .local_get(L_ADDR)
            .i32_load(word(0));
        self.constant_address(key);
        self.ins().i32_load(word(0));
        self.value_address(value);
        // No write barrier: the collector is stop-the-world.
        self.ins()
            .call(helper(helpers::SET_STR))
            .i32_eqz()
            .br_if(0)
            .br(1)
            .end();
        self.nested(|c| c.step(pc));
    }

    /// Integer-key access `R[dst] := R[table][key]` (get) or
    /// `R[table][key] := value` (set) in the array part or an existing
    /// hash node, when no metamethod can intervene: the slot holds a value
    /// (which hides `__index` and `__newindex`), or the table has no
    /// metatable. New keys (the insert may rehash) and every other case take
    /// `step`.
    ///
    /// `dst` is unused by a set, whose value comes with [`Access::Set`].
    fn int_key_access(&mut self, pc: usize, dst: u32, table: u32, key: ArrayKey, access: Access) {
        // block $done { block $slow { ...fast path...; br $done } step }
        self.ins().block(BlockType::Empty).block(BlockType::Empty);
        self.tag_is(table, TAG_TABLE);
        self.ins().i32_eqz().br_if(0);
        // L_NEXT = the table; 0-based index (i64) against the array size.
        self.ins()
            .local_get(L_BASE)
            .i32_load(word(lo(table)))
            .local_set(L_NEXT);
        match key {
            ArrayKey::Const(k) => {
                self.ins().i64_const(k as i64 - 1);
            }
            ArrayKey::Reg(r) => {
                self.tag_is(r, TAG_INT);
                self.ins()
                    .i32_eqz()
                    .br_if(0)
                    .local_get(L_BASE)
                    .i64_load(mem(lo(r)))
                    .i64_const(1)
                    .i64_sub();
            }
        }
        // L_ADDR = the value's address: in the array part if index < asize
        // (unsigned), else in the hash part's node for the key.
        self.ins()
            .local_tee(L_INDEX)
            .local_get(L_NEXT)
            .i64_load32_u(word(TABLE_ASIZE_BYTE))
            .i64_lt_u()
            .if_(BlockType::Empty)
            .local_get(L_NEXT)
            .i32_load(word(TABLE_ARRAY_BYTE))
            .local_get(L_INDEX)
            .i32_wrap_i64()
            .i32_const(SLOT_BYTES.trailing_zeros() as i32)
            .i32_shl()
            .i32_add()
            .local_set(L_ADDR)
            .else_()
            .local_get(L_NEXT)
            .local_get(L_INDEX)
            .i64_const(1)
            .i64_add()
            .call(helper(helpers::FIND_INT))
            .local_tee(L_ADDR)
            .i32_eqz()
            .if_(BlockType::Empty);
        match access {
            // An absent key reads as nil (the metatable check below).
            Access::Get => self
                .ins()
                .i32_const(rt_block::NIL_VALUE as i32)
                .local_set(L_ADDR),
            // A new key: the interpreter inserts it (may rehash).
            Access::Set(_) => self.ins().br(2),
        };
        self.ins().end().end();
        // A nil value reads or takes the value, unless `__index` or
        // `__newindex` might apply.
        match access {
            Access::Get => {
                self.ins()
                    .local_get(L_ADDR)
                    .i64_load(mem(8))
                    .i64_const(TAG_NIL as i64)
                    .i64_eq()
                    .local_get(L_NEXT)
                    .i32_load(word(TABLE_METATABLE_BYTE))
                    .i32_const(0)
                    .i32_ne()
                    .i32_and()
                    .br_if(0);
                for half in [0, 8] {
                    self.ins()
                        .local_get(L_BASE)
                        .local_get(L_ADDR)
                        .i64_load(mem(half))
                        .i64_store(mem(lo(dst) + half));
                }
            }
            // The old value only matters under a metatable: without one a
            // store to a cold slot does not wait for its cache miss.
            Access::Set(value) => {
                self.ins()
                    .local_get(L_NEXT)
                    .i32_load(word(TABLE_METATABLE_BYTE))
                    .if_(BlockType::Empty)
                    .local_get(L_ADDR)
                    .i64_load(mem(8))
                    .i64_const(TAG_NIL as i64)
                    .i64_eq()
                    .br_if(1)
                    .end()
                    .local_get(L_ADDR);
                self.value_address(value);
                self.copy_value();
            }
        }
        self.ins().br(1).end();
        if let ArrayKey::Reg(r) = key {
            self.string_key_access(dst, table, r, access);
        }
        self.nested(|c| c.step(pc));
    }

    /// The slow path of `GETTABLE`/`SETTABLE` tries a short-string key
    /// (interned, so the `GETFIELD`/`SETFIELD` helpers apply) before
    /// `step`; branches out of the enclosing `$done` block when it did the
    /// access.
    fn string_key_access(&mut self, dst: u32, table: u32, key: u32, access: Access) {
        self.ins().block(BlockType::Empty);
        self.tag_is(key, TAG_STR);
        self.tag_is(table, TAG_TABLE);
        self.ins()
            .i32_and()
            .i32_eqz()
            .br_if(0)
            .local_get(L_BASE)
            .i32_load(word(lo(key)))
            .i32_load(word(STRING_LEN_BYTE))
            .i32_const(MAX_SHORT_STRING as i32)
            .i32_gt_u()
            .br_if(0)
            .local_get(L_BASE)
            .i32_load(word(lo(table)))
            .local_get(L_BASE)
            .i32_load(word(lo(key)));
        match access {
            Access::Get => {
                self.ins()
                    .call(helper(helpers::INDEX_STR))
                    .local_tee(L_NEXT)
                    .i32_eqz()
                    .br_if(0);
                self.reg_address(dst);
                self.ins().local_get(L_NEXT);
                self.copy_value();
            }
            Access::Set(value) => {
                self.value_address(value);
                self.ins().call(helper(helpers::SET_STR)).i32_eqz().br_if(0);
            }
        }
        self.ins().br(1).end();
    }

    /// `addr` = byte address of the value of upvalue `n` of the running
    /// closure (the function value sits just below the frame base).
    fn upvalue_location(&mut self, n: u32) {
        self.ins()
            .local_get(L_BASE)
            .i32_const(SLOT_BYTES as i32)
            .i32_sub()
            .i32_load(word(0)) // closure offset (payload of the function value)
            .i32_load(word(LCLOSURE_UPVALS_BYTE + 4 * n))
            .i32_load(word(UPVAL_LOCATION_BYTE))
            .local_set(L_ADDR);
    }

    /// Jumps on the i32 on the stack: non-zero skips the following `JMP`
    /// (to `pc + 2`), zero takes it.
    fn branch_on_stack(&mut self, pc: usize) {
        self.ins().if_(BlockType::Empty);
        self.nested(|c| c.jump(pc as u32 + 2));
        self.jump(jump_target(self.code, pc + 1));
    }

    /// Pushes operand `c` as an i64 payload.
    fn push_int_operand(&mut self, c: Operand) {
        match c {
            Operand::Reg(r) => {
                self.ins().local_get(L_BASE).i64_load(mem(lo(r)));
            }
            Operand::Num(Num::Int(v)) => {
                self.ins().i64_const(v);
            }
            Operand::Num(Num::Float(v)) => {
                self.ins().i64_const(v.to_bits() as i64);
            }
        }
    }

    /// Pushes operand `c` as an f64.
    fn push_float_operand(&mut self, c: Operand) {
        match c {
            Operand::Reg(r) => {
                self.ins().local_get(L_BASE).f64_load(mem(lo(r)));
            }
            Operand::Num(Num::Float(v)) => {
                self.ins().f64_const(v.into());
            }
            Operand::Num(Num::Int(v)) => {
                self.ins().f64_const((v as f64).into());
            }
        }
    }

    /// `R[A] := R[B] op c` for ADD, SUB, MUL, MOD, IDIV and DIV: integer
    /// and float fast paths where Lua's result is plain arithmetic, `step`
    /// otherwise (mixed operands, strings, metamethods, division by zero,
    /// float `%`).
    fn arith(&mut self, pc: usize, opc: OpCode, c: Operand) {
        let i = self.code[pc];
        let (a, b) = (i.a(), i.b());
        // Which fast paths apply depends on the operation and the
        // constant's type (a float constant never meets the integer path).
        let int_const = match c {
            Operand::Num(Num::Int(v)) => Some(v),
            _ => None,
        };
        let try_int = match opc {
            // Integer `%` and `//` need a divisor other than 0 (an error)
            // and, for `//`, -1 (the quotient of minint overflows).
            OpCode::MOD => int_const.is_none_or(|v| v != 0),
            OpCode::IDIV => int_const.is_none_or(|v| v != 0 && v != -1),
            _ => true,
        } && !matches!(c, Operand::Num(Num::Float(_)));
        let try_float = match opc {
            // Float `%` is fmod with Lua's sign rule: left to `step`.
            OpCode::MOD => false,
            OpCode::IDIV | OpCode::DIV => true,
            _ => !matches!(c, Operand::Num(Num::Int(_))),
        };
        let mut opened = 0;
        for (tag, wanted) in [(TAG_INT, try_int), (TAG_FLOAT, try_float)] {
            if wanted {
                self.arith_path(opc, a, b, c, tag);
                opened += 1;
            }
        }
        if opc != OpCode::MOD {
            self.mixed_arith_path(opc, a, b, c);
            opened += 1;
        }
        self.step(pc);
        for _ in 0..opened {
            self.ins().end();
            self.extra -= 1;
        }
    }

    /// Opens `if tag(R[B]) == tag (and tag(c) == tag)` with the arithmetic
    /// for that number type inside, ending in the `else` that leads to the
    /// next path; the caller closes the `if`.
    fn arith_path(&mut self, opc: OpCode, a: u32, b: u32, c: Operand, tag: u64) {
        let float = tag == TAG_FLOAT;
        self.both_tagged(b, c, tag);
        if !float && let Operand::Reg(rc) = c {
            // A register divisor of the integer path: not 0 (nor -1 for `//`).
            match opc {
                OpCode::MOD => {
                    self.ins()
                        .local_get(L_BASE)
                        .i64_load(mem(lo(rc)))
                        .i64_const(0)
                        .i64_ne()
                        .i32_and();
                }
                OpCode::IDIV => {
                    self.ins()
                        .local_get(L_BASE)
                        .i64_load(mem(lo(rc)))
                        .i64_const(1)
                        .i64_add()
                        .i64_const(1)
                        .i64_gt_u()
                        .i32_and();
                }
                _ => {}
            }
        }
        self.ins().if_(BlockType::Empty);
        self.extra += 1;
        self.ins().local_get(L_BASE);
        let result_tag = if float || opc == OpCode::DIV {
            TAG_FLOAT
        } else {
            TAG_INT
        };
        if float {
            self.ins().local_get(L_BASE).f64_load(mem(lo(b)));
            self.push_float_operand(c);
            match opc {
                OpCode::ADD => self.ins().f64_add(),
                OpCode::SUB => self.ins().f64_sub(),
                OpCode::MUL => self.ins().f64_mul(),
                OpCode::IDIV => self.ins().f64_div().f64_floor(),
                _ => self.ins().f64_div(),
            };
            self.ins().f64_store(mem(lo(a)));
        } else if opc == OpCode::DIV {
            // `/` of two integers is the float quotient.
            self.ins()
                .local_get(L_BASE)
                .i64_load(mem(lo(b)))
                .f64_convert_i64_s();
            self.push_int_operand(c);
            self.ins()
                .f64_convert_i64_s()
                .f64_div()
                .f64_store(mem(lo(a)));
        } else {
            self.ins().local_get(L_BASE).i64_load(mem(lo(b)));
            self.push_int_operand(c);
            match opc {
                OpCode::ADD => {
                    self.ins().i64_add();
                }
                OpCode::SUB => {
                    self.ins().i64_sub();
                }
                OpCode::MUL => {
                    self.ins().i64_mul();
                }
                OpCode::MOD => self.int_mod(c),
                _ => self.int_floor_div(b, c),
            }
            self.ins().i64_store(mem(lo(a)));
        }
        self.ins()
            .local_get(L_BASE)
            .i64_const(result_tag as i64)
            .i64_store(mem(hi(a)))
            .else_();
    }

    /// Opens `if` the operands are numbers, not both integers, with the
    /// float arithmetic on both converted to floats inside (Lua converts an
    /// integer operand of a mixed operation); ends in the `else` for `step`.
    fn mixed_arith_path(&mut self, opc: OpCode, a: u32, b: u32, c: Operand) {
        self.is_number(b);
        match c {
            Operand::Reg(rc) => {
                self.is_number(rc);
                self.both_tagged(b, c, TAG_INT);
                self.ins().i32_eqz().i32_and().i32_and();
            }
            // An integer constant: the register must be the float.
            Operand::Num(Num::Int(_)) => {
                self.tag_is(b, TAG_FLOAT);
                self.ins().i32_and();
            }
            Operand::Num(Num::Float(_)) => {}
        }
        self.ins().if_(BlockType::Empty);
        self.extra += 1;
        self.ins().local_get(L_BASE);
        self.push_as_float(b);
        match c {
            Operand::Reg(rc) => self.push_as_float(rc),
            Operand::Num(_) => self.push_float_operand(c),
        }
        match opc {
            OpCode::ADD => self.ins().f64_add(),
            OpCode::SUB => self.ins().f64_sub(),
            OpCode::MUL => self.ins().f64_mul(),
            OpCode::IDIV => self.ins().f64_div().f64_floor(),
            _ => self.ins().f64_div(),
        };
        self.ins()
            .f64_store(mem(lo(a)))
            .local_get(L_BASE)
            .i64_const(TAG_FLOAT as i64)
            .i64_store(mem(hi(a)))
            .else_();
    }

    /// Pushes `R[r]` is a number (i32).
    fn is_number(&mut self, r: u32) {
        const _: () = assert!(TAG_FLOAT == TAG_INT + 1, "numbers are two adjacent tags");
        self.ins()
            .local_get(L_BASE)
            .i64_load(mem(hi(r)))
            .i64_const(TAG_INT as i64)
            .i64_sub()
            .i64_const(2)
            .i64_lt_u();
    }

    /// Pushes number register `r` as an f64 (an integer converted).
    fn push_as_float(&mut self, r: u32) {
        self.ins()
            .local_get(L_BASE)
            .i64_load(mem(lo(r)))
            .f64_convert_i64_s()
            .local_get(L_BASE)
            .f64_load(mem(lo(r)));
        self.tag_is(r, TAG_INT);
        self.ins().select();
    }

    /// `x % y` as Lua defines it for integers, with `x` and `y` (not 0) on
    /// the stack: the remainder takes the divisor's sign.
    fn int_mod(&mut self, y: Operand) {
        // r = x rem y; r + (r != 0 && (r ^ y) < 0 ? y : 0)
        self.ins().i64_rem_s().local_tee(L_INDEX);
        self.push_int_operand(y);
        self.ins()
            .i64_const(0)
            .local_get(L_INDEX)
            .i64_const(0)
            .i64_ne()
            .local_get(L_INDEX);
        self.push_int_operand(y);
        self.ins()
            .i64_xor()
            .i64_const(0)
            .i64_lt_s()
            .i32_and()
            .select()
            .i64_add();
    }

    /// `x // y` as Lua defines it for integers, with `x` and `y` (neither
    /// 0 nor -1) on the stack: the quotient rounded towards minus infinity.
    fn int_floor_div(&mut self, b: u32, y: Operand) {
        // q = x div y; q - (x rem y != 0 && (x ^ y) < 0)
        self.ins()
            .i64_div_s()
            .local_get(L_BASE)
            .i64_load(mem(lo(b)));
        self.push_int_operand(y);
        self.ins()
            .i64_rem_s()
            .i64_const(0)
            .i64_ne()
            .local_get(L_BASE)
            .i64_load(mem(lo(b)));
        self.push_int_operand(y);
        self.ins()
            .i64_xor()
            .i64_const(0)
            .i64_lt_s()
            .i32_and()
            .i64_extend_i32_u()
            .i64_sub();
    }

    /// `UNM`: integer (wrapping) and float negation inline, `step` for
    /// strings and `__unm`.
    fn negate(&mut self, pc: usize) {
        let i = self.code[pc];
        let (a, b) = (i.a(), i.b());
        for tag in [TAG_INT, TAG_FLOAT] {
            self.tag_is(b, tag);
            self.ins().if_(BlockType::Empty).local_get(L_BASE);
            if tag == TAG_INT {
                // Wrapping, as Lua's integer negation.
                self.ins()
                    .i64_const(0)
                    .local_get(L_BASE)
                    .i64_load(mem(lo(b)))
                    .i64_sub()
                    .i64_store(mem(lo(a)));
            } else {
                self.ins()
                    .local_get(L_BASE)
                    .f64_load(mem(lo(b)))
                    .f64_neg()
                    .f64_store(mem(lo(a)));
            }
            self.ins()
                .local_get(L_BASE)
                .i64_const(tag as i64)
                .i64_store(mem(hi(a)))
                .else_();
            self.extra += 1;
        }
        self.step(pc);
        for _ in 0..2 {
            self.ins().end();
            self.extra -= 1;
        }
    }

    /// Pushes `tag(R[r]) == tag`, and-ed with the same test of `c` when it
    /// is a register (a constant operand's type is known statically).
    fn both_tagged(&mut self, r: u32, c: Operand, tag: u64) {
        self.tag_is(r, tag);
        if let Operand::Reg(rc) = c {
            self.tag_is(rc, tag);
            self.ins().i32_and();
        }
    }

    /// Opens `if` both operands have `tag` with the comparison and its
    /// jumps inside, ending in the `else` for the next path (the caller
    /// closes the `if`).
    fn compare_path(&mut self, pc: usize, opc: OpCode, c: Operand, tag: u64) {
        let i = self.code[pc];
        let a = i.a();
        self.both_tagged(a, c, tag);
        self.ins().if_(BlockType::Empty);
        self.extra += 1;
        if tag == TAG_FLOAT {
            self.ins().local_get(L_BASE).f64_load(mem(lo(a)));
            self.push_float_operand(c);
            match opc {
                OpCode::LT | OpCode::LTI => self.ins().f64_lt(),
                OpCode::LE | OpCode::LEI => self.ins().f64_le(),
                OpCode::GTI => self.ins().f64_gt(),
                OpCode::GEI => self.ins().f64_ge(),
                _ => self.ins().f64_eq(),
            };
        } else {
            self.ins().local_get(L_BASE).i64_load(mem(lo(a)));
            self.push_int_operand(c);
            match opc {
                OpCode::LT | OpCode::LTI => self.ins().i64_lt_s(),
                OpCode::LE | OpCode::LEI => self.ins().i64_le_s(),
                OpCode::GTI => self.ins().i64_gt_s(),
                OpCode::GEI => self.ins().i64_ge_s(),
                _ => self.ins().i64_eq(),
            };
        }
        self.ins().i32_const(i.k() as i32).i32_ne();
        self.branch_on_stack(pc);
        self.ins().else_();
    }

    /// Numeric comparisons with a following `JMP`: integer fast path (and
    /// float for register pairs), `step` otherwise.
    fn compare(&mut self, pc: usize, opc: OpCode, c: Operand) {
        self.compare_path(pc, opc, c, TAG_INT);
        let mut opened = 1;
        // Float path: register pairs for LT/LE, float R[A] against an
        // immediate (compared as a float, as Lua does).
        let float_path = match (c, opc) {
            (Operand::Reg(_), OpCode::LT | OpCode::LE) => true,
            // Exact only while the integer converts to a float exactly
            // (always for sB immediates; not for every EQK constant).
            (Operand::Num(Num::Int(v)), _) => v.unsigned_abs() <= 1 << 53,
            (Operand::Num(Num::Float(_)), _) => true,
            _ => false,
        };
        if float_path {
            self.compare_path(pc, opc, c, TAG_FLOAT);
            opened += 1;
        }
        self.step(pc);
        for _ in 0..opened {
            self.ins().end();
            self.extra -= 1;
        }
    }

    /// `LEN`: strings inline (their length is in the header), tables
    /// through `table_len` (borders in the array part or right after it,
    /// when no `__len` applies); the rest takes `step`.
    fn length(&mut self, pc: usize) {
        let i = self.code[pc];
        let (a, b) = (i.a(), i.b());
        // block $done { block $slow { ... br $done } step }
        self.ins()
            .block(BlockType::Empty)
            .block(BlockType::Empty)
            .local_get(L_BASE);
        self.tag_is(b, TAG_STR);
        self.ins()
            .if_(BlockType::Result(ValType::I64))
            .local_get(L_BASE)
            .i32_load(word(lo(b)))
            .i64_load32_u(word(STRING_LEN_BYTE))
            .else_();
        self.tag_is(b, TAG_TABLE);
        // (Inside the `if`: depth 1 is `$slow`.)
        self.ins()
            .i32_eqz()
            .br_if(1)
            .local_get(L_BASE)
            .i32_load(word(lo(b)))
            .call(helper(helpers::TABLE_LEN))
            .local_tee(L_NEXT)
            .i32_const(0)
            .i32_lt_s()
            .br_if(1)
            .local_get(L_NEXT)
            .i64_extend_i32_u()
            .end()
            .i64_store(mem(lo(a)))
            .local_get(L_BASE)
            .i64_const(TAG_INT as i64)
            .i64_store(mem(hi(a)))
            .br(1)
            .end();
        self.nested(|c| c.step(pc));
    }

    /// `FORPREP` with integer start, limit and a positive integer step inline
    /// (the loops people write); everything else (float loops, negative
    /// steps, the errors) takes `step`.
    fn for_prep(&mut self, pc: usize) {
        let i = self.code[pc];
        let a = i.a();
        let skip = pc as u32 + i.bx() + 2;
        for r in [a, a + 1, a + 2] {
            self.tag_is(r, TAG_INT);
        }
        self.ins()
            .i32_and()
            .i32_and()
            .local_get(L_BASE)
            .i64_load(mem(lo(a + 2)))
            .i64_const(0)
            .i64_gt_s()
            .i32_and()
            .if_(BlockType::Empty);
        self.extra += 1;
        self.copy_reg(a + 3, a);
        // if start > limit { skip the loop }
        self.ins()
            .local_get(L_BASE)
            .i64_load(mem(lo(a)))
            .local_get(L_BASE)
            .i64_load(mem(lo(a + 1)))
            .i64_gt_s()
            .if_(BlockType::Empty);
        self.nested(|c| c.jump(skip));
        // The limit slot becomes the iteration count, as in the interpreter.
        self.ins()
            .local_get(L_BASE)
            .local_get(L_BASE)
            .i64_load(mem(lo(a + 1)))
            .local_get(L_BASE)
            .i64_load(mem(lo(a)))
            .i64_sub()
            .local_get(L_BASE)
            .i64_load(mem(lo(a + 2)))
            .i64_div_u()
            .i64_store(mem(lo(a + 1)));
        self.ins().else_();
        self.extra -= 1;
        self.nested(|c| c.step(pc));
    }

    /// `FORLOOP` with an integer step inline (the count of remaining
    /// iterations is in `R[A+1]`, as the interpreter's `FORPREP` set it up);
    /// float loops go through `step`.
    fn for_loop(&mut self, pc: usize) {
        let i = self.code[pc];
        let a = i.a();
        let back = pc as u32 + 1 - i.bx();
        self.tag_is(a + 2, TAG_INT);
        self.ins().if_(BlockType::Empty);
        self.extra += 1;
        // if count > 0 (unsigned) { count -= 1; idx += step; R[A+3] = idx; jump back }
        self.ins()
            .local_get(L_BASE)
            .i64_load(mem(lo(a + 1)))
            .i64_const(0)
            .i64_ne()
            .if_(BlockType::Empty);
        self.extra += 1;
        self.ins()
            .local_get(L_BASE)
            .local_get(L_BASE)
            .i64_load(mem(lo(a + 1)))
            .i64_const(1)
            .i64_sub()
            .i64_store(mem(lo(a + 1)))
            .local_get(L_BASE)
            .local_get(L_BASE)
            .i64_load(mem(lo(a)))
            .local_get(L_BASE)
            .i64_load(mem(lo(a + 2)))
            .i64_add()
            .i64_store(mem(lo(a)))
            .local_get(L_BASE)
            .local_get(L_BASE)
            .i64_load(mem(lo(a)))
            .i64_store(mem(lo(a + 3)))
            .local_get(L_BASE)
            .i64_const(TAG_INT as i64)
            .i64_store(mem(hi(a + 3)));
        self.jump(back);
        self.ins().end();
        self.extra -= 1;
        self.ins().else_();
        self.step(pc);
        self.ins().end();
        self.extra -= 1;
    }
}

/// Where a table operand lives.
#[derive(Clone, Copy)]
enum Place {
    /// A register.
    Reg(u32),
    /// An upvalue of the running closure (`_ENV`, mostly).
    Upval(u32),
}

/// A value operand: a register or a constant (`RK(C)`).
#[derive(Clone, Copy)]
enum ValueRef {
    Reg(u32),
    Const(u32),
}

/// Operand `c` of an instruction whose `k` flag selects a constant.
fn rk(c: u32, k: bool) -> ValueRef {
    if k {
        ValueRef::Const(c)
    } else {
        ValueRef::Reg(c)
    }
}

/// The integer key of an integer-key access.
#[derive(Clone, Copy)]
enum ArrayKey {
    /// An immediate (`GETI`, `SETI`).
    Const(u32),
    /// A register (`GETTABLE`, `SETTABLE`).
    Reg(u32),
}

/// Direction of an integer-key access.
#[derive(Clone, Copy)]
enum Access {
    Get,
    /// Stores this value.
    Set(ValueRef),
}

/// The second operand of an arithmetic or comparison template.
#[derive(Clone, Copy)]
enum Operand {
    Reg(u32),
    Num(Num),
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `NOT` template computes both words of a boolean from one bit.
    #[test]
    fn bool_encoding_fits_not() {
        assert_eq!(Value::FALSE.payload(), 0);
        assert_eq!(Value::TRUE.payload(), 1);
        assert_eq!(Value::TRUE.tag(), TAG_FALSE + 1);
    }
}
