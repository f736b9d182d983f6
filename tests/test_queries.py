"""Query counts: a constant number per request, whatever the page size or memberships.

Performance is asserted as query counts, never as times. Each count includes
the client lookup (1) and, as the test suite writes each request's log row
at once, the provisioning log insert (1); the client's ``last_used`` write is
throttled, so a warm-up request absorbs it. Outside the tests, reads are
logged in batches (``test_a_read_costs_no_log_statement_of_its_own``).
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
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
    """auth, the user, its groups (each with its side row's id, as a subquery), the
    user's side row, log."""
    user = UserFactory()
    user.groups.add(*GroupFactory.create_batch(3))
    user_id = _user_id(warm, user)
    with django_assert_num_queries(5):
        response = warm.get(f"Users/{user_id}")
    assert response.status_code == 200


@pytest.mark.parametrize("page_size", [10, 100])
def test_list_page_is_constant(warm, django_assert_num_queries, page_size):
    """auth, count, page, groups (with their ids), the side rows of the page, log — for 10
    or 100 users with several memberships each (RFC 7644 §3.4.2.4 paging pushed to the
    database)."""
    groups = GroupFactory.create_batch(5)
    for user in UserFactory.create_batch(120):
        user.groups.add(*groups[: 1 + user.pk % 5])
    with django_assert_num_queries(6):
        response = warm.get(f"Users?count={page_size}&startIndex=5")
    assert len(body(response)["Resources"]) == page_size


def test_list_groups_excluding_members_never_loads_members(warm, django_assert_num_queries):
    """Entra reads groups with excludedAttributes=members: auth, page, side rows, the
    member count of each group SCIM has not written yet (its version follows its
    members: one aggregate query, no member read), log (the page is not full, so it
    holds every match and no COUNT is needed)."""
    GroupFactory.create_batch(3, members=UserFactory.create_batch(20))
    with django_assert_num_queries(5):
        response = warm.get("Groups?excludedAttributes=members")
    assert all("members" not in r for r in body(response)["Resources"])


def test_lookup_by_user_name(warm, django_assert_num_queries):
    """The IdP's "does this user exist?" (``userName eq "…"``, 0 or 1 result): auth, page,
    groups, side rows, log; no COUNT, the short page is every match."""
    user = UserFactory()
    user.groups.add(*GroupFactory.create_batch(2))
    _user_id(warm, user)
    with django_assert_num_queries(5):
        response = warm.get("Users", {"filter": f'userName eq "{user.username.upper()}"'})
    assert body(response)["totalResults"] == 1
    with django_assert_num_queries(3):  # auth, page, log
        response = warm.get("Users", {"filter": 'userName eq "nobody"'})
    assert body(response)["totalResults"] == 0


def _pg(sqlite: int, postgresql: int) -> int:
    return postgresql if connection.vendor == "postgresql" else sqlite


def test_post_user(warm, django_assert_num_queries):
    """auth, transaction (a savepoint pair in the test's transaction), uniqueness check
    (a deactivated user to revive is looked for only when the name is taken), user
    insert, side-row insert, element insert (the emails), the new user's groups (a
    receiver of the site's may have added some), log. On PostgreSQL the advisory lock
    that serialises claims on one userName is one more."""
    with django_assert_num_queries(_pg(9, 10)):
        response = warm.post("Users", {"userName": "bjensen", "emails": [{"value": "b@x.test"}]})
    assert response.status_code == 201


def test_put_user(warm, django_assert_num_queries):
    """auth, transaction, the user locked, its side row, side-row update (title), groups
    for the response, log; no UPDATE of the user, whose columns did not change, and no
    element rows rewritten (no multi-valued attribute changed)."""
    user_id = body(warm.post("Users", {"userName": "bjensen"}))["id"]
    with django_assert_num_queries(8):
        response = warm.put(f"Users/{user_id}", {"userName": "bjensen", "title": "Boss"})
    assert response.status_code == 200


def test_patch_user_active(warm, django_assert_num_queries):
    """Okta's deactivation: auth, transaction, the user locked, its side row, user update
    (its save()), side-row update (lastModified), groups for the response, log;
    the unchanged userName is not checked for uniqueness again and the unchanged
    e-mails are not re-indexed."""
    created = warm.post("Users", {"userName": "bjensen", "emails": [{"value": "b@x.test"}]})
    patch = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "value": {"active": False}}],
    }
    with django_assert_num_queries(9):
        response = warm.patch(f"Users/{body(created)['id']}", patch)
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
    """auth, transaction, the user locked, its side row, Django's cascade for the user
    (admin log, groups, permissions, the example directory's profile, the user: its
    delete() as Django documents it), the groups it leaves marked modified (one UPDATE,
    RFC 7643 §3.1), the side row's collector (read, element rows, side row), log."""
    user_id = body(warm.post("Users", {"userName": "bjensen"}))["id"]
    with django_assert_num_queries(15):
        response = warm.delete(f"Users/{user_id}")
    assert response.status_code == 204


