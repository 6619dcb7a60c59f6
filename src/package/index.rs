//! The 8192-byte PSPF/2025 index block and the magic trailer around it.
//!
//! Layout (all little-endian, offsets relative to the index start) follows
//! `shared/pspf-format.md` §1.2, i.e. what flavorpack 0.5.4 really writes.
//! Bytes 640..1376 are parsed for display only: readers must not depend on
//! them (the Go builder historically shifted them), but they are covered by
//! the Adler-32 because the checksum spans every byte.

use super::error::{PackageError, Result};

/// `F0 9F 93 A6` (📦): first 4 bytes of the trailer.
pub const MAGIC_START: [u8; 4] = [0xF0, 0x9F, 0x93, 0xA6];
/// `F0 9F AA 84` (🪄): last 4 bytes of the file.
pub const MAGIC_END: [u8; 4] = [0xF0, 0x9F, 0xAA, 0x84];
/// Size of the index block.
pub const INDEX_SIZE: usize = 8192;
/// Size of the whole trailer: start magic + index + end magic.
pub const TRAILER_SIZE: usize = 4 + INDEX_SIZE + 4;
/// The only supported `format_version`.
pub const FORMAT_VERSION: u32 = 0x2025_0001;
/// Value written in `compatibility` by the Python and Rust builders (and us).
pub const COMPATIBILITY: u32 = 0x2025_0001;
/// Value written in `protocol_version`.
pub const PROTOCOL_VERSION: u32 = 1;
/// Page size hint written by the Python/Rust builders (and us).
pub const PAGE_SIZE: u32 = 4096;

/// Capability bit: the package may be memory-mapped.
pub const CAP_MMAP: u64 = 1 << 0;
/// Capability bit: slots are page aligned.
pub const CAP_PAGE_ALIGNED: u64 = 1 << 1;
/// Capability bit: the package is signed.
pub const CAP_SIGNED: u64 = 1 << 7;

/// Offsets of the FEP-0004 attestation fields inside the index.
const ATT_KEY_FP: usize = 1376;
const ATT_SBOM: usize = 1440;
const ATT_POLICY: usize = 1504;
const ATT_END: usize = 1568;

/// A parsed index block. Field names follow the Python `index.py`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Index {
    /// Must be [`FORMAT_VERSION`].
    pub format_version: u32,
    /// Adler-32 of the index with bytes 4..8 zeroed.
    pub index_checksum: u32,
    /// Total file length, trailer included.
    pub package_size: u64,
    /// Length of the launcher executable at the start of the file.
    pub launcher_size: u64,
    /// Absolute offset of the gzip'd metadata JSON.
    pub metadata_offset: u64,
    /// Length of the gzip'd metadata.
    pub metadata_size: u64,
    /// Absolute offset of the slot descriptor table.
    pub slot_table_offset: u64,
    /// Length of the slot table; must be `slot_count * 64`.
    pub slot_table_size: u64,
    /// Number of slots.
    pub slot_count: u32,
    /// Unused by every builder (0).
    pub flags: u32,
    /// Raw Ed25519 public key.
    pub public_key: [u8; 32],
    /// SHA-256 of the compressed metadata bytes.
    pub metadata_checksum: [u8; 32],
    /// Ed25519 signature over the decompressed metadata JSON (bytes 0..64 of
    /// the 512-byte field; the rest must be zero in what we write).
    pub signature: [u8; 64],
    /// Hint byte 640 (Python writes 2).
    pub access_mode: u8,
    /// Hint byte 641 (Python writes 1).
    pub cache_strategy: u8,
    /// Page size hint (4096 from Python/Rust builders).
    pub page_size: u32,
    /// Capability bits (e.g. [`CAP_MMAP`]).
    pub capabilities: u64,
    /// Compatibility field (0x20250001).
    pub compatibility: u32,
    /// Protocol version (1).
    pub protocol_version: u32,
    /// FEP-0004: lowercase hex SHA-256 of the public key (ASCII, NUL padded).
    pub attestation_key_fp: [u8; 64],
    /// FEP-0004: hex SHA-256 of the attestation (lifecycle 11) slot.
    pub attestation_sbom_digest: [u8; 64],
    /// FEP-0004: hex SHA-256 of the canonical `metadata.policy` JSON.
    pub attestation_policy_hash: [u8; 64],
    /// The raw 8192 bytes as read (kept so nothing is lost for re-encoding and
    /// so the Adler-32 covers the exact stored bytes).
    pub raw: Box<[u8; INDEX_SIZE]>,
}

