"""PATCH (RFC 7644 §3.5.2): add, replace and remove, with and without ``path``.

RFC 7644 §3.5.2: "The body of an HTTP PATCH request MUST contain the attribute
"Operations", whose value is an array of one or more PATCH operations." Each
operation has an ``op`` (add, remove, replace), an optional ``path`` (the
attribute path grammar of §3.5.2, including value filters such as
``emails[type eq "work"].value``) and, for add and replace, a ``value``.
Operations are applied in order and "if any operation fails, the entire
request fails and the resource is left unchanged" — so every rejected request
below also checks that a fresh GET returns exactly what it returned before.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from django_scim.constants import ENTERPRISE_USER_SCHEMA, ERROR, GROUP_SCHEMA, PATCH_OP, USER_SCHEMA
from tests.conftest import body, ops, read
from tests.factories import UserFactory

UNKNOWN_ID = "9f0c0a43-1e4b-4b8f-9f8f-5b2c5e3c1a00"

User = get_user_model()


def new_user(scim, **attributes) -> dict:
    payload = {
        "schemas": [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
        "userName": "bjensen",
        **attributes,
    }
    response = scim.post("Users", payload)
    assert response.status_code == 201, body(response)
    return body(response)


def new_group(scim, name: str = "Tour Guides", members: tuple[str, ...] = ()) -> dict:
    payload = {
        "schemas": [GROUP_SCHEMA],
        "displayName": name,
        "members": [{"value": member} for member in members],
    }
    response = scim.post("Groups", payload)
    assert response.status_code == 201, body(response)
    return body(response)


def patched(scim, location: str, *operations: dict) -> dict:
    """PATCH that must succeed; returns the resource a later GET shows."""
    response = scim.patch(location, ops(*operations))
    assert response.status_code == 200, body(response)
    after = read(scim, location)
    returned = body(response)
    returned.pop("meta"), after.pop("meta")
    assert returned == after
    return after


def assert_rejected(scim, location: str, payload, status: int, scim_type: str | None) -> dict:
    """The PATCH is refused with this SCIM error, and the resource is unchanged."""
    before = read(scim, location)
    response = scim.patch(location, payload)
    assert response.status_code == status, body(response)
    error = body(response)
    assert error["schemas"] == [ERROR]
    assert error["status"] == str(status)
    assert error.get("scimType") == scim_type
    assert read(scim, location) == before
    return error


def member_ids(scim, group_id: str) -> list[str]:
    return sorted(m["value"] for m in read(scim, f"Groups/{group_id}").get("members", []))


@pytest.fixture
def user(scim) -> dict:
    return new_user(
        scim,
        name={"givenName": "Barbara", "familyName": "Jensen", "honorificPrefix": "Ms."},
        emails=[
            {"value": "bjensen@example.com", "type": "work", "primary": True},
            {"value": "babs@jensen.org", "type": "home"},
        ],
        addresses=[
            {"type": "work", "streetAddress": "100 Universal City Plaza", "locality": "Hollywood"},
            {"type": "home", "streetAddress": "456 Hollywood Blvd", "locality": "Hollywood"},
        ],
        title="Tour Guide",
        **{ENTERPRISE_USER_SCHEMA: {"department": "Tours", "costCenter": "4130"}},
    )


@pytest.fixture
def at(user) -> str:
    return f"Users/{user['id']}"


@pytest.fixture
def people(scim) -> list[str]:
    return [new_user(scim, userName=f"member{n}")["id"] for n in range(3)]


# -- add (§3.5.2.1) ---------------------------------------------------------------------


def test_add_singular_attribute_with_path(scim, at, user):
    """RFC 7644 §3.5.2.1: "If the target location does not exist, the attribute and value
    are added." Nothing else changes."""
    after = patched(scim, at, {"op": "add", "path": "nickName", "value": "Babs"})
    assert after["nickName"] == "Babs"
    assert after["title"] == "Tour Guide"
    assert after["emails"] == user["emails"]


def test_add_replaces_an_existing_singular_value(scim, at):
    """RFC 7644 §3.5.2.1: "If the target location specifies a single-valued attribute, the
    existing value is replaced." """
    after = patched(scim, at, {"op": "add", "path": "title", "value": "Guide in Chief"})
    assert after["title"] == "Guide in Chief"


def test_add_sub_attribute_keeps_its_siblings(scim, at):
    """RFC 7644 §3.5.2.1: a path naming a sub-attribute (``name.middleName``) sets only it."""
    after = patched(scim, at, {"op": "add", "path": "name.middleName", "value": "Jane"})
    assert after["name"] == {
        "givenName": "Barbara",
        "familyName": "Jensen",
        "honorificPrefix": "Ms.",
        "middleName": "Jane",
    }


