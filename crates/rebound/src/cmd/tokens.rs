//! `rebound tokens`: the API tokens of `rebound serve`: create (printed once, stored as its
//! SHA-256), list, revoke.

use super::ingest::StoreArgs;
use crate::term::escape;
use clap::{Args, Subcommand};
use rebound_store::{Access, time};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// API tokens for `rebound serve` (`Authorization: Bearer TOKEN`).
#[derive(Args)]
#[command(after_help = "Examples:
  rebound tokens create crm                 # the token is the last line of standard output
  TOKEN=$(rebound tokens create crm | tail -1)
  rebound tokens list
  rebound tokens revoke crm

A token is shown once, when it is made; the store keeps only its SHA-256, so a lost token is
revoked and made again. Revoking takes effect at the next request.")]
pub struct TokensArgs {
    #[command(subcommand)]
    action: Action,

    #[command(flatten)]
    store: StoreArgs,
}

#[derive(Subcommand)]
enum Action {
    /// Make a token named NAME and print it (alone, on the last line of standard output).
    Create {
        /// A name saying who uses it (`crm`, `mta-pipe`); unique.
        name: String,
    },
    /// List the tokens' names and creation times (never the tokens).
    List {
        /// One JSON object per line: name, created_at.
        #[arg(long)]
        json: bool,
    },
    /// Revoke (delete) the token named NAME.
    Revoke {
        /// The token's name.
        name: String,
    },
}

pub fn run(args: TokensArgs, _rule_files: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let access = match args.action {
        Action::Create { .. } => Access::Create,
        Action::Revoke { .. } => Access::Write,
        Action::List { .. } => Access::Read,
    };
    let mut store = args.store.open(access)?;
    let mut out = std::io::stdout().lock();
    match args.action {
        Action::Create { name } => {
            let name = name.trim().to_string();
            if name.is_empty() || name.chars().any(char::is_control) {
                anyhow::bail!("a token name must be non-empty printable text");
            }
            let token = rebound_server::tokens::generate()
                .map_err(|e| anyhow::anyhow!("no random bytes from the system: {e}"))?;
            if !store.add_token(&name, &rebound_server::tokens::hash(&token))? {
                eprintln!(
                    "rebound: a token named `{}` exists; revoke it first (rebound tokens revoke {})",
                    escape(&name),
                    escape(&name)
                );
                return Ok(ExitCode::from(1));
            }
            eprintln!(
                "rebound: token `{}` created in {}; it is shown once, keep it:",
                escape(&name),
                store.location()
            );
            writeln!(out, "{token}")?;
        }
        Action::List { json } => {
            for t in store.tokens()? {
                if json {
                    serde_json::to_writer(&mut out, &t)?;
                    writeln!(out)?;
                } else {
                    writeln!(
                        out,
                        "{}\t{}",
                        escape(&t.name),
                        time::format_rfc3339(t.created_at)
                    )?;
                }
            }
        }
        Action::Revoke { name } => {
            if !store.remove_token(&name)? {
                eprintln!("rebound: no token named `{}`", escape(&name));
                return Ok(ExitCode::from(1));
            }
            eprintln!("rebound: token `{}` revoked", escape(&name));
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
