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
    },
    Link {
        name: "ListCredentials",
        operation_id: "security-get-service-credentials",
        parameters: &[("namespace", "$request.path.namespace"), ("service", "$request.path.service")],
        description: "List the account's tokens, the new one among them.",
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
    },
];

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
        ok["links"][link.name] =
            json!({"operationId": link.operation_id, "parameters": parameters, "description": link.description});
    }
}