def test_add_complex_value_merges_sub_attributes(scim, at):
    """RFC 7644 §3.5.2.1: "If the target location specifies a complex attribute, a set of
    sub-attributes SHALL be specified in the "value" parameter" — the others stay."""
    after = patched(scim, at, {"op": "add", "path": "name", "value": {"givenName": "Babs"}})
    assert after["name"] == {"givenName": "Babs", "familyName": "Jensen", "honorificPrefix": "Ms."}
    user = User.objects.get(username="bjensen")
    assert (user.first_name, user.last_name) == ("Babs", "Jensen")


def test_add_with_urn_qualified_core_path(scim, at):
    """RFC 7644 §3.10: an attribute may be named by its schema URN and name
    (``urn:ietf:params:scim:schemas:core:2.0:User:nickName``)."""
    after = patched(scim, at, {"op": "add", "path": f"{USER_SCHEMA}:nickName", "value": "Babs"})
    assert after["nickName"] == "Babs"


def test_add_enterprise_department_with_urn_path(scim, at):
    """RFC 7644 §3.10 and RFC 7643 §4.3: an extension attribute is named by the extension
    URN, a colon and the attribute; its other attributes are kept."""
    after = patched(
        scim, at, {"op": "add", "path": f"{ENTERPRISE_USER_SCHEMA}:department", "value": "Sales"}
    )
    assert after[ENTERPRISE_USER_SCHEMA] == {"department": "Sales", "costCenter": "4130"}
    assert ENTERPRISE_USER_SCHEMA in after["schemas"]


def test_add_enterprise_manager_with_urn_path(scim, at, people):
    """RFC 7643 §4.3: ``manager`` is a complex attribute whose ``value`` is the manager's id;
    it is reached with the extension URN path (RFC 7644 §3.10)."""
    after = patched(
        scim,
        at,
        {"op": "add", "path": f"{ENTERPRISE_USER_SCHEMA}:manager", "value": {"value": people[0]}},
    )
    assert after[ENTERPRISE_USER_SCHEMA]["manager"]["value"] == people[0]
    assert after[ENTERPRISE_USER_SCHEMA]["department"] == "Tours"


def test_add_enterprise_manager_sub_attribute_path(scim, at, people):
    """RFC 7644 §3.10: ``urn:...:enterprise:2.0:User:manager.value`` names the sub-attribute."""
    after = patched(
        scim,
        at,
        {"op": "add", "path": f"{ENTERPRISE_USER_SCHEMA}:manager.value", "value": people[1]},
    )
    assert after[ENTERPRISE_USER_SCHEMA]["manager"]["value"] == people[1]


def test_add_to_multi_valued_appends(scim, at, user):
    """RFC 7644 §3.5.2.1: "If the target location specifies a multi-valued attribute, a new
    value is added to the attribute." """
    new = {"value": "barbara@other.example", "type": "other"}
    after = patched(scim, at, {"op": "add", "path": "emails", "value": [new]})
    assert after["emails"] == [*user["emails"], new]


def test_add_to_multi_valued_does_not_duplicate(scim, at, user):
    """RFC 7644 §3.5.2.1: "if the value to be added already exists, the value SHALL NOT be
    added a second time" (RFC 7643 §2.4: no duplicate values)."""
    existing = {"value": "babs@jensen.org", "type": "home"}
    after = patched(scim, at, {"op": "add", "path": "emails", "value": [existing]})
    assert after["emails"] == user["emails"]


def test_add_primary_value_clears_the_other_primaries(scim, at):
    """RFC 7643 §2.4: "The primary attribute value "true" MUST appear no more than once";
    RFC 7644 §3.5.2: a new primary value makes the server set the others to false."""
    new = {"value": "new@example.com", "type": "other", "primary": True}
    after = patched(scim, at, {"op": "add", "path": "emails", "value": [new]})
    primaries = [e["value"] for e in after["emails"] if e.get("primary") is True]
    assert primaries == ["new@example.com"]
    assert User.objects.get(username="bjensen").email == "new@example.com"


def test_add_through_matching_value_filter_updates_that_element(scim, at):
    """RFC 7644 §3.5.2: a ``valuePath`` with a sub-attribute (``emails[type eq "work"].value``)
    targets the sub-attribute of the matching elements only."""
    after = patched(
        scim,
        at,
        {"op": "add", "path": 'emails[type eq "work"].value', "value": "b@work.example"},
    )
    by_type = {e["type"]: e["value"] for e in after["emails"]}
    assert by_type == {"work": "b@work.example", "home": "babs@jensen.org"}


def test_add_without_path_merges_the_object(scim, at, user):
    """RFC 7644 §3.5.2.1: "If omitted, the target location is assumed to be the resource
    itself. The "value" parameter contains a set of attributes to be added." """
    after = patched(
        scim, at, {"op": "add", "value": {"nickName": "Babs", "name": {"middleName": "J"}}}
    )
    assert after["nickName"] == "Babs"
    assert after["name"]["middleName"] == "J"
    assert after["name"]["givenName"] == "Barbara"
    assert after["title"] == "Tour Guide"
    assert after["emails"] == user["emails"]


