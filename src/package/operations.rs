//! Operation chains (`shared/pspf-format.md` §3): packing, unpacking, and
//! applying/undoing them with bounded output.
//!
//! A chain is a u64 of up to 8 one-byte opcodes, the first-applied operation
//! in the least significant byte, terminated by the first 0x00. Decoding
//! undoes them in reverse. TAR is a marker: it means "after undoing the
//! compressions, the payload is a ustar archive"; it is a no-op here and
//! handled by [`super::tar_safety`].

use std::fmt;
use std::io::{Read, Write};

use super::error::{PackageError, Result};

/// Default cap on the output of any single decompression step (256 MiB).
pub const DEFAULT_DECODE_LIMIT: u64 = 256 * 1024 * 1024;

/// One v0 operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operation {
    /// 0x01: payload is a tar archive.
    Tar,
    /// 0x10: gzip (RFC 1952).
    Gzip,
    /// 0x13: bzip2.
    Bzip2,
    /// 0x16: xz.
    Xz,
    /// 0x1B: zstd.
    Zstd,
}

impl Operation {
    /// The opcode byte.
    pub fn code(self) -> u8 {
        match self {
            Operation::Tar => 0x01,
            Operation::Gzip => 0x10,
            Operation::Bzip2 => 0x13,
            Operation::Xz => 0x16,
            Operation::Zstd => 0x1B,
        }
    }

    /// Opcode → operation; unknown codes are refused.
    pub fn from_code(code: u8) -> Result<Operation> {
        Ok(match code {
            0x01 => Operation::Tar,
            0x10 => Operation::Gzip,
            0x13 => Operation::Bzip2,
            0x16 => Operation::Xz,
            0x1B => Operation::Zstd,
            c => {
                return Err(PackageError::Operation(format!(
                    "unknown operation code 0x{c:02x}"
                )));
            }
        })
    }

    /// Lowercase name.
    pub fn name(self) -> &'static str {
        match self {
            Operation::Tar => "tar",
            Operation::Gzip => "gzip",
            Operation::Bzip2 => "bzip2",
            Operation::Xz => "xz",
            Operation::Zstd => "zstd",
        }
    }
}

/// An ordered chain of operations, first-applied first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct OperationChain(Vec<Operation>);

impl OperationChain {
    /// The empty (raw) chain.
    pub fn none() -> Self {
        OperationChain(Vec::new())
    }

    /// Build a chain from operations in the order they are applied.
    pub fn new(ops: Vec<Operation>) -> Result<Self> {
        if ops.len() > 8 {
            return Err(PackageError::Operation(format!(
                "chain of {} operations; at most 8 fit in a u64",
                ops.len()
            )));
        }
        Ok(OperationChain(ops))
    }

    /// The operations, first-applied first.
    pub fn ops(&self) -> &[Operation] {
        &self.0
    }

    /// Does the chain contain TAR?
    pub fn has_tar(&self) -> bool {
        self.0.contains(&Operation::Tar)
    }

    /// Pack into the descriptor u64.
    pub fn pack(&self) -> u64 {
        self.0
            .iter()
            .enumerate()
            .fold(0u64, |acc, (i, op)| acc | (u64::from(op.code()) << (8 * i)))
    }

    /// Unpack a descriptor u64: stop at the first 0x00 byte; unknown codes are
    /// refused.
    pub fn unpack(packed: u64) -> Result<Self> {
        let mut ops = Vec::new();
        for b in packed.to_le_bytes() {
            if b == 0 {
                break;
            }
            ops.push(Operation::from_code(b)?);
        }
        Ok(OperationChain(ops))
    }

