//! The `sandbox` library profile: every forbidden capability is absent (or
//! refused with a clear error), granted directories are readable and
//! writable, and paths escaping them (`..`, absolute paths, symbolic links
//! pointing outside) are refused Lua-style (`nil, msg, errno`).
//!
//! Scripts run through the CLI (`slotjit run --sandbox --allow-dir DIR`) and
//! through the embedding API (`stdlib::open_with_profile`).

use std::path::{Path, PathBuf};
use std::process::Command;

use slotjit::stdlib::{LibProfile, open_with_profile};
use slotjit::vm::{Vm, VmError, VmOptions};

/// Runs `src` with the sandbox profile via the CLI; returns (status, stdout, stderr).
fn run_cli(src: &str, work: &Path, allow: &[&Path]) -> (i32, String, String) {
    let script = work.join("script.lua");
    std::fs::write(&script, src).expect("write script");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_slotjit"));
    cmd.arg("run").arg("--sandbox");
    for d in allow {
        cmd.arg("--allow-dir").arg(d);
    }
    cmd.arg(&script).current_dir(work);
    let out = cmd.output().expect("run slotjit");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs `src` in an isolate opened with `profile`; returns stdout text or the error.
fn run_api(src: &str, profile: LibProfile) -> Result<String, String> {
    let mut vm = Vm::new(VmOptions::default()).expect("vm");
    let buf = SharedBuf::default();
    vm.out = Box::new(buf.clone());
    open_with_profile(&mut vm, profile).map_err(|_| "open failed".to_string())?;
    let proto = slotjit::lua::compile(src.as_bytes(), "=test").map_err(|e| e.message)?;
    let f = vm.load_main(proto).map_err(|_| "load failed".to_string())?;
    let r = vm.call_protected(f, &[]);
    vm.flush();
    let text = buf.text();
    match r {
        Ok(_) => Ok(text),
        Err(VmError::Runtime { message, .. }) => Err(format!("{text}ERROR: {message}")),
        Err(e) => Err(format!("{text}ERROR: {e}")),
    }
}

#[derive(Clone, Default)]
struct SharedBuf(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);

impl SharedBuf {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.borrow()).into_owned()
    }
}

impl std::io::Write for SharedBuf {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn sandbox(dirs: &[&Path]) -> LibProfile {
    LibProfile::Sandbox {
        allowed_dirs: dirs.iter().map(|d| d.to_path_buf()).collect(),
    }
}

const FORBIDDEN: [&str; 15] = [
    "debug.getinfo",
    "debug.getmetatable",
    "debug.setmetatable",
    "os.execute",
    "os.exit",
    "os.getenv",
    "os.remove",
    "os.rename",
    "os.tmpname",
    "io.popen",
    "io.tmpfile",
    "dofile",
    "loadfile",
    "package.loadlib",
    "package.cpath",
];

#[test]
fn forbidden_functions_are_absent_in_sandbox_and_present_in_full() {
    let mut src = String::new();
    for f in FORBIDDEN {
        src.push_str(&format!("print('{f}', type({f}))\n"));
    }
    let out = run_api(&src, sandbox(&[])).expect("sandbox run");
    for f in FORBIDDEN {
        assert!(
            out.contains(&format!("{f}\tnil\n")),
            "{f} present in sandbox:\n{out}"
        );
    }
    let full = run_api(&src, LibProfile::Full).expect("full run");
    for f in FORBIDDEN {
        if f == "io.popen" {
            continue; // not implemented in any profile
        }
        assert!(
            !full.contains(&format!("{f}\tnil\n")),
            "{f} missing in full profile:\n{full}"
        );
    }
}

#[test]
fn calling_a_forbidden_function_fails_clearly() {
    for (call, name) in [
        ("os.execute('echo pwned')", "field 'execute'"),
        ("os.exit(3)", "field 'exit'"),
        ("os.remove('x')", "field 'remove'"),
        ("io.popen('ls')", "field 'popen'"),
        ("dofile('x.lua')", "global 'dofile'"),
        ("loadfile('x.lua')", "global 'loadfile'"),
    ] {
        let err = run_api(call, sandbox(&[])).expect_err(call);
        assert!(
            err.contains(&format!("attempt to call a nil value ({name})")),
            "{call}: {err}"
        );
    }
}

#[test]
fn binary_chunks_are_refused_in_sandbox() {
    let src = "local f, msg = load('\\27Lua-like binary chunk') print(f, msg)";
    let out = run_api(src, sandbox(&[])).expect("run");
    assert_eq!(out, "nil\tbinary chunks are not allowed in this profile\n");
    let out =
        run_api("print(load('return 1 + 1')())", sandbox(&[])).expect("text chunks still load");
    assert_eq!(out, "2\n");
}

#[test]
fn without_grants_no_file_is_reachable() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let file = tmp.path().join("data.txt");
    std::fs::write(&file, "secret").expect("write");
    let src = format!(
        "print(io.open('{0}')) print(io.open('data.txt')) print(pcall(io.lines, '{0}'))",
        file.display()
    );
    let out = run_api(&src, sandbox(&[])).expect("run");
    let denied = "not permitted by the sandbox (outside the granted directories)";
    assert_eq!(
        out,
        format!(
            "nil\t{0}: {denied}\t13\nnil\tdata.txt: {denied}\t13\nfalse\tcannot open file '{0}' ({denied})\n",
            file.display()
        )
    );
}

