//! The Lua standard library as natives over the VM's embedding API.

pub mod base;
pub mod coroutine;
pub mod debug;
pub mod io;
pub mod math;
pub mod os;
pub mod package;
pub mod profile;
pub mod string;
pub mod table;
pub mod utf8;

pub use profile::{LibProfile, LibState};

use crate::vm::{Throw, Value, Vm};

/// Installs every library into the globals table (the `full` profile).
pub fn open_all(vm: &mut Vm) -> Result<(), Throw> {
    open_with_profile(vm, LibProfile::Full)
}

/// Installs the libraries of `profile` (see [`profile`] and `docs/sandbox.md`).
pub fn open_with_profile(vm: &mut Vm, profile: LibProfile) -> Result<(), Throw> {
    base::open(vm)?;
    coroutine::open(vm)?;
    string::open(vm)?;
    debug::open(vm, matches!(profile, LibProfile::Full))?;
    profile::open(vm, &profile)?;
    Ok(())
}

/// Records a library table in `package.loaded` (the registry's `_LOADED`),
/// creating it on first use. Tracebacks name functions through it.
pub fn register_loaded(vm: &mut Vm, name: &str, lib: Value) -> Result<(), Throw> {
    let reg = Value::object(crate::vm::layout::TAG_TABLE, vm.registry);
    let mut loaded = vm.raw_get_str(reg, "_LOADED")?;
    if !loaded.is_table() {
        loaded = vm.new_table(0, 16)?;
        vm.raw_set_str(reg, "_LOADED", loaded)?;
    }
    vm.raw_set_str(loaded, name, lib)
}
