//! `cargo xtask openapi ...`: keeping the checked-in documents in step
//! with the API traits, and a reviewer's tools for them.
//!
//! Each API trait renders its document (`es_tokens_api::openapi_document`);
//! `generate` writes it under `openapi/`, `check` fails with a unified diff
//! when the checked-in file differs. Neither needs anything but the working
//! tree, so both work in a fresh clone. `lint` and `docs` run Redocly's CLI
//! (installed from npm into `target/npm`), `diff` and `diff-base` say what a
//! change breaks, `upstream` compares with Elasticsearch's own documents, and
//! `fuzz` runs the schemathesis test deeper than CI does.

mod diff;
mod redocly;
mod upstream;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Subcommand;
use similar::TextDiff;

#[derive(Subcommand)]
pub enum Command {
    /// Fail, printing a diff, if a checked-in document differs from its trait.
    Check,
    /// Rewrite the checked-in documents from the traits.
    Generate,
    /// Lint both documents with Redocly's CLI, under `openapi/redocly.yaml`.
    Lint,
    /// Render each document into a self-contained page under `target/openapi/`.
    Docs,
    /// List every change from one version of a document to another, and
    /// whether it breaks a client; exit 1 if one does.
    Diff {
        /// The old version.
        old: PathBuf,
        /// The new version.
        new: PathBuf,
    },
    /// `diff` of each document at a git revision against the working tree.
    DiffBase {
        /// A git revision, e.g. `origin/main` or `HEAD~1`.
        rev: String,
    },
    /// Compare `openapi/elasticsearch.json` with upstream's documents.
    Upstream {
        /// Where upstream's `upstream-openapi-*.json` are.
        #[arg(long, default_value = "../shared/reference")]
        reference: PathBuf,
    },
    /// Run the schemathesis test against both documents.
    Fuzz {
        /// Cases per operation and phase.
        #[arg(long, default_value_t = 100)]
        max_examples: u32,
        /// The random seed.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Seconds each document may take.
        #[arg(long, default_value_t = 1800)]
        timeout: u64,
    },
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

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Check => sync(false),
        Command::Generate => sync(true),
        Command::Lint => Ok(redocly::lint(&workspace())?),
        Command::Docs => {
            for page in redocly::docs(&workspace())? {
                println!("{}", page.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Diff { old, new } => diff_files(&old, &new),
        Command::DiffBase { rev } => diff_base(&rev),
        Command::Upstream { reference } => {
            let ok = upstream::run(
                &openapi_dir().join("elasticsearch.json"),
                &reference,
                &openapi_dir().join("upstream-differences.json"),
            )?;
            Ok(if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
        Command::Fuzz { max_examples, seed, timeout } => {
            let status = std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
                .current_dir(workspace())
                .args(["test", "-p", "es-tokens-server", "--test", "integration", "contract_fuzz", "--", "--nocapture"])
                .env("ES_TOKENS_FUZZ_MAX_EXAMPLES", max_examples.to_string())
                .env("ES_TOKENS_FUZZ_SEED", seed.to_string())
                .env("ES_TOKENS_FUZZ_TIMEOUT", timeout.to_string())
                .status()?;
            Ok(if status.success() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
    }
}

fn load(path: &Path, text: &str) -> anyhow::Result<openapiv3::OpenAPI> {
    serde_json::from_str(text).with_context(|| format!("{} is not an OpenAPI 3.0 document", path.display()))
}

/// Prints the changes and a verdict; failure if one breaks a client.
fn report(label: &str, changes: &[diff::Change]) -> bool {
    let breaking = changes.iter().filter(|c| c.breaking).count();
    for change in changes {
        println!("{change}");
    }
    println!("{label}: {} change(s), {breaking} breaking", changes.len());
    breaking == 0
}

fn diff_files(old: &Path, new: &Path) -> anyhow::Result<ExitCode> {
    let (old_text, new_text) = (std::fs::read_to_string(old)?, std::fs::read_to_string(new)?);
    let changes = diff::diff(&load(old, &old_text)?, &load(new, &new_text)?);
    Ok(if report(&new.display().to_string(), &changes) { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

fn diff_base(rev: &str) -> anyhow::Result<ExitCode> {
    let mut ok = true;
    for document in DOCUMENTS {
        let relative = format!("openapi/{}", document.file);
        let old = std::process::Command::new("git")
            .current_dir(workspace())
            // Its messages are matched below.
            .env("LC_ALL", "C")
            .args(["show", &format!("{rev}:{relative}")])
            .output()
            .context("running git")?;
        let current = std::fs::read_to_string(workspace().join(&relative))?;
        let new = load(Path::new(&relative), &current)?;
        let changes = if old.status.success() {
            diff::diff(&load(Path::new(&relative), &String::from_utf8(old.stdout)?)?, &new)
        } else if String::from_utf8_lossy(&old.stderr).contains("does not exist") {
            println!("{relative}: not at {rev}");
            let empty: openapiv3::OpenAPI = serde_json::from_value(serde_json::json!({
                "openapi": "3.0.3", "info": {"title": "", "version": "0"}, "paths": {}
            }))?;
            diff::diff(&empty, &new)
        } else {
            bail!("git show {rev}:{relative}: {}", String::from_utf8_lossy(&old.stderr).trim());
        };
        ok &= report(&format!("{relative} since {rev}"), &changes);
    }
    Ok(if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// Checks the documents against their traits, or (`write`) rewrites them.
fn sync(write: bool) -> anyhow::Result<ExitCode> {
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
        if write {
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            std::fs::write(&path, &wanted).with_context(|| format!("writing {}", path.display()))?;
            println!("openapi/{}: written", document.file);
        } else {
            stale += 1;
            let current = current.unwrap_or_default();
            let diff = TextDiff::from_lines(&current, &wanted);
            let checked_in = format!("openapi/{} (checked in)", document.file);
            let generated = format!("openapi/{} (generated from the API trait)", document.file);
            eprintln!("openapi/{}: differs from the API trait", document.file);
            eprint!("{}", diff.unified_diff().context_radius(3).header(&checked_in, &generated));
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