def test_add_without_path_merges_nested_extension(scim, at):
    """RFC 7644 §3.5.2.1: a path-less value holding the extension object adds its attributes;
    the extension attributes not named are kept."""
    after = patched(
        scim, at, {"op": "add", "value": {ENTERPRISE_USER_SCHEMA: {"division": "Theme Parks"}}}
    )
    assert after[ENTERPRISE_USER_SCHEMA] == {
        "department": "Tours",
        "costCenter": "4130",
        "division": "Theme Parks",
    }


def test_add_members_appends_to_the_group(scim, people):
    """RFC 7644 §3.5.2.1 (Figure: "add a member to a group"): members are added, existing
    ones stay."""
    group = new_group(scim, members=(people[0],))
    location = f"Groups/{group['id']}"
    after = patched(
        scim, location, {"op": "add", "path": "members", "value": [{"value": people[1]}]}
    )
    assert sorted(m["value"] for m in after["members"]) == sorted(people[:2])
    assert Group.objects.get(name="Tour Guides").user_set.count() == 2


def test_add_existing_member_is_not_duplicated(scim, people):
    """RFC 7644 §3.5.2.1: an existing value is not added a second time."""
    group = new_group(scim, members=(people[0],))
    location = f"Groups/{group['id']}"
    after = patched(
        scim, location, {"op": "add", "path": "members", "value": [{"value": people[0]}]}
    )
    assert [m["value"] for m in after["members"]] == [people[0]]


# -- replace (§3.5.2.3) -----------------------------------------------------------------


def test_replace_singular_attribute(scim, at):
    """RFC 7644 §3.5.2.3: "If the target location is a single-value attribute, the
    attributes value is replaced." """
    after = patched(scim, at, {"op": "replace", "path": "userName", "value": "barbara"})
    assert after["userName"] == "barbara"
    assert User.objects.filter(username="barbara").exists()


def test_replace_sub_attribute(scim, at):
    """RFC 7644 §3.5.2.3: a sub-attribute path replaces only that sub-attribute."""
    after = patched(scim, at, {"op": "replace", "path": "name.familyName", "value": "Jensen-X"})
    assert after["name"] == {
        "givenName": "Barbara",
        "familyName": "Jensen-X",
        "honorificPrefix": "Ms.",
    }


def test_replace_complex_attribute_keeps_unnamed_sub_attributes(scim, at):
    """RFC 7644 §3.5.2.3: "If the target location path specifies an attribute that does not
    exist ... sub-attributes that are not specified in the "value" parameter are left
    unchanged." """
    after = patched(scim, at, {"op": "replace", "path": "name", "value": {"familyName": "J"}})
    assert after["name"] == {"givenName": "Barbara", "familyName": "J", "honorificPrefix": "Ms."}


def test_replace_multi_valued_attribute_replaces_the_list(scim, at):
    """RFC 7644 §3.5.2.3: "If the target location is a multi-valued attribute and no filter
    is specified, the attribute and all values are replaced." """
    new = [{"value": "only@example.com", "type": "work", "primary": True}]
    after = patched(scim, at, {"op": "replace", "path": "emails", "value": new})
    assert after["emails"] == new
    assert User.objects.get(username="bjensen").email == "only@example.com"


def test_replace_with_filter_changes_only_matched_elements(scim, at):
    """RFC 7644 §3.5.2.3: "If the target location path specifies an attribute and a value
    filter, the matching values are replaced" — the others are untouched."""
    after = patched(
        scim,
        at,
        {"op": "replace", "path": 'emails[type eq "work"].value', "value": "b@new.example"},
    )
    assert after["emails"] == [
        {"value": "b@new.example", "type": "work", "primary": True},
        {"value": "babs@jensen.org", "type": "home"},
    ]


def test_replace_whole_element_through_filter(scim, at):
    """RFC 7644 §3.5.2.3: a value filter without a sub-attribute replaces the matched
    elements with the value."""
    new = {"value": "b@home.example", "type": "home"}
    after = patched(scim, at, {"op": "replace", "path": 'emails[type eq "home"]', "value": new})
    assert after["emails"][1] == new
    assert after["emails"][0]["value"] == "bjensen@example.com"


def test_replace_address_sub_attribute_through_filter(scim, at):
    """RFC 7644 §3.5.2.3: ``addresses[type eq "work"].streetAddress`` replaces only that
    sub-attribute of the work address; locality and the home address are kept."""
    after = patched(
        scim,
        at,
        {
            "op": "replace",
            "path": 'addresses[type eq "work"].streetAddress',
            "value": "1 Studio Way",
        },
    )
    assert after["addresses"] == [
        {"type": "work", "streetAddress": "1 Studio Way", "locality": "Hollywood"},
        {"type": "home", "streetAddress": "456 Hollywood Blvd", "locality": "Hollywood"},
    ]


