//! The `.security` index: the cluster's security state in a real database.
//!
//! SQLite for nodes on one host (the default, a file under `path.data`),
//! PostgreSQL for nodes on several, through the same sqlx code and
//! migrations (`server/migrations`). An acknowledged write is durable: SQLite
//! runs in WAL mode with `synchronous=FULL`.
//!
//! The index has an identity (`index_uuid`) so that nodes notice when it is
//! replaced by another database; see [`SecurityIndex::check`].

use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;
use std::time::Duration;

use parking_lot::{Mutex, RwLock};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

use crate::common::uuids::random_base64_uuid;
use crate::config::environment::PATH_DATA_SETTING;
use crate::config::{Setting, Settings, values};

pub mod cache_leases;
pub mod monitor;

/// The database behind the index.
pub const SECURITY_INDEX_URL_SETTING: Setting<String> = Setting::derived(
    "security.index.url",
    "sqlite://<path.data>/security.db",
    |settings: &Settings| default_url(&PATH_DATA_SETTING.get(settings)),
    values::string,
    "the database behind the .security index: sqlite://<file> or postgres://user:password@host/db",
);

/// The index (or another store) could not answer, as opposed to answering
/// "no".
#[derive(Clone, Debug, thiserror::Error)]
#[error("{0}")]
pub struct StoreError(pub String);

/// How long [`SecurityIndex::check`] waits for the database.
const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

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

/// What a node sees of the index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IndexState {
    /// Reachable, with this identity.
    Available { index_uuid: String },
    /// Not reachable.
    Unavailable,
}

/// An open security index.
pub struct SecurityIndex {
    url: String,
    pool: RwLock<AnyPool>,
    /// The SQLite file and the inode it had when opened: a file replaced
    /// under the node is another database.
    sqlite: Option<(PathBuf, Mutex<Option<u64>>)>,
}

impl SecurityIndex {
    /// Connects to `url`, creating the database (SQLite) and its tables if
    /// needed.
    pub async fn open(url: &str) -> Result<SecurityIndex, SecurityIndexError> {
        sqlx::any::install_default_drivers();
        let url = normalize_url(url)?;
        let redacted = redact(&url);
        let open_error =
            |e: &dyn std::fmt::Display| SecurityIndexError::Open { url: redacted.clone(), message: e.to_string() };
        let pool = connect(&url).await.map_err(|e| open_error(&e))?;
        let sqlite = sqlite_path(&url).map(|path| {
            let inode = inode(&path);
            (path, Mutex::new(inode))
        });
        let index = SecurityIndex { url, pool: RwLock::new(pool), sqlite };
        index.ensure_schema().await.map_err(|e| open_error(&e))?;
        Ok(index)
    }

    /// The connection pool.
    pub fn pool(&self) -> AnyPool {
        self.pool.read().clone()
    }

    /// Creates the tables and the index's identity if they are missing: on a
    /// new database, or one recreated under the node.
    ///
    /// On one connection, so that the pool does not open a second one while
    /// the first is on its way back. On SQLite the schema's commits are not
    /// synced one by one (`synchronous=NORMAL`; WAL mode keeps the file
    /// consistent either way): a crash may lose them, and the next start
    /// makes them again. The node's next write (its registration, before it
    /// serves) is synced as every write is, and with it everything before.
    async fn ensure_schema(&self) -> Result<(), sqlx::Error> {
        let mut connection = self.pool().acquire().await?;
        let sqlite = connection.backend_name() == "SQLite";
        if sqlite {
            connection.execute("PRAGMA synchronous=NORMAL").await?;
        }
        let made = make_schema(&mut connection).await;
        let restored = match sqlite {
            true => connection.execute("PRAGMA synchronous=FULL").await.map(drop),
            false => Ok(()),
        };
        if made.is_err() || restored.is_err() {
            // Not back to the pool in a state no other connection has.
            drop(connection.detach());
        }
        made.and(restored)
    }

    async fn metadata(&self, key: &str) -> Result<String, sqlx::Error> {
        sqlx::query_scalar("SELECT value FROM security_index_metadata WHERE key = $1")
            .bind(key)
            .fetch_one(&self.pool())
            .await
    }

    /// The index's identity, shown as `index_uuid` in version conflicts.
    pub async fn index_uuid(&self) -> Result<String, StoreError> {
        self.metadata("index_uuid").await.map_err(store_error)
    }

    /// The cluster's identity, shown as `cluster_uuid` by `GET /`: the
    /// cluster is the nodes that share this index.
    pub async fn cluster_uuid(&self) -> Result<String, StoreError> {
        self.metadata("cluster_uuid").await.map_err(store_error)
    }

    /// Looks at the index as a node's monitor does: reopens a SQLite file
    /// replaced under the node, recreates the schema of a database recreated
    /// under it, and reports the identity it answers with.
    pub async fn check(&self) -> IndexState {
        if let Some((path, opened)) = &self.sqlite {
            let now = inode(path);
            if now.is_some() && *opened.lock() != now {
                tracing::info!(path = %path.display(), "the security index file was replaced; reopening it");
                match connect(&self.url).await {
                    Ok(pool) => {
                        let old = std::mem::replace(&mut *self.pool.write(), pool);
                        // Only now: a failed reopen is tried again next time.
                        *opened.lock() = now;
                        old.close().await;
                    }
                    Err(error) => {
                        tracing::warn!(%error, "cannot reopen the security index");
                        return IndexState::Unavailable;
                    }
                }
            }
        }
        // A check must notice a short outage: give up quickly instead of
        // waiting for the pool's acquire timeout.
        match tokio::time::timeout(CHECK_TIMEOUT, self.metadata("index_uuid")).await {
            Ok(Ok(index_uuid)) => IndexState::Available { index_uuid },
            // The database answers but has no tables: it was recreated under
            // the node.
            Ok(Err(sqlx::Error::Database(error))) => {
                tracing::info!(%error, "the security index has no schema; creating it");
                match tokio::time::timeout(CHECK_TIMEOUT, self.ensure_schema()).await {
                    Ok(Ok(())) => match self.metadata("index_uuid").await {
                        Ok(index_uuid) => IndexState::Available { index_uuid },
                        Err(_) => IndexState::Unavailable,
                    },
                    _ => IndexState::Unavailable,
                }
            }
            Ok(Err(error)) => {
                tracing::debug!(%error, "the security index is unavailable");
                IndexState::Unavailable
            }
            Err(_) => IndexState::Unavailable,
        }
    }
}

