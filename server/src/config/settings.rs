//! Node settings, read as Elasticsearch reads them: `elasticsearch.yml` in
//! the config directory (`$ES_PATH_CONF`, default `config/`), flattened to
//! dotted keys, `${VAR}` placeholders resolved from the environment, then
//! overridden by `-E key=value`. Unknown settings and bad values stop the node
//! with a message naming the setting.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::common::suggestions;
use crate::config::registry;
use crate::config::setting::{REALMS_PREFIX, RealmId};
use crate::config::time_value::TimeValueError;
use crate::security_index;

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

/// The name of the settings file in the config directory.
pub const SETTINGS_FILE: &str = "elasticsearch.yml";

/// The config directory: `$ES_PATH_CONF`, or `config` under the working
/// directory.
pub fn conf_dir_from_env() -> PathBuf {
    std::env::var_os("ES_PATH_CONF").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("config"))
}

/// The settings of one node: the flattened keys and values it was given,
/// each known and each parsing (so that every [`Setting::get`] succeeds),
/// and the config directory they were read from. Components read their
/// typed values through their own [`Setting`] constants.
///
/// [`Setting`]: crate::config::Setting
/// [`Setting::get`]: crate::config::Setting::get
#[derive(Clone)]
pub struct Settings {
    path_conf: PathBuf,
    raw: BTreeMap<String, String>,
}

