"""Scoping with ``get_queryset`` (docs/adapters.md), and the plain read it switches off.

An adapter that overrides ``get_queryset`` serves only what it returns: a
resource outside it is 404 for every operation by id, as if it did not exist
(RFC 7644 §3.12: 404 "Specified resource ... does not exist"). Adapters that
change nothing about how one object is read get it with prepared SQL; every
customisation that could change that read turns the prepared path off.
"""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from django.contrib.auth import get_user_model

from django_scim.adapters.base import ResourceAdapter
from django_scim.adapters.context import RequestContext
from django_scim.adapters.fields import Column, Mapping
from django_scim.adapters.groups import GroupAdapter
from django_scim.adapters.users import UserAdapter
from tests.conftest import assert_scim_error, body, ops


class VisibleUserAdapter(UserAdapter):
    """Serves users whose username does not start with "hidden"."""

    def get_queryset(self) -> Any:
        return super().get_queryset().exclude(username__startswith="hidden")


class PrefetchingMapping(Column):
    def prefetch(self, queryset: Any) -> Any:
        return queryset.select_related()


class PrefetchingUserAdapter(UserAdapter):
    fields: ClassVar[dict[str, Mapping]] = {
        **UserAdapter.fields,
        "nickName": PrefetchingMapping("last_name"),
    }


class PrefetchedUserAdapter(UserAdapter):
    def prefetched(self, queryset: Any, projection: Any) -> Any:
        return super().prefetched(queryset, projection).select_related()


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


@pytest.mark.parametrize(
    ("adapter_class", "plain"),
    [
        (UserAdapter, True),
        (GroupAdapter, True),
        (VisibleUserAdapter, False),
        (PrefetchingUserAdapter, False),
        (PrefetchedUserAdapter, False),
    ],
)
def test_only_adapters_that_read_one_row_as_is_use_the_prepared_read(
    db, adapter_class: type[ResourceAdapter], plain: bool
):
    adapter = adapter_class(RequestContext("http://testserver/scim/v2"))
    assert adapter._fetched_plainly() is plain


def test_a_default_manager_with_its_own_queryset_switches_the_prepared_read_off(db, monkeypatch):
    """A default manager that filters (soft deletion, say) decides what exists."""
    manager_class = type(get_user_model()._default_manager)
    monkeypatch.setattr(
        manager_class, "get_queryset", lambda self: super(manager_class, self).get_queryset()
    )
    adapter = UserAdapter(RequestContext("http://testserver/scim/v2"))
    assert adapter._fetched_plainly() is False
