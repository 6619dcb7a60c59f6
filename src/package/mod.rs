//! PSPF/2025 packages (the flavorpack format): reading, verifying, decoding
//! and writing.
//!
//! A package is a launcher executable followed by gzip'd, Ed25519-signed
//! JSON metadata, a table of 64-byte slot descriptors, the slot data, and an
//! 8200-byte trailer (magic, 8192-byte index, magic). The format as
//! flavorpack 0.5.4 really writes it is in `shared/pspf-format.md`; what we
//! check and in which order is in `docs/packages.md`.
//!
//! Entry points:
//! - [`Package::open`] — structural checks, metadata hash, signature, trust;
//!   slots are then read and verified lazily ([`Package::slot_bytes`],
//!   [`Package::slot_data`], [`Package::extract_slot`]).
//! - [`Package::verify_all`] / [`verify_path`] — every check on every slot,
//!   reported by name ([`VerifyReport`]).
//! - [`build_package`] / [`write_package`] — deterministic signed output.
//!
//! Every failure is a [`PackageError`] with a stable `SJ-PKG-…` code.

mod checks;
pub mod descriptor;
pub mod error;
pub mod index;
pub mod metadata;
pub mod operations;
pub mod reader;
pub mod runtime;
pub mod signing;
pub mod slots;
pub mod tar_build;
pub mod tar_safety;
pub mod verify;
pub mod writer;

pub use descriptor::SlotDescriptor;
pub use error::{PackageError, Result};
pub use index::Index;
pub use metadata::{EntryPoint, Metadata, SlotMeta, SlotjitSlot};
pub use operations::{DecodeLimits, Operation, OperationChain};
pub use reader::{Extracted, Package, ReadOptions, SlotView};
pub use signing::{PublicKey, SigningKey, Trust, default_trusted_key_dirs};
pub use slots::{LoadStrategy, SlotError, SlotKind, SlotManager, SlotState, Staged};
pub use tar_build::TarInput;
pub use tar_safety::{EntryKind, TarEntry, TarFile};
pub use verify::{Check, Outcome, VerifyReport, verify_bytes, verify_path};
pub use writer::{PackageSpec, SlotSource, SlotSpec, build_package, write_package};
