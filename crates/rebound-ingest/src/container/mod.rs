//! Containers of messages: a single `.eml` file, an mbox ([`mbox`]), a Maildir (its `cur/`
//! and `new/` folders; `tmp/` holds deliveries in progress and is skipped), any directory
//! (walked recursively, in name order) and standard input (`-`). [`Messages`] streams them
//! one message at a time.

pub mod mbox;

use mbox::{CrToLf, Splitter, Step};
use std::collections::VecDeque;
use std::ffi::OsString;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One message read from a container.
#[derive(Debug, Clone)]
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

/// The file being split.
struct Open {
    path: Arc<str>,
    splitter: Splitter<Box<dyn BufRead + Send>>,
    count: u64,
}

/// Streams the messages of files, directories and standard input, in order.
pub struct Messages {
    pending: VecDeque<PathBuf>,
    current: Option<Open>,
    /// How many files were opened.
    pub files: u64,
}

impl Messages {
    /// Messages of these paths (`-` is standard input).
    pub fn new<P: AsRef<Path>>(paths: &[P]) -> Messages {
        Messages {
            pending: paths.iter().map(|p| p.as_ref().to_path_buf()).collect(),
            current: None,
            files: 0,
        }
    }

    /// Opens the next file, expanding directories in place; `None` when no path is left.
    fn open_next(&mut self) -> Option<Result<(), ContainerError>> {
        loop {
            let path = self.pending.pop_front()?;
            let shown = path.to_string_lossy().into_owned();
            if shown == "-" {
                return Some(self.start(shown, Box::new(io::stdin())));
            }
            let meta = match std::fs::metadata(&path) {
                Ok(m) => m,
                Err(source) => {
                    return Some(Err(ContainerError::Io {
                        path: shown,
                        source,
                    }));
                }
            };
            if meta.is_dir() {
                match list_dir(&path) {
                    Ok(children) => {
                        for c in children.into_iter().rev() {
                            self.pending.push_front(c);
                        }
                        continue;
                    }
                    Err(source) => {
                        return Some(Err(ContainerError::Io {
                            path: shown,
                            source,
                        }));
                    }
                }
            }
            return Some(match File::open(&path) {
                Ok(f) => self.start(shown, Box::new(f)),
                Err(source) => Err(ContainerError::Io {
                    path: shown,
                    source,
                }),
            });
        }
    }

    fn start(&mut self, path: String, reader: Box<dyn Read + Send>) -> Result<(), ContainerError> {
        self.files += 1;
        let io_err = |source| ContainerError::Io {
            path: path.clone(),
            source,
        };
        let mut buffered = BufReader::with_capacity(64 * 1024, reader);
        let head = buffered.fill_buf().map_err(io_err)?;
        let cr_only =
            memchr::memchr(b'\n', head).is_none() && memchr::memchr(b'\r', head).is_some();
        let reader: Box<dyn BufRead + Send> = if cr_only {
            Box::new(BufReader::new(CrToLf::new(buffered)))
        } else {
            Box::new(buffered)
        };
        let splitter = Splitter::new(reader).map_err(io_err)?;
        self.current = Some(Open {
            path: Arc::from(path),
            splitter,
            count: 0,
        });
        Ok(())
    }
}

impl Iterator for Messages {
    type Item = Result<Message, ContainerError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(open) = self.current.as_mut() {
                match open.splitter.next_message() {
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
fn list_dir(dir: &Path) -> io::Result<Vec<PathBuf>> {
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
