//! Every setting a node accepts, as Elasticsearch's `ClusterSettings` lists
//! its built-in ones: the declarations live next to their components; this
//! list is what `--help` shows and what an unknown key is checked against.

use crate::authc::esnative::native_realm::NATIVE_REALM_TYPE;
use crate::authc::esnative::reserved_realm::PASSWORD_HASHING_SETTING;
use crate::authc::file::file_realm::FILE_REALM_TYPE;
use crate::authc::service::TOKEN_HASHING_SETTING;
use crate::authc::service::cache_lease::CACHE_LEASE_SETTING;
use crate::authc::service::caching_token_store::{
    CACHE_HASH_ALGO_SETTING, CACHE_MAX_TOKENS_SETTING, CACHE_TTL_SETTING,
};
use crate::authc::support::realm_settings::{ENABLED_SETTING, ORDER_SETTING};
use crate::authc::support::user_cache::{
    CACHE_HASH_ALGO_SETTING as REALM_CACHE_HASH_ALGO, CACHE_MAX_USERS_SETTING, CACHE_TTL_SETTING as REALM_CACHE_TTL,
};
use crate::authz::composite_roles_store::ROLE_CACHE_SIZE_SETTING;
use crate::cluster::CLUSTER_NAME_SETTING;
use crate::cluster::fan_out::NODE_TIMEOUT_SETTING;
use crate::cluster::membership::{
    FOLLOWER_CHECK_INTERVAL_SETTING, FOLLOWER_CHECK_RETRY_COUNT_SETTING, FOLLOWER_CHECK_TIMEOUT_SETTING,
    SEED_HOSTS_SETTING,
};
use crate::cluster::transport::{
    TRANSPORT_HOST_SETTING, TRANSPORT_PORT_SETTING, TRANSPORT_PUBLISH_HOST_SETTING, TRANSPORT_PUBLISH_PORT_SETTING,
    TRANSPORT_SECRET_FILE_SETTING,
};
use crate::common::suggestions;
use crate::config::environment::PATH_DATA_SETTING;
use crate::config::setting::{Declared, DeclaredRealmSetting, REALMS_PREFIX};
use crate::config::settings::{Settings, SettingsError};
use crate::http::{
    HTTP_HOST_SETTING, HTTP_MAX_CONTENT_LENGTH_SETTING, HTTP_MAX_INITIAL_LINE_LENGTH_SETTING,
    HTTP_MAX_OPEN_CONNECTIONS_SETTING, HTTP_PORT_SETTING, HTTP_READ_TIMEOUT_SETTING, HTTP_REQUEST_HEAD_TIMEOUT_SETTING,
};
use crate::node::NODE_NAME_SETTING;
use crate::security_index::SECURITY_INDEX_URL_SETTING;

/// The node's settings, in the order `--help` lists them.
static SETTINGS: &[&dyn Declared] = &[
    &CLUSTER_NAME_SETTING,
    &NODE_NAME_SETTING,
    &PATH_DATA_SETTING,
    &HTTP_HOST_SETTING,
    &HTTP_PORT_SETTING,
    &HTTP_MAX_CONTENT_LENGTH_SETTING,
    &HTTP_MAX_INITIAL_LINE_LENGTH_SETTING,
    &HTTP_MAX_OPEN_CONNECTIONS_SETTING,
    &HTTP_REQUEST_HEAD_TIMEOUT_SETTING,
    &HTTP_READ_TIMEOUT_SETTING,
    &CACHE_TTL_SETTING,
    &CACHE_MAX_TOKENS_SETTING,
    &CACHE_HASH_ALGO_SETTING,
    &CACHE_LEASE_SETTING,
    &TOKEN_HASHING_SETTING,
    &PASSWORD_HASHING_SETTING,
    &ROLE_CACHE_SIZE_SETTING,
    &SEED_HOSTS_SETTING,
    &TRANSPORT_HOST_SETTING,
    &TRANSPORT_PUBLISH_HOST_SETTING,
    &TRANSPORT_PORT_SETTING,
    &TRANSPORT_PUBLISH_PORT_SETTING,
    &TRANSPORT_SECRET_FILE_SETTING,
    &NODE_TIMEOUT_SETTING,
    &FOLLOWER_CHECK_INTERVAL_SETTING,
    &FOLLOWER_CHECK_TIMEOUT_SETTING,
    &FOLLOWER_CHECK_RETRY_COUNT_SETTING,
    &SECURITY_INDEX_URL_SETTING,
];

