//! The individual checks, shared by the strict reader ([`super::reader`],
//! which stops at the first failure) and the full verifier
//! ([`super::verify`], which runs every check and reports each by name).
//!
//! Every function takes the bytes it needs explicitly, so which check reads
//! which part of the file is visible here; all offset arithmetic is checked.

use std::sync::atomic::{AtomicU64, Ordering};

use sha2::{Digest, Sha256};

use super::descriptor::{DESCRIPTOR_SIZE, LIFECYCLE_ATTESTATION, SlotDescriptor};
use super::error::{PackageError, Result};
use super::index::{INDEX_SIZE, Index, MAGIC_END, MAGIC_START, TRAILER_SIZE, ascii_field};
use super::metadata::{ExpectedHash, Metadata, SlotMeta, hex};
use super::operations::OperationChain;
use super::signing::PublicKey;

/// A view of the package bytes that counts how many bytes were handed out,
/// so tests can prove that a slot's bytes were never read.
pub(crate) struct View<'a> {
    pub data: &'a [u8],
    pub counter: &'a AtomicU64,
}

impl<'a> View<'a> {
    /// File length.
    pub fn len(&self) -> u64 {
        self.data.len() as u64
    }

    /// Bytes `[off, off+len)`, bounds- and overflow-checked, counted.
    pub fn get(&self, off: u64, len: u64, region: &str) -> Result<&'a [u8]> {
        let end = off.checked_add(len).ok_or_else(|| PackageError::Bounds {
            region: region.to_string(),
            detail: format!("offset {off} + size {len} overflows"),
        })?;
        if end > self.len() {
            return Err(PackageError::Bounds {
                region: region.to_string(),
                detail: format!("ends at {end}, file is {} bytes", self.len()),
            });
        }
        // Both fit in the slice length, hence in usize.
        let s = &self.data[off as usize..end as usize];
        self.counter.fetch_add(len, Ordering::Relaxed);
        Ok(s)
    }
}

/// End of the data area: everything but the trailer.
pub(crate) fn data_end(file_len: u64) -> u64 {
    file_len.saturating_sub(TRAILER_SIZE as u64)
}

/// Check the minimum size and read the trailer's index bytes.
pub(crate) fn read_trailer(v: &View<'_>) -> Result<([u8; 4], [u8; INDEX_SIZE], [u8; 4])> {
    if v.len() < TRAILER_SIZE as u64 {
        return Err(PackageError::Truncated {
            size: v.len(),
            needed: TRAILER_SIZE as u64,
        });
    }
    let t = v.get(
        v.len() - TRAILER_SIZE as u64,
        TRAILER_SIZE as u64,
        "trailer",
    )?;
    let mut start = [0u8; 4];
    let mut idx = [0u8; INDEX_SIZE];
    let mut end = [0u8; 4];
    start.copy_from_slice(&t[..4]);
    idx.copy_from_slice(&t[4..4 + INDEX_SIZE]);
    end.copy_from_slice(&t[4 + INDEX_SIZE..]);
    Ok((start, idx, end))
}

/// Check the start magic.
pub(crate) fn check_magic_start(m: &[u8; 4]) -> Result<()> {
    if *m != MAGIC_START {
        return Err(PackageError::Magic {
            which: "missing 📦 (F0 9F 93 A6) at EOF-8200",
        });
    }
    Ok(())
}

/// Check the end magic.
pub(crate) fn check_magic_end(m: &[u8; 4]) -> Result<()> {
    if *m != MAGIC_END {
        return Err(PackageError::Magic {
            which: "missing 🪄 (F0 9F AA 84) at EOF-4",
        });
    }
    Ok(())
}

/// `package_size` must equal the file length.
pub(crate) fn check_package_size(idx: &Index, file_len: u64) -> Result<()> {
    if idx.package_size != file_len {
        return Err(PackageError::Size {
            declared: idx.package_size,
            actual: file_len,
        });
    }
    Ok(())
}

fn in_data(region: &str, off: u64, len: u64, file_len: u64) -> Result<()> {
    let end = off.checked_add(len).ok_or_else(|| PackageError::Bounds {
        region: region.to_string(),
        detail: format!("offset {off} + size {len} overflows"),
    })?;
    let limit = data_end(file_len);
    if end > limit {
        return Err(PackageError::Bounds {
            region: region.to_string(),
            detail: format!("[{off}, {end}) runs past the data area end {limit}"),
        });
    }
    Ok(())
}

