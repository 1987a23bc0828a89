//! The node's security: its token stores and caches, realms, roles and the
//! watcher that reloads their files; built once at node start.

use std::sync::Arc;

use dropshot::RequestInfo;
use parking_lot::RwLock;

use crate::authentication::Authentication;
use crate::authenticator::Authenticator;
use crate::authorization::Authorizer;
use crate::background_task::BackgroundTask;
use crate::caching_token_store::CachingTokenStore;
use crate::config_watcher::{ConfigWatcher, OnChange};
use crate::error::ServiceError;
use crate::file_realm::{FileRealm, USERS_FILE, USERS_ROLES_FILE};
use crate::file_token_store::{FileTokenStore, LoadError, SERVICE_TOKENS_FILE};
use crate::hasher::Hasher;
use crate::index_token_store::IndexTokenStore;
use crate::metrics::{EvictionCause, Metrics};
use crate::reserved_realm::{Bootstrap, ReservedRealm};
use crate::roles::{ROLES_FILE, RoleStore};
use crate::security_index::{SecurityIndex, SecurityIndexError};
use crate::security_index_monitor::{self, Change, Tracker};
use crate::service_account_authenticator::ServiceAccountAuthenticator;
use crate::settings::Settings;
use crate::token_caches::TokenCaches;
use crate::token_store::StoreError;
use crate::user_cache::UserCache;

