//! The node's security (Elasticsearch's `Security` plugin class): its token
//! stores and caches, realms, roles and the watcher that reloads their
//! files, wired together once at node start.

use std::sync::Arc;

use parking_lot::RwLock;

use crate::authc::authentication::Authentication;
use crate::authc::authenticator::Authenticator;
use crate::authc::esnative::bootstrap_password_record::BootstrapPasswordRecord;
use crate::authc::esnative::native_realm::NativeRealm;
use crate::authc::esnative::native_users_store::NativeUsersStore;
use crate::authc::esnative::reserved_realm::{Bootstrap, PASSWORD_HASHING_SETTING, ReservedRealm};
use crate::authc::file::file_realm::FileRealm;
use crate::authc::file::user_files::{USERS_FILE, USERS_ROLES_FILE};
use crate::authc::service::cache_lease::{CACHE_LEASE_SETTING, CacheLease};
use crate::authc::service::caching_token_store::{CACHE_HASH_ALGO_SETTING, CachingTokenStore};
use crate::authc::service::file_token_store::{FileTokenStore, LoadError, SERVICE_TOKENS_FILE};
use crate::authc::service::index_token_store::IndexTokenStore;
use crate::authc::service::service_account_service::ServiceAccountService;
use crate::authc::service::token_caches::TokenCaches;
use crate::authc::service::{EvictionCause, TOKEN_HASHING_SETTING, TokenSource};
use crate::authc::support::hasher::Hasher;
use crate::authc::support::user_cache::UserCache;
use crate::authz::authorizer::Authorizer;
use crate::authz::composite_roles_store::{CompositeRolesStore, ROLE_CACHE_SIZE_SETTING};
use crate::authz::native_roles_store::NativeRolesStore;
use crate::authz::roles::{ROLES_FILE, RoleStore};
use crate::common::background_task::BackgroundTask;
use crate::config::config_file::Reload;
use crate::config::config_watcher::{ConfigWatcher, OnChange};
use crate::config::environment::PATH_DATA_SETTING;
use crate::config::{RealmId, Settings};
use crate::error::ServiceError;
use crate::observability::metrics::Metrics;
use crate::security_index::monitor::{self, Change, Tracker};
use crate::security_index::{SECURITY_INDEX_URL_SETTING, SecurityIndex, SecurityIndexError, StoreError};

/// The secrets a node starts with, which are not settings: Elasticsearch
/// keeps them in its keystore (`bootstrap.password`); this node takes them
/// from the environment, as Elasticsearch's Docker image does. Not `Debug`:
/// it holds secrets.
#[derive(Clone, Default)]
pub struct SecureSettings {
    /// `elastic`'s first password: `ELASTIC_PASSWORD`.
    pub bootstrap_password: Option<String>,
}

impl SecureSettings {
    /// `elastic`'s first password is `password`.
    pub fn with_bootstrap_password(password: &str) -> Self {
        SecureSettings { bootstrap_password: Some(password.to_string()) }
    }

    /// What the environment gives: `ELASTIC_PASSWORD`, if set.
    pub fn from_env() -> Self {
        SecureSettings { bootstrap_password: std::env::var("ELASTIC_PASSWORD").ok() }
    }
}

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
    /// The node could not register in the security index.
    #[error("failed to register the node in the security index: {0}")]
    Register(StoreError),
}

/// Everything that authenticates and authorizes requests.
pub struct Security {
    authenticator: Authenticator,
    authorizer: Authorizer,
    caches: Arc<TokenCaches>,
    cache_hasher: Hasher,
    password_hasher: Hasher,
    lease: Arc<CacheLease>,
    file_tokens: Arc<FileTokenStore>,
    index_tokens: Arc<IndexTokenStore>,
    /// The cluster's identity, kept in the security index the nodes share
    /// (and so new when the index is).
    cluster_uuid: Arc<RwLock<String>>,
    _watcher: ConfigWatcher,
    _monitor: BackgroundTask,
    _lease_checks: BackgroundTask,
}

/// Gives `elastic` a password if the index has none, and shows a generated
/// one on the console.
async fn set_up_elastic(realm: &Arc<ReservedRealm>) -> Result<(), StoreError> {
    if let Bootstrap::Generated(password) = realm.ensure_elastic_password().await? {
        announce_generated_password(&password);
    }
    Ok(())
}

