//! Every example of both OpenAPI documents, replayed against a fresh node:
//! the answer must have the example's status and body, but for the values
//! the example marks as made up by the node (ids, secrets).
//!
//! When the node's answers change on purpose, `ES_TOKENS_RECORD_EXAMPLES=1
//! cargo test -p es-tokens-server --test integration examples` writes them
//! into the example files (`api/examples/`, `transport-api/examples/`), for
//! review as part of the change; then `cargo xtask openapi generate`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use es_tokens_api::contract::{Contract, Replay};
use serde_json::Value;

use crate::common::*;

const SECRET: &str = "examples-shared-secret";

/// Which API an example is of.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Api {
    Http,
    Transport,
}

struct Document {
    api: Api,
    contract: &'static Contract,
    routes: Vec<(String, String, String)>,
    examples_dir: PathBuf,
}

fn documents() -> [Document; 2] {
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    [
        Document {
            api: Api::Http,
            contract: &es_tokens_api::CONTRACT,
            routes: es_tokens_api::elasticsearch_routes(),
            examples_dir: workspace.join("api/examples"),
        },
        Document {
            api: Api::Transport,
            contract: &es_tokens_transport_api::CONTRACT,
            routes: es_tokens_transport_api::transport_routes(),
            examples_dir: workspace.join("transport-api/examples"),
        },
    ]
}

/// The node an example is replayed on: named as the examples show it, with
/// the file token and the shared secret.
async fn node() -> TestNode {
    TestNode::start_with(Setup {
        settings: vec![("node.name", "node-1"), ("cluster.name", "elasticsearch")],
        service_tokens: Some(FILE_TOKEN_LINE),
        shared_secret: Some(SECRET),
    })
    .await
}

/// The `Authorization` header of `caller`.
fn authorization(caller: &str, bearers: &BTreeMap<String, String>) -> Option<String> {
    let users = [SECURITY_ADMIN, TOKEN_MANAGER, READER, MONITOR, NOBODY];
    match caller {
        "anonymous" => None,
        "elastic" => Some(basic("elastic", ELASTIC_PASSWORD)),
        "bearer file" => Some(bearer(FILE_TOKEN_BEARER)),
        "bearer wrong-secret" => Some(bearer(FILE_TOKEN_WRONG_SECRET)),
        "shared secret" => Some(bearer(SECRET)),
        other => {
            if let Some((user, password)) = users.iter().find(|(user, _)| *user == other) {
                return Some(basic(user, password));
            }
            if let Some(credentials) = other.strip_prefix("basic ") {
                let (user, password) = credentials.split_once(':').unwrap();
                return Some(basic(user, password));
            }
            let token = other.strip_prefix("bearer ").unwrap_or_else(|| panic!("unknown caller {other}"));
            Some(bearer(bearers.get(token).map(String::as_str).unwrap_or(token)))
        }
    }
}

/// What a replayed request got.
struct Answer {
    status: u16,
    body: Option<Value>,
}