/// Runs the migrations and gives the index its identity, on `connection`.
async fn make_schema(connection: &mut sqlx::AnyConnection) -> Result<(), sqlx::Error> {
    // Nodes sharing a SQLite file may migrate at the same time; SQLite has
    // no migration lock, so the loser retries once the winner is done.
    let mut attempts = 0;
    loop {
        match sqlx::migrate!("./migrations").run_direct(&mut *connection).await {
            Ok(()) => break,
            Err(error) if attempts < 5 => {
                attempts += 1;
                tracing::debug!(%error, "migrating the security index failed; retrying");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(error) => return Err(error.into()),
        }
    }
    sqlx::query(
        "INSERT INTO security_index_metadata (key, value) VALUES ('index_uuid', $1), ('cluster_uuid', $2) \
         ON CONFLICT (key) DO NOTHING",
    )
    .bind(random_base64_uuid())
    .bind(random_base64_uuid())
    .execute(&mut *connection)
    .await?;
    Ok(())
}

async fn connect(url: &str) -> Result<AnyPool, sqlx::Error> {
    let options: AnyConnectOptions = url.parse()?;
    AnyPoolOptions::new()
        .max_connections(8)
        // A request waits this long for a database that went away, then
        // fails as "unavailable" rather than hanging.
        .acquire_timeout(Duration::from_secs(5))
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
}

fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite://")?;
    Some(PathBuf::from(rest.split('?').next().unwrap_or(rest)))
}

fn inode(path: &std::path::Path) -> Option<u64> {
    std::fs::metadata(path).ok().map(|metadata| metadata.ino())
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

/// The URL without its password (in the user info or a `password`
/// parameter), for messages and logs.
pub fn redact(url: &str) -> String {
    let url = match url.split_once('?') {
        Some((base, query)) => {
            let query: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((key, _)) if key.eq_ignore_ascii_case("password") => format!("{key}=***"),
                    _ => pair.to_string(),
                })
                .collect();
            format!("{base}?{}", query.join("&"))
        }
        None => url.to_string(),
    };
    let url = url.as_str();
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

/// `$1,$2,...,$count`: the parameters of an `IN (...)` list, which both
/// databases number the same way.
pub fn placeholders(count: usize) -> String {
    (1..=count).map(|i| format!("${i}")).collect::<Vec<_>>().join(",")
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
        assert_eq!(redact("postgres://h/db?user=u&password=pw&ssl=on"), "postgres://h/db?user=u&password=***&ssl=on");
        assert_eq!(sqlite_path("sqlite:///tmp/x.db?mode=rwc"), Some(PathBuf::from("/tmp/x.db")));
    }

    #[tokio::test]
    async fn the_schema_is_made_once_and_every_connection_syncs_its_commits() {
        let dir = tempfile::tempdir().unwrap();
        let index = SecurityIndex::open(&default_url(dir.path())).await.unwrap();
        let uuids: Vec<(String, String)> =
            sqlx::query_as("SELECT key, value FROM security_index_metadata ORDER BY key")
                .fetch_all(&index.pool())
                .await
                .unwrap();
        assert_eq!(uuids.iter().map(|(key, _)| key.as_str()).collect::<Vec<_>>(), ["cluster_uuid", "index_uuid"]);
        assert_ne!(uuids[0].1, uuids[1].1);
        // The connection the schema was made on, and a new one (2 is FULL).
        let (mut first, mut second) = (index.pool().acquire().await.unwrap(), index.pool().acquire().await.unwrap());
        for connection in [&mut first, &mut second] {
            let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous").fetch_one(&mut **connection).await.unwrap();
            assert_eq!(synchronous, 2);
        }
        drop((first, second));
        // Made again on an existing index: nothing changes.
        index.ensure_schema().await.unwrap();
        assert_eq!(index.index_uuid().await.unwrap(), uuids[1].1);
    }

    #[tokio::test]
    async fn identity_survives_reopening_and_changes_with_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let url = default_url(dir.path());
        let first = SecurityIndex::open(&url).await.unwrap();
        let uuid = first.index_uuid().await.unwrap();
        assert_eq!(first.check().await, IndexState::Available { index_uuid: uuid.clone() });
        drop(first);
        let index = SecurityIndex::open(&url).await.unwrap();
        assert_eq!(index.index_uuid().await.unwrap(), uuid);
        // Another database put in its place.
        let other = tempfile::tempdir().unwrap();
        let other_url = default_url(other.path());
        SecurityIndex::open(&other_url).await.unwrap();
        std::fs::rename(other.path().join("security.db"), dir.path().join("security.db")).unwrap();
        let _ = std::fs::remove_file(dir.path().join("security.db-wal"));
        let _ = std::fs::remove_file(dir.path().join("security.db-shm"));
        match index.check().await {
            IndexState::Available { index_uuid } => assert_ne!(index_uuid, uuid),
            other => panic!("{other:?}"),
        }
    }
}
