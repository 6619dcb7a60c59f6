//! The `.sbc` binary encoding of a slot bytecode proto tree, and its decoder.
//!
//! Layout (all integers little-endian; `varint` = unsigned LEB128, minimal
//! length, at most 10 bytes; the byte-by-byte description is in
//! `docs/bytecode.md`):
//!
//! ```text
//! header   magic "\x1bSJB" | version u16 | flags u16 | instr size u8 (4)
//!          | SIZE_OP SIZE_A SIZE_B SIZE_C u8×4 | opcode count u8
//!          | int size u8 (8) | float size u8 (8) | ISA fingerprint u32
//! body     proto (the main chunk; nested protos inline, depth-first)
//! trailer  CRC-32 (IEEE, as zlib/gzip) u32 of every preceding byte
//! ```
//!
//! The checksum only detects accidental corruption; authenticity is the job
//! of the PSPF package signature. Security comes from the decoder being
//! total (every input yields a value or an [`SbcError`], never a panic, and
//! allocations are bounded by the input size) and from [`decode`] running
//! the verifier ([`super::verify`](mod@super::verify)) before returning anything.

use super::isa::{
    ALL_OPCODES, Format, Instr, MAX_ARG_AX, MAX_ARG_BX, OpCode, SIZE_A, SIZE_B, SIZE_C, SIZE_OP,
};
use super::proto::{Constant, LocalVar, Proto, UpvalueDesc, VarKind};
use super::verify::{MAX_NESTING_DEPTH, MAX_UPVALUES, VerifyError, path_string, verify};

/// The four magic bytes every `.sbc` file starts with.
pub const MAGIC: [u8; 4] = *b"\x1bSJB";
/// The format version this build writes and reads.
pub const FORMAT_VERSION: u16 = 1;
/// Size of the fixed header in bytes.
pub const HEADER_LEN: usize = 20;
/// Size of the trailing checksum in bytes.
pub const CHECKSUM_LEN: usize = 4;
/// Largest number of protos (root included) in one file.
pub const MAX_PROTOS: usize = 1 << 16;
/// Largest number of instructions, line entries or local variables of one
/// proto (jump offsets reach ±2^24, so longer code could not jump anyway).
pub const MAX_CODE_LEN: usize = 1 << 24;
/// Largest number of constants of one proto (`LOADKX` reaches `Ax`).
pub const MAX_CONSTANTS: usize = MAX_ARG_AX as usize + 1;
/// Largest number of nested protos of one proto (`CLOSURE` reaches `Bx`).
pub const MAX_CHILD_PROTOS: usize = MAX_ARG_BX as usize + 1;

/// Constant tags.
const TAG_NIL: u8 = 0;
const TAG_FALSE: u8 = 1;
const TAG_TRUE: u8 = 2;
const TAG_INT: u8 = 3;
const TAG_FLOAT: u8 = 4;
const TAG_STR: u8 = 5;

