//! Tokens from the node's `service_tokens` file.
//!
//! One `namespace/service/name:<hash>` per line; the key is everything before
//! the first `:`. Blank lines and lines starting with `#` are skipped, the
//! others trimmed; a
//! hash Elasticsearch would read as plain text is skipped with a warning, and
//! for a duplicate key the last line wins. A line without `:` makes the whole
//! file invalid: fatal at startup, "no file tokens" when reloading, as in
//! Elasticsearch.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use parking_lot::RwLock;

use crate::authc::service::service_account_token::ServiceAccountToken;
use crate::authc::service::token_store::TokenStore;
use crate::authc::support::hasher::{Hasher, verify_hash_blocking};
use crate::config::config_file::{entries, read_optional, replace_if_changed};
use crate::security_index::StoreError;

/// The file's name in the config directory.
pub const SERVICE_TOKENS_FILE: &str = "service_tokens";

/// Token hashes by qualified name, sorted as the CLI writes them.
pub type TokenHashes = BTreeMap<String, String>;

/// Why the file could not be parsed.
#[derive(Debug, thiserror::Error)]
pub enum ServiceTokensError {
    /// The file exists but cannot be read.
    #[error("could not read service_tokens file [{path}]: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    /// A line has no `:`.
    #[error("Missing ':' character at line #{line}")]
    MissingColon { line: usize },
}

/// Parses the file at `path`; a missing file holds no tokens.
pub fn parse_file(path: &Path) -> Result<TokenHashes, ServiceTokensError> {
    tracing::trace!(path = %path.display(), "reading service_tokens file");
    match read_optional(path) {
        Ok(Some(text)) => parse(path, &text),
        Ok(None) => {
            tracing::trace!(path = %path.display(), "file does not exist");
            Ok(TokenHashes::new())
        }
        Err(source) => Err(ServiceTokensError::Read { path: path.to_path_buf(), source }),
    }
}

/// Parses the content of a `service_tokens` file.
pub fn parse(path: &Path, text: &str) -> Result<TokenHashes, ServiceTokensError> {
    let mut tokens = TokenHashes::new();
    for (line_number, line) in entries(text) {
        let Some((key, hash)) = line.split_once(':') else {
            tracing::warn!(
                "invalid format at line #{line_number} of service_tokens file [{}] - missing ':' character - ",
                path.display()
            );
            return Err(ServiceTokensError::MissingColon { line: line_number });
        };
        if Hasher::resolve_from_hash(hash) == Hasher::Noop {
            tracing::warn!("skipping plaintext service account token for key [{key}]");
            continue;
        }
        tracing::trace!("parsed tokens for key [{key}]");
        if tokens.insert(key.to_string(), hash.to_string()).is_some() {
            tracing::warn!("found duplicated key [{key}], earlier entries are overridden");
        }
    }
    tracing::debug!("parsed [{}] tokens from file [{}]", tokens.len(), path.display());
    Ok(tokens)
}

/// Renders tokens as the CLI writes the file: sorted `key:hash` lines.
pub fn render(tokens: &TokenHashes) -> String {
    tokens.iter().map(|(key, hash)| format!("{key}:{hash}\n")).collect()
}

/// The file's tokens as last loaded.
pub struct FileTokenStore {
    path: PathBuf,
    tokens: RwLock<TokenHashes>,
}

impl FileTokenStore {
    /// Loads `service_tokens` from `conf_dir`. A file that does not parse
    /// stops the node, as in Elasticsearch.
    pub fn load(conf_dir: &Path) -> Result<FileTokenStore, LoadError> {
        let path = conf_dir.join(SERVICE_TOKENS_FILE);
        let tokens = parse_file(&path).map_err(|source| LoadError { path: absolute(&path), source })?;
        Ok(FileTokenStore { path, tokens: RwLock::new(tokens) })
    }

    /// Reads the file again. A file that does not parse leaves no file tokens
    /// (the old ones are not kept), as in Elasticsearch; a file that cannot
    /// be read keeps the tokens last read. `Some(changed)` once read, where
    /// a change means the caller clears the file-token cache; `None` if the
    /// read failed.
    pub fn reload(&self) -> Option<bool> {
        let tokens = match parse_file(&self.path) {
            Ok(tokens) => tokens,
            Err(error @ ServiceTokensError::Read { .. }) => {
                tracing::error!(%error, "keeping the service tokens last read; the file is read again at the next poll");
                return None;
            }
            Err(error) => {
                tracing::error!(
                    %error,
                    "failed to parse service tokens file [{}]. skipping/removing all tokens...",
                    absolute(&self.path).display()
                );
                TokenHashes::new()
            }
        };
        let changed = replace_if_changed(&self.tokens, tokens);
        if changed {
            tracing::info!("service tokens file [{}] changed. updating ...", absolute(&self.path).display());
        }
        Some(changed)
    }

    /// The names of the file tokens of `namespace/service`, sorted.
    pub fn token_names(&self, principal: &str) -> Vec<String> {
        let prefix = format!("{principal}/");
        self.tokens.read().keys().filter_map(|key| key.strip_prefix(&prefix)).map(str::to_string).collect()
    }
}

