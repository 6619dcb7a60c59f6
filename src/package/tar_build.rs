//! Deterministic ustar archives for the writer.
//!
//! Same input → same bytes: entries sorted by path bytes, mtime 0, uid/gid 0,
//! empty user/group names, modes normalised (0o755 for directories and
//! executables, 0o644 otherwise). This mirrors what flavorpack's Python
//! builder does for directory sources.

use std::fs;
use std::path::Path;

use super::error::{PackageError, Result};

/// One entry to put into an archive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TarInput {
    /// A regular file with its content and permission bits.
    File {
        /// Relative path (`/`-separated).
        path: String,
        /// Content.
        data: Vec<u8>,
        /// Permission bits.
        mode: u32,
    },
    /// A directory.
    Dir {
        /// Relative path.
        path: String,
    },
    /// A relative symlink that stays inside the archive.
    Symlink {
        /// Relative path of the link.
        path: String,
        /// Link target.
        target: String,
    },
}

impl TarInput {
    fn path(&self) -> &str {
        match self {
            TarInput::File { path, .. }
            | TarInput::Dir { path }
            | TarInput::Symlink { path, .. } => path,
        }
    }
}

fn werr(e: std::io::Error) -> PackageError {
    PackageError::WriterInput(format!("building tar: {e}"))
}

/// Build a ustar archive from entries (sorted by path for determinism). The
/// result is validated with the same rules the reader applies.
pub fn build_tar(entries: &[TarInput]) -> Result<Vec<u8>> {
    let mut sorted: Vec<&TarInput> = entries.iter().collect();
    sorted.sort_by(|a, b| a.path().as_bytes().cmp(b.path().as_bytes()));
    let mut b = tar::Builder::new(Vec::new());
    for e in sorted {
        let mut h = tar::Header::new_ustar();
        h.set_mtime(0);
        h.set_uid(0);
        h.set_gid(0);
        // new_ustar leaves user/group names empty; keep them so.
        match e {
            TarInput::File { path, data, mode } => {
                h.set_entry_type(tar::EntryType::Regular);
                h.set_mode(if mode & 0o111 != 0 { 0o755 } else { 0o644 });
                h.set_size(data.len() as u64);
                b.append_data(&mut h, path, data.as_slice()).map_err(werr)?;
            }
            TarInput::Dir { path } => {
                h.set_entry_type(tar::EntryType::Directory);
                h.set_mode(0o755);
                h.set_size(0);
                let p = format!("{}/", path.trim_end_matches('/'));
                b.append_data(&mut h, p, std::io::empty()).map_err(werr)?;
            }
            TarInput::Symlink { path, target } => {
                h.set_entry_type(tar::EntryType::Symlink);
                h.set_mode(0o777);
                h.set_size(0);
                b.append_link(&mut h, path, target).map_err(werr)?;
            }
        }
    }
    let out = b.into_inner().map_err(werr)?;
    // Refuse to write what we would refuse to read.
    super::tar_safety::list_tar(&out).map_err(|e| {
        PackageError::WriterInput(format!("archive would be refused by readers: {e}"))
    })?;
    Ok(out)
}

/// Collect a directory tree (recursively, not following symlinks) into
/// [`TarInput`]s with paths relative to `root`.
pub fn collect_dir(root: &Path) -> Result<Vec<TarInput>> {
    let mut out = Vec::new();
    walk_dir(root, "", &mut out)?;
    Ok(out)
}

fn walk_dir(dir: &Path, prefix: &str, out: &mut Vec<TarInput>) -> Result<()> {
    let mut names: Vec<_> = fs::read_dir(dir)
        .map_err(|e| PackageError::io(dir, e))?
        .map(|e| e.map(|e| e.file_name()))
        .collect::<std::io::Result<_>>()
        .map_err(|e| PackageError::io(dir, e))?;
    names.sort();
    for name in names {
        let name_str = name.to_str().ok_or_else(|| {
            PackageError::WriterInput(format!("non-UTF-8 file name in {}", dir.display()))
        })?;
        let rel = if prefix.is_empty() {
            name_str.to_string()
        } else {
            format!("{prefix}/{name_str}")
        };
        let p = dir.join(&name);
        let md = fs::symlink_metadata(&p).map_err(|e| PackageError::io(&p, e))?;
        let ft = md.file_type();
        if ft.is_symlink() {
            let t = fs::read_link(&p).map_err(|e| PackageError::io(&p, e))?;
            let target = t.to_str().ok_or_else(|| {
                PackageError::WriterInput(format!("non-UTF-8 symlink target in {}", p.display()))
            })?;
            out.push(TarInput::Symlink {
                path: rel,
                target: target.to_string(),
            });
        } else if ft.is_dir() {
            out.push(TarInput::Dir { path: rel.clone() });
            walk_dir(&p, &rel, out)?;
        } else if ft.is_file() {
            let data = fs::read(&p).map_err(|e| PackageError::io(&p, e))?;
            out.push(TarInput::File {
                path: rel,
                data,
                mode: file_mode(&md),
            });
        } else {
            return Err(PackageError::WriterInput(format!(
                "{} is not a regular file, directory or symlink",
                p.display()
            )));
        }
    }
    Ok(())
}

#[cfg(unix)]
fn file_mode(md: &fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    md.permissions().mode()
}

#[cfg(not(unix))]
fn file_mode(_md: &fs::Metadata) -> u32 {
    0o644
}

/// Build a deterministic archive of a directory tree.
pub fn tar_directory(root: &Path) -> Result<Vec<u8>> {
    build_tar(&collect_dir(root)?)
}
