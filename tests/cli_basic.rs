//! The `slotjit` command line through its public interface: `run -e`,
//! `compile` then running the `.sbc`, `disasm`, `--profile-dump`, error
//! reporting and exit codes, and bad `.sbc` input.

use std::process::Command;

fn slotjit() -> Command {
    Command::new(env!("CARGO_BIN_EXE_slotjit"))
}

fn run_ok(cmd: &mut Command) -> (String, String) {
    let out = cmd.output().expect("slotjit starts");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "failed: {stderr}");
    (stdout, stderr)
}

#[test]
fn run_chunk_from_command_line() {
    let (out, _) = run_ok(slotjit().args(["run", "-e", "print(1 + 2, ('x'):rep(3))"]));
    assert_eq!(out, "3\txxx\n");
}

#[test]
fn compile_then_run_and_disassemble_sbc() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("prog.lua");
    std::fs::write(
        &src,
        "local function sq(x) return x * x end\nprint(sq(7), ...)\n",
    )
    .unwrap();
    let sbc = dir.path().join("prog.sbc");
    run_ok(slotjit().arg("compile").arg(&src).arg("-o").arg(&sbc));
    let bytes = std::fs::read(&sbc).unwrap();
    assert!(slotjit::bytecode::is_sbc(&bytes));
    let (out, _) = run_ok(slotjit().arg("run").arg(&sbc).arg("arg1"));
    assert_eq!(out, "49\targ1\n");
    let (listing, _) = run_ok(slotjit().arg("disasm").arg(&sbc));
    assert!(listing.contains("MUL"), "{listing}");
    assert!(listing.contains("RETURN1"), "{listing}");
}

#[test]
fn disasm_wasm_prints_the_baseline_module_of_every_function() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("prog.lua");
    std::fs::write(
        &src,
        "local function sq(x) return x * x end\nlocal t = {}\nfor i = 1, 3 do t[i] = sq(i) end\n",
    )
    .unwrap();
    let (text, _) = run_ok(slotjit().arg("disasm").arg("--wasm").arg(&src));
    // One module per function, each headed by its `chunk:line:function`
    // name, which is also the compiled function's name in the name section.
    let headers: Vec<&str> = text.lines().filter(|l| l.starts_with(";; ")).collect();
    assert_eq!(headers.len(), 2, "{headers:?}");
    assert!(headers[0].ends_with("prog.lua:0:main"), "{headers:?}");
    assert!(headers[1].ends_with("prog.lua:1:function"), "{headers:?}");
    assert!(
        text.contains("prog.lua:1:function (;"),
        "name section missing"
    );
    assert!(
        text.contains("(import \"rt\" \"step\""),
        "runtime imports missing"
    );
    // The loop's integer `for` setup and the multiply are inline.
    assert!(text.contains("i64.div_u"), "FORPREP not inline");
    assert!(text.contains("i64.mul"), "MUL not inline");
}

#[test]
fn corrupted_sbc_is_refused_with_a_code() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("p.lua");
    std::fs::write(&src, "print('hi')").unwrap();
    let sbc = dir.path().join("p.sbc");
    run_ok(slotjit().arg("compile").arg(&src).arg("-o").arg(&sbc));
    let mut bytes = std::fs::read(&sbc).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x40;
    std::fs::write(&sbc, &bytes).unwrap();
    let out = slotjit().arg("run").arg(&sbc).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("slotjit: "), "{err}");
    assert!(err.contains("SJ-SBC-"), "{err}");
}

