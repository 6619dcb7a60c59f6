//! The signed metadata JSON (`shared/pspf-format.md` §4) and slotjit's
//! extensions to it.
//!
//! Parsing is permissive like flavorpack's readers: unknown fields are kept in
//! `extra` maps, most fields are optional. What slotjit needs is required: one
//! JSON slot entry per descriptor, and a usable `checksum` in each (that hash
//! is what binds the slot bytes to the signature). Field order in the structs
//! is the order the writer emits, so written JSON is deterministic.

use std::collections::BTreeMap;
use std::io::Read;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::error::{PackageError, Result};

/// Cap on the decompressed metadata JSON; the flavorpack Rust verifier reads
/// at most this much, so larger metadata would not be portable anyway.
pub const METADATA_JSON_LIMIT: u64 = 1024 * 1024;

/// The top-level metadata object.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Metadata {
    /// `"PSPF/2025"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// `"1.0.0"` from Python/Rust builders, `""` from Go.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format_version: Option<String>,
    /// Package name and version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<PackageInfo>,
    /// One entry per slot descriptor, in descriptor order.
    #[serde(default)]
    pub slots: Vec<SlotMeta>,
    /// How the launcher runs the package (and slotjit's entry point).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution: Option<Execution>,
    /// FEP-0004 policy object; its canonical hash may be in the index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<Value>,
    /// Every other top-level field (`verification`, `build`, `launcher`, …).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `package` section.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct PackageInfo {
    /// Package name.
    #[serde(default)]
    pub name: String,
    /// Package version.
    #[serde(default)]
    pub version: String,
    /// Other fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `execution` section.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Execution {
    /// Index of the primary slot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_slot: Option<u64>,
    /// Shell command the flavorpack launchers exec (placeholders `{workenv}`…).
    #[serde(default)]
    pub command: String,
    /// Environment for the command.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// slotjit's entry point (which slot and function to run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slotjit: Option<EntryPoint>,
    /// Other fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `execution.slotjit`: what `slotjit run package.psp` executes.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct EntryPoint {
    /// The slot `id` (name) holding the entry code.
    pub slot: String,
    /// The exported function to call; `None` runs the slot's main chunk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function: Option<String>,
    /// Other fields (forward compatibility).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One entry of `slots`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct SlotMeta {
    /// Ordinal index; must equal the array position when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slot: Option<u64>,
    /// Slot name (e.g. `"app"`, `"_attestation"`).
    #[serde(default)]
    pub id: String,
    /// Build-time source path (informational).
    #[serde(default)]
    pub source: String,
    /// Extraction path relative to the workenv (may start with `{workenv}/`).
    #[serde(default)]
    pub target: String,
    /// Size as the builder recorded it (unreliable; use the descriptor).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// `sha256:<hex>` of the stored bytes (required).
    pub checksum: String,
    /// Informational operation string (`"tar.gz"`, `"gzip"`, `"raw"`, …).
    #[serde(default)]
    pub operations: String,
    /// Purpose name.
    #[serde(default)]
    pub purpose: String,
    /// Lifecycle name.
    #[serde(default)]
    pub lifecycle: String,
    /// Octal permission string such as `"0644"`, or null.
    #[serde(default)]
    pub permissions: Option<String>,
    /// slotjit's per-slot data; other readers ignore it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slotjit: Option<SlotjitSlot>,
    /// Other fields (`resolution`, `self_ref`, …).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `slots[i].slotjit`: slotjit's per-slot data.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct SlotjitSlot {
    /// What the decoded bytes are: `"sbc"` (slot bytecode), `"lua"` (source),
    /// `"wasm"`, or `"data"`. Kept as a string so newer kinds do not make
    /// older readers refuse the whole package.
    pub kind: String,
    /// Functions this slot exports.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exports: Vec<String>,
    /// Ids of slots this slot needs loaded first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends: Vec<String>,
    /// Other fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The slot hash recorded in the signed JSON.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExpectedHash {
    /// A full SHA-256 (`sha256:<64 hex>` or bare 64 hex).
    Full([u8; 32]),
    /// Only the first 8 bytes (bare 16 hex): the Python builder writes this for
    /// its `_attestation` slot. Still a signed 64-bit binding.
    Prefix([u8; 8]),
}

impl ExpectedHash {
    /// Parse a JSON `checksum` string.
    pub fn parse(s: &str) -> Option<ExpectedHash> {
        let hex = s.strip_prefix("sha256:").unwrap_or(s);
        match hex.len() {
            64 => {
                let mut out = [0u8; 32];
                decode_hex(hex, &mut out)?;
                Some(ExpectedHash::Full(out))
            }
            16 if !s.starts_with("sha256:") => {
                let mut out = [0u8; 8];
                decode_hex(hex, &mut out)?;
                Some(ExpectedHash::Prefix(out))
            }
            _ => None,
        }
    }