#[test]
fn granted_directory_is_readable_and_writable() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    std::fs::write(dir.join("in.txt"), "line 1\nline 2\n").expect("write");
    let src = format!(
        r#"
        local d = '{0}'
        for l in io.lines(d .. '/in.txt') do print(l) end
        local f = assert(io.open('out.txt', 'w'))   -- relative: inside the first grant
        f:write('written ', 42, '\n') f:close()
        local g = assert(io.open(d .. '/out.txt', 'a')) g:write('appended\n') g:close()
        print(io.open(d .. '/out.txt'):read('a'))
        print(io.open('sub/missing.txt'))
        "#,
        dir.display()
    );
    let (status, stdout, stderr) = run_cli(&src, dir, &[dir]);
    assert_eq!(status, 0, "stderr: {stderr}");
    assert_eq!(
        stdout,
        "line 1\nline 2\nwritten 42\nappended\n\nnil\tsub/missing.txt: No such file or directory\t2\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("out.txt")).unwrap_or_default(),
        "written 42\nappended\n"
    );
}

/// Every way out of the granted directory is refused and creates nothing.
#[test]
fn escaping_paths_are_refused() {
    let outer = tempfile::tempdir().expect("tempdir");
    let granted = outer.path().join("granted");
    std::fs::create_dir(&granted).expect("mkdir");
    std::fs::write(outer.path().join("outside.txt"), "outside").expect("write");
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(outer.path().join("outside.txt"), granted.join("link_out"))
            .expect("symlink");
        std::os::unix::fs::symlink("/etc", granted.join("etc_link")).expect("symlink");
        std::os::unix::fs::symlink("inner.txt", granted.join("link_in")).expect("symlink");
    }
    std::fs::write(granted.join("inner.txt"), "inner").expect("write");
    let g = granted.display().to_string();
    let attempts: Vec<String> = vec![
        "../outside.txt".into(),
        format!("{g}/../outside.txt"),
        outer.path().join("outside.txt").display().to_string(),
        "/etc/passwd".into(),
        "link_out".into(),
        "etc_link/passwd".into(),
        "sub/../../outside.txt".into(),
    ];
    let mut src = String::new();
    for p in &attempts {
        src.push_str(&format!(
            "do local f, msg, code = io.open('{p}') print(f == nil, code, msg) end\n\
             do local f, msg, code = io.open('{p}', 'r+') print(f == nil, code) end\n"
        ));
    }
    src.push_str("print(io.open('link_in'):read('a'))\n");
    src.push_str("print(io.open('../created.new', 'w'))\n");
    src.push_str(&format!(
        "print(io.open('{}', 'w'))\n",
        outer.path().join("abs.new").display()
    ));
    src.push_str("print(pcall(io.lines, '../outside.txt'))\n");
    src.push_str("print(pcall(io.input, '/etc/passwd'))\n");
    let out = run_api(&src, sandbox(&[&granted])).expect("run");
    let lines: Vec<&str> = out.lines().collect();
    for (i, p) in attempts.iter().enumerate() {
        let read = lines[2 * i];
        let write = lines[2 * i + 1];
        assert!(
            read.starts_with("true\t13\t"),
            "read of {p} not refused: {read}"
        );
        assert!(
            read.contains("not permitted by the sandbox"),
            "unclear message for {p}: {read}"
        );
        assert_eq!(write, "true\t13", "opening {p} for update not refused");
    }
    assert_eq!(
        lines[2 * attempts.len()],
        "inner",
        "symlink inside the grant must work"
    );
    let n = 2 * attempts.len();
    assert!(
        lines[n + 1].starts_with("nil\t../created.new: not permitted"),
        "{}",
        lines[n + 1]
    );
    assert!(
        lines[n + 2].starts_with("nil\t") && lines[n + 2].ends_with("\t13"),
        "{}",
        lines[n + 2]
    );
    assert!(
        lines[n + 3].starts_with("false\tcannot open file '../outside.txt'"),
        "{}",
        lines[n + 3]
    );
    assert!(
        lines[n + 4].starts_with("false\tcannot open file '/etc/passwd'"),
        "{}",
        lines[n + 4]
    );
    assert_eq!(
        std::fs::read_to_string(outer.path().join("outside.txt")).unwrap_or_default(),
        "outside"
    );
    // Nothing was created outside the granted directory.
    let created: Vec<PathBuf> = std::fs::read_dir(outer.path())
        .expect("read_dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "new"))
        .collect();
    assert!(created.is_empty(), "files created outside: {created:?}");
    assert!(!Path::new("/etc/passwd.new").exists());
}

