//! The one error type of the package layer.
//!
//! Every failure has a stable code (`SJ-PKG-…`) that tools, tests and users can
//! match on, plus a one-line remedy. Messages may change; codes may not.

use std::path::PathBuf;

/// Result alias used throughout `crate::package`.
pub type Result<T, E = PackageError> = std::result::Result<T, E>;

/// Everything that can go wrong while reading, verifying, decoding or writing
/// a PSPF/2025 package.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PackageError {
    /// The file is shorter than the 8200-byte magic trailer.
    #[error("package is truncated: {size} bytes, need at least {needed}")]
    Truncated {
        /// Actual file length.
        size: u64,
        /// Minimum length required.
        needed: u64,
    },
    /// One of the two trailer magics is wrong.
    #[error("bad trailer magic: {which}")]
    Magic {
        /// Which magic failed (`start 📦` or `end 🪄`).
        which: &'static str,
    },
    /// `format_version` in the index is not 0x20250001.
    #[error("unsupported format_version 0x{found:08x} (expected 0x20250001)")]
    Version {
        /// The value found in the index.
        found: u32,
    },
    /// The Adler-32 of the index does not match `index_checksum`.
    #[error("index checksum mismatch: stored 0x{stored:08x}, computed 0x{computed:08x}")]
    IndexChecksum {
        /// Value stored at index[4..8].
        stored: u32,
        /// Value computed over the index with bytes 4..8 zeroed.
        computed: u32,
    },
    /// `package_size` in the index differs from the file length.
    #[error("package_size {declared} does not match the file size {actual}")]
    Size {
        /// `package_size` from the index.
        declared: u64,
        /// Real length of the file.
        actual: u64,
    },
    /// A region (metadata, slot table, a slot) lies outside the data area, or
    /// its offset/size arithmetic overflows, or the slot table size is wrong.
    #[error("{region} is out of bounds: {detail}")]
    Bounds {
        /// Which region (e.g. `metadata`, `slot table`, `slot 3`).
        region: String,
        /// What exactly is wrong.
        detail: String,
    },
    /// Two regions (slots, metadata, slot table) share bytes.
    #[error("{first} overlaps {second}")]
    Overlap {
        /// The region starting first.
        first: String,
        /// The region overlapping it.
        second: String,
    },
    /// A slot descriptor is inconsistent (e.g. its `id` is not its index).
    #[error("slot descriptor {slot}: {detail}")]
    Descriptor {
        /// Descriptor index.
        slot: usize,
        /// What is wrong.
        detail: String,
    },
    /// SHA-256 of the compressed metadata differs from `metadata_checksum`.
    #[error("metadata checksum (SHA-256 of the gzip bytes) mismatch")]
    MetadataChecksum,
    /// The metadata could not be decompressed or parsed, or lacks a required field.
    #[error("metadata: {0}")]
    Metadata(String),
    /// The Ed25519 signature is missing, malformed or does not verify.
    #[error("signature: {0}")]
    Signature(String),
    /// The package is validly signed but its key is not in any trusted-keys directory.
    #[error("signing key {fingerprint} is not trusted (searched: {searched})")]
    Untrusted {
        /// Hex SHA-256 of the raw public key.
        fingerprint: String,
        /// The directories searched, for the message.
        searched: String,
    },
    /// A key file or key seed could not be used.
    #[error("key: {0}")]
    Key(String),
    /// The 8-byte descriptor checksum of a slot does not match its bytes.
    #[error(
        "slot {slot} ({id}): descriptor checksum mismatch (stored {stored:016x}, computed {computed:016x})"
    )]
    SlotChecksum {
        /// Slot index.
        slot: usize,
        /// Slot id from the metadata, if known.
        id: String,
        /// Descriptor value.
        stored: u64,
        /// Computed value.
        computed: u64,
    },
    /// The slot's SHA-256 differs from the hash in the signed metadata JSON.
    #[error(
        "slot {slot} ({id}): SHA-256 does not match the signed metadata ({expected}, got {actual})"
    )]
    SlotHash {
        /// Slot index.
        slot: usize,
        /// Slot id.
        id: String,
        /// The checksum string from the JSON.
        expected: String,
        /// The computed hex digest.
        actual: String,
    },
    /// No slot with this index or id.
    #[error("no slot {0}")]
    NoSuchSlot(String),
    /// An operation code is unknown or not supported.
    #[error("unsupported operation: {0}")]
    Operation(String),
    /// Decompression failed because the data is corrupt.
    #[error("{operation} decompression failed: {detail}")]
    Decompress {
        /// Which operation (`gzip`, `zstd`, …).
        operation: &'static str,
        /// Underlying error text.
        detail: String,
    },
    /// Decompressed output would exceed the configured cap.
    #[error("{what}: decompressed output exceeds the limit of {limit} bytes")]
    DecompressLimit {
        /// What was being decompressed.
        what: String,
        /// The cap in bytes.
        limit: u64,
    },
    /// A tar archive is malformed (not ustar, bad header, unsupported entry).
    #[error("tar: {0}")]
    Tar(String),
    /// A tar entry (or a slot target path) would land outside the
    /// extraction directory.
    #[error("path escapes the target directory: {path}")]
    TarEscape {
        /// Entry path (or link target) as stored.
        path: String,
    },
    /// An FEP-0004 attestation field disagrees with the package.
    #[error("attestation: {0}")]
    Attestation(String),
    /// The writer was given inconsistent input.
    #[error("writer input: {0}")]
    WriterInput(String),
    /// An I/O error, with the path when known.
    #[error("I/O error{}: {source}", path.as_ref().map(|p| format!(" on {}", p.display())).unwrap_or_default())]
    Io {
        /// The file involved, if any.
        path: Option<PathBuf>,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

impl PackageError {
    /// The stable machine-readable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Truncated { .. } => "SJ-PKG-TRUNCATED",
            Self::Magic { .. } => "SJ-PKG-MAGIC",
            Self::Version { .. } => "SJ-PKG-VERSION",
            Self::IndexChecksum { .. } => "SJ-PKG-INDEX-CHECKSUM",
            Self::Size { .. } => "SJ-PKG-SIZE",
            Self::Bounds { .. } => "SJ-PKG-BOUNDS",
            Self::Overlap { .. } => "SJ-PKG-OVERLAP",
            Self::Descriptor { .. } => "SJ-PKG-DESCRIPTOR",
            Self::MetadataChecksum => "SJ-PKG-METADATA-CHECKSUM",
            Self::Metadata(_) => "SJ-PKG-METADATA",
            Self::Signature(_) => "SJ-PKG-SIGNATURE",
            Self::Untrusted { .. } => "SJ-PKG-UNTRUSTED",
            Self::Key(_) => "SJ-PKG-KEY",
            Self::SlotChecksum { .. } => "SJ-PKG-SLOT-CHECKSUM",
            Self::SlotHash { .. } => "SJ-PKG-SLOT-HASH",
            Self::NoSuchSlot(_) => "SJ-PKG-NO-SUCH-SLOT",
            Self::Operation(_) => "SJ-PKG-OPERATION",
            Self::Decompress { .. } => "SJ-PKG-DECOMPRESS",
            Self::DecompressLimit { .. } => "SJ-PKG-DECOMPRESS-LIMIT",
            Self::Tar(_) => "SJ-PKG-TAR",
            Self::TarEscape { .. } => "SJ-PKG-TAR-ESCAPE",
            Self::Attestation(_) => "SJ-PKG-ATTESTATION",
            Self::WriterInput(_) => "SJ-PKG-WRITER-INPUT",
            Self::Io { .. } => "SJ-PKG-IO",
        }
    }

    /// A one-line hint on what to do about this error.
    pub fn remedy(&self) -> &'static str {
        match self {
            Self::Truncated { .. } => "the file is incomplete; download or copy it again",
            Self::Magic { .. } => {
                "this is not a PSPF/2025 package, or its end was cut off or appended to"
            }
            Self::Version { .. } => "the package uses a PSPF version this slotjit does not read",
            Self::IndexChecksum { .. } | Self::Size { .. } => {
                "the package index is corrupt or the file was modified; rebuild or re-download it"
            }
            Self::Bounds { .. } | Self::Overlap { .. } | Self::Descriptor { .. } => {
                "the package layout is corrupt or malicious; rebuild it with a conforming writer"
            }
            Self::MetadataChecksum | Self::Metadata(_) => {
                "the package metadata is corrupt or incomplete; rebuild the package"
            }
            Self::Signature(_) => {
                "the package was modified after signing or is unsigned; do not run it, rebuild and re-sign it"
            }
            Self::Untrusted { .. } => {
                "add the publisher's public key (*.pub, SPKI PEM) to a trusted-keys directory if you trust it"
            }
            Self::Key(_) => {
                "check the key file (PKCS#8 PEM private key / SPKI PEM public key) or seed"
            }
            Self::SlotChecksum { .. } | Self::SlotHash { .. } => {
                "a slot's bytes were altered or replaced; do not run this package, re-download or rebuild it"
            }
            Self::NoSuchSlot(_) => "list the package's slots and use an existing index or id",
            Self::Operation(_) => {
                "the slot uses an operation this slotjit cannot decode; repack with none/tar/gzip/bzip2/xz/zstd"
            }
            Self::Decompress { .. } => "the slot data is corrupt; rebuild the package",
            Self::DecompressLimit { .. } => {
                "the slot inflates beyond the configured cap (possible decompression bomb); raise the limit only if you trust it"
            }
            Self::Tar(_) => "the slot's tar archive is malformed; repack it as a ustar archive",
            Self::TarEscape { .. } => {
                "the archive tries to write outside its directory; do not extract this package"
            }
            Self::Attestation(_) => {
                "the FEP-0004 attestation fields disagree with the package; rebuild it"
            }
            Self::WriterInput(_) => "fix the package specification given to the writer",
            Self::Io { .. } => "check that the path exists and is readable/writable",
        }
    }

    /// Wrap an I/O error together with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: Some(path.into()),
            source,
        }
    }
}

impl From<std::io::Error> for PackageError {
    fn from(source: std::io::Error) -> Self {
        Self::Io { path: None, source }
    }
}
