"""The site's models behave as Django documents under SCIM writes.

Every write goes through the model's own ``save()`` and ``delete()``: its
signals fire, ``auto_now`` fields move, a receiver that changes relations is
shown in the response, Django's cascade removes what it would, and a failed
write leaves nothing behind. The response to a write is the resource as
stored, the same a GET would return.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.db.models.signals import post_save, pre_save
from django.test.utils import CaptureQueriesContext

from django_scim import signals
from tests.conftest import body, ops, read
from tests.factories import GroupFactory, UserFactory

USER_TABLE = User._meta.db_table


def _user_updates(captured: CaptureQueriesContext) -> list[str]:
    quoted = connection.ops.quote_name(USER_TABLE)
    return [
        q["sql"]
        for q in captured.captured_queries
        if f"UPDATE {quoted}" in q["sql"] or f"UPDATE {USER_TABLE}" in q["sql"]
    ]


def _set_clause(sql: str) -> str:
    start = sql.index(" SET ") + len(" SET ")
    return sql[start : sql.index(" WHERE ", start)]


@pytest.fixture
def user_id(scim):
    created = scim.post(
        "Users", {"userName": "bjensen", "name": {"givenName": "Barbara"}, "active": True}
    )
    assert created.status_code == 201
    return body(created)["id"]


@pytest.fixture
def connected():
    """Connect receivers (held strongly) for one test, and disconnect them after it."""
    made = []

    def connect(signal, receiver, **kwargs):
        signal.connect(receiver, weak=False, **kwargs)
        made.append((signal, receiver, kwargs))

    yield connect
    for signal, receiver, kwargs in made:
        signal.disconnect(receiver, **kwargs)


@pytest.mark.parametrize("signal", [pre_save, post_save])
def test_a_save_receiver_sees_the_save(scim, user_id, connected, signal):
    """With a receiver of the model's saves the row goes through save(): the receiver
    runs once, with the new value, as it would for any other save of the site."""
    seen = []
    connected(signal, lambda sender, instance, **kw: seen.append(instance.is_active), sender=User)
    response = scim.patch(
        f"Users/{user_id}", ops({"op": "replace", "path": "active", "value": False})
    )
    assert response.status_code == 200
    assert seen == [False]
    assert User.objects.get(username="bjensen").is_active is False


def test_response_shows_the_groups_as_stored(scim, user_id):
    """RFC 7644 §3.5.2: the response to a PATCH is the resource after the change, groups
    included (read in the same round trip as the write on PostgreSQL)."""
    group = GroupFactory(name="Admins")
    group.user_set.add(User.objects.get(username="bjensen"))
    response = scim.patch(
        f"Users/{user_id}", ops({"op": "replace", "path": "active", "value": False})
    )
    assert [g["display"] for g in body(response)["groups"]] == ["Admins"]
    assert body(response)["groups"] == read(scim, f"Users/{user_id}")["groups"]


def test_response_without_groups_reads_none(scim, user_id):
    """``attributes=userName``: the write reads no relation at all (RFC 7644 §3.9)."""
    GroupFactory(name="Admins").user_set.add(User.objects.get(username="bjensen"))
    with CaptureQueriesContext(connection) as captured:
        response = scim.patch(
            f"Users/{user_id}?attributes=userName",
            ops({"op": "replace", "path": "active", "value": False}),
        )
    assert response.status_code == 200
    assert "groups" not in body(response)
    through = connection.ops.quote_name(User.groups.through._meta.db_table)
    assert not [q for q in captured.captured_queries if f"FROM {through}" in q["sql"]]


def test_group_rename_keeps_its_members_in_the_response(scim):
    """A Group PATCH that touches no member: members are read with the write and shown."""
    users = UserFactory.create_batch(3)
    created = scim.post("Groups", {"displayName": "Team"})
    group_id = body(created)["id"]
    Group.objects.get(name="Team").user_set.add(*users)
    response = scim.patch(
        f"Groups/{group_id}", ops({"op": "replace", "path": "displayName", "value": "Crew"})
    )
    assert response.status_code == 200
    shown = sorted(m["display"] for m in body(response)["members"])
    assert shown == sorted(u.username for u in users)
    assert body(response)["members"] == read(scim, f"Groups/{group_id}")["members"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("signal", "request_"),
    [
        (signals.resource_patched, "patch"),
        (signals.resource_replaced, "put"),
        (signals.resource_created, "post"),
    ],
)
def test_a_receiver_that_changes_groups_is_shown(scim, connected, signal, request_):
    """A site's receiver runs when the write commits, before the response is made: a
    group it adds must be in the response, so the groups are read after it."""
    extra = GroupFactory(name="Provisioned")

    def add_to_group(sender, instance, **kwargs):
        extra.user_set.add(instance)

    payload = {"userName": "bjensen", "name": {"givenName": "Barbara"}, "active": True}
    if request_ == "post":
        connected(signal, add_to_group)
        response = scim.post("Users", payload)
    else:
        user_id = body(scim.post("Users", payload))["id"]
        connected(signal, add_to_group)
        if request_ == "put":
            response = scim.put(f"Users/{user_id}", {**payload, "active": False})
        else:
            response = scim.patch(
                f"Users/{user_id}", ops({"op": "replace", "path": "active", "value": False})
            )
    assert response.status_code in (200, 201)
    assert [g["display"] for g in body(response)["groups"]] == ["Provisioned"]


def _seed_deletable(scim) -> tuple[str, User]:
    """A user served over SCIM, in a group, with an admin log entry about it."""
    from django.contrib.admin.models import ADDITION, LogEntry
    from django.contrib.contenttypes.models import ContentType

    user_id = body(scim.post("Users", {"userName": "bjensen", "emails": [{"value": "b@x.test"}]}))[
        "id"
    ]
    user = User.objects.get(username="bjensen")
    GroupFactory(name="Admins").user_set.add(user)
    LogEntry.objects.create(
        user=user,
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(user.pk),
        object_repr="bjensen",
        action_flag=ADDITION,
    )
    return user_id, user


def _assert_gone(scim, user_id: str, user: User) -> None:
    from django.contrib.admin.models import LogEntry

    from django_scim.models import ResourceElement, ResourceRecord

    assert not User.objects.filter(pk=user.pk).exists()
    assert not User.groups.through.objects.filter(user_id=user.pk).exists()
    assert not LogEntry.objects.filter(user_id=user.pk).exists()
    assert not ResourceRecord.objects.filter(id=user_id).exists()
    assert not ResourceElement.objects.filter(record_id=user_id).exists()
    assert Group.objects.filter(name="Admins").exists()
    assert scim.get(f"Users/{user_id}").status_code == 404


def test_delete_removes_what_django_would(scim):
    """RFC 7644 §3.6: the resource is gone; Django's cascade (memberships, the admin log
    entries about the user) and the side rows go with it."""
    user_id, user = _seed_deletable(scim)
    response = scim.delete(f"Users/{user_id}")
    assert response.status_code == 204
    _assert_gone(scim, user_id, user)


@pytest.mark.parametrize("model", ["user", "log entry"])
def test_delete_with_a_receiver_goes_through_the_collector(scim, connected, model):
    """A receiver of the user's deletes, or of a related row's (then Django loads those
    rows to signal them), sees the delete happen, as with any delete of the site."""
    from django.contrib.admin.models import LogEntry
    from django.db.models.signals import post_delete

    seen = []
    sender = User if model == "user" else LogEntry
    connected(
        post_delete, lambda sender, instance, **kw: seen.append(type(instance)), sender=sender
    )
    user_id, user = _seed_deletable(scim)
    assert scim.delete(f"Users/{user_id}").status_code == 204
    assert seen == [sender]
    _assert_gone(scim, user_id, user)


@pytest.mark.django_db(transaction=True)
def test_a_failing_delete_leaves_everything(scim, monkeypatch):
    """Every write is atomic: when the side row's DELETE fails after Django's cascade was
    sent, user, memberships and side rows are all as they were."""
    from types import SimpleNamespace

    from django.db import DatabaseError

    from django_scim.adapters import lifecycle
    from django_scim.models import ResourceRecord

    user_id, user = _seed_deletable(scim)

    def failing(*args, **kwargs):
        assert not User.objects.filter(pk=user.pk).exists()  # the cascade was sent
        raise DatabaseError("side row could not be deleted")

    monkeypatch.setattr(
        lifecycle, "ResourceRecord", SimpleNamespace(objects=SimpleNamespace(filter=failing))
    )
    response = scim.delete(f"Users/{user_id}")
    assert response.status_code >= 400
    assert body(response)["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    monkeypatch.undo()
    assert User.objects.filter(pk=user.pk).exists()
    assert User.groups.through.objects.filter(user_id=user.pk).exists()
    assert ResourceRecord.objects.filter(id=user_id).exists()
    assert scim.get(f"Users/{user_id}").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_save_receiver_that_adds_a_group_on_create_is_shown(scim, connected):
    """A site that puts every new user in a group from post_save: the created user's
    response (RFC 7644 §3.3) shows that group; a user is assumed to have no groups only
    when nothing of the site's ran as it was made."""
    everyone = GroupFactory(name="Everyone")

    def add_to_everyone(sender, instance, created, **kwargs):
        if created:
            everyone.user_set.add(instance)

    connected(post_save, add_to_everyone, sender=User)
    response = scim.post("Users", {"userName": "bjensen"})
    assert response.status_code == 201
    assert [g["display"] for g in body(response)["groups"]] == ["Everyone"]


@pytest.mark.parametrize("error", ["protected", "restricted"])
def test_a_delete_other_rows_forbid_is_409(scim, monkeypatch, error):
    """A site row another model protects (``on_delete=PROTECT`` or ``RESTRICT``): Django
    refuses to collect it, and the answer is 409 Conflict with a SCIM Error (not a
    500), the user, its memberships and side rows as they were."""
    from django.db.models import ProtectedError, RestrictedError
    from django.db.models.deletion import Collector

    user_id, user = _seed_deletable(scim)

    def refuse(self, objs, *args, **kwargs):
        kind = ProtectedError if error == "protected" else RestrictedError
        raise kind("Cannot delete: referenced through a protected foreign key", set(objs))

    monkeypatch.setattr(Collector, "collect", refuse)
    response = scim.delete(f"Users/{user_id}")
    assert response.status_code == 409
    assert body(response)["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert "scimType" not in body(response)
    monkeypatch.undo()
    assert User.objects.filter(pk=user.pk).exists()
    assert User.groups.through.objects.filter(user_id=user.pk).exists()
    assert scim.get(f"Users/{user_id}").status_code == 200
