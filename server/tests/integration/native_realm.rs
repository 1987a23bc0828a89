//! Native users and roles on one node: through the generated client, and
//! Elasticsearch's own `authenticate/10_basic.yml` scenario over raw HTTP.
//! The cluster-wide side (a change on one node applies on the others at
//! once) is in `python_client` and `cluster`.

use es_tokens_types::{ChangePasswordRequest, PutRoleRequest, PutUserRequest};
use serde_json::{Value, json};

use crate::common::*;

/// Elasticsearch's `x-pack/plugin/src/yamlRestTest/.../authenticate/10_basic.yml`:
/// set up a user, authenticate as it, tear it down.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn elasticsearchs_authenticate_10_basic_passes() {
    let node = TestNode::start(&[]).await;
    let http = node.http();
    // setup
    let health = http.get(format!("{}/_cluster/health?wait_for_status=yellow", node.url)).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let put = http
        .put(format!("{}/_security/user/authenticate_user", node.url))
        .header("content-type", "application/json")
        .body(
            r#"{
                "password" : "x-pack-test-password",
                "roles" : [ "superuser" ],
                "full_name" : "Authenticate User"
              }"#,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 200);
    assert_eq!(put.json::<Value>().await.unwrap(), json!({"created": true}));
    // "Test authenticate api"
    let authenticated = node
        .http_with(Some("Basic YXV0aGVudGljYXRlX3VzZXI6eC1wYWNrLXRlc3QtcGFzc3dvcmQ="))
        .get(format!("{}/_security/_authenticate", node.url))
        .send()
        .await
        .unwrap();
    assert_eq!(authenticated.status(), 200);
    let body: Value = authenticated.json().await.unwrap();
    assert_eq!(body["username"], "authenticate_user");
    assert_eq!(body["roles"][0], "superuser");
    assert_eq!(body["full_name"], "Authenticate User");
    assert_eq!(body["authentication_type"], "realm");
    assert_eq!(body["api_key"], Value::Null);
    assert_eq!(body["authentication_realm"], json!({"name": "default_native", "type": "native"}));
    // teardown (ignore: 404)
    let deleted = http.delete(format!("{}/_security/user/authenticate_user", node.url)).send().await.unwrap();
    assert!([200, 404].contains(&deleted.status().as_u16()));
    let again = node
        .http_with(Some("Basic YXV0aGVudGljYXRlX3VzZXI6eC1wYWNrLXRlc3QtcGFzc3dvcmQ="))
        .get(format!("{}/_security/_authenticate", node.url))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 401, "a deleted user is refused at once");
}

fn user(password: Option<&str>, roles: &[&str]) -> PutUserRequest {
    PutUserRequest {
        password: password.map(str::to_string),
        roles: Some(roles.iter().map(|role| role.to_string()).collect()),
        full_name: Some("Jack Nicholson".to_string()),
        ..PutUserRequest::default()
    }
}

