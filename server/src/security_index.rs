//! The `.security` index: the cluster's security state in a real database.
//!
//! SQLite for nodes on one host (the default, a file under `path.data`),
//! PostgreSQL for nodes on several, through the same sqlx code and
//! migrations (`server/migrations`). An acknowledged write is durable: SQLite
//! runs in WAL mode with `synchronous=FULL`.

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Connection, Executor};

use crate::token_store::StoreError;
use crate::uuids::random_base64_uuid;

/// Why the security index cannot be opened.
#[derive(Debug, thiserror::Error)]
pub enum SecurityIndexError {
    /// `security.index.url` is not a database URL we speak.
    #[error("unsupported [security.index.url] [{0}]: use sqlite://<path> or postgres://...")]
    UnsupportedUrl(String),
    /// The database is unreachable or the migrations failed.
    #[error("failed to open the security index [{url}]: {message}")]
    Open { url: String, message: String },
}

/// An open security index.
pub struct SecurityIndex {
    pool: AnyPool,
    index_uuid: String,
}

impl SecurityIndex {
    /// Connects to `url`, creating the database (SQLite) and its tables if
    /// needed.
    pub async fn open(url: &str) -> Result<SecurityIndex, SecurityIndexError> {
        sqlx::any::install_default_drivers();
        let url = normalize_url(url)?;
        let open_error =
            |e: &dyn std::fmt::Display| SecurityIndexError::Open { url: redact(&url), message: e.to_string() };
        let options: AnyConnectOptions = url.parse().map_err(|e: sqlx::Error| open_error(&e))?;
        let pool = AnyPoolOptions::new()
            .max_connections(8)
            .after_connect(|connection, _| {
                Box::pin(async move {
                    if connection.backend_name() == "SQLite" {
                        connection
                            .execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000;")
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .map_err(|e| open_error(&e))?;
        sqlx::migrate!("./migrations").run(&pool).await.map_err(|e| open_error(&e))?;
        sqlx::query("INSERT INTO security_index_metadata (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
            .bind("index_uuid")
            .bind(random_base64_uuid())
            .execute(&pool)
            .await
            .map_err(|e| open_error(&e))?;
        let index_uuid: String = sqlx::query_scalar("SELECT value FROM security_index_metadata WHERE key = $1")
            .bind("index_uuid")
            .fetch_one(&pool)
            .await
            .map_err(|e| open_error(&e))?;
        Ok(SecurityIndex { pool, index_uuid })
    }

    /// The connection pool.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The index's identity, shown as `index_uuid` in version conflicts.
    pub fn index_uuid(&self) -> &str {
        &self.index_uuid
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        let mut connection = self.pool.acquire().await.map_err(store_error)?;
        connection.ping().await.map_err(store_error)
    }
}

/// The default `security.index.url`: a SQLite file under `path.data`.
pub fn default_url(path_data: &std::path::Path) -> String {
    let path = std::path::absolute(path_data).unwrap_or_else(|_| path_data.to_path_buf());
    format!("sqlite://{}", path.join("security.db").display())
}

/// Accepts `sqlite://...` (creating the file if missing) and
/// `postgres://...`/`postgresql://...`.
fn normalize_url(url: &str) -> Result<String, SecurityIndexError> {
    if let Some(rest) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
        let separator = if rest.contains('?') { '&' } else { '?' };
        let with_mode = if rest.contains("mode=") { rest.to_string() } else { format!("{rest}{separator}mode=rwc") };
        return Ok(format!("sqlite://{with_mode}"));
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(url.to_string());
    }
    Err(SecurityIndexError::UnsupportedUrl(redact(url)))
}

/// The URL without its password, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// A database error as a store error.
pub fn store_error(error: sqlx::Error) -> StoreError {
    StoreError(format!("security index unavailable: {error}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(normalize_url("sqlite:///tmp/x.db").unwrap(), "sqlite:///tmp/x.db?mode=rwc");
        assert_eq!(normalize_url("sqlite://a.db?mode=ro").unwrap(), "sqlite://a.db?mode=ro");
        assert_eq!(normalize_url("postgres://u:p@h/db").unwrap(), "postgres://u:p@h/db");
        assert!(normalize_url("mysql://x").is_err());
        assert_eq!(redact("postgres://user:secret@host:5432/db"), "postgres://user:***@host:5432/db");
        assert_eq!(redact("sqlite:///tmp/x.db"), "sqlite:///tmp/x.db");
    }

    #[tokio::test]
    async fn opens_twice_with_the_same_identity() {
        let dir = tempfile::tempdir().unwrap();
        let url = default_url(dir.path());
        let first = SecurityIndex::open(&url).await.unwrap();
        let uuid = first.index_uuid().to_string();
        first.ping().await.unwrap();
        drop(first);
        let second = SecurityIndex::open(&url).await.unwrap();
        assert_eq!(second.index_uuid(), uuid);
    }
}
