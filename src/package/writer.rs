//! The package writer.
//!
//! Layout, like flavorpack's Python builder: launcher, gzip'd metadata right
//! after it, zero padding to 8, the slot table, each slot on a 4096-byte
//! boundary (configurable), then the trailer. Output is deterministic for the
//! same spec and key: no timestamps anywhere, deterministic tar and
//! compression settings, JSON fields in a fixed order.
//!
//! The metadata carries every field the flavorpack 0.5.4 Rust launcher
//! requires (`shared/pspf-format.md` §4), so packages stay readable by
//! flavorpack tools when only none/tar/gzip operations are used.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::descriptor::{
    DESCRIPTOR_SIZE, LIFECYCLE_ATTESTATION, SlotDescriptor, lifecycle_code, purpose_code,
    sha256_prefix_u64,
};
use super::error::{PackageError, Result};
use super::index::{
    CAP_MMAP, CAP_PAGE_ALIGNED, CAP_SIGNED, INDEX_SIZE, Index, TRAILER_SIZE, encode_trailer,
};
use super::metadata::{
    self, EntryPoint, Execution, Metadata, PackageInfo, SlotMeta, SlotjitSlot, hex,
};
use super::operations::{self, Operation, OperationChain};
use super::signing::SigningKey;
use super::tar_build::{self, TarInput};

/// Default slot alignment (a page, as the Python builder).
pub const DEFAULT_ALIGNMENT: u64 = 4096;

/// Where a slot's content comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SlotSource {
    /// These exact bytes (for a TAR chain: an existing tar archive).
    Bytes(Vec<u8>),
    /// A file's bytes.
    File(PathBuf),
    /// A directory, tarred deterministically (TAR is added to the chain).
    Directory(PathBuf),
    /// In-memory entries, tarred deterministically (TAR is added).
    Tree(Vec<TarInput>),
}

/// One slot to write.
#[derive(Clone, Debug, PartialEq)]
pub struct SlotSpec {
    /// Slot name (`slots[i].id`); unique, non-empty.
    pub id: String,
    /// Content.
    pub source: SlotSource,
    /// Operations to apply, first-applied first (e.g. tar, gzip).
    pub operations: OperationChain,
    /// Purpose name (`data`, `code`, `config`, `media`, …).
    pub purpose: String,
    /// Lifecycle name (`runtime`, `startup`, `lazy`, `attestation`, …).
    pub lifecycle: String,
    /// Extraction target relative to the workenv; defaults to the id.
    pub target: Option<String>,
    /// Permission bits (default 0o644).
    pub permissions: u16,
    /// slotjit's per-slot data (`slots[i].slotjit`).
    pub slotjit: Option<SlotjitSlot>,
}

impl SlotSpec {
    /// A raw data slot with default settings.
    pub fn new(id: impl Into<String>, source: SlotSource) -> SlotSpec {
        SlotSpec {
            id: id.into(),
            source,
            operations: OperationChain::none(),
            purpose: "data".into(),
            lifecycle: "runtime".into(),
            target: None,
            permissions: 0o644,
            slotjit: None,
        }
    }

    /// Set the operation chain.
    pub fn operations(mut self, ops: OperationChain) -> Self {
        self.operations = ops;
        self
    }

    /// Set the purpose.
    pub fn purpose(mut self, p: impl Into<String>) -> Self {
        self.purpose = p.into();
        self
    }

    /// Set the lifecycle.
    pub fn lifecycle(mut self, l: impl Into<String>) -> Self {
        self.lifecycle = l.into();
        self
    }

    /// Set the target path.
    pub fn target(mut self, t: impl Into<String>) -> Self {
        self.target = Some(t.into());
        self
    }

    /// Set the permissions.
    pub fn permissions(mut self, mode: u16) -> Self {
        self.permissions = mode;
        self
    }