def test_replace_primary_through_filter_clears_other_primaries(scim, at):
    """RFC 7643 §2.4: setting ``primary`` true on one element sets the others to false."""
    after = patched(
        scim, at, {"op": "replace", "path": 'emails[type eq "home"].primary', "value": True}
    )
    assert [e.get("primary") for e in after["emails"]] == [False, True]
    assert User.objects.get(username="bjensen").email == "babs@jensen.org"


def test_replace_absent_attribute_adds_it(scim, at):
    """RFC 7644 §3.5.2.3: "If the target location specifies an attribute that does not exist
    (has no value), the attribute is added with the new value." """
    before = read(scim, at)
    assert "nickName" not in before
    after = patched(scim, at, {"op": "replace", "path": "nickName", "value": "Babs"})
    assert after["nickName"] == "Babs"


def test_replace_without_path_merges(scim, at, user):
    """RFC 7644 §3.5.2.3: "If the "path" parameter is omitted, the target is assumed to be
    the resource itself" and the value's attributes replace theirs; nested complex values
    merge, so unnamed sub-attributes and attributes are kept."""
    after = patched(
        scim,
        at,
        {
            "op": "replace",
            "value": {
                "title": "Chief",
                "name": {"givenName": "Babs"},
                ENTERPRISE_USER_SCHEMA: {"department": "HQ"},
            },
        },
    )
    assert after["title"] == "Chief"
    assert after["name"] == {"givenName": "Babs", "familyName": "Jensen", "honorificPrefix": "Ms."}
    assert after[ENTERPRISE_USER_SCHEMA] == {"department": "HQ", "costCenter": "4130"}
    assert after["emails"] == user["emails"]


def test_replace_enterprise_department(scim, at):
    """RFC 7644 §3.10: URN-qualified path into the enterprise extension."""
    after = patched(
        scim, at, {"op": "replace", "path": f"{ENTERPRISE_USER_SCHEMA}:department", "value": "Ops"}
    )
    assert after[ENTERPRISE_USER_SCHEMA]["department"] == "Ops"


def test_replace_enterprise_manager(scim, at, people):
    """RFC 7643 §4.3: the manager is replaced by another user's id."""
    patched(
        scim,
        at,
        {"op": "add", "path": f"{ENTERPRISE_USER_SCHEMA}:manager", "value": {"value": people[0]}},
    )
    after = patched(
        scim,
        at,
        {
            "op": "replace",
            "path": f"{ENTERPRISE_USER_SCHEMA}:manager",
            "value": {"value": people[2]},
        },
    )
    assert after[ENTERPRISE_USER_SCHEMA]["manager"]["value"] == people[2]


def test_replace_members_sets_the_membership(scim, people):
    """RFC 7644 §3.5.2.3: replace on ``members`` without a filter replaces all values."""
    group = new_group(scim, members=(people[0], people[1]))
    location = f"Groups/{group['id']}"
    patched(scim, location, {"op": "replace", "path": "members", "value": [{"value": people[2]}]})
    assert member_ids(scim, group["id"]) == [people[2]]


def test_replace_group_display_name(scim, people):
    """RFC 7644 §3.5.2.3: replacing displayName keeps the members."""
    group = new_group(scim, members=(people[0],))
    location = f"Groups/{group['id']}"
    after = patched(scim, location, {"op": "replace", "path": "displayName", "value": "Guides"})
    assert after["displayName"] == "Guides"
    assert member_ids(scim, group["id"]) == [people[0]]


# -- remove (§3.5.2.2) ------------------------------------------------------------------


def test_remove_singular_attribute(scim, at):
    """RFC 7644 §3.5.2.2: "If the target location is a single-value attribute, the attribute
    and its associated value is removed." """
    after = patched(scim, at, {"op": "remove", "path": "title"})
    assert "title" not in after


def test_remove_sub_attribute(scim, at):
    """RFC 7644 §3.5.2.2: a sub-attribute path removes that sub-attribute only."""
    after = patched(scim, at, {"op": "remove", "path": "name.honorificPrefix"})
    assert after["name"] == {"givenName": "Barbara", "familyName": "Jensen"}


def test_remove_whole_multi_valued_attribute(scim, at):
    """RFC 7644 §3.5.2.2: "If the target location is a multi-valued attribute and no filter
    is specified, the attribute and all values are removed." """
    after = patched(scim, at, {"op": "remove", "path": "emails"})
    assert "emails" not in after
    assert User.objects.get(username="bjensen").email == ""


def test_remove_with_filter_removes_only_matched(scim, at):
    """RFC 7644 §3.5.2.2: "If the target location is a multi-valued attribute and a complex
    filter is specified ..., the values matched by the filter are removed." """
    after = patched(scim, at, {"op": "remove", "path": 'emails[type eq "home"]'})
    assert after["emails"] == [{"value": "bjensen@example.com", "type": "work", "primary": True}]


