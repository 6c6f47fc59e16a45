//! Containers of messages: a single `.eml` file, an mbox ([`mbox`]), a Maildir (its `cur/`
//! and `new/` folders; `tmp/` holds deliveries in progress and is skipped), any directory
//! (walked recursively, in name order, each directory once per path given: a symlink loop or
//! a second link to a directory already read in that walk is skipped with a warning) and
//! standard input (`-`). [`Messages`] streams them
//! one message at a time: a file of at most 1 MiB (`READ_WHOLE`) is read with one read (a
//! single message then needs no copy), anything larger is split as it is read.

pub mod mbox;

use mbox::{CrToLf, Splitter, Step};
use std::collections::{HashSet, VecDeque};
use std::ffi::OsString;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One message read from a container.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Message {
    /// The file it was read from, as given or found (`-` for standard input).
    pub path: Arc<str>,
    /// 1-based number of the message within that file.
    pub number: u64,
    /// The raw bytes.
    pub bytes: Vec<u8>,
}

/// Why a file or one of its messages could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ContainerError {
    /// Opening or reading failed.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The I/O error.
        source: io::Error,
    },
    /// A message was larger than [`mbox::MAX_MESSAGE`].
    #[error(
        "{path}: message {number} is {size} bytes, over the {} byte limit; skipped",
        mbox::MAX_MESSAGE
    )]
    TooLarge {
        /// The path.
        path: String,
        /// 1-based message number.
        number: u64,
        /// Its size.
        size: usize,
    },
}

impl ContainerError {
    /// The path the error is about.
    pub fn path(&self) -> &str {
        match self {
            ContainerError::Io { path, .. } | ContainerError::TooLarge { path, .. } => path,
        }
    }
}

/// Files up to this size are read whole with one read into a buffer of their size: a
/// single-message file then is the message, without the copy out of a read buffer. Larger
/// files and standard input (an mbox, maybe huge) are streamed.
const READ_WHOLE: u64 = 1 << 20;
const _: () = assert!(READ_WHOLE as usize <= mbox::MAX_MESSAGE);

/// How many first bytes of a stream tell whether it is CR-only.
const SNIFF: usize = 64 * 1024;

/// The file being read.
struct Open {
    path: Arc<str>,
    source: Source,
    count: u64,
}

/// Where the messages of the open file come from.
enum Source {
    /// A single-message file read whole: its bytes, until taken.
    Whole(Option<Vec<u8>>),
    /// Anything else, split as it is read.
    Split(Splitter<Box<dyn BufRead + Send>>),
}

impl Source {
    fn next_message(&mut self) -> io::Result<Option<Step>> {
        match self {
            Source::Whole(bytes) => Ok(bytes.take().filter(|b| !b.is_empty()).map(Step::Message)),
            Source::Split(splitter) => splitter.next_message(),
        }
    }
}

/// Streams the messages of files, directories and standard input, in order.
pub struct Messages {
    /// Paths to read, each with whether it was given by the caller (a walk's root).
    pending: VecDeque<(PathBuf, bool)>,
    current: Option<Open>,
    /// How many files were opened.
    pub files: u64,
    /// How many directories were skipped because they had been read already (symlink loops).
    pub loops: u64,
    /// The directories read in the current walk, by device and inode.
    visited: HashSet<(u64, u64)>,
    /// Where warnings go (see [`Messages::on_warning`]).
    warn: Option<Box<dyn FnMut(String) + Send>>,
}

impl Messages {
    /// Messages of these paths (`-` is standard input).
    pub fn new<P: AsRef<Path>>(paths: &[P]) -> Messages {
        Messages {
            pending: paths
                .iter()
                .map(|p| (p.as_ref().to_path_buf(), true))
                .collect(),
            current: None,
            files: 0,
            loops: 0,
            visited: HashSet::new(),
            warn: None,
        }
    }

    /// Hands each warning (a directory skipped as already read: a symlink loop) to `warn`,
    /// worded for a person; without it they are only counted ([`Messages::loops`]).
    pub fn on_warning(mut self, warn: impl FnMut(String) + Send + 'static) -> Messages {
        self.warn = Some(Box::new(warn));
        self
    }

    /// Opens the next file, expanding directories in place; `None` when no path is left.
    fn open_next(&mut self) -> Option<Result<(), ContainerError>> {
        loop {
            let (path, root) = self.pending.pop_front()?;
            if root {
                // Each path given is walked whole, even one given twice: the set of
                // directories read belongs to one walk.
                self.visited.clear();
            }
            let shown = path.to_string_lossy();
            if shown == "-" {
                return Some(self.start(&shown, Box::new(io::stdin())));
            }
            let meta = match std::fs::metadata(&path) {
                Ok(m) => m,
                Err(source) => {
                    return Some(Err(io_error(&shown, source)));
                }
            };
            if meta.is_dir() {
                if !self.visited.insert(dir_id(&meta)) {
                    self.loops += 1;
                    if let Some(warn) = self.warn.as_mut() {
                        warn(format!(
                            "{shown}: directory already read (a symlink loop, or a second link \
                             to it); skipped"
                        ));
                    }
                    continue;
                }
                match list_dir(&path) {
                    Ok(children) => {
                        for c in children.into_iter().rev() {
                            self.pending.push_front((c, false));
                        }
                        continue;
                    }
                    Err(source) => {
                        return Some(Err(io_error(&shown, source)));
                    }
                }
            }
            return Some(match File::open(&path) {
                Ok(f) if meta.is_file() && meta.len() <= READ_WHOLE => {
                    self.start_whole(&shown, f, meta.len())
                }
                Ok(f) => self.start(&shown, Box::new(f)),
                Err(source) => Err(io_error(&shown, source)),
            });
        }
    }

