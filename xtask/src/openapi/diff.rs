//! What changed between two versions of a document, and whether each change
//! breaks a client: one built against the old document, sending what it
//! allowed and decoding what it promised.
//!
//! Breaking: an operation removed (or moved); a parameter or body property
//! a client may send removed, or newly required; a request value that was
//! valid refused (type, enum value removed, pattern, length); a success
//! status removed; a response property removed, retyped, made optional or
//! nullable; an enum value added to a response. Not breaking: new
//! operations, optional parameters and properties, new response properties,
//! new statuses, relaxed request rules.

use std::collections::BTreeSet;
use std::fmt;

use openapiv3::{
    MediaType, OpenAPI, Operation, Parameter, ReferenceOr, RequestBody, Response, Schema, SchemaKind, StatusCode, Type,
};

/// One change and its verdict.
#[derive(Debug, PartialEq, Eq)]
pub struct Change {
    /// The operation (id, method and path) it is in.
    pub operation: String,
    /// What changed.
    pub what: String,
    /// Whether a client of the old document breaks.
    pub breaking: bool,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = if self.breaking { "BREAKING" } else { "ok" };
        write!(f, "{verdict:<9} {}: {}", self.operation, self.what)
    }
}

/// Which way a schema's values travel.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    /// The client sends them: the new document must accept all it did.
    Request,
    /// The client decodes them: the new document must send only what it
    /// could decode.
    Response,
}

/// The changes from `old` to `new`.
pub fn diff(old: &OpenAPI, new: &OpenAPI) -> Vec<Change> {
    let mut changes = Vec::new();
    let operations = |api: &OpenAPI| -> Vec<(String, String, Operation)> {
        api.operations().map(|(path, method, op)| (method.to_uppercase(), path.to_string(), op.clone())).collect()
    };
    let (old_ops, new_ops) = (operations(old), operations(new));
    let name = |method: &str, path: &str, op: &Operation| {
        format!("{} ({method} {path})", op.operation_id.as_deref().unwrap_or("-"))
    };
    for (method, path, op) in &old_ops {
        match new_ops.iter().find(|(m, p, _)| m == method && p == path) {
            None => changes.push(Change {
                operation: name(method, path, op),
                what: "operation removed".to_string(),
                breaking: true,
            }),
            Some((_, _, new_op)) => {
                let mut differ = Differ { old, new, changes: Vec::new(), seen: BTreeSet::new() };
                differ.operation(op, new_op);
                changes.extend(differ.changes.into_iter().map(|(what, breaking)| Change {
                    operation: name(method, path, new_op),
                    what,
                    breaking,
                }));
            }
        }
    }
    for (method, path, op) in &new_ops {
        if !old_ops.iter().any(|(m, p, _)| m == method && p == path) {
            changes.push(Change {
                operation: name(method, path, op),
                what: "operation added".to_string(),
                breaking: false,
            });
        }
    }
    changes
}

/// Follows `$ref`s of one document.
trait Resolve: Sized {
    fn resolve<'a>(api: &'a OpenAPI, item: &'a ReferenceOr<Self>) -> Option<&'a Self>;
}

macro_rules! resolve_in {
    ($type:ty, $field:ident) => {
        impl Resolve for $type {
            fn resolve<'a>(api: &'a OpenAPI, mut item: &'a ReferenceOr<Self>) -> Option<&'a Self> {
                for _ in 0..32 {
                    match item {
                        ReferenceOr::Item(item) => return Some(item),
                        ReferenceOr::Reference { reference } => {
                            let name = reference.rsplit('/').next()?;
                            item = api.components.as_ref()?.$field.get(name)?;
                        }
                    }
                }
                None
            }
        }
    };
}

resolve_in!(Schema, schemas);
resolve_in!(Parameter, parameters);
resolve_in!(RequestBody, request_bodies);
resolve_in!(Response, responses);