/// Metadata region and launcher size within the data area.
pub(crate) fn check_metadata_bounds(idx: &Index, file_len: u64) -> Result<()> {
    in_data("launcher", 0, idx.launcher_size, file_len)?;
    if idx.metadata_size == 0 {
        return Err(PackageError::Bounds {
            region: "metadata".into(),
            detail: "metadata_size is 0".into(),
        });
    }
    in_data("metadata", idx.metadata_offset, idx.metadata_size, file_len)
}

/// Slot table size and region.
pub(crate) fn check_table_bounds(idx: &Index, file_len: u64) -> Result<()> {
    let want = u64::from(idx.slot_count) * DESCRIPTOR_SIZE as u64;
    if idx.slot_table_size != want {
        return Err(PackageError::Bounds {
            region: "slot table".into(),
            detail: format!(
                "slot_table_size {} != slot_count {} x 64",
                idx.slot_table_size, idx.slot_count
            ),
        });
    }
    if idx.slot_count == 0 {
        return Ok(());
    }
    in_data(
        "slot table",
        idx.slot_table_offset,
        idx.slot_table_size,
        file_len,
    )
}

/// Read the descriptors (table bounds must have been checked).
pub(crate) fn read_descriptors(v: &View<'_>, idx: &Index) -> Result<Vec<SlotDescriptor>> {
    if idx.slot_count == 0 {
        return Ok(Vec::new());
    }
    let table = v.get(idx.slot_table_offset, idx.slot_table_size, "slot table")?;
    Ok(table
        .chunks_exact(DESCRIPTOR_SIZE)
        .map(|c| {
            let mut b = [0u8; DESCRIPTOR_SIZE];
            b.copy_from_slice(c);
            SlotDescriptor::parse(&b)
        })
        .collect())
}

/// One slot's region and its ordinal id.
pub(crate) fn check_slot_bounds(i: usize, d: &SlotDescriptor, file_len: u64) -> Result<()> {
    if d.id != i as u64 {
        return Err(PackageError::Descriptor {
            slot: i,
            detail: format!("id is {}, must equal its table position {i}", d.id),
        });
    }
    in_data(&format!("slot {i}"), d.offset, d.size, file_len)
}

/// No two non-empty regions (metadata, slot table, slots) may share bytes.
pub(crate) fn check_overlap(idx: &Index, descs: &[SlotDescriptor]) -> Result<()> {
    let mut regions: Vec<(u64, u64, String)> = Vec::with_capacity(descs.len() + 2);
    let mut push = |off: u64, len: u64, name: String| {
        if len > 0 {
            // Bounds were checked, but stay overflow-proof regardless.
            regions.push((off, off.saturating_add(len), name));
        }
    };
    push(idx.metadata_offset, idx.metadata_size, "metadata".into());
    if idx.slot_count > 0 {
        push(
            idx.slot_table_offset,
            idx.slot_table_size,
            "slot table".into(),
        );
    }
    for (i, d) in descs.iter().enumerate() {
        push(d.offset, d.size, format!("slot {i}"));
    }
    regions.sort();
    for w in regions.windows(2) {
        if w[1].0 < w[0].1 {
            return Err(PackageError::Overlap {
                first: format!("{} [{}, {})", w[0].2, w[0].0, w[0].1),
                second: format!("{} [{}, {})", w[1].2, w[1].0, w[1].1),
            });
        }
    }
    Ok(())
}

/// SHA-256 of the compressed metadata.
pub(crate) fn check_metadata_checksum(idx: &Index, gz: &[u8]) -> Result<()> {
    let d: [u8; 32] = Sha256::digest(gz).into();
    if d != idx.metadata_checksum {
        return Err(PackageError::MetadataChecksum);
    }
    Ok(())
}

/// FEP-0004: a non-zero `attestation_key_fp` must be the hex SHA-256 of the key.
pub(crate) fn check_key_fingerprint(idx: &Index) -> Result<()> {
    let Some(fp) = ascii_field(&idx.attestation_key_fp) else {
        return Ok(());
    };
    let want = PublicKey(idx.public_key).fingerprint();
    if !fp.eq_ignore_ascii_case(want.as_bytes()) {
        return Err(PackageError::Attestation(format!(
            "attestation_key_fp {} is not SHA-256 of the public key ({want})",
            String::from_utf8_lossy(fp)
        )));
    }
    Ok(())
}

