//! What an API trait cannot say through dropshot, added to the document it
//! renders: every status an operation answers with, each with its schema
//! and headers (`responses`); the media types of Elasticsearch's REST API
//! compatibility; the security schemes; examples that a test replays
//! against a node (`examples`); and the links a stateful fuzzer follows
//! (`links`).
//!
//! Each document lists its operations in a [`Contract`]; rendering fails if
//! an operation of the trait is missing from it, or the other way round, so
//! that a new endpoint cannot go undocumented.

mod examples;
mod links;
mod responses;

use serde_json::{Map, Value, json};

pub use examples::{Example, Replay};
pub use links::{CREATED_TOKEN, Link, NODE_FILE_TOKENS};
pub use responses::{ErrorStatus, ProductHeader};

/// What one operation adds to what dropshot renders.
pub struct Operation {
    /// Its operation id.
    pub id: &'static str,
    /// The error statuses it answers with (besides `4XX`/`5XX`, which stay
    /// for anything else).
    pub errors: &'static [ErrorStatus],
    /// Its examples: a JSON array (see [`Example`]).
    pub examples: &'static str,
    /// Links from its successful answer to other operations.
    pub links: &'static [Link],
    /// The media type of a successful answer that is text, not JSON (which
    /// dropshot can only call "anything").
    pub text: Option<&'static str>,
    /// The schema of a JSON body the handler reads itself (dropshot's
    /// `UntypedBody`, which it can only call bytes), to parse it with
    /// Elasticsearch's errors.
    pub request_body: Option<RequestBodySchema>,
}

/// Adds the schema of a request body to a generator, and returns it.
pub type RequestBodySchema = fn(&mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema;

/// How a document's callers authenticate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Security {
    /// Users (Basic) and service accounts (a bearer token).
    UsersAndServiceAccounts,
    /// The cluster's shared secret, as a bearer token.
    SharedSecret,
}

/// What a whole document adds.
pub struct Contract {
    /// Every operation of the document.
    pub operations: &'static [Operation],
    /// How callers authenticate.
    pub security: Security,
    /// How surely its error answers carry `X-Elastic-Product`.
    pub error_product_header: ProductHeader,
    /// What each tag of its operations groups.
    pub tags: &'static [(&'static str, &'static str)],
    /// Whether every answer echoes the request's `X-Opaque-Id`
    /// (`DefaultRestChannel`).
    pub echoes_opaque_id: bool,
}

/// The media types a JSON answer comes in: plain JSON, or the
/// compatible-with media type the client asked for (versions 8 and 9).
pub const JSON_MEDIA_TYPES: [&str; 3] = [
    "application/json",
    "application/vnd.elasticsearch+json;compatible-with=8",
    "application/vnd.elasticsearch+json;compatible-with=9",
];

/// Adds `contract` to `document`, which dropshot rendered.
pub fn complete(document: &mut Value, contract: &Contract) {
    let mut generator = schemars::r#gen::SchemaSettings::openapi3().into_generator();
    if contract.operations.iter().any(|spec| spec.errors.contains(&ErrorStatus::NotAcceptable)) {
        generator.subschema_for::<es_tokens_types::SimpleErrorResponse>();
    }
    let mut seen = Vec::new();
    let paths = document["paths"].as_object_mut().expect("a document has paths");
    for (path, item) in paths.iter_mut() {
        for (method, operation) in item.as_object_mut().expect("a path item is an object") {
            let id = operation["operationId"].as_str().expect("every operation has an id").to_string();
            let spec = contract
                .operations
                .iter()
                .find(|spec| spec.id == id)
                .unwrap_or_else(|| panic!("operation {id} ({method} {path}) is not in the document's contract"));
            complete_operation(operation, method == "head", spec, contract, &mut generator);
            seen.push(id);
        }
    }
    for spec in contract.operations {
        assert!(seen.iter().any(|id| id == spec.id), "the contract names operation {}, which the API lacks", spec.id);
    }
    // Schemas no dropshot endpoint names: bodies the handlers read
    // themselves, Elasticsearch's simple error.
    for (name, schema) in generator.definitions() {
        let schemas = document["components"]["schemas"].as_object_mut().expect("a document has schemas");
        schemas.entry(name.clone()).or_insert_with(|| serde_json::to_value(schema).expect("a schema is JSON"));
    }
    add_security(document, contract.security);
    let tags: Vec<Value> =
        contract.tags.iter().map(|(name, description)| json!({"name": name, "description": description})).collect();
    for tag in document["tags"].as_array().into_iter().flatten() {
        assert!(tags.iter().any(|t| t["name"] == tag["name"]), "tag {} is not described in the contract", tag["name"]);
    }
    if !tags.is_empty() {
        document["tags"] = Value::Array(tags);
    }
}

