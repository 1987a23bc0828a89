//! Path and query parameters.

use schemars::JsonSchema;
use serde::Deserialize;

/// The path of an operation on some tokens of one service account.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ServiceTokensPath {
    /// The namespace, which is a top-level grouping of service accounts.
    pub namespace: String,
    /// The name of the service, which must be unique within its namespace.
    pub service: String,
    /// A comma-separated list of token names to evict from the service
    /// account token caches. Use a wildcard (`*`) to evict all tokens that
    /// belong to a service account. It does not support other wildcard
    /// patterns.
    #[schemars(with = "es_tokens_types::TokenNameList")]
    pub name: String,
}

/// The path of an operation on one token of one service account.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ServiceTokenPath {
    /// The namespace, which is a top-level grouping of service accounts.
    pub namespace: String,
    /// The name of the service, which must be unique within its namespace.
    pub service: String,
    /// The token name: 1 to 256 characters, alphanumeric, `-` or `_`, not
    /// starting with `_`. Unique within the service account.
    #[schemars(with = "es_tokens_types::TokenName")]
    pub name: String,
}

/// The path of an operation on one service account.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ServiceAccountPath {
    /// The namespace, which is a top-level grouping of service accounts.
    pub namespace: String,
    /// The name of the service, which must be unique within its namespace.
    pub service: String,
}

/// The path of an operation on the service accounts of one namespace.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct NamespacePath {
    /// The namespace, which is a top-level grouping of service accounts.
    pub namespace: String,
}

