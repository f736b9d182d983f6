"""Query counts: a constant number per request, whatever the page size or memberships.

Performance is asserted as query counts, never as times. Each count includes
the client lookup (1) and the provisioning log insert (1); the client's
``last_used`` write is throttled, so a warm-up request absorbs it.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import body
from tests.factories import GroupFactory, UserFactory


@pytest.fixture
def warm(scim):
    """One request first, so ``last_used`` is fresh and not written again."""
    scim.get("ServiceProviderConfig")
    return scim


def _user_id(scim, user) -> str:
    response = scim.get("Users?count=200")
    return next(r["id"] for r in body(response)["Resources"] if r["userName"] == user.username)


def test_get_one_user(warm, django_assert_num_queries):
    """auth, side row with the user (one join), groups with their SCIM ids, log."""
    user = UserFactory()
    user.groups.add(*GroupFactory.create_batch(3))
    user_id = _user_id(warm, user)
    with django_assert_num_queries(4):
        response = warm.get(f"Users/{user_id}")
    assert response.status_code == 200


@pytest.mark.parametrize("page_size", [10, 100])
def test_list_page_is_constant(warm, django_assert_num_queries, page_size):
    """auth, count, page, user records, groups with their SCIM ids, log — for 10 or 100
    users with several memberships each (RFC 7644 §3.4.2.4 paging pushed to the database)."""
    groups = GroupFactory.create_batch(5)
    for user in UserFactory.create_batch(120):
        user.groups.add(*groups[: 1 + user.pk % 5])
    warm.get("Users?count=200")  # side rows for pre-existing users are created on first sight
    with django_assert_num_queries(6):
        response = warm.get(f"Users?count={page_size}&startIndex=5")
    assert len(body(response)["Resources"]) == page_size


def test_list_groups_excluding_members_never_loads_members(warm, django_assert_num_queries):
    """Entra reads groups with excludedAttributes=members: auth, page, records, log (the
    page is not full, so it holds every match and no COUNT is needed)."""
    GroupFactory.create_batch(3, members=UserFactory.create_batch(20))
    warm.get("Groups")
    with django_assert_num_queries(4):
        response = warm.get("Groups?excludedAttributes=members")
    assert all("members" not in r for r in body(response)["Resources"])


def test_lookup_by_user_name(warm, django_assert_num_queries):
    """The IdP's "does this user exist?" (``userName eq "…"``, 0 or 1 result): auth, page,
    record, groups, log; no COUNT, the short page is every match."""
    user = UserFactory()
    user.groups.add(*GroupFactory.create_batch(2))
    _user_id(warm, user)
    with django_assert_num_queries(5):
        response = warm.get("Users", {"filter": f'userName eq "{user.username.upper()}"'})
    assert body(response)["totalResults"] == 1
    with django_assert_num_queries(3):  # auth, page, log
        response = warm.get("Users", {"filter": 'userName eq "nobody"'})
    assert body(response)["totalResults"] == 0


def test_post_user(warm, django_assert_num_queries):
    """auth, savepoint pair, uniqueness check (a deactivated user to revive is looked for
    only when the name is taken), user insert, record insert, element insert (the
    emails), log. The user and its side row are rendered as written, not read again,
    and a user just made, with nothing of the site's listening, has no groups to read.
    On PostgreSQL the record and element inserts are one statement, and the advisory
    lock that serialises claims on one userName is one more."""
    with django_assert_num_queries(8):
        response = warm.post("Users", {"userName": "bjensen", "emails": [{"value": "b@x.test"}]})
    assert response.status_code == 201


def test_put_user(warm, django_assert_num_queries):
    user_id = body(warm.post("Users", {"userName": "bjensen"}))["id"]
    # auth, savepoint pair, side row (locked) with the user, side-row update, groups for
    # the response, log; no UPDATE of the user, whose columns did not change. On
    # PostgreSQL the side-row update and the groups read are one statement.
    with django_assert_num_queries(6 if connection.vendor == "postgresql" else 7):
        response = warm.put(f"Users/{user_id}", {"userName": "bjensen", "title": "Boss"})
    assert response.status_code == 200


def test_patch_user_active(warm, django_assert_num_queries):
    """Okta's deactivation: auth, savepoint pair, record (locked) with the user, user
    update, record update, groups for the response, log; the unchanged userName is not
    checked for uniqueness again and the unchanged e-mails are not re-indexed. On
    PostgreSQL the two updates and the groups read are one statement (nothing of the
    site's listens to the save: tests/test_narrow_writes.py)."""
    user_id = body(warm.post("Users", {"userName": "bjensen", "emails": [{"value": "b@x.test"}]}))[
        "id"
    ]
    patch = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "value": {"active": False}}],
    }
    with django_assert_num_queries(6 if connection.vendor == "postgresql" else 8):
        response = warm.patch(f"Users/{user_id}", patch)
    assert response.status_code == 200
    assert body(response)["active"] is False


def test_a_patch_that_changes_nothing_writes_nothing(warm, django_assert_num_queries):
    """Repeating a PATCH (IdPs retry) neither writes nor changes meta.version."""
    created = body(warm.post("Users", {"userName": "bjensen", "active": True}))
    patch = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "active", "value": True}],
    }
    with CaptureQueriesContext(connection) as captured:
        response = warm.patch(f"Users/{created['id']}", patch)
    assert response.status_code == 200
    writes = [
        q["sql"] for q in captured.captured_queries if q["sql"].startswith(("UPDATE", "DELETE"))
    ]
    assert writes == []
    assert body(response)["meta"]["version"] == created["meta"]["version"]


def test_delete_user(warm, django_assert_num_queries):
    user_id = body(warm.post("Users", {"userName": "bjensen"}))["id"]
    # auth, side row with the user, savepoint pair, Django's cascade (admin log, groups,
    # permissions, the user), element rows and side row, log. On PostgreSQL the cascade
    # and the side rows are one statement, atomic without a transaction of its own.
    with django_assert_num_queries(4 if connection.vendor == "postgresql" else 11):
        response = warm.delete(f"Users/{user_id}")
    assert response.status_code == 204