    /// Does this expected hash match a computed SHA-256?
    pub fn matches(&self, digest: &[u8; 32]) -> bool {
        match self {
            ExpectedHash::Full(h) => h == digest,
            ExpectedHash::Prefix(p) => p[..] == digest[..8],
        }
    }
}

fn decode_hex(s: &str, out: &mut [u8]) -> Option<()> {
    let b = s.as_bytes();
    if b.len() != out.len() * 2 {
        return None;
    }
    fn nib(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    for (i, o) in out.iter_mut().enumerate() {
        *o = (nib(b[2 * i])? << 4) | nib(b[2 * i + 1])?;
    }
    Some(())
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    const D: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(D[(b >> 4) as usize] as char);
        s.push(D[(b & 15) as usize] as char);
    }
    s
}

/// Gunzip the metadata blob with the 1 MiB cap.
pub fn gunzip_metadata(gz: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut dec = flate2::read::GzDecoder::new(gz).take(METADATA_JSON_LIMIT + 1);
    dec.read_to_end(&mut out)
        .map_err(|e| PackageError::Metadata(format!("cannot gunzip metadata: {e}")))?;
    if out.len() as u64 > METADATA_JSON_LIMIT {
        return Err(PackageError::DecompressLimit {
            what: "metadata JSON".into(),
            limit: METADATA_JSON_LIMIT,
        });
    }
    Ok(out)
}

/// gzip the metadata JSON as the Python builder does (level 9, mtime 0,
/// OS = Unix), so output is deterministic.
pub fn gzip_metadata(json: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::GzBuilder::new()
        .mtime(0)
        .operating_system(3)
        .write(Vec::new(), flate2::Compression::best());
    // Writing to a Vec cannot fail.
    let _ = enc.write_all(json);
    enc.finish().unwrap_or_default()
}

impl Metadata {
    /// Parse and validate the JSON against the descriptor count.
    pub fn parse(json: &[u8], slot_count: usize) -> Result<Metadata> {
        let meta: Metadata = serde_json::from_slice(json)
            .map_err(|e| PackageError::Metadata(format!("invalid JSON: {e}")))?;
        if let Some(f) = &meta.format
            && f != "PSPF/2025"
        {
            return Err(PackageError::Metadata(format!(
                "format is {f:?}, expected \"PSPF/2025\""
            )));
        }
        if meta.slots.len() != slot_count {
            return Err(PackageError::Metadata(format!(
                "{} slot entries in the JSON but {slot_count} descriptors",
                meta.slots.len()
            )));
        }
        for (i, s) in meta.slots.iter().enumerate() {
            if let Some(n) = s.slot
                && n != i as u64
            {
                return Err(PackageError::Metadata(format!(
                    "slots[{i}].slot is {n}, must equal its position"
                )));
            }
            if ExpectedHash::parse(&s.checksum).is_none() {
                return Err(PackageError::Metadata(format!(
                    "slots[{i}].checksum {:?} is not sha256:<64 hex>",
                    s.checksum
                )));
            }
        }
        Ok(meta)
    }

    /// Hex SHA-256 candidates of the canonical `policy` JSON. Python writes
    /// `json.dumps(sort_keys=True, separators=(",",":"))` (ASCII-escaped);
    /// serde's map is sorted too, so the compact form matches whenever the
    /// policy is pure ASCII. We also accept the ASCII-escaped variant.
    pub fn policy_hash_candidates(&self) -> Vec<String> {
        let Some(p) = &self.policy else {
            return Vec::new();
        };
        let compact = serde_json::to_string(p).unwrap_or_default();
        let mut escaped = String::with_capacity(compact.len());
        for c in compact.chars() {
            if c.is_ascii() {
                escaped.push(c);
            } else {
                let mut buf = [0u16; 2];
                for u in c.encode_utf16(&mut buf) {
                    escaped.push_str(&format!("\\u{u:04x}"));
                }
            }
        }
        let mut v = vec![hex(&Sha256::digest(compact.as_bytes()))];
        if escaped != compact {
            v.push(hex(&Sha256::digest(escaped.as_bytes())));
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expected_hash_forms() {
        let full = format!("sha256:{}", "ab".repeat(32));
        assert!(matches!(
            ExpectedHash::parse(&full),
            Some(ExpectedHash::Full(_))
        ));
        assert!(matches!(
            ExpectedHash::parse("cf6cd3f1e82d7376"),
            Some(ExpectedHash::Prefix(_))
        ));
        assert!(ExpectedHash::parse("sha256:cf6cd3f1e82d7376").is_none());
        assert!(ExpectedHash::parse("md5:00").is_none());
        assert!(ExpectedHash::parse(&"zz".repeat(32)).is_none());
    }

    #[test]
    fn gzip_round_trip_and_header() {
        let gz = gzip_metadata(b"{}");
        assert_eq!(&gz[..10], &[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 3]);
        assert_eq!(gunzip_metadata(&gz).unwrap(), b"{}");
    }
}
