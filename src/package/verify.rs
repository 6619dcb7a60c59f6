//! Full verification (`slotjit verify`): every check, every slot, each
//! reported by name, continuing past failures wherever the remaining checks
//! still have the data they need. A check whose prerequisite failed is
//! reported as skipped, never silently dropped.

use std::fmt;
use std::path::Path;
use std::sync::atomic::AtomicU64;

use super::checks::{self, View};
use super::descriptor::SlotDescriptor;
use super::error::{PackageError, Result};
use super::index::Index;
use super::metadata::{self, Metadata};
use super::operations::{self, OperationChain};
use super::reader::{ReadOptions, untrusted};
use super::signing::{self, PublicKey, Trust};
use super::tar_safety;

/// Outcome of one named check.
#[derive(Debug)]
pub enum Outcome {
    /// The check ran and passed.
    Passed,
    /// The check ran and failed.
    Failed(PackageError),
    /// The check could not run; the reason names the failed prerequisite.
    Skipped(String),
}

/// One named check.
#[derive(Debug)]
pub struct Check {
    /// Stable check name, e.g. `index_checksum`, `slot[2].hash`.
    pub name: String,
    /// What happened.
    pub outcome: Outcome,
}

/// The result of [`verify_bytes`] / [`verify_path`] / `Package::verify_all`.
#[derive(Debug, Default)]
pub struct VerifyReport {
    /// Every check in the order run.
    pub checks: Vec<Check>,
    /// The embedded public key, when the index could be read.
    pub public_key: Option<PublicKey>,
    /// Trust decision, when the signature verified.
    pub trust: Option<Trust>,
}

impl VerifyReport {
    /// True when no check failed and none was skipped.
    pub fn is_ok(&self) -> bool {
        self.checks
            .iter()
            .all(|c| matches!(c.outcome, Outcome::Passed))
    }

    /// The failed checks.
    pub fn failures(&self) -> impl Iterator<Item = (&str, &PackageError)> {
        self.checks.iter().filter_map(|c| match &c.outcome {
            Outcome::Failed(e) => Some((c.name.as_str(), e)),
            _ => None,
        })
    }

    /// Codes of the failed checks, in order.
    pub fn failed_codes(&self) -> Vec<&'static str> {
        self.failures().map(|(_, e)| e.code()).collect()
    }

    /// Outcome of a check by name.
    pub fn get(&self, name: &str) -> Option<&Outcome> {
        self.checks
            .iter()
            .find(|c| c.name == name)
            .map(|c| &c.outcome)
    }

    fn record<T>(&mut self, name: impl Into<String>, r: Result<T>) -> Option<T> {
        let name = name.into();
        match r {
            Ok(v) => {
                self.checks.push(Check {
                    name,
                    outcome: Outcome::Passed,
                });
                Some(v)
            }
            Err(e) => {
                self.checks.push(Check {
                    name,
                    outcome: Outcome::Failed(e),
                });
                None
            }
        }
    }

    fn skip(&mut self, name: impl Into<String>, why: &str) {
        self.checks.push(Check {
            name: name.into(),
            outcome: Outcome::Skipped(why.to_string()),
        });
    }
}

impl fmt::Display for VerifyReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in &self.checks {
            match &c.outcome {
                Outcome::Passed => writeln!(f, "ok    {}", c.name)?,
                Outcome::Failed(e) => writeln!(f, "FAIL  {} [{}] {e}", c.name, e.code())?,
                Outcome::Skipped(why) => writeln!(f, "skip  {} ({why})", c.name)?,
            }
        }
        match &self.trust {
            Some(Trust::Trusted { key_file }) => {
                writeln!(f, "trust: trusted key {}", key_file.display())?
            }
            Some(Trust::SelfSigned) => writeln!(f, "trust: self-signed (key not in trusted-keys)")?,
            None => writeln!(f, "trust: unknown (signature not verified)")?,
        }
        write!(
            f,
            "{}",
            if self.is_ok() {
                "package OK"
            } else {
                "package INVALID"
            }
        )
    }
}

/// Map a file and verify everything. `Err` only when the file cannot be
/// opened or mapped at all.
pub fn verify_path(path: &Path, options: &ReadOptions) -> Result<VerifyReport> {
    let file = std::fs::File::open(path).map_err(|e| PackageError::io(path, e))?;
    let len = file
        .metadata()
        .map_err(|e| PackageError::io(path, e))?
        .len();
    if len == 0 {
        return Ok(verify_bytes(&[], options));
    }
    // SAFETY: read-only map; see `Package::open`.
    let map = unsafe { memmap2::Mmap::map(&file) }.map_err(|e| PackageError::io(path, e))?;
    Ok(verify_bytes(&map, options))
}

