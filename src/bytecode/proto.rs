//! Function prototypes: the unit of slot bytecode produced by a front end,
//! stored in `.sbc` files, checked by the verifier and executed by every tier.

use super::isa::Instr;

/// A compile-time constant referenced by `K[i]`.
#[derive(Clone, Debug, PartialEq)]
pub enum Constant {
    /// `nil`
    Nil,
    /// `true` / `false`
    Bool(bool),
    /// A 64-bit integer.
    Int(i64),
    /// A 64-bit float.
    Float(f64),
    /// A byte string (Lua strings are byte strings, not UTF-8).
    Str(Vec<u8>),
}

impl Constant {
    /// Whether this constant is a string of at most [`crate::bytecode::MAX_SHORT_STRING`] bytes,
    /// the only kind of key `GETFIELD`/`SETFIELD`/`GETTABUP`/`SETTABUP` accept.
    pub fn is_short_string(&self) -> bool {
        matches!(self, Constant::Str(s) if s.len() <= super::MAX_SHORT_STRING)
    }
}

/// Where a closure finds upvalue `i` when it is created.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpvalueDesc {
    /// Name of the captured variable (for error messages), if known.
    pub name: Option<String>,
    /// `true`: register `index` of the enclosing function; `false`: upvalue
    /// `index` of the enclosing closure.
    pub in_stack: bool,
    /// Register or upvalue index in the enclosing function.
    pub index: u8,
    /// Variable kind of the captured local ([`VarKind`]).
    pub kind: VarKind,
}

/// Kind of a local variable declaration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[repr(u8)]
pub enum VarKind {
    /// A regular local.
    #[default]
    Regular = 0,
    /// `<const>`
    Const = 1,
    /// `<close>`
    ToBeClosed = 2,
    /// A compile-time constant that occupies no register.
    CompileTimeConst = 3,
}

impl VarKind {
    /// Decodes the on-disk byte.
    pub fn from_u8(b: u8) -> Option<VarKind> {
        Some(match b {
            0 => VarKind::Regular,
            1 => VarKind::Const,
            2 => VarKind::ToBeClosed,
            3 => VarKind::CompileTimeConst,
            _ => return None,
        })
    }
}

/// Debug information about a local variable: it lives in register order
/// and is active for `start_pc <= pc < end_pc`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalVar {
    /// Source name.
    pub name: String,
    /// First instruction where the variable is active.
    pub start_pc: u32,
    /// First instruction where the variable is dead.
    pub end_pc: u32,
}

/// A function prototype.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Proto {
    /// Chunk name as given to the compiler, e.g. `@script.lua` or `=stdin`
    /// (Lua's convention: `@` = file name, `=` = literal, else source text).
    pub source: String,
    /// Line where the function definition starts (0 for a main chunk).
    pub line_defined: u32,
    /// Line where the function definition ends (0 for a main chunk).
    pub last_line_defined: u32,
    /// Number of fixed parameters.
    pub num_params: u8,
    /// Whether the function takes `...`.
    pub is_vararg: bool,
    /// Number of registers the function needs (its frame size).
    pub max_stack_size: u8,
    /// Instructions.
    pub code: Vec<Instr>,
    /// Constants `K[i]`.
    pub constants: Vec<Constant>,
    /// Upvalue descriptors `U[i]`.
    pub upvalues: Vec<UpvalueDesc>,
    /// Nested prototypes `P[i]` (for `CLOSURE`).
    pub protos: Vec<Proto>,
    /// Source line of each instruction (same length as `code`).
    pub line_info: Vec<u32>,
    /// Local variable debug information, in declaration order.
    pub local_vars: Vec<LocalVar>,
}

impl Proto {
    /// The name of the `n`-th (1-based) local variable active at `pc`, as
    /// Lua's `luaF_getlocalname` computes it.
    pub fn local_name(&self, mut n: u32, pc: u32) -> Option<&str> {
        if n == 0 {
            return None;
        }
        for var in &self.local_vars {
            if var.start_pc > pc {
                break;
            }
            if pc < var.end_pc {
                n -= 1;
                if n == 0 {
                    return Some(&var.name);
                }
            }
        }
        None
    }

    /// Source line of instruction `pc`, 0 when unknown.
    pub fn line_at(&self, pc: usize) -> u32 {
        self.line_info.get(pc).copied().unwrap_or(0)
    }

    /// Total number of prototypes in this tree (this one included).
    pub fn tree_size(&self) -> usize {
        1 + self.protos.iter().map(Proto::tree_size).sum::<usize>()
    }
}