def test_remove_sub_attribute_through_filter(scim, at):
    """RFC 7644 §3.5.2.2: ``addresses[type eq "work"].streetAddress`` removes that
    sub-attribute from the matched element only."""
    after = patched(scim, at, {"op": "remove", "path": 'addresses[type eq "work"].streetAddress'})
    assert after["addresses"] == [
        {"type": "work", "locality": "Hollywood"},
        {"type": "home", "streetAddress": "456 Hollywood Blvd", "locality": "Hollywood"},
    ]


def test_remove_enterprise_attribute(scim, at):
    """RFC 7644 §3.5.2.2 and §3.10: a URN-qualified extension attribute is removed; the
    extension's other attributes stay."""
    after = patched(scim, at, {"op": "remove", "path": f"{ENTERPRISE_USER_SCHEMA}:department"})
    assert after[ENTERPRISE_USER_SCHEMA] == {"costCenter": "4130"}


def test_remove_enterprise_manager(scim, at, people):
    """RFC 7644 §3.5.2.2: removing ``manager`` leaves no manager attribute at all."""
    patched(
        scim,
        at,
        {"op": "add", "path": f"{ENTERPRISE_USER_SCHEMA}:manager", "value": {"value": people[0]}},
    )
    after = patched(scim, at, {"op": "remove", "path": f"{ENTERPRISE_USER_SCHEMA}:manager"})
    assert "manager" not in after[ENTERPRISE_USER_SCHEMA]


def test_remove_member_by_value_filter(scim, people):
    """RFC 7644 §3.5.2.2 (example: ``members[value eq "2819c223..."]``): only that member
    is removed."""
    group = new_group(scim, members=tuple(people))
    location = f"Groups/{group['id']}"
    patched(scim, location, {"op": "remove", "path": f'members[value eq "{people[1]}"]'})
    assert member_ids(scim, group["id"]) == sorted([people[0], people[2]])


def test_remove_all_members(scim, people):
    """RFC 7644 §3.5.2.2 (example: ``"path":"members"``): all members are removed."""
    group = new_group(scim, members=tuple(people))
    location = f"Groups/{group['id']}"
    after = patched(scim, location, {"op": "remove", "path": "members"})
    assert "members" not in after
    assert Group.objects.get(name="Tour Guides").user_set.count() == 0


# -- errors (§3.5.2, §3.12) -------------------------------------------------------------


def test_remove_without_path_is_no_target(scim, at):
    """RFC 7644 §3.5.2.2: "If "path" is unspecified, the operation fails with HTTP status
    code 400 and a "scimType" error code of "noTarget"." """
    assert_rejected(scim, at, ops({"op": "remove"}), 400, "noTarget")


def test_remove_with_filter_matching_nothing_is_no_target(scim, at):
    """RFC 7644 §3.5.2.2 / §3.12 (Table 9): "noTarget: The specified "path" did not yield an
    attribute or attribute value that could be operated on." """
    assert_rejected(
        scim, at, ops({"op": "remove", "path": 'emails[type eq "other"]'}), 400, "noTarget"
    )


def test_remove_member_that_is_not_a_member_is_no_target(scim, people):
    """RFC 7644 §3.5.2.2 / §3.12: a member filter that matches no member yields noTarget,
    and the membership is unchanged."""
    group = new_group(scim, members=(people[0],))
    payload = ops({"op": "remove", "path": f'members[value eq "{people[1]}"]'})
    assert_rejected(scim, f"Groups/{group['id']}", payload, 400, "noTarget")
    assert member_ids(scim, group["id"]) == [people[0]]


def test_replace_with_filter_matching_nothing_is_no_target_for_strict_clients(
    scim, scim_client_record, at
):
    """RFC 7644 §3.5.2.3: "If the target location is a multi-valued attribute for which a
    value selection filter ("valuePath") has been supplied and no record match was made, the
    service provider SHALL indicate failure by returning HTTP status code 400 and a
    "scimType" error code of "noTarget"." A client marked strict gets the RFC answer
    (docs/dialects.md: other clients get Entra's create-on-absent)."""
    scim_client_record.strict = True
    scim_client_record.save()
    payload = ops({"op": "replace", "path": 'emails[type eq "other"].value', "value": "x@y.z"})
    assert_rejected(scim, at, payload, 400, "noTarget")


