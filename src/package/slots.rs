//! The lazy slot manager: per-slot state machine, load strategies,
//! dependency order, and the cache of decoded data and verified protos.
//!
//! Every slot starts [`SlotState::Dormant`]. The first access (a `require`,
//! the package entry, [`SlotManager::stage`]) moves it through
//! [`SlotState::Loading`] (read the slot's bytes from the map, check both
//! hashes, undo its operations, then decode and verify `.sbc` or compile Lua
//! source) to [`SlotState::Staged`]. Running it in an isolate marks it
//! [`SlotState::Tier0`]; the JIT tiers will add the later states. A slot's
//! `lifecycle` picks the [`LoadStrategy`]: `startup` slots are staged when
//! the manager is created and kept; every other slot waits for its first use
//! and may be [evicted](SlotManager::evict) back to `Dormant`, to be reloaded
//! from the map on the next access.
//!
//! Dependencies (`slots[i].slotjit.depends`, slot ids) are staged before the
//! slot that names them, in topological order. The dependency graph is
//! checked when the manager is created — from the signed metadata only, no
//! slot bytes — so a missing dependency or a cycle is refused up front with
//! the cycle spelled out (`SJ-PKG-DEPENDENCY-CYCLE: a -> b -> a`).
//!
//! Staging a slot reads the bytes of that slot and of its dependencies, never
//! of any other slot: [`Package::bytes_read`] proves it in
//! `tests/package_slots.rs`.

use std::collections::HashMap;
use std::path::Path;
use std::rc::Rc;

use super::error::PackageError;
use super::metadata::{EntryPoint, SlotMeta};
use super::reader::{Package, ReadOptions};
use crate::bytecode::Proto;

/// Where a slot is in its life. `#[non_exhaustive]` because the JIT adds tiers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SlotState {
    /// Not loaded: only its descriptor and JSON entry are known.
    Dormant,
    /// Being read, hashed, decoded and verified (or compiled).
    Loading,
    /// Decoded and verified; protos (or data) are cached, nothing has run.
    Staged,
    /// Its code has been run by the tier-0 interpreter.
    Tier0,
    /// Some of its functions run as baseline (tier-1) code.
    Tier1,
    /// Some of its functions run as optimized (tier-2) code.
    Tier2,
}

impl SlotState {
    /// Upper-case name as shown by `slotjit inspect`.
    pub fn name(self) -> &'static str {
        match self {
            SlotState::Dormant => "DORMANT",
            SlotState::Loading => "LOADING",
            SlotState::Staged => "STAGED",
            SlotState::Tier0 => "TIER0",
            SlotState::Tier1 => "TIER1",
            SlotState::Tier2 => "TIER2",
        }
    }

    /// Is the slot's content in memory (staged or running)?
    pub fn is_loaded(self) -> bool {
        !matches!(self, SlotState::Dormant | SlotState::Loading)
    }
}

impl std::fmt::Display for SlotState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// When a slot is loaded, from its `lifecycle` (design brief §5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LoadStrategy {
    /// `startup`: staged when the manager is created, never evicted.
    Startup,
    /// `runtime`: staged on first use; evictable.
    OnFirstUse,
    /// `lazy` and every other lifecycle: staged on access, low priority; evictable.
    Lazy,
}

impl LoadStrategy {
    /// The strategy for a lifecycle name.
    pub fn for_lifecycle(lifecycle: &str) -> LoadStrategy {
        match lifecycle {
            "startup" => LoadStrategy::Startup,
            "runtime" => LoadStrategy::OnFirstUse,
            _ => LoadStrategy::Lazy,
        }
    }

    /// Short name as shown by `slotjit inspect`.
    pub fn name(self) -> &'static str {
        match self {
            LoadStrategy::Startup => "at-open",
            LoadStrategy::OnFirstUse => "first-use",
            LoadStrategy::Lazy => "lazy",
        }
    }
}

/// What a slot's decoded bytes are (`slots[i].slotjit.kind`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SlotKind {
    /// Slot bytecode (`.sbc`), decoded and verified.
    Sbc,
    /// Lua 5.4 source, compiled on load.
    Lua,
    /// Plain bytes; also every slot without a `slotjit` object (foreign packages).
    Data,
    /// A kind this slotjit does not run (`wasm` for now, or a newer one).
    Other(String),
}

