//! The package reader: open (structural checks, metadata, signature) and
//! lazy, verified access to individual slots.
//!
//! Opening reads only the trailer, the slot table and the metadata. A slot's
//! bytes are read — and hashed against both its descriptor checksum and the
//! signed JSON hash — the first time it is accessed, so one slot of a large
//! package can be used without touching the others. [`Package::bytes_read`]
//! counts every byte handed out from the map, which is how tests prove it.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use super::checks::{self, View};
use super::descriptor::SlotDescriptor;
use super::error::{PackageError, Result};
use super::index::{Index, TRAILER_SIZE};
use super::metadata::{self, Metadata, SlotMeta};
use super::operations::{self, DecodeLimits, OperationChain};
use super::signing::{self, PublicKey, Trust};
use super::tar_safety::{self, TarEntry, TarFile};
use super::verify::{self, VerifyReport};

/// How to read a package.
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    /// Directories searched for trusted `*.pub` keys. Empty by default so a
    /// library user's result never depends on the environment; use
    /// [`ReadOptions::with_default_trust_dirs`] for flavorpack's locations.
    pub trusted_key_dirs: Vec<PathBuf>,
    /// Refuse packages whose (valid) signature is not by a trusted key.
    pub require_trusted: bool,
    /// Decompression caps.
    pub limits: DecodeLimits,
}

impl ReadOptions {
    /// Options using [`signing::default_trusted_key_dirs`].
    pub fn with_default_trust_dirs() -> Self {
        ReadOptions {
            trusted_key_dirs: signing::default_trusted_key_dirs(),
            ..Default::default()
        }
    }
}

/// Where the package bytes live.
enum Backing {
    Mmap(memmap2::Mmap),
    Owned(Vec<u8>),
}

impl Backing {
    fn bytes(&self) -> &[u8] {
        match self {
            Backing::Mmap(m) => m,
            Backing::Owned(v) => v,
        }
    }
}

/// An opened, structurally verified, signature-checked package.
pub struct Package {
    backing: Backing,
    path: Option<PathBuf>,
    index: Index,
    descriptors: Vec<SlotDescriptor>,
    metadata: Metadata,
    metadata_json: Vec<u8>,
    trust: Trust,
    options: ReadOptions,
    bytes_read: AtomicU64,
    verified: Vec<AtomicBool>,
}

impl std::fmt::Debug for Package {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Package")
            .field("path", &self.path)
            .field("size", &self.index.package_size)
            .field("slots", &self.descriptors.len())
            .field("trust", &self.trust)
            .finish_non_exhaustive()
    }
}

/// A slot's descriptor and JSON entry together.
#[derive(Clone, Copy, Debug)]
pub struct SlotView<'a> {
    /// Position in the slot table.
    pub index: usize,
    /// The binary descriptor.
    pub descriptor: &'a SlotDescriptor,
    /// The signed JSON entry.
    pub meta: &'a SlotMeta,
}

impl SlotView<'_> {
    /// Slot name (`slots[i].id`).
    pub fn id(&self) -> &str {
        &self.meta.id
    }

    /// Decoded operation chain from the descriptor (what launchers use).
    pub fn chain(&self) -> Result<OperationChain> {
        OperationChain::unpack(self.descriptor.operations)
    }

    /// Stored size in bytes.
    pub fn size(&self) -> u64 {
        self.descriptor.size
    }

    /// Permission bits, 0o600 when the descriptor holds 0 (launcher default).
    pub fn mode(&self) -> u32 {
        match u32::from(self.descriptor.permissions) & 0o777 {
            0 => 0o600,
            m => m,
        }
    }

    /// Target path with a leading `{workenv}/` removed.
    pub fn target(&self) -> &str {
        let t = self.meta.target.as_str();
        t.strip_prefix("{workenv}/").unwrap_or(t)
    }
}

/// What [`Package::extract_slot`] wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Extracted {
    /// A TAR slot: the archive's entries, extracted under the workenv root.
    Tree(Vec<TarEntry>),
    /// A single file at this path.
    File(PathBuf),
}

