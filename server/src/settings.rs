//! Node settings, read as Elasticsearch reads them: `elasticsearch.yml` in
//! the config directory (`$ES_PATH_CONF`, default `config/`), flattened to
//! dotted keys, `${VAR}` placeholders resolved from the environment, then
//! overridden by `-E key=value`. Unknown settings and bad values stop the node
//! with a message naming the setting.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::hasher::Hasher;
use crate::security_index;
use crate::suggestions;
use crate::time_value::{TimeValueError, parse_time_value};
use crate::user_cache;

/// Why the settings could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// `elasticsearch.yml` exists but cannot be read.
    #[error("failed to read settings file [{path}]: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    /// `elasticsearch.yml` is not YAML, or not a map of settings.
    #[error("failed to load settings from [{path}]: {message}")]
    Yaml { path: PathBuf, message: String },
    /// A `${VAR}` placeholder names an unset environment variable.
    #[error("Could not resolve placeholder '{0}'")]
    Placeholder(String),
    /// A `-E` argument is not `key=value`.
    #[error("setting [{0}] must be of the form key=value")]
    NotKeyValue(String),
    /// The same setting was given twice with `-E`.
    #[error("setting [{key}] already set, saw [{first}] and [{second}]")]
    Duplicate { key: String, first: String, second: String },
    /// A setting this node does not know.
    #[error("unknown setting [{key}]{}", unknown_hint(.suggestions))]
    Unknown { key: String, suggestions: Vec<String> },
    /// A time value that does not parse.
    #[error(transparent)]
    TimeValue(#[from] TimeValueError),
    /// Any other value that does not parse or is out of range.
    #[error("Failed to parse value [{value}] for setting [{key}]{detail}")]
    Invalid { key: String, value: String, detail: String },
}

fn unknown_hint(suggestions: &[String]) -> String {
    if suggestions.is_empty() {
        " please check that any required plugins are installed, or check the breaking changes documentation for removed \
         settings"
            .to_string()
    } else {
        let names: Vec<&str> = suggestions.iter().map(String::as_str).collect();
        format!(" did you mean {}?", suggestions::render(&names))
    }
}

/// A setting this node understands, as `--help` lists it.
pub struct SettingSpec {
    /// The dotted key.
    pub key: &'static str,
    /// The default, as one would write it.
    pub default: &'static str,
    /// What it does.
    pub help: &'static str,
}

/// Every setting a node accepts.
pub const SETTINGS: &[SettingSpec] = &[
    SettingSpec { key: "cluster.name", default: "elasticsearch", help: "name of the cluster this node belongs to" },
    SettingSpec { key: "node.name", default: "<host name>", help: "name of this node, shown in responses" },
    SettingSpec {
        key: "path.data",
        default: "data",
        help: "directory of the node's persistent state (node id); relative to the working directory",
    },
    SettingSpec { key: "http.host", default: "127.0.0.1", help: "address the HTTP API binds to" },
    SettingSpec {
        key: "http.port",
        default: "9200",
        help: "port of the HTTP API, or a range (9200-9300) to take the first free one; 0 picks any free port",
    },
    SettingSpec {
        key: "xpack.security.authc.service_token.cache.ttl",
        default: "20m",
        help: "how long a token stays cached after it was written; 0 disables both token caches",
    },
    SettingSpec {
        key: "xpack.security.authc.service_token.cache.max_tokens",
        default: "100000",
        help: "most tokens each of the two token caches holds",
    },
    SettingSpec {
        key: "xpack.security.authc.service_token.cache.hash_algo",
        default: "ssha256",
        help: "how the token caches hash the secrets they remember; computed on every cache hit, on the request's \
               thread, so a slow algorithm (bcrypt, pbkdf2) costs every request its hash",
    },
    SettingSpec {
        key: "xpack.security.authc.service_token_hashing.algorithm",
        default: "pbkdf2_stretch",
        help: "how new service tokens' secrets are hashed in the security index and the service_tokens file",
    },
    SettingSpec {
        key: "xpack.security.authc.password_hashing.algorithm",
        default: "bcrypt",
        help: "how the elastic user's password is hashed in the security index (bcrypt* or pbkdf2*)",
    },
    SettingSpec {
        key: "xpack.security.authc.realms.file.<name>.cache.ttl",
        default: "20m",
        help: "how long the file realm remembers an authenticated user; 0 disables its cache (also .order, .enabled, \
               .cache.max_users, .cache.hash_algo; the realm is named default_file when none is configured)",
    },
    SettingSpec {
        key: "discovery.seed_hosts",
        default: "",
        help: "transport addresses (host:port, comma-separated or a YAML list) of other nodes of the cluster",
    },
    SettingSpec { key: "transport.host", default: "127.0.0.1", help: "address the node-to-node API binds to" },
    SettingSpec {
        key: "transport.publish_host",
        default: "<transport.host>",
        help: "address other nodes reach this one at; required when transport.host is a wildcard (0.0.0.0)",
    },
    SettingSpec {
        key: "transport.port",
        default: "9300",
        help: "port of the node-to-node API, or a range (9300-9400) to take the first free one; 0 picks any free port",
    },
    SettingSpec {
        key: "transport.shared_secret_file",
        default: "",
        help: "file holding the secret every node-to-node call must present; without it no node can call this one",
    },
    SettingSpec {
        key: "transport.node_timeout",
        default: "30s",
        help: "how long a cluster-wide call waits for one node before reporting it as failed",
    },
    SettingSpec {
        key: "security.index.url",
        default: "sqlite://<path.data>/security.db",
        help: "the database behind the .security index: sqlite://<file> or postgres://user:password@host/db",
    },
];