/// Whether a slot without slotjit data holds a single `.lua` file (no tar).
fn is_lua_file(meta: &SlotMeta) -> bool {
    let named_lua = |s: &str| s.ends_with(".lua");
    let untarred = !meta.operations.contains("tar") && !meta.operations.starts_with("tgz");
    untarred && (named_lua(&meta.target) || named_lua(&meta.id))
}

impl SlotKind {
    /// Kind from a slot's JSON entry.
    pub fn of(meta: &SlotMeta) -> SlotKind {
        match meta.slotjit.as_ref().map(|s| s.kind.as_str()) {
            // Packages from other builders carry no slotjit object: a raw
            // slot whose target or id names a `.lua` file is Lua source.
            None if is_lua_file(meta) => SlotKind::Lua,
            None | Some("data") => SlotKind::Data,
            Some("sbc") => SlotKind::Sbc,
            Some("lua") => SlotKind::Lua,
            Some(other) => SlotKind::Other(other.to_string()),
        }
    }

    /// The kind's name.
    pub fn name(&self) -> &str {
        match self {
            SlotKind::Sbc => "sbc",
            SlotKind::Lua => "lua",
            SlotKind::Data => "data",
            SlotKind::Other(s) => s,
        }
    }

    /// Does this kind hold code an isolate can run?
    pub fn is_code(&self) -> bool {
        matches!(self, SlotKind::Sbc | SlotKind::Lua)
    }
}

/// A staged slot's cached content.
#[derive(Clone, Debug)]
pub enum Staged {
    /// The verified main proto of a code slot.
    Code(Rc<Proto>),
    /// The decoded bytes of a data slot (for TAR slots: the tar archive).
    Data(Rc<[u8]>),
}

/// Errors of the slot manager: package errors pass through with their own
/// codes; the rest are about slotjit's use of the slots.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SlotError {
    /// Reading, verifying or decoding the package or a slot failed.
    #[error(transparent)]
    Package(#[from] PackageError),
    /// The `depends` lists form a cycle (ids in order, first repeated last).
    #[error("dependency cycle: {}", .0.join(" -> "))]
    DependencyCycle(Vec<String>),
    /// A slot depends on an id that is not a slot of this package.
    #[error("slot '{slot}' depends on '{dependency}', which is not a slot of this package")]
    MissingDependency {
        /// The dependent slot.
        slot: String,
        /// The unknown id.
        dependency: String,
    },
    /// An `.sbc` slot does not decode or the bytecode verifier rejects it.
    #[error("slot '{slot}': {detail}")]
    Bytecode {
        /// Slot id.
        slot: String,
        /// The decoder's or verifier's message (with its own code).
        detail: String,
    },
    /// A Lua source slot does not compile.
    #[error("slot '{slot}': {message}")]
    Compile {
        /// Slot id.
        slot: String,
        /// lua5.4-style message.
        message: String,
    },
    /// The slot's kind cannot be used this way (e.g. running a `data` slot,
    /// or a `wasm` slot, which this slotjit does not run yet).
    #[error("slot '{slot}' has kind '{kind}', {wanted}")]
    Kind {
        /// Slot id.
        slot: String,
        /// Its kind.
        kind: String,
        /// What was needed.
        wanted: &'static str,
    },
    /// The package has no `execution.slotjit` entry point (or it names a missing slot).
    #[error("{0}")]
    NoEntry(String),
}

impl SlotError {
    /// The stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            SlotError::Package(e) => e.code(),
            SlotError::DependencyCycle(_) => "SJ-PKG-DEPENDENCY-CYCLE",
            SlotError::MissingDependency { .. } => "SJ-PKG-DEPENDENCY-MISSING",
            SlotError::Bytecode { .. } => "SJ-PKG-SLOT-BYTECODE",
            SlotError::Compile { .. } => "SJ-PKG-SLOT-COMPILE",
            SlotError::Kind { .. } => "SJ-PKG-SLOT-KIND",
            SlotError::NoEntry(_) => "SJ-PKG-NO-ENTRY",
        }
    }

    /// A one-line hint on what to do.
    pub fn remedy(&self) -> &'static str {
        match self {
            SlotError::Package(e) => e.remedy(),
            SlotError::DependencyCycle(_) => {
                "remove one of the depends= edges named in the cycle and repack"
            }
            SlotError::MissingDependency { .. } => {
                "add the missing slot or fix the depends= list, then repack"
            }
            SlotError::Bytecode { .. } => {
                "the slot bytecode is corrupt or from another slotjit version; repack from source"
            }
            SlotError::Compile { .. } => "fix the Lua source of that slot and repack",
            SlotError::Kind { .. } => {
                "check the slot kind (`slotjit inspect`); only lua and sbc slots run"
            }
            SlotError::NoEntry(_) => {
                "this package was not built to be run by slotjit: inspect it with `slotjit inspect`, \
                 take slots out with `slotjit extract`, or repack it with `slotjit pack --entry SLOT[:FN]`"
            }
        }
    }
}