/// The keys only: a value may hold a password (`security.index.url`).
impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings").field("path_conf", &self.path_conf).field("keys", &self.raw.keys()).finish()
    }
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

    /// Checks flattened settings against every declared setting: unknown
    /// keys and values that do not parse are errors.
    pub fn from_map(conf_dir: &Path, raw: BTreeMap<String, String>) -> Result<Settings, SettingsError> {
        let settings = Settings { path_conf: conf_dir.to_path_buf(), raw };
        registry::check(&settings)?;
        Ok(settings)
    }

    /// The config directory the settings were read from.
    pub fn path_conf(&self) -> &Path {
        &self.path_conf
    }

    /// The raw value of `key`, if given.
    pub(crate) fn raw(&self, key: &str) -> Option<&str> {
        self.raw.get(key).map(String::as_str)
    }

    /// Every key given.
    pub(crate) fn keys(&self) -> impl Iterator<Item = &str> {
        self.raw.keys().map(String::as_str)
    }

    /// The names of the realms of type `kind` that have settings, sorted.
    pub(crate) fn realm_names(&self, kind: &str) -> Vec<String> {
        let prefix = format!("{REALMS_PREFIX}{kind}.");
        let mut names: Vec<String> = self
            .raw
            .keys()
            .filter_map(|key| key.strip_prefix(&prefix)?.split_once('.'))
            .map(|(name, _)| name.to_string())
            .collect();
        names.dedup();
        names
    }

    /// The one realm of the internal type `kind`: the configured one, or
    /// `default_name` when none is (more than one is refused when the
    /// settings are read).
    pub(crate) fn internal_realm(&self, kind: &'static str, default_name: &str) -> RealmId {
        let name = self.realm_names(kind).pop().unwrap_or_else(|| default_name.to_string());
        RealmId { kind, name }
    }
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
    use std::time::Duration;

    use super::*;
    use crate::authc::esnative::reserved_realm::PASSWORD_HASHING_SETTING;
    use crate::authc::service::TOKEN_HASHING_SETTING;
    use crate::authc::service::caching_token_store::{
        CACHE_HASH_ALGO_SETTING, CACHE_MAX_TOKENS_SETTING, CACHE_TTL_SETTING,
    };
    use crate::authc::support::hasher::Hasher;
    use crate::cluster::CLUSTER_NAME_SETTING;
    use crate::cluster::fan_out::NODE_TIMEOUT_SETTING;
    use crate::cluster::membership::SEED_HOSTS_SETTING;
    use crate::cluster::transport::{TRANSPORT_PORT_SETTING, TRANSPORT_SECRET_FILE_SETTING};
    use crate::config::PortRange;
    use crate::config::environment::PATH_DATA_SETTING;
    use crate::http::{HTTP_HOST_SETTING, HTTP_PORT_SETTING};
    use crate::node::NODE_NAME_SETTING;

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
        assert_eq!(CLUSTER_NAME_SETTING.get(&settings), "elasticsearch");
        assert_eq!(HTTP_HOST_SETTING.get(&settings), "127.0.0.1");
        assert_eq!(HTTP_PORT_SETTING.get(&settings), PortRange { first: 9200, last: 9300 });
        assert_eq!(PATH_DATA_SETTING.get(&settings), PathBuf::from("data"));
        assert_eq!(CACHE_TTL_SETTING.get(&settings), Duration::from_secs(1200));
        assert_eq!(CACHE_MAX_TOKENS_SETTING.get(&settings), 100_000);
        assert_eq!(CACHE_HASH_ALGO_SETTING.get(&settings), Hasher::Ssha256);
        assert_eq!(TOKEN_HASHING_SETTING.get(&settings), Hasher::Pbkdf2Stretch { iterations: 10_000 });
        assert_eq!(PASSWORD_HASHING_SETTING.get(&settings), Hasher::Bcrypt { cost: 10 });
        assert!(!NODE_NAME_SETTING.get(&settings).is_empty());
    }

    /// A derived default reads a setting that may not parse: that is the
    /// error, whatever the order settings are declared in.
    #[test]
    fn a_bad_value_behind_a_derived_default_is_an_error() {
        let error = load("", &["transport.host= "]).unwrap_err();
        assert_eq!(error.to_string(), "Failed to parse value [ ] for setting [transport.host] must not be empty");
    }

    /// Every default `--help` shows is one its setting accepts, given
    /// explicitly: a bad default would stop every node.
    #[test]
    fn every_default_shown_is_accepted() {
        let dir = tempfile::tempdir().unwrap();
        let mut checked = 0;
        for (key, _, default) in registry::entries() {
            // Derived defaults (`<host name>`) and empty ones are not values.
            if default.is_empty() || default.contains('<') {
                continue;
            }
            let key = key.replace("<name>", "default_file");
            Settings::from_map(dir.path(), BTreeMap::from([(key.clone(), default.to_string())]))
                .unwrap_or_else(|e| panic!("{key}: {e}"));
            checked += 1;
        }
        assert_eq!(checked, 33);
    }

    #[test]
    fn nested_and_dotted_yaml_then_overrides() {
        let yaml =
            "cluster:\n  name: from-file\nnode.name: n0\nxpack:\n  security.authc.service_token.cache:\n    ttl: 5m\n";
        let settings = load(yaml, &["node.name=n1", "http.port=9201-9205"]).unwrap();
        assert_eq!(CLUSTER_NAME_SETTING.get(&settings), "from-file");
        assert_eq!(NODE_NAME_SETTING.get(&settings), "n1");
        assert_eq!(HTTP_PORT_SETTING.get(&settings), PortRange { first: 9201, last: 9205 });
        assert_eq!(CACHE_TTL_SETTING.get(&settings), Duration::from_secs(300));
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
        let error = load("", &["xpack.security.authc.realms.file.f1.cache.tll=1m"]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "unknown setting [xpack.security.authc.realms.file.f1.cache.tll] did you mean \
             [xpack.security.authc.realms.file.f1.cache.ttl]?"
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
        let error = load("", &["node.name= "]).unwrap_err();
        assert_eq!(error.to_string(), "Failed to parse value [ ] for setting [node.name] must not be empty");
        let error = load("", &["xpack.security.authc.realms.file.f1.enabled=yes"]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "Failed to parse value [yes] for setting [xpack.security.authc.realms.file.f1.enabled]"
        );
        assert!(matches!(load("", &["novalue"]), Err(SettingsError::NotKeyValue(_))));
        assert!(matches!(load("", &["a.b=1", "a.b=2"]), Err(SettingsError::Duplicate { .. })));
        assert!(matches!(load("- a\n- b\n", &[]), Err(SettingsError::Yaml { .. })));
    }

    #[test]
    fn one_file_realm_at_most() {
        let error =
            load("xpack.security.authc.realms.file.f1.order: 0\nxpack.security.authc.realms.file.f2.order: 1\n", &[])
                .unwrap_err();
        assert_eq!(
            error.to_string(),
            "Failed to parse value [f1,f2] for setting [xpack.security.authc.realms.file.f2]: multiple [file] realms \
             are configured. [file] is an internal realm and therefore there can only be one such realm configured"
        );
        let settings = load("xpack.security.authc.realms.file.mine.cache.ttl: 1m\n", &[]).unwrap();
        assert_eq!(settings.internal_realm("file", "default_file").name, "mine");
    }

    #[test]
    fn placeholders_come_from_the_environment() {
        // PATH is set in every test environment.
        let path = std::env::var("PATH").unwrap();
        let settings = load("node.name: n-${PATH}\n", &[]).unwrap();
        assert_eq!(NODE_NAME_SETTING.get(&settings), format!("n-{path}"));
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
        assert_eq!(SEED_HOSTS_SETTING.get(&settings), ["127.0.0.1:9301", "127.0.0.1:9302"]);
        assert_eq!(TRANSPORT_PORT_SETTING.get(&settings), PortRange { first: 9305, last: 9305 });
        assert_eq!(TRANSPORT_SECRET_FILE_SETTING.get(&settings), Some(PathBuf::from("secret")));
        assert_eq!(NODE_TIMEOUT_SETTING.get(&settings), Duration::from_secs(30));
        let settings = load("", &["discovery.seed_hosts=a:1, b:2"]).unwrap();
        assert_eq!(SEED_HOSTS_SETTING.get(&settings), ["a:1", "b:2"]);
    }

    #[test]
    fn zero_ttl_disables_and_minus_one_is_refused() {
        let settings = load("", &["xpack.security.authc.service_token.cache.ttl=0"]).unwrap();
        assert_eq!(CACHE_TTL_SETTING.get(&settings), Duration::ZERO);
        assert!(load("", &["xpack.security.authc.service_token.cache.ttl=-1"]).is_err());
    }
}
