"""Groups over HTTP: create, read, list, replace, delete (RFC 7644 §3.1-§3.4.1, §3.6)
and the Group resource of RFC 7643 §4.2.

Each test states one behaviour; the docstring quotes the section that asks for it.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from django_scim.constants import GROUP_SCHEMA, USER_SCHEMA
from django_scim.models import ResourceRecord
from tests.conftest import assert_scim_error, body
from tests.factories import GroupFactory, UserFactory

SCIM_JSON = "application/scim+json"

User = get_user_model()


def new_user(scim, user_name: str) -> str:
    response = scim.post("Users", {"schemas": [USER_SCHEMA], "userName": user_name})
    assert response.status_code == 201
    return body(response)["id"]


def create(scim, display_name: str = "Tour Guides", **extra) -> dict:
    response = scim.post(
        "Groups", {"schemas": [GROUP_SCHEMA], "displayName": display_name, **extra}
    )
    assert response.status_code == 201, response.content
    return body(response)


def member(user_id: str) -> dict:
    return {"value": user_id, "$ref": f"http://testserver/scim/v2/Users/{user_id}", "type": "User"}


def memberships(name: str) -> set[str]:
    return set(Group.objects.get(name=name).user_set.values_list("username", flat=True))


# -- create (§3.3) -----------------------------------------------------------------


def test_post_answers_201_with_location_equal_to_meta_location(scim):
    """RFC 7644 §3.3: 201 Created, the resource in the body and its URI in Location,
    equal to meta.location."""
    response = scim.post("Groups", {"schemas": [GROUP_SCHEMA], "displayName": "Tour Guides"})
    assert response.status_code == 201
    data = body(response)
    assert response["Location"] == data["meta"]["location"]
    assert data["meta"]["location"] == f"http://testserver/scim/v2/Groups/{data['id']}"
    assert data["displayName"] == "Tour Guides"
    assert data["schemas"] == [GROUP_SCHEMA]


def test_post_returns_complete_meta(scim):
    """RFC 7643 §3.1: meta carries resourceType, created, lastModified, location, version."""
    meta = create(scim)["meta"]
    assert meta["resourceType"] == "Group"
    created = datetime.fromisoformat(meta["created"].replace("Z", "+00:00"))
    assert datetime.fromisoformat(meta["lastModified"].replace("Z", "+00:00")) >= created
    assert meta["version"]


def test_id_is_a_uuid_and_not_the_database_key(scim):
    """RFC 7643 §3.1: id is assigned by the service provider, stable and
    non-reassignable; a UUID, not the row's primary key."""
    data = create(scim)
    assert str(uuid.UUID(data["id"])) == data["id"]
    assert data["id"] != str(Group.objects.get(name="Tour Guides").pk)


def test_members_round_trip_with_value_ref_display_and_type(scim):
    """RFC 7643 §4.2: members have value (the member's id), $ref (its URI), display and
    type ("User" or "Group"); they are returned as sent, display filled in."""
    alice, bob = new_user(scim, "alice"), new_user(scim, "bob")
    data = create(scim, members=[member(alice), {"value": bob}])
    expected = sorted(
        [dict(member(alice), display="alice"), dict(member(bob), display="bob")],
        key=lambda item: item["value"],
    )
    assert sorted(data["members"], key=lambda item: item["value"]) == expected
    fetched = body(scim.get(f"Groups/{data['id']}"))
    assert sorted(fetched["members"], key=lambda item: item["value"]) == expected
    assert memberships("Tour Guides") == {"alice", "bob"}


def test_member_display_sent_by_the_client_is_ignored(scim):
    """RFC 7643 §4.2: members.display is readOnly: what the client sends is ignored and
    the member's own name is returned."""
    alice = new_user(scim, "alice")
    data = create(scim, members=[{"value": alice, "display": "Someone Else"}])
    assert data["members"][0]["display"] == "alice"