/// The realm types a node can configure; each is internal (at most one
/// realm of it).
static REALM_TYPES: &[&str] = &[FILE_REALM_TYPE, NATIVE_REALM_TYPE];

/// The settings of every realm.
static REALM_SETTINGS: &[&dyn DeclaredRealmSetting] =
    &[&ORDER_SETTING, &ENABLED_SETTING, &REALM_CACHE_TTL, &CACHE_MAX_USERS_SETTING, &REALM_CACHE_HASH_ALGO];

/// Every setting as `--help` lists it: key (a pattern for realm settings),
/// what it does, and its default as shown.
pub fn entries() -> impl Iterator<Item = (String, &'static str, &'static str)> {
    let plain = SETTINGS.iter().map(|s| (s.pattern().into_owned(), s.help(), s.shown_default()));
    let realms = REALM_TYPES.iter().flat_map(|kind| {
        REALM_SETTINGS
            .iter()
            .map(move |s| (format!("{REALMS_PREFIX}{kind}.<name>.{}", s.suffix()), s.help(), s.shown_default()))
    });
    plain.chain(realms)
}

/// `--help`'s list of settings, with their defaults.
pub fn help() -> String {
    entries().map(|(key, text, default)| format!("  {key}\n      {text} (default: {default})\n")).collect()
}

/// Whether `key` is a realm setting: `<prefix><type>.<name>.<suffix>`.
fn is_realm_setting(key: &str) -> bool {
    let Some(rest) = key.strip_prefix(REALMS_PREFIX) else { return false };
    let Some((kind, rest)) = rest.split_once('.') else { return false };
    let Some((name, suffix)) = rest.split_once('.') else { return false };
    REALM_TYPES.contains(&kind) && !name.is_empty() && REALM_SETTINGS.iter().any(|s| s.suffix() == suffix)
}

/// Refuses unknown keys (with Elasticsearch's "did you mean"), more than one
/// realm of an internal type, and any value (given or default) that does
/// not parse.
pub fn check(settings: &Settings) -> Result<(), SettingsError> {
    if let Some(key) =
        settings.keys().find(|key| !is_realm_setting(key) && !SETTINGS.iter().any(|s| s.pattern() == *key))
    {
        let candidates: Vec<String> = SETTINGS.iter().map(|setting| setting.pattern().into_owned()).collect();
        let mut suggestions: Vec<String> = suggestions::similar(key, candidates.iter().map(String::as_str), 0.7)
            .into_iter()
            .map(str::to_string)
            .collect();
        // A realm setting is suggested by the part after the realm's name,
        // with the realm of the key filled in.
        if let Some((realm, suffix)) = key.strip_prefix(REALMS_PREFIX).and_then(|rest| {
            let (kind, rest) = rest.split_once('.')?;
            let (name, suffix) = rest.split_once('.')?;
            Some((format!("{REALMS_PREFIX}{kind}.{name}"), suffix))
        }) {
            let suffixes = REALM_SETTINGS.iter().map(|setting| setting.suffix());
            suggestions.extend(suggestions::similar(suffix, suffixes, 0.7).into_iter().map(|s| format!("{realm}.{s}")));
        }
        return Err(SettingsError::Unknown { key: key.to_string(), suggestions });
    }
    // Derived defaults read other settings: those are checked first.
    for setting in SETTINGS.iter().filter(|s| !s.is_derived()).chain(SETTINGS.iter().filter(|s| s.is_derived())) {
        setting.check(settings)?;
    }
    for kind in REALM_TYPES {
        let names = settings.realm_names(kind);
        if names.len() > 1 {
            return Err(SettingsError::Invalid {
                key: format!("{REALMS_PREFIX}{kind}.{}", names[1]),
                value: names.join(","),
                detail: format!(
                    ": multiple [{kind}] realms are configured. [{kind}] is an internal realm and therefore there \
                     can only be one such realm configured"
                ),
            });
        }
        for name in names {
            let realm = crate::config::RealmId { kind, name };
            for setting in REALM_SETTINGS {
                setting.check(settings, &realm)?;
            }
        }
    }
    Ok(())
}
