"""Native users and roles across a 3-node cluster with the official
`elasticsearch` Python client (9.x), unchanged: a change made through one
node applies on every node at once, with no sleep in between.

Run by `server/tests/integration/python_client.rs` against a cluster of
processes. Reads:

* ES_URLS             the three nodes' URLs, comma-separated
* ES_CLUSTER_NAME     the cluster's name
* ES_ELASTIC_PASSWORD password of the `elastic` superuser
* ES_USER_PASSWORD    jacknich's first password
* ES_USER_PASSWORD_2  the one elastic sets through node 2
* ES_USER_PASSWORD_3  the one jacknich sets for itself

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
    Elasticsearch,
    NotFoundError,
)

URLS = os.environ["ES_URLS"].split(",")
CLUSTER_NAME = os.environ["ES_CLUSTER_NAME"]
ELASTIC_PASSWORD = os.environ["ES_ELASTIC_PASSWORD"]
PASSWORD_1 = os.environ["ES_USER_PASSWORD"]
PASSWORD_2 = os.environ["ES_USER_PASSWORD_2"]
PASSWORD_3 = os.environ["ES_USER_PASSWORD_3"]

USER = "jacknich"
ROLE = "admin_role"
USER_FIELDS = {
    "roles": [ROLE],
    "full_name": "Jack Nicholson",
    "email": "jacknich@example.com",
    "metadata": {"intelligence": 7},
}

_step = 0


def step(title):
    global _step
    _step += 1
    print(f"[{_step:02}] {title}", flush=True)


def ok(detail=""):
    print(f"     ok {detail}".rstrip(), flush=True)


def expect_error(cls, status, call):
    """Runs `call`, which must raise exactly `cls` with `status`; returns the error."""
    try:
        result = call()
    except ApiError as error:
        assert type(error) is cls, f"expected {cls.__name__}, got {type(error).__name__}: {error!r}"
        assert error.meta.status == status, f"expected status {status}, got {error.meta.status}: {error!r}"
        return error
    raise AssertionError(f"expected {cls.__name__} ({status}), the call answered {result!r}")


def as_user(url, password):
    return Elasticsearch(url, basic_auth=(USER, password))


def authenticates(url, password):
    """jacknich's authenticate() through `url`; the body."""
    with as_user(url, password) as client:
        me = client.security.authenticate().body
    assert me["username"] == USER, me
    assert me["authentication_realm"] == {"name": "default_native", "type": "native"}, me
    return me


def refused(url, password):
    """jacknich with `password` gets a 401 through `url`."""
    with as_user(url, password) as client:
        error = expect_error(AuthenticationException, 401, lambda: client.security.authenticate())
    assert error.body["error"]["type"] == "security_exception", error.body
    assert error.body["status"] == 401, error.body


def check_all_nodes_cleared(response):
    body = response.body
    assert response.meta.status == 200, response.meta
    assert body["_nodes"] == {"total": 3, "successful": 3, "failed": 0}, body
    assert body["cluster_name"] == CLUSTER_NAME, body
    assert len(body["nodes"]) == 3, body
    assert sorted(node["name"] for node in body["nodes"].values()) == ["node-1", "node-2", "node-3"], body
    ok(repr(body))