impl TokenStore for FileTokenStore {
    async fn authenticate(&self, token: &ServiceAccountToken) -> Result<bool, StoreError> {
        let Some(hash) = self.tokens.read().get(token.key().qualified()).cloned() else {
            return Ok(false);
        };
        Ok(verify_hash_blocking(token.secret(), hash).await)
    }

    fn may_hold(&self, token: &ServiceAccountToken) -> bool {
        self.tokens.read().contains_key(token.key().qualified())
    }
}

/// The file could not be loaded at startup.
#[derive(Debug, thiserror::Error)]
#[error("Failed to load service_tokens file [{}]", path.display())]
pub struct LoadError {
    path: PathBuf,
    #[source]
    source: ServiceTokensError,
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    const STRETCH: &str = "{PBKDF2_STRETCH}10000$8QN+eThJEaCd18sCP0nfzxJq2D9yhmSZgI20TDooYcE=$+0ELfqW4D2+/SlHvm/885dzv67qO2SMJg32Mv/9epXk=";

    #[test]
    fn the_reference_file_parses_to_three_entries() {
        let text = format!(
            "elastic/fleet-server/token1:{STRETCH}\n\
             elastic/fleet-server/token2:{{PBKDF2}}10000$0N2h5/AsDS5uO0/A+B6y8AnTCJ3Tqo8nygbzu1gkgpo=$5aTcCtteHf2g2ye7Y3p6jSZBoGhNJ7l6F3tmUhPTwRo=\n\
             elastic/fleet-server/token3:$2a$10$ML0BUUxdzs8ApPNf1ayAwuh61ZhfqlzN/1DgZWZn6vNiUhpu1GKTe\n\
             elastic/fleet-server/plain:{{plain}}x\n"
        );
        let tokens = parse(Path::new("service_tokens"), &text).unwrap();
        assert_eq!(tokens.len(), 3);
        assert_eq!(tokens["elastic/fleet-server/token1"], STRETCH);
    }

    #[test]
    fn comments_blanks_duplicates_and_the_first_colon() {
        let text = "# comment\n\n   \n  a/b/c:{SHA}x  \na/b/c:{MD5}y\na/b/d:{SSHA256}k:v\n";
        let tokens = parse(Path::new("f"), text).unwrap();
        assert_eq!(tokens.len(), 2);
        assert_eq!(tokens["a/b/c"], "{MD5}y");
        assert_eq!(tokens["a/b/d"], "{SSHA256}k:v");
    }

    #[test]
    fn a_line_without_a_colon_fails_the_file() {
        assert!(matches!(
            parse(Path::new("f"), "a/b/c:{SHA}x\nbroken\n"),
            Err(ServiceTokensError::MissingColon { line: 2 })
        ));
    }

    #[tokio::test]
    async fn authenticates_with_the_stored_hash_and_reloads_leniently() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(SERVICE_TOKENS_FILE);
        std::fs::write(&path, format!("elastic/fleet-server/token1:{STRETCH}\n")).unwrap();
        let store = FileTokenStore::load(dir.path()).unwrap();
        let good =
            ServiceAccountToken::parse("AAEAAWVsYXN0aWMvZmxlZXQtc2VydmVyL3Rva2VuMTpyNXdkYmRib1FTZTl2R09Ld2FKR0F3")
                .unwrap();
        let bad =
            ServiceAccountToken::parse("AAEAAWVsYXN0aWMvZmxlZXQtc2VydmVyL3Rva2VuMTozYUpDTGFRV1JOMnNYbE9kdHhBMFNR")
                .unwrap();
        assert!(store.authenticate(&good).await.unwrap());
        assert!(!store.authenticate(&bad).await.unwrap());
        assert_eq!(store.token_names("elastic/fleet-server"), ["token1"]);
        assert_eq!(store.reload(), Some(false), "same content, no change");
        // Unreadable (a directory where the file was): the tokens stay.
        let aside = dir.path().join("aside");
        std::fs::rename(&path, &aside).unwrap();
        std::fs::create_dir(&path).unwrap();
        assert_eq!(store.reload(), None);
        assert!(store.authenticate(&good).await.unwrap(), "an unreadable file keeps the tokens");
        std::fs::remove_dir(&path).unwrap();
        std::fs::rename(&aside, &path).unwrap();
        std::fs::write(&path, "broken\n").unwrap();
        assert_eq!(store.reload(), Some(true));
        assert!(!store.authenticate(&good).await.unwrap(), "a file that fails to parse leaves no tokens");
        std::fs::remove_file(&path).unwrap();
        assert_eq!(store.reload(), Some(false));
        assert!(FileTokenStore::load(dir.path()).unwrap().token_names("elastic/fleet-server").is_empty());
        std::fs::write(&path, "broken\n").unwrap();
        assert_eq!(
            FileTokenStore::load(dir.path()).err().unwrap().to_string(),
            format!("Failed to load service_tokens file [{}]", path.display())
        );
    }
}
