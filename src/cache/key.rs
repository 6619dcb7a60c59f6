//! Cache keys: what identifies one compiled artifact (design decision 11).
//!
//! A key is SHA-256 over a domain tag and the length-prefixed fields of
//! [`KeyParts`], so no two different field tuples can encode to the same
//! bytes (`("ab", "c")` and `("a", "bc")` hash differently).

use std::fmt;

use sha2::{Digest, Sha256};

/// Domain-separation tag hashed in front of the fields.
const KEY_DOMAIN: &[u8] = b"slotjit-cache-key/1\0";

/// The inputs that decide whether a compiled artifact can be reused.
#[derive(Clone, Copy, Debug)]
pub struct KeyParts<'a> {
    /// Version of slotjit's code generator; bump it whenever generated code
    /// or the side-table layout changes.
    pub codegen_version: &'a str,
    /// Compatibility hash of the runtime engine (Wasmtime's precompiled-code
    /// compatibility, target and settings) as bytes; opaque to the cache.
    pub engine_hash: &'a [u8],
    /// Tier the artifact was compiled for.
    pub tier: u8,
    /// Content hash of the proto (bytecode, constants, nested protos).
    pub proto_hash: &'a [u8; 32],
    /// Hash of the specialization plan (type feedback, inlining decisions).
    pub plan_hash: &'a [u8; 32],
}

/// A 32-byte cache key. Displays (and [`CacheKey::from_hex`] parses) as
/// 64 lowercase hex digits, which is also its file name in the cache.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CacheKey(pub [u8; 32]);

impl CacheKey {
    /// SHA-256 over the domain tag and every field of `parts`, each field
    /// prefixed with its length as a little-endian `u64`.
    pub fn derive(parts: &KeyParts<'_>) -> CacheKey {
        let mut h = Sha256::new();
        h.update(KEY_DOMAIN);
        for field in [
            parts.codegen_version.as_bytes(),
            parts.engine_hash,
            &[parts.tier],
            parts.proto_hash,
            parts.plan_hash,
        ] {
            h.update((field.len() as u64).to_le_bytes());
            h.update(field);
        }
        CacheKey(h.finalize().into())
    }

    /// The raw key bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Parses 64 hex digits (either case); `None` for anything else.
    pub fn from_hex(s: &str) -> Option<CacheKey> {
        let s = s.as_bytes();
        if s.len() != 64 {
            return None;
        }
        let mut out = [0u8; 32];
        for (i, pair) in s.chunks_exact(2).enumerate() {
            out[i] = (hex_digit(pair[0])? << 4) | hex_digit(pair[1])?;
        }
        Some(CacheKey(out))
    }
}

fn hex_digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

impl fmt::Display for CacheKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for CacheKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CacheKey({self})")
    }
}
