//! Reading and extracting slot tar archives without letting them escape.
//!
//! Every entry is validated before anything is written:
//! - the archive (and each header) must carry the `ustar` magic, as the
//!   flavorpack launchers require;
//! - paths are relative, contain no `..`, and do not pass through a symlink
//!   created earlier by the same archive (a lexically "inside" link can point
//!   physically outside once a parent directory is itself a link);
//! - symlink targets are relative and stay inside when resolved from the
//!   link's directory; hard links must name an earlier regular file;
//! - only regular files, directories, symlinks and hard links are allowed
//!   (no devices, FIFOs, sparse files).

use std::collections::HashSet;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::error::{PackageError, Result};

/// Kind of a tar entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryKind {
    /// Regular file.
    File,
    /// Directory.
    Dir,
    /// Symbolic link.
    Symlink,
    /// Hard link to an earlier file of the archive.
    Hardlink,
}

/// One validated tar entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TarEntry {
    /// Normalised relative path (`./a//b` → `a/b`; the root `.` is `""`).
    pub path: String,
    /// Entry kind.
    pub kind: EntryKind,
    /// Content length (files only).
    pub size: u64,
    /// Permission bits (& 0o7777 as stored).
    pub mode: u32,
    /// Link target for symlinks (as stored) and hard links (normalised).
    pub link: Option<String>,
}

/// A validated entry together with its content (empty for non-files).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TarFile {
    /// The entry.
    pub entry: TarEntry,
    /// File content.
    pub data: Vec<u8>,
}

/// True when `data` starts with a ustar header (magic at byte 257).
pub fn has_ustar_magic(data: &[u8]) -> bool {
    data.get(257..262) == Some(b"ustar")
}

/// Normalise an archive path into components, refusing escapes.
fn normalize(raw: &[u8]) -> Result<Vec<String>> {
    let escape = || PackageError::TarEscape {
        path: String::from_utf8_lossy(raw).into_owned(),
    };
    let s = std::str::from_utf8(raw).map_err(|_| {
        PackageError::Tar(format!("non-UTF-8 path {:?}", String::from_utf8_lossy(raw)))
    })?;
    if s.starts_with('/') || s.contains('\0') {
        return Err(escape());
    }
    // Windows-style absolute paths and drive letters would escape on such hosts.
    if s.starts_with('\\') || s.as_bytes().get(1) == Some(&b':') {
        return Err(escape());
    }
    let mut parts = Vec::new();
    for c in s.split('/') {
        match c {
            "" | "." => {}
            ".." => return Err(escape()),
            c if c.contains('\\') => return Err(escape()),
            c => parts.push(c.to_string()),
        }
    }
    Ok(parts)
}

/// Resolve a symlink target lexically from the link's directory; refuse if it
/// is absolute or climbs above the root.
fn check_symlink_target(link_parts: &[String], target: &[u8]) -> Result<()> {
    let t = std::str::from_utf8(target)
        .map_err(|_| PackageError::Tar("non-UTF-8 symlink target".into()))?;
    let escape = || PackageError::TarEscape {
        path: format!("{} -> {t}", link_parts.join("/")),
    };
    if t.is_empty()
        || t.starts_with('/')
        || t.starts_with('\\')
        || t.as_bytes().get(1) == Some(&b':')
    {
        return Err(escape());
    }
    // Start in the directory containing the link.
    let mut depth: Vec<&str> = link_parts[..link_parts.len().saturating_sub(1)]
        .iter()
        .map(String::as_str)
        .collect();
    for c in t.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                if depth.pop().is_none() {
                    return Err(escape());
                }
            }
            c => depth.push(c),
        }
    }
    Ok(())
}

