"""End-to-end check of the service-account token APIs with the official
`elasticsearch` Python client (9.x), unchanged.

Run by `server/tests/python_client.rs` against a test node. Reads:

* ES_URL              the node, e.g. http://127.0.0.1:9200
* ES_ELASTIC_PASSWORD password of the `elastic` superuser
* ES_NOBODY_USER      a file-realm user without privileges
* ES_NOBODY_PASSWORD  its password
* ES_FILE_TOKEN       bearer of the file token elastic/fleet-server/token1

Any failure is an uncaught exception or a failed assert: the exit status is
then non-zero.
"""

import os
import sys

import elasticsearch
from elasticsearch import (
    ApiError,
    AuthenticationException,
    AuthorizationException,
    BadRequestError,
    ConflictError,
    Elasticsearch,
    NotFoundError,
)

URL = os.environ["ES_URL"]
ELASTIC_PASSWORD = os.environ["ES_ELASTIC_PASSWORD"]
NOBODY_USER = os.environ["ES_NOBODY_USER"]
NOBODY_PASSWORD = os.environ["ES_NOBODY_PASSWORD"]
FILE_TOKEN = os.environ["ES_FILE_TOKEN"]

NAMESPACE = "elastic"
SERVICE = "fleet-server"
ACCOUNT = f"{NAMESPACE}/{SERVICE}"
ACCOUNTS = ["elastic/auto-ops", "elastic/fleet-server", "elastic/fleet-server-remote", "elastic/kibana"]

_step = 0


def step(title):
    global _step
    _step += 1
    print(f"[{_step:02}] {title}", flush=True)


def ok(detail=""):
    print(f"     ok {detail}".rstrip(), flush=True)


def expect_error(cls, status, error_type, call, reason_prefix=None):
    """Runs `call`, which must raise `cls` with `status`; returns the error.

    With `error_type`, the body must be an Elasticsearch error body of that
    type (and `reason_prefix`, when given, must start its reason).
    """
    try:
        result = call()
    except ApiError as error:
        assert type(error) is cls, f"expected {cls.__name__}, got {type(error).__name__}: {error!r}"
        assert error.meta.status == status, f"expected status {status}, got {error.meta.status}: {error!r}"
        if error_type is not None:
            body = error.body
            assert isinstance(body, dict), f"error body is not an object: {body!r}"
            assert body.get("status") == status, f"body status: {body!r}"
            cause = body["error"]
            assert cause["type"] == error_type, f"expected error type {error_type}, got {body!r}"
            assert cause["root_cause"][0]["type"] == error_type, f"root_cause: {body!r}"
            if reason_prefix is not None:
                assert cause["reason"].startswith(reason_prefix), f"reason: {cause['reason']!r}"
        ok(f"{cls.__name__} [{error.meta.status}] {error.body!r}")
        return error
    raise AssertionError(f"expected {cls.__name__} ({status}), the call answered {result!r}")


def check_clear_cache(response, cluster_name, node_name):
    body = response.body
    assert body["_nodes"]["failed"] == 0, body
    assert body["_nodes"]["total"] == body["_nodes"]["successful"] == 1, body
    assert body["cluster_name"] == cluster_name, body
    nodes = body["nodes"]
    assert isinstance(nodes, dict) and len(nodes) == 1, body
    (node,) = nodes.values()
    assert node["name"] == node_name, body
    ok(repr(body))


def authenticate_with(token):
    with Elasticsearch(URL, bearer_auth=token) as client:
        return client.security.authenticate().body