#[test]
fn require_is_confined_to_granted_directories() {
    let outer = tempfile::tempdir().expect("tempdir");
    let granted = outer.path().join("granted");
    std::fs::create_dir(&granted).expect("mkdir");
    std::fs::write(granted.join("inside.lua"), "return 'inside module'").expect("write");
    std::fs::write(outer.path().join("outside.lua"), "return 'outside module'").expect("write");
    let src = r#"
        print(require('inside'))
        print(package.path)
        package.path = '../?.lua;/tmp/?.lua'
        local ok, err = pcall(require, 'outside')
        print(ok)
        print(err)
    "#;
    let out = run_api(src, sandbox(&[&granted])).expect("run");
    assert_eq!(
        out,
        "inside module\t./inside.lua\n./?.lua;./?/init.lua\nfalse\n\
         module 'outside' not found:\n\
         \tno field package.preload['outside']\n\tno file '../outside.lua'\n\tno file '/tmp/outside.lua'\n"
    );
}

#[test]
fn sandbox_keeps_the_safe_libraries() {
    let src = r#"
        print(type(os.time), type(os.clock), type(os.date), type(os.difftime))
        print(type(io.write), type(io.read), type(io.open), type(io.lines), type(io.stdout))
        print(type(require), type(package.searchers), #package.searchers)
        print(type(table.sort), type(math.random), type(utf8.char), type(load))
        print(os.date('!%Y-%m-%d', 0), math.floor(2.5), utf8.char(955))
    "#;
    let out = run_api(src, sandbox(&[])).expect("run");
    assert_eq!(
        out,
        "function\tfunction\tfunction\tfunction\n\
         function\tfunction\tfunction\tfunction\tuserdata\n\
         function\ttable\t2\n\
         function\tfunction\tfunction\tfunction\n\
         1970-01-01\t2\tλ\n"
    );
}

#[test]
fn cli_rejects_a_missing_granted_directory() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let missing = tmp.path().join("nope");
    let (status, _, stderr) = run_cli("print(1)", tmp.path(), &[&missing]);
    assert_eq!(status, 1);
    assert!(
        stderr.contains("--allow-dir") && stderr.contains("not a directory"),
        "{stderr}"
    );
}

#[test]
fn os_exit_in_full_profile_sets_the_status_through_the_cli() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let script = tmp.path().join("exit.lua");
    std::fs::write(&script, "io.write('bye') os.exit(5)").expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_slotjit"))
        .arg("run")
        .arg(&script)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(5));
    assert_eq!(out.stdout, b"bye");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // In the sandbox, os.exit does not exist.
    let (status, _, stderr) = run_cli("os.exit(5)", tmp.path(), &[]);
    assert_eq!(status, 1);
    assert!(
        stderr.contains("attempt to call a nil value (field 'exit')"),
        "{stderr}"
    );
}

#[test]
fn sandbox_keeps_debug_traceback() {
    let out = run_api(
        "print(type(debug.traceback), (debug.traceback('m'):gsub('\\n.*', '')))",
        sandbox(&[]),
    )
    .expect("sandbox run");
    assert_eq!(out, "function\tm\n");
}
