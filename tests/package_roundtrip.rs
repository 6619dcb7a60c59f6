//! Writer → reader round trips for every operation chain, determinism, keys,
//! and the slotjit JSON extensions.

mod package_support;

use package_support::*;
use slotjit::package::index::{INDEX_SIZE, ascii_field};
use slotjit::package::metadata::hex;
use slotjit::package::*;

fn payload() -> Vec<u8> {
    // Compressible but not trivial.
    let mut v = Vec::new();
    for i in 0..5000u32 {
        v.extend_from_slice(format!("line {i} {}\n", i.wrapping_mul(2_654_435_761)).as_bytes());
    }
    v
}

fn tree() -> Vec<TarInput> {
    vec![
        TarInput::File {
            path: "lib/util.lua".into(),
            data: b"return {}\n".to_vec(),
            mode: 0o644,
        },
        TarInput::Dir { path: "lib".into() },
        TarInput::File {
            path: "main.lua".into(),
            data: payload(),
            mode: 0o755,
        },
        TarInput::Symlink {
            path: "lib/self".into(),
            target: "../main.lua".into(),
        },
    ]
}

#[test]
fn every_operation_round_trips() {
    let key = SigningKey::from_seed(SEED);
    let byte_chains = ["raw", "gzip", "zstd", "bzip2", "xz", "gzip|zstd"];
    let tar_chains = ["tar", "tar.gz", "tar.zst", "tar.bz2", "tar.xz"];
    let mut spec = PackageSpec::new("ops", "0.1.0");
    for c in byte_chains {
        spec.slots.push(
            SlotSpec::new(format!("b-{c}"), SlotSource::Bytes(payload()))
                .operations(OperationChain::parse(c).unwrap()),
        );
    }
    for c in tar_chains {
        spec.slots.push(
            SlotSpec::new(format!("t-{c}"), SlotSource::Tree(tree()))
                .operations(OperationChain::parse(c).unwrap()),
        );
    }
    let pkg = build_package(&spec, &key).unwrap();
    let p = Package::from_bytes(pkg, &opts()).unwrap();
    assert!(p.verify_all().is_ok(), "{}", p.verify_all());
    let expected_tar = slotjit::package::tar_build::build_tar(&tree()).unwrap();
    for s in p.slots() {
        // 4096-byte alignment like the Python builder.
        assert_eq!(s.descriptor.offset % 4096, 0);
        let want_ops = OperationChain::parse(&s.id()[2..]).unwrap();
        assert_eq!(s.chain().unwrap(), want_ops, "{}", s.id());
        assert_eq!(s.meta.operations, want_ops.to_flavor_string());
        let data = p.slot_data(s.index).unwrap();
        if s.id().starts_with("b-") {
            assert_eq!(data, payload(), "{}", s.id());
            assert_eq!(s.descriptor.original_size, payload().len() as u64);
        } else {
            assert_eq!(data, expected_tar, "{}", s.id());
            let files = p.slot_tar(s.index).unwrap();
            let names: Vec<_> = files.iter().map(|f| f.entry.path.as_str()).collect();
            // Sorted by path, deterministic.
            assert_eq!(names, ["lib", "lib/self", "lib/util.lua", "main.lua"]);
            assert_eq!(files[3].data, payload());
            assert_eq!(files[3].entry.mode, 0o755);
            assert_eq!(files[1].entry.link.as_deref(), Some("../main.lua"));
        }
    }
    // The compressed ones are actually compressed.
    let raw = p.slot(p.find_slot("b-raw").unwrap()).unwrap().size();
    for c in ["gzip", "zstd", "bzip2", "xz"] {
        let s = p.slot(p.find_slot(&format!("b-{c}")).unwrap()).unwrap();
        assert!(s.size() < raw / 2, "{c}: {} vs {raw}", s.size());
    }
}

#[test]
fn directory_source_and_extraction() {
    let src = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(src.path().join("a/b")).unwrap();
    std::fs::write(src.path().join("a/b/x.txt"), b"x").unwrap();
    std::fs::write(src.path().join("top.lua"), b"return 1").unwrap();
    let mut spec = PackageSpec::new("dir", "1");
    spec.slots.push(SlotSpec::new(
        "tree",
        SlotSource::Directory(src.path().into()),
    ));
    let key = SigningKey::from_seed(SEED);
    let pkg = build_package(&spec, &key).unwrap();
    let p = Package::from_bytes(pkg.clone(), &opts()).unwrap();
    // TAR was added automatically.
    assert_eq!(p.slot(0).unwrap().descriptor.operations, 0x01);
    assert_eq!(p.slot(0).unwrap().meta.operations, "tar");
    let out = tempfile::tempdir().unwrap();
    let Extracted::Tree(entries) = p.extract_slot(0, out.path()).unwrap() else {
        panic!()
    };
    assert_eq!(entries.len(), 4);
    assert_eq!(std::fs::read(out.path().join("a/b/x.txt")).unwrap(), b"x");
    assert_eq!(
        std::fs::read(out.path().join("top.lua")).unwrap(),
        b"return 1"
    );
    // Same directory again (different mtimes don't matter) → same bytes.
    std::fs::write(src.path().join("top.lua"), b"return 1").unwrap();
    assert_eq!(build_package(&spec, &key).unwrap(), pkg);
}

