//! Links from an operation's successful answer to the operations that use
//! what it made, so that a stateful fuzzer can walk a lifecycle.

use serde_json::{Value, json};

/// A link of an operation's 200 answer.
pub struct Link {
    /// The link's name.
    pub name: &'static str,
    /// The operation it leads to.
    pub operation_id: &'static str,
    /// That operation's parameters, as runtime expressions.
    pub parameters: &'static [(&'static str, &'static str)],
    /// That operation's request body as JSON, its strings runtime
    /// expressions or text with expressions in braces.
    pub request_body: Option<&'static str>,
    /// What following it does.
    pub description: &'static str,
}

/// From a created token to what uses it: authenticating with it, clearing it
/// from the caches, listing the account's credentials, and deleting it.
pub const CREATED_TOKEN: &[Link] = &[
    Link {
        name: "AuthenticateWithToken",
        operation_id: "security-authenticate",
        parameters: &[("header.Authorization", "Bearer {$response.body#/token/value}")],
        description: "Authenticate as the service account, with the new token.",
        request_body: None,
    },
    Link {
        name: "ClearTokenFromCaches",
        operation_id: "security-clear-cached-service-tokens",
        parameters: &[
            ("namespace", "$request.path.namespace"),
            ("service", "$request.path.service"),
            ("name", "$response.body#/token/name"),
        ],
        description: "Clear the new token from the caches of every node.",
        request_body: None,
    },
    Link {
        name: "ListCredentials",
        operation_id: "security-get-service-credentials",
        parameters: &[("namespace", "$request.path.namespace"), ("service", "$request.path.service")],
        description: "List the account's tokens, the new one among them.",
        request_body: None,
    },
    Link {
        name: "DeleteToken",
        operation_id: "security-delete-service-token",
        parameters: &[
            ("namespace", "$request.path.namespace"),
            ("service", "$request.path.service"),
            ("name", "$response.body#/token/name"),
        ],
        description: "Delete the new token.",
        request_body: None,
    },
];

/// From a node's file tokens of an account to clearing that account's file
/// tokens from the same node's cache.
pub const NODE_FILE_TOKENS: &[Link] = &[Link {
    name: "ClearAccountFileTokens",
    operation_id: "clear-security-cache",
    parameters: &[],
    request_body: Some(
        r#"{"cache":"file_service_account_token","keys":["{$request.path.namespace}/{$request.path.service}/"],"cause":"clear_api"}"#,
    ),
    description: "Clear the account's file tokens from this node's cache.",
}];

/// Adds `links` to the 200 answer of `operation`.
pub fn add(operation: &mut Value, links: &[Link]) {
    if links.is_empty() {
        return;
    }
    let ok = &mut operation["responses"]["200"];
    assert!(ok.is_object(), "links need a documented 200");
    for link in links {
        let parameters: serde_json::Map<String, Value> =
            link.parameters.iter().map(|(name, value)| (name.to_string(), json!(value))).collect();
        let mut definition = json!({"operationId": link.operation_id});
        if !parameters.is_empty() {
            definition["parameters"] = Value::Object(parameters);
        }
        if let Some(body) = link.request_body {
            definition["requestBody"] = serde_json::from_str(body).expect("a link's request body is JSON");
        }
        definition["description"] = json!(link.description);
        ok["links"][link.name] = definition;
    }
}
