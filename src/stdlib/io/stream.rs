//! Buffered file streams standing in for C's `FILE*`: a read buffer with
//! one byte of look-ahead (what `io.read("n")` needs), a write buffer, and
//! the C rule that switching between reading and writing repositions the
//! file first.

use std::io::{self, Read, Seek, SeekFrom, Write};

/// What a stream is connected to.
pub enum Target {
    /// The process's standard input.
    Stdin,
    /// The isolate's output (`Vm::out`, shared with `print`).
    Stdout,
    /// The process's standard error (unbuffered).
    Stderr,
    /// A file opened through the isolate's [`super::fs::FsAccess`].
    Disk(std::fs::File),
}

/// An open (or closed) stream.
pub struct Stream {
    /// Where bytes come from / go to; `None` once closed.
    pub target: Option<Target>,
    /// Read-ahead bytes not yet consumed.
    rbuf: Vec<u8>,
    rpos: usize,
    /// Written bytes not yet passed to the target (disk files only).
    wbuf: Vec<u8>,
    /// `setvbuf("no")`: write through immediately.
    pub unbuffered: bool,
    /// Line buffered: flush at each newline.
    pub line_buffered: bool,
    /// Opened for reading / writing (disk files).
    pub can_read: bool,
    /// See `can_read`.
    pub can_write: bool,
}

const BUFSIZE: usize = 16 * 1024;

/// `Bad file descriptor`: reading a write-only stream and vice versa.
fn ebadf() -> io::Error {
    io::Error::from_raw_os_error(9)
}

impl Stream {
    /// A stream over `t`.
    pub fn new(t: Target, can_read: bool, can_write: bool) -> Stream {
        Stream {
            target: Some(t),
            rbuf: Vec::new(),
            rpos: 0,
            wbuf: Vec::new(),
            unbuffered: false,
            line_buffered: false,
            can_read,
            can_write,
        }
    }

    /// Whether the stream was closed.
    pub fn is_closed(&self) -> bool {
        self.target.is_none()
    }

    /// Whether this is one of the three standard streams.
    pub fn is_std(&self) -> bool {
        matches!(
            self.target,
            Some(Target::Stdin | Target::Stdout | Target::Stderr)
        )
    }

    fn prepare_read(&mut self) -> io::Result<()> {
        if !self.can_read {
            return Err(ebadf());
        }
        if !self.wbuf.is_empty() {
            self.flush_wbuf()?;
        }
        Ok(())
    }