/// The settings of a file realm, `xpack.security.authc.realms.file.<name>.*`.
const FILE_REALM_PREFIX: &str = "xpack.security.authc.realms.file.";
const FILE_REALM_SUFFIXES: [&str; 5] = ["order", "enabled", "cache.ttl", "cache.max_users", "cache.hash_algo"];

/// Whether `key` is a setting of this node.
fn is_known(key: &str) -> bool {
    if SETTINGS.iter().any(|spec| spec.key == key && !spec.key.contains('<')) {
        return true;
    }
    key.strip_prefix(FILE_REALM_PREFIX)
        .and_then(|rest| rest.split_once('.'))
        .is_some_and(|(name, suffix)| !name.is_empty() && FILE_REALM_SUFFIXES.contains(&suffix))
}

/// The settings of one node, parsed and validated.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// The config directory the settings were read from.
    pub path_conf: PathBuf,
    /// `cluster.name`.
    pub cluster_name: String,
    /// `node.name`.
    pub node_name: String,
    /// `path.data`.
    pub path_data: PathBuf,
    /// `http.host`.
    pub http_host: String,
    /// `http.port`.
    pub http_port: PortRange,
    /// `xpack.security.authc.service_token.cache.*`.
    pub service_token_cache: CacheSettings,
    /// How the token caches hash secrets.
    pub service_token_cache_hasher: Hasher,
    /// How new service tokens are hashed.
    pub service_token_hasher: Hasher,
    /// How reserved users' passwords are hashed.
    pub password_hasher: Hasher,
    /// The file realm.
    pub file_realm: FileRealmSettings,
    /// `security.index.url`.
    pub security_index_url: String,
    /// `discovery.seed_hosts`, `transport.*`.
    pub transport: TransportSettings,
    /// The `elastic` user's first password (`ELASTIC_PASSWORD`), if given.
    /// Never a setting: secrets stay off command lines and out of files.
    pub bootstrap_password: Option<String>,
}

/// The node-to-node API and the cluster's members.
#[derive(Clone, Debug, PartialEq)]
pub struct TransportSettings {
    /// `transport.host`.
    pub host: String,
    /// `transport.publish_host`, defaulting to `transport.host`.
    pub publish_host: String,
    /// `transport.port`.
    pub port: PortRange,
    /// `discovery.seed_hosts`.
    pub seed_hosts: Vec<String>,
    /// `transport.shared_secret_file`, resolved against the config directory.
    pub shared_secret_file: Option<PathBuf>,
    /// `transport.node_timeout`.
    pub node_timeout: Duration,
}

