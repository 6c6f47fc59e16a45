//! `rebound`: the command-line face of the Rebound library. Each subcommand is a small module
//! in [`cmd`]; this file only parses the command line and maps errors to exit codes
//! (0 ok, 1 error, 2 usage; `rebound ingest --mta` answers an MTA with sysexits.h codes).

mod cmd;
mod input;
mod route;
mod term;
mod watch;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Rebound: read bounces, classify them, and say what to do.
#[derive(Parser)]
#[command(
    name = "rebound",
    version,
    about = "Read email bounces, classify them (hard, soft, block), explain every code",
    long_about = "Rebound reads SMTP replies, bounce emails, MTA logs and webhook payloads, turns \
each into one normalized event and classifies it: hard or soft, reason, category, severity and \
what to do. Rules are data: add your own with --rules.",
    after_help = "Examples:\n  rebound classify \"551 User not local; please try <jdoe@relay.example.net>\"\n  \
tail -f replies.txt | rebound classify --json\n  rebound rules check my-rules.toml\n\n\
Exit codes: 0 ok, 1 error (some input could not be read), 2 usage."
)]
struct Cli {
    /// A rule file to load in front of the built-in rules (repeatable).
    #[arg(long = "rules", value_name = "FILE", global = true)]
    rules: Vec<std::path::PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Classify(cmd::classify::ClassifyArgs),
    Rules(cmd::rules::RulesArgs),
    Parse(cmd::parse::ParseArgs),
    Mx(cmd::mx::MxArgs),
    Diagnose(cmd::diagnose::DiagnoseArgs),
    Init(cmd::init::InitArgs),
    Ingest(cmd::ingest::IngestArgs),
    Watch(cmd::watch::WatchArgs),
    Suppressions(cmd::suppressions::SuppressionsArgs),
    Hints(cmd::hints::HintsArgs),
    Report(cmd::report::ReportArgs),
    Sends(cmd::sends::SendsArgs),
    Explain(cmd::explain::ExplainArgs),
    Codes(cmd::codes::CodesArgs),
    Serve(cmd::serve::ServeArgs),
    Tokens(cmd::tokens::TokensArgs),
}

fn main() -> ExitCode {
    let mta = std::env::args_os().any(|a| a == "--mta");
    if mta {
        // An MTA bounces a message whose command died (101); a defer keeps it.
        std::panic::set_hook(Box::new(|info| {
            cmd::ingest::mta_line(&format!("internal error: {info}"));
            std::process::exit(i32::from(cmd::ingest::EX_TEMPFAIL));
        }));
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // A mistake in the MTA's command line defers every message (the MTA logs the
        // reason) rather than bouncing or losing them.
        Err(e) if mta && e.use_stderr() => {
            let text = e.to_string();
            let first = text.lines().next().unwrap_or("bad command line");
            return cmd::ingest::mta_tempfail(first.trim_start_matches("error: "));
        }
        Err(e) => e.exit(),
    };
    let result = match cli.command {
        Command::Classify(args) => cmd::classify::run(args, &cli.rules),
        Command::Rules(args) => cmd::rules::run(args, &cli.rules),
        Command::Parse(args) => cmd::parse::run(args, &cli.rules),
        Command::Mx(args) => cmd::mx::run(args),
        Command::Diagnose(args) => cmd::diagnose::run(args, &cli.rules),
        Command::Init(args) => cmd::init::run(args, &cli.rules),
        Command::Ingest(args) => cmd::ingest::run(args, &cli.rules),
        Command::Suppressions(args) => cmd::suppressions::run(args, &cli.rules),
        Command::Hints(args) => cmd::hints::run(args, &cli.rules),
        Command::Report(args) => cmd::report::run(args, &cli.rules),
        Command::Sends(args) => cmd::sends::run(args, &cli.rules),
        Command::Explain(args) => cmd::explain::run(args, &cli.rules),
        Command::Codes(args) => cmd::codes::run(args, &cli.rules),
        Command::Serve(args) => cmd::serve::run(args, &cli.rules),
        Command::Tokens(args) => cmd::tokens::run(args, &cli.rules),
        Command::Watch(args) => cmd::watch::run(args, &cli.rules),
    };
    match result {
        Ok(code) => code,
        // The reader went away (`rebound rules list | head -1`): not an error of ours.
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("rebound: {err:#}");
            ExitCode::from(if is_usage(&err) { 2 } else { 1 })
        }
    }
}

/// Whether `err` is the caller's mistake in how the command was written (exit 2, as the
/// help says), found after clap's own checks: a `--db` (or `REBOUND_DB`) that is not a
/// database location.
fn is_usage(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        matches!(
            cause.downcast_ref::<rebound_store::StoreError>(),
            Some(rebound_store::StoreError::BadUrl { .. })
        )
    })
}

/// Whether `err` comes from writing to a closed pipe (directly or through serde_json).
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            || cause
                .downcast_ref::<serde_json::Error>()
                .is_some_and(|e| e.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe))
    })
}
