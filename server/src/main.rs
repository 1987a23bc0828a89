//! `es-tokens`: run with no subcommand to start a node, like `elasticsearch`.

use std::process::ExitCode;

use clap::Parser;
use es_tokens_server::{Node, SecureSettings, Settings, conf_dir_from_env, init_logging, settings_help};

/// Exit code for a configuration error (Elasticsearch's `ExitCodes.CONFIG`).
const EXIT_CONFIG: u8 = 78;

#[derive(Parser)]
#[command(
    name = "es-tokens",
    version,
    about = "Starts a node serving Elasticsearch's service-account token APIs.",
    after_help = help()
)]
struct Cli {
    /// Set a setting, overriding elasticsearch.yml (repeatable): -E http.port=9201
    #[arg(short = 'E', value_name = "KEY=VALUE")]
    settings: Vec<String>,
}

fn help() -> String {
    format!(
        "Settings are read from $ES_PATH_CONF/elasticsearch.yml (default config/elasticsearch.yml; the file is \
         optional), then overridden by -E. ELASTIC_PASSWORD is the elastic user's first password.\n\nSettings:\n{}",
        settings_help()
    )
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    let settings = match Settings::load(&conf_dir_from_env(), &cli.settings) {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("fatal exception while booting the node: {error}");
            return ExitCode::from(EXIT_CONFIG);
        }
    };
    // One event-loop thread serves both APIs. A request is microseconds of
    // work between waits; what is slow (password and token hashing, SQLite)
    // runs on tokio's blocking pool and sqlx's threads. Without a second
    // worker nothing is handed between threads: no wake-up of an idle
    // worker per request, which on a small machine cost more CPU than the
    // requests (measured in docs/benchmarks.md).
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime starts");
    runtime.block_on(async {
        let node = match Node::start(settings, SecureSettings::from_env()).await {
            Ok(node) => node,
            Err(error) => {
                eprintln!("fatal exception while booting the node: {error}");
                return ExitCode::FAILURE;
            }
        };
        wait_for_shutdown().await;
        node.stop().await;
        ExitCode::SUCCESS
    })
}

/// Resolves on Ctrl-C or SIGTERM.
async fn wait_for_shutdown() {
    let mut terminate =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM can be handled");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate.recv() => {}
    }
}
