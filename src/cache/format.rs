//! The entry file format: one self-validating file per artifact or profile.
//!
//! ```text
//! offset size  field
//!      0    8  magic "SJCACHE\0"
//!      8    4  format version (u32 LE, FORMAT_VERSION)
//!     12    1  kind (1 = artifact, 2 = profile)
//!     13   32  key (the CacheKey, or the proto hash for a profile)
//!     45    8  artifact length A (u64 LE)
//!     53    8  side-table length S (u64 LE)
//!     61   32  SHA-256 over bytes 0..61, then the A + S payload bytes
//!     93    A  artifact
//!   93+A    S  side table
//! ```
//!
//! The file must be exactly `93 + A + S` bytes long. [`decode`] checks every
//! field against what the reader asked for and reports the first mismatch;
//! it never panics, whatever the bytes.

use sha2::{Digest, Sha256};

/// First eight bytes of every entry file.
pub const MAGIC: [u8; 8] = *b"SJCACHE\0";
/// The entry format this build writes and reads; any other version is a
/// foreign entry (deleted on read).
pub const FORMAT_VERSION: u32 = 1;
/// Offset of the version field.
pub const VERSION_OFFSET: usize = 8;
/// Offset of the kind byte.
pub const KIND_OFFSET: usize = 12;
/// Offset of the 32-byte key.
pub const KEY_OFFSET: usize = 13;
/// Offset of the artifact length.
pub const ARTIFACT_LEN_OFFSET: usize = 45;
/// Offset of the side-table length.
pub const SIDE_LEN_OFFSET: usize = 53;
/// Offset of the SHA-256 checksum (it covers every byte before it and the payloads).
pub const CHECKSUM_OFFSET: usize = 61;
/// Size of the fixed header; the payloads start here.
pub const HEADER_LEN: usize = 93;

/// What an entry file holds; also selects its subdirectory.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// Compiled native code plus its side tables, keyed by a [`CacheKey`](super::CacheKey).
    Artifact,
    /// A persisted execution profile, keyed by a proto hash.
    Profile,
}

impl Kind {
    /// Both kinds, in directory-scan order.
    pub const ALL: [Kind; 2] = [Kind::Artifact, Kind::Profile];

    /// The kind byte stored in the header.
    pub fn byte(self) -> u8 {
        match self {
            Kind::Artifact => 1,
            Kind::Profile => 2,
        }
    }

    /// The subdirectory of the cache holding entries of this kind.
    pub fn dir_name(self) -> &'static str {
        match self {
            Kind::Artifact => "artifacts",
            Kind::Profile => "profiles",
        }
    }
}

/// Why an entry file was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Invalid {
    /// Shorter than the header, or shorter/longer than its declared payloads.
    Length,
    /// The magic is not `SJCACHE\0`.
    Magic,
    /// Another format version.
    Version(u32),
    /// The kind byte is not the kind asked for.
    Kind(u8),
    /// The stored key is not the key asked for (the file was replaced).
    Key,
    /// The SHA-256 does not match the contents.
    Checksum,
}

/// Serializes one entry file.
pub fn encode(kind: Kind, key: &[u8; 32], artifact: &[u8], side_table: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN + artifact.len() + side_table.len());
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.push(kind.byte());
    out.extend_from_slice(key);
    out.extend_from_slice(&(artifact.len() as u64).to_le_bytes());
    out.extend_from_slice(&(side_table.len() as u64).to_le_bytes());
    let sum = checksum(&out, artifact, side_table);
    out.extend_from_slice(&sum);
    out.extend_from_slice(artifact);
    out.extend_from_slice(side_table);
    out
}

/// The checksum of a header prefix (bytes `0..CHECKSUM_OFFSET`) and payloads.
pub fn checksum(header: &[u8], artifact: &[u8], side_table: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(header);
    h.update(artifact);
    h.update(side_table);
    h.finalize().into()
}

/// Checks a whole entry file against the expected kind and key; on success
/// returns the artifact and side-table slices.
pub fn decode<'a>(
    bytes: &'a [u8],
    kind: Kind,
    key: &[u8; 32],
) -> Result<(&'a [u8], &'a [u8]), Invalid> {
    let header = bytes.get(..HEADER_LEN).ok_or(Invalid::Length)?;
    if header[..VERSION_OFFSET] != MAGIC {
        return Err(Invalid::Magic);
    }
    let version = u32::from_le_bytes(field(header, VERSION_OFFSET));
    if version != FORMAT_VERSION {
        return Err(Invalid::Version(version));
    }
    if header[KIND_OFFSET] != kind.byte() {
        return Err(Invalid::Kind(header[KIND_OFFSET]));
    }
    if header[KEY_OFFSET..ARTIFACT_LEN_OFFSET] != key[..] {
        return Err(Invalid::Key);
    }
    let a_len = u64::from_le_bytes(field(header, ARTIFACT_LEN_OFFSET));
    let s_len = u64::from_le_bytes(field(header, SIDE_LEN_OFFSET));
    let payload = &bytes[HEADER_LEN..];
    let declared = a_len.checked_add(s_len).ok_or(Invalid::Length)?;
    if declared != payload.len() as u64 {
        return Err(Invalid::Length);
    }
    // `a_len <= payload.len()` now holds, so the cast and split are in range.
    let (artifact, side_table) = payload.split_at(a_len as usize);
    let sum = checksum(&header[..CHECKSUM_OFFSET], artifact, side_table);
    if header[CHECKSUM_OFFSET..HEADER_LEN] != sum {
        return Err(Invalid::Checksum);
    }
    Ok((artifact, side_table))
}

/// Copies the `N` bytes at `at` out of the (already length-checked) header.
fn field<const N: usize>(header: &[u8], at: usize) -> [u8; N] {
    let mut out = [0u8; N];
    out.copy_from_slice(&header[at..at + N]);
    out
}