impl Package {
    /// Map a file and open it.
    pub fn open(path: impl AsRef<Path>, options: &ReadOptions) -> Result<Package> {
        let path = path.as_ref();
        let file = File::open(path).map_err(|e| PackageError::io(path, e))?;
        let len = file
            .metadata()
            .map_err(|e| PackageError::io(path, e))?
            .len();
        // Too small to map meaningfully (and empty files cannot be mapped).
        if len < TRAILER_SIZE as u64 {
            return Err(PackageError::Truncated {
                size: len,
                needed: TRAILER_SIZE as u64,
            });
        }
        // SAFETY: the map is read-only. As with any file mapping, another
        // process truncating or rewriting the file while we hold the map can
        // change what we see or fault; packages are treated as immutable while
        // open, and every byte read is validated before use.
        let map = unsafe { memmap2::Mmap::map(&file) }.map_err(|e| PackageError::io(path, e))?;
        let mut p = Self::from_backing(Backing::Mmap(map), options)?;
        p.path = Some(path.to_path_buf());
        Ok(p)
    }

    /// Open a package held in memory.
    pub fn from_bytes(bytes: Vec<u8>, options: &ReadOptions) -> Result<Package> {
        Self::from_backing(Backing::Owned(bytes), options)
    }

    fn from_backing(backing: Backing, options: &ReadOptions) -> Result<Package> {
        let counter = AtomicU64::new(0);
        let v = View {
            data: backing.bytes(),
            counter: &counter,
        };
        let len = v.len();
        let (start, raw, end) = checks::read_trailer(&v)?;
        checks::check_magic_start(&start)?;
        checks::check_magic_end(&end)?;
        let index = Index::parse(&raw);
        index.check_version()?;
        index.check_checksum()?;
        checks::check_package_size(&index, len)?;
        checks::check_table_bounds(&index, len)?;
        checks::check_metadata_bounds(&index, len)?;
        let descriptors = checks::read_descriptors(&v, &index)?;
        for (i, d) in descriptors.iter().enumerate() {
            checks::check_slot_bounds(i, d, len)?;
        }
        checks::check_overlap(&index, &descriptors)?;
        let gz = v.get(index.metadata_offset, index.metadata_size, "metadata")?;
        checks::check_metadata_checksum(&index, gz)?;
        let json = metadata::gunzip_metadata(gz)?;
        signing::verify_signature(&index.public_key, &index.signature, &json)?;
        let metadata = Metadata::parse(&json, descriptors.len())?;
        for (i, (d, m)) in descriptors.iter().zip(&metadata.slots).enumerate() {
            checks::check_slot_operations(i, d, m)?;
        }
        checks::check_key_fingerprint(&index)?;
        checks::check_policy_hash(&index, &metadata)?;
        checks::check_sbom_slot_present(&index, &descriptors)?;
        let key = PublicKey(index.public_key);
        let trust = signing::trust_for(&options.trusted_key_dirs, &key);
        if options.require_trusted && !trust.is_trusted() {
            return Err(untrusted(&key, &options.trusted_key_dirs));
        }
        let verified = descriptors.iter().map(|_| AtomicBool::new(false)).collect();
        let bytes_read = AtomicU64::new(counter.load(Ordering::Relaxed));
        Ok(Package {
            backing,
            path: None,
            index,
            descriptors,
            metadata,
            metadata_json: json,
            trust,
            options: options.clone(),
            bytes_read,
            verified,
        })
    }

