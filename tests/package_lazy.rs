//! Laziness: opening a package and reading one small slot must not read a
//! large neighbouring slot's bytes. Proven with `Package::bytes_read`, which
//! counts every byte handed out from the map.

mod package_support;

use package_support::*;
use slotjit::package::*;

const BIG: usize = 32 << 20;

fn big_package(dir: &std::path::Path) -> std::path::PathBuf {
    // Incompressible-ish content so nothing about the slot is small.
    let mut big = vec![0u8; BIG];
    let mut rng = Rng(42);
    for chunk in big.chunks_mut(8) {
        let v = rng.next().to_le_bytes();
        chunk.copy_from_slice(&v[..chunk.len()]);
    }
    let mut spec = PackageSpec::new("lazy", "1");
    spec.slots = vec![
        SlotSpec::new("big", SlotSource::Bytes(big)),
        SlotSpec::new("tiny", SlotSource::Bytes(b"return 42\n".to_vec()))
            .operations(OperationChain::parse("gzip").unwrap()),
    ];
    let path = dir.join("lazy.psp");
    write_package(&spec, &SigningKey::from_seed(SEED), &path).unwrap();
    path
}

#[test]
fn reading_one_slot_does_not_touch_the_big_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = big_package(dir.path());
    let p = Package::open(&path, &opts()).unwrap();
    let after_open = p.bytes_read();
    // Trailer + slot table + metadata only.
    assert!(after_open < 16 * 1024, "open read {after_open} bytes");
    let tiny = p.find_slot("tiny").unwrap();
    assert_eq!(p.slot_data(tiny).unwrap(), b"return 42\n");
    assert!(p.is_verified(tiny));
    assert!(!p.is_verified(p.find_slot("big").unwrap()));
    let after_tiny = p.bytes_read();
    assert!(after_tiny < 16 * 1024, "read {after_tiny} bytes");
    assert!(after_tiny > after_open);
    // Reading the big slot is counted, which shows the counter works.
    let big = p.find_slot("big").unwrap();
    assert_eq!(p.slot_bytes(big).unwrap().len(), BIG);
    assert!(p.bytes_read() >= after_tiny + BIG as u64);
    // Full verification still covers everything.
    assert!(p.verify_all().is_ok());
}

#[test]
fn corrupt_big_slot_does_not_prevent_using_the_tiny_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = big_package(dir.path());
    let mut bytes = std::fs::read(&path).unwrap();
    let off = desc_u64(&bytes, 0, D_OFFSET) as usize;
    bytes[off + BIG / 2] ^= 0xFF;
    std::fs::write(&path, &bytes).unwrap();
    let p = Package::open(&path, &opts()).unwrap();
    assert_eq!(p.slot_data(1).unwrap(), b"return 42\n");
    assert_eq!(p.slot_bytes(0).unwrap_err().code(), "SJ-PKG-SLOT-CHECKSUM");
}
