"""Protected accounts: what no SCIM client may do to a site's administrators.

A read-write client holds the keys to every account it can see. For most
accounts that is the point of provisioning; for the site's own administrators
it is a takeover waiting to happen: a PUT that sets a superuser's password
lets anyone holding the token sign in as that superuser. So, for an account
the ``SCIM["PROTECTED_ACCOUNT"]`` predicate accepts (by default any staff or
superuser account), the writer refuses with 403 and changes nothing when a
write would

- set its password,
- rename it (its ``USERNAME_FIELD``) or change its e-mail address (whoever
  controls the address controls the account through password reset),
- change its privileges (``is_staff``, ``is_superuser``), including making an
  account staff or superuser that was not, or
- delete it.

Deactivation stays allowed (``active: false``, or DELETE in ``deactivate``
mode): an identity provider must still be able to offboard an administrator
who leaves, and a deactivated account can sign in nowhere.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Model

from django_scim.adapters.base import ResourceAdapter
from django_scim.conf import scim_settings
from django_scim.errors import ProtectedAccount

#: Columns whose change on a protected account is refused; those the model lacks are skipped.
PRIVILEGE_FIELDS = ("is_staff", "is_superuser")
SECRET_FIELDS = ("password",)


def is_staff_or_superuser(obj: Model) -> bool:
    """The default ``PROTECTED_ACCOUNT`` predicate."""
    return bool(getattr(obj, "is_staff", False) or getattr(obj, "is_superuser", False))


def is_protected(obj: Model) -> bool:
    """Whether the site's predicate protects ``obj`` (a user; never a group by default)."""
    predicate = scim_settings.PROTECTED_ACCOUNT
    return bool(predicate(obj)) if predicate is not None else False


def guarded_fields(model: type[Model]) -> dict[str, str]:
    """Column attname -> what changing it means, for the columns the model has."""
    names = {f.attname for f in model._meta.concrete_fields}
    guarded = dict.fromkeys(SECRET_FIELDS, "set the password of")
    guarded.update(dict.fromkeys(PRIVILEGE_FIELDS, "change the privileges of"))
    if model is get_user_model():
        guarded[model.USERNAME_FIELD] = "rename"
        guarded[model.get_email_field_name()] = "change the e-mail address of"
    return {name: action for name, action in guarded.items() if name in names}


def check_write(
    adapter: ResourceAdapter, obj: Model, was_protected: bool, before: dict[str, Any]
) -> None:
    """Refuse a write that changed a guarded column of an account protected before it
    or after it (so no client can make an account an administrator either)."""
    if not (was_protected or is_protected(obj)):
        return
    for name, action in guarded_fields(type(obj)).items():
        if getattr(obj, name) != before.get(name):
            raise ProtectedAccount.refusing(action, adapter.resource_type_name)


def check_delete(adapter: ResourceAdapter, obj: Model) -> None:
    """Refuse deleting a protected account (deactivating one is allowed)."""
    if is_protected(obj):
        raise ProtectedAccount.refusing("delete", adapter.resource_type_name)