fn boxed<'a>(api: &'a OpenAPI, item: &'a ReferenceOr<Box<Schema>>) -> Option<&'a Schema> {
    match item {
        ReferenceOr::Item(schema) => Some(schema),
        ReferenceOr::Reference { reference } => {
            let name = reference.rsplit('/').next()?;
            Schema::resolve(api, api.components.as_ref()?.schemas.get(name)?)
        }
    }
}

fn reference_name<T>(item: &ReferenceOr<T>) -> Option<&str> {
    match item {
        ReferenceOr::Reference { reference } => reference.rsplit('/').next(),
        ReferenceOr::Item(_) => None,
    }
}

struct Differ<'a> {
    old: &'a OpenAPI,
    new: &'a OpenAPI,
    changes: Vec<(String, bool)>,
    /// Pairs of named schemas already compared, against cycles.
    seen: BTreeSet<(String, String, String)>,
}

impl Differ<'_> {
    fn push(&mut self, what: String, breaking: bool) {
        self.changes.push((what, breaking));
    }

    fn operation(&mut self, old: &Operation, new: &Operation) {
        self.parameters(old, new);
        self.request_body(old, new);
        self.responses(old, new);
    }

    fn parameters(&mut self, old: &Operation, new: &Operation) {
        let list = |api: &OpenAPI, op: &Operation| -> Vec<Parameter> {
            op.parameters.iter().filter_map(|p| Parameter::resolve(api, p)).cloned().collect()
        };
        let (old_params, new_params) = (list(self.old, old), list(self.new, new));
        let key = |p: &Parameter| {
            let data = p.parameter_data_ref();
            let location = match p {
                Parameter::Query { .. } => "query",
                Parameter::Header { .. } => "header",
                Parameter::Path { .. } => "path",
                Parameter::Cookie { .. } => "cookie",
            };
            (location, data.name.clone())
        };
        for old_param in &old_params {
            let (location, name) = key(old_param);
            let label = format!("parameter `{name}` ({location})");
            match new_params.iter().find(|p| key(p) == (location, name.clone())) {
                None => self.push(format!("{label} removed"), true),
                Some(new_param) => {
                    let (o, n) = (old_param.parameter_data_ref(), new_param.parameter_data_ref());
                    if !o.required && n.required {
                        self.push(format!("{label} now required"), true);
                    } else if o.required && !n.required {
                        self.push(format!("{label} now optional"), false);
                    }
                    if let (
                        openapiv3::ParameterSchemaOrContent::Schema(os),
                        openapiv3::ParameterSchemaOrContent::Schema(ns),
                    ) = (&o.format, &n.format)
                    {
                        self.schema(os, ns, Direction::Request, &label);
                    }
                }
            }
        }
        for new_param in &new_params {
            let (location, name) = key(new_param);
            if !old_params.iter().any(|p| key(p) == (location, name.clone())) {
                let required = new_param.parameter_data_ref().required;
                let what = if required { "required parameter" } else { "optional parameter" };
                self.push(format!("{what} `{name}` ({location}) added"), required);
            }
        }
    }

    fn request_body(&mut self, old: &Operation, new: &Operation) {
        let body = |api, op: &Operation| op.request_body.as_ref().and_then(|b| RequestBody::resolve(api, b)).cloned();
        match (body(self.old, old), body(self.new, new)) {
            (None, None) => {}
            (None, Some(new)) => self.push(
                format!("{} request body added", if new.required { "required" } else { "optional" }),
                new.required,
            ),
            (Some(_), None) => self.push("request body removed".to_string(), true),
            (Some(old), Some(new)) => {
                if !old.required && new.required {
                    self.push("request body now required".to_string(), true);
                }
                self.content(&old.content, &new.content, Direction::Request, "request body");
            }
        }
    }

    fn responses(&mut self, old: &Operation, new: &Operation) {
        let all = |api: &OpenAPI, op: &Operation| -> Vec<(String, Response)> {
            let mut out: Vec<(String, Response)> = op
                .responses
                .responses
                .iter()
                .filter_map(|(status, r)| Response::resolve(api, r).map(|r| (status_name(status), r.clone())))
                .collect();
            if let Some(default) = op.responses.default.as_ref().and_then(|r| Response::resolve(api, r)) {
                out.push(("default".to_string(), default.clone()));
            }
            out
        };
        let (old_responses, new_responses) = (all(self.old, old), all(self.new, new));
        for (status, old_response) in &old_responses {
            let label = format!("response {status}");
            match new_responses.iter().find(|(s, _)| s == status) {
                None => self.push(format!("{label} removed"), status.starts_with('2')),
                Some((_, new_response)) => {
                    self.content(&old_response.content, &new_response.content, Direction::Response, &label);
                    for (name, header) in &old_response.headers {
                        let required = |h: &ReferenceOr<openapiv3::Header>| h.as_item().is_some_and(|h| h.required);
                        if required(header) && !new_response.headers.get(name).is_some_and(required) {
                            self.push(format!("{label}: header `{name}` no longer always sent"), true);
                        }
                    }
                }
            }
        }
        for (status, _) in &new_responses {
            if !old_responses.iter().any(|(s, _)| s == status) {
                self.push(format!("response {status} added"), false);
            }
        }
    }

    fn content(
        &mut self,
        old: &indexmap::IndexMap<String, MediaType>,
        new: &indexmap::IndexMap<String, MediaType>,
        direction: Direction,
        label: &str,
    ) {
        for (media_type, old_media) in old {
            match new.get(media_type) {
                None => self.push(format!("{label}: media type {media_type} removed"), true),
                Some(new_media) => {
                    if let (Some(os), Some(ns)) = (&old_media.schema, &new_media.schema) {
                        self.schema(os, ns, direction, &format!("{label} ({media_type})"));
                    }
                }
            }
        }
        // A client gets a media type it did not ask for (`Accept`) no more
        // than before.
        for media_type in new.keys() {
            if !old.contains_key(media_type) {
                self.push(format!("{label}: media type {media_type} added"), false);
            }
        }
    }

    fn schema(&mut self, old: &ReferenceOr<Schema>, new: &ReferenceOr<Schema>, direction: Direction, label: &str) {
        if let (Some(o), Some(n)) = (reference_name(old), reference_name(new)) {
            let tag = if direction == Direction::Request { "request" } else { "response" };
            if !self.seen.insert((o.to_string(), n.to_string(), tag.to_string())) {
                return;
            }
        }
        let (Some(old), Some(new)) = (Schema::resolve(self.old, old), Schema::resolve(self.new, new)) else {
            return self.push(format!("{label}: a schema reference does not resolve"), true);
        };
        self.schema_items(old, new, direction, label);
    }

    fn schema_items(&mut self, old: &Schema, new: &Schema, direction: Direction, label: &str) {
        self.nullable(old, new, direction, label);
        // A named schema in an `allOf` of one goes through `schema`, which
        // stops cycles (an error's `caused_by` is an error).
        if let (Some(o), Some(n)) = (single_all_of(old), single_all_of(new)) {
            return self.schema(o, n, direction, label);
        }
        let (old_inner, new_inner) = (unwrap_all_of(self.old, old), unwrap_all_of(self.new, new));
        if !std::ptr::eq(old, old_inner) || !std::ptr::eq(new, new_inner) {
            self.nullable(old_inner, new_inner, direction, label);
        }
        let (old, new) = (old_inner, new_inner);
        // One string enum written as alternatives of one value each (how
        // schemars keeps each value's doc) is the same set of values.
        let (old_enum, new_enum) = (string_enum(self.old, old), string_enum(self.new, new));
        if old_enum.is_some() || new_enum.is_some() {
            let as_type = |set: Option<Type>, schema: &Schema| match (set, &schema.schema_kind) {
                (Some(set), _) => Some(set),
                (None, SchemaKind::Type(t)) => Some(t.clone()),
                _ => None,
            };
            if let (Some(o), Some(n)) = (as_type(old_enum, old), as_type(new_enum, new)) {
                return self.types(&o, &n, direction, label);
            }
        }
        match (&old.schema_kind, &new.schema_kind) {
            (SchemaKind::Type(o), SchemaKind::Type(n)) => self.types(o, n, direction, label),
            (SchemaKind::Any(_), SchemaKind::Any(_)) => {}
            (SchemaKind::AnyOf { any_of: o }, SchemaKind::AnyOf { any_of: n })
            | (SchemaKind::OneOf { one_of: o }, SchemaKind::OneOf { one_of: n }) => {
                if o.len() != n.len() {
                    self.push(format!("{label}: alternatives changed"), true);
                } else {
                    for (i, (o, n)) in o.iter().zip(n).enumerate() {
                        self.schema(o, n, direction, &format!("{label} alternative {i}"));
                    }
                }
            }
            (o, n) if std::mem::discriminant(o) == std::mem::discriminant(n) => {}
            _ => self.push(format!("{label}: schema kind changed"), true),
        }
    }

    /// Whether null became a value a client must decode, or one it may no
    /// longer send. The schemas' own flags: an `allOf` target's are its own.
    fn nullable(&mut self, old: &Schema, new: &Schema, direction: Direction, label: &str) {
        let (was, is) = (old.schema_data.nullable, new.schema_data.nullable);
        if !was && is && direction == Direction::Response {
            self.push(format!("{label}: may now be null"), true);
        }
        if was && !is && direction == Direction::Request {
            self.push(format!("{label}: null no longer accepted"), true);
        }
    }

    /// A property's or items' schemas: named ones go through `schema`,
    /// which stops cycles.
    fn nested(
        &mut self,
        old: &ReferenceOr<Box<Schema>>,
        new: &ReferenceOr<Box<Schema>>,
        direction: Direction,
        label: &str,
    ) {
        let named = |name: &str| ReferenceOr::Reference { reference: format!("#/components/schemas/{name}") };
        match (reference_name(old), reference_name(new)) {
            (Some(o), Some(n)) => self.schema(&named(o), &named(n), direction, label),
            _ => {
                if let (Some(os), Some(ns)) = (boxed(self.old, old), boxed(self.new, new)) {
                    self.schema_items(os, ns, direction, label);
                }
            }
        }
    }

    fn types(&mut self, old: &Type, new: &Type, direction: Direction, label: &str) {
        let request = direction == Direction::Request;
        match (old, new) {
            (Type::String(o), Type::String(n)) => {
                let (oe, ne): (BTreeSet<_>, BTreeSet<_>) =
                    (o.enumeration.iter().flatten().collect(), n.enumeration.iter().flatten().collect());
                if !oe.is_empty() || !ne.is_empty() {
                    for removed in oe.difference(&ne) {
                        self.push(format!("{label}: enum value `{removed}` removed"), request);
                    }
                    for added in ne.difference(&oe) {
                        self.push(format!("{label}: enum value `{added}` added"), !request && !oe.is_empty());
                    }
                    if oe.is_empty() && request {
                        self.push(format!("{label}: now limited to an enum"), true);
                    }
                }
                if o.pattern != n.pattern {
                    let narrower = n.pattern.is_some();
                    self.push(format!("{label}: pattern {:?} became {:?}", o.pattern, n.pattern), request && narrower);
                }
                if n.max_length.is_some_and(|max| o.max_length.is_none_or(|old| max < old)) {
                    self.push(format!("{label}: longest length now {}", n.max_length.unwrap()), request);
                }
                if n.min_length.is_some_and(|min| o.min_length.is_none_or(|old| min > old)) {
                    self.push(format!("{label}: shortest length now {}", n.min_length.unwrap()), request);
                }
            }
            (Type::Object(o), Type::Object(n)) => {
                for (name, old_property) in &o.properties {
                    let property = format!("{label}: property `{name}`");
                    match n.properties.get(name) {
                        None => self.push(format!("{property} removed"), true),
                        Some(new_property) => {
                            let (was, is) = (o.required.contains(name), n.required.contains(name));
                            if !was && is && request {
                                self.push(format!("{property} now required"), true);
                            }
                            if was && !is && !request {
                                self.push(format!("{property} no longer always sent"), true);
                            }
                            self.nested(old_property, new_property, direction, &property);
                        }
                    }
                }
                for name in n.properties.keys() {
                    if !o.properties.contains_key(name) {
                        let required = n.required.contains(name);
                        self.push(format!("{label}: property `{name}` added"), request && required);
                    }
                }
            }
            (Type::Array(o), Type::Array(n)) => {
                if let (Some(oi), Some(ni)) = (&o.items, &n.items) {
                    self.nested(oi, ni, direction, &format!("{label} items"));
                }
            }
            (Type::Integer(_), Type::Integer(_))
            | (Type::Number(_), Type::Number(_))
            | (Type::Boolean(_), Type::Boolean(_)) => {}
            _ => self.push(format!("{label}: type changed"), true),
        }
    }
}

