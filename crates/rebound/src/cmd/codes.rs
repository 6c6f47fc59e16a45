//! `rebound codes`: the code reference as a list (text or JSON, optionally one category), and
//! `rebound codes site OUTDIR`, which writes the static web reference.

use anyhow::Context;
use clap::{Args, Subcommand};
use rebound_codes::Reference;
use rebound_codes::render::{site, text};
use rebound_core::Category;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// List every code of the reference, or render it as a static web site.
#[derive(Args)]
#[command(
    args_conflicts_with_subcommands = true,
    after_help = "Examples:
  rebound codes
  rebound codes --category authentication
  rebound codes --json > codes.json
  rebound codes site ./site && xdg-open ./site/index.html

The list has one line per entry: code, bounce type, category, title. --json prints every
entry with all its fields (the same data `rebound explain --json` shows)."
)]
pub struct CodesArgs {
    #[command(subcommand)]
    action: Option<CodesAction>,

    /// Print all entries, with every field, as a JSON array.
    #[arg(long)]
    json: bool,

    /// Only entries of this category (address, mailbox, domain, routing, policy, reputation,
    /// authentication, content, capacity, network, protocol, system, none).
    #[arg(long, value_name = "CATEGORY", value_parser = parse_category)]
    category: Option<Category>,
}

#[derive(Subcommand)]
enum CodesAction {
    /// Render the web reference (index and one page per code) into OUTDIR.
    Site {
        /// The directory to write; created if missing, existing pages are overwritten.
        outdir: PathBuf,
    },
}

pub fn run(args: CodesArgs, _rule_files: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let reference = Reference::builtin()?;
    if let Some(CodesAction::Site { outdir }) = args.action {
        return write_site(reference, &outdir);
    }
    let category = args.category;
    let entries: Vec<_> = reference
        .entries()
        .iter()
        .filter(|e| category.is_none_or(|c| e.category == c))
        .collect();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if args.json {
        serde_json::to_writer_pretty(&mut out, &entries)?;
        writeln!(out)?;
    } else {
        writeln!(
            out,
            "{:<22} {:<12} {:<14} TITLE",
            "CODE", "TYPE", "CATEGORY"
        )?;
        for e in &entries {
            writeln!(out, "{}", text::list_line(e))?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn write_site(reference: &Reference, outdir: &std::path::Path) -> anyhow::Result<ExitCode> {
    std::fs::create_dir_all(outdir).with_context(|| format!("creating {}", outdir.display()))?;
    let files = site::render(reference);
    for f in &files {
        let path = outdir.join(&f.path);
        std::fs::write(&path, &f.contents)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    eprintln!(
        "rebound: wrote {} pages to {} (open {})",
        files.len(),
        outdir.display(),
        outdir.join("index.html").display()
    );
    Ok(ExitCode::SUCCESS)
}

/// `--category`: one of the category names; a usage error (exit 2) otherwise.
fn parse_category(s: &str) -> Result<Category, String> {
    s.parse()
        .map_err(|e: rebound_core::UnknownName| e.to_string())
}