/// Walk the archive, validating every entry; call `f` with each entry and a
/// reader for its content.
fn walk(data: &[u8], mut f: impl FnMut(TarEntry, &mut dyn Read) -> Result<()>) -> Result<()> {
    if !has_ustar_magic(data) {
        return Err(PackageError::Tar("missing ustar magic at byte 257".into()));
    }
    let tar_err = |e: std::io::Error| PackageError::Tar(e.to_string());
    let mut ar = tar::Archive::new(data);
    let mut symlinks: HashSet<Vec<String>> = HashSet::new();
    let mut files: HashSet<Vec<String>> = HashSet::new();
    for entry in ar.entries().map_err(tar_err)? {
        let mut entry = entry.map_err(tar_err)?;
        let header = entry.header();
        if !has_ustar_magic_header(header.as_bytes()) {
            return Err(PackageError::Tar("entry header without ustar magic".into()));
        }
        let et = header.entry_type();
        let kind = if et.is_file() || et.is_contiguous() {
            EntryKind::File
        } else if et.is_dir() {
            EntryKind::Dir
        } else if et.is_symlink() {
            EntryKind::Symlink
        } else if et.is_hard_link() {
            EntryKind::Hardlink
        } else if et.is_pax_global_extensions() || et.is_pax_local_extensions() {
            continue;
        } else {
            return Err(PackageError::Tar(format!(
                "unsupported entry type {:?}",
                et.as_byte() as char
            )));
        };
        let mode = header.mode().map_err(tar_err)? & 0o7777;
        let size = entry.size();
        let path_bytes = entry.path_bytes().into_owned();
        let parts = normalize(&path_bytes)?;
        // No entry may pass through a symlink the archive created.
        for n in 1..parts.len() {
            if symlinks.contains(&parts[..n]) {
                return Err(PackageError::TarEscape {
                    path: format!(
                        "{} (through symlink {})",
                        String::from_utf8_lossy(&path_bytes),
                        parts[..n].join("/")
                    ),
                });
            }
        }
        if parts.is_empty() && kind != EntryKind::Dir {
            return Err(PackageError::Tar("non-directory entry for the root".into()));
        }
        let link = match kind {
            EntryKind::Symlink => {
                let t = entry
                    .link_name_bytes()
                    .ok_or_else(|| PackageError::Tar("symlink without target".into()))?
                    .into_owned();
                check_symlink_target(&parts, &t)?;
                symlinks.insert(parts.clone());
                files.remove(&parts);
                Some(String::from_utf8_lossy(&t).into_owned())
            }
            EntryKind::Hardlink => {
                let t = entry
                    .link_name_bytes()
                    .ok_or_else(|| PackageError::Tar("hard link without target".into()))?
                    .into_owned();
                let tparts = normalize(&t)?;
                if !files.contains(&tparts) {
                    return Err(PackageError::TarEscape {
                        path: format!(
                            "{} => {} (not an earlier regular file)",
                            parts.join("/"),
                            String::from_utf8_lossy(&t)
                        ),
                    });
                }
                files.insert(parts.clone());
                Some(tparts.join("/"))
            }
            EntryKind::File => {
                symlinks.remove(&parts);
                files.insert(parts.clone());
                None
            }
            EntryKind::Dir => {
                symlinks.remove(&parts);
                files.remove(&parts);
                None
            }
        };
        let te = TarEntry {
            path: parts.join("/"),
            kind,
            size: if kind == EntryKind::File { size } else { 0 },
            mode,
            link,
        };
        f(te, &mut entry)?;
    }
    Ok(())
}

fn has_ustar_magic_header(h: &[u8; 512]) -> bool {
    &h[257..262] == b"ustar"
}

/// Validate and list the entries of a tar archive.
pub fn list_tar(data: &[u8]) -> Result<Vec<TarEntry>> {
    let mut out = Vec::new();
    walk(data, |e, _| {
        out.push(e);
        Ok(())
    })?;
    Ok(out)
}

/// Validate the archive and return every entry with its content.
pub fn read_tar(data: &[u8]) -> Result<Vec<TarFile>> {
    let mut out = Vec::new();
    walk(data, |entry, r| {
        let mut buf = Vec::new();
        if entry.kind == EntryKind::File {
            r.read_to_end(&mut buf)
                .map_err(|e| PackageError::Tar(e.to_string()))?;
        }
        out.push(TarFile { entry, data: buf });
        Ok(())
    })?;
    Ok(out)
}

/// Remove whatever is at `p` without following a symlink there.
fn clear(p: &Path) -> Result<()> {
    match fs::symlink_metadata(p) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => fs::remove_file(p).map_err(|e| PackageError::io(p, e)),
        Err(_) => Ok(()),
    }
}

