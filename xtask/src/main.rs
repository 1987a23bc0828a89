//! Developer commands, run as `cargo xtask <command>`.

mod openapi;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "Developer commands for this workspace")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Keep the checked-in OpenAPI documents in step with the API traits.
    Openapi {
        #[command(subcommand)]
        command: openapi::Command,
    },
}

fn main() -> anyhow::Result<std::process::ExitCode> {
    match Cli::parse().command {
        Command::Openapi { command } => openapi::run(command),
    }
}
