//! Settings as Elasticsearch declares them (`Setting<T>`): each one a
//! constant next to the component that reads it, holding its key, default,
//! parser and help text. `--help`, the unknown-setting check and the typed
//! value all come from that one declaration.

use std::borrow::Cow;

use crate::config::settings::{Settings, SettingsError};

/// Parses a setting's raw value; `key` is for the error.
pub type Parser<T> = fn(key: &str, value: &str) -> Result<T, SettingsError>;

/// A setting's default.
#[derive(Clone, Copy)]
pub enum DefaultValue {
    /// A value, written as a user would write it and parsed like one.
    Value(&'static str),
    /// A value derived when the settings are read, from other settings or
    /// the machine; `shown` is how `--help` describes it.
    Derived { shown: &'static str, value: fn(&Settings) -> String },
}

/// A node setting of type `T`.
pub struct Setting<T> {
    key: &'static str,
    default: DefaultValue,
    parse: Parser<T>,
    help: &'static str,
}

impl<T> Setting<T> {
    /// A setting whose default is `default`, parsed by `parse` like any value.
    pub const fn new(key: &'static str, default: &'static str, parse: Parser<T>, help: &'static str) -> Self {
        Setting { key, default: DefaultValue::Value(default), parse, help }
    }

    /// A setting whose default is derived by `value` when the settings are
    /// read; `--help` shows `shown` for it.
    pub const fn derived(
        key: &'static str,
        shown: &'static str,
        value: fn(&Settings) -> String,
        parse: Parser<T>,
        help: &'static str,
    ) -> Self {
        Setting { key, default: DefaultValue::Derived { shown, value }, parse, help }
    }

    /// The value in `settings`, or the default. Cannot fail: every setting
    /// was parsed once when `settings` were read (see [`Declared::check`]).
    pub fn get(&self, settings: &Settings) -> T {
        self.parse_in(settings).unwrap_or_else(|error| unreachable!("settings are checked when read: {error}"))
    }

    fn parse_in(&self, settings: &Settings) -> Result<T, SettingsError> {
        let raw: Cow<'_, str> = match settings.raw(self.key) {
            Some(value) => Cow::Borrowed(value),
            None => match self.default {
                DefaultValue::Value(value) => Cow::Borrowed(value),
                DefaultValue::Derived { value, .. } => Cow::Owned(value(settings)),
            },
        };
        (self.parse)(self.key, &raw)
    }
}

/// A setting of every realm of some types
/// (`xpack.security.authc.realms.<type>.<name>.<suffix>`), as Elasticsearch's
/// realm affix settings.
pub struct RealmSetting<T> {
    suffix: &'static str,
    default: &'static str,
    parse: Parser<T>,
    help: &'static str,
}

/// The prefix of every realm setting.
pub const REALMS_PREFIX: &str = "xpack.security.authc.realms.";

/// A configured realm: its type and name (Elasticsearch's
/// `RealmConfig.RealmIdentifier`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RealmId {
    /// E.g. `file`.
    pub kind: &'static str,
    /// E.g. `default_file`.
    pub name: String,
}

impl<T> RealmSetting<T> {
    /// A realm setting `<suffix>` with `default`, parsed by `parse`.
    pub const fn new(suffix: &'static str, default: &'static str, parse: Parser<T>, help: &'static str) -> Self {
        RealmSetting { suffix, default, parse, help }
    }

    /// The full key of this setting for `realm`.
    pub fn key(&self, realm: &RealmId) -> String {
        format!("{REALMS_PREFIX}{}.{}.{}", realm.kind, realm.name, self.suffix)
    }

    /// The value for `realm` in `settings`, or the default; cannot fail, as
    /// [`Setting::get`].
    pub fn get(&self, settings: &Settings, realm: &RealmId) -> T {
        self.parse_in(settings, realm).unwrap_or_else(|error| unreachable!("settings are checked when read: {error}"))
    }

    fn parse_in(&self, settings: &Settings, realm: &RealmId) -> Result<T, SettingsError> {
        let key = self.key(realm);
        (self.parse)(&key, settings.raw(&key).unwrap_or(self.default))
    }
}

/// What the settings registry needs of any setting, whatever its type.
pub trait Declared: Sync {
    /// The key as `--help` shows it.
    fn pattern(&self) -> Cow<'static, str>;
    /// The default as `--help` shows it.
    fn shown_default(&self) -> &'static str;
    /// What it does.
    fn help(&self) -> &'static str;
    /// Parses its value (given or default) in `settings`.
    fn check(&self, settings: &Settings) -> Result<(), SettingsError>;
    /// Whether its default is derived from other settings, which must then
    /// be checked first.
    fn is_derived(&self) -> bool;
}

impl<T> Declared for Setting<T> {
    fn pattern(&self) -> Cow<'static, str> {
        Cow::Borrowed(self.key)
    }

    fn shown_default(&self) -> &'static str {
        match self.default {
            DefaultValue::Value(value) => value,
            DefaultValue::Derived { shown, .. } => shown,
        }
    }

    fn help(&self) -> &'static str {
        self.help
    }

    fn check(&self, settings: &Settings) -> Result<(), SettingsError> {
        self.parse_in(settings).map(drop)
    }

    fn is_derived(&self) -> bool {
        matches!(self.default, DefaultValue::Derived { .. })
    }
}

/// What the settings registry needs of any realm setting.
pub trait DeclaredRealmSetting: Sync {
    /// The part of the key after the realm's name.
    fn suffix(&self) -> &'static str;
    /// The default as `--help` shows it.
    fn shown_default(&self) -> &'static str;
    /// What it does.
    fn help(&self) -> &'static str;
    /// Parses its value (given or default) for `realm` in `settings`.
    fn check(&self, settings: &Settings, realm: &RealmId) -> Result<(), SettingsError>;
}

impl<T> DeclaredRealmSetting for RealmSetting<T> {
    fn suffix(&self) -> &'static str {
        self.suffix
    }

    fn shown_default(&self) -> &'static str {
        self.default
    }

    fn help(&self) -> &'static str {
        self.help
    }

    fn check(&self, settings: &Settings, realm: &RealmId) -> Result<(), SettingsError> {
        self.parse_in(settings, realm).map(drop)
    }
}
