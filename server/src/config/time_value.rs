//! Elasticsearch time values (`20m`, `30s`, `0`), as `TimeValue.parseTimeValue`
//! reads them.

use std::time::Duration;

/// Why a time value did not parse; rendered with the setting name by the
/// caller, in Elasticsearch's words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeValueError {
    /// No or an unknown unit.
    #[error(
        "failed to parse setting [{setting}] with value [{value}] as a time value: unit is missing or unrecognized"
    )]
    UnitMissing { setting: String, value: String },
    /// Below -1.
    #[error(
        "failed to parse setting [{setting}] with value [{value}] as a time value: negative durations are not supported"
    )]
    Negative { setting: String, value: String },
    /// Not an integer.
    #[error("failed to parse [{value}], fractional time values are not supported")]
    Fractional { value: String },
    /// Not a number.
    #[error("failed to parse [{value}]")]
    NotANumber { value: String },
}

/// A parsed time value. `-1` is Elasticsearch's "unset/infinite" and comes
/// back as `None`.
pub fn parse_time_value(setting: &str, raw: &str) -> Result<Option<Duration>, TimeValueError> {
    let normalized = raw.trim().to_lowercase();
    // Elasticsearch checks `m` against the raw value (case-sensitive, so `M`
    // is not minutes) and every other unit against the lower-cased one.
    const UNITS: [(&str, u64); 7] = [
        ("nanos", 1),
        ("micros", 1_000),
        ("ms", 1_000_000),
        ("s", 1_000_000_000),
        ("m", 60_000_000_000),
        ("h", 3_600_000_000_000),
        ("d", 86_400_000_000_000),
    ];
    for (unit, nanos_per_unit) in UNITS {
        let subject = if unit == "m" { raw.trim() } else { normalized.as_str() };
        // `nanos`, `micros` and `ms` end in `s`: the order above tests them
        // first, as Elasticsearch does.
        if let Some(number) = subject.strip_suffix(unit) {
            return scale(setting, raw, number.trim(), nanos_per_unit);
        }
    }
    match normalized.as_str() {
        "-1" => Ok(None),
        "0" => Ok(Some(Duration::ZERO)),
        _ if is_minus_one(&normalized) => Ok(None),
        _ if !normalized.is_empty() && normalized.bytes().all(|b| b == b'0') => Ok(Some(Duration::ZERO)),
        _ => Err(TimeValueError::UnitMissing { setting: setting.to_string(), value: raw.to_string() }),
    }
}

fn is_minus_one(value: &str) -> bool {
    value.strip_prefix('-').is_some_and(|rest| rest.trim_start_matches('0') == "1")
}

fn scale(setting: &str, raw: &str, number: &str, nanos_per_unit: u64) -> Result<Option<Duration>, TimeValueError> {
    let amount: i64 = match number.parse() {
        Ok(amount) => amount,
        Err(_) if number.parse::<f64>().is_ok() => {
            return Err(TimeValueError::Fractional { value: raw.to_string() });
        }
        Err(_) => return Err(TimeValueError::NotANumber { value: raw.to_string() }),
    };
    match amount {
        -1 => Ok(None),
        n if n < -1 => Err(TimeValueError::Negative { setting: setting.to_string(), value: raw.to_string() }),
        n => Ok(Some(Duration::from_nanos((n as u64).saturating_mul(nanos_per_unit)))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &str) -> Result<Option<Duration>, TimeValueError> {
        parse_time_value("x.ttl", raw)
    }

    #[test]
    fn units() {
        assert_eq!(parse("20m"), Ok(Some(Duration::from_secs(1200))));
        assert_eq!(parse("30s"), Ok(Some(Duration::from_secs(30))));
        assert_eq!(parse("250ms"), Ok(Some(Duration::from_millis(250))));
        assert_eq!(parse("2h"), Ok(Some(Duration::from_secs(7200))));
        assert_eq!(parse("1d"), Ok(Some(Duration::from_secs(86400))));
        assert_eq!(parse("7micros"), Ok(Some(Duration::from_micros(7))));
        assert_eq!(parse("9nanos"), Ok(Some(Duration::from_nanos(9))));
        assert_eq!(parse(" 5S "), Ok(Some(Duration::from_secs(5))));
    }

    #[test]
    fn zero_and_minus_one_need_no_unit() {
        assert_eq!(parse("0"), Ok(Some(Duration::ZERO)));
        assert_eq!(parse("000"), Ok(Some(Duration::ZERO)));
        assert_eq!(parse("-1"), Ok(None));
        assert_eq!(parse("0s"), Ok(Some(Duration::ZERO)));
    }

    #[test]
    fn errors_in_elasticsearch_words() {
        assert_eq!(
            parse("20").unwrap_err().to_string(),
            "failed to parse setting [x.ttl] with value [20] as a time value: unit is missing or unrecognized"
        );
        assert_eq!(
            parse("-5m").unwrap_err().to_string(),
            "failed to parse setting [x.ttl] with value [-5m] as a time value: negative durations are not supported"
        );
        assert_eq!(
            parse("1.5m").unwrap_err().to_string(),
            "failed to parse [1.5m], fractional time values are not supported"
        );
        assert_eq!(parse("abcm").unwrap_err().to_string(), "failed to parse [abcm]");
        // Upper-case M is not minutes.
        assert!(matches!(parse("5M"), Err(TimeValueError::UnitMissing { .. })));
    }
}
