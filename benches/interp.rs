//! Tier-0 interpreter benchmarks (criterion): the programs in
//! `benches/lua/` at reduced sizes, run through the embedding API (compile,
//! load, call) with output discarded. Compare against `lua5.4` with
//! `slotjit bench`, which times whole processes in the same run.
//!
//! `cargo bench --bench interp`

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use slotjit::vm::{Vm, VmOptions};

/// (program, size argument small enough for criterion's repetitions).
const PROGRAMS: &[(&str, &str)] = &[
    ("fib", "24"),
    ("mandelbrot", "120"),
    ("sieve_hash", "100000"),
    ("strings", "20000"),
    ("oop", "30000"),
    ("coroutines", "50000"),
];

fn run_program(source: &[u8], name: &str, size: &str) {
    let mut vm = Vm::new(VmOptions::default()).expect("isolate");
    vm.out = Box::new(std::io::sink());
    slotjit::stdlib::open_all(&mut vm).expect("stdlib");
    let proto = slotjit::lua::compile(source, &format!("@{name}.lua")).expect("compiles");
    let f = vm.load_main(proto).expect("loads");
    let arg = vm.new_string(size.as_bytes()).expect("string");
    vm.call_protected(f, &[arg]).expect("runs");
}

fn interpreter(c: &mut Criterion) {
    let mut group = c.benchmark_group("tier0");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(3));
    for (name, size) in PROGRAMS {
        let path = format!("{}/benches/lua/{name}.lua", env!("CARGO_MANIFEST_DIR"));
        let source = std::fs::read(&path).expect("benchmark program exists");
        group.bench_function(*name, |b| b.iter(|| run_program(&source, name, size)));
    }
    group.finish();
}

criterion_group!(benches, interpreter);
criterion_main!(benches);
