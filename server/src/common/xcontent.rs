//! Reading request bodies as Elasticsearch's `XContentParser` does: the
//! token names its parse errors show, and typed field reads with its words.

use serde_json::{Map, Value};

use crate::error::ServiceError;

/// The parser's token for `value` (`XContentParser.Token`).
pub fn token(value: &Value) -> &'static str {
    match value {
        Value::Null => "VALUE_NULL",
        Value::Bool(_) => "VALUE_BOOLEAN",
        Value::Number(_) => "VALUE_NUMBER",
        Value::String(_) => "VALUE_STRING",
        Value::Array(_) => "START_ARRAY",
        Value::Object(_) => "START_OBJECT",
    }
}

/// The token for `value` as Jackson names it, as the role and privilege
/// parsers' messages show it.
pub fn json_token(value: &Value) -> &'static str {
    match value {
        Value::Null => "VALUE_NULL",
        Value::Bool(true) => "VALUE_TRUE",
        Value::Bool(false) => "VALUE_FALSE",
        Value::Number(number) if number.is_f64() => "VALUE_NUMBER_FLOAT",
        Value::Number(_) => "VALUE_NUMBER_INT",
        Value::String(_) => "VALUE_STRING",
        Value::Array(_) => "START_ARRAY",
        Value::Object(_) => "START_OBJECT",
    }
}

/// The error of a field of the wrong type (`ElasticsearchParseException`).
pub fn wrong_type(field: &str, expected: &str, value: &Value) -> ServiceError {
    ServiceError::Parse(format!(
        "expected field [{field}] to be of type {expected}, but found [{}] instead",
        token(value)
    ))
}

/// A string field.
pub fn string(field: &str, value: &Value) -> Result<String, ServiceError> {
    value.as_str().map(str::to_string).ok_or_else(|| wrong_type(field, "string", value))
}

/// A string field that may be null (then unset).
pub fn optional_string(field: &str, value: &Value) -> Result<Option<String>, ServiceError> {
    match value {
        Value::Null => Ok(None),
        _ => string(field, value).map(Some),
    }
}

/// An object field.
pub fn object(field: &str, value: &Value) -> Result<Map<String, Value>, ServiceError> {
    value.as_object().cloned().ok_or_else(|| wrong_type(field, "object", value))
}

/// A boolean field.
pub fn boolean(field: &str, value: &Value) -> Result<bool, ServiceError> {
    value.as_bool().ok_or_else(|| wrong_type(field, "boolean", value))
}

/// A list of strings, or one comma-separated string
/// (`XContentUtils.readStringArray` with comma splitting).
pub fn string_list(field: &str, value: &Value) -> Result<Vec<String>, ServiceError> {
    match value {
        Value::String(text) => {
            Ok(text.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect())
        }
        Value::Array(items) => items
            .iter()
            .map(|item| {
                item.as_str().map(str::to_string).ok_or_else(|| {
                    ServiceError::Parse(format!(
                        "expected field [{field}] to be an array of strings, but found [{}] instead",
                        token(item)
                    ))
                })
            })
            .collect(),
        _ => Err(wrong_type(field, "array of strings", value)),
    }
}

/// The body as an object, or `what`'s parse error.
pub fn fields<'a>(body: &'a Value, what: &str) -> Result<&'a Map<String, Value>, ServiceError> {
    body.as_object().ok_or_else(|| {
        ServiceError::Parse(format!("failed to parse {what}. expected an object but found [{}] instead", token(body)))
    })
}