/// FEP-0004: a non-zero policy hash must match `metadata.policy`.
pub(crate) fn check_policy_hash(idx: &Index, meta: &Metadata) -> Result<()> {
    let Some(h) = ascii_field(&idx.attestation_policy_hash) else {
        return Ok(());
    };
    let cands = meta.policy_hash_candidates();
    if cands.is_empty() {
        return Err(PackageError::Attestation(
            "attestation_policy_hash is set but the metadata has no policy".into(),
        ));
    }
    if !cands.iter().any(|c| h.eq_ignore_ascii_case(c.as_bytes())) {
        return Err(PackageError::Attestation(format!(
            "attestation_policy_hash {} does not match the policy ({})",
            String::from_utf8_lossy(h),
            cands[0]
        )));
    }
    Ok(())
}

/// The slot the SBOM digest refers to: the first lifecycle-11 descriptor.
pub(crate) fn attestation_slot(descs: &[SlotDescriptor]) -> Option<usize> {
    descs
        .iter()
        .position(|d| d.lifecycle == LIFECYCLE_ATTESTATION)
}

/// FEP-0004: an SBOM digest requires an attestation slot (checked without
/// reading slot bytes; the digest itself is checked when the slot is read).
pub(crate) fn check_sbom_slot_present(idx: &Index, descs: &[SlotDescriptor]) -> Result<()> {
    if ascii_field(&idx.attestation_sbom_digest).is_some() && attestation_slot(descs).is_none() {
        return Err(PackageError::Attestation(
            "attestation_sbom_digest is set but there is no attestation (lifecycle 11) slot".into(),
        ));
    }
    Ok(())
}

/// The two slot hash checks: the descriptor's 8-byte checksum, then the full
/// SHA-256 from the signed JSON. Returns the digest for further checks.
pub(crate) fn check_slot_hashes(
    i: usize,
    d: &SlotDescriptor,
    meta: &SlotMeta,
    bytes: &[u8],
) -> Result<[u8; 32]> {
    let digest: [u8; 32] = Sha256::digest(bytes).into();
    let mut p = [0u8; 8];
    p.copy_from_slice(&digest[..8]);
    let computed = u64::from_le_bytes(p);
    if computed != d.checksum {
        return Err(PackageError::SlotChecksum {
            slot: i,
            id: meta.id.clone(),
            stored: d.checksum,
            computed,
        });
    }
    let ok = ExpectedHash::parse(&meta.checksum).is_some_and(|e| e.matches(&digest));
    if !ok {
        return Err(PackageError::SlotHash {
            slot: i,
            id: meta.id.clone(),
            expected: meta.checksum.clone(),
            actual: format!("sha256:{}", hex(&digest)),
        });
    }
    Ok(digest)
}

/// FEP-0004: the attestation slot's digest against the index SBOM digest.
pub(crate) fn check_sbom_digest(idx: &Index, digest: &[u8; 32]) -> Result<()> {
    let Some(h) = ascii_field(&idx.attestation_sbom_digest) else {
        return Ok(());
    };
    let want = hex(digest);
    if !h.eq_ignore_ascii_case(want.as_bytes()) {
        return Err(PackageError::Attestation(format!(
            "attestation_sbom_digest {} does not match the attestation slot ({want})",
            String::from_utf8_lossy(h)
        )));
    }
    Ok(())
}

/// The descriptor's operation chain (what launchers decode with) must agree
/// with the signed JSON `operations` string, because the slot table itself is
/// not signed: otherwise flipping e.g. TAR or GZIP bits in an unsigned
/// descriptor would change how signed bytes are interpreted. Unknown codes
/// and free-form strings are left to slot access ([`super::operations`]).
pub(crate) fn check_slot_operations(i: usize, d: &SlotDescriptor, meta: &SlotMeta) -> Result<()> {
    let (Ok(desc), Ok(json)) = (
        OperationChain::unpack(d.operations),
        OperationChain::parse(&meta.operations),
    ) else {
        return Ok(());
    };
    if desc != json {
        return Err(PackageError::Descriptor {
            slot: i,
            detail: format!(
                "operations 0x{:x} ({desc}) disagree with the signed metadata {:?}",
                d.operations, meta.operations
            ),
        });
    }
    Ok(())
}