/// Why a byte string is not a usable `.sbc` file. Each variant has a stable
/// code ([`SbcError::code`]); messages say what is wrong and where (byte
/// offset, proto path).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SbcError {
    /// The input does not start with [`MAGIC`].
    #[error(
        "SJ-SBC-MAGIC: not slot bytecode: the first bytes are {found:02x?}, expected {MAGIC:02x?}"
    )]
    Magic {
        /// The first (up to four) bytes of the input.
        found: Vec<u8>,
    },
    /// The format version is not [`FORMAT_VERSION`].
    #[error(
        "SJ-SBC-VERSION: .sbc format version {found} is not supported (this build reads version {FORMAT_VERSION})"
    )]
    Version {
        /// The version in the file.
        found: u16,
    },
    /// A header field does not match this build's instruction set.
    #[error("SJ-SBC-HEADER: incompatible .sbc header at byte {offset}: {what}")]
    Header {
        /// Byte offset of the field.
        offset: usize,
        /// Which field and what was found.
        what: String,
    },
    /// The input ends before a field is complete.
    #[error("SJ-SBC-TRUNCATED: .sbc data ends at byte {offset} in {path} while reading {what}")]
    Truncated {
        /// Byte offset where more data was needed.
        offset: usize,
        /// Proto path (`main`, `main/P[1]`, ...) or `header`.
        path: String,
        /// What was being read.
        what: String,
    },
    /// The trailing CRC-32 does not match the contents.
    #[error(
        "SJ-SBC-CHECKSUM: .sbc checksum mismatch: stored {stored:#010x}, computed {computed:#010x}"
    )]
    Checksum {
        /// The CRC stored in the file.
        stored: u32,
        /// The CRC of the contents.
        computed: u32,
    },
    /// A field has a value the format does not allow (bad tag or boolean,
    /// invalid UTF-8 name, non-minimal varint, trailing bytes, ...).
    #[error("SJ-SBC-MALFORMED: malformed .sbc data at byte {offset} in {path}: {what}")]
    Malformed {
        /// Byte offset of the field.
        offset: usize,
        /// Proto path.
        path: String,
        /// What is wrong.
        what: String,
    },
    /// A count exceeds a decoder limit (nesting depth, proto count, table sizes).
    #[error("SJ-SBC-LIMIT: .sbc limit exceeded at byte {offset} in {path}: {what}")]
    Limit {
        /// Byte offset of the field.
        offset: usize,
        /// Proto path.
        path: String,
        /// Which limit.
        what: String,
    },
    /// The file decodes but the verifier rejects the proto tree.
    #[error(transparent)]
    Verify(#[from] VerifyError),
}

impl SbcError {
    /// Stable error code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            SbcError::Magic { .. } => "SJ-SBC-MAGIC",
            SbcError::Version { .. } => "SJ-SBC-VERSION",
            SbcError::Header { .. } => "SJ-SBC-HEADER",
            SbcError::Truncated { .. } => "SJ-SBC-TRUNCATED",
            SbcError::Checksum { .. } => "SJ-SBC-CHECKSUM",
            SbcError::Malformed { .. } => "SJ-SBC-MALFORMED",
            SbcError::Limit { .. } => "SJ-SBC-LIMIT",
            SbcError::Verify(_) => VerifyError::CODE,
        }
    }
}

/// Whether `bytes` starts with the `.sbc` magic (a cheap sniff; it says
/// nothing about validity).
pub fn is_sbc(bytes: &[u8]) -> bool {
    bytes.starts_with(&MAGIC)
}

/// CRC-32 (IEEE 802.3 polynomial, the one zlib and gzip use).
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = flate2::Crc::new();
    crc.update(bytes);
    crc.sum()
}

/// A fingerprint of the instruction set this build executes: CRC-32 over
/// each opcode's name, format and flags in numeric order. A file written
/// for a different opcode numbering or operand layout is refused with
/// [`SbcError::Header`] instead of being misinterpreted.
pub fn isa_fingerprint() -> u32 {
    let mut bytes = Vec::new();
    for op in ALL_OPCODES {
        bytes.extend_from_slice(op.name().as_bytes());
        bytes.push(0);
        bytes.push(match op.format() {
            Format::ABC => 0,
            Format::ABx => 1,
            Format::AsBx => 2,
            Format::Ax => 3,
            Format::SJ => 4,
        });
        bytes.push(op.flags().0);
    }
    crc32(&bytes)
}

