"""Protected accounts: no SCIM client may set a password on, delete, rename or change the
privileges of a staff or superuser account (SCIM["PROTECTED_ACCOUNT"]); deactivating one
stays possible, so an identity provider can still offboard an administrator.

docs/security.md ("Protected accounts"): such a write is 403 with a SCIM Error body,
nothing changes, and the provisioning log marks the row.
"""

from __future__ import annotations

from django.contrib.auth import authenticate, get_user_model

from django_scim.constants import USER_SCHEMA
from django_scim.identity import derived_id
from django_scim.models import ProvisioningLog
from tests.conftest import assert_scim_error, body, ops
from tests.factories import StaffUserFactory, SuperUserFactory, UserFactory

User = get_user_model()


def url(user) -> str:
    return f"Users/{derived_id('User', user.pk)}"


def put_body(user, **changes) -> dict:
    payload = {"schemas": [USER_SCHEMA], "userName": user.username, "active": True}
    payload.update(changes)
    return payload


def test_put_setting_a_superusers_password_is_403(scim):
    """The takeover of the issue: PUT with a password on a superuser is refused."""
    admin = SuperUserFactory(username="root")
    response = scim.put(url(admin), put_body(admin, password="attacker-chosen-1"))
    assert_scim_error(response, 403)


def test_refused_password_does_not_authenticate(scim):
    """Nothing changed: the password sent does not sign the superuser in."""
    admin = SuperUserFactory(username="root")
    scim.put(url(admin), put_body(admin, password="attacker-chosen-1"))
    assert authenticate(username="root", password="attacker-chosen-1") is None


def test_patch_setting_a_staff_password_is_403(scim):
    """PATCH reaches the same check as PUT (RFC 7644 §3.5.2)."""
    staff = StaffUserFactory()
    response = scim.patch(url(staff), ops({"op": "replace", "path": "password", "value": "x1"}))
    assert_scim_error(response, 403)


def test_deleting_a_superuser_is_403_and_keeps_the_row(scim):
    admin = SuperUserFactory()
    response = scim.delete(url(admin))
    assert_scim_error(response, 403)
    assert User.objects.filter(pk=admin.pk).exists()


def test_renaming_a_staff_account_is_403(scim):
    staff = StaffUserFactory(username="admin-alice")
    response = scim.patch(url(staff), ops({"op": "replace", "path": "userName", "value": "eve"}))
    assert_scim_error(response, 403)
    staff.refresh_from_db()
    assert staff.username == "admin-alice"


def test_changing_a_staff_email_is_403(scim):
    """Whoever controls the address controls the account through password reset."""
    staff = StaffUserFactory()
    response = scim.put(
        url(staff), put_body(staff, emails=[{"value": "eve@evil.test", "primary": True}])
    )
    assert_scim_error(response, 403)


def test_deactivating_a_superuser_is_allowed(scim):
    """Offboarding an administrator still works: active false is a 200."""
    admin = SuperUserFactory()
    response = scim.patch(url(admin), ops({"op": "replace", "path": "active", "value": False}))
    assert response.status_code == 200
    admin.refresh_from_db()
    assert admin.is_active is False


def test_delete_in_deactivate_mode_deactivates_a_superuser(scim, settings):
    settings.SCIM = {"DELETE_MODE": "deactivate"}
    admin = SuperUserFactory()
    assert scim.delete(url(admin)).status_code == 204
    admin.refresh_from_db()
    assert admin.is_active is False


def test_ordinary_users_password_can_still_be_set(scim):
    user = UserFactory(username="bob")
    response = scim.put(url(user), put_body(user, password="new-password-1"))
    assert response.status_code == 200
    assert authenticate(username="bob", password="new-password-1") is not None


def test_predicate_setting_widens_protection(scim, settings):
    """A site names its own predicate: here every user is protected."""
    settings.SCIM = {"PROTECTED_ACCOUNT": "tests.test_protection.everyone"}
    user = UserFactory()
    assert_scim_error(scim.delete(url(user)), 403)


def test_predicate_none_protects_no_one(scim, settings):
    settings.SCIM = {"PROTECTED_ACCOUNT": None}
    admin = SuperUserFactory()
    assert scim.delete(url(admin)).status_code == 204


def test_refusal_names_the_protection_in_its_detail(scim):
    admin = SuperUserFactory()
    detail = body(scim.delete(url(admin)))["detail"]
    assert detail.startswith("Protected account:")
    assert "deactivating it is allowed" in detail


def test_log_marks_the_refused_row(scim):
    admin = SuperUserFactory()
    scim.delete(url(admin))
    row = ProvisioningLog.objects.get(method="DELETE")
    assert (row.status, row.protected_account) == (403, True)


def test_log_leaves_other_403s_unmarked(read_only_scim):
    """A read-only client's write is 403 too, for another reason."""
    user = UserFactory()
    read_only_scim.delete(url(user))
    row = ProvisioningLog.objects.get(method="DELETE")
    assert (row.status, row.protected_account) == (403, False)


def everyone(obj) -> bool:
    return True
