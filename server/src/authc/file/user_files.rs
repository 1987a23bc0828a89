//! The file realm's two files, read as Elasticsearch's `FileUserPasswdStore`
//! and `FileUserRolesStore` read them: `users` (`user:hash`, bcrypt or any
//! Elasticsearch hash) and `users_roles` (`role:user1,user2`).

use std::collections::HashMap;
use std::path::Path;

use crate::authc::esnative::reserved_realm::is_reserved_username;
use crate::config::config_file::{entries, read_for_load};

/// The users file's name.
pub const USERS_FILE: &str = "users";
/// The user-to-role mapping file's name.
pub const USERS_ROLES_FILE: &str = "users_roles";

/// `name:value` split at the first `:`, neither side empty.
fn split_entry(line: &str) -> Option<(&str, &str)> {
    line.split_once(':').filter(|(name, value)| !name.is_empty() && !value.is_empty())
}

/// The users of the `users` file; `None` if it could not be read.
pub fn parse_users(path: &Path) -> Option<HashMap<String, String>> {
    let mut users = HashMap::new();
    let text = read_for_load(path, "users")?.unwrap_or_default();
    for (line_number, line) in entries(&text) {
        let Some((username, hash)) = split_entry(line) else {
            tracing::error!("invalid entry in users file [{}], line [{line_number}]. skipping...", path.display());
            continue;
        };
        if let Err(reason) = validate_username(username) {
            tracing::error!("invalid username [{username}] in users file [{}], skipping... ({reason})", path.display());
            continue;
        }
        users.insert(username.to_string(), hash.to_string());
    }
    tracing::debug!("parsed [{}] users from file [{}]", users.len(), path.display());
    Some(users)
}

/// The roles of each user of the `users_roles` file; `None` if it could
/// not be read.
pub fn parse_user_roles(path: &Path) -> Option<HashMap<String, Vec<String>>> {
    let mut user_roles: HashMap<String, Vec<String>> = HashMap::new();
    let text = read_for_load(path, "users_roles")?.unwrap_or_default();
    for (line_number, line) in entries(&text) {
        let Some((role, users)) = split_entry(line) else {
            tracing::error!(
                "invalid entry in users_roles file [{}], line [{line_number}]. skipping...",
                path.display()
            );
            continue;
        };
        let role = role.trim();
        let users: Vec<&str> = users.split(',').map(str::trim).filter(|u| !u.is_empty()).collect();
        if users.is_empty() {
            tracing::error!(
                "invalid entry for role [{role}] in users_roles file [{}], line [{line_number}]. no users found. skipping...",
                path.display()
            );
            continue;
        }
        for user in users {
            user_roles.entry(user.to_string()).or_default().push(role.to_string());
        }
    }
    Some(user_roles)
}

/// Elasticsearch's user-name rules (`Validation.Users.validateUsername`).
fn validate_username(username: &str) -> Result<(), String> {
    if is_reserved_username(username) {
        return Err(format!("Username [{username}] is reserved and may not be used."));
    }
    let printable = username.chars().all(|c| (' '..='~').contains(&c));
    if username.is_empty() || username.len() > 1024 || !printable || username.trim() != username {
        return Err("User names must be at least 1 and no more than 1024 characters. They can contain alphanumeric \
                    characters (a-z, A-Z, 0-9), spaces, punctuation, and printable symbols in the Basic Latin (ASCII) \
                    block. Leading or trailing whitespace is not allowed."
            .to_string());
    }
    Ok(())
}