async fn replay(node: &TestNode, api: Api, method: &str, path: &str, example: &Value, replay: &Replay) -> Answer {
    let mut bearers = BTreeMap::new();
    for step in &replay.before {
        if let Some((method @ ("PUT" | "POST" | "DELETE"), rest)) = step.split_once(' ') {
            // A request as elastic, with its JSON body after the path.
            let (path, body) = rest.split_once(' ').unwrap_or((rest, ""));
            let mut request = node.http().request(method.parse().unwrap(), format!("{}{path}", node.url));
            if !body.is_empty() {
                request = request.header("content-type", "application/json").body(body.to_string());
            }
            let response = request.send().await.unwrap();
            assert!(response.status().is_success(), "{step}: {}", response.text().await.unwrap());
            continue;
        }
        let qualified = step.strip_prefix("create ").unwrap_or_else(|| panic!("unknown step {step}"));
        let (account, name) = qualified.rsplit_once('/').unwrap();
        let url = format!("{}/_security/service/{account}/credential/token/{name}", node.url);
        let response = node.http().put(url).send().await.unwrap();
        assert_eq!(response.status(), 200, "{step}");
        let created: Value = response.json().await.unwrap();
        bearers.insert(qualified.to_string(), created["token"]["value"].as_str().unwrap().to_string());
    }
    // Path parameters fill the template; the others are the query.
    let mut path = path.to_string();
    let mut query = Vec::new();
    for (name, value) in example["parameters"].as_object().into_iter().flatten() {
        let value = value.as_str().unwrap();
        let placeholder = format!("{{{name}}}");
        if path.contains(&placeholder) {
            let encoded = percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC).to_string();
            path = path.replace(&placeholder, &encoded.replace("%2D", "-").replace("%5F", "_"));
        } else {
            query.push((name.clone(), value.to_string()));
        }
    }
    let base = match api {
        Api::Http => node.url.clone(),
        Api::Transport => format!("http://{}", node.node.transport_address()),
    };
    let mut request = reqwest::Client::new().request(method.parse().unwrap(), format!("{base}{path}")).query(&query);
    if let Some(authorization) = authorization(&replay.caller, &bearers) {
        request = request.header("authorization", authorization);
    }
    for (name, value) in &replay.headers {
        request = request.header(name, value);
    }
    if let Some(body) = example.get("body").filter(|body| !body.is_null()) {
        request = request.json(body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text_plain = response
        .headers()
        .get("content-type")
        .is_some_and(|value| value.to_str().unwrap_or_default().starts_with("text/plain"));
    let text = response.text().await.unwrap();
    let body = match () {
        _ if text.is_empty() => None,
        _ if text_plain => Some(Value::String(text)),
        _ => Some(serde_json::from_str(&text).unwrap_or_else(|e| panic!("{method} {path}: not JSON ({e}): {text}"))),
    };
    Answer { status, body }
}

/// Whether JSON pointer `pointer` matches `pattern`, where `*` is any one
/// segment.
fn pointer_matches(pattern: &str, pointer: &str) -> bool {
    let (pattern, pointer): (Vec<&str>, Vec<&str>) = (pattern.split('/').collect(), pointer.split('/').collect());
    pattern.len() == pointer.len() && pattern.iter().zip(&pointer).all(|(p, s)| *p == "*" || p == s)
}

/// Compares the node's `actual` body with the example's `expected` one,
/// field order included, but for `volatile` values.
fn compare(expected: &Value, actual: &Value, pointer: &str, volatile: &[String]) -> Result<(), String> {
    let differs = || format!("at {pointer:?}: the example shows {expected}, the node sent {actual}");
    if volatile.iter().any(|pattern| pointer_matches(pattern, pointer)) {
        let same_type = std::mem::discriminant(expected) == std::mem::discriminant(actual);
        return if same_type { Ok(()) } else { Err(differs()) };
    }
    let keys_made_up = volatile.iter().any(|pattern| pointer_matches(pattern, &format!("{pointer}/~")));
    match (expected, actual) {
        (Value::Object(expected), Value::Object(actual)) => {
            if keys_made_up {
                if expected.len() != actual.len() {
                    return Err(format!("at {pointer:?}: {} entries shown, {} sent", expected.len(), actual.len()));
                }
                for ((key, e), (_, a)) in expected.iter().zip(actual) {
                    compare(e, a, &format!("{pointer}/{key}"), volatile)?;
                }
                return Ok(());
            }
            let (e_keys, a_keys): (Vec<&String>, Vec<&String>) = (expected.keys().collect(), actual.keys().collect());
            if e_keys != a_keys {
                return Err(format!("at {pointer:?}: the example has fields {e_keys:?}, the node sent {a_keys:?}"));
            }
            expected.iter().try_for_each(|(key, e)| compare(e, &actual[key], &format!("{pointer}/{key}"), volatile))
        }
        (Value::Array(expected), Value::Array(actual)) if expected.len() == actual.len() => expected
            .iter()
            .zip(actual)
            .enumerate()
            .try_for_each(|(i, (e, a))| compare(e, a, &format!("{pointer}/{i}"), volatile)),
        (Value::String(expected), Value::String(actual)) if expected.contains('\n') => {
            // A text exposition: the same series, whatever their values.
            let series = |text: &str| -> Vec<String> {
                text.lines()
                    .map(|line| {
                        line.rsplit_once(' ').filter(|_| !line.starts_with('#')).map_or(line, |(s, _)| s).to_string()
                    })
                    .collect()
            };
            if series(expected) == series(actual) { Ok(()) } else { Err(differs()) }
        }
        _ if expected == actual => Ok(()),
        _ => Err(differs()),
    }
}

/// The node's `actual` answer, but for the made-up values the `previous`
/// example already shows, so that recording again changes only what changed.
fn keep_made_up(previous: &Value, actual: Value, pointer: &str, volatile: &[String]) -> Value {
    if volatile.iter().any(|pattern| pointer_matches(pattern, pointer))
        && std::mem::discriminant(previous) == std::mem::discriminant(&actual)
    {
        return previous.clone();
    }
    let keys_made_up = volatile.iter().any(|pattern| pointer_matches(pattern, &format!("{pointer}/~")));
    match (previous, actual) {
        (Value::Object(previous), Value::Object(actual)) if keys_made_up && previous.len() == actual.len() => previous
            .iter()
            .zip(actual)
            .map(|((key, p), (_, a))| (key.clone(), keep_made_up(p, a, &format!("{pointer}/{key}"), volatile)))
            .collect(),
        (Value::Object(previous), Value::Object(actual)) => actual
            .into_iter()
            .map(|(key, a)| {
                let p = previous.get(&key).cloned().unwrap_or(Value::Null);
                let kept = keep_made_up(&p, a, &format!("{pointer}/{key}"), volatile);
                (key, kept)
            })
            .collect(),
        (Value::Array(previous), Value::Array(actual)) => actual
            .into_iter()
            .enumerate()
            .map(|(i, a)| keep_made_up(previous.get(i).unwrap_or(&Value::Null), a, &format!("{pointer}/{i}"), volatile))
            .collect(),
        (_, actual) => actual,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_example_is_what_the_node_answers() {
    let record = std::env::var_os("ES_TOKENS_RECORD_EXAMPLES").is_some();
    let mut failures = Vec::new();
    let mut replayed = 0;
    for document in documents() {
        for operation in document.contract.operations {
            let (_, method, path) = document
                .routes
                .iter()
                .find(|(id, _, _)| id == operation.id)
                .unwrap_or_else(|| panic!("no route for {}", operation.id))
                .clone();
            let mut examples: Vec<Value> = serde_json::from_str(operation.examples).unwrap();
            for example in &mut examples {
                let name = example["name"].as_str().unwrap().to_string();
                let replay_spec: Replay = serde_json::from_value(example["replay"].clone()).unwrap();
                let node = node().await;
                let answer = replay(&node, document.api, &method, &path, example, &replay_spec).await;
                replayed += 1;
                let expected_status = example["status"].as_u64().unwrap() as u16;
                if answer.status != expected_status {
                    failures.push(format!(
                        "{} {name}: status {}, the example says {expected_status}",
                        operation.id, answer.status
                    ));
                    continue;
                }
                if record {
                    match answer.body {
                        Some(body) => {
                            let previous = example.get("response").cloned().unwrap_or(Value::Null);
                            example["response"] = keep_made_up(&previous, body, "", &replay_spec.volatile);
                        }
                        None => {
                            example.as_object_mut().unwrap().remove("response");
                        }
                    }
                    continue;
                }
                let outcome = match (example.get("response"), &answer.body) {
                    (None, None) => Ok(()),
                    (Some(expected), Some(actual)) => compare(expected, actual, "", &replay_spec.volatile),
                    (expected, actual) => Err(format!("the example shows {expected:?}, the node sent {actual:?}")),
                };
                if let Err(difference) = outcome {
                    failures.push(format!("{} {name}: {difference}", operation.id));
                }
            }
            if record {
                let file = document.examples_dir.join(format!("{}.json", operation.id));
                std::fs::write(&file, serde_json::to_string_pretty(&examples).unwrap() + "\n").unwrap();
            }
        }
    }
    assert!(replayed > 40, "only {replayed} examples");
    assert!(
        failures.is_empty(),
        "{} example(s) differ from the node's answers:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
