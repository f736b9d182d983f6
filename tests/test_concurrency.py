"""Concurrent requests (PostgreSQL only): no lost membership update, no double create.

idp_quirks E-17 / E-30 / R7 / R10: Entra runs group PATCHes in parallel, and
two creates of the same userName can race. Each thread below has its own
database connection and really commits; the threads start together behind a
barrier so their transactions overlap.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, connections
from django.db.models import QuerySet

from tests.conftest import SCIMTestClient, body

PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
THREADS = 8

User = get_user_model()

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs real concurrent connections and row locks: run with SCIM_TEST_DB=postgres "
        "(SQLite in memory is one connection and serialises every write)",
    ),
    pytest.mark.django_db(transaction=True),
]


def authorised(token: str) -> SCIMTestClient:
    client = SCIMTestClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def in_parallel(work: Callable[[int], Any]) -> list[Any]:
    """Run ``work(n)`` in THREADS threads started together; each closes its connection."""
    barrier = threading.Barrier(THREADS)
    results: list[Any] = [None] * THREADS

    def run(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[n] = work(n)
        except Exception as exc:  # reported through results, asserted by the caller
            results[n] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return results


def test_parallel_member_adds_are_all_kept(scim, scim_client_record):
    """idp_quirks E-17 (scimmyjs/scimmy#79: lost updates) and E-30: N PATCHes, each adding a
    different user to the same group at the same time, leave all N users members."""
    users = [
        body(scim.post("Users", {"schemas": [USER], "userName": f"u{n}"}))["id"]
        for n in range(THREADS)
    ]
    group = body(scim.post("Groups", {"schemas": [GROUP], "displayName": "Parallel"}))
    token = scim_client_record.raw_token

    def add(n: int) -> int:
        payload = {
            "schemas": [PATCH_OP],
            "Operations": [
                {"op": "Add", "path": "members", "value": [{"$ref": None, "value": users[n]}]}
            ],
        }
        return authorised(token).patch(f"Groups/{group['id']}", payload).status_code

    statuses = in_parallel(add)
    assert statuses == [200] * THREADS
    members = body(scim.get(f"Groups/{group['id']}"))["members"]
    assert sorted(m["value"] for m in members) == sorted(users)
    assert Group.objects.get(name="Parallel").user_set.count() == THREADS


def test_parallel_creates_of_one_user_name_make_one_user(scim, scim_client_record):
    """idp_quirks R10 / E-08 and RFC 7644 §3.3 ("409 ... uniqueness"): N POSTs of the same
    userName at the same time give exactly one 201 and N-1 409 uniqueness, never a 500."""
    token = scim_client_record.raw_token

    def create(n: int) -> tuple[int, str | None]:
        payload = {"schemas": [USER], "userName": "race", "externalId": f"ext-{n}"}
        response = authorised(token).post("Users", payload)
        return response.status_code, body(response).get("scimType")

    results = in_parallel(create)
    assert sorted(results, key=lambda r: r[0]) == [(201, None)] + [(409, "uniqueness")] * (
        THREADS - 1
    )
    assert User.objects.filter(username="race").count() == 1
    listed = body(scim.get('Users?filter=userName eq "race"'))
    assert listed["totalResults"] == 1


def interleave_at_uniqueness_check(monkeypatch, parties: int) -> None:
    """Hold every create just before its userName check until all ``parties`` are there, so
    they check at the same moment (the window a busy server leaves open by chance)."""
    from django_scim.adapters.fields import Column

    original = Column.check_unique
    barrier = threading.Barrier(parties)

    def wait_then_check(self, adapter, obj, value, attribute):
        if attribute.name == "userName":
            barrier.wait(timeout=10)
        original(self, adapter, obj, value, attribute)

    monkeypatch.setattr(Column, "check_unique", wait_then_check)


def race_two(token: str, names: tuple[str, str]) -> list[tuple[int, str | None]]:
    results: list[Any] = [None, None]

    def run(n: int) -> None:
        try:
            payload = {"schemas": [USER], "userName": names[n]}
            response = authorised(token).post("Users", payload)
            results[n] = (response.status_code, body(response).get("scimType"))
        except Exception as exc:  # asserted by the caller
            results[n] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(results, key=lambda r: r[0] if isinstance(r, tuple) else 0)


def test_create_race_past_the_check_is_409_not_500(scim, scim_client_record, monkeypatch):
    """RFC 7644 §3.3 (409 uniqueness): two POSTs of one userName checked at the same
    moment give one 201 and one 409."""
    interleave_at_uniqueness_check(monkeypatch, 2)
    results = race_two(scim_client_record.raw_token, ("race", "race"))
    assert sorted(results) == [(201, None), (409, "uniqueness")]
    assert User.objects.filter(username="race").count() == 1


def test_create_race_differing_in_case_makes_one_user(scim, scim_client_record, monkeypatch):
    """RFC 7643 §4.1.1 (userName is caseExact false, uniqueness server) with RFC 7644 §3.3:
    concurrent POSTs of ``race`` and ``RACE`` create one user; the other gets 409."""
    interleave_at_uniqueness_check(monkeypatch, 2)
    results = race_two(scim_client_record.raw_token, ("race", "RACE"))
    assert sorted(results) == [(201, None), (409, "uniqueness")]
    assert User.objects.filter(username__iexact="race").count() == 1


def test_parallel_creates_of_one_name_make_one_user(scim, scim_client_record):
    """RFC 7644 §3.3: N simultaneous POSTs of one userName give one 201 and N-1 409
    uniqueness, never a 500, and leave no side row without its user."""
    from django_scim.models import ResourceRecord

    token = scim_client_record.raw_token

    def create(n: int) -> tuple[int, str | None]:
        payload = {"schemas": [USER], "userName": "race", "emails": [{"value": f"{n}@x.test"}]}
        response = authorised(token).post("Users", payload)
        return response.status_code, body(response).get("scimType")

    results = in_parallel(create)
    assert sorted(results, key=lambda r: r[0]) == [(201, None)] + [(409, "uniqueness")] * (
        THREADS - 1
    )
    user = User.objects.get(username="race")
    assert list(
        ResourceRecord.objects.filter(resource_type="User").values_list("object_pk", flat=True)
    ) == [str(user.pk)]


def test_two_creates_meeting_at_the_check_make_one_user(scim, scim_client_record, monkeypatch):
    """Two POSTs of one userName reach the uniqueness check at the same moment: one
    creates, the other is 409 uniqueness, not 500."""
    interleave_at_uniqueness_check(monkeypatch, 2)
    results = race_two(scim_client_record.raw_token, ("race", "race"))
    assert sorted(results) == [(201, None), (409, "uniqueness")]
    assert User.objects.filter(username="race").count() == 1


def test_writers_with_the_same_if_match_give_one_success(scim, scim_client_record):
    """RFC 7644 §3.14 ("412 Precondition Failed ... Resource has changed on the server")
    with RFC 9110 §13.1.1: N PATCHes sent at once with the version all of them read;
    If-Match is compared with the row as locked in each write's transaction, so exactly
    one applies and the others are 412, whose change is not applied."""
    user = body(scim.post("Users", {"schemas": [USER], "userName": "contended"}))
    token = scim_client_record.raw_token

    def retitle(n: int) -> int:
        payload = {
            "schemas": [PATCH_OP],
            "Operations": [{"op": "replace", "path": "title", "value": f"title {n}"}],
        }
        response = authorised(token).patch(
            f"Users/{user['id']}", payload, HTTP_IF_MATCH=user["meta"]["version"]
        )
        return response.status_code

    statuses = in_parallel(retitle)
    assert sorted(statuses) == [200] + [412] * (THREADS - 1)
    winner = statuses.index(200)
    assert body(scim.get(f"Users/{user['id']}"))["title"] == f"title {winner}"


def pause(monkeypatch, module: Any, name: str, thread: str, after: int = 1) -> tuple[Any, Any]:
    """Wrap ``module.name`` so that, in the thread named ``thread``, its ``after``-th call
    returns only once ``go`` is set; ``reached`` tells the test it got there. Returns
    (reached, go)."""
    reached, go = threading.Event(), threading.Event()
    original = getattr(module, name)
    calls: list[int] = []

    def wrapped(*args: Any) -> Any:
        result = original(*args)
        if isinstance(result, QuerySet):
            result = list(result)  # a lock is taken when its query runs
        if threading.current_thread().name == thread:
            calls.append(1)
            if len(calls) == after:
                reached.set()
                go.wait(timeout=10)
        return result

    monkeypatch.setattr(module, name, wrapped)
    return reached, go


def interleave(first: Callable[[], Any], second: Callable[[], Any], pause: tuple[Any, Any]):
    """Run ``first`` in a thread named "first" until it reaches the pause, then ``second``
    in another until it waits for a lock, then let both finish. Returns their status codes
    (or exceptions) as {"first": ..., "second": ...}."""
    reached, go = pause
    results: dict[str, Any] = {}

    def run(name: str, call: Callable[[], Any]) -> None:
        try:
            results[name] = call().status_code
        except Exception as exc:  # asserted by the caller
            results[name] = exc
        finally:
            connections.close_all()

    threads = {
        name: threading.Thread(target=run, name=name, args=(name, call))
        for name, call in (("first", first), ("second", second))
    }
    threads["first"].start()
    assert reached.wait(timeout=10)
    threads["second"].start()
    threads["second"].join(timeout=1)  # the second write is now waiting for a lock
    go.set()
    for thread in threads.values():
        thread.join(timeout=30)
    return results


def patch(token: str, path: str, operation: dict[str, Any]) -> Callable[[], Any]:
    return lambda: authorised(token).patch(path, {"schemas": [PATCH_OP], "Operations": [operation]})


def test_a_member_add_and_a_patch_of_that_member_do_not_deadlock(
    scim, scim_client_record, monkeypatch
):
    """Entra PATCHes a user while adding it to a group. The group's write marks the
    member's side row modified; the user's write locks the user, then that side row.
    Unless the group's write locks the member first, the two wait for each other:
    PostgreSQL checks the new membership's foreign key to the user at COMMIT, and that
    check waits for the user's lock. One of the two then fails with a deadlock. Here the
    user's PATCH starts just after the group's write has marked the side row, and
    before the group's write commits: both must succeed."""
    from django_scim.storage import membership

    user_id = body(scim.post("Users", {"schemas": [USER], "userName": "mover"}))["id"]
    group_id = body(scim.post("Groups", {"schemas": [GROUP], "displayName": "Movers"}))["id"]
    token = scim_client_record.raw_token
    results = interleave(
        patch(
            token,
            f"Groups/{group_id}",
            {"op": "add", "path": "members", "value": [{"value": user_id}]},
        ),
        patch(token, f"Users/{user_id}", {"op": "replace", "path": "active", "value": False}),
        pause(monkeypatch, membership, "bump", "first"),
    )
    assert results == {"first": 200, "second": 200}
    member = User.objects.get(username="mover")
    assert member.groups.filter(name="Movers").exists()
    assert member.is_active is False


def test_a_member_removal_and_a_delete_of_that_member_do_not_deadlock(
    scim, scim_client_record, monkeypatch
):
    """Entra removes a user from a group while deleting the user. The delete marks the
    user's groups modified, then Django's cascade deletes the user's membership rows; the
    group's write deletes that membership row, then marks the group modified. Unless the
    group's write locks the member it removes first, each holds what the other needs.
    Here the group's write starts while the delete has marked the groups and not yet
    cascaded: both must succeed (the member is gone either way)."""
    from django_scim.storage import membership

    user_id = body(scim.post("Users", {"schemas": [USER], "userName": "leaver"}))["id"]
    members = [{"value": user_id}]
    group = {"schemas": [GROUP], "displayName": "Leavers", "members": members}
    group_id = body(scim.post("Groups", group))["id"]
    token = scim_client_record.raw_token
    results = interleave(
        lambda: authorised(token).delete(f"Users/{user_id}"),
        patch(token, f"Groups/{group_id}", {"op": "remove", "path": "members", "value": members}),
        pause(monkeypatch, membership, "bump", "first"),
    )
    assert results == {"first": 204, "second": 200}
    assert not User.objects.filter(username="leaver").exists()
    assert not Group.objects.get(name="Leavers").user_set.exists()


def test_two_member_replacements_sharing_members_do_not_deadlock(
    scim, scim_client_record, monkeypatch
):
    """Two PUTs of different groups whose member lists cross: one moves ``a`` in and
    ``b`` out, the other ``b`` in and ``a`` out. Each write locks every member it adds
    or removes in one statement, in key order, so neither can hold one of the two while
    waiting for the other. Here the second PUT starts while the first holds its locks
    and has changed nothing: both must succeed."""
    from django_scim import locks

    ids = {
        name: body(scim.post("Users", {"schemas": [USER], "userName": name}))["id"]
        for name in ("a", "b")
    }

    def group(name: str, member: str) -> dict[str, Any]:
        return {"schemas": [GROUP], "displayName": name, "members": [{"value": ids[member]}]}

    first = body(scim.post("Groups", group("First", "b")))["id"]
    second = body(scim.post("Groups", group("Second", "a")))["id"]
    token = scim_client_record.raw_token
    results = interleave(
        lambda: authorised(token).put(f"Groups/{first}", group("First", "a")),
        lambda: authorised(token).put(f"Groups/{second}", group("Second", "b")),
        # the first lock is the group's row, the second its members'
        pause(monkeypatch, locks, "rows_locked", "first", after=2),
    )
    assert results == {"first": 200, "second": 200}
    assert list(Group.objects.get(name="First").user_set.values_list("username", flat=True)) == [
        "a"
    ]
    assert list(Group.objects.get(name="Second").user_set.values_list("username", flat=True)) == [
        "b"
    ]
