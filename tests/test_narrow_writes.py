"""Writes nobody else observes (ResourceAdapter.unobserved): a narrow UPDATE of the
site's row with the response's relation read in the same round trip, a DELETE as one
statement, and, where the database enforces uniqueness, a create as one statement.

Whenever the site could tell the difference (a receiver of the model's saves or
deletes, or of this app's signals), the row goes through save() or Django's
collector and the relation is read after the commit, as before. These tests pin
both sides of that line, that the response is the resource as stored either way,
and that a failed write leaves nothing behind.
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


def test_patch_writes_only_the_changed_column(scim, user_id):
    """RFC 7644 §3.5.2: only the attributes the operations name are modified. The row's
    UPDATE sets is_active alone, so a concurrent edit of another column (an admin
    renaming the user) cannot be overwritten by the values this request read."""
    with CaptureQueriesContext(connection) as captured:
        response = scim.patch(
            f"Users/{user_id}", ops({"op": "replace", "path": "active", "value": False})
        )
    assert response.status_code == 200
    (update,) = _user_updates(captured)
    assert "is_active" in _set_clause(update)
    assert "username" not in _set_clause(update)
    assert "first_name" not in _set_clause(update)
    user = User.objects.get(username="bjensen")
    assert user.is_active is False
    assert user.first_name == "Barbara"


def test_put_writes_only_the_changed_columns(scim, user_id):
    """RFC 7644 §3.5.1 replaces the resource; columns whose value is the same are not
    rewritten."""
    with CaptureQueriesContext(connection) as captured:
        response = scim.put(
            f"Users/{user_id}",
            {"userName": "bjensen", "name": {"givenName": "Babs"}, "active": True},
        )
    assert response.status_code == 200
    (update,) = _user_updates(captured)
    assert "first_name" in _set_clause(update)
    assert "is_active" not in _set_clause(update)
    assert User.objects.get(username="bjensen").first_name == "Babs"
    assert read(scim, f"Users/{user_id}")["name"]["givenName"] == "Babs"


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


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the round trips saved are PostgreSQL's"
)
def test_patch_on_postgresql_is_one_round_trip_for_every_write(scim, user_id):
    """The user's UPDATE, the side row's UPDATE and the groups read: one statement."""
    GroupFactory(name="Admins").user_set.add(User.objects.get(username="bjensen"))
    with CaptureQueriesContext(connection) as captured:
        response = scim.patch(
            f"Users/{user_id}", ops({"op": "replace", "path": "active", "value": False})
        )
    assert response.status_code == 200
    (chain,) = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("WITH")]
    assert chain.count("UPDATE") == 2
    assert "SELECT" in chain
    assert len(_user_updates(captured)) == 1


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
    entries about the user) and the side rows go with it, in one statement on
    PostgreSQL."""
    user_id, user = _seed_deletable(scim)
    with CaptureQueriesContext(connection) as captured:
        response = scim.delete(f"Users/{user_id}")
    assert response.status_code == 204
    statements = [q["sql"] for q in captured.captured_queries]
    _assert_gone(scim, user_id, user)
    if connection.vendor == "postgresql":
        (chain,) = [sql for sql in statements if sql.startswith(("DELETE", "WITH"))]
        assert chain.count("DELETE FROM") == 6  # log entries, groups, permissions, user, side


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
    """Every write is atomic: when the side rows' DELETE fails after Django's cascade was
    sent (a separate statement on SQLite, the same one on PostgreSQL), user, memberships
    and side rows are all as they were."""
    from django_scim import lookups
    from django_scim.adapters import records
    from django_scim.models import ResourceRecord

    user_id, user = _seed_deletable(scim)
    failing = lookups.Statement("default", "DELETE FROM scim_no_such_table", [])
    monkeypatch.setattr(records, "deletes", lambda record: [failing])
    response = scim.delete(f"Users/{user_id}")
    assert response.status_code >= 400
    assert body(response)["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    monkeypatch.undo()
    assert User.objects.filter(pk=user.pk).exists()
    assert User.groups.through.objects.filter(user_id=user.pk).exists()
    assert ResourceRecord.objects.filter(id=user_id).exists()
    assert scim.get(f"Users/{user_id}").status_code == 200


@pytest.fixture
def enforced(monkeypatch):
    """As on a site whose user model has ``UniqueConstraint(Lower("username"))`` (the
    example project's): the database refuses a duplicate userName itself."""
    from django_scim import locks

    monkeypatch.setattr(locks, "enforced_by_database", lambda *args: True)


@pytest.mark.django_db(transaction=True)
def test_create_where_the_database_enforces_uniqueness(scim, enforced):
    """RFC 7644 §3.3: 201 with the resource as stored; on PostgreSQL the user, its side
    row and its element rows are one INSERT statement, with no transaction around it."""
    from django_scim.models import ResourceElement, ResourceRecord

    payload = {"userName": "bjensen", "emails": [{"value": "b@x.test", "type": "work"}]}
    with CaptureQueriesContext(connection) as captured:
        response = scim.post("Users", payload)
    assert response.status_code == 201
    statements = [q["sql"] for q in captured.captured_queries]
    created = body(response)
    user = User.objects.get(username="bjensen")
    record = ResourceRecord.objects.get(id=created["id"])
    assert record.object_pk == str(user.pk)
    assert ResourceElement.objects.filter(record=record).count() == 1
    assert read(scim, f"Users/{created['id']}") == created
    if connection.vendor == "postgresql":
        (chain,) = [sql for sql in statements if sql.startswith("WITH")]
        assert chain.count("INSERT INTO") == 3
        assert not [sql for sql in statements if sql in ("BEGIN", "COMMIT")]


@pytest.mark.django_db(transaction=True)
def test_duplicate_create_where_the_database_enforces_uniqueness(scim, enforced):
    """RFC 7644 §3.3: a taken userName (compared case-insensitively) is 409 uniqueness,
    and nothing is written."""
    from django_scim.models import ResourceRecord

    assert scim.post("Users", {"userName": "bjensen"}).status_code == 201
    records = ResourceRecord.objects.count()
    response = scim.post("Users", {"userName": "BJensen", "emails": [{"value": "b@x.test"}]})
    assert response.status_code == 409
    assert body(response)["scimType"] == "uniqueness"
    assert User.objects.count() == 1
    assert ResourceRecord.objects.count() == records


@pytest.mark.django_db(transaction=True)
def test_create_racing_past_the_check_is_409(scim, enforced, monkeypatch):
    """When another request takes the name between the check and the INSERT, the
    database's refusal is 409 uniqueness too, and nothing of this request stays."""
    from django_scim import lookups
    from django_scim.models import ResourceRecord

    User.objects.create(username="bjensen")
    monkeypatch.setattr(lookups, "taken", lambda *args, **kwargs: False)  # checked too early
    response = scim.post("Users", {"userName": "bjensen", "emails": [{"value": "b@x.test"}]})
    assert response.status_code == 409
    assert body(response)["scimType"] == "uniqueness"
    assert User.objects.count() == 1
    assert not ResourceRecord.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_create_with_a_receiver_goes_through_save(scim, enforced, connected):
    """A receiver of the model's saves sees the row saved through save(), inside the
    create's transaction, and the response shows what the database holds."""
    seen = []
    connected(post_save, lambda sender, instance, created, **kw: seen.append(created), sender=User)
    response = scim.post("Users", {"userName": "bjensen", "emails": [{"value": "b@x.test"}]})
    assert response.status_code == 201
    assert seen == [True]
    assert read(scim, f"Users/{body(response)['id']}")["userName"] == "bjensen"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("match", ["userName", "externalId"])
def test_revive_where_the_database_enforces_uniqueness(scim, enforced, match):
    """docs/settings.md REVIVE_ON_CREATE: a POST matching a deactivated user revives it
    (same id, active) on the path that takes no lock, by userName or externalId."""
    created = body(scim.post("Users", {"userName": "bjensen", "externalId": "e-1"}))
    off = ops({"op": "replace", "path": "active", "value": False})
    assert scim.patch(f"Users/{created['id']}", off).status_code == 200
    again = (
        {"userName": "BJensen"} if match == "userName" else {"userName": "b2", "externalId": "e-1"}
    )
    response = scim.post("Users", {**again, "title": "Back"})
    assert response.status_code == 201
    assert (body(response)["id"], body(response)["active"]) == (created["id"], True)
    assert User.objects.count() == 1


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
