//! `elasticsearch-service-tokens create|delete|list`: manages the
//! `service_tokens` file in `$ES_PATH_CONF` (default `config/`), like
//! Elasticsearch's tool of the same name.

use std::process::ExitCode;

use es_tokens_server::conf_dir_from_env;
use es_tokens_server::service_tokens_cli::{USAGE, exit_codes, run};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if matches!(args.first().map(String::as_str), Some("-h" | "--help")) {
        print!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let conf_dir = conf_dir_from_env();
    match run(&conf_dir, &args) {
        Ok(output) => {
            print!("{output}");
            ExitCode::from(exit_codes::OK)
        }
        Err(error) => {
            if error.exit_code == exit_codes::USAGE {
                eprintln!("{USAGE}");
            }
            eprintln!("ERROR: {}", error.message);
            ExitCode::from(error.exit_code)
        }
    }
}
