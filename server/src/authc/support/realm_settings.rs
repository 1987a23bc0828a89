//! The settings every realm has (Elasticsearch's `RealmSettings`), under
//! `xpack.security.authc.realms.<type>.<name>.`.

use crate::config::{RealmSetting, values};

/// Where the realm sits in the realm chain.
pub const ORDER_SETTING: RealmSetting<u64> = RealmSetting::new(
    "order",
    "0",
    values::non_negative_int,
    "the realm's position in the chain; accepted, but the chain is always reserved, then file",
);

/// Whether the realm authenticates at all.
pub const ENABLED_SETTING: RealmSetting<bool> = RealmSetting::new(
    "enabled",
    "true",
    values::boolean,
    "whether the realm authenticates users at all (the file realm is named default_file unless configured)",
);