/// Result alias of the slot manager.
pub type SlotResult<T> = std::result::Result<T, SlotError>;

/// Per-slot bookkeeping.
#[derive(Debug)]
struct Entry {
    state: SlotState,
    kind: SlotKind,
    strategy: LoadStrategy,
    /// Positions of the slots named in `depends`, in listed order.
    depends: Vec<usize>,
    staged: Option<Staged>,
    /// How many times the slot went through LOADING (reloads after eviction count).
    loads: u32,
}

/// Owns an opened [`Package`] and moves its slots through their states.
///
/// Single-threaded by design (it caches `Rc<Proto>`s that an isolate loads);
/// one manager serves one isolate.
pub struct SlotManager {
    package: Package,
    name: String,
    entries: Vec<Entry>,
    /// Slot id or export name → position; ids win over exports, and the
    /// first slot listing an export wins.
    names: HashMap<String, usize>,
}

impl std::fmt::Debug for SlotManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SlotManager")
            .field("package", &self.name)
            .field("slots", &self.entries.len())
            .finish_non_exhaustive()
    }
}

impl SlotManager {
    /// Open a package file and create its manager (startup slots are staged).
    pub fn open(path: impl AsRef<Path>, options: &ReadOptions) -> SlotResult<SlotManager> {
        let path = path.as_ref();
        let package = Package::open(path, options)?;
        let mut m = SlotManager::deferred(package)?;
        if m.name.is_empty() {
            m.name = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
        }
        m.load_startup()?;
        Ok(m)
    }

    /// Create the manager and stage every `startup` slot.
    pub fn new(package: Package) -> SlotResult<SlotManager> {
        let mut m = SlotManager::deferred(package)?;
        m.load_startup()?;
        Ok(m)
    }

    /// Create the manager without loading anything (for `slotjit inspect`,
    /// which wants to report a broken startup slot rather than stop at it).
    /// The dependency graph is still checked.
    pub fn deferred(package: Package) -> SlotResult<SlotManager> {
        let metas = &package.metadata().slots;
        let mut names = HashMap::new();
        for (i, m) in metas.iter().enumerate() {
            names.entry(m.id.clone()).or_insert(i);
        }
        for (i, m) in metas.iter().enumerate() {
            for e in m.slotjit.iter().flat_map(|s| &s.exports) {
                names.entry(e.clone()).or_insert(i);
            }
        }
        let depends = dependency_lists(metas)?;
        check_acyclic(metas, &depends)?;
        let entries = metas
            .iter()
            .zip(depends)
            .map(|(m, depends)| Entry {
                state: SlotState::Dormant,
                kind: SlotKind::of(m),
                strategy: LoadStrategy::for_lifecycle(&m.lifecycle),
                depends,
                staged: None,
                loads: 0,
            })
            .collect();
        let name = package
            .metadata()
            .package
            .as_ref()
            .map(|p| p.name.clone())
            .unwrap_or_default();
        Ok(SlotManager {
            package,
            name,
            entries,
            names,
        })
    }

    /// Stage every slot whose strategy is [`LoadStrategy::Startup`], in order.
    pub fn load_startup(&mut self) -> SlotResult<()> {
        for i in 0..self.entries.len() {
            if self.entries[i].strategy == LoadStrategy::Startup {
                self.stage(i)?;
            }
        }
        Ok(())
    }

    /// The underlying package.
    pub fn package(&self) -> &Package {
        &self.package
    }

    /// The package name used in chunk names (`package.name`, else the file stem).
    pub fn package_name(&self) -> &str {
        &self.name
    }

    /// Number of slots.
    pub fn slot_count(&self) -> usize {
        self.entries.len()
    }

