//! Opening a package and running one slot costs O(that slot), not O(package).
//!
//! Two packages, each with one 16 MiB data slot nobody uses: `wide` has
//! 1,000 small code slots, `narrow` has 10. For each we measure
//! - `open`: map the file, check the trailer, index, table, metadata hash and
//!   signature, parse the metadata, check the dependency graph
//!   (`SlotManager::open`);
//! - `restage`: on an open package, evict one code slot and stage it again
//!   (read, hash, gunzip, decode and verify its bytecode): one slot's own cost;
//! - `open+run`: the same plus a fresh isolate with the standard library
//!   running that slot as the package entry;
//! - `isolate`: the fresh isolate alone, to subtract from `open+run`.
//!
//! Before measuring it prints the bytes each step read from the map.
//! Run: `cargo bench --bench package_open`. Numbers: `docs/performance.md`.

use std::cell::RefCell;
use std::hint::black_box;
use std::path::Path;
use std::rc::Rc;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use slotjit::package::runtime;
use slotjit::package::*;
use slotjit::vm::{Vm, VmOptions};

const BIG: usize = 16 << 20;

fn build(path: &Path, small_slots: usize) {
    let mut big = vec![0u8; BIG];
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for chunk in big.chunks_mut(8) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        chunk.copy_from_slice(&x.to_le_bytes()[..chunk.len()]);
    }
    let mid = small_slots / 2;
    let mut spec = PackageSpec::new("bench", "1");
    spec.entry = Some(EntryPoint {
        slot: format!("s{mid}"),
        function: Some("f".into()),
        ..Default::default()
    });
    spec.slots
        .push(SlotSpec::new("big", SlotSource::Bytes(big)));
    for i in 0..small_slots {
        let src = format!(
            "local t = {{}}\nfor i = 1, 10 do t[i] = i * {i} end\n\
             return {{ f = function() return t[10] end, n = {i} }}\n"
        );
        let proto = slotjit::lua::compile(src.as_bytes(), &format!("@bench/s{i}")).unwrap();
        spec.slots.push(
            SlotSpec::new(
                format!("s{i}"),
                SlotSource::Bytes(slotjit::bytecode::encode(&proto)),
            )
            .operations(OperationChain::parse("gzip").unwrap())
            .slotjit(SlotjitSlot {
                kind: "sbc".into(),
                ..Default::default()
            }),
        );
    }
    write_package(&spec, &SigningKey::from_seed("bench"), path).unwrap();
}

fn open(path: &Path) -> SlotManager {
    SlotManager::open(path, &ReadOptions::default()).unwrap()
}

fn isolate() -> Vm {
    let mut vm = Vm::new(VmOptions::default()).unwrap();
    vm.out = Box::new(std::io::sink());
    slotjit::stdlib::open_all(&mut vm).unwrap();
    vm
}

/// Open, stage the entry slot, run it; returns bytes read.
fn open_run(path: &Path) -> u64 {
    let m = Rc::new(RefCell::new(open(path)));
    let mut vm = isolate();
    runtime::install(&mut vm, m.clone()).unwrap();
    let r = runtime::run_entry(&mut vm, "bench", &[]).unwrap();
    black_box(r);
    m.borrow().package().bytes_read()
}

fn stage(path: &Path) -> u64 {
    let mut m = open(path);
    let (i, _) = m.entry().unwrap();
    black_box(m.proto(i).unwrap());
    m.package().bytes_read()
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<(&str, usize, std::path::PathBuf)> = [("narrow", 10usize), ("wide", 1000)]
        .into_iter()
        .map(|(name, n)| {
            let p = dir.path().join(format!("{name}.psp"));
            build(&p, n);
            (name, n, p)
        })
        .collect();
    println!();
    println!(
        "{:<8} {:>6} {:>12} {:>10} {:>14} {:>14} {:>12}",
        "package", "slots", "file bytes", "metadata", "read: open", "read: +stage", "read: +run"
    );
    for (name, n, p) in &cases {
        let m = open(p);
        let size = m.package().index().package_size;
        let meta = m.package().index().metadata_size;
        let after_open = m.package().bytes_read();
        println!(
            "{name:<8} {:>6} {size:>12} {meta:>10} {after_open:>14} {:>14} {:>12}",
            n + 1,
            stage(p),
            open_run(p)
        );
    }
    println!();

    let mut g = c.benchmark_group("package_open");
    g.sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(4));
    for (name, n, p) in &cases {
        let id = format!("{name}-{}", n + 1);
        g.bench_with_input(BenchmarkId::new("open", &id), p, |b, p| {
            b.iter(|| black_box(open(p)))
        });
        // One slot's own cost on an open package: evict it, stage it again
        // (read + hash + gunzip + decode + verify).
        let mut m = open(p);
        let (entry, _) = m.entry().unwrap();
        g.bench_function(BenchmarkId::new("restage", &id), |b| {
            b.iter(|| {
                m.evict(entry);
                black_box(m.proto(entry).unwrap())
            })
        });
        g.bench_with_input(BenchmarkId::new("open+run", &id), p, |b, p| {
            b.iter(|| black_box(open_run(p)))
        });
    }
    g.bench_function("isolate", |b| b.iter(|| black_box(isolate())));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