/// The status and Elasticsearch error body of a failed call.
fn refused<T: std::fmt::Debug>(error: es_tokens_client::Error<T>) -> (u16, T) {
    match error {
        es_tokens_client::Error::ErrorResponse(response) => (response.status().as_u16(), response.into_inner()),
        other => panic!("not an error answer: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_and_roles_through_the_generated_client() {
    let node = TestNode::start(&[]).await;
    let client = node.client();
    let created =
        client.security_put_user(&native_name("jacknich"), None, &user(Some("l0ng-p@ssw0rd"), &["ops"])).await.unwrap();
    assert!(created.into_inner().created);
    let jack = || node.client_with(&basic("jacknich", "l0ng-p@ssw0rd"));
    // The role does not exist yet: 403 says so.
    let (status, _) = refused(jack().security_get_user_1(None).await.unwrap_err());
    assert_eq!(status, 403);
    let raw = node
        .http_with(Some(&basic("jacknich", "l0ng-p@ssw0rd")))
        .get(format!("{}/_security/user", node.url))
        .send()
        .await
        .unwrap();
    let reason = raw.json::<Value>().await.unwrap()["error"]["reason"].as_str().unwrap().to_string();
    assert!(
        reason.contains("user [jacknich] with effective roles [] (assigned roles [ops] were not found)"),
        "{reason}"
    );
    // A native role grants it at the next request.
    let role = PutRoleRequest { cluster: Some(vec!["read_security".to_string()]), ..PutRoleRequest::default() };
    assert!(client.security_put_role(&native_name("ops"), None, &role).await.unwrap().into_inner().role.created);
    let users = jack().security_get_user_1(None).await.unwrap().into_inner();
    assert_eq!(users.0.keys().next().map(String::as_str), Some("elastic"), "reserved users first");
    assert_eq!(users.0["jacknich"].full_name.as_deref(), Some("Jack Nicholson"));
    // read_security does not write.
    let (status, _) = refused(
        jack().security_put_user(&native_name("other"), None, &user(Some("l0ng-p@ssw0rd"), &[])).await.unwrap_err(),
    );
    assert_eq!(status, 403);
    // A role of roles.yml hides a native role of the same name.
    let shadowed = PutRoleRequest { cluster: Some(vec!["manage_security".to_string()]), ..PutRoleRequest::default() };
    client.security_put_role(&native_name("monitoring"), None, &shadowed).await.unwrap();
    client.security_put_user(&native_name("jacknich"), None, &user(None, &["monitoring"])).await.unwrap();
    let (status, _) = refused(jack().security_delete_user(&native_name("other"), None).await.unwrap_err());
    assert_eq!(status, 403, "roles.yml's monitoring wins over the native one");
    // An update without a password kept it; the user changes it itself.
    let new = ChangePasswordRequest { password: Some("n3w-l0ng-p@ssw0rd".to_string()), password_hash: None };
    jack().security_change_password_2(None, &new).await.unwrap();
    let (status, _) = refused(jack().security_authenticate().await.unwrap_err());
    assert_eq!(status, 401, "the old password fails at once");
    let jack = node.client_with(&basic("jacknich", "n3w-l0ng-p@ssw0rd"));
    let me = jack.security_authenticate().await.unwrap().into_inner();
    assert_eq!(
        (me.authentication_realm.name.as_str(), me.authentication_realm.kind.as_str()),
        ("default_native", "native")
    );
    // Disabled, refused; enabled, back.
    client.security_disable_user(&native_name("jacknich"), None).await.unwrap();
    assert_eq!(refused(jack.security_authenticate().await.unwrap_err()).0, 401);
    client.security_enable_user(&native_name("jacknich"), None).await.unwrap();
    jack.security_authenticate().await.unwrap();
    // A missing user: 404 with {} for a get, {"found":false} for a delete.
    let (status, body) = refused(client.security_get_user("nobody", None).await.unwrap_err());
    assert_eq!((status, body), (404, es_tokens_types::GetUsersError::NoneFound(es_tokens_types::EmptyResponse {})));
    assert!(client.security_delete_user(&native_name("jacknich"), None).await.unwrap().into_inner().found);
    let (status, body) = refused(client.security_delete_user(&native_name("jacknich"), None).await.unwrap_err());
    assert_eq!(status, 404);
    assert!(matches!(body, es_tokens_types::FoundError::NotFound(es_tokens_types::FoundResponse { found: false })));
    assert_eq!(refused(jack.security_authenticate().await.unwrap_err()).0, 401);
    // The cache clear family answers as every nodes action.
    let cleared = client.security_clear_cached_realms("default_native,default_file", Some("jacknich")).await.unwrap();
    assert_eq!(cleared.into_inner().node_stats.successful, 1);
    let cleared = client.security_clear_cached_roles("*").await.unwrap().into_inner();
    assert_eq!((cleared.node_stats.successful, cleared.node_stats.failed), (1, 0));
    let roles = client.security_get_role_1().await.unwrap().into_inner();
    assert_eq!(roles.0.keys().collect::<Vec<_>>(), ["superuser", "monitoring", "ops"]);
    assert!(client.security_delete_role(&native_name("ops"), None).await.unwrap().into_inner().found);
}

/// Elasticsearch's checks, in its order: a bad body before the privilege,
/// the action's own checks after it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validation_as_elasticsearch_orders_it() {
    let node = TestNode::start(&[]).await;
    let put = |caller: Option<String>, path: &str, body: Value| {
        let request = node.http_with(caller.as_deref()).put(format!("{}{path}", node.url)).json(&body);
        async move {
            let response = request.send().await.unwrap();
            (response.status().as_u16(), response.json::<Value>().await.unwrap())
        }
    };
    let reason = |body: &Value| body["error"]["reason"].as_str().unwrap_or_default().to_string();
    let monitor = Some(basic(MONITOR.0, MONITOR.1));
    // The body's errors come first, whoever asks.
    let (status, body) = put(monitor.clone(), "/_security/user/jack", json!({"password": "short", "roles": []})).await;
    assert_eq!((status, body["error"]["type"].as_str()), (400, Some("validation_exception")));
    // Then the privilege, before the action's checks (the reserved name).
    let (status, _) = put(monitor, "/_security/user/elastic", json!({"password": "l0ng-p@ssw0rd", "roles": []})).await;
    assert_eq!(status, 403);
    let elastic = Some(basic("elastic", ELASTIC_PASSWORD));
    let (status, body) =
        put(elastic.clone(), "/_security/user/%20jack", json!({"password": "l0ng-p@ssw0rd", "roles": ["bad role "]}))
            .await;
    assert_eq!(status, 400);
    assert!(reason(&body).starts_with("Validation Failed: 1: User names must be at least 1 and no more than 507"));
    assert!(reason(&body).contains(";2: Role names must be at least 1 and no more than 507"), "{}", reason(&body));
    let (status, body) = put(
        elastic.clone(),
        "/_security/role/ops",
        json!({"cluster": ["monitor"], "indices": [{"names": ["a"], "privileges": ["reed"]}]}),
    )
    .await;
    assert_eq!(status, 400);
    assert!(reason(&body).starts_with("Validation Failed: 1: unknown index privilege [reed]."), "{}", reason(&body));
    // A password given as a hash of an algorithm Elasticsearch does not
    // store passwords with.
    let (status, body) =
        put(elastic.clone(), "/_security/user/jack", json!({"password_hash": "{SHA}abc", "roles": []})).await;
    assert_eq!((status, body["error"]["type"].as_str()), (400, Some("illegal_argument_exception")));
    // No caller enables or disables itself; reserved users can be disabled.
    let own = node.http().put(format!("{}/_security/user/elastic/_disable", node.url)).send().await.unwrap();
    assert_eq!(own.status(), 400);
    let body: Value = own.json().await.unwrap();
    assert_eq!(reason(&body), "users may not update the enabled status of their own account");
    let disabled = node.http().put(format!("{}/_security/user/kibana_system/_disable", node.url)).send().await.unwrap();
    assert_eq!(disabled.status(), 200);
    let users: Value = node
        .http()
        .get(format!("{}/_security/user/kibana_system", node.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(users["kibana_system"]["enabled"], false);
    // A reserved user given a password logs in with it.
    let (status, _) =
        put(elastic, "/_security/user/kibana_system/_password", json!({"password": "k1bana-p@ssw0rd"})).await;
    assert_eq!(status, 200);
    node.http().put(format!("{}/_security/user/kibana_system/_enable", node.url)).send().await.unwrap();
    let me = node
        .http_with(Some(&basic("kibana_system", "k1bana-p@ssw0rd")))
        .get(format!("{}/_security/_authenticate", node.url))
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    assert_eq!(me.json::<Value>().await.unwrap()["authentication_realm"]["name"], "reserved");
}
