//! File-system access for the `io`, `os` and `package` libraries, through
//! `cap-std` so that it can be confined.
//!
//! - [`FsAccess::Ambient`] (the `full` profile): paths mean what they mean
//!   to the host process (ambient authority).
//! - [`FsAccess::Granted`] (the `sandbox` profile): only the granted
//!   directories are reachable. A path is resolved inside the granted
//!   directory whose path (as given by the embedder, or its canonical form)
//!   is a prefix of it; any other relative path is resolved inside the first
//!   granted directory. `cap-std` refuses `..` components, absolute paths
//!   and symbolic links that would leave the directory.

use std::ffi::OsStr;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use cap_std::ambient_authority;
use cap_std::fs::{Dir, OpenOptions};

/// `errno` value reported for refused sandbox accesses (`EACCES`).
pub const EACCES: i32 = 13;

/// A directory granted to a sandboxed isolate.
pub struct Grant {
    /// The path as the embedder gave it.
    pub path: PathBuf,
    /// Its canonical form (to match absolute script paths).
    pub canonical: PathBuf,
    /// The capability.
    pub dir: Dir,
}

/// How an isolate reaches the file system.
pub enum FsAccess {
    /// Ambient authority: the whole host file system (full profile).
    Ambient,
    /// Only inside these directories (sandbox profile). Empty: no access.
    Granted(Vec<Grant>),
}

impl Default for FsAccess {
    /// No access at all until a profile says otherwise.
    fn default() -> Self {
        FsAccess::Granted(Vec::new())
    }
}

/// Modes `io.open` accepts, decoded.
#[derive(Clone, Copy, Debug)]
pub struct Mode {
    /// Readable.
    pub read: bool,
    /// Writable.
    pub write: bool,
    /// Writes go to the end.
    pub append: bool,
    /// Create when missing.
    pub create: bool,
    /// Truncate when present.
    pub truncate: bool,
}

impl Mode {
    /// Parses an `fopen` mode (`l_checkmode`: `[rwa]%+?b*`).
    pub fn parse(m: &[u8]) -> Option<Mode> {
        let (&first, rest) = m.split_first()?;
        let (plus, rest) = match rest.first() {
            Some(b'+') => (true, &rest[1..]),
            _ => (false, rest),
        };
        if !rest.iter().all(|&c| c == b'b') {
            return None;
        }
        Some(match first {
            b'r' => Mode {
                read: true,
                write: plus,
                append: false,
                create: false,
                truncate: false,
            },
            b'w' => Mode {
                read: plus,
                write: true,
                append: false,
                create: true,
                truncate: true,
            },
            b'a' => Mode {
                read: plus,
                write: true,
                append: true,
                create: true,
                truncate: false,
            },
            _ => return None,
        })
    }

    fn options(&self) -> OpenOptions {
        let mut o = OpenOptions::new();
        o.read(self.read)
            .write(self.write && !self.append)
            .append(self.append);
        o.create(self.create).truncate(self.truncate);
        o
    }
}

/// The error for a path outside every granted directory.
fn denied() -> io::Error {
    io::Error::new(io::ErrorKind::PermissionDenied, SandboxDenied)
}

/// Marker payload of sandbox refusals (so messages can name them).
#[derive(Debug)]
struct SandboxDenied;

impl std::fmt::Display for SandboxDenied {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("not permitted by the sandbox")
    }
}

impl std::error::Error for SandboxDenied {}

/// Path of Lua string bytes.
pub fn path_of(bytes: &[u8]) -> &Path {
    Path::new(OsStr::from_bytes(bytes))
}

impl FsAccess {
    /// Grants access to the given directories (sandbox profile). Fails if
    /// one cannot be opened.
    pub fn granted(dirs: &[PathBuf]) -> io::Result<FsAccess> {
        let mut grants = Vec::with_capacity(dirs.len());
        for p in dirs {
            let dir = Dir::open_ambient_dir(p, ambient_authority())?;
            let canonical = std::fs::canonicalize(p)?;
            grants.push(Grant {
                path: p.clone(),
                canonical,
                dir,
            });
        }
        Ok(FsAccess::Granted(grants))
    }

    /// Whether this is the sandbox (granted directories only).
    pub fn is_confined(&self) -> bool {
        matches!(self, FsAccess::Granted(_))
    }

    /// Whether a relative path climbs above its starting directory through
    /// `..` (checked lexically so such paths get the sandbox's message even
    /// when an intermediate directory does not exist; cap-std still checks
    /// symbolic links when the path is opened).
    fn climbs_out(rel: &Path) -> bool {
        use std::path::Component;
        let mut depth = 0i64;
        for c in rel.components() {
            match c {
                Component::ParentDir => depth -= 1,
                Component::Normal(_) => depth += 1,
                Component::RootDir | Component::Prefix(_) => return true,
                Component::CurDir => {}
            }
            if depth < 0 {
                return true;
            }
        }
        false
    }