def test_a_read_costs_no_log_statement_of_its_own(warm, django_assert_num_queries, monkeypatch):
    """Reads are logged in batches (django_scim.provisioning_log): a GET by id is the
    client lookup, the user, the user's groups and the side rows of both — four
    statements, each cheap to build."""
    from django_scim import provisioning_log

    user_id = body(warm.post("Users", {"userName": "bjensen"}))["id"]
    monkeypatch.setattr(provisioning_log.buffer, "size", 50)
    with django_assert_num_queries(4):
        response = warm.get(f"Users/{user_id}")
    assert response.status_code == 200
    provisioning_log.flush()


def test_reads_never_write(warm, monkeypatch):
    """A read writes nothing — not even for users and groups made outside SCIM, which
    have no side row and are shown with the id derived from their key: GET by id, lists,
    filters, a group with its members and ``.search`` are SELECTs only (the log of reads
    is written in batches, after the response), so a replica can serve them."""
    from django_scim import provisioning_log

    monkeypatch.setattr(provisioning_log.buffer, "size", 50)
    group = GroupFactory(name="outside")
    group.user_set.add(*UserFactory.create_batch(3))
    with CaptureQueriesContext(connection) as captured:
        users = body(warm.get("Users"))["Resources"]
        warm.get(f"Users/{users[0]['id']}")
        warm.get("Users", {"filter": f'userName eq "{users[1]["userName"]}"'})
        group_id = body(warm.get("Groups"))["Resources"][0]["id"]
        assert len(body(warm.get(f"Groups/{group_id}"))["members"]) == 3
        warm.post("Users/.search", {"filter": "userName pr"})
    statements = [q["sql"].split()[0].upper() for q in captured.captured_queries]
    assert set(statements) == {"SELECT"}, statements
    provisioning_log.flush()


def test_conditional_headers_cost_no_query(warm, django_assert_num_queries):
    """RFC 7644 §3.14: If-Match is compared with the version of the row the write has
    locked anyway, and If-None-Match with the version a GET renders: a PUT with
    If-Match costs what a PUT without it costs (test_put_user), a 304 what a GET
    costs (test_get_one_user)."""
    created = body(warm.post("Users", {"userName": "bjensen"}))
    with django_assert_num_queries(8):
        response = warm.put(
            f"Users/{created['id']}",
            {"userName": "bjensen", "title": "Boss"},
            HTTP_IF_MATCH=created["meta"]["version"],
        )
    assert response.status_code == 200
    with django_assert_num_queries(5):
        response = warm.get(f"Users/{created['id']}", HTTP_IF_NONE_MATCH=response["ETag"])
    assert response.status_code == 304


def test_an_outside_membership_change_costs_one_update(db, django_assert_num_queries):
    """RFC 7643 §3.1: a member added by the site's own code marks the group and the
    member modified with one UPDATE of their side rows; Django's add() reads which
    members are new (its path when m2m_changed has receivers) and inserts them."""
    group = GroupFactory()
    users = UserFactory.create_batch(3)
    with django_assert_num_queries(3):
        group.user_set.add(*users)


def test_put_renaming_a_member_costs_one_update_for_its_groups(warm, django_assert_num_queries):
    """RFC 7643 §3.1: a PUT renaming a user marks the groups whose members show it
    modified: auth, transaction, the user locked, its side row, uniqueness check of the
    new userName, user update, the groups' side rows (one UPDATE, keys as a subquery of
    the memberships), side-row update, groups for the response (their ids with them), log.
    The name it had is the one it was read with: no query. On PostgreSQL the advisory lock
    on the new name is one more."""
    user_id = body(warm.post("Users", {"userName": "bjensen"}))["id"]
    warm.post("Groups", {"displayName": "Guides", "members": [{"value": user_id}]})
    with django_assert_num_queries(_pg(11, 12)):
        response = warm.put(f"Users/{user_id}", {"userName": "babs"})
    assert response.status_code == 200


def test_a_rename_in_site_code_costs_one_update(db, django_assert_num_queries):
    """RFC 7643 §3.1: ``user.username = …; user.save()`` is the user's UPDATE and one
    UPDATE of the side rows of the groups that show the user (none here is written by
    SCIM, so it matches no row)."""
    user = UserFactory()
    GroupFactory().user_set.add(user)
    user.username = "renamed"
    with django_assert_num_queries(2):
        user.save()


@pytest.mark.parametrize("update_fields", [None, ["last_login"]])
def test_a_save_that_renames_nothing_costs_no_statement(
    db, django_assert_num_queries, update_fields
):
    """A save that leaves the display column as it was read (or, like Django's login,
    names other fields in ``update_fields``) is the UPDATE alone."""
    user = UserFactory()
    GroupFactory().user_set.add(user)
    user.first_name = "Barbara"
    with django_assert_num_queries(1):
        user.save(update_fields=update_fields)


def test_a_save_of_a_user_read_without_its_name_reads_the_name(db, django_assert_num_queries):
    """A user read with ``only()`` has no userName to compare with; renaming it reads the
    stored one first (one query of that column), then the UPDATE and the groups' UPDATE."""
    GroupFactory().user_set.add(UserFactory(username="bjensen"))
    user = get_user_model().objects.only("pk").get(username="bjensen")
    user.username = "babs"
    with django_assert_num_queries(3):
        user.save()
