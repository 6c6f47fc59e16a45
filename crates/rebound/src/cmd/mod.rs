//! One module per subcommand; each has an `Args` struct (clap) and a `run` function.

pub mod classify;
pub mod codes;
pub mod diagnose;
pub mod explain;
pub mod hints;
pub mod ingest;
pub mod init;
pub mod mx;
pub mod parse;
pub mod report;
pub mod rules;
pub mod sends;
pub mod serve;
pub mod suppressions;
pub mod tokens;
pub mod watch;
