//! Helpers shared by the `package_*` integration tests: building sample
//! packages and surgically corrupting them (patching index fields and
//! descriptors, re-signing metadata) so each negative test hits exactly one
//! check.
#![allow(dead_code)]

use std::path::PathBuf;

use sha2::{Digest, Sha256};
use slotjit::package::index::{INDEX_SIZE, index_adler32};
use slotjit::package::metadata::{gunzip_metadata, gzip_metadata};
use slotjit::package::*;

/// Seed used for test packages.
pub const SEED: &str = "slotjit-test-seed";

/// Path of a file in `tests/data/pspf`.
pub fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/pspf")
        .join(name)
}

/// Start of the index block (after the 📦 magic).
pub fn index_pos(pkg: &[u8]) -> usize {
    pkg.len() - INDEX_SIZE - 4
}

pub fn index_u64(pkg: &[u8], off: usize) -> u64 {
    let p = index_pos(pkg) + off;
    u64::from_le_bytes(pkg[p..p + 8].try_into().unwrap())
}

pub fn set_index_u64(pkg: &mut [u8], off: usize, v: u64) {
    let p = index_pos(pkg) + off;
    pkg[p..p + 8].copy_from_slice(&v.to_le_bytes());
}

pub fn set_index_u32(pkg: &mut [u8], off: usize, v: u32) {
    let p = index_pos(pkg) + off;
    pkg[p..p + 4].copy_from_slice(&v.to_le_bytes());
}

/// Recompute the index Adler-32 after patching the index.
pub fn fix_adler(pkg: &mut [u8]) {
    let p = index_pos(pkg);
    let raw: [u8; INDEX_SIZE] = pkg[p..p + INDEX_SIZE].try_into().unwrap();
    let ck = index_adler32(&raw);
    pkg[p + 4..p + 8].copy_from_slice(&ck.to_le_bytes());
}

/// Absolute position of descriptor `i`.
pub fn desc_pos(pkg: &[u8], i: usize) -> usize {
    index_u64(pkg, 40) as usize + 64 * i
}

pub fn desc_u64(pkg: &[u8], i: usize, field: usize) -> u64 {
    let p = desc_pos(pkg, i) + field;
    u64::from_le_bytes(pkg[p..p + 8].try_into().unwrap())
}

pub fn set_desc_u64(pkg: &mut [u8], i: usize, field: usize, v: u64) {
    let p = desc_pos(pkg, i) + field;
    pkg[p..p + 8].copy_from_slice(&v.to_le_bytes());
}

/// Descriptor field offsets.
pub const D_OFFSET: usize = 0x10;
pub const D_SIZE: usize = 0x18;
pub const D_OPS: usize = 0x28;
pub const D_CHECKSUM: usize = 0x30;

/// SHA-256 prefix as the descriptor stores it.
pub fn prefix_u64(b: &[u8]) -> u64 {
    u64::from_le_bytes(Sha256::digest(b)[..8].try_into().unwrap())
}

/// The decompressed metadata JSON of a package.
pub fn metadata_json(pkg: &[u8]) -> Vec<u8> {
    let off = index_u64(pkg, 24) as usize;
    let size = index_u64(pkg, 32) as usize;
    gunzip_metadata(&pkg[off..off + size]).unwrap()
}