    /// A slot's id.
    pub fn slot_id(&self, i: usize) -> &str {
        self.package
            .metadata()
            .slots
            .get(i)
            .map_or("", |m| m.id.as_str())
    }

    /// A slot's state (`Dormant` for an out-of-range index).
    pub fn state(&self, i: usize) -> SlotState {
        self.entries.get(i).map_or(SlotState::Dormant, |e| e.state)
    }

    /// A slot's kind.
    pub fn kind(&self, i: usize) -> SlotKind {
        self.entries
            .get(i)
            .map_or(SlotKind::Data, |e| e.kind.clone())
    }

    /// A slot's load strategy.
    pub fn strategy(&self, i: usize) -> LoadStrategy {
        self.entries
            .get(i)
            .map_or(LoadStrategy::Lazy, |e| e.strategy)
    }

    /// Positions of the slots `i` depends on, in listed order.
    pub fn depends(&self, i: usize) -> &[usize] {
        self.entries.get(i).map_or(&[], |e| &e.depends)
    }

    /// How many times slot `i` has been loaded (reloads after eviction count).
    pub fn load_count(&self, i: usize) -> u32 {
        self.entries.get(i).map_or(0, |e| e.loads)
    }

    /// The slot a `require` name refers to: a slot id, else an export name.
    pub fn resolve(&self, name: &str) -> Option<usize> {
        self.names.get(name).copied()
    }

    /// The chunk name of a code slot: `@<package>/<slot id>`.
    pub fn chunkname(&self, i: usize) -> String {
        format!("@{}/{}", self.name, self.slot_id(i))
    }

    /// The package's entry point, resolved to a slot position: the slotjit
    /// entry (`execution.slotjit`), or for packages built by other tools the
    /// `execution.primary_slot` when that slot holds Lua code.
    pub fn entry(&self) -> SlotResult<(usize, EntryPoint)> {
        let execution = self.package.metadata().execution.as_ref();
        let Some(ep) = execution.and_then(|e| e.slotjit.as_ref()) else {
            let primary = execution.and_then(|e| e.primary_slot).map(|p| p as usize);
            if let Some(i) = primary.filter(|&i| i < self.entries.len() && self.kind(i).is_code()) {
                let ep = EntryPoint {
                    slot: self.slot_id(i).to_string(),
                    function: None,
                    extra: Default::default(),
                };
                return Ok((i, ep));
            }
            return Err(SlotError::NoEntry(format!(
                "package '{}' has no slotjit entry point (metadata execution.slotjit is missing) and its \
                 primary slot holds no Lua code; it was built for flavorpack launchers",
                self.name
            )));
        };
        let i = self.package.find_slot(&ep.slot).ok_or_else(|| {
            SlotError::NoEntry(format!(
                "the entry point names slot '{}', which is not in package '{}'",
                ep.slot, self.name
            ))
        })?;
        Ok((i, ep.clone()))
    }

    /// Slots to stage for `i`, dependencies first (topological order, `i` last).
    pub fn load_order(&self, i: usize) -> Vec<usize> {
        let mut order = Vec::new();
        let mut seen = vec![false; self.entries.len()];
        // The graph was checked acyclic at creation, so a plain post-order
        // DFS terminates; an explicit stack keeps deep chains off the Rust stack.
        let mut stack = vec![(i, 0usize)];
        if let Some(s) = seen.get_mut(i) {
            *s = true;
        } else {
            return order;
        }
        while let Some((n, next)) = stack.pop() {
            match self.entries[n].depends.get(next) {
                Some(&d) => {
                    stack.push((n, next + 1));
                    if !seen[d] {
                        seen[d] = true;
                        stack.push((d, 0));
                    }
                }
                None => order.push(n),
            }
        }
        order
    }

    /// Stage slot `i` and, first, everything it depends on. Returns the
    /// cached content; a slot already staged (or running) is not touched again.
    pub fn stage(&mut self, i: usize) -> SlotResult<Staged> {
        let entry = self
            .entries
            .get(i)
            .ok_or_else(|| PackageError::NoSuchSlot(i.to_string()))?;
        if let Some(s) = &entry.staged {
            return Ok(s.clone());
        }
        for n in self.load_order(i) {
            if self.entries[n].staged.is_none() {
                self.load_one(n)?;
            }
        }
        self.entries[i]
            .staged
            .clone()
            .ok_or_else(|| PackageError::NoSuchSlot(i.to_string()).into())
    }