/// Verify a package held in memory: every check, every slot.
pub fn verify_bytes(data: &[u8], options: &ReadOptions) -> VerifyReport {
    let counter = AtomicU64::new(0);
    let v = View {
        data,
        counter: &counter,
    };
    let mut r = VerifyReport::default();
    let len = v.len();

    let Some((start, raw, end)) = r.record("file_size", checks::read_trailer(&v)) else {
        for n in ["magic", "index", "metadata", "signature", "slots"] {
            r.skip(n, "file too short for a trailer");
        }
        return r;
    };
    r.record("magic_start", checks::check_magic_start(&start));
    r.record("magic_end", checks::check_magic_end(&end));
    let index = Index::parse(&raw);
    r.public_key = Some(PublicKey(index.public_key));
    r.record("format_version", index.check_version());
    r.record("index_checksum", index.check_checksum());
    r.record("package_size", checks::check_package_size(&index, len));

    // Metadata chain: bounds → checksum → gunzip → signature / parse.
    let meta_ok = r
        .record(
            "bounds.metadata",
            checks::check_metadata_bounds(&index, len),
        )
        .is_some();
    let mut json: Option<Vec<u8>> = None;
    if meta_ok {
        let gz = v.get(index.metadata_offset, index.metadata_size, "metadata");
        if let Some(gz) = r.record("metadata.read", gz) {
            r.record(
                "metadata_checksum",
                checks::check_metadata_checksum(&index, gz),
            );
            json = r.record("metadata.gunzip", metadata::gunzip_metadata(gz));
        }
    } else {
        r.skip("metadata_checksum", "metadata out of bounds");
    }

    let mut sig_ok = false;
    if let Some(j) = &json {
        sig_ok = r
            .record(
                "signature",
                signing::verify_signature(&index.public_key, &index.signature, j),
            )
            .is_some();
    } else {
        r.skip("signature", "metadata unavailable");
    }
    if sig_ok {
        let key = PublicKey(index.public_key);
        let trust = signing::trust_for(&options.trusted_key_dirs, &key);
        if options.require_trusted && !trust.is_trusted() {
            r.record::<()>("trust", Err(untrusted(&key, &options.trusted_key_dirs)));
        } else {
            r.record("trust", Ok(()));
        }
        r.trust = Some(trust);
    }
    r.record("attestation.key_fp", checks::check_key_fingerprint(&index));

    // Slot table and descriptors.
    let descs: Option<Vec<SlotDescriptor>> =
        match r.record("bounds.slot_table", checks::check_table_bounds(&index, len)) {
            Some(()) => r.record("slot_table.read", checks::read_descriptors(&v, &index)),
            None => None,
        };
    let meta: Option<Metadata> = match (&json, &descs) {
        (Some(j), Some(d)) => r.record("metadata.parse", Metadata::parse(j, d.len())),
        (Some(j), None) => r.record(
            "metadata.parse",
            Metadata::parse(j, index.slot_count as usize),
        ),
        _ => {
            r.skip("metadata.parse", "metadata unavailable");
            None
        }
    };
    match &meta {
        Some(m) => {
            r.record("attestation.policy", checks::check_policy_hash(&index, m));
        }
        None => r.skip("attestation.policy", "metadata not parsed"),
    }

    let Some(descs) = descs else {
        r.skip("slots", "slot table unavailable");
        return r;
    };
    let mut in_bounds = Vec::with_capacity(descs.len());
    for (i, d) in descs.iter().enumerate() {
        in_bounds.push(
            r.record(
                format!("slot[{i}].bounds"),
                checks::check_slot_bounds(i, d, len),
            )
            .is_some(),
        );
    }
    if in_bounds.iter().all(|&b| b) && meta_ok {
        r.record("overlap", checks::check_overlap(&index, &descs));
    } else {
        r.skip("overlap", "some region is out of bounds");
    }
    r.record(
        "attestation.sbom_slot",
        checks::check_sbom_slot_present(&index, &descs),
    );
    let att = checks::attestation_slot(&descs);

    for (i, d) in descs.iter().enumerate() {
        let name = |c: &str| format!("slot[{i}].{c}");
        if !in_bounds[i] {
            r.skip(name("hash"), "slot out of bounds");
            continue;
        }
        let Some(sm) = meta.as_ref().and_then(|m| m.slots.get(i)) else {
            r.skip(name("hash"), "metadata not parsed");
            continue;
        };
        r.record(name("operations"), checks::check_slot_operations(i, d, sm));
        let Some(bytes) = r.record(name("read"), v.get(d.offset, d.size, &name("bytes"))) else {
            continue;
        };
        let Some(digest) = r.record(name("hash"), checks::check_slot_hashes(i, d, sm, bytes))
        else {
            r.skip(name("decode"), "unverified bytes are not decoded");
            continue;
        };
        if att == Some(i) {
            r.record(
                "attestation.sbom_digest",
                checks::check_sbom_digest(&index, &digest),
            );
        }
        let decoded = OperationChain::unpack(d.operations).and_then(|chain| {
            let out = operations::decode(bytes, &chain, &options.limits)?;
            if chain.has_tar() {
                tar_safety::list_tar(&out)?;
            }
            Ok(())
        });
        r.record(name("decode"), decoded);
    }
    r
}
