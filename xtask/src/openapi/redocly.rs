//! Redocly's CLI, from npm, for `lint` and `docs`: installed on first use
//! into `target/npm` at the version this workspace was checked with.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{Context, ensure};

/// The version installed.
const REDOCLY: &str = "@redocly/cli@2.77.0";

/// The documents, with the titles of their pages.
const DOCUMENTS: [(&str, &str); 2] =
    [("elasticsearch", "Elasticsearch service account token API"), ("transport", "es-tokens node-to-node API")];

/// The `redocly` command, installed if missing.
fn redocly(workspace: &Path) -> anyhow::Result<Command> {
    let prefix = workspace.join("target/npm");
    let binary = prefix.join("node_modules/.bin/redocly");
    std::fs::create_dir_all(&prefix)?;
    // Tests running at once install it once.
    let lock = std::fs::File::create(prefix.join("install.lock"))?;
    lock.lock()?;
    let installed = Command::new(&binary).arg("--version").output().is_ok_and(|o| {
        o.status.success() && String::from_utf8_lossy(&o.stdout).trim() == REDOCLY.rsplit('@').next().unwrap()
    });
    if !installed {
        let status = Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--loglevel=error", "--prefix"])
            .arg(&prefix)
            .arg(REDOCLY)
            .status()
            .context("running npm (is Node.js installed?)")?;
        ensure!(status.success(), "npm install {REDOCLY} failed");
    }
    let mut command = Command::new(binary);
    command
        .current_dir(workspace.join("openapi"))
        .env("REDOCLY_TELEMETRY", "off")
        .env("REDOCLY_SUPPRESS_UPDATE_NOTICE", "true");
    Ok(command)
}

/// Lints both documents under `openapi/redocly.yaml`.
pub fn lint(workspace: &Path) -> anyhow::Result<ExitCode> {
    let mut command = redocly(workspace)?;
    let status = command.args(["lint", "--config", "redocly.yaml", "--format", "stylish"]).status()?;
    Ok(if status.success() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// Renders each document into `target/openapi/<name>.html`: Redoc's page
/// with its scripts inline and a content security policy that forbids any
/// fetch, so that it works offline and tells nobody it was opened.
pub fn docs(workspace: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let out = workspace.join("target/openapi");
    std::fs::create_dir_all(&out)?;
    let template = workspace.join("xtask/assets/redoc-template.hbs");
    let mut pages = Vec::new();
    for (name, title) in DOCUMENTS {
        let page = out.join(format!("{name}.html"));
        let status = redocly(workspace)?
            .args(["build-docs", &format!("{name}.json"), "--config", "redocly.yaml", "--inlineBundle"])
            // Redoc would report to Redocly where the page is opened.
            .arg("--openapi.disableTelemetry=true")
            .arg("--template")
            .arg(&template)
            .args(["--title", title, "--output"])
            .arg(&page)
            .status()?;
        ensure!(status.success(), "redocly build-docs {name}.json failed");
        pages.push(page);
    }
    Ok(pages)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a page shows once Chromium has run its scripts, scripts and
    /// styles taken out: the text a reader sees.
    fn rendered_text(page: &Path, route: &str) -> String {
        let profile = tempfile::tempdir().unwrap();
        let output = Command::new("chromium")
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                // Every host name fails here: the page needs none, and
                // Chromium itself may not phone home.
                "--host-resolver-rules=MAP * ~NOTFOUND",
                "--virtual-time-budget=15000",
                "--dump-dom",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg(format!("file://{}#{route}", page.display()))
            .output()
            .expect("chromium runs (Debian's `chromium` package; .ci/run installs it)");
        assert!(output.status.success(), "chromium failed: {}", String::from_utf8_lossy(&output.stderr));
        let dom = String::from_utf8_lossy(&output.stdout).into_owned();
        // Scripts and styles out (the document is embedded as JSON in a
        // script, so finding a summary there would prove nothing), then tags.
        let text = strip(&strip(&dom, "<script", "</script>"), "<style", "</style>");
        let mut plain = String::new();
        let mut in_tag = false;
        for c in text.chars() {
            match c {
                '<' => in_tag = true,
                '>' => {
                    in_tag = false;
                    plain.push(' ');
                }
                _ if !in_tag => plain.push(c),
                _ => {}
            }
        }
        let plain = plain.replace("&amp;", "&").replace("&quot;", "\"").replace("&#x27;", "'");
        plain.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// `text` without everything from each `open` to its `close`.
    fn strip(text: &str, open: &str, close: &str) -> String {
        let mut kept = String::new();
        let mut rest = text;
        while let Some(start) = rest.find(open) {
            kept.push_str(&rest[..start]);
            rest = rest[start..].find(close).map_or("", |end| &rest[start + end + close.len()..]);
        }
        kept.push_str(rest);
        kept
    }

    /// Both documents pass Redocly's lint, as `openapi/redocly.yaml` sets it.
    #[test]
    fn the_documents_pass_the_linter() {
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        assert_eq!(lint(&workspace).unwrap(), ExitCode::SUCCESS, "cargo xtask openapi lint says why");
    }

    /// Each page, opened in headless Chromium, shows every operation's
    /// summary and, in the Elasticsearch API, the privileges each needs.
    #[test]
    fn the_rendered_pages_show_every_operation_and_its_privileges() {
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let pages = docs(&workspace).unwrap();
        for (page, (name, _)) in pages.iter().zip(DOCUMENTS) {
            let html = std::fs::read_to_string(page).unwrap();
            // Links to elsewhere are fine; what the page loads is not.
            for tag in ["<script", "<link", "<img", "<iframe"] {
                for (at, _) in html.match_indices(tag) {
                    let element = &html[at..at + html[at..].find('>').unwrap_or(0)];
                    assert!(!element.contains("http"), "{name}: the page loads {element}");
                }
            }
            let document: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(workspace.join(format!("openapi/{name}.json"))).unwrap())
                    .unwrap();
            // Each operation on its own route: Redoc renders the
            // operations around the one a route opens.
            let mut privileges_shown = 0;
            for (path, item) in document["paths"].as_object().unwrap() {
                for operation in item.as_object().unwrap().values() {
                    let id = operation["operationId"].as_str().unwrap();
                    let tag = operation["tags"][0].as_str().unwrap_or("other");
                    let summary = operation["summary"].as_str().unwrap();
                    let text = rendered_text(page, &format!("/{tag}/{id}"));
                    assert!(text.contains(summary), "{name}: {id}'s summary {summary:?} is not on the page");
                    // The side menu lists every summary; only the
                    // operation's own section shows its path.
                    assert!(text.contains(path.as_str()), "{name}: {id}'s path {path} is not on the page");
                    let description = operation["description"].as_str().unwrap_or_default();
                    if let Some(privileges) = description.split("* Cluster privileges: ").nth(1) {
                        let privilege = privileges.lines().next().unwrap().replace('`', "");
                        let shown = format!("Cluster privileges: {privilege}");
                        assert!(text.contains(&shown), "{name}: {id}'s {shown:?} is not on the page");
                        privileges_shown += 1;
                    }
                }
            }
            if name == "elasticsearch" {
                assert!(privileges_shown > 0, "no operation's privileges were found to check");
            }
        }
    }
}