fn u32_at(b: &[u8; INDEX_SIZE], off: usize) -> u32 {
    let mut a = [0u8; 4];
    a.copy_from_slice(&b[off..off + 4]);
    u32::from_le_bytes(a)
}

fn u64_at(b: &[u8; INDEX_SIZE], off: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[off..off + 8]);
    u64::from_le_bytes(a)
}

fn arr<const N: usize>(b: &[u8; INDEX_SIZE], off: usize) -> [u8; N] {
    let mut a = [0u8; N];
    a.copy_from_slice(&b[off..off + N]);
    a
}

/// Adler-32 of an index block with bytes 4..8 treated as zero.
pub fn index_adler32(raw: &[u8; INDEX_SIZE]) -> u32 {
    let mut a = adler2::Adler32::new();
    a.write_slice(&raw[..4]);
    a.write_slice(&[0u8; 4]);
    a.write_slice(&raw[8..]);
    a.checksum()
}

/// Trim an ASCII hex attestation field: `None` when all zero.
pub fn ascii_field(field: &[u8; 64]) -> Option<&[u8]> {
    if field.iter().all(|&b| b == 0) {
        return None;
    }
    let end = field.iter().position(|&b| b == 0).unwrap_or(field.len());
    Some(&field[..end])
}

impl Index {
    /// Parse an index block. Never fails: every bit pattern is a parseable
    /// index; validation is separate so that `verify` can report each check.
    pub fn parse(raw: &[u8; INDEX_SIZE]) -> Index {
        Index {
            format_version: u32_at(raw, 0),
            index_checksum: u32_at(raw, 4),
            package_size: u64_at(raw, 8),
            launcher_size: u64_at(raw, 16),
            metadata_offset: u64_at(raw, 24),
            metadata_size: u64_at(raw, 32),
            slot_table_offset: u64_at(raw, 40),
            slot_table_size: u64_at(raw, 48),
            slot_count: u32_at(raw, 56),
            flags: u32_at(raw, 60),
            public_key: arr(raw, 64),
            metadata_checksum: arr(raw, 96),
            signature: arr(raw, 128),
            access_mode: raw[640],
            cache_strategy: raw[641],
            page_size: u32_at(raw, 644),
            capabilities: u64_at(raw, 832),
            compatibility: u32_at(raw, 856),
            protocol_version: u32_at(raw, 860),
            attestation_key_fp: arr(raw, ATT_KEY_FP),
            attestation_sbom_digest: arr(raw, ATT_SBOM),
            attestation_policy_hash: arr(raw, ATT_POLICY),
            raw: Box::new(*raw),
        }
    }

    /// Adler-32 computed over the stored bytes (bytes 4..8 zeroed).
    pub fn computed_checksum(&self) -> u32 {
        index_adler32(&self.raw)
    }

    /// Check `format_version`.
    pub fn check_version(&self) -> Result<()> {
        if self.format_version != FORMAT_VERSION {
            return Err(PackageError::Version {
                found: self.format_version,
            });
        }
        Ok(())
    }

    /// Check the stored Adler-32. Unlike the Python reader we also enforce a
    /// stored value of 0: every builder writes the checksum.
    pub fn check_checksum(&self) -> Result<()> {
        let computed = self.computed_checksum();
        if computed != self.index_checksum {
            return Err(PackageError::IndexChecksum {
                stored: self.index_checksum,
                computed,
            });
        }
        Ok(())
    }