/// The header bytes after the magic and version, in order, with their
/// meaning (shared by encoder and decoder so they cannot disagree).
fn header_params() -> [(u8, &'static str); 8] {
    [
        (4, "instruction size"),
        (SIZE_OP as u8, "opcode field bits"),
        (SIZE_A as u8, "A field bits"),
        (SIZE_B as u8, "B field bits"),
        (SIZE_C as u8, "C field bits"),
        (OpCode::COUNT as u8, "opcode count"),
        (8, "integer size"),
        (8, "float size"),
    ]
}

// ---------------------------------------------------------------- encoding

/// Encodes a proto tree as a complete `.sbc` file (header, body, checksum).
///
/// The encoding is deterministic. `encode` does not verify: a proto the
/// verifier would reject is encoded faithfully and rejected by [`decode`].
/// Counts beyond the decoder's limits likewise produce a file that
/// [`decode`] refuses with [`SbcError::Limit`].
pub fn encode(proto: &Proto) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + proto.code.len() * 5);
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes()); // flags: none defined
    for (value, _) in header_params() {
        out.push(value);
    }
    out.extend_from_slice(&isa_fingerprint().to_le_bytes());
    debug_assert_eq!(out.len(), HEADER_LEN);
    encode_proto(&mut out, proto, None);
    let crc = crc32(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn put_len(out: &mut Vec<u8>, n: usize) {
    put_varint(out, n as u64);
}

fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    put_len(out, b.len());
    out.extend_from_slice(b);
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

fn encode_proto(out: &mut Vec<u8>, p: &Proto, parent_source: Option<&str>) {
    // Source: 0 = same as the parent (or empty for the root), else len+1.
    if parent_source == Some(p.source.as_str()) || (parent_source.is_none() && p.source.is_empty())
    {
        put_varint(out, 0);
    } else {
        put_varint(out, p.source.len() as u64 + 1);
        out.extend_from_slice(p.source.as_bytes());
    }
    put_varint(out, u64::from(p.line_defined));
    put_varint(out, u64::from(p.last_line_defined));
    out.push(p.num_params);
    out.push(u8::from(p.is_vararg));
    out.push(p.max_stack_size);

    put_len(out, p.code.len());
    for i in &p.code {
        out.extend_from_slice(&i.0.to_le_bytes());
    }

    put_len(out, p.constants.len());
    for k in &p.constants {
        match k {
            Constant::Nil => out.push(TAG_NIL),
            Constant::Bool(false) => out.push(TAG_FALSE),
            Constant::Bool(true) => out.push(TAG_TRUE),
            Constant::Int(v) => {
                out.push(TAG_INT);
                out.extend_from_slice(&v.to_le_bytes());
            }
            Constant::Float(v) => {
                out.push(TAG_FLOAT);
                out.extend_from_slice(&v.to_bits().to_le_bytes());
            }
            Constant::Str(s) => {
                out.push(TAG_STR);
                put_bytes(out, s);
            }
        }
    }

    put_len(out, p.upvalues.len());
    for u in &p.upvalues {
        out.push(u8::from(u.in_stack));
        out.push(u.index);
        out.push(u.kind as u8);
        match &u.name {
            None => put_varint(out, 0),
            Some(n) => {
                put_varint(out, n.len() as u64 + 1);
                out.extend_from_slice(n.as_bytes());
            }
        }
    }

    put_len(out, p.protos.len());
    for child in &p.protos {
        encode_proto(out, child, Some(&p.source));
    }

    // Line info: zigzag deltas from the previous line, starting at line_defined.
    put_len(out, p.line_info.len());
    let mut prev = i64::from(p.line_defined);
    for &line in &p.line_info {
        put_varint(out, zigzag(i64::from(line) - prev));
        prev = i64::from(line);
    }

    put_len(out, p.local_vars.len());
    for v in &p.local_vars {
        put_bytes(out, v.name.as_bytes());
        put_varint(out, u64::from(v.start_pc));
        put_varint(out, u64::from(v.end_pc));
    }
}

// ---------------------------------------------------------------- decoding

/// Decodes a `.sbc` file and verifies the proto tree: the only way
/// untrusted bytecode should enter the runtime.
pub fn decode(bytes: &[u8]) -> Result<Proto, SbcError> {
    let proto = decode_unverified(bytes)?;
    verify(&proto)?;
    Ok(proto)
}

/// Decodes a `.sbc` file **without** running the verifier (for tools such
/// as a disassembler of broken files, and for tests). The result must not
/// be executed.
pub fn decode_unverified(bytes: &[u8]) -> Result<Proto, SbcError> {
    if !is_sbc(bytes) {
        if bytes.len() < MAGIC.len() && MAGIC.starts_with(bytes) {
            return Err(truncated(bytes.len(), "header", "magic"));
        }
        return Err(SbcError::Magic {
            found: bytes.iter().take(MAGIC.len()).copied().collect(),
        });
    }
    let version = match bytes.get(4..6) {
        Some(&[lo, hi]) => u16::from_le_bytes([lo, hi]),
        _ => return Err(truncated(bytes.len(), "header", "format version")),
    };
    if version != FORMAT_VERSION {
        return Err(SbcError::Version { found: version });
    }
    if bytes.len() < HEADER_LEN + CHECKSUM_LEN {
        return Err(truncated(bytes.len(), "header", "header and checksum"));
    }
    let body_end = bytes.len() - CHECKSUM_LEN;
    let (content, trailer) = bytes.split_at(body_end);
    let stored = match *trailer {
        [a, b, c, d] => u32::from_le_bytes([a, b, c, d]),
        _ => return Err(truncated(body_end, "trailer", "checksum")),
    };
    let computed = crc32(content);
    if stored != computed {
        return Err(SbcError::Checksum { stored, computed });
    }

    let mut r = Reader {
        buf: content,
        pos: 6,
        path: vec![],
        protos: 0,
    };
    let flags = r.u16("flags")?;
    if flags != 0 {
        return Err(SbcError::Header {
            offset: 6,
            what: format!("unknown flags {flags:#06x}"),
        });
    }
    for (want, what) in header_params() {
        let offset = r.pos;
        let got = r.u8(what)?;
        if got != want {
            return Err(SbcError::Header {
                offset,
                what: format!("{what} is {got}, this build uses {want}"),
            });
        }
    }
    let offset = r.pos;
    let fp = r.u32("ISA fingerprint")?;
    if fp != isa_fingerprint() {
        return Err(SbcError::Header {
            offset,
            what: format!(
                "ISA fingerprint {fp:#010x} differs from this build's {:#010x} (written for another opcode table)",
                isa_fingerprint()
            ),
        });
    }
    let proto = r.proto(None)?;
    if r.pos != content.len() {
        return Err(r.malformed(format!(
            "{} bytes after the main proto",
            content.len() - r.pos
        )));
    }
    Ok(proto)
}

fn truncated(offset: usize, path: &str, what: &str) -> SbcError {
    SbcError::Truncated {
        offset,
        path: path.to_string(),
        what: what.to_string(),
    }
}

/// A cursor over the file contents (checksum excluded) that knows where in
/// the proto tree it is, for error messages.
struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    /// Child indices from the root to the proto being read.
    path: Vec<usize>,
    /// Protos started so far (for [`MAX_PROTOS`]).
    protos: usize,
}

