"""PATCH with a path that names an extension schema as a whole.

RFC 7644 §3.5.2: "path" is an attribute path; clients (and independent
checkers) also send the bare URN of an extension, meaning all of it, as they
would key a path-less value by that URN (RFC 7644 §3.5.2.1, §3.5.2.3).
"""

from __future__ import annotations

from django_scim.constants import ENTERPRISE_USER_SCHEMA, PATCH_OP, USER_SCHEMA
from tests.conftest import body


def _user(scim) -> str:
    created = scim.post(
        "Users",
        {
            "schemas": [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
            "userName": "ext.path",
            ENTERPRISE_USER_SCHEMA: {"department": "Sales", "costCenter": "42"},
        },
    )
    assert created.status_code == 201, body(created)
    return body(created)["id"]


def _patch(scim, user_id: str, *operations: dict):
    return scim.patch(f"Users/{user_id}", {"schemas": [PATCH_OP], "Operations": list(operations)})


def test_add_on_the_extension_urn_merges_into_it(scim):
    """RFC 7644 §3.5.2.1: add merges a complex value; siblings are kept."""
    user_id = _user(scim)
    response = _patch(
        scim,
        user_id,
        {
            "op": "add",
            "path": ENTERPRISE_USER_SCHEMA,
            "value": {"schemas": [ENTERPRISE_USER_SCHEMA], "division": "EMEA"},
        },
    )
    assert response.status_code == 200, body(response)
    assert body(response)[ENTERPRISE_USER_SCHEMA] == {
        "department": "Sales",
        "costCenter": "42",
        "division": "EMEA",
    }


def test_replace_on_the_extension_urn_sets_the_given_attributes(scim):
    """RFC 7644 §3.5.2.3: replace with a complex value replaces the given sub-attributes."""
    user_id = _user(scim)
    response = _patch(
        scim,
        user_id,
        {"op": "replace", "path": ENTERPRISE_USER_SCHEMA, "value": {"department": "Support"}},
    )
    assert response.status_code == 200, body(response)
    assert body(scim.get(f"Users/{user_id}"))[ENTERPRISE_USER_SCHEMA]["department"] == "Support"


def test_remove_on_the_extension_urn_unassigns_all_of_it(scim):
    """RFC 7644 §3.5.2.2: the removed attributes are unassigned."""
    user_id = _user(scim)
    response = _patch(scim, user_id, {"op": "remove", "path": ENTERPRISE_USER_SCHEMA})
    assert response.status_code == 200, body(response)
    assert ENTERPRISE_USER_SCHEMA not in body(scim.get(f"Users/{user_id}"))


def test_a_non_object_value_on_the_extension_urn_is_invalid(scim):
    """RFC 7644 §3.12: a value of the wrong type is invalidValue; nothing changes."""
    user_id = _user(scim)
    before = body(scim.get(f"Users/{user_id}"))
    response = _patch(
        scim, user_id, {"op": "replace", "path": ENTERPRISE_USER_SCHEMA, "value": "Sales"}
    )
    assert response.status_code == 400
    assert body(response)["scimType"] == "invalidValue"
    assert body(scim.get(f"Users/{user_id}")) == before
