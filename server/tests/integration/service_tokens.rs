//! The service-token lifecycle against a real node: create, authenticate,
//! list credentials, delete; and the service-account API.

use es_tokens_client::Error;
use es_tokens_types::{DeleteServiceTokenError, DeleteServiceTokenResponse, RefreshPolicy};

use crate::common::*;

fn url(node: &TestNode, path: &str) -> String {
    format!("{}{path}", node.url)
}

#[tokio::test]
async fn create_authenticate_list_and_delete_an_index_token() {
    let node = TestNode::start_with(Setup { service_tokens: Some(FILE_TOKEN_LINE), ..Setup::default() }).await;
    let client = node.client();
    let put =
        client.security_create_service_token("elastic", "fleet-server", &token_name("t-put"), None).await.unwrap();
    assert!(put.created);
    assert_eq!(put.token.name, "t-put");
    assert!(put.token.value.starts_with("AAEAA"));
    let post = client
        .security_create_service_token_1(
            "elastic",
            "fleet-server",
            &token_name("t-post"),
            Some(&RefreshPolicy::WaitFor),
        )
        .await
        .unwrap();
    assert_eq!(post.token.name, "t-post");
    let generated =
        client.security_create_service_token_2("elastic", "fleet-server", Some(&RefreshPolicy::True)).await.unwrap();
    assert!(generated.token.name.starts_with("token_"), "{}", generated.token.name);
    assert_eq!(generated.token.name.len(), "token_".len() + 20);

    // Each token authenticates at once.
    for token in [&put.token, &post.token, &generated.token] {
        let me = node.client_with(&bearer(&token.value)).security_authenticate().await.unwrap();
        assert_eq!(me.username, "elastic/fleet-server");
        assert_eq!(me.token.as_ref().unwrap().name, token.name);
    }

    // Credentials: index tokens sorted, file tokens with the node's name.
    let body = node.http().get(url(&node, "/_security/service/elastic/fleet-server/credential")).send().await.unwrap();
    let body = body.text().await.unwrap();
    let mut names = [put.token.name.clone(), post.token.name.clone(), generated.token.name.clone()];
    names.sort();
    assert_eq!(
        body,
        format!(
            r#"{{"service_account":"elastic/fleet-server","count":4,"tokens":{{"{}":{{}},"{}":{{}},"{}":{{}}}},"nodes_credentials":{{"_nodes":{{"total":1,"successful":1,"failed":0}},"file_tokens":{{"token1":{{"nodes":["test-node"]}}}}}}}}"#,
            names[0], names[1], names[2]
        )
    );
    // No account check: an unknown account has no credentials.
    let empty = client.security_get_service_credentials("elastic", "nope").await.unwrap();
    assert_eq!(empty.count, 0);

    // Delete: found, then exactly {"found":false} with 404.
    let response = node
        .http()
        .delete(url(&node, "/_security/service/elastic/fleet-server/credential/token/t-put"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), r#"{"found":true}"#);
    let response = node
        .http()
        .delete(url(&node, "/_security/service/elastic/fleet-server/credential/token/t-put"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    assert_eq!(response.headers()["x-elastic-product"], "Elasticsearch");
    assert_eq!(response.text().await.unwrap(), r#"{"found":false}"#);
    // An unknown account is "not found" too, not an error.
    let response =
        node.http().delete(url(&node, "/_security/service/elastic/nope/credential/token/t")).send().await.unwrap();
    assert_eq!(response.status(), 404);
    assert_eq!(response.text().await.unwrap(), r#"{"found":false}"#);
}

/// The generated client decodes every answer of a delete: the 404 of a
/// missing token is a typed `found: false`, an error a typed error.
#[tokio::test]
async fn the_client_decodes_a_missing_token_and_errors_of_a_delete() {
    let node = TestNode::start(&[]).await;
    let missing =
        node.client().security_delete_service_token("elastic", "fleet-server", &token_name("nope"), None).await;
    match missing {
        Err(Error::ErrorResponse(response)) => {
            assert_eq!(response.status().as_u16(), 404);
            assert_eq!(
                response.into_inner(),
                DeleteServiceTokenError::NotFound(DeleteServiceTokenResponse { found: false })
            );
        }
        other => panic!("expected a 404, got {other:?}"),
    }
    let as_reader = node.client_with(&basic(READER.0, READER.1));
    match as_reader.security_delete_service_token("elastic", "fleet-server", &token_name("nope"), None).await {
        Err(Error::ErrorResponse(response)) => {
            assert_eq!(response.status().as_u16(), 403);
            let error = response.error().expect("an Elasticsearch error");
            assert_eq!(error.error.kind, "security_exception");
            assert!(!response.is_not_found());
        }
        other => panic!("expected a 403, got {other:?}"),
    }
}

#[tokio::test]
async fn a_deleted_token_is_refused_at_once_even_when_cached() {
    let node = TestNode::start(&[]).await;
    let created =
        node.client().security_create_service_token("elastic", "kibana", &token_name("doomed"), None).await.unwrap();
    let as_token = node.client_with(&bearer(&created.token.value));
    as_token.security_authenticate().await.unwrap();
    as_token.security_authenticate().await.unwrap();
    assert_eq!(node.metric("service_token_cache_entries{cache=\"index\"}").await, 1);
    let deleted =
        node.client().security_delete_service_token("elastic", "kibana", &token_name("doomed"), None).await.unwrap();
    assert!(deleted.found);
    assert_eq!(node.metric("service_token_cache_entries{cache=\"index\"}").await, 0);
    let refused = as_token.security_authenticate().await.unwrap_err();
    assert_eq!(refused.status().unwrap().as_u16(), 401);
}

#[tokio::test]
async fn creating_fails_as_elasticsearch_fails() {
    let node = TestNode::start(&[]).await;
    let client = node.client();
    client.security_create_service_token("elastic", "fleet-server", &token_name("dup"), None).await.unwrap();
    match client.security_create_service_token("elastic", "fleet-server", &token_name("dup"), None).await {
        Err(Error::ErrorResponse(response)) => {
            assert_eq!(response.status().as_u16(), 409);
            let error = &response.error;
            assert_eq!(error.kind, "version_conflict_engine_exception");
            assert_eq!(
                error.reason.as_deref(),
                Some(
                    "[service_account_token-elastic/fleet-server/dup]: version conflict, document already exists (current version [1])"
                )
            );
            let fields: Vec<&String> = error.metadata.keys().collect();
            assert_eq!(fields, ["index_uuid", "shard", "index"]);
            assert_eq!(error.metadata["index"], ".security-7");
        }
        other => panic!("expected a 409, got {other:?}"),
    }
    match client.security_create_service_token("elastic", "nope", &token_name("t"), None).await {
        Err(Error::ErrorResponse(response)) => {
            assert_eq!(response.status().as_u16(), 400);
            assert_eq!(response.error.kind, "illegal_argument_exception");
            assert_eq!(response.error.reason.as_deref(), Some("service account [elastic/nope] does not exist"));
        }
        other => panic!("expected a 400, got {other:?}"),
    }
    // Input the client refuses to send gets Elasticsearch's 400 from the node.
    assert!("_bad".parse::<es_tokens_types::TokenName>().is_err());
    let response = node
        .http()
        .put(url(&node, "/_security/service/elastic/fleet-server/credential/token/_bad"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let reason = format!("Validation Failed: 1: invalid service token name [_bad]. {INVALID_TOKEN_NAME};");
    assert_eq!(response.text().await.unwrap(), es_error_body("action_request_validation_exception", &reason, "", 400));
    let response = node
        .http()
        .put(url(&node, "/_security/service/elastic/fleet-server/credential/token/t?refresh=soon"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let error: serde_json::Value = response.json().await.unwrap();
    assert_eq!(error["error"]["reason"], "Unknown value for refresh: [soon].");
    // Nothing of the failures was stored.
    let credentials = client.security_get_service_credentials("elastic", "fleet-server").await.unwrap();
    assert_eq!(credentials.tokens.keys().collect::<Vec<_>>(), ["dup"]);
}

#[tokio::test]
async fn acknowledged_tokens_survive_a_restart() {
    let dirs = tempfile::tempdir().unwrap();
    let data = dirs.path().join("data").display().to_string();
    let token = {
        let node = TestNode::start(&[("path.data", data.as_str())]).await;
        let created = node
            .client()
            .security_create_service_token("elastic", "fleet-server", &token_name("durable"), None)
            .await
            .unwrap();
        node.node.stop().await;
        created.into_inner().token.value
    };
    let node = TestNode::start(&[("path.data", data.as_str())]).await;
    let me = node.client_with(&bearer(&token)).security_authenticate().await.unwrap();
    assert_eq!(me.token.as_ref().unwrap().name, "durable");
}

#[tokio::test]
async fn the_service_account_api_shows_the_built_in_accounts() {
    let node = TestNode::start(&[]).await;
    let client = node.client();
    let all = client.security_get_service_accounts_2().await.unwrap().into_inner();
    let mut principals: Vec<&String> = all.keys().collect();
    principals.sort();
    assert_eq!(
        principals,
        ["elastic/auto-ops", "elastic/fleet-server", "elastic/fleet-server-remote", "elastic/kibana"]
    );
    assert_eq!(client.security_get_service_accounts_1("elastic").await.unwrap().len(), 4);
    let fleet = client.security_get_service_accounts("elastic", "fleet-server").await.unwrap().into_inner();
    assert_eq!(fleet.len(), 1);
    assert!(fleet["elastic/fleet-server"].role_descriptor.cluster.contains(&"manage_own_api_key".to_string()));
    for (namespace, service) in [("elastic", "nope"), ("other", "fleet-server")] {
        let response =
            node.http().get(url(&node, &format!("/_security/service/{namespace}/{service}"))).send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.text().await.unwrap(), "{}");
    }
    // The rendered descriptor keeps Elasticsearch's field order.
    let text = node
        .http()
        .get(url(&node, "/_security/service/elastic/fleet-server-remote"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        text,
        r#"{"elastic/fleet-server-remote":{"role_descriptor":{"cluster":["monitor","manage_own_api_key"],"indices":[{"names":["logs-*","metrics-*","traces-*"],"privileges":["write","create_index","auto_configure"],"allow_restricted_indices":false}],"applications":[],"run_as":[],"metadata":{},"transient_metadata":{"enabled":true}}}}"#
    );
}