impl<'a> Reader<'a> {
    fn path(&self) -> String {
        if self.pos < HEADER_LEN && self.protos == 0 {
            return "header".to_string();
        }
        path_string(&self.path)
    }

    fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    fn truncated(&self, what: &str) -> SbcError {
        SbcError::Truncated {
            offset: self.buf.len(),
            path: self.path(),
            what: what.to_string(),
        }
    }

    fn malformed_at(&self, offset: usize, what: String) -> SbcError {
        SbcError::Malformed {
            offset,
            path: self.path(),
            what,
        }
    }

    fn malformed(&self, what: String) -> SbcError {
        self.malformed_at(self.pos, what)
    }

    fn limit_at(&self, offset: usize, what: String) -> SbcError {
        SbcError::Limit {
            offset,
            path: self.path(),
            what,
        }
    }

    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], SbcError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.buf.len())
            .ok_or_else(|| self.truncated(what))?;
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N], SbcError> {
        let s = self.take(N, what)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }

    fn u8(&mut self, what: &str) -> Result<u8, SbcError> {
        Ok(self.array::<1>(what)?[0])
    }

    fn u16(&mut self, what: &str) -> Result<u16, SbcError> {
        Ok(u16::from_le_bytes(self.array(what)?))
    }

    fn u32(&mut self, what: &str) -> Result<u32, SbcError> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }

    fn bool(&mut self, what: &str) -> Result<bool, SbcError> {
        let offset = self.pos;
        match self.u8(what)? {
            0 => Ok(false),
            1 => Ok(true),
            b => Err(self.malformed_at(offset, format!("{what} must be 0 or 1, found {b}"))),
        }
    }

    /// Unsigned LEB128, at most 10 bytes, no overflow, minimal length (so
    /// every value has exactly one encoding).
    fn varint(&mut self, what: &str) -> Result<u64, SbcError> {
        let offset = self.pos;
        let mut v: u64 = 0;
        for i in 0..10u32 {
            let byte = self.u8(what)?;
            let bits = u64::from(byte & 0x7f);
            if i == 9 && bits > 1 {
                return Err(self.malformed_at(offset, format!("{what}: varint overflows 64 bits")));
            }
            v |= bits << (7 * i);
            if byte & 0x80 == 0 {
                if byte == 0 && i > 0 {
                    return Err(self.malformed_at(offset, format!("{what}: varint is not minimal")));
                }
                return Ok(v);
            }
        }
        Err(self.malformed_at(offset, format!("{what}: varint longer than 10 bytes")))
    }

    fn varint_u32(&mut self, what: &str) -> Result<u32, SbcError> {
        let offset = self.pos;
        let v = self.varint(what)?;
        u32::try_from(v)
            .map_err(|_| self.malformed_at(offset, format!("{what} {v} does not fit 32 bits")))
    }

    /// A count of items that each take at least `min_size` bytes: bounded by
    /// `limit` and by what the remaining input could possibly hold, so a
    /// hostile count never drives an allocation.
    fn count(&mut self, what: &str, limit: usize, min_size: usize) -> Result<usize, SbcError> {
        let offset = self.pos;
        let n = self.varint(what)?;
        let n = usize::try_from(n).unwrap_or(usize::MAX);
        if n > limit {
            return Err(self.limit_at(offset, format!("{n} {what} exceed the limit {limit}")));
        }
        if n.saturating_mul(min_size) > self.remaining() {
            return Err(self.truncated(&format!("{n} {what}")));
        }
        Ok(n)
    }

    fn bytes(&mut self, what: &str) -> Result<&'a [u8], SbcError> {
        let n = self.count(what, usize::MAX, 1)?;
        self.take(n, what)
    }

    fn string(&mut self, what: &str) -> Result<String, SbcError> {
        let offset = self.pos;
        let b = self.bytes(what)?;
        utf8(b).ok_or_else(|| self.malformed_at(offset, format!("{what} is not valid UTF-8")))
    }

    /// A string stored as `len+1`, where 0 means "absent".
    fn opt_string(&mut self, what: &str) -> Result<Option<String>, SbcError> {
        let offset = self.pos;
        let n = self.varint(what)?;
        if n == 0 {
            return Ok(None);
        }
        let n = usize::try_from(n - 1).unwrap_or(usize::MAX);
        let b = self.take(n, what)?;
        utf8(b)
            .map(Some)
            .ok_or_else(|| self.malformed_at(offset, format!("{what} is not valid UTF-8")))
    }

    fn proto(&mut self, parent_source: Option<&str>) -> Result<Proto, SbcError> {
        if self.path.len() > MAX_NESTING_DEPTH {
            return Err(self.limit_at(
                self.pos,
                format!("protos nested deeper than {MAX_NESTING_DEPTH}"),
            ));
        }
        self.protos += 1;
        if self.protos > MAX_PROTOS {
            return Err(self.limit_at(self.pos, format!("more than {MAX_PROTOS} protos")));
        }
        let source = match self.opt_string("source name")? {
            Some(s) => s,
            None => parent_source.unwrap_or("").to_string(),
        };
        let line_defined = self.varint_u32("line_defined")?;
        let last_line_defined = self.varint_u32("last_line_defined")?;
        let num_params = self.u8("num_params")?;
        let is_vararg = self.bool("is_vararg")?;
        let max_stack_size = self.u8("max_stack_size")?;

        let n = self.count("instructions", MAX_CODE_LEN, 4)?;
        let mut code = Vec::with_capacity(n);
        for _ in 0..n {
            code.push(Instr(self.u32("instruction")?));
        }

        let n = self.count("constants", MAX_CONSTANTS, 1)?;
        let mut constants = Vec::with_capacity(n);
        for _ in 0..n {
            constants.push(self.constant()?);
        }

        let n = self.count("upvalues", MAX_UPVALUES, 4)?;
        let mut upvalues = Vec::with_capacity(n);
        for _ in 0..n {
            let in_stack = self.bool("upvalue in_stack")?;
            let index = self.u8("upvalue index")?;
            let offset = self.pos;
            let kind_byte = self.u8("upvalue kind")?;
            let kind = VarKind::from_u8(kind_byte).ok_or_else(|| {
                self.malformed_at(offset, format!("unknown variable kind {kind_byte}"))
            })?;
            let name = self.opt_string("upvalue name")?;
            upvalues.push(UpvalueDesc {
                name,
                in_stack,
                index,
                kind,
            });
        }

        // A nested proto takes at least 12 bytes (see docs/bytecode.md).
        let n = self.count("nested protos", MAX_CHILD_PROTOS, 12)?;
        let mut protos = Vec::with_capacity(n);
        for i in 0..n {
            self.path.push(i);
            let child = self.proto(Some(&source));
            self.path.pop();
            protos.push(child?);
        }

        let n = self.count("line entries", MAX_CODE_LEN, 1)?;
        let mut line_info = Vec::with_capacity(n);
        let mut prev = i64::from(line_defined);
        for _ in 0..n {
            let offset = self.pos;
            let delta = unzigzag(self.varint("line delta")?);
            let line = prev
                .checked_add(delta)
                .and_then(|l| u32::try_from(l).ok())
                .ok_or_else(|| {
                    self.malformed_at(
                        offset,
                        format!("line delta {delta} from line {prev} leaves 0..2^32"),
                    )
                })?;
            line_info.push(line);
            prev = i64::from(line);
        }

        let n = self.count("local variables", MAX_CODE_LEN, 3)?;
        let mut local_vars = Vec::with_capacity(n);
        for _ in 0..n {
            let name = self.string("local variable name")?;
            let start_pc = self.varint_u32("local start_pc")?;
            let end_pc = self.varint_u32("local end_pc")?;
            local_vars.push(LocalVar {
                name,
                start_pc,
                end_pc,
            });
        }

        Ok(Proto {
            source,
            line_defined,
            last_line_defined,
            num_params,
            is_vararg,
            max_stack_size,
            code,
            constants,
            upvalues,
            protos,
            line_info,
            local_vars,
        })
    }

    fn constant(&mut self) -> Result<Constant, SbcError> {
        let offset = self.pos;
        Ok(match self.u8("constant tag")? {
            TAG_NIL => Constant::Nil,
            TAG_FALSE => Constant::Bool(false),
            TAG_TRUE => Constant::Bool(true),
            TAG_INT => Constant::Int(i64::from_le_bytes(self.array("integer constant")?)),
            TAG_FLOAT => Constant::Float(f64::from_bits(u64::from_le_bytes(
                self.array("float constant")?,
            ))),
            TAG_STR => Constant::Str(self.bytes("string constant")?.to_vec()),
            t => return Err(self.malformed_at(offset, format!("unknown constant tag {t}"))),
        })
    }
}

fn utf8(b: &[u8]) -> Option<String> {
    std::str::from_utf8(b).ok().map(str::to_string)
}
