//! `elasticsearch-service-tokens`: manages the `service_tokens` file of a
//! node, with the commands, output, errors and exit codes of Elasticsearch's
//! tool (`FileTokensTool`).

use std::path::Path;

use crate::authc::service::TOKEN_HASHING_SETTING;
use crate::authc::service::file_token_store::{SERVICE_TOKENS_FILE, TokenHashes, parse_file, render};
use crate::authc::service::service_account_token::ServiceAccountToken;
use crate::authc::service::service_accounts;
use crate::authc::service::token_name::{InvalidTokenName, is_valid_token_name};
use crate::common::atomic_file::write_atomically;
use crate::config::Settings;

/// Elasticsearch's `ExitCodes`.
pub mod exit_codes {
    /// Success.
    pub const OK: u8 = 0;
    /// Bad arguments.
    pub const USAGE: u8 = 64;
    /// An unknown service account.
    pub const NO_USER: u8 = 67;
    /// The operation cannot be done (token exists, does not exist, bad name).
    pub const CODE_ERROR: u8 = 70;
    /// The file cannot be written.
    pub const IO_ERROR: u8 = 74;
    /// The settings are invalid.
    pub const CONFIG: u8 = 78;
}

/// A failed command: its exit code and message (printed as `ERROR: ...`).
#[derive(Debug, PartialEq, Eq)]
pub struct UserError {
    /// The process exit code.
    pub exit_code: u8,
    /// The message.
    pub message: String,
}

impl UserError {
    fn new(exit_code: u8, message: impl Into<String>) -> Self {
        UserError { exit_code, message: message.into() }
    }
}

/// How to use the tool, printed before usage errors.
pub const USAGE: &str = "Manages elasticsearch service account file-tokens\n\n\
Commands\n\
--------\n\
create - Create a file token for specified service account and token name\n\
delete - Remove a file token for specified service account and token name\n\
list - List file tokens for the specified service account\n";

/// Runs the tool with `args` (without the program name) against the config
/// directory `conf_dir`; what it prints on success.
pub fn run(conf_dir: &Path, args: &[String]) -> Result<String, UserError> {
    let Some((command, args)) = args.split_first() else {
        return Err(UserError::new(exit_codes::USAGE, "Missing command"));
    };
    let path = conf_dir.join(SERVICE_TOKENS_FILE);
    match command.as_str() {
        "create" => {
            let (principal, name) = principal_and_name(args)?;
            let settings =
                Settings::load(conf_dir, &[]).map_err(|e| UserError::new(exit_codes::CONFIG, e.to_string()))?;
            let mut tokens = read(&path)?;
            let (namespace, service) = principal.split_once('/').expect("known principals have a slash");
            let token = ServiceAccountToken::generate(namespace, service, name);
            let qualified = token.key().qualified().to_string();
            if tokens.contains_key(&qualified) {
                return Err(UserError::new(
                    exit_codes::CODE_ERROR,
                    format!("Service token [{qualified}] already exists"),
                ));
            }
            tokens.insert(qualified.clone(), TOKEN_HASHING_SETTING.get(&settings).hash(token.secret()));
            write(&path, &tokens)?;
            Ok(format!("SERVICE_TOKEN {qualified} = {}\n", token.to_bearer_string()))
        }
        "delete" => {
            let (principal, name) = principal_and_name(args)?;
            let mut tokens = read(&path)?;
            let qualified = format!("{principal}/{name}");
            if tokens.remove(&qualified).is_none() {
                return Err(UserError::new(
                    exit_codes::CODE_ERROR,
                    format!("Service token [{qualified}] does not exist"),
                ));
            }
            write(&path, &tokens)?;
            Ok(String::new())
        }
        "list" => {
            if args.len() > 1 {
                return Err(UserError::new(
                    exit_codes::USAGE,
                    format!(
                        "Expected at most one argument, service-account-principal, found extra: [{}]",
                        args[1..].join(",")
                    ),
                ));
            }
            let prefix = match args.first() {
                Some(principal) => Some(format!("{}/", known_principal(principal)?)),
                None => None,
            };
            let tokens = read(&path)?;
            Ok(tokens
                .keys()
                .filter(|key| prefix.as_ref().is_none_or(|prefix| key.starts_with(prefix.as_str())))
                .map(|key| format!("{key}\n"))
                .collect())
        }
        other => Err(UserError::new(exit_codes::USAGE, format!("Unknown command [{other}]"))),
    }
}

fn principal_and_name(args: &[String]) -> Result<(&str, &str), UserError> {
    match args {
        [] => Err(UserError::new(exit_codes::USAGE, "Missing service-account-principal and token-name arguments")),
        [_] => Err(UserError::new(exit_codes::USAGE, "Missing token-name argument")),
        [principal, name] => {
            let principal = known_principal(principal)?;
            if !is_valid_token_name(name) {
                return Err(UserError::new(exit_codes::CODE_ERROR, InvalidTokenName(name.clone()).to_string()));
            }
            Ok((principal, name))
        }
        [_, _, extra @ ..] => Err(UserError::new(
            exit_codes::USAGE,
            format!(
                "Expected two arguments, service-account-principal and token-name, found extra: [{}]",
                extra.join(",")
            ),
        )),
    }
}

fn known_principal(principal: &str) -> Result<&str, UserError> {
    if service_accounts::get(principal).is_some() {
        return Ok(principal);
    }
    let known: Vec<&str> = service_accounts::principals().collect();
    Err(UserError::new(
        exit_codes::NO_USER,
        format!("Unknown service account principal: [{principal}]. Must be one of [{}]", known.join(",")),
    ))
}

fn read(path: &Path) -> Result<TokenHashes, UserError> {
    parse_file(path).map_err(|e| UserError::new(exit_codes::IO_ERROR, e.to_string()))
}

/// Replaces the file atomically (mode 0600), so the node never reads a
/// half-written file.
fn write(path: &Path, tokens: &TokenHashes) -> Result<(), UserError> {
    let io_error = |e: std::io::Error| UserError::new(exit_codes::IO_ERROR, format!("{}: {e}", path.display()));
    if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io_error)?;
    }
    write_atomically(path, render(tokens).as_bytes(), 0o600).map_err(io_error)
}
