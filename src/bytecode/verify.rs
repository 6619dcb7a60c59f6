//! The bytecode verifier: the security boundary between untrusted slot
//! bytecode and the execution tiers (design decision 12).
//!
//! [`verify`] checks every prototype of a tree so that the interpreter and
//! the code generators can index registers, constants, upvalues and nested
//! prototypes, follow jumps and read `EXTRAARG` words **without any further
//! bounds checks** on those properties. It is a static, single-pass check per
//! proto in the spirit of Lua 5.1's `luaG_checkcode`/`symbexec`, adapted to
//! Lua 5.4's instruction set (which our ISA follows, minus `MMBIN*`).
//!
//! What the verifier guarantees for a proto `f` with frame size `n =
//! f.max_stack_size` (the full list, with the rule names used in errors, is
//! in `docs/bytecode.md`):
//!
//! - every opcode is valid and every *static* register operand or range lies
//!   in `0..n` (ranges ending at `top` are dynamic: the interpreter grows the
//!   stack when it sets `top`);
//! - every `K`, `U` and `P` index is in range and `K` operands have the type
//!   the opcode relies on (short-string keys, numeric/integer arithmetic
//!   operands, string method names);
//! - every control-flow successor (fall-through, jump, skip) is an
//!   instruction of `f` and never an `EXTRAARG`; nothing falls off the end;
//! - `EXTRAARG` follows exactly the instructions that consume it; test
//!   instructions are followed by `JMP`; loops are paired as the Lua 5.4
//!   compiler emits them;
//! - a `top`-consuming instruction (`B == 0`) is reached only by falling
//!   through from the `top`-setting instruction right before it, which starts
//!   at or after the registers the consumer reads;
//! - vararg shape (`VARARGPREP`, `VARARG`, `RETURN`'s `C`) matches
//!   `is_vararg`/`num_params`;
//! - debug info is consistent (one line per instruction, local ranges inside
//!   the code) and nested protos' upvalue descriptors name existing
//!   registers/upvalues of their parent;
//! - the nesting depth is at most [`MAX_NESTING_DEPTH`].
//!
//! The verifier does **not** track value types in registers: tiers must still
//! check the tag of every value they read (e.g. `FORLOOP`'s hidden control
//! registers can be overwritten by a malicious loop body).

use std::fmt;

use super::isa::{Instr, MAX_ARG_BX, MAX_REGISTERS, OpCode};
use super::proto::{Constant, Proto};

/// Maximum nesting depth of prototypes (the root is depth 0), the same
/// bound Lua puts on nested functions (`LUAI_MAXCCALLS`). Keeps every
/// recursive walk over a verified tree shallow.
pub const MAX_NESTING_DEPTH: usize = 200;

/// Largest number of upvalues a proto may have (`B` of `GETUPVAL` is 8 bits;
/// Lua's `MAXUPVAL`).
pub const MAX_UPVALUES: usize = 255;

/// Smallest frame: Lua's compiler always reserves registers 0 and 1
/// (`open_func` sets `maxstacksize = 2`), and runtime helpers may rely on it.
pub const MIN_STACK_SIZE: u8 = 2;

/// The rule a proto violated. The [`fmt::Display`] form is a stable,
/// kebab-case name used in messages and documentation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Rule {
    /// The code is empty.
    EmptyCode,
    /// An opcode number names no opcode.
    InvalidOpcode,
    /// `max_stack_size` is above [`MAX_REGISTERS`], below [`MIN_STACK_SIZE`]
    /// or below `num_params`.
    StackSize,
    /// A register operand or range reaches beyond `max_stack_size`.
    RegisterRange,
    /// A constant index is out of range.
    ConstantIndex,
    /// A constant has the wrong type for the opcode.
    ConstantType,
    /// An upvalue index is out of range, or there are too many upvalues.
    UpvalueIndex,
    /// A `CLOSURE` index is out of range, or there are too many protos.
    ProtoIndex,
    /// A jump, skip or fall-through leaves the code (including falling off
    /// the end).
    JumpTarget,
    /// A control-flow successor is an `EXTRAARG`.
    TargetIsExtraArg,
    /// A test instruction is not followed by `JMP`.
    TestWithoutJump,
    /// An instruction that needs an `EXTRAARG` is not followed by one.
    MissingExtraArg,
    /// An `EXTRAARG` does not follow an instruction that consumes it.
    StrayExtraArg,
    /// A numeric or generic `for` is not shaped as the compiler emits it.
    LoopShape,
    /// A `top`-consuming / `top`-producing pair is broken.
    OpenRange,
    /// Vararg shape (`VARARGPREP`, `VARARG`, `RETURN`'s `C`) mismatch.
    Vararg,
    /// An operand has a value the opcode cannot execute (e.g. `CONCAT` of
    /// fewer than two values).
    Operand,
    /// `line_info` does not have one entry per instruction.
    LineInfo,
    /// A local variable range lies outside the code.
    LocalVar,
    /// An upvalue descriptor of a nested proto names a register or upvalue
    /// its parent does not have.
    UpvalueDesc,
    /// Protos are nested deeper than [`MAX_NESTING_DEPTH`].
    Depth,
}

