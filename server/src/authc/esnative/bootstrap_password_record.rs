//! What a node remembers across restarts of its bootstrap password
//! (`ELASTIC_PASSWORD`): that it matched `elastic`'s stored hash.
//!
//! A node restarted on an existing security index must check
//! `ELASTIC_PASSWORD` against `elastic`'s bcrypt hash before it can tell a
//! login with it right, and one bcrypt check (cost 10) takes longer than the
//! whole rest of a start. So once a node has seen the two match, it keeps a
//! record in its data path: a digest of the stored hash, and a PBKDF2 hash
//! of the password. At the next start, if the index still holds that hash
//! and the record's PBKDF2 hash verifies `ELASTIC_PASSWORD`, the realm's
//! cache is told the password is right, as on a new index.
//!
//! What the record gives away is a faster way than bcrypt to try guesses at
//! `ELASTIC_PASSWORD`, to whoever can read the node's data path. That is
//! less than Elasticsearch keeps: the Docker image writes `ELASTIC_PASSWORD`
//! into the keystore as `bootstrap.password`, obfuscated, not hashed. The
//! record exists only while the node is started with that password: a start
//! without `ELASTIC_PASSWORD`, or with one the index does not take, removes
//! it. It is readable by the node's user only.

use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::authc::support::hasher::Hasher;

/// The record's file, in `path.data`.
const FILE: &str = "bootstrap_password_record.json";

/// How the record hashes the password: Elasticsearch's lightest PBKDF2
/// (`pbkdf2_1000`), under a millisecond to check at start, a thousand
/// times the work of the realm cache's salted SHA-256 for a guesser.
const RECORD_HASHER: Hasher = Hasher::Pbkdf2 { iterations: 1000 };

/// The file's content.
#[derive(Serialize, Deserialize)]
struct Contents {
    /// Hex SHA-256 of the stored hash the password matched: it names that
    /// hash without copying it.
    stored_hash_sha256: String,
    /// The password, hashed with [`RECORD_HASHER`].
    password_hash: String,
}

/// The record of a node's data path.
pub struct BootstrapPasswordRecord {
    path: PathBuf,
}

impl BootstrapPasswordRecord {
    /// The record kept in `data_path`.
    pub fn in_data_path(data_path: &Path) -> Self {
        BootstrapPasswordRecord { path: data_path.join(FILE) }
    }

    /// Whether this node saw `password` match `stored_hash`, the hash the
    /// index holds now. No (and the realm checks the slow way) when there is
    /// no record, it cannot be read, or it is of another hash or password.
    pub fn shows_match(&self, stored_hash: &str, password: &str) -> bool {
        let Ok(bytes) = std::fs::read(&self.path) else { return false };
        let Ok(contents) = serde_json::from_slice::<Contents>(&bytes) else { return false };
        contents.stored_hash_sha256 == digest(stored_hash) && RECORD_HASHER.verify(password, &contents.password_hash)
    }

    /// Records that `password` matches `stored_hash`. A record that cannot
    /// be written costs the next start a bcrypt check, nothing else; so does
    /// one a crash leaves half written (it does not parse). So it is a plain
    /// write, one descriptor, not a synced replacement: it happens while
    /// the node may be serving at its open-file limit.
    pub async fn record(&self, stored_hash: &str, password: &str) {
        let password_hash = match RECORD_HASHER.hash_blocking(password).await {
            Ok(hash) => hash,
            Err(error) => return tracing::warn!(%error, "could not hash the bootstrap password for its record"),
        };
        let contents = Contents { stored_hash_sha256: digest(stored_hash), password_hash };
        let json = serde_json::to_vec(&contents).expect("the record serializes");
        let written =
            std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(&self.path).and_then(
                |mut file| {
                    // The mode above applies to a new file only.
                    file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
                    file.write_all(&json)
                },
            );
        if let Err(error) = written {
            tracing::warn!(%error, path = %self.path.display(), "could not write the bootstrap password's record");
        }
    }

    /// Removes the record: the node was started without the password it
    /// holds, or with one the index does not take.
    pub fn remove(&self) {
        match std::fs::remove_file(&self.path) {
            Ok(()) => {}
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => {
                tracing::warn!(%error, path = %self.path.display(), "could not remove the bootstrap password's record")
            }
        }
    }
}

fn digest(stored_hash: &str) -> String {
    hex::encode(Sha256::digest(stored_hash.as_bytes()))
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[tokio::test]
    async fn a_record_shows_only_its_own_hash_and_password() {
        let dir = tempfile::tempdir().unwrap();
        let record = BootstrapPasswordRecord::in_data_path(dir.path());
        assert!(!record.shows_match("$2a$10$stored", "secret"));
        record.record("$2a$10$stored", "secret").await;
        assert!(record.shows_match("$2a$10$stored", "secret"));
        assert!(!record.shows_match("$2a$10$stored", "secreT"));
        assert!(!record.shows_match("$2a$10$other", "secret"));
        let file = dir.path().join(FILE);
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        record.record("$2a$10$stored", "secret").await;
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(!text.contains("secret") && !text.contains("$2a$10$stored"), "{text}");
        std::fs::write(&file, "not json").unwrap();
        assert!(!record.shows_match("$2a$10$stored", "secret"));
        record.remove();
        assert!(!file.exists());
        record.remove();
    }
}
