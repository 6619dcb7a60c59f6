//! Slot bytecode: the instruction set ([`isa`]), function prototypes
//! ([`proto`]), the `.sbc` binary encoding, the verifier (a security
//! boundary: nothing reaches an execution tier unverified) and the
//! disassembler.

pub mod isa;
pub mod proto;

pub use isa::{Instr, OpCode};
pub use proto::{Constant, LocalVar, Proto, UpvalueDesc, VarKind};

/// Longest string (in bytes) that is interned and may be used as a
/// `GETFIELD`-style constant key.
pub const MAX_SHORT_STRING: usize = 40;
