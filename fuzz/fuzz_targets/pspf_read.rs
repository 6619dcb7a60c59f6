//! Fuzz the PSPF reader. Arbitrary bytes go through the full verifier and the
//! strict reader (then every slot decode). Because the signature stops most
//! mutations of a package before slot decoding, the same input is also fed
//! straight to the decoders and the tar validator, with the operation chain
//! taken from its first byte. Anything but a panic (or a resource blow-up)
//! is fine.
#![no_main]

use libfuzzer_sys::fuzz_target;
use slotjit::package::operations::decode;
use slotjit::package::tar_safety::list_tar;
use slotjit::package::{DecodeLimits, OperationChain, Package, ReadOptions, verify_bytes};

fuzz_target!(|data: &[u8]| {
    // Small caps keep each run fast and bound memory.
    let limits = DecodeLimits {
        max_output: 1 << 20,
    };
    let opts = ReadOptions {
        limits,
        ..Default::default()
    };
    let report = verify_bytes(data, &opts);
    let _ = report.to_string();
    if let Ok(p) = Package::from_bytes(data.to_vec(), &opts) {
        for i in 0..p.slot_count() {
            let _ = p.slot_data(i);
            let _ = p.slot_tar(i);
        }
    }
    if let Some((&sel, rest)) = data.split_first() {
        let chain = [
            "raw", "gzip", "bzip2", "xz", "zstd", "tar", "tar.gz", "tar.zst",
        ][usize::from(sel) % 8];
        if let Ok(chain) = OperationChain::parse(chain)
            && let Ok(out) = decode(rest, &chain, &limits)
        {
            let _ = list_tar(&out);
        }
    }
});