/// `xpack.security.authc.realms.file.<name>.*`.
#[derive(Clone, Debug, PartialEq)]
pub struct FileRealmSettings {
    /// The realm's name, `default_file` unless configured.
    pub name: String,
    /// Whether the realm authenticates at all.
    pub enabled: bool,
    /// Expire-after-write time of the realm's user cache; zero disables it.
    pub cache_ttl: Duration,
    /// Most users the cache holds.
    pub cache_max_users: u64,
    /// How the cache hashes passwords.
    pub cache_hasher: Hasher,
}

/// Settings of the two service-token caches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CacheSettings {
    /// Expire-after-write time; zero disables caching.
    pub ttl: Duration,
    /// Most entries per cache.
    pub max_tokens: u64,
}

/// A port or an inclusive range of ports to try in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PortRange {
    /// First port to try.
    pub first: u16,
    /// Last port to try.
    pub last: u16,
}

impl PortRange {
    /// Parses `9200` or `9200-9300`.
    fn parse(key: &str, value: &str) -> Result<Self, SettingsError> {
        let invalid =
            || SettingsError::Invalid { key: key.to_string(), value: value.to_string(), detail: String::new() };
        let (first, last) = match value.split_once('-') {
            Some((first, last)) => (first.trim(), last.trim()),
            None => (value.trim(), value.trim()),
        };
        let first: u16 = first.parse().map_err(|_| invalid())?;
        let last: u16 = last.parse().map_err(|_| invalid())?;
        if first > last {
            return Err(invalid());
        }
        Ok(PortRange { first, last })
    }

    /// The ports to try, in order.
    pub fn ports(&self) -> impl Iterator<Item = u16> {
        self.first..=self.last
    }
}

impl std::fmt::Display for PortRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.first == self.last { write!(f, "{}", self.first) } else { write!(f, "{}-{}", self.first, self.last) }
    }
}

/// The name of the settings file in the config directory.
pub const SETTINGS_FILE: &str = "elasticsearch.yml";

/// The config directory: `$ES_PATH_CONF`, or `config` under the working
/// directory.
pub fn conf_dir_from_env() -> PathBuf {
    std::env::var_os("ES_PATH_CONF").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("config"))
}

impl Settings {
    /// Reads `elasticsearch.yml` from `conf_dir` (a missing file means all
    /// defaults) and applies the `-E` overrides on top.
    pub fn load(conf_dir: &Path, overrides: &[String]) -> Result<Settings, SettingsError> {
        let path = conf_dir.join(SETTINGS_FILE);
        let mut raw = match std::fs::read_to_string(&path) {
            Ok(text) => parse_yaml(&path, &text)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => BTreeMap::new(),
            Err(source) => return Err(SettingsError::Read { path, source }),
        };
        for (key, value) in parse_overrides(overrides)? {
            raw.insert(key, value);
        }
        Settings::from_map(conf_dir, raw)
    }

