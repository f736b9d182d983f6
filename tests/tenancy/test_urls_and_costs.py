"""The tenant in the URL (RFC 7644 §6.1), and what tenancy costs per request."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import assert_scim_error, body, ops
from tests.factories import GroupFactory, UserFactory
from tests.tenancy.conftest import GROUP, USER, new_group, new_user

ACME = "/scim/acme/v2"


def test_a_tenant_url_serves_its_tenants_client(acme):
    """RFC 7644 §6.1: "a URL prefix" may name the tenant. ``meta.location`` and every
    ``$ref`` carry the tenant's URL (RFC 7644 §3.1: the location is the resource's URI)."""
    user = body(acme.post(f"{ACME}/Users", {"schemas": [USER], "userName": "bjensen"}))
    assert user["meta"]["location"] == f"http://testserver{ACME}/Users/{user['id']}"
    group = body(
        acme.post(
            f"{ACME}/Groups",
            {"schemas": [GROUP], "displayName": "Team", "members": [{"value": user["id"]}]},
        )
    )
    assert group["members"][0]["$ref"] == f"http://testserver{ACME}/Users/{user['id']}"
    assert acme.get(f"{ACME}/Users/{user['id']}").status_code == 200
    assert acme.get(f"{ACME}/ServiceProviderConfig").status_code == 200


def test_another_tenants_url_is_404(acme, globex, scim):
    """RFC 7644 §6.1: a URL tenant that differs from the client's is 404 on every endpoint,
    for another tenant's client and for a client bound to none."""
    user = new_user(acme, "bjensen")
    for client in (globex, scim):
        assert_scim_error(client.get(f"{ACME}/Users"), 404)
        assert_scim_error(client.get(f"{ACME}/Users/{user['id']}"), 404)
        assert_scim_error(client.get(f"{ACME}/ServiceProviderConfig"), 404)
        response = client.patch(
            f"{ACME}/Users/{user['id']}", ops({"op": "replace", "path": "active", "value": False})
        )
        assert_scim_error(response, 404)
    assert body(acme.get(f"Users/{user['id']}"))["active"] is True


def _requests(client, user_id: str, group_id: str) -> dict[str, object]:
    """One of each request an identity provider makes; returns each one's statement count."""
    counts: dict[str, object] = {}

    def count(name, send):
        with CaptureQueriesContext(connection) as queries:
            response = send()
        assert response.status_code < 300, (name, response.content)
        counts[name] = len(queries)

    count("get", lambda: client.get(f"Users/{user_id}"))
    count("lookup", lambda: client.get('Users?filter=userName eq "member0"'))
    count("list", lambda: client.get("Users?count=10"))
    count("groups", lambda: client.get("Groups?excludedAttributes=members"))
    count("group", lambda: client.get(f"Groups/{group_id}"))
    count(
        "patch",
        lambda: client.patch(
            f"Users/{user_id}", ops({"op": "replace", "path": "displayName", "value": "X"})
        ),
    )
    count(
        "members",
        lambda: client.patch(
            f"Groups/{group_id}",
            ops({"op": "remove", "path": f'members[value eq "{user_id}"]'}),
        ),
    )
    count("create", lambda: client.post("Users", {"schemas": [USER], "userName": "fresh"}))
    return counts


@pytest.fixture
def warm_clients(acme, scim):
    for client in (acme, scim):
        client.get("ServiceProviderConfig")  # last_used written now, not during a count
    return acme, scim


def test_tenant_scoping_adds_no_statement(warm_clients):
    """Cost: a tenant-bound client's requests take as many statements as an unbound
    client's over the same data (the scope is a condition of the same queries)."""
    acme, scim = warm_clients
    members = [new_user(acme, f"member{n}") for n in range(3)]
    acme_group = new_group(acme, "Team", [m["id"] for m in members])
    site_users = [UserFactory(username=f"member{n}") for n in range(3)]
    site_group = GroupFactory(name="Team")
    site_group.user_set.add(*site_users)
    # The unbound client writes its side rows first, as the tenant's client did.
    found = body(scim.get('Users?filter=userName sw "member"'))["Resources"]
    unbound_ids = [r["id"] for r in found]
    for user_id in unbound_ids:
        scim.patch(f"Users/{user_id}", ops({"op": "replace", "path": "nickName", "value": "n"}))
    for user_id in (m["id"] for m in members):
        acme.patch(f"Users/{user_id}", ops({"op": "replace", "path": "nickName", "value": "n"}))
    site_group_id = body(scim.get('Groups?filter=displayName eq "Team"'))["Resources"][0]["id"]
    scim.patch(
        f"Groups/{site_group_id}", ops({"op": "replace", "path": "displayName", "value": "Team"})
    )
    unbound = _requests(scim, unbound_ids[0], site_group_id)
    bound = _requests(acme, members[0]["id"], acme_group["id"])
    # The unbound client also sees acme's objects, which have no side row of its own (one
    # more aggregate for their versions): the tenant's client never needs more.
    assert all(bound[name] <= unbound[name] for name in unbound), (bound, unbound)
    # As tests/test_queries.py counts them for an unbound client over its own data.
    assert bound["get"] == 5  # auth, the user, its groups, their side rows, log
    assert bound["list"] == 5  # auth, page (not full: no COUNT), groups, side rows, log


def test_a_tenants_bulk_resolves_its_own_references_at_its_url(acme, globex):
    """RFC 7644 §3.7 and §6.1: a tenant's /Bulk at its URL creates within the tenant,
    resolves bulkId references there, and answers with the tenant's locations."""
    request = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
        "Operations": [
            {
                "method": "POST",
                "path": "/Groups",
                "bulkId": "g",
                "data": {
                    "schemas": [GROUP],
                    "displayName": "Team",
                    "members": [{"value": "bulkId:u"}],
                },
            },
            {
                "method": "POST",
                "path": "/Users",
                "bulkId": "u",
                "data": {"schemas": [USER], "userName": "bjensen"},
            },
        ],
    }
    response = acme.post(f"{ACME}/Bulk", request)
    assert response.status_code == 200
    operations = body(response)["Operations"]
    assert [op["status"] for op in operations] == ["201", "201"]
    assert all(op["location"].startswith(f"http://testserver{ACME}/") for op in operations)
    group, user = (
        body(acme.get(op["location"].removeprefix("http://testserver"))) for op in operations
    )
    assert [m["value"] for m in group["members"]] == [user["id"]]
    assert body(globex.get("Users"))["totalResults"] == 0
