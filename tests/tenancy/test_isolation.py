"""A tenant-bound client sees and changes only its tenant's users and groups.

RFC 7644 §6: "the service provider ... MUST ensure that a client can only
access the resources of its own tenant"; the tenant is inferred from the
client's credentials (§6.1). Another tenant's resource is as if it did not
exist: 404, never 403, so a client cannot even learn that an id is taken.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from tests.conftest import assert_scim_error, body, ops
from tests.factories import UserFactory
from tests.tenancy.conftest import GROUP, USER, listed, new_group, new_user

User = get_user_model()


@pytest.fixture
def world(acme, globex):
    """Each tenant with a user and a group; a site user made outside SCIM."""
    alice = new_user(
        acme,
        "alice@acme.example",
        externalId="shared-ext",
        emails=[{"value": "alice@acme.example", "primary": True}],
    )
    bob = new_user(
        globex,
        "bob@globex.example",
        externalId="shared-ext",
        emails=[{"value": "bob@globex.example", "primary": True}],
    )
    acme_group = new_group(acme, "Engineering", [alice["id"]])
    globex_group = new_group(globex, "Engineering", [bob["id"]])
    site_user = UserFactory(username="site.user")
    return {
        "alice": alice,
        "bob": bob,
        "acme_group": acme_group,
        "globex_group": globex_group,
        "site_user": site_user,
    }


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_another_tenants_user_is_404_on_every_method(world, globex, method):
    """RFC 7644 §6 and §3.12: GET, PUT, PATCH and DELETE of acme's user by globex's client
    are 404 noTarget-free "not found", and acme's user is unchanged."""
    alice = world["alice"]
    url = f"Users/{alice['id']}"
    payloads = {
        "put": {"schemas": [USER], "userName": "stolen"},
        "patch": ops({"op": "replace", "path": "userName", "value": "stolen"}),
    }
    args = [payloads[method]] if method in payloads else []
    assert_scim_error(getattr(globex, method)(url, *args), 404)
    assert User.objects.filter(username="acme+alice@acme.example").exists()
    assert not User.objects.filter(username__contains="stolen").exists()


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_another_tenants_group_is_404_on_every_method(world, globex, method):
    """RFC 7644 §6: the same for groups."""
    url = f"Groups/{world['acme_group']['id']}"
    payloads = {
        "put": {"schemas": [GROUP], "displayName": "Taken"},
        "patch": ops({"op": "replace", "path": "displayName", "value": "Taken"}),
    }
    args = [payloads[method]] if method in payloads else []
    assert_scim_error(getattr(globex, method)(url, *args), 404)
    assert Group.objects.filter(name__endswith="+Engineering").count() == 2
    assert not Group.objects.filter(name="Taken").exists()


def test_lists_show_only_the_tenants_resources(world, acme, globex):
    """RFC 7644 §3.4.2: a list is of the resources the client may see: acme's own user,
    not globex's nor the site's users made outside SCIM."""
    assert [r["userName"] for r in listed(acme, "Users")] == ["alice@acme.example"]
    assert [r["userName"] for r in listed(globex, "Users")] == ["bob@globex.example"]
    assert body(acme.get("Users"))["totalResults"] == 1
    assert [r["id"] for r in listed(acme, "Groups")] == [world["acme_group"]["id"]]


@pytest.mark.parametrize(
    "filter_",
    [
        'userName eq "bob@globex.example"',
        'userName co "bob"',
        'userName sw "bob"',
        'userName ew "globex.example"',
        'userName eq "site.user"',
        'emails.value eq "bob@globex.example"',
        'emails[value co "globex"]',
        'displayName eq "nobody"',
    ],
)
def test_filters_never_reach_another_tenant(world, acme, filter_):
    """RFC 7644 §3.4.2.2: every filter runs within the tenant; names, e-mail addresses and
    externalIds of another tenant match nothing."""
    assert listed(acme, f"Users?filter={filter_}") == []