fn complete_operation(
    operation: &mut Value,
    head: bool,
    spec: &Operation,
    contract: &Contract,
    generator: &mut schemars::r#gen::SchemaGenerator,
) {
    let responses = operation["responses"].as_object_mut().expect("an operation has responses");
    if let Some(media_type) = spec.text {
        let free_form = responses.remove("default").expect("a text answer is free-form to dropshot");
        let description = free_form["description"].clone();
        responses.insert(
            "200".to_string(),
            json!({
                "description": description,
                "headers": {"X-Elastic-Product": ProductHeader::Always.object()},
                "content": {media_type: {"schema": {"type": "string"}}}
            }),
        );
    }
    if let Some(ok) = responses.get_mut("200") {
        widen_media_types(ok);
        if let Some(header) = ok.get_mut("headers").and_then(|headers| headers.get_mut("X-Elastic-Product")) {
            *header = ProductHeader::Always.object();
        }
    }
    let mut completed = Map::new();
    for (status, response) in std::mem::take(responses) {
        if status == "4XX" || status == "5XX" {
            continue;
        }
        completed.insert(status, response);
    }
    for error in spec.errors {
        completed.insert(error.code().to_string(), error.response(head, contract));
    }
    // Anything else still decodes as Elasticsearch's error; an answer to
    // HEAD has no body at all.
    for range in ["4XX", "5XX"] {
        let response = match head {
            true => json!({"description": "An error; the answer to HEAD has its status and headers, no body."}),
            false => json!({"$ref": "#/components/responses/ErrorResponse"}),
        };
        completed.insert(range.to_string(), response);
    }
    if contract.echoes_opaque_id {
        for response in completed.values_mut().filter(|response| response.get("$ref").is_none()) {
            response["headers"]["X-Opaque-Id"] = json!({
                "description": "The request's `X-Opaque-Id`, when it sent one (its first value, verbatim).",
                "style": "simple",
                "schema": {"type": "string"}
            });
        }
    }
    *responses = completed;
    if let Some(schema) = spec.request_body {
        let schema = serde_json::to_value(schema(generator)).expect("a schema is JSON");
        let content: Map<String, Value> =
            JSON_MEDIA_TYPES.iter().map(|media_type| (media_type.to_string(), json!({"schema": schema}))).collect();
        operation["requestBody"] = json!({"content": content, "required": true});
    }
    examples::add(operation, spec);
    links::add(operation, spec.links);
}

/// A JSON answer in every media type the node may send it in.
fn widen_media_types(response: &mut Value) {
    let Some(content) = response.get_mut("content").and_then(Value::as_object_mut) else { return };
    let Some(json) = content.get("application/json").cloned() else { return };
    for media_type in &JSON_MEDIA_TYPES[1..] {
        content.insert(media_type.to_string(), json.clone());
    }
}

fn add_security(document: &mut Value, security: Security) {
    let schemes = match security {
        Security::UsersAndServiceAccounts => json!({
            "basicAuth": {
                "type": "http",
                "scheme": "basic",
                "description": "A user of the reserved (`elastic`), file or native realm."
            },
            "bearerAuth": {
                "type": "http",
                "scheme": "bearer",
                "description": "A service account token, as created by `security-create-service-token`."
            }
        }),
        Security::SharedSecret => json!({
            "sharedSecret": {
                "type": "http",
                "scheme": "bearer",
                "description": "The cluster's shared secret (`transport.shared_secret_file`)."
            }
        }),
    };
    let requirements: Vec<Value> = schemes.as_object().unwrap().keys().map(|name| json!({ name: [] })).collect();
    document["components"]["securitySchemes"] = schemes;
    document["security"] = Value::Array(requirements);
}
