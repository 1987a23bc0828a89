//! Examples: each names the parameters (and body) of a request and the
//! answer the node gives, and says how to replay it (`x-replay` on the
//! operation), so that a test can send every example to a node and compare.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::contract::Operation;

/// One example, as the files under `api/examples/` hold them.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    /// Unique within the operation; names the example of each parameter,
    /// of the body and of the answer.
    pub name: String,
    /// What it shows.
    pub summary: String,
    /// Path and query parameters by name.
    #[serde(default)]
    pub parameters: Map<String, Value>,
    /// The request body.
    #[serde(default)]
    pub body: Option<Value>,
    /// The status of the answer.
    pub status: u16,
    /// Its body: JSON, or text; none for an answer without one.
    #[serde(default)]
    pub response: Option<Value>,
    /// How to replay it.
    pub replay: Replay,
}

/// How a test replays an example, written into the document as the
/// operation's `x-replay`, by example name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Replay {
    /// The status of the answer (filled in from the example).
    #[serde(default)]
    pub status: u16,
    /// Who sends it: `elastic`, `anonymous`, a file-realm user
    /// (`token_manager`), `basic <user>:<password>` for a user `before`
    /// made, `bearer <namespace>/<service>/<name>` for an index
    /// token made by `before`, `bearer file` for the file token, or
    /// `shared secret` on the node-to-node API.
    #[serde(rename = "as")]
    pub caller: String,
    /// What to do first, as `elastic`: `create <namespace>/<service>/<name>`
    /// makes an index token; `<PUT|POST|DELETE> <path> [<JSON body>]` sends
    /// that request (which must succeed), e.g. to put a user or a role.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub before: Vec<String>,
    /// JSON pointers (`*` for any key or index) to values the node makes up
    /// (ids, secrets): only their type is compared. A pointer ending in `/~`
    /// says the keys of that object are made up too.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub volatile: Vec<String>,
    /// Request headers besides `Authorization`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
}

/// Adds the examples of `spec` to `operation`.
pub fn add(operation: &mut Value, spec: &Operation) {
    let examples: Vec<Example> = serde_json::from_str(spec.examples)
        .unwrap_or_else(|error| panic!("the examples of {} do not parse: {error}", spec.id));
    assert!(!examples.is_empty(), "operation {} has no example", spec.id);
    let mut replays = Map::new();
    for example in examples {
        let context = format!("example {} of {}", example.name, spec.id);
        let shown = |value: &Value| json!({"summary": example.summary, "value": value});
        for (name, value) in &example.parameters {
            let parameter = operation["parameters"]
                .as_array_mut()
                .and_then(|parameters| parameters.iter_mut().find(|p| p["name"] == name.as_str()))
                .unwrap_or_else(|| panic!("{context}: the operation has no parameter {name}"));
            parameter["examples"][&example.name] = shown(value);
        }
        if let Some(body) = &example.body {
            let content = &mut operation["requestBody"]["content"]["application/json"];
            assert!(content.is_object(), "{context}: the operation takes no JSON body");
            content["examples"][&example.name] = shown(body);
        }
        let response = &mut operation["responses"][example.status.to_string()];
        assert!(response.is_object(), "{context}: status {} is not documented", example.status);
        match (&example.response, response.get_mut("content").and_then(Value::as_object_mut)) {
            (Some(body), Some(content)) => {
                let media_type = content
                    .keys()
                    .find(|media_type| *media_type == "application/json" || media_type.starts_with("text/plain"))
                    .cloned()
                    .unwrap_or_else(|| panic!("{context}: no JSON or text media type to show the body in"));
                content[&media_type]["examples"][&example.name] = shown(body);
            }
            (None, None) => {}
            (Some(_), None) => panic!("{context}: the documented answer has no body"),
            (None, Some(_)) => panic!("{context}: the example shows no body"),
        }
        let replay = Replay { status: example.status, ..example.replay };
        let previous = replays.insert(example.name.clone(), serde_json::to_value(replay).expect("a replay serializes"));
        assert!(previous.is_none(), "{context}: the name is taken");
    }
    operation["x-replay"] = Value::Object(replays);
}