def test_external_id_round_trips(scim):
    """RFC 7643 §3.1: externalId is set by the provisioning client and returned as sent
    (caseExact)."""
    data = create(scim, externalId="Okta-Group-00gAbC")
    assert data["externalId"] == "Okta-Group-00gAbC"
    assert body(scim.get(f"Groups/{data['id']}"))["externalId"] == "Okta-Group-00gAbC"
    response = scim.put(
        f"Groups/{data['id']}", {"displayName": "Tour Guides", "externalId": "Okta-Group-00gXyZ"}
    )
    assert body(response)["externalId"] == "Okta-Group-00gXyZ"


def test_unknown_member_id_is_400_invalid_value(scim):
    """RFC 7644 §3.12: invalidValue when "a required value was missing, or the value
    specified was not compatible"; a member id naming no user creates nothing."""
    alice = new_user(scim, "alice")
    response = scim.post(
        "Groups",
        {"displayName": "Tour Guides", "members": [{"value": alice}, {"value": str(uuid.uuid4())}]},
    )
    assert_scim_error(response, 400, "invalidValue")
    assert not Group.objects.exists()
    assert not ResourceRecord.objects.filter(resource_type="Group").exists()


def test_malformed_member_id_is_400_invalid_value(scim):
    """RFC 7644 §3.12: a member value that cannot be an id is 400 invalidValue."""
    response = scim.post("Groups", {"displayName": "G", "members": [{"value": "not-an-id"}]})
    assert_scim_error(response, 400, "invalidValue")
    assert not Group.objects.exists()


def test_member_id_of_a_group_is_400_invalid_value(scim):
    """RFC 7643 §4.2 allows nested groups, but this provider serves User members only;
    a group's id as a member is 400 invalidValue and creates nothing."""
    other = create(scim, "Other")["id"]
    response = scim.post(
        "Groups", {"displayName": "Tour Guides", "members": [{"value": other, "type": "Group"}]}
    )
    assert_scim_error(response, 400, "invalidValue")
    assert not Group.objects.filter(name="Tour Guides").exists()


def test_missing_display_name_is_400_invalid_value(scim):
    """RFC 7643 §4.2: displayName is REQUIRED; a missing one is 400 invalidValue."""
    assert_scim_error(scim.post("Groups", {"schemas": [GROUP_SCHEMA]}), 400, "invalidValue")
    assert not Group.objects.exists()


@pytest.mark.parametrize(
    "attributes",
    [
        {"displayName": 42},
        {"displayName": {"value": "x"}},
        {"displayName": "G", "members": "alice"},
        {"displayName": "G", "members": [{"value": 12}]},
        {"displayName": "G", "members": ["alice"]},
    ],
    ids=lambda value: json.dumps(value)[:60],
)
def test_wrong_attribute_type_is_400_invalid_value(scim, attributes):
    """RFC 7643 §2.3: values must match the attribute's type; RFC 7644 §3.12 invalidValue."""
    assert_scim_error(
        scim.post("Groups", {"schemas": [GROUP_SCHEMA], **attributes}), 400, "invalidValue"
    )
    assert not Group.objects.exists()


def test_duplicate_display_name_is_409_uniqueness(scim):
    """django.contrib.auth keeps group names unique, so a second group of the same name
    conflicts with an existing resource: RFC 7644 §3.3 409 uniqueness, no database text."""
    create(scim, "Tour Guides")
    data = assert_scim_error(scim.post("Groups", {"displayName": "Tour Guides"}), 409, "uniqueness")
    assert "constraint" not in data["detail"].lower()
    assert Group.objects.count() == 1
    assert ResourceRecord.objects.filter(resource_type="Group").count() == 1


def test_rename_onto_existing_name_is_409_uniqueness(scim):
    """RFC 7644 §3.5.1 / §3.12: a PUT that would duplicate a unique value is 409 and the
    group keeps its name."""
    create(scim, "Tour Guides")
    other = create(scim, "Rangers")["id"]
    assert_scim_error(
        scim.put(f"Groups/{other}", {"displayName": "Tour Guides"}), 409, "uniqueness"
    )
    assert body(scim.get(f"Groups/{other}"))["displayName"] == "Rangers"


def test_read_only_id_and_meta_in_post_are_ignored(scim):
    """RFC 7643 §2.2: readOnly id and meta sent by a client are ignored."""
    forged = str(uuid.uuid4())
    data = create(scim, id=forged, meta={"resourceType": "User"})
    assert data["id"] != forged and data["meta"]["resourceType"] == "Group"