    /// Parse a flavorpack operations string: `raw`/`none`/empty, `gzip`,
    /// `bzip2`, `xz`, `zstd`, `tar`, `tar.gz`, `tgz`, `tar.zst`, `tar.bz2`,
    /// `tbz2`, `tar.xz`, `txz`, or pipe/comma lists like `tar|gzip`.
    pub fn parse(s: &str) -> Result<Self> {
        let s = s.trim().to_ascii_lowercase();
        let expanded: Vec<Operation> = match s.as_str() {
            "" | "raw" | "none" => vec![],
            "tgz" | "tar.gz" => vec![Operation::Tar, Operation::Gzip],
            "tbz2" | "tar.bz2" => vec![Operation::Tar, Operation::Bzip2],
            "txz" | "tar.xz" => vec![Operation::Tar, Operation::Xz],
            "tar.zst" | "tar.zstd" => vec![Operation::Tar, Operation::Zstd],
            _ => s
                .split(['|', ','])
                .map(|p| match p.trim() {
                    "tar" => Ok(Operation::Tar),
                    "gzip" | "gz" => Ok(Operation::Gzip),
                    "bzip2" | "bz2" => Ok(Operation::Bzip2),
                    "xz" => Ok(Operation::Xz),
                    "zstd" | "zst" => Ok(Operation::Zstd),
                    other => Err(PackageError::Operation(format!(
                        "unknown operation name {other:?}"
                    ))),
                })
                .collect::<Result<_>>()?,
        };
        OperationChain::new(expanded)
    }

    /// The conventional flavorpack string for this chain (`raw`, `gzip`,
    /// `tar.gz`, `tar.zst`, …; otherwise a `|` list).
    pub fn to_flavor_string(&self) -> String {
        use Operation::*;
        match self.0.as_slice() {
            [] => "raw".into(),
            [Tar, Gzip] => "tar.gz".into(),
            [Tar, Bzip2] => "tar.bz2".into(),
            [Tar, Xz] => "tar.xz".into(),
            [Tar, Zstd] => "tar.zst".into(),
            ops => ops.iter().map(|o| o.name()).collect::<Vec<_>>().join("|"),
        }
    }
}

impl fmt::Display for OperationChain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_flavor_string())
    }
}

/// Limits for decoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecodeLimits {
    /// Maximum output bytes of any decompression step.
    pub max_output: u64,
}

impl Default for DecodeLimits {
    fn default() -> Self {
        DecodeLimits {
            max_output: DEFAULT_DECODE_LIMIT,
        }
    }
}

/// Read a decompressor to the end, refusing more than `limit` bytes.
fn bounded(mut r: impl Read, op: Operation, limit: u64, hint: usize) -> Result<Vec<u8>> {
    // Pre-size modestly: the compressed size is a hint, never trust it for a
    // large allocation.
    let mut out = Vec::with_capacity(hint.min(1 << 20));
    let mut take = (&mut r).take(limit.saturating_add(1));
    take.read_to_end(&mut out)
        .map_err(|e| PackageError::Decompress {
            operation: op.name(),
            detail: e.to_string(),
        })?;
    if out.len() as u64 > limit {
        return Err(PackageError::DecompressLimit {
            what: format!("{} stream", op.name()),
            limit,
        });
    }
    Ok(out)
}

/// Undo one compression step.
fn undo(op: Operation, data: &[u8], limits: &DecodeLimits) -> Result<Vec<u8>> {
    let hint = data.len().saturating_mul(4);
    let lim = limits.max_output;
    match op {
        Operation::Tar => Ok(data.to_vec()),
        Operation::Gzip => bounded(flate2::read::MultiGzDecoder::new(data), op, lim, hint),
        Operation::Bzip2 => bounded(bzip2::read::MultiBzDecoder::new(data), op, lim, hint),
        Operation::Xz => bounded(xz2::read::XzDecoder::new_multi_decoder(data), op, lim, hint),
        Operation::Zstd => {
            let dec = zstd::stream::read::Decoder::with_buffer(data).map_err(|e| {
                PackageError::Decompress {
                    operation: op.name(),
                    detail: e.to_string(),
                }
            })?;
            bounded(dec, op, lim, hint)
        }
    }
}

