//! Authorizing an authenticated caller for an action by its cluster
//! privileges, with Elasticsearch's 403 wording.

use std::sync::Arc;

use crate::authentication::Authentication;
use crate::error::ServiceError;
use crate::privileges::{self, actions};
use crate::roles::RoleStore;
use crate::service_accounts;

/// Decides who may do what.
pub struct Authorizer {
    /// The roles users are mapped to.
    pub roles: Arc<RoleStore>,
}

impl Authorizer {
    /// Ok if `authentication` holds a cluster privilege that grants `action`.
    pub fn authorize(&self, authentication: &Authentication, action: &str) -> Result<(), ServiceError> {
        // Every caller may ask who it is.
        if action == actions::AUTHENTICATE {
            return Ok(());
        }
        let (granted, who) = match authentication {
            Authentication::ServiceAccount { principal, .. } => {
                let cluster =
                    service_accounts::get(principal).map(|a| a.role_descriptor.cluster.clone()).unwrap_or_default();
                (cluster.iter().any(|p| privileges::grants(p, action)), format!("service account [{principal}]"))
            }
            Authentication::User { user, .. } => {
                let mut effective = Vec::new();
                let mut missing = Vec::new();
                let mut granted = false;
                for role in &user.roles {
                    match self.roles.cluster_privileges(role) {
                        Some(cluster) => {
                            granted |= cluster.iter().any(|p| privileges::grants(p, action));
                            effective.push(role.clone());
                        }
                        None => missing.push(role.clone()),
                    }
                }
                effective.sort();
                missing.sort();
                let mut who = format!("user [{}] with effective roles [{}]", user.username, effective.join(","));
                if !missing.is_empty() {
                    who.push_str(&format!(" (assigned roles [{}] were not found)", missing.join(",")));
                }
                (granted, who)
            }
        };
        if granted {
            Ok(())
        } else {
            Err(ServiceError::Unauthorized {
                action: action.to_string(),
                who,
                privileges: privileges::privileges_granting(action),
            })
        }
    }
}