def test_filters_find_the_tenants_own(world, acme):
    """RFC 7644 §3.4.2.2 within the tenant: userName compares without the stored prefix, so
    ``co``, ``sw`` and ``ew`` behave as on an unbound client."""
    for filter_ in (
        'userName eq "alice@acme.example"',
        'userName eq "ALICE@acme.example"',
        'userName co "alice"',
        'userName sw "alice"',
        'userName ew "acme.example"',
        'userName gt "a"',
        "userName pr",
    ):
        assert [r["id"] for r in listed(acme, f"Users?filter={filter_}")] == [
            world["alice"]["id"]
        ], filter_
    # The stored prefix itself is not part of the name.
    assert listed(acme, 'Users?filter=userName co "acme+"') == []
    assert listed(acme, 'Users?filter=userName sw "acme"') == []


def test_external_id_is_per_tenant(world, acme, globex):
    """RFC 7644 §6.2 / RFC 7643 §3.1: ``externalId`` is the client's; two tenants may use the
    same value, and a filter on it finds only the tenant's own resource."""
    assert [r["id"] for r in listed(acme, 'Users?filter=externalId eq "shared-ext"')] == [
        world["alice"]["id"]
    ]
    assert [r["id"] for r in listed(globex, 'Users?filter=externalId eq "shared-ext"')] == [
        world["bob"]["id"]
    ]


def test_sorting_and_search_stay_within_the_tenant(world, acme):
    """RFC 7644 §3.4.2.3 and §3.4.3: sortBy and POST /.search, per endpoint and at the root."""
    new_user(acme, "aaron@acme.example")
    sorted_ = listed(acme, "Users?sortBy=userName&sortOrder=descending")
    assert [r["userName"] for r in sorted_] == ["alice@acme.example", "aaron@acme.example"]
    query = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"]}
    found = body(acme.post("Users/.search", query))
    assert {r["userName"] for r in found["Resources"]} == {
        "alice@acme.example",
        "aaron@acme.example",
    }
    everything = body(acme.post(".search", query))
    assert everything["totalResults"] == 3  # two users and acme's group
    ids = {r["id"] for r in everything["Resources"]}
    assert world["bob"]["id"] not in ids
    assert world["globex_group"]["id"] not in ids


def test_a_member_from_another_tenant_is_invalid_value(world, acme):
    """RFC 7644 §3.12: naming another tenant's user as a member is 400 invalidValue, on POST,
    PUT and PATCH; the group is unchanged."""
    bob = world["bob"]["id"]
    group = world["acme_group"]
    assert_scim_error(
        acme.post("Groups", {"schemas": [GROUP], "displayName": "X", "members": [{"value": bob}]}),
        400,
        "invalidValue",
    )
    assert_scim_error(
        acme.put(
            f"Groups/{group['id']}",
            {"schemas": [GROUP], "displayName": "Engineering", "members": [{"value": bob}]},
        ),
        400,
        "invalidValue",
    )
    assert_scim_error(
        acme.patch(
            f"Groups/{group['id']}",
            ops({"op": "add", "path": "members", "value": [{"value": bob}]}),
        ),
        400,
        "invalidValue",
    )
    members = body(acme.get(f"Groups/{group['id']}"))["members"]
    assert [m["value"] for m in members] == [world["alice"]["id"]]


def test_a_site_made_member_of_another_tenant_is_not_shown(world, acme):
    """RFC 7644 §6: site code may put any user in any group; a tenant's client is shown only
    its own members (and their display names without the stored prefix)."""
    group = Group.objects.get(pk=_group_pk(world["acme_group"]))
    group.user_set.add(User.objects.get(username="globex+bob@globex.example"))
    members = body(acme.get(f"Groups/{world['acme_group']['id']}"))["members"]
    assert [(m["value"], m["display"]) for m in members] == [
        (world["alice"]["id"], "alice@acme.example")
    ]


def _group_pk(group: dict) -> int:
    return Group.objects.get(name=f"acme+{group['displayName']}").pk


