//! Library profiles: which standard functions an isolate gets.
//!
//! - [`LibProfile::Full`]: everything slotjit implements, with ambient
//!   file-system access (what `slotjit run` gives a script by default).
//! - [`LibProfile::Sandbox`]: no process control, no environment, no file
//!   removal/renaming, no loading of files or binary chunks outside the
//!   module system, and file access only inside granted directories.
//!   Forbidden functions are *absent* (nil), so a script can test for
//!   them; see `docs/sandbox.md` for the exact contents.

use std::path::PathBuf;

use super::io::IoState;
use super::io::fs::FsAccess;
use super::math::Xoshiro;
use crate::vm::{Throw, Vm};

/// Which functions a new isolate gets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LibProfile {
    /// The whole library with ambient authority.
    Full,
    /// The confined profile; only `allowed_dirs` are reachable by `io` and
    /// `require`.
    Sandbox {
        /// Directories the script may read and write (the first one is where
        /// relative paths that name no granted directory resolve).
        allowed_dirs: Vec<PathBuf>,
    },
}

/// Rust-side state of the standard library in one isolate.
#[derive(Default)]
pub struct LibState {
    /// Whether the isolate runs the sandbox profile.
    pub sandboxed: bool,
    /// `math.random` generator state.
    pub rng: Xoshiro,
    /// How files are reached.
    pub fs: FsAccess,
    /// Open streams.
    pub io: IoState,
    /// Native ids of `utf8.codes`'s strict and lax iterators.
    pub utf8_iters: (u32, u32),
    /// Set by `os.exit`: the status the embedder should exit with. The
    /// error that `os.exit` raises unwinds to the embedder, which must
    /// check this field (the CLI does).
    pub exit_code: Option<i32>,
    /// Set when the isolate's deadline passed: like `os.exit`, the error
    /// unwinds to the embedder through every `pcall`.
    pub interrupted: bool,
}

/// Open files a sandboxed isolate may hold at once.
pub const SANDBOX_MAX_OPEN_FILES: usize = 256;

/// Library names registered in `package.loaded` when present as globals.
const LIB_NAMES: [&str; 9] = [
    "coroutine",
    "table",
    "io",
    "os",
    "string",
    "math",
    "utf8",
    "debug",
    "package",
];

/// Opens the libraries of this module's files (everything but `base`,
/// `coroutine` and `string`, which `super::open_with_profile` opens) for
/// `profile`, then fills `package.loaded`.
pub fn open(vm: &mut Vm, profile: &LibProfile) -> Result<(), Throw> {
    super::os::init_clock();
    let full = matches!(profile, LibProfile::Full);
    match profile {
        LibProfile::Full => {
            vm.libs.fs = FsAccess::Ambient;
            vm.libs.sandboxed = false;
            vm.libs.io.max_open = 0;
        }
        LibProfile::Sandbox { allowed_dirs } => {
            vm.libs.sandboxed = true;
            vm.allow_binary_chunks = false;
            vm.libs.io.max_open = SANDBOX_MAX_OPEN_FILES;
            vm.libs.fs = match FsAccess::granted(allowed_dirs) {
                Ok(fs) => fs,
                Err(e) => {
                    let msg = format!("cannot grant directory access: {e}");
                    return Err(vm.error_msg_raw(msg.as_bytes()));
                }
            };
        }
    }
    super::package::open(vm, full)?;
    super::table::open(vm)?;
    super::io::open(vm, full)?;
    super::os::open(vm, full)?;
    super::math::open(vm)?;
    super::utf8::open(vm)?;
    register_loaded(vm)
}

/// `package.loaded[name] = lib` for every library present, and `_G`.
fn register_loaded(vm: &mut Vm) -> Result<(), Throw> {
    let loaded = super::package::loaded_table(vm)?;
    let g = vm.globals_value();
    vm.raw_set_str(loaded, "_G", g)?;
    for name in LIB_NAMES {
        let lib = vm.get_global(name)?;
        if lib.is_table() {
            vm.raw_set_str(loaded, name, lib)?;
        }
    }
    Ok(())
}

/// The exit status requested by `os.exit`, if the script called it (the
/// error that unwound to the embedder is then not a real error).
pub fn exit_requested(vm: &Vm) -> Option<i32> {
    vm.libs.exit_code
}
