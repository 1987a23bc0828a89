//! Parsers of setting values, with Elasticsearch's error texts, and the
//! value types they produce.

use std::path::PathBuf;
use std::time::Duration;

use crate::config::settings::SettingsError;
use crate::config::time_value::parse_time_value;

fn invalid(key: &str, value: &str, detail: impl Into<String>) -> SettingsError {
    SettingsError::Invalid { key: key.to_string(), value: value.to_string(), detail: detail.into() }
}

/// Any text.
pub fn string(_key: &str, value: &str) -> Result<String, SettingsError> {
    Ok(value.to_string())
}

/// Text that is not blank.
pub fn non_blank(key: &str, value: &str) -> Result<String, SettingsError> {
    if value.trim().is_empty() {
        return Err(invalid(key, value, " must not be empty"));
    }
    Ok(value.to_string())
}

/// A path, relative to the working directory unless absolute.
pub fn path(_key: &str, value: &str) -> Result<PathBuf, SettingsError> {
    Ok(PathBuf::from(value))
}

/// A path, or nothing when empty.
pub fn optional_path(_key: &str, value: &str) -> Result<Option<PathBuf>, SettingsError> {
    Ok((!value.is_empty()).then(|| PathBuf::from(value)))
}

/// A comma-separated list (a YAML list arrives joined with commas), blanks
/// dropped.
pub fn list(_key: &str, value: &str) -> Result<Vec<String>, SettingsError> {
    Ok(value.split(',').map(str::trim).filter(|item| !item.is_empty()).map(str::to_string).collect())
}

/// `true` or `false`, as Elasticsearch's `Booleans.parseBoolean`.
pub fn boolean(key: &str, value: &str) -> Result<bool, SettingsError> {
    match value {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(invalid(key, value, "")),
    }
}

/// A whole number of at least 0.
pub fn non_negative_int(key: &str, value: &str) -> Result<u64, SettingsError> {
    let number: i64 = value.trim().parse().map_err(|_| invalid(key, value, ""))?;
    u64::try_from(number).map_err(|_| invalid(key, value, " must be >= 0"))
}

/// A size in bytes as Elasticsearch's `ByteSizeValue` reads it: a whole
/// number, with `b`, `kb`, `mb`, `gb`, `tb` or `pb` (or `k`, `m`...) for
/// powers of 1024, or none for bytes.
pub fn byte_size(key: &str, value: &str) -> Result<u64, SettingsError> {
    let lower = value.trim().to_ascii_lowercase();
    let units: [(&str, u32); 11] = [
        ("kb", 1),
        ("mb", 2),
        ("gb", 3),
        ("tb", 4),
        ("pb", 5),
        ("k", 1),
        ("m", 2),
        ("g", 3),
        ("t", 4),
        ("p", 5),
        ("b", 0),
    ];
    let (number, power) = units
        .iter()
        .find_map(|(unit, power)| lower.strip_suffix(unit).map(|number| (number.trim(), *power)))
        .unwrap_or((lower.as_str(), 0));
    let number: u64 = number.parse().map_err(|_| invalid(key, value, ""))?;
    number.checked_mul(1024u64.pow(power)).ok_or_else(|| invalid(key, value, " is too large"))
}

/// A time value of at least 0; `-1` (Elasticsearch's "no expiry") is refused,
/// as Elasticsearch's caches refuse it.
pub fn non_negative_time(key: &str, value: &str) -> Result<Duration, SettingsError> {
    parse_time_value(key, value)?.ok_or_else(|| invalid(key, value, " must be >= 0s"))
}

/// A time value of at least `least`.
pub fn time_at_least(key: &str, value: &str, least: Duration) -> Result<Duration, SettingsError> {
    let time = non_negative_time(key, value)?;
    if time < least {
        return Err(invalid(key, value, format!(" must be >= {}", render_time(least))));
    }
    Ok(time)
}

/// A whole number of at least `least`.
pub fn int_at_least(key: &str, value: &str, least: u64) -> Result<u64, SettingsError> {
    let number = non_negative_int(key, value)?;
    if number < least {
        return Err(invalid(key, value, format!(" must be >= {least}")));
    }
    Ok(number)
}

/// A duration as a time value: `2s`, `100ms`.
fn render_time(time: Duration) -> String {
    if time.subsec_millis() == 0 { format!("{}s", time.as_secs()) } else { format!("{}ms", time.as_millis()) }
}

/// A time value, where `-1` means "never".
pub fn time_or_forever(key: &str, value: &str) -> Result<Duration, SettingsError> {
    Ok(parse_time_value(key, value)?.unwrap_or(Duration::MAX))
}

/// A time value, where `-1` means zero (a realm cache's `ttl`: disabled).
pub fn time_or_zero(key: &str, value: &str) -> Result<Duration, SettingsError> {
    Ok(parse_time_value(key, value)?.unwrap_or(Duration::ZERO))
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

/// `9200` or `9200-9300`.
pub fn port_range(key: &str, value: &str) -> Result<PortRange, SettingsError> {
    let (first, last) = match value.split_once('-') {
        Some((first, last)) => (first.trim(), last.trim()),
        None => (value.trim(), value.trim()),
    };
    let first: u16 = first.parse().map_err(|_| invalid(key, value, ""))?;
    let last: u16 = last.parse().map_err(|_| invalid(key, value, ""))?;
    if first > last {
        return Err(invalid(key, value, ""));
    }
    Ok(PortRange { first, last })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_sizes_as_elasticsearch_reads_them() {
        for (value, bytes) in
            [("4096", 4096), ("4kb", 4096), ("4KB", 4096), ("100mb", 100 << 20), ("7b", 7), ("1g", 1 << 30)]
        {
            assert_eq!(byte_size("k", value).unwrap(), bytes, "{value}");
        }
        for value in ["", "kb", "-1", "4 parsecs"] {
            assert!(byte_size("k", value).is_err(), "{value}");
        }
    }

    #[test]
    fn ports() {
        assert_eq!(port_range("p", "9200").unwrap(), PortRange { first: 9200, last: 9200 });
        assert_eq!(port_range("p", "9200-9300").unwrap(), PortRange { first: 9200, last: 9300 });
        assert_eq!(
            port_range("p", "9300-9200").unwrap_err().to_string(),
            "Failed to parse value [9300-9200] for setting [p]"
        );
        assert_eq!(PortRange { first: 1, last: 2 }.to_string(), "1-2");
    }

    #[test]
    fn numbers_booleans_and_lists() {
        assert_eq!(
            non_negative_int("n", "-3").unwrap_err().to_string(),
            "Failed to parse value [-3] for setting [n] must be >= 0"
        );
        assert_eq!(boolean("b", "yes").unwrap_err().to_string(), "Failed to parse value [yes] for setting [b]");
        assert_eq!(list("l", " a:1, ,b:2 ").unwrap(), ["a:1", "b:2"]);
        assert_eq!(optional_path("p", "").unwrap(), None);
        assert_eq!(
            time_at_least("t", "50ms", Duration::from_millis(100)).unwrap_err().to_string(),
            "Failed to parse value [50ms] for setting [t] must be >= 100ms"
        );
        assert_eq!(
            int_at_least("n", "0", 1).unwrap_err().to_string(),
            "Failed to parse value [0] for setting [n] must be >= 1"
        );
    }
}