    /// The granted directory and the path inside it for `path`.
    fn resolve<'a>(grants: &'a [Grant], path: &Path) -> io::Result<(&'a Dir, PathBuf)> {
        let (dir, rest) = Self::resolve_lexically(grants, path)?;
        if Self::climbs_out(&rest) {
            return Err(denied());
        }
        Ok((dir, rest))
    }

    fn resolve_lexically<'a>(grants: &'a [Grant], path: &Path) -> io::Result<(&'a Dir, PathBuf)> {
        for g in grants {
            for base in [&g.path, &g.canonical] {
                if let Ok(rest) = path.strip_prefix(base) {
                    let rest = if rest.as_os_str().is_empty() {
                        PathBuf::from(".")
                    } else {
                        rest.to_path_buf()
                    };
                    return Ok((&g.dir, rest));
                }
            }
        }
        match grants.first() {
            Some(g) if path.is_relative() => Ok((&g.dir, path.to_path_buf())),
            _ => Err(denied()),
        }
    }

    /// Opens a file.
    pub fn open(&self, path: &[u8], mode: Mode) -> io::Result<std::fs::File> {
        let p = path_of(path);
        let f = match self {
            FsAccess::Ambient => {
                cap_std::fs::File::open_ambient_with(p, &mode.options(), ambient_authority())?
            }
            FsAccess::Granted(g) => {
                let (dir, rest) = Self::resolve(g, p)?;
                dir.open_with(rest, &mode.options())?
            }
        };
        Ok(f.into_std())
    }

    /// Whether `path` can be opened for reading (`readable` in loadlib.c).
    pub fn readable(&self, path: &[u8]) -> bool {
        let m = Mode {
            read: true,
            write: false,
            append: false,
            create: false,
            truncate: false,
        };
        self.open(path, m).is_ok()
    }

    /// Reads a whole file.
    pub fn read(&self, path: &[u8]) -> io::Result<Vec<u8>> {
        use std::io::Read;
        let m = Mode {
            read: true,
            write: false,
            append: false,
            create: false,
            truncate: false,
        };
        let mut f = self.open(path, m)?;
        let mut v = Vec::new();
        f.read_to_end(&mut v)?;
        Ok(v)
    }

    /// C `remove`: a file, or an empty directory.
    pub fn remove(&self, path: &[u8]) -> io::Result<()> {
        let p = path_of(path);
        match self {
            FsAccess::Ambient => match std::fs::remove_file(p) {
                Err(e) if e.raw_os_error() == Some(21) || p.is_dir() => std::fs::remove_dir(p),
                r => r,
            },
            FsAccess::Granted(g) => {
                let (dir, rest) = Self::resolve(g, p)?;
                match dir.remove_file(&rest) {
                    Err(e) if dir.is_dir(&rest) => dir.remove_dir(&rest).map_err(|_| e),
                    r => r,
                }
            }
        }
    }

    /// C `rename`.
    pub fn rename(&self, from: &[u8], to: &[u8]) -> io::Result<()> {
        let (f, t) = (path_of(from), path_of(to));
        match self {
            FsAccess::Ambient => std::fs::rename(f, t),
            FsAccess::Granted(g) => {
                let (d1, r1) = Self::resolve(g, f)?;
                let (d2, r2) = Self::resolve(g, t)?;
                d1.rename(r1, d2, r2)
            }
        }
    }
}

/// `strerror` text of an `errno` value (glibc wording), for the values
/// file operations commonly produce.
pub fn strerror(errno: i32) -> Option<&'static str> {
    Some(match errno {
        1 => "Operation not permitted",
        2 => "No such file or directory",
        5 => "Input/output error",
        9 => "Bad file descriptor",
        13 => "Permission denied",
        16 => "Device or resource busy",
        17 => "File exists",
        18 => "Invalid cross-device link",
        20 => "Not a directory",
        21 => "Is a directory",
        22 => "Invalid argument",
        24 => "Too many open files",
        26 => "Text file busy",
        27 => "File too large",
        28 => "No space left on device",
        29 => "Illegal seek",
        30 => "Read-only file system",
        32 => "Broken pipe",
        36 => "File name too long",
        39 => "Directory not empty",
        40 => "Too many levels of symbolic links",
        _ => return None,
    })
}

/// Message and `errno` for an I/O error, as `luaL_fileresult` reports them.
/// Sandbox refusals (ours and cap-std's escape checks) become `EACCES`
/// with an explicit message.
pub fn describe(e: &io::Error) -> (String, i32) {
    if let Some(n) = e.raw_os_error() {
        let msg = strerror(n).map(str::to_string).unwrap_or_else(|| {
            let s = e.to_string();
            match s.find(" (os error") {
                Some(i) => s[..i].to_string(),
                None => s,
            }
        });
        return (msg, n);
    }
    if e.kind() == io::ErrorKind::PermissionDenied {
        return (
            "not permitted by the sandbox (outside the granted directories)".to_string(),
            EACCES,
        );
    }
    let errno = match e.kind() {
        io::ErrorKind::NotFound => 2,
        io::ErrorKind::AlreadyExists => 17,
        io::ErrorKind::InvalidInput => 22,
        _ => 5,
    };
    (
        strerror(errno).unwrap_or("Input/output error").to_string(),
        errno,
    )
}
