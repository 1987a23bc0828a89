//! Authorizing an authenticated caller for an action by its cluster
//! privileges, with Elasticsearch's 403 wording.

use std::sync::Arc;

use crate::actions::authenticate;
use crate::authc::authentication::Authentication;
use crate::authc::service::service_accounts;
use crate::authz::index_privileges::IndexGroup;
use crate::authz::privilege_check::Permissions;
use crate::authz::privileges;
use crate::authz::roles::RoleStore;
use crate::error::ServiceError;

/// Decides who may do what.
pub struct Authorizer {
    /// The roles users are mapped to.
    pub roles: Arc<RoleStore>,
}

impl Authorizer {
    /// Ok if `authentication` holds a cluster privilege that grants `action`.
    pub fn authorize(&self, authentication: &Authentication, action: &str) -> Result<(), ServiceError> {
        // Every caller may ask who it is.
        if action == authenticate::NAME {
            return Ok(());
        }
        let granted = match authentication {
            Authentication::ServiceAccount { principal, .. } => {
                service_accounts::get(principal).is_some_and(|account| account.grants(action))
            }
            Authentication::User { user, .. } => {
                user.roles.iter().any(|role| self.roles.grants(role, action) == Some(true))
            }
        };
        if granted {
            return Ok(());
        }
        Err(ServiceError::Unauthorized {
            action: action.to_string(),
            who: self.describe(authentication),
            privileges: privileges::privileges_granting(action),
        })
    }

    /// Everything `authentication` holds: its roles' privileges together
    /// (a service account's are its role descriptor's).
    pub fn permissions(&self, authentication: &Authentication) -> Permissions {
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
                for role in user.roles.iter().filter_map(|role| self.roles.role(role)) {
                    permissions.cluster.extend(role.cluster);
                    permissions.indices.extend(role.indices);
                    permissions.all_applications |= role.all_applications;
                }
            }
        }
        permissions
    }

    /// Who was refused, as a 403 names them: a user with the roles it has
    /// and the assigned ones that do not exist.
    fn describe(&self, authentication: &Authentication) -> String {
        match authentication {
            Authentication::ServiceAccount { principal, .. } => format!("service account [{principal}]"),
            Authentication::User { user, .. } => {
                let (mut effective, mut missing): (Vec<&str>, Vec<&str>) =
                    user.roles.iter().map(String::as_str).partition(|role| self.roles.exists(role));
                effective.sort_unstable();
                missing.sort_unstable();
                let mut who = format!("user [{}] with effective roles [{}]", user.username, effective.join(","));
                if !missing.is_empty() {
                    who.push_str(&format!(" (assigned roles [{}] were not found)", missing.join(",")));
                }
                who
            }
        }
    }
}