def main():
    print(f"elasticsearch-py {elasticsearch.__versionstr__}, python {sys.version.split()[0]}, nodes {URLS}", flush=True)
    assert len(URLS) == 3, URLS
    node1, node2, node3 = (Elasticsearch(url, basic_auth=("elastic", ELASTIC_PASSWORD)) for url in URLS)
    url1, url2, url3 = URLS

    step("every node is in the same 3-node cluster")
    for es in (node1, node2, node3):
        health = es.cluster.health(wait_for_nodes="3", timeout="10s").body
        assert health["number_of_nodes"] == 3 and health["cluster_name"] == CLUSTER_NAME, health
    ok()

    # --- 1. A user made on node 1 is on node 3 ------------------------------
    step(f"put_user {USER} on node 1, get_user on node 3")
    created = node1.security.put_user(username=USER, password=PASSWORD_1, **USER_FIELDS)
    assert created.body == {"created": True}, created.body
    users = node3.security.get_user(username=USER).body
    assert users == {USER: {"username": USER, **USER_FIELDS, "enabled": True}}, users
    ok(repr(users))

    # --- 2. A role made on node 1 is on node 2 ------------------------------
    step(f"put_role {ROLE} cluster ['monitor'] on node 1, get_role on node 2")
    created = node1.security.put_role(name=ROLE, cluster=["monitor"])
    assert created.body == {"role": {"created": True}}, created.body
    roles = node2.security.get_role(name=ROLE).body
    assert roles == {
        ROLE: {
            "cluster": ["monitor"],
            "indices": [],
            "applications": [],
            "run_as": [],
            "metadata": {},
            "transient_metadata": {"enabled": True},
        }
    }, roles
    ok(repr(roles))

    # --- 3. What the role grants, on node 3 ---------------------------------
    step(f"{USER} on node 3: authenticate, info() with monitor, no get_user")
    me = authenticates(url3, PASSWORD_1)
    assert me["roles"] == [ROLE] and me["full_name"] == USER_FIELDS["full_name"], me
    assert me["email"] == USER_FIELDS["email"] and me["metadata"] == USER_FIELDS["metadata"], me
    assert me["enabled"] is True and me["authentication_type"] == "realm", me
    with as_user(url3, PASSWORD_1) as jack:
        assert jack.info().body["cluster_name"] == CLUSTER_NAME
        error = expect_error(AuthorizationException, 403, lambda: jack.security.get_user(username=USER))
    assert error.body["error"]["type"] == "security_exception", error.body
    assert f"is unauthorized for user [{USER}]" in error.body["error"]["reason"], error.body
    ok(error.body["error"]["reason"])

    # --- 4. A role change on node 1 applies on node 3 at once ----------------
    step(f"put_role {ROLE} cluster ['monitor', 'read_security'] on node 1; {USER} get_user on node 3")
    updated = node1.security.put_role(name=ROLE, cluster=["monitor", "read_security"])
    assert updated.body == {"role": {"created": False}}, updated.body
    with as_user(url3, PASSWORD_1) as jack:
        users = jack.security.get_user(username=USER)
    assert users.meta.status == 200 and list(users.body) == [USER], users.body
    ok()

    # --- 5. A password change on node 2 applies everywhere at once -----------
    step(f"change_password of {USER} on node 2: the old one fails on every node, the new one works")
    changed = node2.security.change_password(username=USER, password=PASSWORD_2)
    assert changed.body == {}, changed.body
    for url in URLS:
        refused(url, PASSWORD_1)
        authenticates(url, PASSWORD_2)
    ok()

    # --- 6. Disable and enable ----------------------------------------------
    step(f"disable_user {USER} on node 1: refused on every node; enable_user: back")
    assert node1.security.disable_user(username=USER).body == {}
    for url in URLS:
        refused(url, PASSWORD_2)
    assert node3.security.get_user(username=USER).body[USER]["enabled"] is False
    assert node1.security.enable_user(username=USER).body == {}
    for url in URLS:
        authenticates(url, PASSWORD_2)
    ok()

    # --- 7. Cache clears reach every node -----------------------------------
    step(f"clear_cached_realms(realms='default_native', usernames='{USER}')")
    check_all_nodes_cleared(node2.security.clear_cached_realms(realms="default_native", usernames=USER))

    step(f"clear_cached_roles(name='{ROLE}')")
    check_all_nodes_cleared(node3.security.clear_cached_roles(name=ROLE))

    step("clear_cached_realms(realms='ldap1'): 200, every node fails")
    response = node1.security.clear_cached_realms(realms="ldap1")
    body = response.body
    assert response.meta.status == 200, response.meta
    assert body["_nodes"]["total"] == 3 and body["_nodes"]["successful"] == 0, body
    assert body["_nodes"]["failed"] == 3, body
    failures = body["_nodes"]["failures"]
    assert len(failures) == 3, body
    for failure in failures:
        assert failure["caused_by"]["reason"] == "could not find active realm [ldap1]", failure
    ok(repr(body))

    # --- 8. A user changes its own password ----------------------------------
    step(f"{USER} changes its own password (no manage_security), then logs in with it")
    with as_user(url1, PASSWORD_2) as jack:
        assert jack.security.change_password(password=PASSWORD_3).body == {}
    for url in URLS:
        refused(url, PASSWORD_2)
        authenticates(url, PASSWORD_3)
    # Its own password is all it may change.
    with as_user(url2, PASSWORD_3) as jack:
        expect_error(
            AuthorizationException, 403, lambda: jack.security.change_password(username="elastic", password=PASSWORD_3)
        )
    ok()

    # --- 9. Delete ------------------------------------------------------------
    step(f"delete_user {USER} on node 2: refused on every node; delete again: 404")
    deleted = node2.security.delete_user(username=USER)
    assert deleted.body == {"found": True}, deleted.body
    for url in URLS:
        refused(url, PASSWORD_3)
    error = expect_error(NotFoundError, 404, lambda: node2.security.delete_user(username=USER))
    assert error.body == {"found": False}, error.body
    expect_error(NotFoundError, 404, lambda: node1.security.get_user(username=USER))
    ok()

    step(f"delete_role {ROLE}")
    assert node3.security.delete_role(name=ROLE).body == {"found": True}
    error = expect_error(NotFoundError, 404, lambda: node1.security.get_role(name=ROLE))
    assert error.body == {}, error.body
    ok()

    for es in (node1, node2, node3):
        es.close()
    print("all steps passed", flush=True)


if __name__ == "__main__":
    main()
