//! The lazy slot manager and the slot runtime: states, load strategies,
//! dependency order and cycles, eviction, kinds, `require` of slots, the
//! entry point — and laziness proven with `Package::bytes_read`: staging and
//! running a slot never reads the bytes of an unrelated (large) slot.

mod package_support;

use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;

use package_support::*;
use slotjit::package::runtime::{self, RequireHook, RunError};
use slotjit::package::*;
use slotjit::vm::{Vm, VmOptions};

const BIG: usize = 16 << 20;

fn lua_slot(id: &str, src: &str) -> SlotSpec {
    SlotSpec::new(id, SlotSource::Bytes(src.as_bytes().to_vec()))
        .operations(OperationChain::parse("gzip").unwrap())
        .slotjit(SlotjitSlot {
            kind: "lua".into(),
            ..Default::default()
        })
}

fn sbc_slot(id: &str, src: &str) -> SlotSpec {
    let proto = slotjit::lua::compile(src.as_bytes(), &format!("@t/{id}")).unwrap();
    SlotSpec::new(id, SlotSource::Bytes(slotjit::bytecode::encode(&proto))).slotjit(SlotjitSlot {
        kind: "sbc".into(),
        ..Default::default()
    })
}

fn with(mut s: SlotSpec, depends: &[&str], exports: &[&str]) -> SlotSpec {
    let j = s.slotjit.get_or_insert_with(Default::default);
    j.depends = depends.iter().map(|d| d.to_string()).collect();
    j.exports = exports.iter().map(|d| d.to_string()).collect();
    s
}

fn big_bytes() -> Vec<u8> {
    let mut big = vec![0u8; BIG];
    let mut rng = Rng(7);
    for chunk in big.chunks_mut(8) {
        let v = rng.next().to_le_bytes();
        chunk.copy_from_slice(&v[..chunk.len()]);
    }
    big
}

/// main (sbc) depends on util (lua); a 16 MiB data slot nobody uses; a
/// startup config slot; an export alias.
fn app_spec() -> PackageSpec {
    let mut spec = PackageSpec::new("app", "1.0");
    spec.entry = Some(EntryPoint {
        slot: "main".into(),
        function: Some("main".into()),
        ..Default::default()
    });
    spec.slots = vec![
        SlotSpec::new("big", SlotSource::Bytes(big_bytes())),
        with(
            sbc_slot(
                "main",
                "local u = require('util')\n\
                 print('main chunk', ...)\n\
                 return { main = function(...) print('main fn', select('#', ...), ...) \
                 print(u.twice('x')) print(require('cfg')) print(require('helpers') == u) end }\n",
            ),
            &["util"],
            &["main"],
        ),
        with(
            lua_slot(
                "util",
                "print('util runs', ...)\nreturn { twice = function(s) return s .. s end }\n",
            ),
            &[],
            &["helpers"],
        ),
        SlotSpec::new("cfg", SlotSource::Bytes(b"k=v".to_vec())).lifecycle("startup"),
    ];
    spec
}

fn open(spec: &PackageSpec) -> SlotManager {
    let bytes = build_package(spec, &SigningKey::from_seed(SEED)).unwrap();
    SlotManager::new(Package::from_bytes(bytes, &opts()).unwrap()).unwrap()
}

