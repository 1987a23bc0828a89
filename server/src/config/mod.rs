//! Configuration, as Elasticsearch reads it: `elasticsearch.yml` and `-E`
//! into [`Settings`], settings declared next to their components
//! ([`Setting`]), and the security files of the config directory, reloaded
//! when they change.

pub mod config_file;
pub mod config_watcher;
pub mod environment;
pub mod registry;
pub mod setting;
pub mod settings;
pub mod time_value;
pub mod values;

pub use setting::{RealmId, RealmSetting, Setting};
pub use settings::{Settings, SettingsError, conf_dir_from_env};
pub use values::PortRange;