/// A `oneOf`/`anyOf` whose every alternative is a string enum, as one
/// string enum of all their values.
fn string_enum(api: &OpenAPI, schema: &Schema) -> Option<Type> {
    let (SchemaKind::OneOf { one_of: alternatives } | SchemaKind::AnyOf { any_of: alternatives }) = &schema.schema_kind
    else {
        return None;
    };
    let mut values = Vec::new();
    for alternative in alternatives {
        match &Schema::resolve(api, alternative)?.schema_kind {
            SchemaKind::Type(Type::String(string)) if !string.enumeration.is_empty() && string.pattern.is_none() => {
                values.extend(string.enumeration.iter().cloned());
            }
            _ => return None,
        }
    }
    Some(Type::String(openapiv3::StringType { enumeration: values, ..Default::default() }))
}

/// The one reference of a schema that is an `allOf` of it.
fn single_all_of(schema: &Schema) -> Option<&ReferenceOr<Schema>> {
    match &schema.schema_kind {
        SchemaKind::AllOf { all_of } if all_of.len() == 1 && reference_name(&all_of[0]).is_some() => Some(&all_of[0]),
        _ => None,
    }
}

/// A schema that is an `allOf` of one schema (how schemars gives a `$ref`
/// a description) is that schema.
fn unwrap_all_of<'a>(api: &'a OpenAPI, schema: &'a Schema) -> &'a Schema {
    match &schema.schema_kind {
        SchemaKind::AllOf { all_of } if all_of.len() == 1 => Schema::resolve(api, &all_of[0]).unwrap_or(schema),
        _ => schema,
    }
}