# -- replace (§3.5.1) --------------------------------------------------------------


def test_put_replaces_display_name_and_members(scim):
    """RFC 7644 §3.5.1: PUT replaces the group: new name, and exactly the members sent."""
    alice, bob, carol = (new_user(scim, name) for name in ("alice", "bob", "carol"))
    group_id = create(scim, members=[{"value": alice}, {"value": bob}])["id"]
    response = scim.put(
        f"Groups/{group_id}",
        {"schemas": [GROUP_SCHEMA], "displayName": "Rangers", "members": [{"value": carol}]},
    )
    assert response.status_code == 200, response.content
    data = body(response)
    assert data["displayName"] == "Rangers"
    assert [m["value"] for m in data["members"]] == [carol]
    assert memberships("Rangers") == {"carol"}


def test_put_without_members_empties_the_group(scim):
    """RFC 7644 §3.5.1: attributes a PUT omits are cleared, members included."""
    alice = new_user(scim, "alice")
    group_id = create(scim, members=[{"value": alice}])["id"]
    response = scim.put(f"Groups/{group_id}", {"displayName": "Tour Guides"})
    assert response.status_code == 200
    assert "members" not in body(response)
    assert memberships("Tour Guides") == set()


def test_put_with_unknown_member_changes_nothing(scim):
    """RFC 7644 §3.12 invalidValue; the PUT is atomic, so name and members stay."""
    alice = new_user(scim, "alice")
    group_id = create(scim, members=[{"value": alice}])["id"]
    response = scim.put(
        f"Groups/{group_id}", {"displayName": "Renamed", "members": [{"value": str(uuid.uuid4())}]}
    )
    assert_scim_error(response, 400, "invalidValue")
    assert memberships("Tour Guides") == {"alice"}
    assert not Group.objects.filter(name="Renamed").exists()


# -- read and list (§3.4) --------------------------------------------------------------


def test_pre_existing_group_is_listed_and_readable(scim):
    """Groups created outside SCIM are part of the collection (RFC 7644 §3.4.2) and can
    be read by the id the listing gave (§3.4.1), members included."""
    legacy_user = UserFactory(username="legacy")
    GroupFactory(name="Staff", members=[legacy_user])
    data = body(scim.get("Groups"))
    assert data["totalResults"] == 1
    group_id = data["Resources"][0]["id"]
    fetched = body(scim.get(f"Groups/{group_id}"))
    assert fetched["displayName"] == "Staff"
    assert [m["display"] for m in fetched["members"]] == ["legacy"]


def test_filter_by_display_name(scim):
    """RFC 7644 §3.4.2.2: displayName eq is case-insensitive (caseExact false)."""
    create(scim, "Tour Guides")
    create(scim, "Rangers")
    data = body(scim.get("Groups", {"filter": 'displayName eq "tour guides"'}))
    assert [r["displayName"] for r in data["Resources"]] == ["Tour Guides"]


def test_excluded_attributes_members(scim):
    """RFC 7644 §3.4.2.5: excludedAttributes=members drops members from a read and a
    list (Entra ID reads groups that way)."""
    alice = new_user(scim, "alice")
    group_id = create(scim, members=[{"value": alice}])["id"]
    one = body(scim.get(f"Groups/{group_id}", {"excludedAttributes": "members"}))
    assert "members" not in one and one["displayName"] == "Tour Guides"
    listed = body(scim.get("Groups", {"excludedAttributes": "members"}))["Resources"]
    assert "members" not in listed[0]
    assert memberships("Tour Guides") == {"alice"}