@pytest.mark.parametrize(
    "path",
    [
        "nonExistent",
        "name.nonExistent",
        'emails[type eq "work"',
        'emails[type eq "work"].nonExistent',
        'emails[type zz "work"]',
        'title[value eq "x"]',
        f"{ENTERPRISE_USER_SCHEMA}:nonExistent",
        "urn:example:unknown:2.0:User:department",
        f"{ENTERPRISE_USER_SCHEMA}.department",
        "",
        'emails[type[value eq "x"]]',
    ],
)
def test_malformed_or_unknown_path_is_invalid_path(scim, at, path):
    """RFC 7644 §3.12 (Table 9): "invalidPath: The "path" attribute was invalid or
    malformed." """
    payload = ops({"op": "replace", "path": path or " ", "value": "x"})
    assert_rejected(scim, at, payload, 400, "invalidPath")


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("id", "0b2d5a55-7a53-4f2e-8e1c-2d1a2b3c4d5e"),
        ("meta", {"resourceType": "Group"}),
        ("meta.created", "2020-01-01T00:00:00Z"),
        ("groups", [{"value": "0b2d5a55-7a53-4f2e-8e1c-2d1a2b3c4d5e"}]),
    ],
)
def test_read_only_target_is_mutability(scim, at, path, value):
    """RFC 7644 §3.5.2 / §3.12: an operation whose path names a readOnly attribute (RFC 7643
    §2.2: id, meta, groups) fails with 400 "mutability"."""
    assert_rejected(
        scim, at, ops({"op": "replace", "path": path, "value": value}), 400, "mutability"
    )


def test_remove_read_only_target_is_mutability(scim, at):
    """RFC 7644 §3.5.2.2: "If the target location is a ... readOnly attribute, the operation
    fails with 400 mutability" (RFC 7644 §3.12)."""
    assert_rejected(scim, at, ops({"op": "remove", "path": "groups"}), 400, "mutability")


def test_immutable_member_value_is_mutability(scim, people):
    """RFC 7643 §4.2: ``members.value`` is immutable; changing a member's value in place is
    400 mutability (RFC 7644 §3.5.2)."""
    group = new_group(scim, members=(people[0],))
    payload = ops(
        {"op": "replace", "path": f'members[value eq "{people[0]}"].value', "value": people[1]}
    )
    assert_rejected(scim, f"Groups/{group['id']}", payload, 400, "mutability")


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("active", "yes"),
        ("active", 1),
        ("title", 42),
        ("name.givenName", ["Barbara"]),
        ("emails", "bjensen@example.com"),
        ("name", "Barbara Jensen"),
        (f"{ENTERPRISE_USER_SCHEMA}:department", {"value": "Sales"}),
    ],
)
def test_value_of_the_wrong_type_is_invalid_value(scim, at, path, value):
    """RFC 7644 §3.12 (Table 9): "invalidValue: A required value was missing, or the value
    specified was not compatible with the operation or attribute type." """
    assert_rejected(
        scim, at, ops({"op": "replace", "path": path, "value": value}), 400, "invalidValue"
    )


def test_path_less_value_that_is_not_an_object_is_invalid_value(scim, at):
    """RFC 7644 §3.5.2.1: without a path, "value" contains a set of attributes (an object)."""
    assert_rejected(scim, at, ops({"op": "add", "value": "Babs"}), 400, "invalidValue")


def test_add_without_value_is_invalid_value(scim, at):
    """RFC 7644 §3.5.2.1: "The operation MUST contain a "value" member"."""
    assert_rejected(scim, at, ops({"op": "add", "path": "nickName"}), 400, "invalidValue")


@pytest.mark.parametrize("op", ["move", "copy", "test", "", None])
def test_unknown_op_is_invalid_value(scim, at, op):
    """RFC 7644 §3.5.2: "op" is one of "add", "remove", or "replace"; anything else is not
    compatible with the operation (400 invalidValue)."""
    payload = ops({"op": op, "path": "nickName", "value": "Babs"})
    assert_rejected(scim, at, payload, 400, "invalidValue")


@pytest.mark.parametrize(
    "payload",
    [
        {"schemas": [PATCH_OP]},
        {"schemas": [PATCH_OP], "Operations": []},
        {"schemas": [PATCH_OP], "Operations": {"op": "add", "path": "title", "value": "x"}},
        {"schemas": [PATCH_OP], "Operations": ["add"]},
        {"schemas": [USER_SCHEMA], "Operations": [{"op": "add", "path": "title", "value": "x"}]},
        [{"op": "add", "path": "title", "value": "x"}],
    ],
    ids=["no-operations", "empty", "not-a-list", "not-objects", "wrong-schema", "not-object"],
)
def test_missing_or_malformed_operations_is_invalid_syntax(scim, at, payload):
    """RFC 7644 §3.5.2: the body MUST contain "schemas" with the PatchOp URN and
    "Operations", an array of one or more operations; otherwise 400 invalidSyntax
    (RFC 7644 §3.12)."""
    assert_rejected(scim, at, payload, 400, "invalidSyntax")


def test_patch_of_unknown_resource_is_404(scim):
    """RFC 7644 §3.12: a PATCH to a resource that does not exist is 404."""
    response = scim.patch(
        "Users/6a7e9d36-0000-4000-8000-000000000000",
        ops({"op": "add", "path": "nickName", "value": "Babs"}),
    )
    assert response.status_code == 404
    assert body(response)["status"] == "404"


# -- atomicity (§3.5.2) -----------------------------------------------------------------