    /// Validates flattened settings and fills in the defaults.
    pub fn from_map(conf_dir: &Path, mut raw: BTreeMap<String, String>) -> Result<Settings, SettingsError> {
        if let Some(key) = raw.keys().find(|key| !is_known(key)) {
            let suggestions = suggestions::similar(key, SETTINGS.iter().map(|spec| spec.key), 0.7);
            return Err(SettingsError::Unknown {
                key: key.clone(),
                suggestions: suggestions.into_iter().map(str::to_string).collect(),
            });
        }
        let file_realm = file_realm_settings(&mut raw)?;
        let mut take = |key: &str| raw.remove(key);
        let cluster_name = take("cluster.name").unwrap_or_else(|| "elasticsearch".to_string());
        let node_name = take("node.name").unwrap_or_else(default_node_name);
        let path_data = PathBuf::from(take("path.data").unwrap_or_else(|| "data".to_string()));
        let http_host = take("http.host").unwrap_or_else(|| "127.0.0.1".to_string());
        let http_port = match take("http.port") {
            Some(value) => PortRange::parse("http.port", &value)?,
            None => PortRange { first: 9200, last: 9200 },
        };
        let ttl_key = "xpack.security.authc.service_token.cache.ttl";
        let ttl = match take(ttl_key) {
            // -1 is "no expiry" for a time value; an Elasticsearch cache
            // rejects it, so do we.
            Some(value) => parse_time_value(ttl_key, &value)?.ok_or_else(|| SettingsError::Invalid {
                key: ttl_key.to_string(),
                value,
                detail: " must be >= 0s".to_string(),
            })?,
            None => Duration::from_secs(20 * 60),
        };
        let max_key = "xpack.security.authc.service_token.cache.max_tokens";
        let max_tokens = match take(max_key) {
            Some(value) => parse_int(max_key, &value, 0)?,
            None => 100_000,
        };
        let hasher = |key: &str, default: Hasher, raw: Option<String>| -> Result<Hasher, SettingsError> {
            match raw {
                None => Ok(default),
                Some(value) => Hasher::resolve(&value).map_err(|e| SettingsError::Invalid {
                    key: key.to_string(),
                    value: value.clone(),
                    detail: format!(": {e}"),
                }),
            }
        };
        let cache_hash_key = "xpack.security.authc.service_token.cache.hash_algo";
        let service_token_cache_hasher = hasher(cache_hash_key, Hasher::Ssha256, take(cache_hash_key))?;
        let token_hash_key = "xpack.security.authc.service_token_hashing.algorithm";
        let service_token_hasher =
            hasher(token_hash_key, Hasher::Pbkdf2Stretch { iterations: 10_000 }, take(token_hash_key))?;
        let password_hash_key = "xpack.security.authc.password_hashing.algorithm";
        let password_hasher = hasher(password_hash_key, Hasher::Bcrypt { cost: 10 }, take(password_hash_key))?;
        if !matches!(password_hasher, Hasher::Bcrypt { .. } | Hasher::Pbkdf2 { .. } | Hasher::Pbkdf2Stretch { .. }) {
            return Err(SettingsError::Invalid {
                key: password_hash_key.to_string(),
                value: format!("{password_hasher:?}"),
                detail: ": only pbkdf2 or bcrypt family algorithms can be used for password hashing".to_string(),
            });
        }
        let security_index_url = take("security.index.url").unwrap_or_else(|| security_index::default_url(&path_data));
        let transport_host = take("transport.host").unwrap_or_else(|| "127.0.0.1".to_string());
        let transport = TransportSettings {
            publish_host: take("transport.publish_host").unwrap_or_else(|| transport_host.clone()),
            host: transport_host,
            port: match take("transport.port") {
                Some(value) => PortRange::parse("transport.port", &value)?,
                None => PortRange { first: 9300, last: 9300 },
            },
            seed_hosts: take("discovery.seed_hosts")
                .map(|hosts| hosts.split(',').map(str::trim).filter(|h| !h.is_empty()).map(str::to_string).collect())
                .unwrap_or_default(),
            shared_secret_file: take("transport.shared_secret_file").map(|file| conf_dir.join(file)),
            node_timeout: match take("transport.node_timeout") {
                Some(value) => parse_time_value("transport.node_timeout", &value)?.unwrap_or(Duration::MAX),
                None => Duration::from_secs(30),
            },
        };
        for (key, value) in [("cluster.name", &cluster_name), ("node.name", &node_name)] {
            if value.trim().is_empty() {
                return Err(SettingsError::Invalid {
                    key: key.to_string(),
                    value: value.clone(),
                    detail: " must not be empty".to_string(),
                });
            }
        }
        Ok(Settings {
            path_conf: conf_dir.to_path_buf(),
            cluster_name,
            node_name,
            path_data,
            http_host,
            http_port,
            service_token_cache: CacheSettings { ttl, max_tokens },
            service_token_cache_hasher,
            service_token_hasher,
            password_hasher,
            file_realm,
            security_index_url,
            transport,
            bootstrap_password: None,
        })
    }
}