/// Undo a whole chain (reverse order). For chains containing TAR the result is
/// the tar archive bytes.
pub fn decode(data: &[u8], chain: &OperationChain, limits: &DecodeLimits) -> Result<Vec<u8>> {
    if data.len() as u64 > limits.max_output && chain.0.iter().all(|o| *o == Operation::Tar) {
        return Err(PackageError::DecompressLimit {
            what: "raw slot".into(),
            limit: limits.max_output,
        });
    }
    let mut cur: Option<Vec<u8>> = None;
    for op in chain.0.iter().rev() {
        if *op == Operation::Tar {
            continue;
        }
        let input = cur.as_deref().unwrap_or(data);
        cur = Some(undo(*op, input, limits)?);
    }
    Ok(cur.unwrap_or_else(|| data.to_vec()))
}

fn io_err(op: Operation, e: std::io::Error) -> PackageError {
    PackageError::Decompress {
        operation: op.name(),
        detail: format!("while compressing: {e}"),
    }
}

/// Apply one compression step deterministically (fixed levels, no
/// timestamps, single-threaded).
fn apply_one(op: Operation, data: &[u8]) -> Result<Vec<u8>> {
    match op {
        Operation::Tar => Ok(data.to_vec()),
        Operation::Gzip => {
            let mut e = flate2::GzBuilder::new()
                .mtime(0)
                .operating_system(3)
                .write(Vec::new(), flate2::Compression::best());
            e.write_all(data).map_err(|e| io_err(op, e))?;
            e.finish().map_err(|e| io_err(op, e))
        }
        Operation::Bzip2 => {
            let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::best());
            e.write_all(data).map_err(|e| io_err(op, e))?;
            e.finish().map_err(|e| io_err(op, e))
        }
        Operation::Xz => {
            let mut e = xz2::write::XzEncoder::new(Vec::new(), 6);
            e.write_all(data).map_err(|e| io_err(op, e))?;
            e.finish().map_err(|e| io_err(op, e))
        }
        Operation::Zstd => zstd::stream::encode_all(data, 19).map_err(|e| io_err(op, e)),
    }
}

/// Apply a chain in order (TAR must already have been applied by the caller:
/// it is a no-op here).
pub fn encode(data: &[u8], chain: &OperationChain) -> Result<Vec<u8>> {
    let mut cur = data.to_vec();
    for op in &chain.0 {
        if *op != Operation::Tar {
            cur = apply_one(*op, &cur)?;
        }
    }
    Ok(cur)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pack_unpack() {
        let c = OperationChain::parse("tar.gz").unwrap();
        assert_eq!(c.pack(), 0x1001);
        assert_eq!(OperationChain::unpack(0x1001).unwrap(), c);
        assert_eq!(OperationChain::unpack(0).unwrap(), OperationChain::none());
        // Stops at the first zero byte.
        assert_eq!(OperationChain::unpack(0xFF00_0010).unwrap().pack(), 0x10);
        assert_eq!(
            OperationChain::unpack(0x21).unwrap_err().code(),
            "SJ-PKG-OPERATION"
        );
        assert_eq!(OperationChain::parse("tar|zstd").unwrap().pack(), 0x1B01);
        assert_eq!(OperationChain::parse("tgz").unwrap().to_string(), "tar.gz");
        assert!(OperationChain::parse("lz4").is_err());
    }

    #[test]
    fn round_trip_all() {
        let data = b"hello hello hello hello world".repeat(50);
        for s in ["raw", "gzip", "bzip2", "xz", "zstd", "gzip|zstd|xz"] {
            let c = OperationChain::parse(s).unwrap();
            let enc = encode(&data, &c).unwrap();
            assert_eq!(decode(&enc, &c, &DecodeLimits::default()).unwrap(), data);
        }
    }

    #[test]
    fn limit_stops_output() {
        let c = OperationChain::parse("gzip").unwrap();
        let enc = encode(&vec![0u8; 100_000], &c).unwrap();
        let e = decode(&enc, &c, &DecodeLimits { max_output: 1000 }).unwrap_err();
        assert_eq!(e.code(), "SJ-PKG-DECOMPRESS-LIMIT");
    }
}
