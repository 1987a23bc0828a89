//! Every role a user may be mapped to (`CompositeRolesStore`): the built-in
//! `superuser`, then `roles.yml`, then the native roles of the security
//! index. A name found earlier hides the later ones, as in Elasticsearch
//! (a file role wins over a native role of the same name).
//!
//! Native roles are read through a cache, negative answers included: it is
//! cleared by the role cache clear API and by every change through the
//! role API, on every node, and used only while the node holds its cache
//! lease.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use es_tokens_types::RoleDescriptor;

use crate::authc::service::cache_lease::CacheLease;
use crate::authz::index_privileges::IndexGroup;
use crate::authz::native_roles_store::NativeRolesStore;
use crate::authz::privileges::ClusterPrivilege;
use crate::authz::roles::{Role, RoleStore};
use crate::config::{Setting, values};
use crate::security_index::StoreError;

/// How many native roles the cache holds
/// (`CompositeRolesStore.CACHE_SIZE_SETTING`).
pub const ROLE_CACHE_SIZE_SETTING: Setting<u64> = Setting::new(
    "xpack.security.authz.store.roles.cache.max_size",
    "10000",
    values::non_negative_int,
    "most native roles (found or not) the role cache holds",
);

/// The roles of some names: those found, in the order asked, and the names
/// no store knows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ResolvedRoles {
    /// Found roles, by name.
    pub found: Vec<(String, Role)>,
    /// Names of no role.
    pub missing: Vec<String>,
}

/// The roles of every store.
pub struct CompositeRolesStore {
    file: Arc<RoleStore>,
    native: NativeRolesStore,
    /// Native roles by name; `None` for a name the index does not hold.
    cache: moka::sync::Cache<String, Option<Arc<Role>>>,
    /// Bumped by every invalidation, so that a read that started before a
    /// clear does not cache what the clear made stale.
    epoch: AtomicU64,
    lease: Arc<CacheLease>,
}

impl CompositeRolesStore {
    /// The stores, with a cache of `cache_size` native roles used under
    /// `lease`.
    pub fn new(file: Arc<RoleStore>, native: NativeRolesStore, cache_size: u64, lease: Arc<CacheLease>) -> Self {
        CompositeRolesStore { file, native, cache: moka::sync::Cache::new(cache_size), epoch: AtomicU64::new(0), lease }
    }

    /// The native roles.
    pub fn native(&self) -> &NativeRolesStore {
        &self.native
    }

    /// The roles of `names`: built-in and file roles first, the rest from
    /// the security index.
    pub async fn resolve(&self, names: &[String]) -> Result<ResolvedRoles, StoreError> {
        let mut found = Vec::new();
        let mut unresolved = Vec::new();
        for name in names {
            match self.file.role(name) {
                Some(role) => found.push((name.clone(), role)),
                None => unresolved.push(name.clone()),
            }
        }
        let mut missing = Vec::new();
        if !unresolved.is_empty() {
            let native = self.native_roles(&unresolved).await?;
            for (name, role) in unresolved.into_iter().zip(native) {
                match role {
                    Some(role) => found.push((name, Role::clone(&role))),
                    None => missing.push(name),
                }
            }
        }
        // In the order the user's roles list them.
        found.sort_by_key(|(name, _)| names.iter().position(|n| n == name));
        Ok(ResolvedRoles { found, missing })
    }

    /// Whether a built-in or file role among `names` grants `action`.
    pub fn file_roles_grant(&self, names: &[String], action: &str) -> bool {
        names.iter().any(|name| self.file.grants(name, action) == Some(true))
    }

    /// The native roles of `names`, in their order, from the cache where it
    /// may be used.
    async fn native_roles(&self, names: &[String]) -> Result<Vec<Option<Arc<Role>>>, StoreError> {
        let usable = self.lease.holds() || self.lease.renew().await;
        let mut roles: Vec<Option<Option<Arc<Role>>>> =
            names.iter().map(|name| if usable { self.cache.get(name) } else { None }).collect();
        let wanted: Vec<String> =
            names.iter().zip(&roles).filter(|(_, cached)| cached.is_none()).map(|(name, _)| name.clone()).collect();
        if !wanted.is_empty() {
            let started = self.epoch.load(Ordering::SeqCst);
            let read = self.native.get(&wanted).await?;
            for (name, slot) in names.iter().zip(roles.iter_mut()) {
                if slot.is_some() {
                    continue;
                }
                let role = read.iter().find(|(found, _)| found == name).map(|(_, d)| Arc::new(to_role(d)));
                if usable {
                    self.cache.insert(name.clone(), role.clone());
                    // As the user cache: a clear since the read takes it back.
                    if self.epoch.load(Ordering::SeqCst) != started {
                        self.cache.invalidate(name);
                    }
                }
                *slot = Some(role);
            }
        }
        Ok(roles.into_iter().map(|role| role.flatten()).collect())
    }

    /// Forgets `names`, or every native role when none is named.
    pub fn clear_cache(&self, names: &[String]) {
        self.epoch.fetch_add(1, Ordering::SeqCst);
        if names.is_empty() {
            self.cache.invalidate_all();
        } else {
            for name in names {
                self.cache.invalidate(name);
            }
        }
    }
}

/// What a stored descriptor grants on this node: its cluster privileges
/// and index groups (checked when it was put; anything unreadable since
/// grants nothing).
pub fn to_role(descriptor: &RoleDescriptor) -> Role {
    Role {
        cluster: descriptor.cluster.iter().filter_map(|name| ClusterPrivilege::resolve(name)).collect(),
        indices: descriptor
            .indices
            .iter()
            .filter_map(|group| {
                IndexGroup::new(group.names.clone(), &group.privileges, group.allow_restricted_indices).ok()
            })
            .collect(),
        all_applications: false,
    }
}