def test_failing_last_operation_leaves_user_unchanged(scim, at):
    """RFC 7644 §3.5.2: "If an error occurs, the resource is left unchanged ... Each
    operation ... is applied in sequence ... if any operation fails, the entire request
    fails." """
    payload = ops(
        {"op": "replace", "path": "title", "value": "Changed"},
        {"op": "add", "path": "emails", "value": [{"value": "x@example.com"}]},
        {"op": "replace", "path": "userName", "value": "renamed"},
        {"op": "remove", "path": 'emails[type eq "other"]'},
    )
    assert_rejected(scim, at, payload, 400, "noTarget")
    user = User.objects.get(username="bjensen")
    assert user.email == "bjensen@example.com"
    assert not User.objects.filter(username="renamed").exists()


def test_failing_last_operation_leaves_group_and_memberships_unchanged(scim, people):
    """RFC 7644 §3.5.2: all operations or none — membership changes of the earlier
    operations are rolled back too."""
    group = new_group(scim, members=(people[0], people[1]))
    location = f"Groups/{group['id']}"
    payload = ops(
        {"op": "replace", "path": "displayName", "value": "Renamed"},
        {"op": "add", "path": "members", "value": [{"value": people[2]}]},
        {"op": "remove", "path": f'members[value eq "{people[0]}"]'},
        {"op": "replace", "path": "id", "value": "nope"},
    )
    assert_rejected(scim, location, payload, 400, "mutability")
    assert member_ids(scim, group["id"]) == sorted(people[:2])
    assert Group.objects.filter(name="Tour Guides").exists()
    assert not Group.objects.filter(name="Renamed").exists()


def test_unknown_member_leaves_group_unchanged(scim, people):
    """RFC 7644 §3.5.2 with §3.12 invalidValue: a member id that names no user is refused
    and the earlier operations of the request are not applied (docs/dialects.md)."""
    group = new_group(scim, members=(people[0],))
    location = f"Groups/{group['id']}"
    payload = ops(
        {"op": "add", "path": "members", "value": [{"value": people[1]}]},
        {"op": "add", "path": "members", "value": [{"value": UNKNOWN_ID}]},
    )
    assert_rejected(scim, location, payload, 400, "invalidValue")
    assert member_ids(scim, group["id"]) == [people[0]]


# -- response (§3.5.2, §3.9) ------------------------------------------------------------