    /// Attach slotjit per-slot data.
    pub fn slotjit(mut self, s: SlotjitSlot) -> Self {
        self.slotjit = Some(s);
        self
    }
}

/// A whole package to write.
#[derive(Clone, Debug, PartialEq)]
pub struct PackageSpec {
    /// `package.name`.
    pub name: String,
    /// `package.version`.
    pub version: String,
    /// Launcher bytes placed at offset 0 (may be empty).
    pub launcher: Vec<u8>,
    /// `execution.command` for flavorpack launchers.
    pub command: String,
    /// `execution.primary_slot`.
    pub primary_slot: Option<u64>,
    /// `execution.env`.
    pub env: BTreeMap<String, String>,
    /// `execution.slotjit`: the entry point slotjit runs.
    pub entry: Option<EntryPoint>,
    /// FEP-0004 `policy` object; its hash goes into the index.
    pub policy: Option<Value>,
    /// Slots in table order.
    pub slots: Vec<SlotSpec>,
    /// Slot alignment (power of two ≥ 8; default 4096).
    pub alignment: u64,
}

impl PackageSpec {
    /// A spec with defaults: no launcher, empty command, 4096 alignment.
    pub fn new(name: impl Into<String>, version: impl Into<String>) -> PackageSpec {
        PackageSpec {
            name: name.into(),
            version: version.into(),
            launcher: Vec::new(),
            command: String::new(),
            primary_slot: None,
            env: BTreeMap::new(),
            entry: None,
            policy: None,
            slots: Vec::new(),
            alignment: DEFAULT_ALIGNMENT,
        }
    }
}

/// A slot after its operations were applied.
struct Encoded {
    stored: Vec<u8>,
    original_size: u64,
    chain: OperationChain,
}

fn encode_slot(s: &SlotSpec) -> Result<Encoded> {
    let winput = |m: String| PackageError::WriterInput(format!("slot {:?}: {m}", s.id));
    let mut chain = s.operations.clone();
    if let Some(pos) = chain.ops().iter().position(|o| *o == Operation::Tar)
        && pos != 0
    {
        return Err(winput("TAR must be the first operation".into()));
    }
    if chain.ops().iter().filter(|o| **o == Operation::Tar).count() > 1 {
        return Err(winput("TAR appears more than once".into()));
    }
    let payload = match &s.source {
        SlotSource::Bytes(b) => b.clone(),
        SlotSource::File(p) => std::fs::read(p).map_err(|e| PackageError::io(p, e))?,
        SlotSource::Directory(p) => tar_build::tar_directory(p)?,
        SlotSource::Tree(entries) => tar_build::build_tar(entries)?,
    };
    let is_tree = matches!(s.source, SlotSource::Directory(_) | SlotSource::Tree(_));
    if is_tree && !chain.has_tar() {
        let mut ops = vec![Operation::Tar];
        ops.extend_from_slice(chain.ops());
        chain = OperationChain::new(ops)?;
    }
    if chain.has_tar() && !is_tree {
        // Caller-supplied archive: refuse what readers would refuse.
        super::tar_safety::list_tar(&payload)
            .map_err(|e| winput(format!("TAR slot is not a safe ustar archive: {e}")))?;
    }
    let stored = operations::encode(&payload, &chain)?;
    Ok(Encoded {
        original_size: payload.len() as u64,
        stored,
        chain,
    })
}

fn align_up(n: u64, a: u64) -> Result<u64> {
    n.checked_add(a - 1)
        .map(|x| x & !(a - 1))
        .ok_or_else(|| PackageError::WriterInput("package too large".into()))
}

fn pad_to(out: &mut Vec<u8>, pos: u64) {
    out.resize(pos as usize, 0);
}

