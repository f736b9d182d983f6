"""Scoping with ``get_queryset`` (docs/adapters.md).

An adapter that overrides ``get_queryset`` serves only what it returns: a
resource outside it is 404 for every operation by id, as if it did not exist
(RFC 7644 §3.12: 404 "Specified resource ... does not exist").
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from django_scim.adapters.users import UserAdapter
from tests.conftest import assert_scim_error, body, ops


class VisibleUserAdapter(UserAdapter):
    """Serves users whose username does not start with "hidden"."""

    def get_queryset(self) -> Any:
        return super().get_queryset().exclude(username__startswith="hidden")


@pytest.fixture
def scoped(settings, scim):
    settings.SCIM = {
        "ADAPTERS": [
            "tests.test_scoping.VisibleUserAdapter",
            "django_scim.adapters.groups.GroupAdapter",
        ]
    }
    return scim


@pytest.fixture
def hidden_id(scim) -> str:
    """A user created while every user is served, then hidden by the scope."""
    response = scim.post("Users", {"userName": "hidden-bjensen"})
    assert response.status_code == 201
    return body(response)["id"]


def test_a_user_outside_the_scope_is_404_for_get(hidden_id, scoped):
    """RFC 7644 §3.4.1: GET of a resource the adapter does not serve is 404."""
    assert_scim_error(scoped.get(f"Users/{hidden_id}"), 404)


def test_a_user_outside_the_scope_is_404_for_put_patch_and_delete(hidden_id, scoped):
    """RFC 7644 §3.5.1, §3.5.2, §3.6: a write to a resource outside the scope is 404 and
    changes nothing."""
    assert_scim_error(scoped.put(f"Users/{hidden_id}", {"userName": "hidden-x"}), 404)
    patch = ops({"op": "replace", "path": "active", "value": False})
    assert_scim_error(scoped.patch(f"Users/{hidden_id}", patch), 404)
    assert_scim_error(scoped.delete(f"Users/{hidden_id}"), 404)
    user = get_user_model().objects.get(username="hidden-bjensen")
    assert user.is_active


def test_a_user_outside_the_scope_is_not_listed(hidden_id, scoped):
    """RFC 7644 §3.4.2: the list and filters see only the scope."""
    scoped.post("Users", {"userName": "visible-bjensen"})
    listed = body(scoped.get("Users"))
    assert [r["userName"] for r in listed["Resources"]] == ["visible-bjensen"]
    assert listed["totalResults"] == 1


def test_a_user_inside_the_scope_is_served(scoped):
    created = body(scoped.post("Users", {"userName": "visible-bjensen"}))
    assert body(scoped.get(f"Users/{created['id']}"))["userName"] == "visible-bjensen"
