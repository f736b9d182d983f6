"""Each write's change set: attribute path, before, after; secrets redacted.

docs/provisioning-log.md ("What changed"): the writer records what a write
changed, the view hands it to its response, and the log row keeps it, so a
user's history needs no re-computation.
"""

from __future__ import annotations

from django_scim.constants import GROUP_SCHEMA, USER_SCHEMA
from django_scim.models import ProvisioningLog
from tests.conftest import body, ops


def last_changes() -> list[dict]:
    return ProvisioningLog.objects.order_by("-pk").first().changes


def create_user(scim, **extra) -> str:
    payload = {"schemas": [USER_SCHEMA], "userName": "bjensen", **extra}
    response = scim.post("Users", payload)
    assert response.status_code == 201
    return body(response)["id"]


def test_create_records_each_attribute_sent(scim):
    create_user(scim, name={"givenName": "Barbara"})
    assert {"path": "name.givenName", "before": None, "after": "Barbara"} in last_changes()


def test_patch_records_before_and_after(scim):
    """RFC 7644 §3.5.2.3 replace: the old value and the new one."""
    scim_id = create_user(scim, name={"givenName": "Barbara"})
    scim.patch(
        f"Users/{scim_id}", ops({"op": "replace", "path": "name.givenName", "value": "Babs"})
    )
    assert last_changes() == [{"path": "name.givenName", "before": "Barbara", "after": "Babs"}]


def test_patch_deactivation_records_active(scim, sample):
    """Entra's "Disable User" (a "False" string) shows as active true -> false."""
    scim_id = create_user(scim, active=True)
    scim.patch(f"Users/{scim_id}", sample("entra-disable-user.json"))
    assert last_changes() == [{"path": "active", "before": True, "after": False}]


def test_put_records_only_what_differs(scim):
    scim_id = create_user(scim, displayName="Babs", title="Tour Guide")
    scim.put(
        f"Users/{scim_id}",
        {"schemas": [USER_SCHEMA], "userName": "bjensen", "displayName": "Babs", "title": "CEO"},
    )
    assert last_changes() == [{"path": "title", "before": "Tour Guide", "after": "CEO"}]


def test_put_records_a_password_set_redacted(scim):
    scim_id = create_user(scim)
    scim.put(
        f"Users/{scim_id}",
        {"schemas": [USER_SCHEMA], "userName": "bjensen", "password": "n3w-Secret-value"},
    )
    changes = last_changes()
    assert {"path": "password", "before": "********", "after": "********"} in changes
    assert "n3w-Secret-value" not in str(changes)


def test_create_redacts_the_password(scim):
    create_user(scim, password="t0p-Secret-value")
    changes = last_changes()
    assert {"path": "password", "before": None, "after": "********"} in changes
    assert "t0p-Secret-value" not in str(changes)


def test_patch_of_members_records_the_ids_added(scim):
    """RFC 7644 §3.5.2.1: add members; the ids sent are recorded."""
    user_id = create_user(scim)
    group = scim.post("Groups", {"schemas": [GROUP_SCHEMA], "displayName": "Tour Guides"})
    group_id = body(group)["id"]
    scim.patch(
        f"Groups/{group_id}", ops({"op": "add", "path": "members", "value": [{"value": user_id}]})
    )
    assert last_changes() == [{"path": "members", "op": "add", "value": [user_id]}]


def test_delete_in_deactivate_mode_records_active(scim, settings):
    settings.SCIM = {"DELETE_MODE": "deactivate"}
    scim_id = create_user(scim, active=True)
    scim.delete(f"Users/{scim_id}")
    assert last_changes() == [{"path": "active", "before": True, "after": False}]


def test_reads_record_no_changes(scim):
    scim_id = create_user(scim)
    scim.get(f"Users/{scim_id}")
    assert last_changes() == []


def test_refused_write_records_no_changes(scim):
    """A write that fails changed nothing, and its row says so."""
    scim_id = create_user(scim)
    scim.patch(f"Users/{scim_id}", ops({"op": "replace", "path": "userName", "value": 5}))
    assert last_changes() == []