#[test]
fn writes_are_deterministic() {
    let key = SigningKey::from_seed(SEED);
    let a = build_package(&sample_spec(), &key).unwrap();
    let b = build_package(&sample_spec(), &SigningKey::from_seed(SEED)).unwrap();
    assert_eq!(a, b);
    // A different key changes the output (signature, key, fingerprint).
    let c = build_package(&sample_spec(), &SigningKey::from_seed("other")).unwrap();
    assert_ne!(a, c);
    // write_package writes exactly these bytes.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.psp");
    write_package(&sample_spec(), &key, &path).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), a);
}

#[test]
fn seed_gives_known_public_key() {
    let k = SigningKey::from_seed("test-seed-123");
    let h = k.public_key().to_hex();
    assert!(h.starts_with("df2325aa"), "{h}");
    assert!(h.ends_with("37844"), "{h}");
}

#[test]
fn pem_keys_sign_packages() {
    let k = SigningKey::from_seed("pem-test");
    let dir = tempfile::tempdir().unwrap();
    let priv_path = dir.path().join("key.pem");
    std::fs::write(&priv_path, k.to_pkcs8_pem().unwrap()).unwrap();
    std::fs::write(
        dir.path().join("key.pub"),
        k.public_key().to_spki_pem().unwrap(),
    )
    .unwrap();
    let loaded = SigningKey::from_pem_file(&priv_path).unwrap();
    let pkg = build_package(&sample_spec(), &loaded).unwrap();
    let o = ReadOptions {
        trusted_key_dirs: vec![dir.path().into()],
        require_trusted: true,
        ..Default::default()
    };
    let p = Package::from_bytes(pkg, &o).unwrap();
    assert!(p.trust().is_trusted());
    assert_eq!(p.public_key(), k.public_key());
    assert_eq!(
        SigningKey::from_pkcs8_pem("garbage").unwrap_err().code(),
        "SJ-PKG-KEY"
    );
}

#[test]
fn index_and_metadata_fields() {
    let key = SigningKey::from_seed(SEED);
    let pkg = sample_package();
    let p = Package::from_bytes(pkg.clone(), &opts()).unwrap();
    let idx = p.index();
    assert_eq!(idx.format_version, 0x2025_0001);
    assert_eq!(idx.page_size, 4096);
    assert_eq!(idx.compatibility, 0x2025_0001);
    assert_eq!(idx.protocol_version, 1);
    assert_eq!(idx.capabilities, 0x83);
    assert_eq!(idx.package_size, pkg.len() as u64);
    assert_eq!(idx.launcher_size, sample_spec().launcher.len() as u64);
    assert_eq!(idx.metadata_offset, idx.launcher_size);
    assert_eq!(idx.slot_table_offset % 8, 0);
    assert!(pkg.starts_with(b"#!/bin/sh\necho not a real launcher"));
    assert_eq!(
        ascii_field(&idx.attestation_key_fp).unwrap(),
        key.public_key().fingerprint().as_bytes()
    );
    assert_eq!(&pkg[pkg.len() - 4..], &[0xF0, 0x9F, 0xAA, 0x84]);
    assert_eq!(
        &pkg[pkg.len() - INDEX_SIZE - 8..pkg.len() - INDEX_SIZE - 4],
        &[0xF0, 0x9F, 0x93, 0xA6]
    );

    // Fields the flavorpack Rust launcher requires, and slotjit's extensions.
    let v: serde_json::Value = serde_json::from_slice(p.metadata_json()).unwrap();
    assert_eq!(v["format"], "PSPF/2025");
    assert_eq!(v["package"]["name"], "sample");
    assert_eq!(v["package"]["version"], "1.2.3");
    assert_eq!(v["execution"]["command"], "/bin/sh {workenv}/bin/hello.sh");
    assert_eq!(v["execution"]["primary_slot"], 0);
    assert_eq!(v["execution"]["slotjit"]["slot"], "main");
    assert_eq!(v["execution"]["slotjit"]["function"], "main");
    for (i, s) in v["slots"].as_array().unwrap().iter().enumerate() {
        for k in [
            "slot",
            "id",
            "source",
            "target",
            "size",
            "checksum",
            "operations",
            "purpose",
            "lifecycle",
        ] {
            assert!(s.get(k).is_some(), "slots[{i}] lacks {k}");
        }
        assert_eq!(s["slot"], i);
        let d = p.slot(i).unwrap().descriptor;
        assert_eq!(s["size"], d.size);
        let bytes = p.slot_bytes(i).unwrap();
        assert_eq!(
            s["checksum"],
            format!(
                "sha256:{}",
                hex(&sha2::Digest::finalize(sha2::Digest::chain_update(
                    sha2::Sha256::default(),
                    bytes
                )))
            )
        );
    }
    assert_eq!(v["slots"][0]["slotjit"]["kind"], "lua");
    assert_eq!(v["slots"][0]["slotjit"]["exports"][0], "main");
    assert_eq!(v["slots"][0]["permissions"], "0644");
    let m = p.metadata();
    let sj = m.slots[0].slotjit.as_ref().unwrap();
    assert_eq!(sj.kind, "lua");
    assert_eq!(
        m.execution.as_ref().unwrap().slotjit.as_ref().unwrap().slot,
        "main"
    );
    // Descriptor bytes: purpose code, lifecycle startup.
    assert_eq!(p.slot(0).unwrap().descriptor.purpose, 1);
    assert_eq!(p.slot(0).unwrap().descriptor.lifecycle, 1);
    assert_eq!(p.slot(1).unwrap().descriptor.purpose, 2);
    // Non-tar slot extraction honours the target.
    let dir = tempfile::tempdir().unwrap();
    let Extracted::File(f) = p.extract_slot(0, dir.path()).unwrap() else {
        panic!()
    };
    assert_eq!(f, dir.path().join("lua/main.lua"));
    assert_eq!(std::fs::read(f).unwrap(), b"print('hello')\n");
}