#[test]
fn uncaught_error_prints_message_traceback_and_exits_1() {
    let out = slotjit()
        .args(["run", "-e", "local t = nil\nprint(t.x)"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        err,
        "slotjit: (command line):2: attempt to index a nil value (local 't')\n\
         stack traceback:\n\t(command line):2: in main chunk\n\t[C]: in ?\n"
    );
}

#[test]
fn syntax_error_has_lua_format_and_no_traceback() {
    let out = slotjit().args(["run", "-e", "x = = 1"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "slotjit: (command line):1: unexpected symbol near '='\n"
    );
}

#[test]
fn profile_dump_shows_counters_and_type_feedback() {
    let prog = "local function add(a, b) return a + b end\n\
                local s = 0\nfor i = 1, 10 do s = add(s, i) end\n\
                local f = 0.5\nfor i = 1, 3 do f = f * 2 end\nprint(s, f)";
    let (out, err) = run_ok(slotjit().args(["run", "--profile-dump", "-e", prog]));
    assert_eq!(out, "55\t4.0\n");
    assert!(err.contains("calls=10 backedges=0"), "{err}");
    assert!(err.contains("ADD        types=int"), "{err}");
    assert!(err.contains("MULK       types=int|float"), "{err}");
    assert!(err.contains("call target"), "{err}");
}

#[test]
fn missing_file_is_reported() {
    let out = slotjit()
        .args(["run", "no/such/file.lua"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "slotjit: cannot open no/such/file.lua\n"
    );
}

#[test]
fn deep_recursion_is_a_lua_error_not_a_crash() {
    let prog = "local function r() return 1 + r() end\nlocal ok, e = pcall(r)\nprint(ok, e)";
    let (out, _) = run_ok(slotjit().args(["run", "-e", prog]));
    assert_eq!(out, "false\t(command line):1: stack overflow\n");
}

#[test]
fn string_dump_round_trips_through_load() {
    let prog = "local function f(a, b) return a * b + 1 end\n\
                local s = string.dump(f)\n\
                local g = load(s, 'dumped', 'b')\n\
                print(type(s), #s > 0, g(6, 7), load(s, 'x', 't'))";
    let (out, _) = run_ok(slotjit().args(["run", "-e", prog]));
    assert_eq!(
        out,
        "string\ttrue\t43\tnil\tattempt to load a binary chunk (mode is 't')\n"
    );
}

#[test]
fn memory_bomb_stops_at_the_limit_with_a_lua_error() {
    let prog = "local ok, e = pcall(function() local t = {} for i = 1, 1e9 do t[i] = {i} end end)\n\
                print(ok, e)\nlocal t = {} for i = 1, 100 do t[i] = i end print(#t)";
    let (out, _) = run_ok(slotjit().args(["run", "--memory-limit", "8M", "-e", prog]));
    assert_eq!(out, "false\tnot enough memory\n100\n");
}

#[test]
fn garbage_small_objects_reuse_swept_memory() {
    // Garbage coalesces into large free runs when swept; small objects must
    // be cut from them, or a program whose live data is tiny runs out of a
    // 4 MiB heap after some 100k short-lived tables.
    let prog = "local mt = {__index = {}}\nlocal keep\n\
                for i = 1, 1000000 do keep = setmetatable({x = i, y = i, name = 'v' .. i % 100}, mt) end\n\
                print(keep.x, collectgarbage('count') < 1024)";
    let (out, _) = run_ok(slotjit().args(["run", "--memory-limit", "4M", "-e", prog]));
    assert_eq!(out, "1000000\ttrue\n");
}

#[test]
fn a_growing_array_part_fits_a_heap_little_larger_than_itself() {
    // 2^21 values take 32 MiB. Growing the array part where it lies (it is
    // the last block) means no old copy coexists with the new one; copying
    // on every doubling needed more than 64 MiB. In the interpreter only:
    // with the JIT, installing compiled code allocates (the constants of
    // the compiled chunk) at a moment the compile worker decides, after
    // which the array is no longer the last block and the next doubling
    // copies, as `realloc` would.
    let prog = "local t = {} for i = 1, 2^21 do t[i] = i end print(#t, t[2^21])";
    let (out, _) =
        run_ok(slotjit().args(["run", "--tier=interp", "--memory-limit", "40M", "-e", prog]));
    assert_eq!(out, "2097152\t2097152\n");
}
