//! The 64-byte slot descriptor (`shared/pspf-format.md` §1.4).

use sha2::{Digest, Sha256};

/// Size of one descriptor in the slot table.
pub const DESCRIPTOR_SIZE: usize = 64;

/// Lifecycle byte of the FEP-0004 attestation slot.
pub const LIFECYCLE_ATTESTATION: u8 = 11;

/// One slot descriptor, exactly as stored.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct SlotDescriptor {
    /// Ordinal index (descriptor *i* has id *i*).
    pub id: u64,
    /// `SHA-256(name)[0..8]` as LE u64. Builders disagree on what "name" is;
    /// nothing reads it.
    pub name_hash: u64,
    /// Absolute file offset of the stored bytes.
    pub offset: u64,
    /// Stored (post-operation) length.
    pub size: u64,
    /// Length before the operations (informational; Rust/Go write `size`).
    pub original_size: u64,
    /// Packed operation chain (see [`super::operations`]).
    pub operations: u64,
    /// `SHA-256(stored bytes)[0..8]` as LE u64.
    pub checksum: u64,
    /// 0 data, 1 code, 2 config, 3 media.
    pub purpose: u8,
    /// 0 init … 11 attestation.
    pub lifecycle: u8,
    /// Cache priority hint (unused).
    pub priority: u8,
    /// Platform (0 any).
    pub platform: u8,
    /// Reserved byte 0x3C.
    pub reserved1: u8,
    /// Reserved byte 0x3D.
    pub reserved2: u8,
    /// Unix permission bits (low byte at 0x3E, high at 0x3F).
    pub permissions: u16,
}

fn u64_at(b: &[u8; DESCRIPTOR_SIZE], off: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[off..off + 8]);
    u64::from_le_bytes(a)
}

impl SlotDescriptor {
    /// Parse one descriptor (any bit pattern parses; validation is separate).
    pub fn parse(b: &[u8; DESCRIPTOR_SIZE]) -> SlotDescriptor {
        SlotDescriptor {
            id: u64_at(b, 0x00),
            name_hash: u64_at(b, 0x08),
            offset: u64_at(b, 0x10),
            size: u64_at(b, 0x18),
            original_size: u64_at(b, 0x20),
            operations: u64_at(b, 0x28),
            checksum: u64_at(b, 0x30),
            purpose: b[0x38],
            lifecycle: b[0x39],
            priority: b[0x3A],
            platform: b[0x3B],
            reserved1: b[0x3C],
            reserved2: b[0x3D],
            permissions: u16::from(b[0x3E]) | (u16::from(b[0x3F]) << 8),
        }
    }

    /// Encode to the 64-byte on-disk form.
    pub fn encode(&self) -> [u8; DESCRIPTOR_SIZE] {
        let mut b = [0u8; DESCRIPTOR_SIZE];
        b[0x00..0x08].copy_from_slice(&self.id.to_le_bytes());
        b[0x08..0x10].copy_from_slice(&self.name_hash.to_le_bytes());
        b[0x10..0x18].copy_from_slice(&self.offset.to_le_bytes());
        b[0x18..0x20].copy_from_slice(&self.size.to_le_bytes());
        b[0x20..0x28].copy_from_slice(&self.original_size.to_le_bytes());
        b[0x28..0x30].copy_from_slice(&self.operations.to_le_bytes());
        b[0x30..0x38].copy_from_slice(&self.checksum.to_le_bytes());
        b[0x38] = self.purpose;
        b[0x39] = self.lifecycle;
        b[0x3A] = self.priority;
        b[0x3B] = self.platform;
        b[0x3C] = self.reserved1;
        b[0x3D] = self.reserved2;
        b[0x3E] = (self.permissions & 0xFF) as u8;
        b[0x3F] = (self.permissions >> 8) as u8;
        b
    }
}

/// `SHA-256(data)[0..8]` as a little-endian u64: the descriptor checksum and
/// name hash.
pub fn sha256_prefix_u64(data: &[u8]) -> u64 {
    let d = Sha256::digest(data);
    let mut a = [0u8; 8];
    a.copy_from_slice(&d[..8]);
    u64::from_le_bytes(a)
}

/// Purpose name → descriptor byte (Python's mapping; unknown names → 0 data).
pub fn purpose_code(name: &str) -> u8 {
    match name {
        "code" | "runtime" => 1,
        "config" | "tool" => 2,
        "media" | "asset" => 3,
        _ => 0,
    }
}

/// Lifecycle name → descriptor byte (unknown names → 2 runtime, as flavorpack).
pub fn lifecycle_code(name: &str) -> u8 {
    match name {
        "init" | "initialization" => 0,
        "startup" => 1,
        "runtime" => 2,
        "shutdown" => 3,
        "cache" | "cached" => 4,
        "temporary" | "temp" => 5,
        "lazy" => 6,
        "eager" => 7,
        "dev" | "development" => 8,
        "config" => 9,
        "platform" => 10,
        "attestation" => LIFECYCLE_ATTESTATION,
        _ => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let d = SlotDescriptor {
            id: 2,
            name_hash: 0x1122334455667788,
            offset: 4096,
            size: 143,
            original_size: 10240,
            operations: 0x1001,
            checksum: 0xdeadbeef,
            purpose: 1,
            lifecycle: 2,
            priority: 1,
            platform: 0,
            reserved1: 0,
            reserved2: 0,
            permissions: 0o755,
        };
        let b = d.encode();
        assert_eq!(b[0x3E], 0xED);
        assert_eq!(b[0x3F], 0x01);
        assert_eq!(SlotDescriptor::parse(&b), d);
    }
}