    /// Stage a code slot and return its verified main proto.
    pub fn proto(&mut self, i: usize) -> SlotResult<Rc<Proto>> {
        let kind = self.kind(i);
        if !kind.is_code() {
            return Err(self.kind_error(i, "not code (lua or sbc)"));
        }
        match self.stage(i)? {
            Staged::Code(p) => Ok(p),
            Staged::Data(_) => Err(self.kind_error(i, "not code (lua or sbc)")),
        }
    }

    /// Stage a slot and return its decoded bytes. Code slots are staged as
    /// protos, so this reads them afresh (it is for `extract`-like uses).
    pub fn data(&mut self, i: usize) -> SlotResult<Rc<[u8]>> {
        match self.stage(i)? {
            Staged::Data(d) => Ok(d),
            Staged::Code(_) => Ok(self.package.slot_data(i)?.into()),
        }
    }

    /// Record that slot `i` now runs in tier `state` (the isolate calls this
    /// with [`SlotState::Tier0`]; the JIT will with higher tiers). Ignored
    /// unless the slot is loaded.
    pub fn mark(&mut self, i: usize, state: SlotState) {
        if let Some(e) = self.entries.get_mut(i)
            && e.staged.is_some()
            && state.is_loaded()
        {
            e.state = state;
        }
    }

    /// Drop a cold slot's cached content back to `Dormant`; the next access
    /// reloads (and re-verifies) it from the map. `startup` slots are pinned
    /// and are not evicted. Returns whether the slot was evicted. Code already
    /// loaded into an isolate stays valid there: the isolate holds its own
    /// `Rc` to the proto.
    pub fn evict(&mut self, i: usize) -> bool {
        match self.entries.get_mut(i) {
            Some(e) if e.strategy != LoadStrategy::Startup && e.staged.is_some() => {
                e.staged = None;
                e.state = SlotState::Dormant;
                true
            }
            _ => false,
        }
    }

    fn kind_error(&self, i: usize, wanted: &'static str) -> SlotError {
        SlotError::Kind {
            slot: self.slot_id(i).to_string(),
            kind: self.kind(i).name().to_string(),
            wanted,
        }
    }

    /// DORMANT → LOADING → STAGED for one slot (dependencies already staged).
    fn load_one(&mut self, i: usize) -> SlotResult<()> {
        self.entries[i].state = SlotState::Loading;
        let result = self.decode(i);
        let e = &mut self.entries[i];
        match result {
            Ok(s) => {
                e.staged = Some(s);
                e.state = SlotState::Staged;
                e.loads += 1;
                Ok(())
            }
            Err(err) => {
                // A failed load leaves nothing half-built; a later access retries.
                e.state = SlotState::Dormant;
                Err(err)
            }
        }
    }

    fn decode(&self, i: usize) -> SlotResult<Staged> {
        let kind = self.kind(i);
        if let SlotKind::Other(_) = kind {
            return Err(self.kind_error(i, "which this slotjit cannot load"));
        }
        let data = self.package.slot_data(i)?;
        let slot = || self.slot_id(i).to_string();
        Ok(match kind {
            SlotKind::Sbc => {
                let p = crate::bytecode::sbc::decode(&data).map_err(|e| SlotError::Bytecode {
                    slot: slot(),
                    detail: e.to_string(),
                })?;
                Staged::Code(Rc::new(p))
            }
            SlotKind::Lua => {
                let p =
                    crate::lua::compile(skip_shebang(&data), &self.chunkname(i)).map_err(|e| {
                        SlotError::Compile {
                            slot: slot(),
                            message: e.message,
                        }
                    })?;
                Staged::Code(Rc::new(p))
            }
            SlotKind::Data | SlotKind::Other(_) => Staged::Data(data.into()),
        })
    }
}

/// Like `luaL_loadfile`: a first line starting with `#` is skipped, keeping
/// its newline so line numbers stay right.
fn skip_shebang(src: &[u8]) -> &[u8] {
    if src.first() == Some(&b'#') {
        let nl = src.iter().position(|&c| c == b'\n').unwrap_or(src.len());
        &src[nl..]
    } else {
        src
    }
}

