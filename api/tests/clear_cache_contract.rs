//! The rendered contract says what Elasticsearch's own says for the
//! clear-cache operation. (That the checked-in documents are exactly what
//! the traits render is tested in `xtask/src/openapi.rs`, for both.)

fn sorted(names: &[&str]) -> Vec<String> {
    let mut names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    names.sort();
    names
}

#[test]
fn the_document_matches_elasticsearchs_own_for_the_clear_cache_operation() {
    let document: serde_json::Value = serde_json::from_str(&es_tokens_api::openapi_document()).unwrap();
    let path = &document["paths"]["/_security/service/{namespace}/{service}/credential/token/{name}/_clear_cache"];
    let methods: Vec<&String> = path.as_object().unwrap().keys().collect();
    assert_eq!(methods, ["post"], "only POST is registered");
    let operation = &path["post"];
    assert_eq!(operation["operationId"], "security-clear-cached-service-tokens");
    assert_eq!(operation["summary"], "Clear service account token caches");
    let parameters: Vec<(&str, &str, bool)> = operation["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["in"].as_str().unwrap(), p["name"].as_str().unwrap(), p["required"].as_bool().unwrap()))
        .collect();
    assert_eq!(parameters, [("path", "namespace", true), ("path", "service", true), ("path", "name", true)]);

    let schemas = &document["components"]["schemas"];
    // `required` is a set; schemars writes it sorted.
    let required = |schema: &serde_json::Value| -> Vec<String> {
        let mut names: Vec<String> =
            schema["required"].as_array().unwrap().iter().map(|n| n.as_str().unwrap().to_string()).collect();
        names.sort();
        names
    };
    let resolve = |schema: &serde_json::Value| -> serde_json::Value {
        let reference = schema["$ref"].as_str().or_else(|| schema["allOf"][0]["$ref"].as_str()).unwrap();
        schemas[reference.trim_start_matches("#/components/schemas/")].clone()
    };
    let response = resolve(&operation["responses"]["200"]["content"]["application/json"]["schema"]);
    assert_eq!(required(&response), sorted(&["_nodes", "cluster_name", "nodes"]));
    let nodes_header = resolve(&response["properties"]["_nodes"]);
    assert_eq!(required(&nodes_header), sorted(&["total", "successful", "failed"]));
    assert_eq!(nodes_header["properties"]["failures"]["type"], "array");
    let failure = resolve(&nodes_header["properties"]["failures"]["items"]);
    assert_eq!(required(&failure), sorted(&["type"]));
    assert_eq!(response["properties"]["cluster_name"]["type"], "string");
    assert_eq!(response["properties"]["nodes"]["type"], "object");
    let node = resolve(&response["properties"]["nodes"]["additionalProperties"]);
    assert_eq!(required(&node), sorted(&["name"]));

    // Unlike upstream, the error responses are described: Elasticsearch's body.
    for range in ["4XX", "5XX"] {
        assert_eq!(operation["responses"][range]["$ref"], "#/components/responses/ErrorResponse");
    }
    let error = &schemas["ErrorResponse"];
    assert_eq!(required(error), sorted(&["error", "status"]));
}