/// The one file realm's settings; more than one file realm is an error, as in
/// Elasticsearch.
fn file_realm_settings(raw: &mut BTreeMap<String, String>) -> Result<FileRealmSettings, SettingsError> {
    let keys: Vec<String> = raw.keys().filter(|key| key.starts_with(FILE_REALM_PREFIX)).cloned().collect();
    let mut names: Vec<String> = keys
        .iter()
        .filter_map(|key| key[FILE_REALM_PREFIX.len()..].split_once('.'))
        .map(|(name, _)| name.to_string())
        .collect();
    names.dedup();
    if names.len() > 1 {
        return Err(SettingsError::Invalid {
            key: format!("{FILE_REALM_PREFIX}{}", names[1]),
            value: names.join(","),
            detail: ": multiple [file] realms are configured. [file] is an internal realm and therefore there can \
                     only be one such realm configured"
                .to_string(),
        });
    }
    let name = names.pop().unwrap_or_else(|| "default_file".to_string());
    let key = |suffix: &str| format!("{FILE_REALM_PREFIX}{name}.{suffix}");
    let enabled = match raw.remove(&key("enabled")) {
        None => true,
        Some(value) => match value.as_str() {
            "true" => true,
            "false" => false,
            _ => return Err(SettingsError::Invalid { key: key("enabled"), value, detail: String::new() }),
        },
    };
    let cache_ttl = match raw.remove(&key("cache.ttl")) {
        None => user_cache::DEFAULT_TTL,
        Some(value) => parse_time_value(&key("cache.ttl"), &value)?.unwrap_or(Duration::ZERO),
    };
    let cache_max_users = match raw.remove(&key("cache.max_users")) {
        None => user_cache::DEFAULT_MAX_USERS,
        Some(value) => parse_int(&key("cache.max_users"), &value, 0)?,
    };
    let cache_hasher = match raw.remove(&key("cache.hash_algo")) {
        None => Hasher::Ssha256,
        Some(value) => Hasher::resolve(&value).map_err(|e| SettingsError::Invalid {
            key: key("cache.hash_algo"),
            value: value.clone(),
            detail: format!(": {e}"),
        })?,
    };
    if let Some(order) = raw.remove(&key("order")) {
        parse_int(&key("order"), &order, 0)?;
    }
    Ok(FileRealmSettings { name, enabled, cache_ttl, cache_max_users, cache_hasher })
}

fn parse_int(key: &str, value: &str, min: u64) -> Result<u64, SettingsError> {
    let invalid = |detail: String| SettingsError::Invalid { key: key.to_string(), value: value.to_string(), detail };
    let number: i64 = value.trim().parse().map_err(|_| invalid(String::new()))?;
    if number < min as i64 {
        return Err(invalid(format!(" must be >= {min}")));
    }
    Ok(number as u64)
}

fn default_node_name() -> String {
    hostname::get().map(|name| name.to_string_lossy().into_owned()).unwrap_or_else(|_| "localhost".to_string())
}

/// `-E key=value` arguments as pairs; a key given twice is an error, as in
/// Elasticsearch.
fn parse_overrides(overrides: &[String]) -> Result<Vec<(String, String)>, SettingsError> {
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for argument in overrides {
        let (key, value) = argument
            .split_once('=')
            .filter(|(key, _)| !key.trim().is_empty())
            .ok_or_else(|| SettingsError::NotKeyValue(argument.clone()))?;
        let key = key.trim().to_string();
        if let Some(first) = seen.get(&key) {
            // A URL may carry a password.
            let (first, second) = (security_index::redact(first), security_index::redact(value));
            return Err(SettingsError::Duplicate { key, first, second });
        }
        seen.insert(key, value.to_string());
    }
    Ok(seen.into_iter().collect())
}

