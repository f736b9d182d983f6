"""Lifecycle: DELETE_MODE, REVIVE_ON_CREATE and the signals a site connects to.

docs/settings.md: ``DELETE_MODE = "deactivate"`` keeps the resource readable
with ``active: false`` (and it leaves its groups); ``REVIVE_ON_CREATE`` makes a
POST matching a deactivated user revive it with the same id. docs/signals.md:
each signal is sent after the transaction commits, with ``sender``,
``resource_type``, ``instance``, ``scim_id`` and ``client``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection

from django_scim import signals
from django_scim.adapters.groups import GroupAdapter
from django_scim.adapters.users import UserAdapter
from tests.conftest import body, ops

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"

SIGNALS = {
    "created": signals.resource_created,
    "replaced": signals.resource_replaced,
    "patched": signals.resource_patched,
    "deactivated": signals.resource_deactivated,
    "deleted": signals.resource_deleted,
}

User = get_user_model()


class Recorder:
    """Collects every signal sent, with its keyword arguments and the transaction state."""

    def __init__(self) -> None:
        self.events: list[tuple[str, dict]] = []

    def receiver(self, name: str):
        def receive(sender, **kwargs):
            kwargs["sender"] = sender
            kwargs["in_atomic_block"] = connection.in_atomic_block
            kwargs["pk"] = kwargs["instance"].pk
            self.events.append((name, kwargs))

        return receive

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.events]

    def of(self, name: str) -> list[dict]:
        return [kwargs for event, kwargs in self.events if event == name]


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    found = Recorder()
    receivers = {name: found.receiver(name) for name in SIGNALS}
    for name, signal in SIGNALS.items():
        signal.connect(receivers[name], weak=False)
    yield found
    for name, signal in SIGNALS.items():
        signal.disconnect(receivers[name])


def new_user(scim, user_name: str = "bjensen", **attributes) -> dict:
    payload = {
        "schemas": [USER],
        "userName": user_name,
        "externalId": f"ext-{user_name}",
        **attributes,
    }
    response = scim.post("Users", payload)
    assert response.status_code == 201, body(response)
    return body(response)


def new_group(scim, members: tuple[str, ...] = ()) -> dict:
    payload = {
        "schemas": [GROUP],
        "displayName": "Staff",
        "members": [{"value": m} for m in members],
    }
    response = scim.post("Groups", payload)
    assert response.status_code == 201, body(response)
    return body(response)


def deactivate_mode(settings) -> None:
    settings.SCIM = {"DELETE_MODE": "deactivate"}


# -- DELETE_MODE -------------------------------------------------------------------------------


def test_hard_delete_removes_the_user(scim):
    """docs/settings.md DELETE_MODE "delete" (default) and RFC 7644 §3.6: 204, then the
    resource is gone: GET is 404, a filter finds nothing, the row is deleted."""
    user = new_user(scim)
    response = scim.delete(f"Users/{user['id']}")
    assert response.status_code == 204
    assert scim.get(f"Users/{user['id']}").status_code == 404
    assert body(scim.get('Users?filter=userName eq "bjensen"'))["totalResults"] == 0
    assert not User.objects.filter(username="bjensen").exists()


def test_deactivate_mode_keeps_the_user_readable(scim, settings):
    """docs/settings.md DELETE_MODE "deactivate": DELETE answers 204, the user stays readable
    by id and by filter with ``active: false``, and the row is kept."""
    deactivate_mode(settings)
    user = new_user(scim)
    assert scim.delete(f"Users/{user['id']}").status_code == 204
    after = body(scim.get(f"Users/{user['id']}"))
    assert (after["id"], after["active"]) == (user["id"], False)
    listed = body(scim.get('Users?filter=userName eq "bjensen"'))
    assert [(r["id"], r["active"]) for r in listed["Resources"]] == [(user["id"], False)]
    assert User.objects.get(username="bjensen").is_active is False


def test_deactivate_mode_user_leaves_its_groups(scim, settings):
    """docs/settings.md DELETE_MODE "deactivate": the deactivated user "leaves its groups"."""
    deactivate_mode(settings)
    user = new_user(scim)
    other = new_user(scim, "other")
    group = new_group(scim, (user["id"], other["id"]))
    scim.delete(f"Users/{user['id']}")
    members = body(scim.get(f"Groups/{group['id']}"))["members"]
    assert [m["value"] for m in members] == [other["id"]]
    assert User.objects.get(username="bjensen").groups.count() == 0


def test_deactivate_mode_still_deletes_groups(scim, settings):
    """docs/settings.md: deactivation uses the adapter's active field; groups have none, so
    DELETE removes them."""
    deactivate_mode(settings)
    group = new_group(scim)
    assert scim.delete(f"Groups/{group['id']}").status_code == 204
    assert scim.get(f"Groups/{group['id']}").status_code == 404
    assert not Group.objects.filter(name="Staff").exists()


# -- REVIVE_ON_CREATE ----------------------------------------------------------------------------


def test_revive_on_create_after_deactivating_delete(scim, settings):
    """docs/settings.md REVIVE_ON_CREATE (default True): a POST whose userName matches a
    deactivated user (case-insensitively) revives it, same id, active."""
    deactivate_mode(settings)
    user = new_user(scim)
    scim.delete(f"Users/{user['id']}")
    response = scim.post("Users", {"schemas": [USER], "userName": "BJensen", "title": "Back"})
    assert response.status_code == 201
    data = body(response)
    assert (data["id"], data["active"], data["title"]) == (user["id"], True, "Back")
    assert User.objects.count() == 1


def test_revive_disabled_answers_409(scim, settings):
    """docs/settings.md REVIVE_ON_CREATE False: the POST answers 409 uniqueness and the user
    stays deactivated."""
    settings.SCIM = {"DELETE_MODE": "deactivate", "REVIVE_ON_CREATE": False}
    user = new_user(scim)
    scim.delete(f"Users/{user['id']}")
    response = scim.post("Users", {"schemas": [USER], "userName": "bjensen"})
    assert response.status_code == 409
    assert body(response)["scimType"] == "uniqueness"
    assert body(scim.get(f"Users/{user['id']}"))["active"] is False


def test_active_user_is_never_revived(scim):
    """docs/settings.md: only a *deactivated* resource is revived; a POST matching an active
    user is 409 (RFC 7644 §3.3)."""
    new_user(scim)
    response = scim.post("Users", {"schemas": [USER], "userName": "bjensen"})
    assert response.status_code == 409


def test_create_after_hard_delete_gets_a_new_id(scim):
    """RFC 7644 §3.3 / §3.6: after a hard delete the same userName creates a new resource."""
    user = new_user(scim)
    scim.delete(f"Users/{user['id']}")
    again = new_user(scim)
    assert again["id"] != user["id"]


# -- signals -------------------------------------------------------------------------------------


def test_created_signal(scim, scim_client_record, recorder, django_capture_on_commit_callbacks):
    """docs/signals.md: ``resource_created`` on POST, with the adapter class, resource type,
    instance, SCIM id and client."""
    with django_capture_on_commit_callbacks(execute=True):
        user = new_user(scim)
    assert recorder.names == ["created"]
    event = recorder.of("created")[0]
    assert event["sender"] is UserAdapter
    assert event["resource_type"] == "User"
    assert event["instance"].username == "bjensen"
    assert event["scim_id"] == user["id"]
    assert event["client"].pk == scim_client_record.pk


def test_replaced_signal(scim, scim_client_record, recorder, django_capture_on_commit_callbacks):
    """docs/signals.md: ``resource_replaced`` on PUT."""
    user = new_user(scim)
    with django_capture_on_commit_callbacks(execute=True):
        response = scim.put(
            f"Users/{user['id']}", {"schemas": [USER], "userName": "bjensen", "title": "Boss"}
        )
    assert response.status_code == 200
    assert recorder.names == ["replaced"]
    event = recorder.of("replaced")[0]
    assert (event["scim_id"], event["client"].pk) == (user["id"], scim_client_record.pk)
    assert event["instance"].username == "bjensen"


def test_patched_signal(scim, scim_client_record, recorder, django_capture_on_commit_callbacks):
    """docs/signals.md: ``resource_patched`` on PATCH."""
    user = new_user(scim)
    with django_capture_on_commit_callbacks(execute=True):
        response = scim.patch(
            f"Users/{user['id']}", ops({"op": "replace", "path": "title", "value": "Boss"})
        )
    assert response.status_code == 200
    assert recorder.names == ["patched"]
    event = recorder.of("patched")[0]
    assert (event["resource_type"], event["scim_id"]) == ("User", user["id"])
    assert event["client"].pk == scim_client_record.pk


def test_group_membership_change_sends_patched(
    scim, scim_client_record, recorder, django_capture_on_commit_callbacks
):
    """docs/signals.md: a group whose members change by PATCH sends ``resource_patched`` for
    the Group, once the memberships are committed."""
    user = new_user(scim)
    group = new_group(scim)
    seen = []

    def members_at_signal(sender, instance, **kwargs):
        seen.append(sorted(instance.user_set.values_list("username", flat=True)))

    signals.resource_patched.connect(members_at_signal)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = scim.patch(
                f"Groups/{group['id']}",
                ops({"op": "add", "path": "members", "value": [{"value": user["id"]}]}),
            )
    finally:
        signals.resource_patched.disconnect(members_at_signal)
    assert response.status_code == 200
    event = recorder.of("patched")[0]
    assert event["sender"] is GroupAdapter
    assert (event["resource_type"], event["scim_id"]) == ("Group", group["id"])
    assert event["instance"].name == "Staff"
    assert event["client"].pk == scim_client_record.pk
    assert seen == [["bjensen"]]


def test_deactivated_signal_on_deactivating_delete(
    scim, settings, scim_client_record, recorder, django_capture_on_commit_callbacks
):
    """docs/signals.md: ``resource_deactivated`` when DELETE deactivates; no
    ``resource_deleted``."""
    deactivate_mode(settings)
    user = new_user(scim)
    with django_capture_on_commit_callbacks(execute=True):
        scim.delete(f"Users/{user['id']}")
    assert recorder.names == ["deactivated"]
    event = recorder.of("deactivated")[0]
    assert (event["scim_id"], event["client"].pk) == (user["id"], scim_client_record.pk)
    assert event["instance"].is_active is False


@pytest.mark.parametrize(
    "payload",
    [
        ops({"op": "replace", "value": {"active": False}}),
        ops({"op": "Replace", "path": "active", "value": "False"}),
    ],
    ids=["okta", "entra"],
)
def test_deactivated_signal_on_patch(scim, recorder, django_capture_on_commit_callbacks, payload):
    """Okta and Entra deactivate by PATCH, never by DELETE (idp_quirks O-07, E-11): the
    deactivation is signalled as well as the patch."""
    user = new_user(scim)
    with django_capture_on_commit_callbacks(execute=True):
        scim.patch(f"Users/{user['id']}", payload)
    assert sorted(recorder.names) == ["deactivated", "patched"]
    with django_capture_on_commit_callbacks(execute=True):
        scim.patch(f"Users/{user['id']}", payload)
    assert recorder.names.count("deactivated") == 1  # already inactive: no second signal


def test_deactivated_signal_on_put(scim, recorder, django_capture_on_commit_callbacks):
    """App Integration Wizard apps deactivate with PUT ``active: false`` (idp_quirks O-06)."""
    user = new_user(scim)
    with django_capture_on_commit_callbacks(execute=True):
        scim.put(f"Users/{user['id']}", {"schemas": [USER], "userName": "bjensen", "active": False})
    assert sorted(recorder.names) == ["deactivated", "replaced"]


def test_deleted_signal(scim, scim_client_record, recorder, django_capture_on_commit_callbacks):
    """docs/signals.md: ``resource_deleted`` when DELETE removes the resource."""
    user = new_user(scim)
    with django_capture_on_commit_callbacks(execute=True):
        scim.delete(f"Users/{user['id']}")
    assert recorder.names == ["deleted"]
    event = recorder.of("deleted")[0]
    assert (event["sender"], event["resource_type"]) == (UserAdapter, "User")
    assert event["client"].pk == scim_client_record.pk
    assert event["instance"].username == "bjensen"


def test_deleted_signal_carries_the_scim_id(scim, recorder, django_capture_on_commit_callbacks):
    """docs/signals.md: every signal carries ``scim_id``; for a deletion it is the id the
    client used, so a receiver can tell which resource went."""
    user = new_user(scim)
    with django_capture_on_commit_callbacks(execute=True):
        scim.delete(f"Users/{user['id']}")
    assert recorder.of("deleted")[0]["scim_id"] == user["id"]


def test_deleted_signal_instance_keeps_its_primary_key(
    scim, recorder, django_capture_on_commit_callbacks
):
    """docs/signals.md: ``instance`` is the site object; for a deletion a receiver needs its
    primary key to clean up what refers to it (as Django's post_delete provides)."""
    user = new_user(scim)
    pk = User.objects.get(username="bjensen").pk
    with django_capture_on_commit_callbacks(execute=True):
        scim.delete(f"Users/{user['id']}")
    assert recorder.of("deleted")[0]["pk"] == pk


def test_signals_wait_for_the_commit(scim, recorder, django_capture_on_commit_callbacks):
    """docs/signals.md: signals are sent after the transaction commits — nothing is sent
    while the request runs; the callbacks queued for the commit send them."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        new_user(scim)
    assert recorder.names == []
    assert callbacks
    for callback in callbacks:
        callback()
    assert recorder.names == ["created"]


@pytest.mark.django_db(transaction=True)
def test_signals_are_sent_outside_the_transaction(scim, recorder):
    """docs/signals.md: with real commits, each signal arrives after its transaction, so a
    receiver sees committed data and runs outside any atomic block."""
    user = new_user(scim)
    scim.patch(f"Users/{user['id']}", ops({"op": "replace", "path": "title", "value": "B"}))
    scim.delete(f"Users/{user['id']}")
    assert recorder.names == ["created", "patched", "deleted"]
    assert all(kwargs["in_atomic_block"] is False for _, kwargs in recorder.events)


def test_no_signal_for_rejected_patch(scim, recorder, django_capture_on_commit_callbacks):
    """docs/signals.md with RFC 7644 §3.5.2 (all or nothing): a PATCH whose last operation
    fails sends nothing."""
    user = new_user(scim)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = scim.patch(
            f"Users/{user['id']}",
            ops(
                {"op": "replace", "path": "active", "value": False},
                {"op": "replace", "path": "title", "value": "Boss"},
                {"op": "remove", "path": 'emails[type eq "none"]'},
            ),
        )
    assert response.status_code == 400
    assert callbacks == []
    assert recorder.names == []
    assert User.objects.get(username="bjensen").is_active is True


def test_no_signal_for_rejected_create(scim, recorder, django_capture_on_commit_callbacks):
    """docs/signals.md: a duplicate POST (409) and an invalid one (400) send nothing."""
    new_user(scim)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert scim.post("Users", {"schemas": [USER], "userName": "bjensen"}).status_code == 409
        assert scim.post("Users", {"schemas": [USER], "title": "x"}).status_code == 400
    assert callbacks == []
    assert recorder.names == []


def test_no_signal_for_rejected_put_or_group_patch(
    scim, recorder, django_capture_on_commit_callbacks
):
    """docs/signals.md: a PUT that fails validation and a group PATCH naming an unknown
    member send nothing."""
    user = new_user(scim)
    group = new_group(scim)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = scim.put(f"Users/{user['id']}", {"schemas": [USER], "active": "maybe"})
        assert response.status_code == 400
        response = scim.patch(
            f"Groups/{group['id']}",
            ops(
                {"op": "add", "path": "members", "value": [{"value": user["id"]}]},
                {
                    "op": "add",
                    "path": "members",
                    "value": [{"value": "3f9f3d8e-0000-4000-8000-000000000000"}],
                },
            ),
        )
        assert response.status_code == 400
    assert callbacks == []
    assert recorder.names == []


# -- the docs/signals.md example receiver ---------------------------------------------------------


def end_sessions(sender, resource_type, instance, **kwargs):
    """The receiver docs/signals.md shows, verbatim in behaviour."""
    if resource_type != "User":
        return
    for session in Session.objects.iterator():
        if session.get_decoded().get("_auth_user_id") == str(instance.pk):
            session.delete()


def login_session(user) -> str:
    store = SessionStore()
    store["_auth_user_id"] = str(user.pk)
    store.create()
    return store.session_key


@pytest.fixture
def session_receiver() -> Iterator[None]:
    signals.resource_deactivated.connect(end_sessions)
    yield
    signals.resource_deactivated.disconnect(end_sessions)


@pytest.mark.parametrize("how", ["delete", "patch"])
def test_example_receiver_ends_sessions_of_deactivated_user(
    scim, settings, session_receiver, django_capture_on_commit_callbacks, how
):
    """docs/signals.md example: every session of the deactivated user ends; other users'
    sessions stay (DELETE in "deactivate" mode, or Okta's PATCH ``active: false``)."""
    deactivate_mode(settings)
    user = new_user(scim)
    new_user(scim, "other")
    mine = login_session(User.objects.get(username="bjensen"))
    theirs = login_session(User.objects.get(username="other"))
    with django_capture_on_commit_callbacks(execute=True):
        if how == "delete":
            response = scim.delete(f"Users/{user['id']}")
        else:
            response = scim.patch(
                f"Users/{user['id']}", ops({"op": "replace", "value": {"active": False}})
            )
    assert response.status_code in (200, 204)
    assert not Session.objects.filter(session_key=mine).exists()
    assert Session.objects.filter(session_key=theirs).exists()


def test_example_receiver_ignores_groups(
    scim, settings, session_receiver, django_capture_on_commit_callbacks
):
    """docs/signals.md example: the receiver returns early for other resource types."""
    deactivate_mode(settings)
    new_user(scim)
    theirs = login_session(User.objects.get(username="bjensen"))
    group = new_group(scim)
    with django_capture_on_commit_callbacks(execute=True):
        assert scim.delete(f"Groups/{group['id']}").status_code == 204
    assert Session.objects.filter(session_key=theirs).exists()


def test_revival_is_signalled_once_with_the_old_id(
    scim, settings, recorder, django_capture_on_commit_callbacks
):
    """docs/settings.md REVIVE_ON_CREATE with docs/signals.md: the revived user is announced
    with its original SCIM id, active again."""
    deactivate_mode(settings)
    user = new_user(scim)
    scim.delete(f"Users/{user['id']}")
    with django_capture_on_commit_callbacks(execute=True):
        assert scim.post("Users", {"schemas": [USER], "userName": "bjensen"}).status_code == 201
    assert len(recorder.events) == 1
    event = recorder.events[0][1]
    assert event["scim_id"] == user["id"]
    assert event["instance"].is_active is True