impl Rule {
    /// Every rule, in documentation order (keep in step with [`Rule::name`],
    /// whose exhaustive match lists them too).
    pub const ALL: &'static [Rule] = &[
        Rule::EmptyCode,
        Rule::InvalidOpcode,
        Rule::StackSize,
        Rule::RegisterRange,
        Rule::ConstantIndex,
        Rule::ConstantType,
        Rule::UpvalueIndex,
        Rule::ProtoIndex,
        Rule::JumpTarget,
        Rule::TargetIsExtraArg,
        Rule::TestWithoutJump,
        Rule::MissingExtraArg,
        Rule::StrayExtraArg,
        Rule::LoopShape,
        Rule::OpenRange,
        Rule::Vararg,
        Rule::Operand,
        Rule::LineInfo,
        Rule::LocalVar,
        Rule::UpvalueDesc,
        Rule::Depth,
    ];

    /// Stable kebab-case name of the rule.
    pub const fn name(self) -> &'static str {
        match self {
            Rule::EmptyCode => "empty-code",
            Rule::InvalidOpcode => "invalid-opcode",
            Rule::StackSize => "stack-size",
            Rule::RegisterRange => "register-range",
            Rule::ConstantIndex => "constant-index",
            Rule::ConstantType => "constant-type",
            Rule::UpvalueIndex => "upvalue-index",
            Rule::ProtoIndex => "proto-index",
            Rule::JumpTarget => "jump-target",
            Rule::TargetIsExtraArg => "target-is-extraarg",
            Rule::TestWithoutJump => "test-without-jump",
            Rule::MissingExtraArg => "missing-extraarg",
            Rule::StrayExtraArg => "stray-extraarg",
            Rule::LoopShape => "loop-shape",
            Rule::OpenRange => "open-range",
            Rule::Vararg => "vararg",
            Rule::Operand => "operand",
            Rule::LineInfo => "line-info",
            Rule::LocalVar => "local-var",
            Rule::UpvalueDesc => "upvalue-desc",
            Rule::Depth => "depth",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A verification failure: which proto, where, which rule and why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}: bytecode verification failed in {function} [{path}]{}: {rule}: {detail}",
    Self::CODE,
    match .pc { Some(pc) => format!(" at pc {pc}"), None => String::new() })]
pub struct VerifyError {
    /// Human name of the proto, e.g. `function <x.lua:12>` or `main chunk <x.lua>`.
    pub function: String,
    /// Position in the proto tree: `main`, `main/P[2]/P[0]`, ...
    pub path: String,
    /// 0-based instruction index, when the violation is at an instruction.
    pub pc: Option<usize>,
    /// The violated rule.
    pub rule: Rule,
    /// What exactly is wrong.
    pub detail: String,
}

impl VerifyError {
    /// Stable error code of every verification failure.
    pub const CODE: &'static str = "SJ-SBC-VERIFY";

    /// The stable error code ([`VerifyError::CODE`]).
    pub fn code(&self) -> &'static str {
        Self::CODE
    }
}

/// Lua's `luaO_chunkid`, simplified: how a chunk name is shown in messages.
pub fn chunk_id(source: &str) -> String {
    if let Some(rest) = source
        .strip_prefix('@')
        .or_else(|| source.strip_prefix('='))
    {
        rest.to_string()
    } else if source.is_empty() {
        "?".to_string()
    } else {
        let first = source.lines().next().unwrap_or("");
        let mut short: String = first.chars().take(40).collect();
        if short.len() < source.len() {
            short.push_str("...");
        }
        format!("[string \"{short}\"]")
    }
}

/// How a proto is named in messages: `main chunk <x.lua>` for a root whose
/// `line_defined` is 0, `function <x.lua:12>` otherwise (as in `lua5.4`).
pub fn function_name(proto: &Proto, is_root: bool) -> String {
    let src = chunk_id(&proto.source);
    if is_root && proto.line_defined == 0 {
        format!("main chunk <{src}>")
    } else {
        format!("function <{src}:{}>", proto.line_defined)
    }
}

