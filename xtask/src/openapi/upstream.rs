//! Our operations against upstream's definitions (the OpenAPI documents
//! Elasticsearch generates from its specification): operation ids, methods,
//! paths, parameter names, places and types, and the property names of the
//! successful answer. Every difference must be listed, with its reason, in
//! `openapi/upstream-differences.json`.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::Context;
use serde::Deserialize;
use serde_json::Value;

/// A difference we know of, and why it is there.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnownDifference {
    /// `METHOD path`.
    pub operation: String,
    /// The difference, exactly as this command words it.
    pub difference: String,
    /// Why.
    pub reason: String,
}

fn resolve<'a>(document: &'a Value, value: &'a Value) -> &'a Value {
    let mut value = value;
    for _ in 0..16 {
        let Some(reference) = value.get("$ref").and_then(Value::as_str) else { return value };
        value = document.pointer(reference.trim_start_matches('#')).unwrap_or(&Value::Null);
    }
    value
}

/// A schema's JSON type, through `$ref`s and one-element `allOf`s.
fn type_of(document: &Value, schema: &Value) -> String {
    let schema = resolve(document, schema);
    if let Some(one) = schema["allOf"].as_array().filter(|all| all.len() == 1) {
        return type_of(document, &one[0]);
    }
    for alternatives in ["oneOf", "anyOf"] {
        if let Some(alternatives) = schema[alternatives].as_array() {
            let types: BTreeSet<String> = alternatives.iter().map(|a| type_of(document, a)).collect();
            return types.into_iter().collect::<Vec<_>>().join("|");
        }
    }
    match &schema["type"] {
        Value::String(kind) => kind.clone(),
        _ if schema["enum"].is_array() => "string".to_string(),
        _ => "any".to_string(),
    }
}

/// The top-level property names of an operation's 200 JSON answer.
fn answer_properties(document: &Value, operation: &Value) -> BTreeSet<String> {
    let response = resolve(document, &operation["responses"]["200"]);
    let schema = resolve(document, &response["content"]["application/json"]["schema"]);
    let schema = match schema["allOf"].as_array() {
        Some(all) if all.len() == 1 => resolve(document, &all[0]),
        _ => schema,
    };
    schema["properties"].as_object().map(|p| p.keys().cloned().collect()).unwrap_or_default()
}

/// `(in, name) -> (required, type)` of an operation's parameters.
fn parameters(document: &Value, operation: &Value) -> Vec<((String, String), (bool, String))> {
    operation["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| resolve(document, p))
        .map(|p| {
            let key = (p["in"].as_str().unwrap_or("").to_string(), p["name"].as_str().unwrap_or("").to_string());
            (key, (p["required"].as_bool().unwrap_or(false), type_of(document, &p["schema"])))
        })
        .collect()
}

fn operations(document: &Value) -> Vec<(String, &Value)> {
    let mut out = Vec::new();
    for (path, item) in document["paths"].as_object().into_iter().flatten() {
        for (method, operation) in item.as_object().into_iter().flatten() {
            if operation.get("operationId").is_some() {
                out.push((format!("{} {path}", method.to_uppercase()), operation));
            }
        }
    }
    out
}

/// Every difference between our document and upstream's `references`.
pub fn differences(ours: &Value, references: &[Value]) -> Vec<(String, String)> {
    let mut differences = Vec::new();
    let theirs: Vec<(String, &Value, &Value)> = references
        .iter()
        .flat_map(|document| operations(document).into_iter().map(move |(key, op)| (key, op, document)))
        .collect();
    for (key, operation) in operations(ours) {
        let Some((_, upstream, reference)) = theirs.iter().find(|(k, _, _)| *k == key) else {
            differences.push((key, "not in upstream's reference documents".to_string()));
            continue;
        };
        let mut differ = |difference: String| differences.push((key.clone(), difference));
        if operation["operationId"] != upstream["operationId"] {
            differ(format!("operation id {} where upstream has {}", operation["operationId"], upstream["operationId"]));
        }
        let (ours_params, upstream_params) = (parameters(ours, operation), parameters(reference, upstream));
        for ((place, name), (required, kind)) in &upstream_params {
            match ours_params.iter().find(|(k, _)| k == &(place.clone(), name.clone())) {
                None => differ(format!("no parameter {name} ({place})")),
                Some((_, (our_required, our_kind))) => {
                    if our_required != required {
                        differ(format!("parameter {name} ({place}) required: {our_required}, upstream: {required}"));
                    }
                    if our_kind != kind {
                        differ(format!("parameter {name} ({place}) is {our_kind}, upstream: {kind}"));
                    }
                }
            }
        }
        for ((place, name), _) in &ours_params {
            if !upstream_params.iter().any(|(k, _)| k == &(place.clone(), name.clone())) {
                differ(format!("parameter {name} ({place}) that upstream does not have"));
            }
        }
        let (ours_props, upstream_props) = (answer_properties(ours, operation), answer_properties(reference, upstream));
        for missing in upstream_props.difference(&ours_props) {
            differ(format!("the answer lacks upstream's property {missing}"));
        }
        for extra in ours_props.difference(&upstream_props) {
            differ(format!("the answer has property {extra}, which upstream's does not"));
        }
    }
    differences
}

/// Compares `openapi/elasticsearch.json` with the upstream documents in
/// `reference_dir`; fails on a difference `known` does not list, and on a
/// listed one that is gone.
pub fn run(document: &Path, reference_dir: &Path, known: &Path) -> anyhow::Result<bool> {
    let ours: Value = serde_json::from_str(&std::fs::read_to_string(document)?)?;
    let mut references = Vec::new();
    for entry in std::fs::read_dir(reference_dir).with_context(|| format!("reading {}", reference_dir.display()))? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if name.starts_with("upstream-openapi-") && name.ends_with(".json") {
            references.push(serde_json::from_str(&std::fs::read_to_string(&path)?)?);
        }
    }
    anyhow::ensure!(!references.is_empty(), "no upstream-openapi-*.json in {}", reference_dir.display());
    let known: Vec<KnownDifference> = serde_json::from_str(&std::fs::read_to_string(known)?)
        .with_context(|| format!("reading {}", known.display()))?;
    let found = differences(&ours, &references);
    let mut ok = true;
    for (operation, difference) in &found {
        match known.iter().find(|k| k.operation == *operation && k.difference == *difference) {
            Some(k) => println!("known     {operation}: {difference} ({})", k.reason),
            None => {
                ok = false;
                println!("UNLISTED  {operation}: {difference}");
            }
        }
    }
    for k in &known {
        if !found.iter().any(|(operation, difference)| *operation == k.operation && *difference == k.difference) {
            ok = false;
            println!("GONE      {}: {} (listed, but no longer a difference)", k.operation, k.difference);
        }
    }
    Ok(ok)
}