/// Put new metadata JSON into the package: the gzip blob is appended after
/// the last data byte (the old blob stays as dead bytes), and the index's
/// metadata offset/size/checksum and package_size are updated and the
/// Adler-32 fixed. With `key`, the JSON is re-signed (and the public key
/// replaced); without, the old signature stays.
pub fn replace_metadata(pkg: &[u8], json: &[u8], key: Option<&SigningKey>) -> Vec<u8> {
    let trailer_at = pkg.len() - INDEX_SIZE - 8;
    let mut index: [u8; INDEX_SIZE] = pkg[trailer_at + 4..trailer_at + 4 + INDEX_SIZE]
        .try_into()
        .unwrap();
    let mut out = pkg[..trailer_at].to_vec();
    let gz = gzip_metadata(json);
    let off = out.len() as u64;
    out.extend_from_slice(&gz);
    let total = out.len() as u64 + 8200;
    index[8..16].copy_from_slice(&total.to_le_bytes());
    index[24..32].copy_from_slice(&off.to_le_bytes());
    index[32..40].copy_from_slice(&(gz.len() as u64).to_le_bytes());
    let d: [u8; 32] = Sha256::digest(&gz).into();
    index[96..128].copy_from_slice(&d);
    if let Some(k) = key {
        index[64..96].copy_from_slice(&k.public_key().0);
        index[128..192].copy_from_slice(&k.sign(json));
        let fp = k.public_key().fingerprint();
        index[1376..1440].copy_from_slice(fp.as_bytes());
    }
    out.extend_from_slice(&[0xF0, 0x9F, 0x93, 0xA6]);
    out.extend_from_slice(&index);
    out.extend_from_slice(&[0xF0, 0x9F, 0xAA, 0x84]);
    fix_adler(&mut out);
    out
}

/// Edit the metadata JSON as a value and re-sign it with `key`.
pub fn patch_json(pkg: &[u8], key: &SigningKey, f: impl FnOnce(&mut serde_json::Value)) -> Vec<u8> {
    let mut v: serde_json::Value = serde_json::from_slice(&metadata_json(pkg)).unwrap();
    f(&mut v);
    let json = serde_json::to_vec_pretty(&v).unwrap();
    replace_metadata(pkg, &json, Some(key))
}

/// A small three-slot package: raw text, gzip text, tar.gz tree.
pub fn sample_spec() -> PackageSpec {
    let mut spec = PackageSpec::new("sample", "1.2.3");
    spec.launcher = b"#!/bin/sh\necho not a real launcher\n".to_vec();
    spec.command = "/bin/sh {workenv}/bin/hello.sh".into();
    spec.primary_slot = Some(0);
    spec.entry = Some(EntryPoint {
        slot: "main".into(),
        function: Some("main".into()),
        ..Default::default()
    });
    spec.slots = vec![
        SlotSpec::new("main", SlotSource::Bytes(b"print('hello')\n".to_vec()))
            .purpose("code")
            .lifecycle("startup")
            .target("lua/main.lua")
            .slotjit(SlotjitSlot {
                kind: "lua".into(),
                exports: vec!["main".into()],
                ..Default::default()
            }),
        SlotSpec::new(
            "conf",
            SlotSource::Bytes(b"config=1\nconfig=1\nconfig=1\n".to_vec()),
        )
        .operations(OperationChain::parse("gzip").unwrap())
        .purpose("config")
        .target("etc/conf.txt"),
        SlotSpec::new(
            "app",
            SlotSource::Tree(vec![
                TarInput::Dir { path: "bin".into() },
                TarInput::File {
                    path: "bin/hello.sh".into(),
                    data: b"#!/bin/sh\necho \"hello from slot0 $@\"\n".to_vec(),
                    mode: 0o755,
                },
            ]),
        )
        .operations(OperationChain::parse("gzip").unwrap()),
    ];
    spec
}

/// [`sample_spec`] built with [`SEED`].
pub fn sample_package() -> Vec<u8> {
    build_package(&sample_spec(), &SigningKey::from_seed(SEED)).unwrap()
}

/// Default options (no trusted dirs).
pub fn opts() -> ReadOptions {
    ReadOptions::default()
}

/// Open bytes and return the error code (panics if it opened).
pub fn open_err(pkg: Vec<u8>) -> &'static str {
    match Package::from_bytes(pkg, &opts()) {
        Ok(_) => panic!("package unexpectedly opened"),
        Err(e) => e.code(),
    }
}

/// Tiny deterministic PRNG (xorshift64*).
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}