/// Extract a tar archive into `dir` (created if missing). The whole archive is
/// validated first, so a refused archive writes nothing.
pub fn extract_tar(data: &[u8], dir: &Path) -> Result<Vec<TarEntry>> {
    let files = read_tar(data)?;
    fs::create_dir_all(dir).map_err(|e| PackageError::io(dir, e))?;
    let mut out = Vec::with_capacity(files.len());
    for TarFile { entry, data } in files {
        let dest: PathBuf = dir.join(&entry.path);
        no_symlink_ancestors(dir, &entry.path)?;
        if let Some(parent) = dest.parent() {
            fs::create_dir_all(parent).map_err(|e| PackageError::io(parent, e))?;
        }
        match entry.kind {
            EntryKind::Dir => {
                clear(&dest)?;
                fs::create_dir_all(&dest).map_err(|e| PackageError::io(&dest, e))?;
                set_mode(&dest, (entry.mode & 0o777) | 0o700)?;
            }
            EntryKind::File => {
                clear(&dest)?;
                fs::write(&dest, &data).map_err(|e| PackageError::io(&dest, e))?;
                set_mode(&dest, entry.mode & 0o777)?;
            }
            EntryKind::Symlink => {
                clear(&dest)?;
                make_symlink(entry.link.as_deref().unwrap_or_default(), &dest)?;
            }
            EntryKind::Hardlink => {
                clear(&dest)?;
                let src = dir.join(entry.link.as_deref().unwrap_or_default());
                fs::hard_link(&src, &dest).map_err(|e| PackageError::io(&dest, e))?;
            }
        }
        out.push(entry);
    }
    Ok(out)
}

/// Validate a slot `target` (or any relative path) and return it normalised.
pub(crate) fn safe_relative_path(path: &str) -> Result<String> {
    let parts = normalize(path.as_bytes())?;
    if parts.is_empty() {
        return Err(PackageError::TarEscape {
            path: format!("{path:?} (empty target)"),
        });
    }
    Ok(parts.join("/"))
}

/// Write one extracted file, replacing (never following) whatever is there.
pub(crate) fn write_file(dest: &Path, data: &[u8], mode: u32) -> Result<()> {
    clear(dest)?;
    fs::write(dest, data).map_err(|e| PackageError::io(dest, e))?;
    set_mode(dest, mode & 0o777)
}

/// Refuse to write below a symlink that already exists in the target
/// directory (the archive's own links are refused earlier, in `walk`).
pub(crate) fn no_symlink_ancestors(dir: &Path, rel: &str) -> Result<()> {
    let mut cur = dir.to_path_buf();
    let parts: Vec<&str> = rel.split('/').filter(|c| !c.is_empty()).collect();
    for c in parts.iter().take(parts.len().saturating_sub(1)) {
        cur.push(c);
        if fs::symlink_metadata(&cur).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(PackageError::TarEscape {
                path: format!("{rel} (through existing symlink {})", cur.display()),
            });
        }
    }
    Ok(())
}

#[cfg(unix)]
fn set_mode(p: &Path, mode: u32) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(p, fs::Permissions::from_mode(mode)).map_err(|e| PackageError::io(p, e))
}

#[cfg(not(unix))]
fn set_mode(_p: &Path, _mode: u32) -> Result<()> {
    Ok(())
}

#[cfg(unix)]
fn make_symlink(target: &str, dest: &Path) -> Result<()> {
    std::os::unix::fs::symlink(target, dest).map_err(|e| PackageError::io(dest, e))
}

#[cfg(not(unix))]
fn make_symlink(_target: &str, dest: &Path) -> Result<()> {
    Err(PackageError::Tar(format!(
        "symlinks are not supported on this platform: {}",
        dest.display()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_paths() {
        assert_eq!(normalize(b"./a//b/").unwrap(), vec!["a", "b"]);
        assert!(normalize(b".").unwrap().is_empty());
        assert_eq!(normalize(b"../x").unwrap_err().code(), "SJ-PKG-TAR-ESCAPE");
        assert_eq!(normalize(b"/abs").unwrap_err().code(), "SJ-PKG-TAR-ESCAPE");
        assert_eq!(
            normalize(b"a/../../b").unwrap_err().code(),
            "SJ-PKG-TAR-ESCAPE"
        );
    }

    #[test]
    fn symlink_targets() {
        let p = |s: &str| s.split('/').map(String::from).collect::<Vec<_>>();
        assert!(check_symlink_target(&p("a/l"), b"../b").is_ok());
        assert!(check_symlink_target(&p("a/l"), b"../../b").is_err());
        assert!(check_symlink_target(&p("l"), b"/etc/passwd").is_err());
        assert!(check_symlink_target(&p("l"), b"..").is_err());
    }
}