/// `print` output of an isolate, captured.
#[derive(Clone, Default)]
struct Capture(Rc<RefCell<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn isolate(mgr: SlotManager) -> (Vm, Rc<RefCell<SlotManager>>, Capture) {
    let mut vm = Vm::new(VmOptions::default()).unwrap();
    let cap = Capture::default();
    vm.out = Box::new(cap.clone());
    slotjit::stdlib::open_all(&mut vm).unwrap();
    let mgr = Rc::new(RefCell::new(mgr));
    let hook = runtime::install(&mut vm, mgr.clone()).unwrap();
    // With the `package` library, slots come from a searcher placed first.
    assert_eq!(hook, RequireHook::Searcher);
    (vm, mgr, cap)
}

fn text(c: &Capture) -> String {
    String::from_utf8_lossy(&c.0.borrow()).into_owned()
}

#[test]
fn states_strategies_and_kinds_after_open() {
    let m = open(&app_spec());
    let i = |id| m.package().find_slot(id).unwrap();
    assert_eq!(
        m.state(i("cfg")),
        SlotState::Staged,
        "startup slot is staged at open"
    );
    assert_eq!(m.strategy(i("cfg")), LoadStrategy::Startup);
    for id in ["big", "main", "util"] {
        assert_eq!(m.state(i(id)), SlotState::Dormant, "{id}");
        assert_eq!(m.strategy(i(id)), LoadStrategy::OnFirstUse);
    }
    assert_eq!(m.kind(i("main")), SlotKind::Sbc);
    assert_eq!(m.kind(i("util")), SlotKind::Lua);
    assert_eq!(m.kind(i("big")), SlotKind::Data);
    assert_eq!(m.resolve("helpers"), Some(i("util")), "export alias");
    assert_eq!(m.resolve("util"), Some(i("util")));
    assert_eq!(m.resolve("nope"), None);
    assert_eq!(m.chunkname(i("util")), "@app/util");
}

#[test]
fn staging_reads_only_the_slot_and_its_dependencies() {
    let mut m = open(&app_spec());
    let after_open = m.package().bytes_read();
    assert!(after_open < 16 * 1024, "open read {after_open} bytes");
    let main = m.package().find_slot("main").unwrap();
    let util = m.package().find_slot("util").unwrap();
    let big = m.package().find_slot("big").unwrap();
    assert_eq!(m.load_order(main), vec![util, main], "dependencies first");
    m.proto(main).unwrap();
    assert_eq!(m.state(util), SlotState::Staged);
    assert_eq!(m.state(main), SlotState::Staged);
    assert_eq!(m.state(big), SlotState::Dormant);
    assert!(!m.package().is_verified(big));
    let after = m.package().bytes_read();
    let expected = m.package().slot(main).unwrap().size() + m.package().slot(util).unwrap().size();
    assert_eq!(
        after - after_open,
        expected,
        "exactly main + util were read"
    );
}

#[test]
fn running_the_entry_never_touches_the_big_slot() {
    let (mut vm, mgr, cap) = isolate(open(&app_spec()));
    let out = runtime::run_entry(&mut vm, "app.psp", &["a".into(), "b".into()]).unwrap();
    vm.flush();
    assert!(out.is_empty());
    assert_eq!(
        text(&cap),
        "util runs\tutil\tapp/util\nmain chunk\ta\tb\nmain fn\t2\ta\tb\nxx\nk=v\tapp/cfg\ntrue\n"
    );
    let m = mgr.borrow();
    let big = m.package().find_slot("big").unwrap();
    assert_eq!(m.state(big), SlotState::Dormant);
    assert!(!m.package().is_verified(big));
    assert!(
        m.package().bytes_read() < 32 * 1024,
        "read {} bytes with a {BIG}-byte slot in the package",
        m.package().bytes_read()
    );
    let main = m.package().find_slot("main").unwrap();
    assert_eq!(
        m.state(main),
        SlotState::Tier0,
        "code that ran is in tier 0"
    );
}

#[test]
fn evict_and_reload_from_the_map() {
    let mut m = open(&app_spec());
    let util = m.package().find_slot("util").unwrap();
    let cfg = m.package().find_slot("cfg").unwrap();
    assert!(!m.evict(util), "nothing to evict while dormant");
    m.stage(util).unwrap();
    assert_eq!(m.load_count(util), 1);
    m.stage(util).unwrap();
    assert_eq!(m.load_count(util), 1, "cached");
    assert!(m.evict(util));
    assert_eq!(m.state(util), SlotState::Dormant);
    let before = m.package().bytes_read();
    m.stage(util).unwrap();
    assert_eq!(m.state(util), SlotState::Staged);
    assert_eq!(m.load_count(util), 2);
    assert!(m.package().bytes_read() > before, "reloaded from the map");
    assert!(!m.evict(cfg), "startup slots are pinned");
    assert_eq!(m.state(cfg), SlotState::Staged);
}

#[test]
fn dependency_cycle_is_refused_and_named() {
    let mut spec = PackageSpec::new("cyc", "1");
    spec.slots = vec![
        with(lua_slot("a", "return 1"), &["b"], &[]),
        with(lua_slot("b", "return 2"), &["c"], &[]),
        with(lua_slot("c", "return 3"), &["a"], &[]),
    ];
    let bytes = build_package(&spec, &SigningKey::from_seed(SEED)).unwrap();
    let e = SlotManager::new(Package::from_bytes(bytes, &opts()).unwrap()).unwrap_err();
    assert_eq!(e.code(), "SJ-PKG-DEPENDENCY-CYCLE");
    assert_eq!(e.to_string(), "dependency cycle: a -> b -> c -> a");
}

#[test]
fn missing_dependency_is_refused() {
    let mut spec = PackageSpec::new("m", "1");
    spec.slots = vec![with(lua_slot("a", "return 1"), &["ghost"], &[])];
    let bytes = build_package(&spec, &SigningKey::from_seed(SEED)).unwrap();
    let e = SlotManager::new(Package::from_bytes(bytes, &opts()).unwrap()).unwrap_err();
    assert_eq!(e.code(), "SJ-PKG-DEPENDENCY-MISSING");
    assert!(e.to_string().contains("'ghost'"));
}

#[test]
fn diamond_dependencies_load_once_in_topological_order() {
    let mut spec = PackageSpec::new("d", "1");
    spec.slots = vec![
        with(lua_slot("top", "return 't'"), &["left", "right"], &[]),
        with(lua_slot("left", "return 'l'"), &["base"], &[]),
        with(lua_slot("right", "return 'r'"), &["base"], &[]),
        lua_slot("base", "return 'b'"),
    ];
    let mut m = open(&spec);
    let order: Vec<&str> = m.load_order(0).iter().map(|&i| m.slot_id(i)).collect();
    assert_eq!(order, ["base", "left", "right", "top"]);
    m.stage(0).unwrap();
    for i in 0..4 {
        assert_eq!(m.load_count(i), 1);
    }
}

#[test]
fn bad_code_slots_have_stable_codes() {
    let mut spec = PackageSpec::new("bad", "1");
    spec.slots = vec![
        SlotSpec::new("junk", SlotSource::Bytes(b"not bytecode".to_vec())).slotjit(SlotjitSlot {
            kind: "sbc".into(),
            ..Default::default()
        }),
        lua_slot("syntax", "local = 1"),
        SlotSpec::new("w", SlotSource::Bytes(b"\0asm".to_vec())).slotjit(SlotjitSlot {
            kind: "wasm".into(),
            ..Default::default()
        }),
        SlotSpec::new("d", SlotSource::Bytes(b"x".to_vec())),
    ];
    let mut m = open(&spec);
    assert_eq!(m.stage(0).unwrap_err().code(), "SJ-PKG-SLOT-BYTECODE");
    assert_eq!(
        m.state(0),
        SlotState::Dormant,
        "a failed load leaves the slot dormant"
    );
    let e = m.stage(1).unwrap_err();
    assert_eq!(e.code(), "SJ-PKG-SLOT-COMPILE");
    assert!(e.to_string().contains("bad/syntax:1:"), "{e}");
    assert_eq!(m.stage(2).unwrap_err().code(), "SJ-PKG-SLOT-KIND");
    assert_eq!(m.proto(3).unwrap_err().code(), "SJ-PKG-SLOT-KIND");
    assert_eq!(&*m.data(3).unwrap(), b"x");
}

#[test]
fn tampered_dependency_is_refused_before_any_code_runs() {
    let spec = app_spec();
    let mut bytes = build_package(&spec, &SigningKey::from_seed(SEED)).unwrap();
    let util = spec.slots.iter().position(|s| s.id == "util").unwrap();
    let off = desc_u64(&bytes, util, D_OFFSET) as usize;
    bytes[off + 3] ^= 0x40;
    let m = SlotManager::new(Package::from_bytes(bytes, &opts()).unwrap()).unwrap();
    let (mut vm, _, cap) = isolate(m);
    let e = runtime::run_entry(&mut vm, "app", &[]).unwrap_err();
    assert!(matches!(e, RunError::Slot(_)));
    assert_eq!(e.code(), "SJ-PKG-SLOT-CHECKSUM");
    vm.flush();
    assert_eq!(text(&cap), "", "nothing ran");
}

#[test]
fn require_loop_at_run_time_is_named() {
    let mut spec = PackageSpec::new("loop", "1");
    spec.entry = Some(EntryPoint {
        slot: "a".into(),
        ..Default::default()
    });
    spec.slots = vec![
        lua_slot("a", "require('b') return 1"),
        lua_slot("b", "require('a') return 2"),
    ];
    let (mut vm, _, _) = isolate(open(&spec));
    let e = runtime::run_entry(&mut vm, "loop", &[]).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("SJ-PKG-DEPENDENCY-CYCLE: require loop between slots: a -> b -> a"),
        "{msg}"
    );
}