def test_response_is_200_with_the_whole_resource(scim, at, user):
    """RFC 7644 §3.5.2: "the server either MUST return a 200 OK response code and the entire
    resource within the response body ... or MAY return HTTP status code 204"."""
    response = scim.patch(at, ops({"op": "replace", "path": "title", "value": "Chief"}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/scim+json"
    data = body(response)
    assert data["id"] == user["id"]
    assert data["title"] == "Chief"
    assert data["emails"] == user["emails"]
    assert data["meta"]["resourceType"] == "User"
    assert response["ETag"] == data["meta"]["version"]


def test_response_honours_attributes(scim, at, user):
    """RFC 7644 §3.5.2 and §3.9: the returned resource is "subject to the "attributes" query
    parameter"; id and schemas are always returned."""
    payload = ops({"op": "replace", "path": "title", "value": "Chief"})
    response = scim.patch(f"{at}?attributes=title", payload)
    assert response.status_code == 200
    data = body(response)
    assert data["title"] == "Chief"
    assert data["id"] == user["id"]
    assert "emails" not in data
    assert "userName" not in data  # RFC 7643 §8.7.1: userName is returned "default"


def test_response_honours_excluded_attributes(scim, people):
    """RFC 7644 §3.9: ``excludedAttributes=members`` leaves members out of the answer, while
    the change is applied."""
    group = new_group(scim)
    response = scim.patch(
        f"Groups/{group['id']}?excludedAttributes=members",
        ops({"op": "add", "path": "members", "value": [{"value": people[0]}]}),
    )
    assert response.status_code == 200
    data = body(response)
    assert "members" not in data
    assert data["displayName"] == "Tour Guides"
    assert member_ids(scim, group["id"]) == [people[0]]


def test_patch_no_content_answers_204_for_listed_types(scim, settings, people):
    """RFC 7644 §3.5.2: the server "MAY return HTTP status code 204 (No Content)";
    SCIM["PATCH_NO_CONTENT"] names the types that do."""
    settings.SCIM = {"PATCH_NO_CONTENT": ["Group"]}
    group = new_group(scim)
    response = scim.patch(
        f"Groups/{group['id']}",
        ops({"op": "add", "path": "members", "value": [{"value": people[0]}]}),
    )
    assert response.status_code == 204
    assert response.content == b""
    assert member_ids(scim, group["id"]) == [people[0]]


def test_patch_no_content_leaves_other_types_at_200(scim, settings, at):
    """RFC 7644 §3.5.2: types not listed in PATCH_NO_CONTENT still answer 200 with the
    resource."""
    settings.SCIM = {"PATCH_NO_CONTENT": ["Group"]}
    response = scim.patch(at, ops({"op": "replace", "path": "title", "value": "Chief"}))
    assert response.status_code == 200
    assert body(response)["title"] == "Chief"


def test_patch_no_content_still_reports_errors(scim, settings, people):
    """RFC 7644 §3.12: a failing PATCH answers with its error even when success is 204."""
    settings.SCIM = {"PATCH_NO_CONTENT": ["Group"]}
    group = new_group(scim, members=(people[0],))
    payload = ops({"op": "remove", "path": f'members[value eq "{people[2]}"]'})
    assert_rejected(scim, f"Groups/{group['id']}", payload, 400, "noTarget")


def test_read_only_client_cannot_patch(read_only_scim, scim, at):
    """RFC 7644 §3.12: 403 when the client may not modify; the resource is unchanged."""
    before = read(scim, at)
    response = read_only_scim.patch(at, ops({"op": "replace", "path": "title", "value": "X"}))
    assert response.status_code == 403
    assert read(scim, at) == before


def test_patch_of_user_created_outside_scim(scim):
    """RFC 7644 §3.5.2: a resource that exists in the site (not created through SCIM) can
    be patched once it has been read."""
    UserFactory(username="outsider", first_name="Out", last_name="Sider")
    listing = body(scim.get('Users?filter=userName eq "outsider"'))
    user_id = listing["Resources"][0]["id"]
    after = patched(scim, f"Users/{user_id}", {"op": "replace", "path": "title", "value": "X"})
    assert after["title"] == "X"
    assert after["name"]["givenName"] == "Out"


def test_remove_sub_attribute_from_every_value(scim, at):
    """RFC 7644 §3.5.2.2: "If the target location is a complex multi-valued attribute's
    sub-attribute (e.g., "emails.type"), the sub-attribute is removed from all values" —
    the values themselves stay."""
    after = patched(scim, at, {"op": "remove", "path": "addresses.locality"})
    assert after["addresses"] == [
        {"type": "work", "streetAddress": "100 Universal City Plaza"},
        {"type": "home", "streetAddress": "456 Hollywood Blvd"},
    ]


def test_add_existing_value_as_primary_does_not_duplicate_it(scim, at):
    """RFC 7643 §2.4: service providers "SHOULD NOT return the same (type, value) combination
    more than once per attribute"; adding an existing email with ``primary`` true makes that
    email primary instead of adding it twice."""
    existing = {"value": "babs@jensen.org", "type": "home", "primary": True}
    after = patched(scim, at, {"op": "add", "path": "emails", "value": [existing]})
    pairs = [(e["type"], e["value"]) for e in after["emails"]]
    assert sorted(pairs) == [("home", "babs@jensen.org"), ("work", "bjensen@example.com")]
    assert [e["value"] for e in after["emails"] if e.get("primary")] == ["babs@jensen.org"]


@pytest.mark.parametrize("path", ["userName", f"{USER_SCHEMA}:userName"])
def test_remove_required_attribute_is_mutability(scim, at, path):
    """RFC 7644 §3.5.2.2: "If an attribute is removed or becomes unassigned and is defined as
    a required attribute or a read-only attribute, the server SHALL return ... a "scimType"
    error code of "mutability"." """
    assert_rejected(scim, at, ops({"op": "remove", "path": path}), 400, "mutability")


def test_remove_group_display_name_is_mutability(scim):
    """RFC 7644 §3.5.2.2 with RFC 7643 §4.2 (displayName is required): removing it is 400
    mutability, and the group keeps its name."""
    group = new_group(scim)
    payload = ops({"op": "remove", "path": "displayName"})
    assert_rejected(scim, f"Groups/{group['id']}", payload, 400, "mutability")


@pytest.mark.parametrize(
    "operation",
    [
        {"op": "add", "path": ENTERPRISE_USER_SCHEMA, "value": {"division": "Parks"}},
        {"op": "replace", "path": ENTERPRISE_USER_SCHEMA, "value": {"division": "Parks"}},
        {"op": "remove", "path": ENTERPRISE_USER_SCHEMA},
    ],
    ids=["add", "replace", "remove"],
)
def test_path_naming_only_the_extension_urn_is_never_a_server_error(scim, at, operation):
    """RFC 7644 §3.5.2 (``PATH = attrPath / valuePath [subAttr]``, and attrPath ends with an
    attribute name) and §3.12: a path that is only a schema URN names no attribute, so the
    answer is 400 invalidPath with the resource unchanged — or, leniently, the operation on
    the extension object; never a 500."""
    before = read(scim, at)
    response = scim.patch(at, ops(operation))
    assert response.status_code in (200, 400), body(response)
    after = read(scim, at)
    if response.status_code == 400:
        assert body(response)["scimType"] == "invalidPath"
        assert after == before
    elif operation["op"] == "remove":
        assert ENTERPRISE_USER_SCHEMA not in after
    else:
        assert after[ENTERPRISE_USER_SCHEMA]["division"] == "Parks"
