//! Slot bytecode: the instruction set ([`isa`]), function prototypes
//! ([`proto`]), the `.sbc` binary encoding ([`sbc`]), the verifier
//! ([`verify`], a security boundary: nothing reaches an execution tier
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

/// Placeholder until the `.sbc` codec lands.
pub mod sbc {
    /// Decoding error.
    #[derive(Debug, thiserror::Error)]
    #[error("binary chunks not supported yet")]
    pub struct SbcError;
    /// Decodes and verifies an `.sbc` file.
    pub fn decode(_bytes: &[u8]) -> Result<super::Proto, SbcError> {
        Err(SbcError)
    }
    /// Encodes a proto tree.
    pub fn encode(_p: &super::Proto) -> Vec<u8> {
        Vec::new()
    }
    /// Magic check.
    pub fn is_sbc(b: &[u8]) -> bool {
        b.starts_with(b"\x1bSJB")
    }
}

/// Placeholder until the disassembler lands.
pub mod disasm {
    /// Disassembles a proto tree.
    pub fn disassemble(p: &super::Proto) -> String {
        format!("{p:#?}")
    }
}
