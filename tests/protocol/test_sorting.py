"""Sorting (RFC 7644 §3.4.2.3): ``sortBy`` and ``sortOrder``.

``sortBy`` names the attribute whose value orders the results, in the
attribute-path notation of §3.10; for a multi-valued attribute the primary
value (else the first) is used. Strings that are not caseExact sort
case-insensitively. ``sortOrder`` is "ascending" (the default) or
"descending". Resources without a value sort last whatever the order. Equal
keys are broken by a fixed order, so paging through a sorted list yields every
resource exactly once. An unknown ``sortBy`` or a ``sortOrder`` that is
neither value is 400 ``invalidValue``.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from django_scim.constants import ENTERPRISE_USER_SCHEMA, ERROR, SEARCH_REQUEST, USER_SCHEMA
from tests.conftest import body


def outside_user(username: str, **fields: Any) -> Any:
    """A user created outside SCIM (a site's own code, the admin), without a side row.

    Made with the ORM rather than the shared factories, whose sequences other
    tests rely on.
    """
    return get_user_model().objects.create(username=username, **fields)


def create(scim, payload: dict[str, Any], endpoint: str = "Users") -> dict[str, Any]:
    response = scim.post(endpoint, payload)
    assert response.status_code == 201, body(response)
    return body(response)


def order(
    scim, sort_by: str, sort_order: str | None = None, endpoint: str = "Users", **params: Any
) -> list[str]:
    query: dict[str, Any] = {"sortBy": sort_by, "count": 200, **params}
    if sort_order is not None:
        query["sortOrder"] = sort_order
    response = scim.get(endpoint, query)
    assert response.status_code == 200, body(response)
    key = "userName" if endpoint == "Users" else "displayName"
    return [resource[key] for resource in body(response).get("Resources", [])]


@pytest.fixture
def people(scim) -> None:
    """Created in this order: carol, Bob, alice, Dave."""
    create(
        scim,
        {
            "userName": "carol",
            "title": "gamma",
            "externalId": "ext-3",
            "name": {"familyName": "adams"},
            "emails": [{"value": "m@s.test"}],
        },
    )
    create(
        scim,
        {
            "userName": "Bob",
            "title": "Alpha",
            "externalId": "ext-1",
            "name": {"familyName": "Baker"},
            "emails": [
                {"value": "z@s.test", "type": "home"},
                {"value": "a@s.test", "type": "work", "primary": True},
            ],
        },
    )
    create(
        scim,
        {
            "userName": "alice",
            "title": "beta",
            "externalId": "ext-2",
            "name": {"familyName": "carter"},
            "emails": [{"value": "B@s.test"}],
        },
    )
    create(
        scim,
        {
            "userName": "Dave",
            "name": {"familyName": "Davis"},
            "emails": [{"value": "c@s.test", "type": "work"}],
        },
    )


def test_user_name_sorts_case_insensitively(scim, people):
    assert order(scim, "userName") == ["alice", "Bob", "carol", "Dave"]


def test_descending(scim, people):
    assert order(scim, "userName", "descending") == ["Dave", "carol", "Bob", "alice"]


def test_ascending_is_the_default(scim, people):
    assert order(scim, "userName", "ascending") == order(scim, "userName")


def test_attribute_names_in_sort_by_are_case_insensitive(scim, people):
    assert order(scim, "USERNAME") == ["alice", "Bob", "carol", "Dave"]
    assert order(scim, f"{USER_SCHEMA}:userName") == [
        "alice",
        "Bob",
        "carol",
        "Dave",
    ]


def test_title_from_the_side_table(scim, people):
    assert order(scim, "title") == ["Bob", "alice", "carol", "Dave"]


def test_absent_values_sort_last_in_both_orders(scim, people):
    assert order(scim, "title", "descending") == ["carol", "alice", "Bob", "Dave"]
    assert order(scim, "externalId", "descending") == ["carol", "alice", "Bob", "Dave"]


def test_family_name(scim, people):
    assert order(scim, "name.familyName") == ["carol", "Bob", "alice", "Dave"]
    assert order(scim, "name.familyName", "descending") == ["Dave", "alice", "Bob", "carol"]


def test_emails_sort_by_the_primary_else_the_first_value(scim, people):
    """Bob's primary is a@ (his first is z@); the others have one e-mail each."""
    assert order(scim, "emails") == ["Bob", "alice", "Dave", "carol"]
    assert order(scim, "emails.value") == ["Bob", "alice", "Dave", "carol"]


def test_meta_created(scim, people):
    assert order(scim, "meta.created") == ["carol", "Bob", "alice", "Dave"]
    assert order(scim, "meta.created", "descending") == ["Dave", "alice", "Bob", "carol"]


def test_meta_last_modified(scim, people):
    assert order(scim, "meta.lastModified") == ["carol", "Bob", "alice", "Dave"]


def test_external_id(scim, people):
    assert order(scim, "externalId") == ["Bob", "alice", "carol", "Dave"]


def test_phone_numbers_from_the_side_table(scim):
    create(
        scim, {"userName": "p1", "phoneNumbers": [{"value": "3"}, {"value": "1", "primary": True}]}
    )
    create(scim, {"userName": "p2", "phoneNumbers": [{"value": "2"}, {"value": "0"}]})
    create(scim, {"userName": "p3"})
    assert order(scim, "phoneNumbers") == ["p1", "p2", "p3"]
    assert order(scim, "phoneNumbers", "descending") == ["p2", "p1", "p3"]


def test_enterprise_attribute(scim):
    enterprise = ENTERPRISE_USER_SCHEMA
    create(scim, {"userName": "e1", enterprise: {"employeeNumber": "20"}})
    create(scim, {"userName": "e2", enterprise: {"employeeNumber": "10"}})
    create(scim, {"userName": "e3"})
    assert order(scim, f"{enterprise}:employeeNumber") == ["e2", "e1", "e3"]


def test_sort_with_filter_and_paging(scim, people):
    assert order(scim, "title", filter="title pr", startIndex=2, count=2) == ["alice", "carol"]


def test_users_created_outside_scim_sort_with_the_others(scim, people):
    outside_user("Aaron", last_name="Zed", email="0@s.test")
    assert order(scim, "userName") == ["Aaron", "alice", "Bob", "carol", "Dave"]
    assert order(scim, "name.familyName")[-1] == "Aaron"
    assert order(scim, "emails")[0] == "Aaron"
    assert order(scim, "title")[-2:] in (["Dave", "Aaron"], ["Aaron", "Dave"])


def test_group_display_name(scim):
    for name in ("beta", "Alpha", "gamma"):
        create(scim, {"displayName": name}, "Groups")
    assert order(scim, "displayName", endpoint="Groups") == ["Alpha", "beta", "gamma"]
    assert order(scim, "displayName", "descending", endpoint="Groups") == ["gamma", "beta", "Alpha"]


def test_search_request_sorts(scim, people):
    response = scim.post(
        "Users/.search",
        {"schemas": [SEARCH_REQUEST], "sortBy": "title", "sortOrder": "descending", "count": 2},
    )
    assert [r["userName"] for r in body(response)["Resources"]] == ["carol", "alice"]


def test_root_search_sorts_within_each_type(scim, people):
    create(scim, {"displayName": "b-group"}, "Groups")
    create(scim, {"displayName": "a-group"}, "Groups")
    response = scim.post(".search", {"schemas": [SEARCH_REQUEST], "sortBy": "userName"})
    resources = body(response)["Resources"]
    users = [r["userName"] for r in resources if r["meta"]["resourceType"] == "User"]
    assert users == ["alice", "Bob", "carol", "Dave"]
    response = scim.post(".search", {"schemas": [SEARCH_REQUEST], "sortBy": "displayName"})
    groups = [
        r["displayName"]
        for r in body(response)["Resources"]
        if r["meta"]["resourceType"] == "Group"
    ]
    assert groups == ["a-group", "b-group"]


# -- ties ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("sort_order", ["ascending", "descending"])
@pytest.mark.parametrize("sort_by", ["title", "active", "userType"])
def test_paging_through_equal_keys_yields_every_user_once(scim, sort_by, sort_order):
    """RFC 7644 §3.4.2.4: paging must be stable; many users share the sort key here."""
    for n in range(12):
        create(scim, {"userName": f"same{n:02d}", "title": "Same" if n % 4 else "same"})
    for n in range(3):
        outside_user(f"outside{n}")
    seen: list[str] = []
    for start in range(1, 16, 4):
        seen += order(scim, sort_by, sort_order, startIndex=start, count=4)
    assert len(seen) == 15
    assert len(set(seen)) == 15
    assert seen == order(scim, sort_by, sort_order)


def test_equal_keys_are_in_a_fixed_order_across_requests(scim):
    for n in range(8):
        create(scim, {"userName": f"tie{n}", "title": "Tie"})
    first = order(scim, "title")
    assert all(order(scim, "title") == first for _ in range(3))


# -- errors ---------------------------------------------------------------------------------------


def assert_invalid_value(response) -> str:
    assert response.status_code == 400, body(response)
    error = body(response)
    assert error["schemas"] == [ERROR]
    assert error["scimType"] == "invalidValue"
    return error["detail"]


@pytest.mark.parametrize("value", ["down", "asc", "desc", "1"])
def test_invalid_sort_order(scim, people, value):
    detail = assert_invalid_value(scim.get("Users", {"sortBy": "userName", "sortOrder": value}))
    assert "sortOrder must be 'ascending' or 'descending'" in detail


@pytest.mark.parametrize("value", ["nope", "name.nope", "urn:example:nope"])
def test_unknown_sort_by(scim, people, value):
    detail = assert_invalid_value(scim.get("Users", {"sortBy": value}))
    assert "unknown attribute" in detail


def test_sort_by_a_complex_attribute_without_value(scim, people):
    assert "name a sub-attribute" in assert_invalid_value(scim.get("Users", {"sortBy": "name"}))


def test_invalid_sort_in_a_search_request(scim, people):
    response = scim.post("Users/.search", {"schemas": [SEARCH_REQUEST], "sortBy": "nope"})
    assert_invalid_value(response)
    response = scim.post(
        "Users/.search",
        {"schemas": [SEARCH_REQUEST], "sortBy": "userName", "sortOrder": "sideways"},
    )
    assert_invalid_value(response)


# -- known defects --------------------------------------------------------------------------------


def test_sort_by_emails_type(scim):
    create(scim, {"userName": "e1", "emails": [{"value": "a@s.test", "type": "work"}]})
    create(scim, {"userName": "e2", "emails": [{"value": "b@s.test", "type": "home"}]})
    assert order(scim, "emails.type") == ["e2", "e1"]


@pytest.mark.parametrize(
    ("sort_by", "with_value"),
    [
        ("name.familyName", {"name": {"familyName": "Zed"}}),
        ("name.givenName", {"name": {"givenName": "Zed"}}),
        ("emails", {"emails": [{"value": "z@s.test"}]}),
    ],
)
def test_absent_column_values_sort_last(scim, sort_by, with_value):
    create(scim, {"userName": "without"})
    create(scim, {"userName": "with", **with_value})
    assert order(scim, sort_by) == ["with", "without"]
