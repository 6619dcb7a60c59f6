//! The Lua standard library as natives over the VM's embedding API.

pub mod base;
pub mod coroutine;
pub mod string;

use crate::vm::{Throw, Vm};

/// Installs every library into the isolate's globals.
pub fn open_all(vm: &mut Vm) -> Result<(), Throw> {
    base::open(vm)?;
    coroutine::open(vm)?;
    string::open(vm)?;
    Ok(())
}