/// Verifies a whole proto tree (the root and every nested proto).
///
/// On success every property listed in the module documentation holds for
/// every proto. Works iteratively, so even an absurdly deep hand-built tree
/// yields a [`Rule::Depth`] error rather than a stack overflow, and memory
/// stays proportional to the depth, not the size, of the tree.
pub fn verify(root: &Proto) -> Result<(), VerifyError> {
    verify_one(root, None, &[])?;
    // Depth-first; the stack holds (proto, index of its next child) and the
    // child indices taken so far are the path used in messages.
    let mut stack: Vec<(&Proto, usize)> = vec![(root, 0)];
    let mut path: Vec<usize> = Vec::new();
    while let Some(top) = stack.last_mut() {
        let (parent, next) = *top;
        let Some(child) = parent.protos.get(next) else {
            stack.pop();
            path.pop();
            continue;
        };
        top.1 += 1;
        path.push(next);
        if path.len() > MAX_NESTING_DEPTH {
            let cx = Checker {
                p: child,
                parent: Some(parent),
                path: &path,
            };
            return Err(cx.err(
                None,
                Rule::Depth,
                format!("nesting depth {} exceeds {MAX_NESTING_DEPTH}", path.len()),
            ));
        }
        verify_one(child, Some(parent), &path)?;
        stack.push((child, 0));
    }
    Ok(())
}

/// Verifies one proto (not its children) and its upvalue descriptors against
/// `parent` (`None` for a root, whose upvalues the loader provides).
///
/// [`verify`] is what loaders should call; this is for tools that check a
/// tree piece by piece. `path` (child indices from the root) is only used in
/// messages.
pub fn verify_one(
    proto: &Proto,
    parent: Option<&Proto>,
    path: &[usize],
) -> Result<(), VerifyError> {
    Checker {
        p: proto,
        parent,
        path,
    }
    .check()
}

/// `main`, `main/P[2]/P[0]`, ...: a position in a proto tree.
pub fn path_string(path: &[usize]) -> String {
    let mut s = String::from("main");
    for i in path {
        s.push_str(&format!("/P[{i}]"));
    }
    s
}

struct Checker<'a> {
    p: &'a Proto,
    parent: Option<&'a Proto>,
    path: &'a [usize],
}

/// Does instruction `op` (with its `k` flag) consume the following word as
/// an `EXTRAARG`? `NEWTABLE` always does, as in Lua 5.4 (its `Ax` is only
/// *used* when `k` is set, but the word is always there and always skipped).
fn takes_extra_arg(op: OpCode, k: bool) -> bool {
    match op {
        OpCode::LOADKX | OpCode::NEWTABLE => true,
        OpCode::SETLIST => k,
        _ => false,
    }
}

/// Does `i` set `top` for the next instruction (Lua's `isOT`)? `TAILCALL`
/// always counts, whatever its `C`, as in Lua 5.4.
fn sets_top(op: OpCode, i: Instr) -> bool {
    op.flags().sets_top() && (i.c() == 0 || op == OpCode::TAILCALL)
}

/// Does `i` read `top` set by the previous instruction (Lua's `isIT`)?
fn uses_top(op: OpCode, i: Instr) -> bool {
    op.flags().uses_top() && i.b() == 0
}