    fn view(&self) -> View<'_> {
        View {
            data: self.backing.bytes(),
            counter: &self.bytes_read,
        }
    }

    /// The raw package bytes (e.g. for re-verification). Not counted.
    pub fn raw_bytes(&self) -> &[u8] {
        self.backing.bytes()
    }

    /// Path the package was opened from, if any.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Bytes read from the map so far (trailer, table, metadata, and every
    /// slot access).
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read.load(Ordering::Relaxed)
    }

    /// The parsed index.
    pub fn index(&self) -> &Index {
        &self.index
    }

    /// The parsed metadata.
    pub fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    /// The exact signed JSON bytes.
    pub fn metadata_json(&self) -> &[u8] {
        &self.metadata_json
    }

    /// The embedded public key.
    pub fn public_key(&self) -> PublicKey {
        PublicKey(self.index.public_key)
    }

    /// Trust decision for the (valid) signature.
    pub fn trust(&self) -> &Trust {
        &self.trust
    }

    /// The options used to open the package.
    pub fn options(&self) -> &ReadOptions {
        &self.options
    }

    /// Number of slots.
    pub fn slot_count(&self) -> usize {
        self.descriptors.len()
    }

    /// Slot by position.
    pub fn slot(&self, i: usize) -> Result<SlotView<'_>> {
        match (self.descriptors.get(i), self.metadata.slots.get(i)) {
            (Some(descriptor), Some(meta)) => Ok(SlotView {
                index: i,
                descriptor,
                meta,
            }),
            _ => Err(PackageError::NoSuchSlot(i.to_string())),
        }
    }

    /// All slots in table order.
    pub fn slots(&self) -> impl Iterator<Item = SlotView<'_>> {
        self.descriptors
            .iter()
            .zip(&self.metadata.slots)
            .enumerate()
            .map(|(index, (descriptor, meta))| SlotView {
                index,
                descriptor,
                meta,
            })
    }

    /// Position of the first slot with this id.
    pub fn find_slot(&self, id: &str) -> Option<usize> {
        self.metadata.slots.iter().position(|s| s.id == id)
    }

    /// Has slot `i` already been read and verified?
    pub fn is_verified(&self, i: usize) -> bool {
        self.verified
            .get(i)
            .is_some_and(|v| v.load(Ordering::Relaxed))
    }

    /// The stored (still encoded) bytes of slot `i`, verified against the
    /// descriptor checksum and the signed JSON SHA-256. Hashing happens on
    /// the first access; later accesses reuse the result.
    pub fn slot_bytes(&self, i: usize) -> Result<&[u8]> {
        let s = self.slot(i)?;
        let bytes =
            self.view()
                .get(s.descriptor.offset, s.descriptor.size, &format!("slot {i}"))?;
        if !self.is_verified(i) {
            let digest = checks::check_slot_hashes(i, s.descriptor, s.meta, bytes)?;
            if checks::attestation_slot(&self.descriptors) == Some(i) {
                checks::check_sbom_digest(&self.index, &digest)?;
            }
            self.verified[i].store(true, Ordering::Relaxed);
        }
        Ok(bytes)
    }

    /// Slot `i` with its operations undone (for TAR chains: the tar archive).
    pub fn slot_data(&self, i: usize) -> Result<Vec<u8>> {
        let chain = self.slot(i)?.chain()?;
        let bytes = self.slot_bytes(i)?;
        operations::decode(bytes, &chain, &self.options.limits)
    }

    /// The validated entries (with contents) of a TAR slot.
    pub fn slot_tar(&self, i: usize) -> Result<Vec<TarFile>> {
        if !self.slot(i)?.chain()?.has_tar() {
            return Err(PackageError::Tar(format!("slot {i} is not a TAR slot")));
        }
        tar_safety::read_tar(&self.slot_data(i)?)
    }

    /// Extract slot `i` as the flavorpack launchers do: a TAR slot is
    /// untarred into `workenv` (its target is ignored); any other slot is
    /// written as one file at `workenv/<target>` with its permissions.
    pub fn extract_slot(&self, i: usize, workenv: &Path) -> Result<Extracted> {
        let s = self.slot(i)?;
        let chain = s.chain()?;
        let data = self.slot_data(i)?;
        if chain.has_tar() {
            return tar_safety::extract_tar(&data, workenv).map(Extracted::Tree);
        }
        let rel = tar_safety::safe_relative_path(s.target())?;
        std::fs::create_dir_all(workenv).map_err(|e| PackageError::io(workenv, e))?;
        tar_safety::no_symlink_ancestors(workenv, &rel)?;
        let dest = workenv.join(&rel);
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent).map_err(|e| PackageError::io(parent, e))?;
        }
        tar_safety::write_file(&dest, &data, s.mode())?;
        Ok(Extracted::File(dest))
    }

    /// Run every check on every slot and report each result by name.
    pub fn verify_all(&self) -> VerifyReport {
        verify::verify_bytes(self.backing.bytes(), &self.options)
    }
}

pub(crate) fn untrusted(key: &PublicKey, dirs: &[PathBuf]) -> PackageError {
    PackageError::Untrusted {
        fingerprint: key.fingerprint(),
        searched: if dirs.is_empty() {
            "no trusted-keys directories configured".into()
        } else {
            dirs.iter()
                .map(|d| d.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        },
    }
}
