//! `cargo xtask openapi check|generate`.
//!
//! Each API trait renders its document (`es_tokens_api::openapi_document`);
//! `generate` writes it under `openapi/`, `check` fails with a unified diff
//! when the checked-in file differs. Neither needs anything but the working
//! tree, so both work in a fresh clone.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use similar::TextDiff;

#[derive(Subcommand)]
pub enum Command {
    /// Fail, printing a diff, if a checked-in document differs from its trait.
    Check,
    /// Rewrite the checked-in documents from the traits.
    Generate,
}

/// A document under `openapi/` and the function that renders it.
struct Document {
    file: &'static str,
    render: fn() -> String,
}

const DOCUMENTS: &[Document] = &[
    Document { file: "elasticsearch.json", render: es_tokens_api::openapi_document },
    Document { file: "transport.json", render: es_tokens_transport_api::openapi_document },
];

fn openapi_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi")
}

pub fn run(command: Command) -> anyhow::Result<ExitCode> {
    let dir = openapi_dir();
    let mut stale = 0;
    for document in DOCUMENTS {
        let path = dir.join(document.file);
        let wanted = (document.render)();
        let current = match std::fs::read_to_string(&path) {
            Ok(text) => Some(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
        };
        if current.as_deref() == Some(wanted.as_str()) {
            println!("openapi/{}: up to date", document.file);
            continue;
        }
        match command {
            Command::Generate => {
                std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
                std::fs::write(&path, &wanted).with_context(|| format!("writing {}", path.display()))?;
                println!("openapi/{}: written", document.file);
            }
            Command::Check => {
                stale += 1;
                let current = current.unwrap_or_default();
                let diff = TextDiff::from_lines(&current, &wanted);
                let checked_in = format!("openapi/{} (checked in)", document.file);
                let generated = format!("openapi/{} (generated from the API trait)", document.file);
                eprintln!("openapi/{}: differs from the API trait", document.file);
                eprint!("{}", diff.unified_diff().context_radius(3).header(&checked_in, &generated));
            }
        }
    }
    if stale > 0 {
        eprintln!(
            "\n{stale} OpenAPI document(s) out of date. If the trait change is intended, run \
             `cargo xtask openapi generate` and review the diff; never edit openapi/ by hand."
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `cargo test` catches a drifted document too, for those who do not run
    /// the xtask.
    #[test]
    fn every_checked_in_document_matches_its_api_trait() {
        for document in DOCUMENTS {
            let path = openapi_dir().join(document.file);
            let checked_in = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert!(
                checked_in == (document.render)(),
                "openapi/{} differs from its API trait: run `cargo xtask openapi check` to see how, and \
                 `cargo xtask openapi generate` if the change is intended",
                document.file
            );
        }
    }
}
