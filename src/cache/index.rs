//! The advisory index: every entry file's size and last use, in
//! `index.json`.
//!
//! The index only steers LRU eviction and `stats`; entries validate
//! themselves. It is replaced atomically (temp file + rename) under the
//! cache lock, and when it is missing, unparsable or names anything but
//! well-formed entries it is rebuilt from a directory scan (sizes and
//! modification times). Names in it are never used as paths directly: each
//! record is parsed back into a kind and a 32-byte key, so a tampered index
//! cannot make eviction delete files outside the cache.

use std::collections::BTreeMap;
use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::error::{CacheError, Result};
use super::files;
use super::format::Kind;
use super::key::CacheKey;

/// Version of the `index.json` layout; another value means "rebuild".
const INDEX_FORMAT: u32 = 1;

/// File-name suffix of entry files.
pub const ENTRY_SUFFIX: &str = ".sjc";

/// One entry file: its kind and key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntryId {
    /// Artifact or profile.
    pub kind: Kind,
    /// The entry's key.
    pub key: CacheKey,
}

impl EntryId {
    /// `DIR/<kind dir>/<64 hex>.sjc`.
    pub fn path(&self, dir: &Path) -> PathBuf {
        dir.join(self.kind.dir_name())
            .join(format!("{}{ENTRY_SUFFIX}", self.key))
    }

    /// Parses an entry file name (`<64 lowercase hex>.sjc`) in a kind directory.
    pub fn from_file_name(kind: Kind, name: &str) -> Option<EntryId> {
        let hex = name.strip_suffix(ENTRY_SUFFIX)?;
        // Only the canonical (lowercase) spelling, so one key has one file.
        if hex.bytes().any(|b| b.is_ascii_uppercase()) {
            return None;
        }
        Some(EntryId {
            kind,
            key: CacheKey::from_hex(hex)?,
        })
    }
}

/// What the index records about one entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EntryMeta {
    /// Size of the entry file in bytes.
    pub size: u64,
    /// Last use (write or hit), nanoseconds since the Unix epoch.
    pub last_use_ns: u64,
}

/// The in-memory index.
#[derive(Clone, Debug, Default)]
pub struct Index {
    /// Every known entry.
    pub entries: BTreeMap<EntryId, EntryMeta>,
}

#[derive(Serialize, Deserialize)]
struct IndexFile {
    format: u32,
    entries: Vec<Record>,
}

#[derive(Serialize, Deserialize)]
struct Record {
    kind: String,
    key: String,
    size: u64,
    last_use_ns: u64,
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Artifact => "artifact",
        Kind::Profile => "profile",
    }
}

fn kind_from_name(name: &str) -> Option<Kind> {
    Kind::ALL.into_iter().find(|&k| kind_name(k) == name)
}

impl Index {
    /// Sum of all entry sizes.
    pub fn total_bytes(&self) -> u64 {
        self.entries
            .values()
            .fold(0u64, |sum, m| sum.saturating_add(m.size))
    }

    /// Reads `path`. `Ok(None)` when it is missing or not a valid index
    /// (the caller rebuilds); `Err` only when it exists but cannot be read.
    pub fn load(path: &Path) -> Result<Option<Index>> {
        let bytes = match fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(CacheError::io("read", path, e)),
        };
        Ok(Self::parse(&bytes))
    }

    fn parse(bytes: &[u8]) -> Option<Index> {
        let file: IndexFile = serde_json::from_slice(bytes).ok()?;
        if file.format != INDEX_FORMAT {
            return None;
        }
        let mut entries = BTreeMap::new();
        for r in file.entries {
            let id = EntryId {
                kind: kind_from_name(&r.kind)?,
                key: CacheKey::from_hex(&r.key)?,
            };
            let meta = EntryMeta {
                size: r.size,
                last_use_ns: r.last_use_ns,
            };
            entries.insert(id, meta);
        }
        Some(Index { entries })
    }

    /// Writes the index to `path` atomically.
    pub fn store(&self, path: &Path) -> Result<()> {
        let file = IndexFile {
            format: INDEX_FORMAT,
            entries: self
                .entries
                .iter()
                .map(|(id, m)| Record {
                    kind: kind_name(id.kind).to_owned(),
                    key: id.key.to_string(),
                    size: m.size,
                    last_use_ns: m.last_use_ns,
                })
                .collect(),
        };
        // Serializing plain strings and integers cannot fail; fall back to an
        // empty document (a rebuild) rather than panic if it ever did.
        let json = serde_json::to_vec(&file).unwrap_or_default();
        files::write_atomic(path, &json)
    }

    /// Builds an index from the entry files under `dir`: sizes and
    /// modification times (as last use). Files that are not entries are
    /// ignored; files that vanish during the scan are skipped.
    pub fn scan(dir: &Path) -> Result<Index> {
        let mut entries = BTreeMap::new();
        for kind in Kind::ALL {
            let sub = dir.join(kind.dir_name());
            let rd = match fs::read_dir(&sub) {
                Ok(rd) => rd,
                Err(e) if e.kind() == ErrorKind::NotFound => continue,
                Err(e) => return Err(CacheError::io("list", sub, e)),
            };
            for item in rd {
                let item = item.map_err(|e| CacheError::io("list", &sub, e))?;
                let name = item.file_name();
                let Some(id) = EntryId::from_file_name(kind, &name.to_string_lossy()) else {
                    continue;
                };
                let Ok(md) = item.metadata() else { continue };
                if !md.is_file() {
                    continue;
                }
                let last_use_ns = md.modified().map(files::system_time_ns).unwrap_or(0);
                entries.insert(
                    id,
                    EntryMeta {
                        size: md.len(),
                        last_use_ns,
                    },
                );
            }
        }
        Ok(Index { entries })
    }
}