    /// Whether bytes 128+64..640 of the signature field are all zero.
    pub fn signature_tail_is_zero(&self) -> bool {
        self.raw[192..640].iter().all(|&b| b == 0)
    }

    /// Encode the fields this crate writes into a fresh 8192-byte block,
    /// including the Adler-32. Hint bytes not represented as fields are zero.
    pub fn encode(&self) -> [u8; INDEX_SIZE] {
        let mut b = [0u8; INDEX_SIZE];
        b[0..4].copy_from_slice(&self.format_version.to_le_bytes());
        b[8..16].copy_from_slice(&self.package_size.to_le_bytes());
        b[16..24].copy_from_slice(&self.launcher_size.to_le_bytes());
        b[24..32].copy_from_slice(&self.metadata_offset.to_le_bytes());
        b[32..40].copy_from_slice(&self.metadata_size.to_le_bytes());
        b[40..48].copy_from_slice(&self.slot_table_offset.to_le_bytes());
        b[48..56].copy_from_slice(&self.slot_table_size.to_le_bytes());
        b[56..60].copy_from_slice(&self.slot_count.to_le_bytes());
        b[60..64].copy_from_slice(&self.flags.to_le_bytes());
        b[64..96].copy_from_slice(&self.public_key);
        b[96..128].copy_from_slice(&self.metadata_checksum);
        b[128..192].copy_from_slice(&self.signature);
        b[640] = self.access_mode;
        b[641] = self.cache_strategy;
        b[644..648].copy_from_slice(&self.page_size.to_le_bytes());
        b[832..840].copy_from_slice(&self.capabilities.to_le_bytes());
        b[856..860].copy_from_slice(&self.compatibility.to_le_bytes());
        b[860..864].copy_from_slice(&self.protocol_version.to_le_bytes());
        b[ATT_KEY_FP..ATT_SBOM].copy_from_slice(&self.attestation_key_fp);
        b[ATT_SBOM..ATT_POLICY].copy_from_slice(&self.attestation_sbom_digest);
        b[ATT_POLICY..ATT_END].copy_from_slice(&self.attestation_policy_hash);
        let ck = index_adler32(&b);
        b[4..8].copy_from_slice(&ck.to_le_bytes());
        b
    }

    /// An index with every field zero except the constants we always write.
    pub fn empty() -> Index {
        let mut idx = Index::parse(&[0u8; INDEX_SIZE]);
        idx.format_version = FORMAT_VERSION;
        idx.page_size = PAGE_SIZE;
        idx.compatibility = COMPATIBILITY;
        idx.protocol_version = PROTOCOL_VERSION;
        idx
    }
}

/// Build the full 8200-byte trailer for an index block.
pub fn encode_trailer(index: &[u8; INDEX_SIZE]) -> Vec<u8> {
    let mut t = Vec::with_capacity(TRAILER_SIZE);
    t.extend_from_slice(&MAGIC_START);
    t.extend_from_slice(index);
    t.extend_from_slice(&MAGIC_END);
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_parse_round_trip() {
        let mut idx = Index::empty();
        idx.package_size = 123_456;
        idx.slot_count = 3;
        idx.slot_table_size = 192;
        idx.public_key = [7; 32];
        idx.attestation_key_fp = [b'a'; 64];
        let raw = idx.encode();
        let back = Index::parse(&raw);
        assert_eq!(back.package_size, 123_456);
        assert_eq!(back.slot_count, 3);
        assert_eq!(back.public_key, [7; 32]);
        assert!(back.check_checksum().is_ok());
        assert!(back.check_version().is_ok());
        assert_eq!(ascii_field(&back.attestation_key_fp), Some(&[b'a'; 64][..]));
    }

    #[test]
    fn adler_known_value() {
        // adler32 of 8192 zero bytes = (1 + 0) | (8192 * 1 mod 65521) << 16
        assert_eq!(index_adler32(&[0u8; INDEX_SIZE]), (8192 << 16) | 1);
    }
}
