"""The default adapter for ``django.contrib.auth.models.Group``."""

from __future__ import annotations

from typing import ClassVar

from django.contrib.auth.models import Group
from django.db.models import Model

from django_scim.adapters.base import ResourceAdapter
from django_scim.adapters.fields import Column, ManyToMany, Mapping
from django_scim.schemas.core import GROUP


class GroupAdapter(ResourceAdapter):
    """displayName<->name (per tenant, as the name is unique site-wide), members<->user_set."""

    resource_type_name = "Group"
    endpoint = "/Groups"
    description = "Group"
    schema = GROUP
    fields: ClassVar[dict[str, Mapping]] = {
        "displayName": Column("name", per_tenant=True),
        "members": ManyToMany("user_set", "User"),
    }

    @classmethod
    def get_model(cls) -> type[Model]:
        return Group

    display_field = "name"

    def display(self, obj: Model) -> str:
        return self.shown_name(obj.name)  # type: ignore[attr-defined]