fn validate(spec: &PackageSpec) -> Result<()> {
    let err = |m: String| Err(PackageError::WriterInput(m));
    if spec.alignment < 8 || !spec.alignment.is_power_of_two() {
        return err(format!(
            "alignment {} is not a power of two >= 8",
            spec.alignment
        ));
    }
    if spec.name.is_empty() || spec.version.is_empty() {
        return err("package name and version are required".into());
    }
    let mut ids = HashSet::new();
    for s in &spec.slots {
        if s.id.is_empty() {
            return err("slot with an empty id".into());
        }
        if !ids.insert(s.id.as_str()) {
            return err(format!("duplicate slot id {:?}", s.id));
        }
        if let Some(t) = &s.target {
            super::tar_safety::safe_relative_path(t.strip_prefix("{workenv}/").unwrap_or(t))
                .map_err(|e| PackageError::WriterInput(format!("slot {:?} target: {e}", s.id)))?;
        }
    }
    if let Some(e) = &spec.entry
        && !ids.contains(e.slot.as_str())
    {
        return err(format!("entry point slot {:?} does not exist", e.slot));
    }
    if let Some(p) = spec.primary_slot
        && p >= spec.slots.len() as u64
    {
        return err(format!("primary_slot {p} is out of range"));
    }
    if spec.slots.len() > u32::MAX as usize {
        return err("too many slots".into());
    }
    Ok(())
}

/// Build the metadata JSON the way flavorpack's Rust launcher needs it.
fn build_metadata(spec: &PackageSpec, enc: &[Encoded]) -> Metadata {
    let slots = spec
        .slots
        .iter()
        .zip(enc)
        .enumerate()
        .map(|(i, (s, e))| SlotMeta {
            slot: Some(i as u64),
            id: s.id.clone(),
            source: String::new(),
            target: s.target.clone().unwrap_or_else(|| s.id.clone()),
            size: Some(e.stored.len() as u64),
            checksum: format!("sha256:{}", hex(&Sha256::digest(&e.stored))),
            operations: e.chain.to_flavor_string(),
            purpose: s.purpose.clone(),
            lifecycle: s.lifecycle.clone(),
            permissions: Some(format!("{:04o}", s.permissions)),
            slotjit: s.slotjit.clone(),
            extra: Map::new(),
        })
        .collect();
    let mut extra = Map::new();
    extra.insert(
        "verification".into(),
        json!({"integrity_seal": {"required": true, "algorithm": "ed25519"},
               "signed": true, "require_verification": true}),
    );
    extra.insert(
        "build".into(),
        json!({"tool": "slotjit", "tool_version": env!("CARGO_PKG_VERSION"), "deterministic": true}),
    );
    extra.insert(
        "launcher".into(),
        json!({"size": spec.launcher.len(),
               "checksum": format!("sha256:{}", hex(&Sha256::digest(&spec.launcher)))}),
    );
    extra.insert(
        "compatibility".into(),
        json!({"min_format_version": "1.0.0", "features": []}),
    );
    Metadata {
        format: Some("PSPF/2025".into()),
        format_version: Some("1.0.0".into()),
        package: Some(PackageInfo {
            name: spec.name.clone(),
            version: spec.version.clone(),
            extra: Map::new(),
        }),
        slots,
        execution: Some(Execution {
            primary_slot: spec.primary_slot,
            command: spec.command.clone(),
            env: spec.env.clone(),
            slotjit: spec.entry.clone(),
            extra: Map::new(),
        }),
        policy: spec.policy.clone(),
        extra,
    }
}

fn hex_field(s: &str) -> [u8; 64] {
    let mut f = [0u8; 64];
    let b = s.as_bytes();
    let n = b.len().min(64);
    f[..n].copy_from_slice(&b[..n]);
    f
}