def test_bulk_never_touches_another_tenant(world, globex):
    """RFC 7644 §3.7: each operation of a tenant's /Bulk is answered as alone: another
    tenant's resource is 404, and nothing of it changes."""
    alice = world["alice"]["id"]
    request = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
        "Operations": [
            {
                "method": "PATCH",
                "path": f"/Users/{alice}",
                "data": ops({"op": "replace", "path": "active", "value": False}),
            },
            {"method": "DELETE", "path": f"/Users/{alice}"},
        ],
    }
    response = globex.post("Bulk", request)
    assert response.status_code == 200
    assert [op["status"] for op in body(response)["Operations"]] == ["404", "404"]
    assert User.objects.get(username="acme+alice@acme.example").is_active


def test_an_unbound_client_sees_every_tenant(world, scim):
    """A client bound to no tenant behaves as before: it sees every user of the site (with
    the usernames as stored), so single-tenant sites change nothing."""
    names = {r["userName"] for r in listed(scim, "Users")}
    assert names == {"acme+alice@acme.example", "globex+bob@globex.example", "site.user"}


def test_every_other_way_of_naming_another_tenants_resource(world, acme):
    """RFC 7644 §3.4.2.2, §3.5.2 and §3.7: an id of globex's in a filter, in a PATCH path's
    value filter, or in a cursor-paged list is unknown to acme."""
    bob, group = world["bob"]["id"], world["acme_group"]["id"]
    assert listed(acme, f'Users?filter=id eq "{bob}"') == []
    assert listed(acme, f'Groups?filter=members.value eq "{bob}"') == []
    query = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
        "filter": f'id eq "{bob}"',
    }
    assert body(acme.post(".search", query))["totalResults"] == 0
    response = acme.patch(
        f"Groups/{group}", ops({"op": "remove", "path": f'members[value eq "{bob}"]'})
    )
    assert_scim_error(response, 400, "noTarget")  # §3.5.2.2: no member of acme's matches
    assert Group.objects.get(name="globex+Engineering").user_set.count() == 1
    paged = body(acme.get("Users?cursor=&count=1"))
    assert [r["id"] for r in paged["Resources"]] == [world["alice"]["id"]]
    assert "nextCursor" not in paged


def test_a_cursor_of_another_tenants_client_is_refused(world, acme, globex):
    """RFC 9865: a cursor is bound to the client that received it; another tenant's client
    presenting it gets 400 invalidCursor, not the other tenant's next page."""
    new_user(globex, "carol@globex.example")
    page = body(globex.get("Users?cursor=&count=1"))
    assert_scim_error(acme.get(f"Users?cursor={page['nextCursor']}&count=1"), 400, "invalidCursor")


def test_user_name_equality_in_a_tenant_beyond_ascii(acme):
    """RFC 7643 §2.2 (caseExact false) within a tenant: names with letters beyond ASCII
    are compared as the database folds them, as for a client bound to no tenant (SQLite's
    LOWER folds ASCII letters only: tests/protocol/test_search.py)."""
    user = new_user(acme, "José.Ñúñez")
    for name in ("JOSé.Ñúñez", "José.Ñúñez"):
        found = listed(acme, f'Users?filter=userName eq "{name}"')
        assert [r["id"] for r in found] == [user["id"]], name
    assert listed(acme, 'Users?filter=userName ne "José.Ñúñez"') == []


def test_member_display_filters_compare_the_tenants_names(world, acme):
    """RFC 7644 §3.4.2.2 on ``members.display`` within a tenant: the member's name as the
    tenant knows it, not as the site stores it."""
    group = world["acme_group"]["id"]
    for filter_ in (
        'members.display eq "alice@acme.example"',
        'members[display sw "alice"]',
        'members[display co "acme.example"]',
    ):
        assert [g["id"] for g in listed(acme, f"Groups?filter={filter_}")] == [group], filter_
    assert listed(acme, 'Groups?filter=members.display sw "acme+"') == []