def main():
    print(f"elasticsearch-py {elasticsearch.__versionstr__}, python {sys.version.split()[0]}, node {URL}", flush=True)
    es = Elasticsearch(URL, basic_auth=("elastic", ELASTIC_PASSWORD))

    # --- Cluster info and ping --------------------------------------------
    step("info()")
    info = es.info().body
    cluster_name = info["cluster_name"]
    node_name = info["name"]
    assert isinstance(cluster_name, str) and cluster_name, info
    assert info["version"]["number"].startswith("9."), info
    assert info["tagline"] == "You Know, for Search", info
    ok(f"cluster {cluster_name}, node {node_name}, version {info['version']['number']}")

    step("ping()")
    assert es.ping() is True
    ok()

    # --- What harnesses call first ----------------------------------------
    step("cluster.health(wait_for_status='yellow')")
    health = es.cluster.health(wait_for_status="yellow", timeout="10s")
    assert health.meta.status == 200, health.meta
    assert health.body["status"] == "green" and health.body["timed_out"] is False, health.body
    assert health.body["number_of_nodes"] == 1, health.body
    ok(repr(health.body))

    step("cluster.health(wait_for_nodes='>=2', timeout='0s') -> 408, not an error")
    timed_out = es.options(ignore_status=408).cluster.health(wait_for_nodes=">=2", timeout="0s")
    assert timed_out.meta.status == 408 and timed_out.body["timed_out"] is True, (timed_out.meta, timed_out.body)
    ok()

    step("capabilities(method='GET', path='/_cluster/health')")
    capabilities = es.perform_request(
        "GET", "/_capabilities", params={"method": "GET", "path": "/_cluster/health"}
    ).body
    assert capabilities["supported"] is True and capabilities["_nodes"]["total"] == 1, capabilities
    ok(repr(capabilities))

    step("security.has_privileges(cluster=['monitor', 'manage_security'])")
    privileges = es.security.has_privileges(cluster=["monitor", "manage_security"]).body
    assert privileges["username"] == "elastic" and privileges["has_all_requested"] is True, privileges
    assert privileges["cluster"] == {"monitor": True, "manage_security": True}, privileges
    ok(repr(privileges))

    step("an API this node does not have -> BadRequestError (still Elasticsearch)")
    error = expect_error(BadRequestError, 400, None, lambda: es.indices.get(index="logs"))
    assert error.body == {"error": "no handler found for uri [/logs] and method [GET]"}, error.body

    step("options(opaque_id=...) is echoed, on errors too")
    tagged = es.options(opaque_id="py-harness-1")
    assert tagged.info().meta.headers.get("x-opaque-id") == "py-harness-1"
    error = expect_error(
        BadRequestError, 400, None, lambda: tagged.indices.get(index="logs")
    )
    assert error.meta.headers.get("x-opaque-id") == "py-harness-1", error.meta.headers
    ok()

    # --- Service accounts -------------------------------------------------
    step("security.get_service_accounts()")
    accounts = es.security.get_service_accounts().body
    assert sorted(accounts) == ACCOUNTS, accounts
    for name, account in accounts.items():
        assert isinstance(account["role_descriptor"], dict), (name, account)
    ok(", ".join(accounts))

    step("security.get_service_accounts(namespace='elastic')")
    by_namespace = es.security.get_service_accounts(namespace=NAMESPACE).body
    assert sorted(by_namespace) == ACCOUNTS, by_namespace
    ok()

    step("security.get_service_accounts(namespace='elastic', service='fleet-server')")
    one = es.security.get_service_accounts(namespace=NAMESPACE, service=SERVICE).body
    assert list(one) == [ACCOUNT], one
    assert "role_descriptor" in one[ACCOUNT], one
    assert one[ACCOUNT] == accounts[ACCOUNT], (one, accounts[ACCOUNT])
    ok()

    step("security.get_service_accounts(namespace='elastic', service='nope')")
    unknown = es.security.get_service_accounts(namespace=NAMESPACE, service="nope")
    assert unknown.meta.status == 200, unknown.meta
    assert unknown.body == {}, unknown.body
    ok("{}")

    # --- Create tokens ----------------------------------------------------
    step("security.create_service_token(name='py-token-1')")
    created = es.security.create_service_token(namespace=NAMESPACE, service=SERVICE, name="py-token-1").body
    assert created["created"] is True, created
    assert created["token"]["name"] == "py-token-1", created
    token1 = created["token"]["value"]
    assert isinstance(token1, str) and token1, created
    ok(f"value {token1[:12]}...")

    step("security.create_service_token(name='py-token-2', refresh='wait_for')")
    created = es.security.create_service_token(
        namespace=NAMESPACE, service=SERVICE, name="py-token-2", refresh="wait_for"
    ).body
    assert created["created"] is True, created
    assert created["token"]["name"] == "py-token-2", created
    token2 = created["token"]["value"]
    assert token2 and token2 != token1, created
    ok()

    step("security.create_service_token() without a name")
    created = es.security.create_service_token(namespace=NAMESPACE, service=SERVICE).body
    assert created["created"] is True, created
    generated_name = created["token"]["name"]
    assert generated_name.startswith("token_"), created
    generated_value = created["token"]["value"]
    assert generated_value, created
    ok(generated_name)

    # --- Authenticate with the tokens --------------------------------------
    for label, token, name, token_type in [
        ("py-token-1", token1, "py-token-1", "_service_account_index"),
        ("py-token-2", token2, "py-token-2", "_service_account_index"),
        (generated_name, generated_value, generated_name, "_service_account_index"),
        ("file token token1", FILE_TOKEN, "token1", "_service_account_file"),
    ]:
        step(f"security.authenticate() with bearer {label}")
        me = authenticate_with(token)
        assert me["username"] == ACCOUNT, me
        assert me["token"]["name"] == name, me
        assert me["token"]["type"] == token_type, me
        assert me["authentication_type"] == "token", me
        ok(f"{me['username']} {me['token']}")

    # --- Clear the token caches --------------------------------------------
    step("security.clear_cached_service_tokens(name='py-token-1')")
    check_clear_cache(
        es.security.clear_cached_service_tokens(namespace=NAMESPACE, service=SERVICE, name="py-token-1"),
        cluster_name,
        node_name,
    )

    step("security.clear_cached_service_tokens(name=['py-token-1', 'does-not-exist'])")
    check_clear_cache(
        es.security.clear_cached_service_tokens(
            namespace=NAMESPACE, service=SERVICE, name=["py-token-1", "does-not-exist"]
        ),
        cluster_name,
        node_name,
    )

    step("security.clear_cached_service_tokens(name='*')")
    check_clear_cache(
        es.security.clear_cached_service_tokens(namespace=NAMESPACE, service=SERVICE, name="*"),
        cluster_name,
        node_name,
    )

    step("security.authenticate() with py-token-1 after clearing the caches")
    me = authenticate_with(token1)
    assert me["username"] == ACCOUNT and me["token"]["name"] == "py-token-1", me
    ok()

    # --- Credentials ----------------------------------------------------------
    step("security.get_service_credentials()")
    credentials = es.security.get_service_credentials(namespace=NAMESPACE, service=SERVICE).body
    assert credentials["service_account"] == ACCOUNT, credentials
    index_names = {"py-token-1", "py-token-2", generated_name}
    assert index_names <= set(credentials["tokens"]), credentials
    file_tokens = credentials["nodes_credentials"]["file_tokens"]
    assert "token1" in file_tokens, credentials
    assert isinstance(file_tokens["token1"]["nodes"], list) and file_tokens["token1"]["nodes"], credentials
    assert credentials["count"] == len(credentials["tokens"]) + len(file_tokens), credentials
    assert credentials["count"] == len(index_names) + 1, credentials
    assert credentials["nodes_credentials"]["_nodes"]["failed"] == 0, credentials
    ok(repr(credentials))

    # --- Delete ---------------------------------------------------------------
    step("security.delete_service_token(name='py-token-2')")
    deleted = es.security.delete_service_token(namespace=NAMESPACE, service=SERVICE, name="py-token-2")
    assert deleted.meta.status == 200, deleted.meta
    assert deleted.body == {"found": True}, deleted.body
    ok(repr(deleted.body))

    step("security.authenticate() with the deleted py-token-2")
    expect_error(AuthenticationException, 401, "security_exception", lambda: authenticate_with(token2))

    step("security.delete_service_token(name='py-token-2') again")
    error = expect_error(
        NotFoundError,
        404,
        None,
        lambda: es.security.delete_service_token(namespace=NAMESPACE, service=SERVICE, name="py-token-2"),
    )
    assert error.body == {"found": False}, error.body

    step("security.get_service_credentials() after the delete")
    credentials = es.security.get_service_credentials(namespace=NAMESPACE, service=SERVICE).body
    assert "py-token-2" not in credentials["tokens"], credentials
    assert {"py-token-1", generated_name} <= set(credentials["tokens"]), credentials
    assert credentials["count"] == 3, credentials
    ok()

    step("security.delete_service_token(refresh='wait_for') of the generated token")
    deleted = es.security.delete_service_token(
        namespace=NAMESPACE, service=SERVICE, name=generated_name, refresh="wait_for"
    )
    assert deleted.body == {"found": True}, deleted.body
    ok()

    # --- Errors ---------------------------------------------------------------
    step("security.clear_cached_service_tokens(name='a,*') -> 400")
    expect_error(
        BadRequestError,
        400,
        "illegal_argument_exception",
        lambda: es.security.clear_cached_service_tokens(namespace=NAMESPACE, service=SERVICE, name="a,*"),
        reason_prefix="invalid service token name [*]",
    )

    step("security.create_service_token(service='nope') -> 400")
    expect_error(
        BadRequestError,
        400,
        "illegal_argument_exception",
        lambda: es.security.create_service_token(namespace=NAMESPACE, service="nope", name="py-token-1"),
        reason_prefix="service account [elastic/nope] does not exist",
    )

    step("wrong basic password -> 401")
    with Elasticsearch(URL, basic_auth=("elastic", ELASTIC_PASSWORD + "-wrong")) as wrong:
        error = expect_error(AuthenticationException, 401, "security_exception", lambda: wrong.security.authenticate())
    assert "WWW-Authenticate" in error.meta.headers, error.meta.headers

    step(f"{NOBODY_USER} calls security.clear_cached_service_tokens() -> 403")
    with Elasticsearch(URL, basic_auth=(NOBODY_USER, NOBODY_PASSWORD)) as nobody:
        me = nobody.security.authenticate().body
        assert me["username"] == NOBODY_USER, me
        error = expect_error(
            AuthorizationException,
            403,
            "security_exception",
            lambda: nobody.security.clear_cached_service_tokens(namespace=NAMESPACE, service=SERVICE, name="*"),
        )
    assert f"is unauthorized for user [{NOBODY_USER}]" in error.body["error"]["reason"], error.body

    step("security.create_service_token(name='py-token-1') again -> 409")
    expect_error(
        ConflictError,
        409,
        "version_conflict_engine_exception",
        lambda: es.security.create_service_token(namespace=NAMESPACE, service=SERVICE, name="py-token-1"),
    )

    step("security.delete_service_token(name='py-token-1'), then a 404")
    assert es.security.delete_service_token(namespace=NAMESPACE, service=SERVICE, name="py-token-1").body == {
        "found": True
    }
    error = expect_error(
        NotFoundError,
        404,
        None,
        lambda: es.security.delete_service_token(namespace=NAMESPACE, service=SERVICE, name="py-token-1"),
    )
    assert error.body == {"found": False}, error.body
    expect_error(AuthenticationException, 401, "security_exception", lambda: authenticate_with(token1))

    es.close()
    print("all steps passed", flush=True)


if __name__ == "__main__":
    main()