#[test]
fn policy_and_attestation_slot_hashes() {
    let mut spec = sample_spec();
    spec.policy = Some(serde_json::json!({"require_signature": true, "allowed": ["a", "b"]}));
    spec.slots.push(
        SlotSpec::new("_attestation", SlotSource::Bytes(b"{\"sbom\":{}}".to_vec()))
            .lifecycle("attestation"),
    );
    let pkg = build_package(&spec, &SigningKey::from_seed(SEED)).unwrap();
    let p = Package::from_bytes(pkg.clone(), &opts()).unwrap();
    assert!(ascii_field(&p.index().attestation_policy_hash).is_some());
    assert!(ascii_field(&p.index().attestation_sbom_digest).is_some());
    let r = p.verify_all();
    assert!(r.is_ok(), "{r}");
    assert!(matches!(
        r.get("attestation.sbom_digest"),
        Some(Outcome::Passed)
    ));

    // Wrong policy hash → SJ-PKG-ATTESTATION at open.
    let mut bad = pkg.clone();
    let at = index_pos(&bad) + 1504;
    bad[at] = if bad[at] == b'0' { b'1' } else { b'0' };
    fix_adler(&mut bad);
    assert_eq!(open_err(bad), "SJ-PKG-ATTESTATION");

    // Wrong SBOM digest → refused when the attestation slot is read.
    let mut bad = pkg.clone();
    let at = index_pos(&bad) + 1440;
    bad[at] = if bad[at] == b'0' { b'1' } else { b'0' };
    fix_adler(&mut bad);
    let p = Package::from_bytes(bad, &opts()).unwrap();
    let att = p.find_slot("_attestation").unwrap();
    assert_eq!(p.slot_bytes(att).unwrap_err().code(), "SJ-PKG-ATTESTATION");
    assert!(p.slot_bytes(0).is_ok());
    assert_eq!(p.verify_all().failed_codes(), vec!["SJ-PKG-ATTESTATION"]);
}

#[test]
fn empty_package() {
    let spec = PackageSpec::new("empty", "0");
    let pkg = build_package(&spec, &SigningKey::from_seed(SEED)).unwrap();
    let p = Package::from_bytes(pkg, &opts()).unwrap();
    assert_eq!(p.slot_count(), 0);
    assert_eq!(p.index().slot_table_offset, 0);
    assert!(p.verify_all().is_ok());
}

#[test]
fn writer_refuses_bad_input() {
    let key = SigningKey::from_seed(SEED);
    let mut spec = sample_spec();
    spec.slots[1].id = "main".into();
    assert_eq!(
        build_package(&spec, &key).unwrap_err().code(),
        "SJ-PKG-WRITER-INPUT"
    );
    let mut spec = sample_spec();
    spec.slots[0].target = Some("../../etc/passwd".into());
    assert_eq!(
        build_package(&spec, &key).unwrap_err().code(),
        "SJ-PKG-WRITER-INPUT"
    );
    let mut spec = sample_spec();
    spec.entry.as_mut().unwrap().slot = "nope".into();
    assert_eq!(
        build_package(&spec, &key).unwrap_err().code(),
        "SJ-PKG-WRITER-INPUT"
    );
    // Bytes declared as TAR must be a safe ustar archive.
    let mut spec = sample_spec();
    spec.slots[0].operations = OperationChain::parse("tar").unwrap();
    assert_eq!(
        build_package(&spec, &key).unwrap_err().code(),
        "SJ-PKG-WRITER-INPUT"
    );
}
