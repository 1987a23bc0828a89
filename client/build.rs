//! Generates the client from the checked-in contract,
//! `openapi/elasticsearch.json`, with progenitor.
//!
//! progenitor wants one error type per operation, so an operation whose
//! error answers have several schemas (the delete's 404 `{"found":false}`
//! next to Elasticsearch's error) has them joined, for the client only, into
//! one `anyOf` named after its success schema (`DeleteServiceTokenError`),
//! which the shared types define. The contract itself stays exact. Every
//! schema is replaced by the shared type of the same name in
//! `es-tokens-types`, so the client and the server cannot disagree.

use std::collections::BTreeSet;

use serde_json::{Value, json};

const CONTRACT: &str = "../openapi/elasticsearch.json";

fn main() {
    println!("cargo::rerun-if-changed={CONTRACT}");
    println!("cargo::rerun-if-changed=build.rs");
    let text = std::fs::read_to_string(CONTRACT).expect("the contract is checked in");
    let mut document: Value = serde_json::from_str(&text).expect("the contract is JSON");
    join_error_schemas(&mut document);
    plain_json_bodies(&mut document);
    let spec: openapiv3::OpenAPI = serde_json::from_value(document.clone()).expect("the contract is OpenAPI 3.0");
    let mut settings = progenitor::GenerationSettings::default();
    settings.with_interface(progenitor::InterfaceStyle::Positional).with_tag(progenitor::TagStyle::Merged);
    for name in document["components"]["schemas"].as_object().expect("the contract has schemas").keys() {
        settings.with_replacement(name, format!("es_tokens_types::{name}"), std::iter::empty());
    }
    let tokens = progenitor::Generator::new(&settings).generate_tokens(&spec).expect("progenitor generates the client");
    let out = std::path::Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("client.rs");
    std::fs::write(out, tokens.to_string()).expect("OUT_DIR is writable");
}

/// The schema a response refers to, if any.
fn schema_of(document: &Value, response: &Value) -> Option<String> {
    let response = match response["$ref"].as_str() {
        Some(reference) => &document["components"]["responses"][reference.rsplit('/').next()?],
        None => response,
    };
    response["content"]["application/json"]["schema"]["$ref"].as_str().map(str::to_string)
}

/// Request bodies as plain JSON only: progenitor takes one media type, and
/// the client sends `application/json`, which the node reads like the
/// compatible-with types the contract also lists.
fn plain_json_bodies(document: &mut Value) {
    for item in document["paths"].as_object_mut().expect("the contract has paths").values_mut() {
        for operation in item.as_object_mut().expect("a path item is an object").values_mut() {
            if let Some(content) = operation.pointer_mut("/requestBody/content").and_then(Value::as_object_mut) {
                content.retain(|media_type, _| media_type == "application/json");
            }
        }
    }
}

/// Collapses the error answers of every operation into `4XX` and `5XX` of
/// one schema: the client decodes each the same way, and progenitor takes
/// only one. Several schemas are joined into an `anyOf` named after the
/// success schema.
fn join_error_schemas(document: &mut Value) {
    let is_error = |status: &str| status.starts_with('4') || status.starts_with('5');
    let mut unions = Vec::new();
    let snapshot = document.clone();
    for item in document["paths"].as_object_mut().expect("the contract has paths").values_mut() {
        for operation in item.as_object_mut().expect("a path item is an object").values_mut() {
            let responses = operation["responses"].as_object_mut().expect("an operation has responses");
            let schemas: BTreeSet<String> = responses
                .iter()
                .filter(|(status, _)| is_error(status))
                .filter_map(|(_, response)| schema_of(&snapshot, response))
                .collect();
            let schema = match schemas.len() {
                0 => None,
                1 => schemas.into_iter().next(),
                _ => {
                    let success = schema_of(&snapshot, &responses["200"]).expect("a joined operation answers JSON");
                    let success = success.rsplit('/').next().unwrap();
                    let name = success.replace("Response", "Error");
                    // The union must not take the place of the success schema.
                    assert_ne!(name, success, "the success schema of a joined operation must be named *Response");
                    unions.push((name.clone(), schemas));
                    Some(format!("#/components/schemas/{name}"))
                }
            };
            responses.retain(|status, _| !is_error(status));
            for range in ["4XX", "5XX"] {
                let response = match &schema {
                    Some(schema) => json!({
                        "description": "an error",
                        "content": {"application/json": {"schema": {"$ref": schema}}}
                    }),
                    None => json!({"description": "an error, without a body"}),
                };
                responses.insert(range.to_string(), response);
            }
        }
    }
    for (name, schemas) in unions {
        let any_of: Vec<Value> = schemas.iter().map(|schema| json!({"$ref": schema})).collect();
        document["components"]["schemas"][&name] = json!({"anyOf": any_of});
    }
}