impl Checker<'_> {
    fn err(&self, pc: Option<usize>, rule: Rule, detail: String) -> VerifyError {
        let detail = match pc.and_then(|pc| self.p.code.get(pc)) {
            Some(i) => format!("{}: {detail}", op_label(*i)),
            None => detail,
        };
        VerifyError {
            function: function_name(self.p, self.parent.is_none()),
            path: path_string(self.path),
            pc,
            rule,
            detail,
        }
    }

    fn check(&self) -> Result<(), VerifyError> {
        self.check_header()?;
        self.check_debug_info()?;
        self.check_upvalue_descs()?;
        self.check_code()
    }

    fn check_header(&self) -> Result<(), VerifyError> {
        let p = self.p;
        if u32::from(p.max_stack_size) > MAX_REGISTERS {
            return Err(self.err(
                None,
                Rule::StackSize,
                format!(
                    "max_stack_size {} exceeds {MAX_REGISTERS}",
                    p.max_stack_size
                ),
            ));
        }
        if p.max_stack_size < MIN_STACK_SIZE || p.max_stack_size < p.num_params {
            return Err(self.err(
                None,
                Rule::StackSize,
                format!(
                    "max_stack_size {} is below max({MIN_STACK_SIZE}, num_params {})",
                    p.max_stack_size, p.num_params
                ),
            ));
        }
        if p.upvalues.len() > MAX_UPVALUES {
            return Err(self.err(
                None,
                Rule::UpvalueIndex,
                format!(
                    "{} upvalues exceed the limit {MAX_UPVALUES}",
                    p.upvalues.len()
                ),
            ));
        }
        if p.protos.len() > MAX_ARG_BX as usize + 1 {
            return Err(self.err(
                None,
                Rule::ProtoIndex,
                format!("{} nested protos exceed the CLOSURE range", p.protos.len()),
            ));
        }
        if p.code.is_empty() {
            return Err(self.err(
                None,
                Rule::EmptyCode,
                "a function needs at least a return".into(),
            ));
        }
        Ok(())
    }

    fn check_debug_info(&self) -> Result<(), VerifyError> {
        let p = self.p;
        if p.line_info.len() != p.code.len() {
            return Err(self.err(
                None,
                Rule::LineInfo,
                format!(
                    "{} line entries for {} instructions",
                    p.line_info.len(),
                    p.code.len()
                ),
            ));
        }
        for (i, v) in p.local_vars.iter().enumerate() {
            if v.start_pc > v.end_pc || v.end_pc as usize > p.code.len() {
                return Err(self.err(
                    None,
                    Rule::LocalVar,
                    format!(
                        "local #{i} '{}' has range {}..{} outside 0..={}",
                        v.name,
                        v.start_pc,
                        v.end_pc,
                        p.code.len()
                    ),
                ));
            }
        }
        Ok(())
    }

    fn check_upvalue_descs(&self) -> Result<(), VerifyError> {
        // A root's upvalues are supplied by the loader (`_ENV` first).
        let Some(parent) = self.parent else {
            return Ok(());
        };
        for (i, u) in self.p.upvalues.iter().enumerate() {
            let (limit, what) = if u.in_stack {
                (usize::from(parent.max_stack_size), "register")
            } else {
                (parent.upvalues.len(), "upvalue")
            };
            if usize::from(u.index) >= limit {
                return Err(self.err(
                    None,
                    Rule::UpvalueDesc,
                    format!(
                        "upvalue #{i} ({}) captures parent {what} {} but the parent has {limit}",
                        u.name.as_deref().unwrap_or("?"),
                        u.index
                    ),
                ));
            }
        }
        Ok(())
    }

    fn check_code(&self) -> Result<(), VerifyError> {
        let p = self.p;
        let len = p.code.len();
        // First pass: decode opcodes so later checks can look at neighbours.
        let mut ops = Vec::with_capacity(len);
        for (pc, i) in p.code.iter().enumerate() {
            match i.opcode() {
                Some(op) => ops.push(op),
                None => {
                    return Err(self.err(
                        Some(pc),
                        Rule::InvalidOpcode,
                        format!("opcode number {} is not an opcode", i.op_byte()),
                    ));
                }
            }
        }
        // EXTRAARG placement first, so a misplaced one is reported as such
        // rather than as "control reaches EXTRAARG" from its predecessor.
        for pc in 0..len {
            if ops[pc] == OpCode::EXTRAARG {
                let ok = pc > 0 && takes_extra_arg(ops[pc - 1], p.code[pc - 1].k());
                if !ok {
                    return Err(self.err(
                        Some(pc),
                        Rule::StrayExtraArg,
                        "EXTRAARG does not follow LOADKX, NEWTABLE or SETLIST with k".into(),
                    ));
                }
            }
        }
        // Instructions reached other than by plain fall-through from pc-1.
        let mut jump_target = vec![false; len];
        for pc in 0..len {
            let i = p.code[pc];
            let op = ops[pc];
            if op == OpCode::EXTRAARG {
                continue; // never executed: its taker skips it
            }
            self.check_operands(pc, op, i, &ops)?;
            if op.flags().is_test() {
                // The interpreter executes the following JMP directly.
                self.next_is(pc, &ops, OpCode::JMP, Rule::TestWithoutJump)?;
            }
            for target in successors(pc, op, i) {
                let t = self.target(pc, target)?;
                if ops[t] == OpCode::EXTRAARG {
                    return Err(self.err(
                        Some(pc),
                        Rule::TargetIsExtraArg,
                        format!("control reaches EXTRAARG at pc {t}"),
                    ));
                }
                if t != pc + 1 && ops[t] == OpCode::VARARGPREP {
                    // Re-running it would adjust the vararg frame twice (a
                    // fall-through into one is the "first instruction" rule).
                    return Err(self.err(
                        Some(pc),
                        Rule::Vararg,
                        format!("control jumps back to VARARGPREP at pc {t}"),
                    ));
                }
                if t != pc + 1 {
                    jump_target[t] = true;
                }
            }
        }
        // Second pass: `top` consumers must be reached only by fall-through.
        for pc in 0..len {
            if jump_target[pc] && uses_top(ops[pc], p.code[pc]) {
                return Err(self.err(
                    Some(pc),
                    Rule::OpenRange,
                    "an instruction using `top` (B=0) is a jump target".into(),
                ));
            }
        }
        Ok(())
    }

    /// Checks that a successor pc lies in the code.
    fn target(&self, pc: usize, target: i64) -> Result<usize, VerifyError> {
        match usize::try_from(target) {
            Ok(t) if t < self.p.code.len() => Ok(t),
            _ => Err(self.err(
                Some(pc),
                Rule::JumpTarget,
                if target == self.p.code.len() as i64 {
                    "control falls off the end of the code".into()
                } else {
                    format!("target pc {target} is outside 0..{}", self.p.code.len())
                },
            )),
        }
    }

    fn reg(&self, pc: usize, field: &str, r: u32) -> Result<(), VerifyError> {
        if r < u32::from(self.p.max_stack_size) {
            Ok(())
        } else {
            Err(self.err(
                Some(pc),
                Rule::RegisterRange,
                format!(
                    "register {field}={r} is not below max_stack_size {}",
                    self.p.max_stack_size
                ),
            ))
        }
    }

    /// Registers `first .. first+count` (exclusive end) must be in the frame.
    fn range(&self, pc: usize, what: &str, first: u32, count: u32) -> Result<(), VerifyError> {
        let end = u64::from(first) + u64::from(count);
        if end <= u64::from(self.p.max_stack_size) {
            Ok(())
        } else {
            let n = self.p.max_stack_size;
            let detail = if count == 0 {
                format!("{what} start R[{first}] is beyond max_stack_size {n}")
            } else {
                format!(
                    "{what} R[{first}]..R[{}] reaches beyond max_stack_size {n}",
                    end - 1
                )
            };
            Err(self.err(Some(pc), Rule::RegisterRange, detail))
        }
    }

    fn konst(&self, pc: usize, field: &str, k: u32) -> Result<&Constant, VerifyError> {
        self.p.constants.get(k as usize).ok_or_else(|| {
            self.err(
                Some(pc),
                Rule::ConstantIndex,
                format!(
                    "constant {field}={k} is not below {}",
                    self.p.constants.len()
                ),
            )
        })
    }

    fn short_string_key(&self, pc: usize, field: &str, k: u32) -> Result<(), VerifyError> {
        if self.konst(pc, field, k)?.is_short_string() {
            Ok(())
        } else {
            Err(self.err(
                Some(pc),
                Rule::ConstantType,
                format!(
                    "key K[{k}] must be a short string (at most {} bytes)",
                    super::MAX_SHORT_STRING
                ),
            ))
        }
    }

    fn upval(&self, pc: usize, field: &str, u: u32) -> Result<(), VerifyError> {
        if (u as usize) < self.p.upvalues.len() {
            Ok(())
        } else {
            Err(self.err(
                Some(pc),
                Rule::UpvalueIndex,
                format!("upvalue {field}={u} is not below {}", self.p.upvalues.len()),
            ))
        }
    }

    /// `RK(C)`: a constant when `k`, else a register.
    fn rk_c(&self, pc: usize, i: Instr) -> Result<(), VerifyError> {
        if i.k() {
            self.konst(pc, "C", i.c()).map(|_| ())
        } else {
            self.reg(pc, "C", i.c())
        }
    }

    fn next_is(
        &self,
        pc: usize,
        ops: &[OpCode],
        want: OpCode,
        rule: Rule,
    ) -> Result<(), VerifyError> {
        if ops.get(pc + 1) == Some(&want) {
            Ok(())
        } else {
            Err(self.err(
                Some(pc),
                rule,
                format!("must be followed by {}", want.name()),
            ))
        }
    }

    /// `RETURN`/`TAILCALL` carry `C = num_params + 1` in vararg functions
    /// (the frame adjustment on return depends on it) and `C = 0` otherwise.
    fn vararg_c(&self, pc: usize, i: Instr) -> Result<(), VerifyError> {
        let want = if self.p.is_vararg {
            u32::from(self.p.num_params) + 1
        } else {
            0
        };
        if i.c() == want {
            Ok(())
        } else {
            Err(self.err(
                Some(pc),
                Rule::Vararg,
                format!(
                    "C={} but a {} function with {} parameters needs C={want}",
                    i.c(),
                    if self.p.is_vararg {
                        "vararg"
                    } else {
                        "non-vararg"
                    },
                    self.p.num_params
                ),
            ))
        }
    }

    /// For a `top` consumer at `pc` reading from register `first` on, the
    /// previous instruction must set `top` and start at or after `first`, so
    /// `top - first` is never negative.
    fn open_consumer(&self, pc: usize, ops: &[OpCode], first: u32) -> Result<(), VerifyError> {
        let prev = pc.checked_sub(1).map(|q| (ops[q], self.p.code[q]));
        match prev {
            Some((pop, pi)) if sets_top(pop, pi) => {
                if pi.a() >= first {
                    Ok(())
                } else {
                    Err(self.err(
                        Some(pc),
                        Rule::OpenRange,
                        format!(
                            "reads R[{first}]..top but the previous {} sets top from R[{}]",
                            pop.name(),
                            pi.a()
                        ),
                    ))
                }
            }
            _ => Err(self.err(
                Some(pc),
                Rule::OpenRange,
                "B=0 (up to top) but the previous instruction does not set top".into(),
            )),
        }
    }

    /// An instruction that sets `top` (`C = 0`) must be followed by one that
    /// consumes it (Lua 5.1's `checkopenop`), so a stale `top` is never used.
    fn open_producer(&self, pc: usize, ops: &[OpCode]) -> Result<(), VerifyError> {
        match ops.get(pc + 1) {
            Some(&next) if uses_top(next, self.p.code[pc + 1]) => Ok(()),
            _ => Err(self.err(
                Some(pc),
                Rule::OpenRange,
                "C=0 (results up to top) but the next instruction does not use top".into(),
            )),
        }
    }

    /// The per-opcode operand rules. Exhaustive over [`OpCode`] so that a new
    /// opcode cannot be added without deciding how to verify it.
    fn check_operands(
        &self,
        pc: usize,
        op: OpCode,
        i: Instr,
        ops: &[OpCode],
    ) -> Result<(), VerifyError> {
        let (a, b, c) = (i.a(), i.b(), i.c());
        let len = self.p.code.len();
        use OpCode::*;
        match op {
            MOVE | UNM | BNOT | NOT | LEN | GETTABLE | ADDI | SHRI | SHLI | GETI | ADD | SUB
            | MUL | MOD | POW | DIV | IDIV | BAND | BOR | BXOR | SHL | SHR | TESTSET => {
                self.reg(pc, "A", a)?;
                self.reg(pc, "B", b)?;
                if matches!(
                    op,
                    GETTABLE
                        | ADD
                        | SUB
                        | MUL
                        | MOD
                        | POW
                        | DIV
                        | IDIV
                        | BAND
                        | BOR
                        | BXOR
                        | SHL
                        | SHR
                ) {
                    self.reg(pc, "C", c)?;
                }
            }
            LOADI | LOADF | LOADFALSE | LOADTRUE | CLOSE | TBC | RETURN1 => self.reg(pc, "A", a)?,
            LFALSESKIP => self.reg(pc, "A", a)?,
            LOADK => {
                self.reg(pc, "A", a)?;
                self.konst(pc, "Bx", i.bx())?;
            }
            LOADKX => {
                self.reg(pc, "A", a)?;
                self.next_is(pc, ops, EXTRAARG, Rule::MissingExtraArg)?;
                self.konst(pc, "Ax of EXTRAARG", self.p.code[pc + 1].ax())?;
            }
            LOADNIL => self.range(pc, "LOADNIL", a, b + 1)?,
            GETUPVAL | SETUPVAL => {
                self.reg(pc, "A", a)?;
                self.upval(pc, "B", b)?;
            }
            GETTABUP => {
                self.reg(pc, "A", a)?;
                self.upval(pc, "B", b)?;
                self.short_string_key(pc, "C", c)?;
            }
            GETFIELD => {
                self.reg(pc, "A", a)?;
                self.reg(pc, "B", b)?;
                self.short_string_key(pc, "C", c)?;
            }
            SETTABUP => {
                self.upval(pc, "A", a)?;
                self.short_string_key(pc, "B", b)?;
                self.rk_c(pc, i)?;
            }
            SETTABLE => {
                self.reg(pc, "A", a)?;
                self.reg(pc, "B", b)?;
                self.rk_c(pc, i)?;
            }
            SETI => {
                self.reg(pc, "A", a)?;
                self.rk_c(pc, i)?;
            }
            SETFIELD => {
                self.reg(pc, "A", a)?;
                self.short_string_key(pc, "B", b)?;
                self.rk_c(pc, i)?;
            }
            NEWTABLE => {
                self.reg(pc, "A", a)?;
                self.next_is(pc, ops, EXTRAARG, Rule::MissingExtraArg)?;
            }
            SELF => {
                self.range(pc, "SELF", a, 2)?;
                self.reg(pc, "B", b)?;
                if i.k() {
                    // The method name is looked up as a string key.
                    if !matches!(self.konst(pc, "C", c)?, Constant::Str(_)) {
                        return Err(self.err(
                            Some(pc),
                            Rule::ConstantType,
                            format!("method name K[{c}] must be a string"),
                        ));
                    }
                } else {
                    self.reg(pc, "C", c)?;
                }
            }
            ADDK | SUBK | MULK | MODK | POWK | DIVK | IDIVK | BANDK | BORK | BXORK => {
                self.reg(pc, "A", a)?;
                self.reg(pc, "B", b)?;
                let k = self.konst(pc, "C", c)?;
                // Bitwise K forms read the constant as an integer directly.
                let bitwise = matches!(op, BANDK | BORK | BXORK);
                let ok = match k {
                    Constant::Int(_) => true,
                    Constant::Float(_) => !bitwise,
                    _ => false,
                };
                if !ok {
                    return Err(self.err(
                        Some(pc),
                        Rule::ConstantType,
                        format!(
                            "operand K[{c}] must be {}",
                            if bitwise { "an integer" } else { "a number" }
                        ),
                    ));
                }
            }
            CONCAT => {
                if b < 2 {
                    return Err(self.err(
                        Some(pc),
                        Rule::Operand,
                        format!("CONCAT of B={b} values (needs at least 2)"),
                    ));
                }
                self.range(pc, "CONCAT", a, b)?;
            }
            JMP => {}
            EQ | LT | LE => {
                self.reg(pc, "A", a)?;
                self.reg(pc, "B", b)?;
            }
            EQK => {
                self.reg(pc, "A", a)?;
                self.konst(pc, "B", b)?;
            }
            EQI | LTI | LEI | GTI | GEI | TEST => self.reg(pc, "A", a)?,
            CALL => {
                self.reg(pc, "A", a)?;
                if b == 0 {
                    self.open_consumer(pc, ops, a + 1)?;
                } else {
                    self.range(pc, "CALL arguments", a, b)?;
                }
                if c == 0 {
                    self.open_producer(pc, ops)?;
                } else {
                    self.range(pc, "CALL results", a, c - 1)?;
                }
            }
            TAILCALL => {
                self.reg(pc, "A", a)?;
                if b == 0 {
                    self.open_consumer(pc, ops, a + 1)?;
                } else {
                    self.range(pc, "TAILCALL arguments", a, b)?;
                }
                self.vararg_c(pc, i)?;
            }
            RETURN => {
                if b == 0 {
                    self.open_consumer(pc, ops, a)?;
                } else {
                    self.range(pc, "RETURN values", a, b - 1)?;
                }
                self.vararg_c(pc, i)?;
            }
            RETURN0 => {}
            FORPREP => {
                self.range(pc, "FORPREP", a, 4)?;
                // Exit goes to pc+2+Bx, i.e. past the matching FORLOOP.
                let lp = pc + 1 + i.bx() as usize;
                self.loop_pair(pc, lp, FORLOOP, a, "FORPREP")?;
            }
            FORLOOP => {
                self.range(pc, "FORLOOP", a, 4)?;
                self.paired_back_edge(pc, i, ops, FORPREP)?;
            }
            TFORPREP => {
                self.range(pc, "TFORPREP", a, 4)?;
                let call = pc + 1 + i.bx() as usize;
                if call >= len || ops[call] != TFORCALL || self.p.code[call].a() != a {
                    return Err(self.err(
                        Some(pc),
                        Rule::LoopShape,
                        format!("target pc {call} must be a TFORCALL with A={a}"),
                    ));
                }
                self.loop_pair(pc, call + 1, TFORLOOP, a, "TFORPREP")?;
            }
            TFORCALL => {
                // Lua copies R[A..A+2] to R[A+4..A+6] to make the call, so the
                // frame must hold at least A+7 registers.
                self.range(pc, "TFORCALL", a, (4 + c).max(7))?;
                let next = self.p.code.get(pc + 1);
                if !matches!(next, Some(n) if n.opcode() == Some(TFORLOOP) && n.a() == a) {
                    return Err(self.err(
                        Some(pc),
                        Rule::LoopShape,
                        format!("must be followed by TFORLOOP with A={a}"),
                    ));
                }
            }
            TFORLOOP => {
                self.range(pc, "TFORLOOP", a, 5)?;
                if pc == 0 || ops[pc - 1] != TFORCALL {
                    return Err(self.err(
                        Some(pc),
                        Rule::LoopShape,
                        "must follow a TFORCALL".into(),
                    ));
                }
                self.paired_back_edge(pc, i, ops, TFORPREP)?;
            }
            SETLIST => {
                self.reg(pc, "A", a)?;
                if b == 0 {
                    self.open_consumer(pc, ops, a + 1)?;
                } else {
                    self.range(pc, "SETLIST items", a, b + 1)?;
                }
                if i.k() {
                    self.next_is(pc, ops, EXTRAARG, Rule::MissingExtraArg)?;
                }
            }
            CLOSURE => {
                self.reg(pc, "A", a)?;
                if i.bx() as usize >= self.p.protos.len() {
                    return Err(self.err(
                        Some(pc),
                        Rule::ProtoIndex,
                        format!("proto Bx={} is not below {}", i.bx(), self.p.protos.len()),
                    ));
                }
            }
            VARARG => {
                if !self.p.is_vararg {
                    return Err(self.err(
                        Some(pc),
                        Rule::Vararg,
                        "VARARG in a function that is not vararg".into(),
                    ));
                }
                self.reg(pc, "A", a)?;
                if c == 0 {
                    self.open_producer(pc, ops)?;
                } else {
                    self.range(pc, "VARARG results", a, c - 1)?;
                }
            }
            VARARGPREP => {
                if !self.p.is_vararg || pc != 0 || a != u32::from(self.p.num_params) {
                    return Err(self.err(
                        Some(pc),
                        Rule::Vararg,
                        format!(
                            "VARARGPREP must be the first instruction of a vararg function, with A = num_params ({})",
                            self.p.num_params
                        ),
                    ));
                }
            }
            EXTRAARG => {} // handled by the caller
        }
        if pc == 0 && self.p.is_vararg && op != VARARGPREP {
            return Err(self.err(
                Some(pc),
                Rule::Vararg,
                "a vararg function must start with VARARGPREP".into(),
            ));
        }
        if self.p.is_vararg && matches!(op, RETURN0 | RETURN1) {
            return Err(self.err(
                Some(pc),
                Rule::Vararg,
                "a vararg function must return with RETURN (C = num_params + 1)".into(),
            ));
        }
        Ok(())
    }

    /// A loop-prep at `pc` must name a matching loop instruction at `lp`
    /// whose back edge returns to `pc + 1`.
    fn loop_pair(
        &self,
        pc: usize,
        lp: usize,
        want: OpCode,
        a: u32,
        what: &str,
    ) -> Result<(), VerifyError> {
        let ok = self.p.code.get(lp).is_some_and(|l| {
            l.opcode() == Some(want) && l.a() == a && (l.bx() as usize) == lp - pc
        });
        if ok {
            Ok(())
        } else {
            Err(self.err(
                Some(pc),
                Rule::LoopShape,
                format!(
                    "{what} must pair with a {} at pc {lp} with A={a} jumping back to pc {}",
                    want.name(),
                    pc + 1
                ),
            ))
        }
    }

    /// A loop instruction at `pc` must jump back just past its prep
    /// instruction (which [`Checker::loop_pair`] checks from the other side).
    fn paired_back_edge(
        &self,
        pc: usize,
        i: Instr,
        ops: &[OpCode],
        prep: OpCode,
    ) -> Result<(), VerifyError> {
        let ok = pc
            .checked_sub(i.bx() as usize)
            .is_some_and(|prep_pc| ops[prep_pc] == prep && self.p.code[prep_pc].a() == i.a());
        if ok {
            Ok(())
        } else {
            Err(self.err(
                Some(pc),
                Rule::LoopShape,
                format!(
                    "must jump back to just after a {} with A={}",
                    prep.name(),
                    i.a()
                ),
            ))
        }
    }
}