/// Flattens `elasticsearch.yml` into dotted keys: `a: {b: 1}` and `a.b: 1`
/// are the same setting. Lists become comma-separated values.
fn parse_yaml(path: &Path, text: &str) -> Result<BTreeMap<String, String>, SettingsError> {
    use serde_yaml_ng::Value;
    let yaml_error = |message: String| SettingsError::Yaml { path: path.to_path_buf(), message };
    let document: Value = serde_yaml_ng::from_str(text).map_err(|e| yaml_error(e.to_string()))?;
    let mut out = BTreeMap::new();
    fn scalar(value: &Value) -> Option<String> {
        match value {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }
    fn walk(prefix: &str, value: &Value, out: &mut BTreeMap<String, String>) -> Result<(), String> {
        match value {
            // `key:` with nothing after it leaves the setting at its default.
            Value::Null => Ok(()),
            Value::Mapping(map) => {
                for (key, value) in map {
                    let key = scalar(key).ok_or_else(|| format!("setting keys must be strings, found {key:?}"))?;
                    let key = if prefix.is_empty() { key } else { format!("{prefix}.{key}") };
                    walk(&key, value, out)?;
                }
                Ok(())
            }
            Value::Sequence(items) => {
                let items: Option<Vec<String>> = items.iter().map(scalar).collect();
                let items = items.ok_or_else(|| format!("setting [{prefix}] must be a list of plain values"))?;
                out.insert(prefix.to_string(), items.join(","));
                Ok(())
            }
            Value::Tagged(tagged) => walk(prefix, &tagged.value, out),
            other => {
                out.insert(prefix.to_string(), scalar(other).unwrap_or_default());
                Ok(())
            }
        }
    }
    match &document {
        Value::Null => {}
        Value::Mapping(_) => walk("", &document, &mut out).map_err(yaml_error)?,
        _ => return Err(yaml_error("the file must hold a map of settings".to_string())),
    }
    for value in out.values_mut() {
        *value = resolve_placeholders(value)?;
    }
    Ok(out)
}

/// Replaces `${NAME}` with the environment variable `NAME`.
fn resolve_placeholders(value: &str) -> Result<String, SettingsError> {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(start) = rest.find("${") {
        let Some(len) = rest[start + 2..].find('}') else { break };
        let name = &rest[start + 2..start + 2 + len];
        let resolved = std::env::var(name).map_err(|_| SettingsError::Placeholder(name.to_string()))?;
        out.push_str(&rest[..start]);
        out.push_str(&resolved);
        rest = &rest[start + 2 + len + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(yaml: &str, overrides: &[&str]) -> Result<Settings, SettingsError> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(SETTINGS_FILE), yaml).unwrap();
        let overrides: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
        Settings::load(dir.path(), &overrides)
    }

    #[test]
    fn defaults_without_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let settings = Settings::load(dir.path(), &[]).unwrap();
        assert_eq!(settings.cluster_name, "elasticsearch");
        assert_eq!(settings.http_host, "127.0.0.1");
        assert_eq!(settings.http_port, PortRange { first: 9200, last: 9200 });
        assert_eq!(settings.path_data, PathBuf::from("data"));
        assert_eq!(settings.service_token_cache, CacheSettings { ttl: Duration::from_secs(1200), max_tokens: 100_000 });
        assert!(!settings.node_name.is_empty());
    }

    /// `--help` shows the defaults from `SETTINGS`; `from_map` applies its
    /// own. Setting each shown default explicitly must change nothing.
    #[test]
    fn the_defaults_help_shows_are_the_ones_applied() {
        let dir = tempfile::tempdir().unwrap();
        let defaults = Settings::from_map(dir.path(), BTreeMap::new()).unwrap();
        let mut checked = 0;
        for spec in SETTINGS {
            // Defaults derived from elsewhere (`<host name>`) or absent.
            if spec.default.is_empty() || spec.default.starts_with('<') || spec.default.contains("<path.data>") {
                continue;
            }
            let key = spec.key.replace("<name>", "default_file");
            let explicit = Settings::from_map(dir.path(), BTreeMap::from([(key.clone(), spec.default.to_string())]))
                .unwrap_or_else(|e| panic!("{key}: {e}"));
            assert_eq!(
                Settings { node_name: defaults.node_name.clone(), ..explicit },
                defaults,
                "{key}: {}",
                spec.default
            );
            checked += 1;
        }
        assert_eq!(checked, 13);
    }

    #[test]
    fn nested_and_dotted_yaml_then_overrides() {
        let yaml =
            "cluster:\n  name: from-file\nnode.name: n0\nxpack:\n  security.authc.service_token.cache:\n    ttl: 5m\n";
        let settings = load(yaml, &["node.name=n1", "http.port=9201-9205"]).unwrap();
        assert_eq!(settings.cluster_name, "from-file");
        assert_eq!(settings.node_name, "n1");
        assert_eq!(settings.http_port, PortRange { first: 9201, last: 9205 });
        assert_eq!(settings.service_token_cache.ttl, Duration::from_secs(300));
    }

    #[test]
    fn unknown_settings_are_named_with_suggestions() {
        let error = load("", &["cluster.nme=x"]).unwrap_err();
        assert_eq!(error.to_string(), "unknown setting [cluster.nme] did you mean [cluster.name]?");
        let error = load("foo.bar: 1\n", &[]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "unknown setting [foo.bar] please check that any required plugins are installed, or check the breaking \
             changes documentation for removed settings"
        );
    }

    #[test]
    fn bad_values_are_named() {
        let error = load("", &["http.port=http"]).unwrap_err();
        assert_eq!(error.to_string(), "Failed to parse value [http] for setting [http.port]");
        let error = load("", &["xpack.security.authc.service_token.cache.ttl=20"]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "failed to parse setting [xpack.security.authc.service_token.cache.ttl] with value [20] as a time value: \
             unit is missing or unrecognized"
        );
        let error = load("", &["xpack.security.authc.service_token.cache.max_tokens=-3"]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "Failed to parse value [-3] for setting [xpack.security.authc.service_token.cache.max_tokens] must be >= 0"
        );
        assert!(matches!(load("", &["novalue"]), Err(SettingsError::NotKeyValue(_))));
        assert!(matches!(load("", &["a.b=1", "a.b=2"]), Err(SettingsError::Duplicate { .. })));
        assert!(matches!(load("- a\n- b\n", &[]), Err(SettingsError::Yaml { .. })));
    }

    #[test]
    fn placeholders_come_from_the_environment() {
        // PATH is set in every test environment.
        let path = std::env::var("PATH").unwrap();
        let settings = load("node.name: n-${PATH}\n", &[]).unwrap();
        assert_eq!(settings.node_name, format!("n-{path}"));
        let error = load("node.name: ${ES_TOKENS_SURELY_UNSET_VARIABLE}\n", &[]).unwrap_err();
        assert_eq!(error.to_string(), "Could not resolve placeholder 'ES_TOKENS_SURELY_UNSET_VARIABLE'");
    }

    #[test]
    fn transport_settings() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(SETTINGS_FILE),
            "discovery.seed_hosts:\n  - 127.0.0.1:9301\n  - 127.0.0.1:9302\n",
        )
        .unwrap();
        let overrides = ["transport.port=9305".to_string(), "transport.shared_secret_file=secret".to_string()];
        let settings = Settings::load(dir.path(), &overrides).unwrap();
        assert_eq!(settings.transport.seed_hosts, ["127.0.0.1:9301", "127.0.0.1:9302"]);
        assert_eq!(settings.transport.port, PortRange { first: 9305, last: 9305 });
        assert_eq!(settings.transport.shared_secret_file, Some(dir.path().join("secret")));
        assert_eq!(settings.transport.node_timeout, Duration::from_secs(30));
        let settings = load("", &["discovery.seed_hosts=a:1, b:2"]).unwrap();
        assert_eq!(settings.transport.seed_hosts, ["a:1", "b:2"]);
    }

    #[test]
    fn zero_ttl_disables_and_minus_one_is_refused() {
        let settings = load("", &["xpack.security.authc.service_token.cache.ttl=0"]).unwrap();
        assert_eq!(settings.service_token_cache.ttl, Duration::ZERO);
        assert!(load("", &["xpack.security.authc.service_token.cache.ttl=-1"]).is_err());
    }
}