impl Security {
    /// Loads the security files, opens the security index, makes sure
    /// `elastic` has a password and starts watching the files.
    pub async fn start(
        settings: &Settings,
        secure: SecureSettings,
        metrics: &Metrics,
        node_id: &str,
    ) -> Result<Security, SecurityError> {
        let conf_dir = settings.path_conf();
        let file_tokens = Arc::new(FileTokenStore::load(conf_dir)?);
        let index = Arc::new(SecurityIndex::open(&SECURITY_INDEX_URL_SETTING.get(settings)).await?);
        let index_tokens = Arc::new(IndexTokenStore::new(Arc::clone(&index), TOKEN_HASHING_SETTING.get(settings)));
        let caches = Arc::new(TokenCaches::new(settings, metrics));
        let hasher = CACHE_HASH_ALGO_SETTING.get(settings);
        let lease =
            CacheLease::start(Arc::clone(&index), node_id, CACHE_LEASE_SETTING.get(settings), Arc::clone(&caches))
                .await
                .map_err(SecurityError::Register)?;
        let lease = Arc::new(lease);
        let native_realm = Arc::new(NativeRealm::new(
            settings,
            Arc::new(NativeUsersStore::new(Arc::clone(&index))),
            Arc::clone(&lease),
        ));
        let caching = |source| (Arc::clone(caches.of(source)), hasher, Arc::clone(&lease));
        let service_accounts = ServiceAccountService {
            file: {
                let (cache, hasher, lease) = caching(TokenSource::File);
                CachingTokenStore::new(Arc::clone(&file_tokens), cache, hasher, lease)
            },
            index: {
                let (cache, hasher, lease) = caching(TokenSource::Index);
                CachingTokenStore::new(Arc::clone(&index_tokens), cache, hasher, lease)
            },
        };
        let file_realm = Arc::new(FileRealm::load(settings));
        // The reserved realm's cache settings are its own in Elasticsearch
        // (`realms.reserved.reserved.cache.*`), not the file realm's; this
        // node takes no settings for it, so they keep their defaults.
        let reserved = RealmId { kind: "reserved", name: "reserved".to_string() };
        let reserved_realm = Arc::new(ReservedRealm::new(
            Arc::clone(&index),
            UserCache::for_realm(settings, &reserved),
            secure.bootstrap_password.as_deref(),
            PASSWORD_HASHING_SETTING.get(settings),
            BootstrapPasswordRecord::in_data_path(&PATH_DATA_SETTING.get(settings)),
        ));
        set_up_elastic(&reserved_realm).await.map_err(SecurityError::Bootstrap)?;
        let cluster_uuid = Arc::new(RwLock::new(index.cluster_uuid().await.map_err(SecurityError::Bootstrap)?));
        let file_roles = Arc::new(RoleStore::load(conf_dir));
        let roles = Arc::new(CompositeRolesStore::new(
            Arc::clone(&file_roles),
            NativeRolesStore::new(Arc::clone(&index)),
            ROLE_CACHE_SIZE_SETTING.get(settings),
            Arc::clone(&lease),
        ));
        lease.also_clears({
            let (native_realm, roles) = (Arc::clone(&native_realm), Arc::clone(&roles));
            let reserved_realm = Arc::clone(&reserved_realm);
            move || {
                native_realm.clear_cache(&[]);
                // Reserved users' passwords change through the cluster too.
                reserved_realm.clear_cache(&[]);
                roles.clear_cache(&[]);
            }
        });
        let monitor = monitor::start(Arc::clone(&index), Tracker::new(&index.check().await), {
            let cache = Arc::clone(caches.of(TokenSource::Index));
            let (native_realm, roles) = (Arc::clone(&native_realm), Arc::clone(&roles));
            let reserved_realm = Arc::clone(&reserved_realm);
            let index = Arc::clone(&index);
            let cluster_uuid = Arc::clone(&cluster_uuid);
            move |change| {
                let (cache, reserved_realm) = (Arc::clone(&cache), Arc::clone(&reserved_realm));
                let (index, cluster_uuid) = (Arc::clone(&index), Arc::clone(&cluster_uuid));
                // As Elasticsearch on a change of the security index's state:
                // every realm and role read from it may be stale.
                native_realm.clear_cache(&[]);
                roles.clear_cache(&[]);
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
        let mut unread = file_realm.unread_at_start().to_vec();
        if file_roles.unread_at_start() {
            unread.push(ROLES_FILE);
        }
        let watcher = ConfigWatcher::start(
            conf_dir,
            vec![
                (SERVICE_TOKENS_FILE, {
                    let file_tokens = Arc::clone(&file_tokens);
                    let cache = Arc::clone(caches.of(TokenSource::File));
                    Arc::new(move || match file_tokens.reload() {
                        Some(changed) => {
                            if changed {
                                cache.invalidate_all(EvictionCause::FileChange);
                            }
                            Reload::Read
                        }
                        None => Reload::ReadFailed,
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
                    let roles = Arc::clone(&file_roles);
                    Arc::new(move || roles.reload()) as OnChange
                }),
            ],
            unread,
            metrics.reloads(),
        );
        Ok(Security {
            authenticator: Authenticator { service_accounts, reserved_realm, file_realm, native_realm },
            authorizer: Authorizer { roles },
            caches,
            cache_hasher: hasher,
            password_hasher: PASSWORD_HASHING_SETTING.get(settings),
            _lease_checks: lease.start_checks(),
            lease,
            file_tokens,
            index_tokens,
            cluster_uuid,
            _watcher: watcher,
            _monitor: monitor,
        })
    }

    /// The cluster's identity, as `GET /` shows it.
    pub fn cluster_uuid(&self) -> String {
        self.cluster_uuid.read().clone()
    }

    /// Who sent a request with `headers` to `uri`.
    pub async fn authenticate(
        &self,
        headers: &http::HeaderMap,
        uri: &http::Uri,
    ) -> Result<Authentication, ServiceError> {
        self.authenticator.authenticate(headers, uri).await
    }

    /// Whether `authentication` may perform `action`.
    pub async fn authorize(&self, authentication: &Authentication, action: &str) -> Result<(), ServiceError> {
        self.authorizer.authorize(authentication, action).await
    }

    /// Everything `authentication` holds, for `_has_privileges`.
    pub async fn permissions(
        &self,
        authentication: &Authentication,
    ) -> Result<crate::authz::privilege_check::Permissions, ServiceError> {
        self.authorizer.permissions(authentication).await
    }

    /// The reserved realm, whose users' passwords and enabled states the
    /// user APIs manage.
    pub fn reserved_realm(&self) -> &ReservedRealm {
        &self.authenticator.reserved_realm
    }

    /// Whether the file realm has `username`.
    pub fn file_realm_has(&self, username: &str) -> bool {
        self.authenticator.file_realm.has_user(username)
    }

    /// The native realm, whose users the user APIs manage.
    pub fn native_realm(&self) -> &NativeRealm {
        &self.authenticator.native_realm
    }

    /// Every role: built in, from `roles.yml` and native.
    pub fn roles(&self) -> &CompositeRolesStore {
        &self.authorizer.roles
    }

    /// How passwords are hashed in the security index.
    pub fn password_hasher(&self) -> Hasher {
        self.password_hasher
    }

    /// The realms by name, in the chain's order: reserved, file, native.
    pub fn realm_names(&self) -> [&str; 3] {
        [
            "reserved",
            self.authenticator.file_realm.realm().name.as_str(),
            self.authenticator.native_realm.realm().name.as_str(),
        ]
    }

    /// Forgets `usernames` (everyone when empty) in the caches of `realms`
    /// (every realm when empty), in the order named; a name of no realm
    /// fails, once the realms before it are cleared.
    pub fn clear_realm_caches(&self, realms: &[String], usernames: &[String]) -> Result<(), ServiceError> {
        let authenticator = &self.authenticator;
        let clear = |name: &str| -> Result<(), ServiceError> {
            match name {
                "reserved" => authenticator.reserved_realm.clear_cache(usernames),
                name if name == authenticator.file_realm.realm().name => {
                    authenticator.file_realm.clear_cache(usernames)
                }
                name if name == authenticator.native_realm.realm().name => {
                    authenticator.native_realm.clear_cache(usernames)
                }
                name => return Err(ServiceError::InvalidParameter(format!("could not find active realm [{name}]"))),
            }
            Ok(())
        };
        if realms.is_empty() {
            return self.realm_names().into_iter().try_for_each(clear);
        }
        realms.iter().try_for_each(|realm| clear(realm))
    }

    /// Forgets `names` (every role when empty) in the role cache.
    pub fn clear_role_cache(&self, names: &[String]) {
        self.authorizer.roles.clear_cache(names);
    }

    /// The two service-token caches.
    pub fn token_caches(&self) -> &TokenCaches {
        &self.caches
    }

    /// This node's lease on its token caches, and its part in fencing the
    /// nodes that miss a clear.
    pub fn cache_lease(&self) -> &CacheLease {
        &self.lease
    }

    /// Takes the node out of the security index's registry, once it no
    /// longer serves.
    pub async fn stop(&self) {
        // A node stopped right after it started still stores elastic's
        // password.
        self.authenticator.reserved_realm.setup_done().await;
        self.lease.stop().await;
    }

    /// The tokens of the `service_tokens` file.
    pub fn file_tokens(&self) -> &FileTokenStore {
        &self.file_tokens
    }

    /// The tokens of the `.security` index.
    pub fn index_tokens(&self) -> &IndexTokenStore {
        &self.index_tokens
    }

    /// How the token caches hash the secrets they keep.
    pub fn token_cache_hasher(&self) -> Hasher {
        self.cache_hasher
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