/// Declares a struct of query parameters, each an `Option<String>`, read as
/// Elasticsearch reads query strings: a parameter given twice is the last
/// value given, and other parameters are the handler's to refuse, so that
/// every bad query gets Elasticsearch's error (dropshot's own would say
/// "duplicate field"). The handler parses the values, with Elasticsearch's
/// messages; the schemas document what it accepts.
macro_rules! query_parameters {
    ($(#[$meta:meta])* pub struct $name:ident { $($(#[$field_meta:meta])* $field:ident,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Default, JsonSchema)]
        pub struct $name {
            $($(#[$field_meta])* pub $field: Option<String>,)*
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct LastValue;
                impl<'de> serde::de::Visitor<'de> for LastValue {
                    type Value = $name;

                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str("query parameters")
                    }

                    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<$name, A::Error> {
                        let mut query = $name::default();
                        while let Some((key, value)) = map.next_entry::<String, String>()? {
                            match key.as_str() {
                                $(stringify!($field) => query.$field = Some(value),)*
                                _ => {}
                            }
                        }
                        Ok(query)
                    }
                }
                deserializer.deserialize_map(LastValue)
            }
        }
    };
}

query_parameters! {
    /// The `refresh` parameter of operations that write the security index.
    pub struct RefreshQuery {
        /// `true` (or empty) to make the change visible to search at once,
        /// `wait_for` to wait until it is, `false` to do neither. Changes are
        /// visible at once on this node whatever the value; it is validated as
        /// Elasticsearch validates it.
        #[schemars(with = "Option<es_tokens_types::RefreshPolicy>")]
        refresh,
    }
}

query_parameters! {
    /// The parameters of `GET /_cluster/health` (`RestClusterHealthAction`).
    /// The patterns are Elasticsearch's parsers': time values such as `30s`
    /// (units `nanos`, `micros`, `ms`, `s`, `m`, `h`, `d`, case-insensitive
    /// but for `m`), names in any case.
    pub struct ClusterHealthQuery {
        /// Which wildcard expressions of the index list expand: `open`,
        /// `closed`, `hidden`, `none` or `all` (comma-separated).
        #[schemars(regex(pattern = r"^([oO][pP][eE][nN]|[cC][lL][oO][sS][eE][dD]|[hH][iI][dD][dD][eE][nN]|[nN][oO][nN][eE]|[aA][lL][lL])(,([oO][pP][eE][nN]|[cC][lL][oO][sS][eE][dD]|[hH][iI][dD][dD][eE][nN]|[nN][oO][nN][eE]|[aA][lL][lL]))*$"))]
        expand_wildcards,
        /// Whether a missing index is ignored.
        #[schemars(regex(pattern = r"^(true|false)?$"))]
        ignore_unavailable,
        /// Whether a wildcard that matches no index is accepted.
        #[schemars(regex(pattern = r"^(true|false)?$"))]
        allow_no_indices,
        /// Deprecated in Elasticsearch; accepted and ignored.
        #[schemars(regex(pattern = r"^(true|false)?$"))]
        ignore_throttled,
        /// Whether the node answers from its own view of the cluster
        /// (every node does).
        #[schemars(regex(pattern = r"^(true|false)?$"))]
        local,
        /// How long to wait for the master node (e.g. `30s`); validated.
        #[schemars(regex(pattern = r"^\s*(-1|0+|[0-9]{1,9}\s*([nN][aA][nN][oO][sS]|[mM][iI][cC][rR][oO][sS]|[mM][sS]|[sS]|m|[hH]|[dD]))\s*$"))]
        master_timeout,
        /// How long to wait for the conditions below (default `30s`); when
        /// it runs out the answer is 408 with `timed_out: true`.
        #[schemars(regex(pattern = r"^\s*(-1|0+|[0-9]{1,9}\s*([nN][aA][nN][oO][sS]|[mM][iI][cC][rR][oO][sS]|[mM][sS]|[sS]|m|[hH]|[dD]))\s*$"))]
        timeout,
        /// Wait until the status is this one or better (any case).
        #[schemars(with = "Option<es_tokens_types::HealthStatus>")]
        wait_for_status,
        /// Wait until no shard relocates (always true here).
        #[schemars(regex(pattern = r"^(true|false)?$"))]
        wait_for_no_relocating_shards,
        /// Wait until no shard initializes (always true here).
        #[schemars(regex(pattern = r"^(true|false)?$"))]
        wait_for_no_initializing_shards,
        /// Wait until this many shards are active: `all` or a number (this
        /// cluster has no shard, so any number but 0 waits out the timeout).
        #[schemars(regex(pattern = r"^(all|[0-9]{1,9})$"))]
        wait_for_active_shards,
        /// Wait until the cluster has this many nodes: `N`, `>=N`, `<=N`,
        /// `>N`, `<N`, or `ge(N)`, `le(N)`, `gt(N)`, `lt(N)`.
        #[schemars(regex(pattern = r"^((>=|<=|>|<)?[0-9]{1,9}|(ge|le|gt|lt)\([0-9]{1,9}\))$"))]
        wait_for_nodes,
        /// Wait until the queued cluster-state tasks of this priority
        /// (`immediate`, `urgent`, `high`, `normal`, `low`, `languid`) ran.
        #[schemars(regex(pattern = r"^([iI][mM][mM][eE][dD][iI][aA][tT][eE]|[uU][rR][gG][eE][nN][tT]|[hH][iI][gG][hH]|[nN][oO][rR][mM][aA][lL]|[lL][oO][wW]|[lL][aA][nN][gG][uU][iI][dD])$"))]
        wait_for_events,
        /// `cluster`, `indices` or `shards`: the detail of the answer.
        #[schemars(regex(pattern = r"^([cC][lL][uU][sS][tT][eE][rR]|[iI][nN][dD][iI][cC][eE][sS]|[sS][hH][aA][rR][dD][sS])$"))]
        level,
        /// Adds `task_max_waiting_in_queue` and `active_shards_percent` for
        /// people (a parameter of every endpoint).
        #[schemars(regex(pattern = r"^(true|false)?$"))]
        human,
    }
}

query_parameters! {
    /// The parameters of `GET /_capabilities` (`RestNodesCapabilitiesAction`).
    pub struct CapabilitiesQuery {
        /// The REST method to check, upper case (default `GET`).
        #[schemars(with = "Option<es_tokens_types::RestMethod>")]
        method,
        /// The REST path to check, e.g. `/_cluster/health`; `{name}`
        /// segments match any value. Required: without it the answer is a
        /// 400 (Elasticsearch's handler fails with a 500).
        #[schemars(required)]
        path,
        /// Comma-separated query parameters the route must take.
        parameters,
        /// Comma-separated capabilities the route must have.
        capabilities,
        /// Whether to ask this node only.
        #[schemars(regex(pattern = r"^(true|false)?$"))]
        local_only,
        /// How long to wait for each node (e.g. `30s`).
        #[schemars(regex(pattern = r"^\s*(-1|0+|[0-9]{1,9}\s*([nN][aA][nN][oO][sS]|[mM][iI][cC][rR][oO][sS]|[mM][sS]|[sS]|m|[hH]|[dD]))\s*$"))]
        timeout,
    }
}

/// The path of an operation on one user (for `_has_privileges`, the user
/// whose privileges to check: only the caller itself may be named).
#[derive(Debug, Deserialize, JsonSchema)]
pub struct UsernamePath {
    /// A user name: 1 to 507 printable ASCII characters, without leading or
    /// trailing spaces.
    #[schemars(with = "es_tokens_types::NativeName")]
    pub username: String,
}

/// The path of getting some users.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct UsernamesPath {
    /// A comma-separated list of user names.
    pub username: String,
}

/// The path of an operation on one role.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct RolePath {
    /// A role name: 1 to 507 printable ASCII characters, without leading or
    /// trailing spaces.
    #[schemars(with = "es_tokens_types::NativeName")]
    pub name: String,
}

/// The path of getting some roles or clearing their cache.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct RolesPath {
    /// A comma-separated list of role names; `*` or `_all` for every role
    /// (clear cache only).
    pub name: String,
}

/// The path of clearing realm caches.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct RealmsPath {
    /// A comma-separated list of realm names (`reserved`, `default_file`,
    /// `default_native`); `*` or `_all` for every realm.
    pub realms: String,
}

query_parameters! {
    /// The parameters of `POST /_security/realm/{realms}/_clear_cache`.
    pub struct ClearRealmsQuery {
        /// A comma-separated list of the users to evict; every user when
        /// missing, empty, `*` or `_all`.
        usernames,
    }
}

query_parameters! {
    /// The parameters of getting users.
    pub struct GetUsersQuery {
        /// Whether to add each user's profile id (`true` or `false`). This
        /// node has no user profiles, so no user has one.
        #[schemars(regex(pattern = r"^(true|false)?$"))]
        with_profile_uid,
    }
}

/// The path of a cluster health request for some indices.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct HealthIndexPath {
    /// Comma-separated index names or patterns. This cluster has no indices:
    /// a pattern matches none, a name is missing (status `red`).
    pub index: String,
}