#[test]
fn missing_module_and_missing_entry() {
    let mut spec = PackageSpec::new("nm", "1");
    spec.entry = Some(EntryPoint {
        slot: "a".into(),
        function: Some("nope".into()),
        ..Default::default()
    });
    spec.slots = vec![lua_slot(
        "a",
        "local ok, e = pcall(require, 'ghost') print(ok, e) return {}",
    )];
    let (mut vm, _, cap) = isolate(open(&spec));
    let e = runtime::run_entry(&mut vm, "nm", &[]).unwrap_err();
    assert_eq!(e.code(), "SJ-PKG-NO-ENTRY");
    vm.flush();
    let out = text(&cap);
    assert!(out.starts_with("false\t"), "{out}");
    assert!(out.contains("module 'ghost' not found:"), "{out}");
    assert!(out.contains("no slot 'ghost' in package 'nm'"), "{out}");
}

#[test]
fn entry_function_may_be_a_global() {
    let mut spec = PackageSpec::new("g", "1");
    spec.entry = Some(EntryPoint {
        slot: "a".into(),
        function: Some("start".into()),
        ..Default::default()
    });
    spec.slots = vec![lua_slot(
        "a",
        "function start(...) print('start', ...) return 7 end",
    )];
    let (mut vm, _, cap) = isolate(open(&spec));
    let r = runtime::run_entry(&mut vm, "g", &["z".into()]).unwrap();
    assert_eq!(r.first().and_then(|v| v.as_int()), Some(7));
    vm.flush();
    assert_eq!(text(&cap), "start\tz\n");
}

