//! Slot bytecode: the instruction set ([`isa`]), function prototypes
//! ([`proto`]), the `.sbc` binary encoding ([`sbc`]), the verifier
//! ([`verify`](mod@verify), a security boundary: nothing reaches an execution tier
//! unverified) and the disassembler ([`disasm`]).

pub mod disasm;
pub mod isa;
pub mod proto;
pub mod sbc;
pub mod verify;

pub use disasm::disassemble;
pub use isa::{Instr, OpCode};
pub use proto::{Constant, LocalVar, Proto, UpvalueDesc, VarKind};
pub use sbc::{SbcError, decode, decode_unverified, encode, is_sbc};
pub use verify::{Rule, VerifyError, verify};

/// Longest string (in bytes) that is interned and may be used as a
/// `GETFIELD`-style constant key.
pub const MAX_SHORT_STRING: usize = 40;