/// Resolve every slot's `depends` ids to positions.
fn dependency_lists(metas: &[SlotMeta]) -> SlotResult<Vec<Vec<usize>>> {
    let mut ids = HashMap::new();
    for (i, m) in metas.iter().enumerate() {
        ids.entry(m.id.as_str()).or_insert(i);
    }
    metas
        .iter()
        .map(|m| {
            m.slotjit
                .iter()
                .flat_map(|s| &s.depends)
                .map(|d| {
                    ids.get(d.as_str())
                        .copied()
                        .ok_or_else(|| SlotError::MissingDependency {
                            slot: m.id.clone(),
                            dependency: d.clone(),
                        })
                })
                .collect()
        })
        .collect()
}

/// Check the dependency graph of slot JSON entries: every `depends` id
/// exists and there is no cycle. Reads metadata only. Used by the manager,
/// by `slotjit pack` before writing and by `slotjit verify`.
pub fn check_dependencies(metas: &[SlotMeta]) -> SlotResult<()> {
    let depends = dependency_lists(metas)?;
    check_acyclic(metas, &depends)
}

fn check_acyclic(metas: &[SlotMeta], depends: &[Vec<usize>]) -> SlotResult<()> {
    #[derive(Clone, Copy, PartialEq)]
    enum Color {
        White,
        Gray,
        Black,
    }
    let mut color = vec![Color::White; depends.len()];
    for root in 0..depends.len() {
        if color[root] != Color::White {
            continue;
        }
        // Iterative DFS; `path` is the gray chain, so a back edge to a gray
        // node names the cycle exactly.
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        let mut path: Vec<usize> = vec![root];
        color[root] = Color::Gray;
        while let Some(top) = stack.last_mut() {
            let n = top.0;
            if let Some(&d) = depends[n].get(top.1) {
                top.1 += 1;
                match color[d] {
                    Color::White => {
                        color[d] = Color::Gray;
                        stack.push((d, 0));
                        path.push(d);
                    }
                    Color::Gray => {
                        let start = path.iter().position(|&p| p == d).unwrap_or(0);
                        let mut names: Vec<String> =
                            path[start..].iter().map(|&p| metas[p].id.clone()).collect();
                        names.push(metas[d].id.clone());
                        return Err(SlotError::DependencyCycle(names));
                    }
                    Color::Black => {}
                }
            } else {
                color[n] = Color::Black;
                stack.pop();
                path.pop();
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::package::SlotjitSlot;

    fn meta(id: &str, depends: &[&str]) -> SlotMeta {
        SlotMeta {
            id: id.into(),
            slotjit: Some(SlotjitSlot {
                kind: "lua".into(),
                depends: depends.iter().map(|s| s.to_string()).collect(),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[test]
    fn cycle_is_named() {
        let m = vec![meta("a", &["b"]), meta("b", &["c"]), meta("c", &["b"])];
        let e = check_dependencies(&m).unwrap_err();
        assert_eq!(e.code(), "SJ-PKG-DEPENDENCY-CYCLE");
        assert_eq!(e.to_string(), "dependency cycle: b -> c -> b");
        let m = vec![meta("a", &["a"])];
        assert_eq!(
            check_dependencies(&m).unwrap_err().to_string(),
            "dependency cycle: a -> a"
        );
    }

    #[test]
    fn diamond_is_fine_and_missing_is_named() {
        let m = vec![
            meta("a", &["b", "c"]),
            meta("b", &["d"]),
            meta("c", &["d"]),
            meta("d", &[]),
        ];
        assert!(check_dependencies(&m).is_ok());
        let m = vec![meta("a", &["zz"])];
        let e = check_dependencies(&m).unwrap_err();
        assert_eq!(e.code(), "SJ-PKG-DEPENDENCY-MISSING");
        assert!(e.to_string().contains("'zz'"));
    }

    #[test]
    fn lifecycle_strategies() {
        assert_eq!(
            LoadStrategy::for_lifecycle("startup"),
            LoadStrategy::Startup
        );
        assert_eq!(
            LoadStrategy::for_lifecycle("runtime"),
            LoadStrategy::OnFirstUse
        );
        assert_eq!(LoadStrategy::for_lifecycle("lazy"), LoadStrategy::Lazy);
        assert_eq!(LoadStrategy::for_lifecycle("cache"), LoadStrategy::Lazy);
    }
}