fn status_name(status: &StatusCode) -> String {
    status.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document(patch: impl FnOnce(&mut serde_json::Value)) -> OpenAPI {
        let mut value: serde_json::Value =
            serde_json::from_str(&es_tokens_api::openapi_document()).expect("the document is JSON");
        patch(&mut value);
        serde_json::from_value(value).expect("still a document")
    }

    fn verdicts(changes: &[Change]) -> Vec<(String, bool)> {
        changes.iter().map(|c| (c.what.clone(), c.breaking)).collect()
    }

    const DELETE: &str = "/_security/service/{namespace}/{service}/credential/token/{name}";

    #[test]
    fn the_same_document_has_no_changes() {
        assert!(diff(&document(|_| {}), &document(|_| {})).is_empty());
    }

    #[test]
    fn operations_removed_break_and_added_do_not() {
        let old = document(|_| {});
        let new = document(|d| {
            d["paths"].as_object_mut().unwrap().remove("/metrics");
        });
        let changes = diff(&old, &new);
        assert_eq!(verdicts(&changes), [("operation removed".to_string(), true)]);
        assert_eq!(changes[0].operation, "metrics (GET /metrics)");
        assert_eq!(verdicts(&diff(&new, &old)), [("operation added".to_string(), false)]);
    }

    #[test]
    fn parameters() {
        let old = document(|_| {});
        let optional = document(|d| {
            let params = d["paths"]["/_security/_authenticate"]["get"]["parameters"].as_array_mut();
            let param = serde_json::json!({"in": "query", "name": "verbose", "schema": {"type": "boolean"}});
            match params {
                Some(params) => params.push(param),
                None => d["paths"]["/_security/_authenticate"]["get"]["parameters"] = serde_json::json!([param]),
            }
        });
        assert_eq!(
            verdicts(&diff(&old, &optional)),
            [("optional parameter `verbose` (query) added".to_string(), false)]
        );
        assert_eq!(verdicts(&diff(&optional, &old)), [("parameter `verbose` (query) removed".to_string(), true)]);
        let required = document(|d| {
            d["paths"]["/_security/_authenticate"]["get"]["parameters"] = serde_json::json!([{"in": "query", "name": "verbose", "required": true, "schema": {"type": "boolean"}}]);
        });
        assert_eq!(
            verdicts(&diff(&old, &required)),
            [("required parameter `verbose` (query) added".to_string(), true)]
        );
    }

    #[test]
    fn enum_values_and_properties() {
        let old = document(|_| {});
        let narrower = document(|d| {
            let values = d["components"]["schemas"]["RefreshPolicy"]["enum"].as_array_mut().unwrap();
            values.retain(|v| v != "wait_for");
        });
        let changes = diff(&old, &narrower);
        assert!(
            !changes.is_empty() && changes.iter().all(|c| c.breaking && c.what.contains("`wait_for` removed")),
            "{changes:?}"
        );
        let fewer = document(|d| {
            d["components"]["schemas"]["DeleteServiceTokenResponse"]["properties"]
                .as_object_mut()
                .unwrap()
                .remove("found");
        });
        let changes = diff(&old, &fewer);
        assert!(changes.iter().any(|c| c.breaking && c.what.contains("property `found` removed")), "{changes:?}");
        assert!(changes.iter().all(|c| c.operation.starts_with("security-delete-service-token")));
        let more = document(|d| {
            d["components"]["schemas"]["DeleteServiceTokenResponse"]["properties"]["extra"] =
                serde_json::json!({"type": "string"});
        });
        let changes = diff(&old, &more);
        assert!(!changes.is_empty() && changes.iter().all(|c| !c.breaking), "{changes:?}");
    }

    #[test]
    fn a_retyped_response_property_breaks() {
        let old = document(|_| {});
        let new = document(|d| {
            d["components"]["schemas"]["DeleteServiceTokenResponse"]["properties"]["found"] =
                serde_json::json!({"type": "string"});
        });
        let changes = diff(&old, &new);
        assert!(
            changes.iter().any(|c| c.breaking && c.what.ends_with("property `found`: type changed")),
            "{changes:?}"
        );
        assert!(changes.iter().all(|c| c.operation.contains(DELETE)));
    }

    #[test]
    fn an_enum_written_as_alternatives_is_the_same_enum() {
        let old = document(|_| {});
        let alternatives = document(|d| {
            d["components"]["schemas"]["RefreshPolicy"] = serde_json::json!({"oneOf": [
                {"type": "string", "enum": ["true"], "description": "Now."},
                {"type": "string", "enum": ["false"]},
                {"type": "string", "enum": ["wait_for", ""]},
            ]});
        });
        assert_eq!(verdicts(&diff(&old, &alternatives)), []);
        assert_eq!(verdicts(&diff(&alternatives, &old)), []);
        let fewer = document(|d| {
            d["components"]["schemas"]["RefreshPolicy"] = serde_json::json!({"oneOf": [{"type": "string", "enum": ["true", ""]}, {"type": "string", "enum": ["false"]}]});
        });
        let changes = diff(&old, &fewer);
        assert!(!changes.is_empty() && changes.iter().all(|c| c.breaking && c.what.contains("`wait_for` removed")));
    }

    #[test]
    fn a_request_value_no_longer_nullable_breaks() {
        let nullable = document(|d| {
            d["components"]["schemas"]["RefreshPolicy"]["nullable"] = serde_json::json!(true);
        });
        let changes = diff(&nullable, &document(|_| {}));
        assert!(
            !changes.is_empty() && changes.iter().all(|c| c.breaking && c.what.ends_with("null no longer accepted"))
        );
    }
}