/// Why security could not start.
#[derive(Debug, thiserror::Error)]
pub enum SecurityError {
    /// The `service_tokens` file does not parse.
    #[error(transparent)]
    FileTokens(#[from] LoadError),
    /// The security index cannot be opened.
    #[error(transparent)]
    Index(#[from] SecurityIndexError),
    /// The `elastic` user's password could not be set up.
    #[error("failed to set up the [elastic] user: {0}")]
    Bootstrap(StoreError),
}

/// Everything that authenticates and authorizes requests.
pub struct Security {
    authenticator: Authenticator,
    authorizer: Authorizer,
    /// The two service-token caches.
    pub caches: TokenCaches,
    /// The `service_tokens` file.
    pub file_tokens: Arc<FileTokenStore>,
    /// The `.security` index's tokens.
    pub index_tokens: Arc<IndexTokenStore>,
    /// How new tokens' secrets are hashed.
    pub token_hasher: Hasher,
    /// The cluster's identity, kept in the security index the nodes share
    /// (and so new when the index is).
    cluster_uuid: Arc<RwLock<String>>,
    _watcher: ConfigWatcher,
    _monitor: BackgroundTask,
}

/// Gives `elastic` a password if the index has none, and shows a generated
/// one on the console.
async fn set_up_elastic(realm: &ReservedRealm) -> Result<(), StoreError> {
    if let Bootstrap::Generated(password) = realm.ensure_elastic_password().await? {
        announce_generated_password(&password);
    }
    Ok(())
}

impl Security {
    /// Loads the security files, opens the security index, makes sure
    /// `elastic` has a password and starts watching the files.
    pub async fn start(settings: &Settings, metrics: &Metrics) -> Result<Security, SecurityError> {
        let conf_dir = &settings.path_conf;
        let file_tokens = Arc::new(FileTokenStore::load(conf_dir)?);
        let index = Arc::new(SecurityIndex::open(&settings.security_index_url).await?);
        let index_tokens = Arc::new(IndexTokenStore::new(Arc::clone(&index)));
        let caches = TokenCaches::new(&settings.service_token_cache, metrics);
        let hasher = settings.service_token_cache_hasher;
        let service_accounts = ServiceAccountAuthenticator {
            file: CachingTokenStore::new(Arc::clone(&file_tokens), Arc::clone(&caches.file), hasher),
            index: CachingTokenStore::new(Arc::clone(&index_tokens), Arc::clone(&caches.index), hasher),
        };
        let realm = &settings.file_realm;
        let file_realm = Arc::new(FileRealm::load(conf_dir, realm));
        // The reserved realm's cache settings are its own in Elasticsearch
        // (`realms.reserved.reserved.cache.*`), not the file realm's; this
        // node does not read them, so they keep their defaults.
        let reserved_realm = Arc::new(ReservedRealm::new(
            Arc::clone(&index),
            UserCache::with_defaults(),
            settings.bootstrap_password.as_deref(),
            settings.password_hasher,
        ));
        set_up_elastic(&reserved_realm).await.map_err(SecurityError::Bootstrap)?;
        let cluster_uuid = Arc::new(RwLock::new(index.cluster_uuid().await.map_err(SecurityError::Bootstrap)?));
        let monitor = security_index_monitor::start(Arc::clone(&index), Tracker::new(&index.check().await), {
            let cache = Arc::clone(&caches.index);
            let reserved_realm = Arc::clone(&reserved_realm);
            let index = Arc::clone(&index);
            let cluster_uuid = Arc::clone(&cluster_uuid);
            move |change| {
                let (cache, reserved_realm) = (Arc::clone(&cache), Arc::clone(&reserved_realm));
                let (index, cluster_uuid) = (Arc::clone(&index), Arc::clone(&cluster_uuid));
                Box::pin(async move {
                    cache.invalidate_all(EvictionCause::IndexChange);
                    reserved_realm.invalidate_cache();
                    if change == Change::NewIndex {
                        if let Err(error) = set_up_elastic(&reserved_realm).await {
                            tracing::error!(%error, "failed to set up the [elastic] user in the new security index");
                        }
                        // A login meanwhile may have been checked against
                        // ELASTIC_PASSWORD, which the new index may not
                        // hold (another node may have set elastic up first).
                        reserved_realm.invalidate_cache();
                        if let Ok(uuid) = index.cluster_uuid().await {
                            *cluster_uuid.write() = uuid;
                        }
                    }
                })
            }
        });
        let roles = Arc::new(RoleStore::load(conf_dir));
        let watcher = ConfigWatcher::start(
            conf_dir,
            vec![
                (SERVICE_TOKENS_FILE, {
                    let file_tokens = Arc::clone(&file_tokens);
                    let cache = Arc::clone(&caches.file);
                    Arc::new(move || {
                        if file_tokens.reload() {
                            cache.invalidate_all(EvictionCause::FileChange);
                        }
                    }) as OnChange
                }),
                (USERS_FILE, {
                    let file_realm = Arc::clone(&file_realm);
                    Arc::new(move || file_realm.reload_users()) as OnChange
                }),
                (USERS_ROLES_FILE, {
                    let file_realm = Arc::clone(&file_realm);
                    Arc::new(move || file_realm.reload_user_roles()) as OnChange
                }),
                (ROLES_FILE, {
                    let roles = Arc::clone(&roles);
                    Arc::new(move || roles.reload()) as OnChange
                }),
            ],
            metrics.reloads(),
        );
        Ok(Security {
            authenticator: Authenticator { service_accounts, reserved_realm, file_realm },
            authorizer: Authorizer { roles },
            caches,
            file_tokens,
            index_tokens,
            token_hasher: settings.service_token_hasher,
            cluster_uuid,
            _watcher: watcher,
            _monitor: monitor,
        })
    }

    /// The cluster's identity, as `GET /` shows it.
    pub fn cluster_uuid(&self) -> String {
        self.cluster_uuid.read().clone()
    }

    /// Who sent `request`.
    pub async fn authenticate(&self, request: &RequestInfo) -> Result<Authentication, ServiceError> {
        self.authenticator.authenticate(request).await
    }

    /// Whether `authentication` may perform `action`.
    pub fn authorize(&self, authentication: &Authentication, action: &str) -> Result<(), ServiceError> {
        self.authorizer.authorize(authentication, action)
    }
}

/// Shows the generated `elastic` password once, on the console rather than in
/// the log, as Elasticsearch does on its first start.
fn announce_generated_password(password: &str) {
    println!(
        "\n━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━\n\
         Elasticsearch security features have been automatically configured!\n\n\
         Password for the elastic user (set ELASTIC_PASSWORD before the first start to choose it):\n  {password}\n\
         ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━\n"
    );
}