def test_attributes_on_get_post_and_put(scim):
    """RFC 7644 §3.9: attributes limits the representation returned by GET, POST, PUT;
    id is always returned."""
    alice = new_user(scim, "alice")
    response = scim.post(
        "Groups?attributes=displayName",
        {"displayName": "Tour Guides", "members": [{"value": alice}]},
    )
    assert set(body(response)) - {"schemas"} == {"id", "displayName"}
    group_id = body(response)["id"]
    got = body(scim.get(f"Groups/{group_id}", {"attributes": "members.value"}))
    assert got["members"] == [{"value": alice}]
    put = scim.put(
        f"Groups/{group_id}?attributes=externalId",
        {"displayName": "Tour Guides", "externalId": "e1"},
    )
    assert set(body(put)) - {"schemas"} == {"id", "externalId"}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"startIndex": 2, "count": 2}, ["g2", "g3"]),
        ({"startIndex": 0, "count": 1}, ["g1"]),
        ({"count": 0}, []),
        ({"count": -5}, []),
    ],
)
def test_paging(scim, params, expected):
    """RFC 7644 §3.4.2.4: 1-based startIndex (<1 means 1), count (<0 means 0, 0 returns
    totalResults only); itemsPerPage is the number returned."""
    for name in ("g1", "g2", "g3", "g4"):
        GroupFactory(name=name)
    data = body(scim.get("Groups", params))
    assert data["totalResults"] == 4
    names = [r["displayName"] for r in data.get("Resources", [])]
    assert names == expected
    assert data["itemsPerPage"] == len(expected)
    assert data["startIndex"] == max(1, params.get("startIndex", 1))


def test_non_integer_count_is_400_invalid_value(scim):
    """RFC 7644 §3.4.2.4: count is an integer; RFC 7644 §3.12 invalidValue otherwise."""
    assert_scim_error(scim.get("Groups", {"count": "many"}), 400, "invalidValue")


@pytest.mark.parametrize(
    "content_type", ["application/json; charset=utf-8", "application/scim+json"]
)
def test_request_media_types_accepted(scim, content_type):
    """RFC 7644 §3.1 / §8.1: application/scim+json and application/json are accepted;
    responses are application/scim+json."""
    response = scim.post("Groups", json.dumps({"displayName": "G"}), content_type=content_type)
    assert response.status_code == 201
    assert response["Content-Type"] == SCIM_JSON


def test_unsupported_media_type_is_415(scim):
    """RFC 7644 §3.12: a body in another media type is 415 and creates nothing."""
    response = scim.post("Groups", "displayName=G", content_type="text/plain")
    assert_scim_error(response, 415)
    assert not Group.objects.exists()


# -- delete (§3.6) --------------------------------------------------------------------


def test_delete_is_204_then_get_is_404_and_members_stay(scim):
    """RFC 7644 §3.6: 204 No Content, then 404 for the deleted group; its members are
    users in their own right and are not deleted."""
    alice = new_user(scim, "alice")
    group_id = create(scim, members=[{"value": alice}])["id"]
    response = scim.delete(f"Groups/{group_id}")
    assert response.status_code == 204 and response.content == b""
    assert_scim_error(scim.get(f"Groups/{group_id}"), 404)
    assert not Group.objects.exists()
    user = body(scim.get(f"Users/{alice}"))
    assert "groups" not in user


def test_user_groups_attribute_lists_the_group(scim):
    """RFC 7643 §4.1.2: a member's groups attribute names the group (value, display)."""
    alice = new_user(scim, "alice")
    group_id = create(scim, members=[{"value": alice}])["id"]
    groups = body(scim.get(f"Users/{alice}"))["groups"]
    assert [(g["value"], g["display"]) for g in groups] == [(group_id, "Tour Guides")]


def test_duplicate_member_values_make_one_membership(scim):
    """RFC 7643 §2.4: a multi-valued attribute holds distinct values; the same member
    twice is one membership, listed once."""
    alice = new_user(scim, "alice")
    data = create(scim, members=[{"value": alice}, {"value": alice}])
    assert [m["value"] for m in data["members"]] == [alice]


def test_delete_in_deactivate_mode_removes_the_group(scim, settings):
    """DELETE_MODE "deactivate" applies to resources with an active flag; a group has none,
    so DELETE removes it (RFC 7644 §3.6: 204, then 404)."""
    settings.SCIM = {"DELETE_MODE": "deactivate"}
    group_id = create(scim)["id"]
    assert scim.delete(f"Groups/{group_id}").status_code == 204
    assert_scim_error(scim.get(f"Groups/{group_id}"), 404)
    assert not Group.objects.exists()