/// `NAME` of an instruction for messages (never panics on bad opcodes).
fn op_label(i: Instr) -> String {
    match i.opcode() {
        Some(op) => op.name().to_string(),
        None => format!("opcode#{}", i.op_byte()),
    }
}

/// Control-flow successors of a (non-`EXTRAARG`) instruction at `pc`, as
/// signed pcs so out-of-range targets are representable. At most two.
fn successors(pc: usize, op: OpCode, i: Instr) -> impl Iterator<Item = i64> {
    use OpCode::*;
    let pc = pc as i64;
    let (x, y): (Option<i64>, Option<i64>) = match op {
        RETURN | RETURN0 | RETURN1 | TAILCALL => (None, None),
        JMP => (Some(pc + 1 + i64::from(i.sj())), None),
        LOADKX | NEWTABLE | LFALSESKIP => (Some(pc + 2), None),
        SETLIST if i.k() => (Some(pc + 2), None),
        FORPREP => (Some(pc + 1), Some(pc + 2 + i64::from(i.bx()))),
        FORLOOP | TFORLOOP => (Some(pc + 1), Some(pc + 1 - i64::from(i.bx()))),
        TFORPREP => (Some(pc + 1 + i64::from(i.bx())), None),
        _ if op.flags().is_test() => (Some(pc + 1), Some(pc + 2)),
        _ => (Some(pc + 1), None),
    };
    x.into_iter().chain(y)
}
