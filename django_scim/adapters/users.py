"""The default adapter for ``AUTH_USER_MODEL`` (``django.contrib.auth`` fields)."""

from __future__ import annotations

from typing import ClassVar

from django.contrib.auth import get_user_model
from django.db.models import Model

from django_scim.adapters.base import ResourceAdapter
from django_scim.adapters.fields import Column, ManyToMany, Mapping, Password, PrimaryValue
from django_scim.schemas.core import USER
from django_scim.schemas.enterprise import ENTERPRISE_USER


class UserAdapter(ResourceAdapter):
    """userName<->username (unique, case-insensitively), name<->first/last_name,
    primary email<->email, active<->is_active, password -> set_password, groups read-only.
    """

    resource_type_name = "User"
    endpoint = "/Users"
    description = "User Account"
    schema = USER
    extensions = (ENTERPRISE_USER,)
    fields: ClassVar[dict[str, Mapping]] = {
        "userName": Column("username", per_tenant=True),
        "name.givenName": Column("first_name"),
        "name.familyName": Column("last_name"),
        "emails": PrimaryValue("email"),
        "active": Column("is_active", keep_if_missing=True),
        "password": Password(),
        "groups": ManyToMany("groups", "Group", element_type="direct", read_only=True),
    }
    created_field = "date_joined"
    active_field = "is_active"

    @classmethod
    def get_model(cls) -> type[Model]:
        return get_user_model()

    display_field = "username"

    def display(self, obj: Model) -> str:
        return self.shown_name(obj.get_username())  # type: ignore[attr-defined]

    def detach(self, obj: Model) -> None:
        """A user leaving the tenant (DELETE_MODE "detach") leaves the tenant's groups."""
        groups = self.related("Group")
        if groups is not None:
            mine = obj.groups.filter(pk__in=groups.scoped_queryset().values("pk"))  # type: ignore[attr-defined]
            obj.groups.remove(*mine)  # type: ignore[attr-defined]

    def on_deactivate(self, obj: Model) -> None:
        """A deleted user leaves its groups, whether the row goes or stays."""
        obj.groups.clear()  # type: ignore[attr-defined]