    /// Starts streaming a file or standard input.
    fn start(&mut self, path: &str, reader: Box<dyn Read + Send>) -> Result<(), ContainerError> {
        self.files += 1;
        self.stream(path, reader)
    }

    /// Splits `reader` as it is read (its file already counted).
    fn stream(&mut self, path: &str, reader: Box<dyn Read + Send>) -> Result<(), ContainerError> {
        let mut buffered = BufReader::with_capacity(SNIFF, reader);
        let head = buffered.fill_buf().map_err(|e| io_error(path, e))?;
        let reader = lines_of(is_cr_only(head), buffered);
        let splitter = Splitter::new(reader).map_err(|e| io_error(path, e))?;
        self.open(path, Source::Split(splitter));
        Ok(())
    }

    /// Starts a regular file of at most [`READ_WHOLE`] bytes (`size` when it was looked at).
    fn start_whole(&mut self, path: &str, file: File, size: u64) -> Result<(), ContainerError> {
        self.files += 1;
        let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        (&file)
            .take(READ_WHOLE + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| io_error(path, e))?;
        if bytes.len() as u64 > READ_WHOLE {
            // It grew since: stream it, from what was read.
            return self.stream(path, Box::new(io::Cursor::new(bytes).chain(file)));
        }
        let cr_only = is_cr_only(&bytes[..bytes.len().min(SNIFF)]);
        let source = if cr_only || bytes.starts_with(mbox::SEPARATOR) {
            let splitter = Splitter::new(lines_of(cr_only, io::Cursor::new(bytes)))
                .map_err(|e| io_error(path, e))?;
            Source::Split(splitter)
        } else {
            Source::Whole(Some(bytes))
        };
        self.open(path, source);
        Ok(())
    }

    fn open(&mut self, path: &str, source: Source) {
        self.current = Some(Open {
            path: Arc::from(path),
            source,
            count: 0,
        });
    }
}

/// A directory's identity: device and inode (on Unix; elsewhere a symlink loop ends at the
/// operating system's path length limit).
#[cfg(unix)]
pub(crate) fn dir_id(meta: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

#[cfg(not(unix))]
fn dir_id(_meta: &std::fs::Metadata) -> (u64, u64) {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    (0, NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
}

fn io_error(path: &str, source: io::Error) -> ContainerError {
    ContainerError::Io {
        path: path.to_string(),
        source,
    }
}

/// Whether a stream that starts with `head` ends its lines with a lone CR (old Mac mailboxes).
fn is_cr_only(head: &[u8]) -> bool {
    memchr::memchr(b'\n', head).is_none() && memchr::memchr(b'\r', head).is_some()
}

/// The reader to split into lines: through [`CrToLf`] when the lines end with a lone CR.
fn lines_of(cr_only: bool, reader: impl BufRead + Send + 'static) -> Box<dyn BufRead + Send> {
    if cr_only {
        Box::new(BufReader::new(CrToLf::new(reader)))
    } else {
        Box::new(reader)
    }
}

impl Iterator for Messages {
    type Item = Result<Message, ContainerError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(open) = self.current.as_mut() {
                match open.source.next_message() {
                    Ok(Some(step)) => {
                        open.count += 1;
                        let path = open.path.clone();
                        return Some(match step {
                            Step::Message(bytes) => Ok(Message {
                                path,
                                number: open.count,
                                bytes,
                            }),
                            Step::TooLarge(size) => Err(ContainerError::TooLarge {
                                path: path.to_string(),
                                number: open.count,
                                size,
                            }),
                        });
                    }
                    Ok(None) => self.current = None,
                    Err(source) => {
                        let path = open.path.to_string();
                        self.current = None;
                        return Some(Err(ContainerError::Io { path, source }));
                    }
                }
            }
            match self.open_next()? {
                Ok(()) => {}
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

/// The entries of a directory in name order, without hidden files and without the `tmp/`
/// folder of a Maildir (a directory that has `cur/` and `new/` beside it).
pub(crate) fn list_dir(dir: &Path) -> io::Result<Vec<PathBuf>> {
    // Sorted by name alone (all share the parent, so it is the paths' order) and joined
    // afterwards: comparing whole paths component by component is far slower.
    let mut names: Vec<OsString> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .filter(|n| !n.as_encoded_bytes().starts_with(b"."))
        .collect();
    let is_maildir = dir.join("cur").is_dir() && dir.join("new").is_dir();
    if is_maildir {
        names.retain(|n| n != "tmp");
    }
    names.sort_unstable();
    Ok(names.into_iter().map(|n| dir.join(n)).collect())
}