#[test]
fn foreign_packages_have_no_entry() {
    for name in [
        "py-builder-2slots.psp",
        "rs-builder-2slots.psp",
        "mini-writer-2slots.psp",
    ] {
        let m = SlotManager::open(data(name), &opts()).unwrap();
        assert_eq!(m.entry().unwrap_err().code(), "SJ-PKG-NO-ENTRY", "{name}");
        for i in 0..m.slot_count() {
            assert_eq!(m.kind(i), SlotKind::Data);
        }
    }
}

#[test]
fn slot_searcher_comes_first_and_keeps_lua_require_protocol() {
    let mut spec = PackageSpec::new("s", "1");
    spec.entry = Some(EntryPoint {
        slot: "a".into(),
        ..Default::default()
    });
    spec.slots = vec![
        lua_slot(
            "a",
            "print(#package.searchers)\n\
             local v, where = require('string')\n\
             print(v == string, where)\n\
             package.preload.b = function() return 'preloaded' end\n\
             print(require('b'))\n\
             print(package.loaded.b)\n",
        ),
        lua_slot("b", "return 'from slot'"),
    ];
    let (mut vm, _, cap) = isolate(open(&spec));
    runtime::run_entry(&mut vm, "s", &[]).unwrap();
    vm.flush();
    // lua5.4 has 4 searchers; ours is first, so the slot beats package.preload.
    // Already-loaded modules (string) are returned before any searcher runs.
    assert_eq!(text(&cap), "5\ntrue\tnil\nfrom slot\ts/b\nfrom slot\n");
}

#[test]
fn minimal_require_without_the_package_library() {
    let mut spec = PackageSpec::new("mini", "1");
    spec.entry = Some(EntryPoint {
        slot: "a".into(),
        ..Default::default()
    });
    spec.slots = vec![
        lua_slot(
            "a",
            "local b, where = require('b') print(b.n, where, require('b') == b)\n\
             print(pcall(require, 'zz'))",
        ),
        lua_slot("b", "return { n = 5 }"),
    ];
    let mut vm = Vm::new(VmOptions::default()).unwrap();
    let cap = Capture::default();
    vm.out = Box::new(cap.clone());
    slotjit::stdlib::base::open(&mut vm).unwrap();
    let hook = runtime::install(&mut vm, Rc::new(RefCell::new(open(&spec)))).unwrap();
    assert_eq!(hook, RequireHook::MinimalRequire);
    runtime::run_entry(&mut vm, "mini", &[]).unwrap();
    vm.flush();
    assert_eq!(
        text(&cap),
        "5\tmini/b\ttrue\nfalse\tmodule 'zz' not found:\n\tno slot 'zz' in package 'mini'\n"
    );
}