    /// Refills the read buffer; false at end of file.
    fn fill(&mut self) -> io::Result<bool> {
        self.prepare_read()?;
        if self.rpos < self.rbuf.len() {
            return Ok(true);
        }
        self.rbuf.resize(BUFSIZE, 0);
        self.rpos = 0;
        let n = loop {
            let r = match &mut self.target {
                Some(Target::Stdin) => io::stdin().lock().read(&mut self.rbuf),
                Some(Target::Disk(f)) => f.read(&mut self.rbuf),
                _ => Err(ebadf()),
            };
            match r {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.rbuf.clear();
                    return Err(e);
                }
                Ok(n) => break n,
            }
        };
        self.rbuf.truncate(n);
        Ok(n > 0)
    }

    /// The next byte without consuming it.
    pub fn peek(&mut self) -> io::Result<Option<u8>> {
        if self.rpos < self.rbuf.len() {
            return Ok(Some(self.rbuf[self.rpos]));
        }
        Ok(if self.fill()? {
            Some(self.rbuf[self.rpos])
        } else {
            None
        })
    }

    /// Consumes one byte.
    pub fn getc(&mut self) -> io::Result<Option<u8>> {
        let c = self.peek()?;
        if c.is_some() {
            self.rpos += 1;
        }
        Ok(c)
    }

    /// Reads a line; `None` at end of file with nothing read. The newline
    /// is kept when `keep_nl`.
    pub fn read_line(&mut self, keep_nl: bool) -> io::Result<Option<Vec<u8>>> {
        let mut out = Vec::new();
        loop {
            if !self.fill()? {
                return Ok(if out.is_empty() { None } else { Some(out) });
            }
            let avail = &self.rbuf[self.rpos..];
            if let Some(i) = avail.iter().position(|&c| c == b'\n') {
                out.extend_from_slice(&avail[..i]);
                if keep_nl {
                    out.push(b'\n');
                }
                self.rpos += i + 1;
                return Ok(Some(out));
            }
            out.extend_from_slice(avail);
            self.rpos = self.rbuf.len();
        }
    }

    /// Reads up to `n` bytes (fewer at end of file).
    pub fn read_n(&mut self, n: u64) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        while (out.len() as u64) < n {
            if !self.fill()? {
                break;
            }
            let avail = &self.rbuf[self.rpos..];
            let take = avail.len().min((n - out.len() as u64) as usize);
            out.extend_from_slice(&avail[..take]);
            self.rpos += take;
        }
        Ok(out)
    }

    /// Reads everything up to end of file.
    pub fn read_all(&mut self) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        while self.fill()? {
            out.extend_from_slice(&self.rbuf[self.rpos..]);
            self.rpos = self.rbuf.len();
        }
        Ok(out)
    }

    /// Drops read-ahead, moving the file position back to what the
    /// program has consumed (C requires a seek between reads and writes).
    fn drop_read_ahead(&mut self) -> io::Result<()> {
        let unread = (self.rbuf.len() - self.rpos) as i64;
        self.rbuf.clear();
        self.rpos = 0;
        if let (true, Some(Target::Disk(f))) = (unread > 0, &mut self.target) {
            f.seek(SeekFrom::Current(-unread))?;
        }
        Ok(())
    }

    fn flush_wbuf(&mut self) -> io::Result<()> {
        if let Some(Target::Disk(f)) = &mut self.target {
            f.write_all(&self.wbuf)?;
        }
        self.wbuf.clear();
        Ok(())
    }

    /// Writes bytes; `out` is the isolate's output for the stdout stream.
    pub fn write(&mut self, out: &mut dyn Write, data: &[u8]) -> io::Result<()> {
        if !self.can_write {
            return Err(ebadf());
        }
        if self.rpos < self.rbuf.len() || !self.rbuf.is_empty() {
            self.drop_read_ahead()?;
        }
        match &mut self.target {
            Some(Target::Stdout) => {
                out.write_all(data)?;
                if self.unbuffered || (self.line_buffered && data.contains(&b'\n')) {
                    out.flush()?;
                }
                Ok(())
            }
            Some(Target::Stderr) => io::stderr().write_all(data),
            Some(Target::Disk(_)) => {
                self.wbuf.extend_from_slice(data);
                if self.unbuffered
                    || self.wbuf.len() >= BUFSIZE
                    || (self.line_buffered && data.contains(&b'\n'))
                {
                    self.flush_wbuf()?;
                }
                Ok(())
            }
            _ => Err(ebadf()),
        }
    }

    /// Flushes pending output.
    pub fn flush(&mut self, out: &mut dyn Write) -> io::Result<()> {
        match &mut self.target {
            Some(Target::Stdout) => out.flush(),
            Some(Target::Disk(_)) => {
                self.flush_wbuf()?;
                if let Some(Target::Disk(f)) = &mut self.target {
                    f.flush()?;
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// `fseek` + `ftell`.
    pub fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.flush_wbuf()?;
        // Relative seeks count from what the program has consumed.
        let unread = (self.rbuf.len() - self.rpos) as i64;
        self.rbuf.clear();
        self.rpos = 0;
        match &mut self.target {
            Some(Target::Disk(f)) => {
                let pos = match pos {
                    SeekFrom::Current(d) => match d.checked_sub(unread) {
                        Some(d) => SeekFrom::Current(d),
                        None => return Err(io::Error::from_raw_os_error(22)),
                    },
                    p => p,
                };
                f.seek(pos)
            }
            _ => Err(io::Error::from_raw_os_error(29)), // Illegal seek
        }
    }

    /// Flushes and closes.
    pub fn close(&mut self) -> io::Result<()> {
        let r = self.flush_wbuf();
        self.target = None;
        self.rbuf.clear();
        self.rpos = 0;
        r
    }
}

impl Drop for Stream {
    fn drop(&mut self) {
        // Like C's exit-time flush of open FILEs.
        let _ = self.flush_wbuf();
    }
}