/// Build a complete, signed package in memory.
pub fn build_package(spec: &PackageSpec, key: &SigningKey) -> Result<Vec<u8>> {
    validate(spec)?;
    let enc: Vec<Encoded> = spec.slots.iter().map(encode_slot).collect::<Result<_>>()?;
    let meta = build_metadata(spec, &enc);
    let json = serde_json::to_vec_pretty(&meta)
        .map_err(|e| PackageError::WriterInput(format!("cannot serialise metadata: {e}")))?;
    if json.len() as u64 > metadata::METADATA_JSON_LIMIT {
        return Err(PackageError::WriterInput(format!(
            "metadata JSON is {} bytes; readers accept at most 1 MiB",
            json.len()
        )));
    }
    let gz = metadata::gzip_metadata(&json);
    let signature = key.sign(&json);
    let public = key.public_key();

    let mut out = spec.launcher.clone();
    let launcher_size = out.len() as u64;
    let metadata_offset = launcher_size;
    out.extend_from_slice(&gz);
    let n = spec.slots.len() as u64;
    let (table_offset, table_size) = if n == 0 {
        (0, 0)
    } else {
        let off = align_up(out.len() as u64, 8)?;
        (off, n * DESCRIPTOR_SIZE as u64)
    };
    if n > 0 {
        pad_to(&mut out, table_offset + table_size);
    }
    let mut descs = Vec::with_capacity(enc.len());
    for (i, (s, e)) in spec.slots.iter().zip(&enc).enumerate() {
        let off = align_up(out.len() as u64, spec.alignment)?;
        pad_to(&mut out, off);
        out.extend_from_slice(&e.stored);
        descs.push(SlotDescriptor {
            id: i as u64,
            name_hash: sha256_prefix_u64(s.id.as_bytes()),
            offset: off,
            size: e.stored.len() as u64,
            original_size: e.original_size,
            operations: e.chain.pack(),
            checksum: sha256_prefix_u64(&e.stored),
            purpose: purpose_code(&s.purpose),
            lifecycle: lifecycle_code(&s.lifecycle),
            priority: 1,
            platform: 0,
            reserved1: 0,
            reserved2: 0,
            permissions: s.permissions,
        });
    }
    for (i, d) in descs.iter().enumerate() {
        let at = table_offset as usize + i * DESCRIPTOR_SIZE;
        out[at..at + DESCRIPTOR_SIZE].copy_from_slice(&d.encode());
    }

    let mut idx = Index::empty();
    idx.package_size = out.len() as u64 + TRAILER_SIZE as u64;
    idx.launcher_size = launcher_size;
    idx.metadata_offset = metadata_offset;
    idx.metadata_size = gz.len() as u64;
    idx.slot_table_offset = table_offset;
    idx.slot_table_size = table_size;
    idx.slot_count = n as u32;
    idx.public_key = public.0;
    idx.metadata_checksum = Sha256::digest(&gz).into();
    idx.signature = signature;
    idx.capabilities = CAP_MMAP
        | CAP_SIGNED
        | if spec.alignment.is_multiple_of(DEFAULT_ALIGNMENT) {
            CAP_PAGE_ALIGNED
        } else {
            0
        };
    idx.attestation_key_fp = hex_field(&public.fingerprint());
    if let Some(i) = descs
        .iter()
        .position(|d| d.lifecycle == LIFECYCLE_ATTESTATION)
    {
        idx.attestation_sbom_digest = hex_field(&hex(&Sha256::digest(&enc[i].stored)));
    }
    if let Some(h) = meta.policy_hash_candidates().first() {
        idx.attestation_policy_hash = hex_field(h);
    }
    let raw: [u8; INDEX_SIZE] = idx.encode();
    out.extend_from_slice(&encode_trailer(&raw));
    Ok(out)
}

/// Build a package and write it to `path` (mode 0o755 on Unix, so a package
/// with a real launcher is directly executable).
pub fn write_package(spec: &PackageSpec, key: &SigningKey, path: &Path) -> Result<()> {
    let bytes = build_package(spec, key)?;
    std::fs::write(path, &bytes).map_err(|e| PackageError::io(path, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
            .map_err(|e| PackageError::io(path, e))?;
    }
    Ok(())
}
