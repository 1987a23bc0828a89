//! Authorizing an authenticated caller for an action by its cluster
//! privileges, with Elasticsearch's 403 wording.

use std::sync::Arc;

use crate::actions::authenticate;
use crate::authc::authentication::Authentication;
use crate::authc::service::service_accounts;
use crate::authz::composite_roles_store::{CompositeRolesStore, ResolvedRoles};
use crate::authz::index_privileges::IndexGroup;
use crate::authz::privilege_check::Permissions;
use crate::authz::privileges;
use crate::error::ServiceError;

/// Decides who may do what.
pub struct Authorizer {
    /// The roles users are mapped to.
    pub roles: Arc<CompositeRolesStore>,
}

impl Authorizer {
    /// Ok if `authentication` holds a cluster privilege that grants `action`.
    pub async fn authorize(&self, authentication: &Authentication, action: &str) -> Result<(), ServiceError> {
        // Every caller may ask who it is.
        if action == authenticate::NAME {
            return Ok(());
        }
        let (granted, roles) = match authentication {
            Authentication::ServiceAccount { principal, .. } => {
                (service_accounts::get(principal).is_some_and(|account| account.grants(action)), None)
            }
            // Built-in and file roles first, without reading the index: a
            // grant by one of them stands whatever the native roles hold.
            Authentication::User { user, .. } if self.roles.file_roles_grant(&user.roles, action) => (true, None),
            Authentication::User { user, .. } => {
                let roles = self.resolve(&user.roles).await?;
                let granted =
                    roles.found.iter().any(|(_, role)| role.cluster.iter().any(|privilege| privilege.grants(action)));
                (granted, Some(roles))
            }
        };
        if granted {
            return Ok(());
        }
        Err(ServiceError::Unauthorized {
            action: action.to_string(),
            who: describe(authentication, roles.as_ref()),
            privileges: privileges::privileges_granting(action),
        })
    }

    /// The roles of `names`; a security index that cannot answer fails the
    /// request as it fails authentication.
    async fn resolve(&self, names: &[String]) -> Result<ResolvedRoles, ServiceError> {
        self.roles.resolve(names).await.map_err(ServiceError::IndexUnavailable)
    }

    /// Everything `authentication` holds: its roles' privileges together
    /// (a service account's are its role descriptor's).
    pub async fn permissions(&self, authentication: &Authentication) -> Result<Permissions, ServiceError> {
        let mut permissions = Permissions::default();
        match authentication {
            Authentication::ServiceAccount { principal, .. } => {
                if let Some(account) = service_accounts::get(principal) {
                    permissions.cluster = account.cluster_privileges().to_vec();
                    permissions.indices = account
                        .role_descriptor
                        .indices
                        .iter()
                        .filter_map(|group| {
                            IndexGroup::new(group.names.clone(), &group.privileges, group.allow_restricted_indices).ok()
                        })
                        .collect();
                }
            }
            Authentication::User { user, .. } => {
                for (_, role) in self.resolve(&user.roles).await?.found {
                    permissions.cluster.extend(role.cluster);
                    permissions.indices.extend(role.indices);
                    permissions.all_applications |= role.all_applications;
                }
            }
        }
        Ok(permissions)
    }
}

/// Who was refused, as a 403 names them: a user with the roles it has and
/// the assigned ones that do not exist.
fn describe(authentication: &Authentication, roles: Option<&ResolvedRoles>) -> String {
    match (authentication, roles) {
        (Authentication::User { user, .. }, Some(roles)) => {
            let mut effective: Vec<&str> = roles.found.iter().map(|(name, _)| name.as_str()).collect();
            let mut missing: Vec<&str> = roles.missing.iter().map(String::as_str).collect();
            effective.sort_unstable();
            effective.dedup();
            missing.sort_unstable();
            missing.dedup();
            let mut who = format!("user [{}] with effective roles [{}]", user.username, effective.join(","));
            if !missing.is_empty() {
                who.push_str(&format!(" (assigned roles [{}] were not found)", missing.join(",")));
            }
            who
        }
        (authentication, _) => format!("service account [{}]", authentication.principal()),
    }
}
