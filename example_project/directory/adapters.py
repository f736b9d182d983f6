"""The stock user adapter with two custom mappings (example_project.directory.mappings).

To serve it, name it in settings instead of the stock one::

    SCIM = {"ADAPTERS": [
        "example_project.directory.adapters.DirectoryUserAdapter",
        "django_scim.adapters.groups.GroupAdapter",
    ]}

tests/test_custom_mappings.py does exactly that.
"""

from __future__ import annotations

from typing import ClassVar

from django.db.models import Model

from django_scim.adapters.fields import Column, ManyToMany, Mapping
from django_scim.adapters.groups import GroupAdapter
from django_scim.adapters.users import UserAdapter
from example_project.directory.mappings import FullName, ProfileField
from example_project.directory.models import Team


class DirectoryUserAdapter(UserAdapter):
    fields: ClassVar[dict[str, Mapping]] = {
        **UserAdapter.fields,
        "preferredLanguage": ProfileField("preferred_language"),
        "name.formatted": FullName("first_name", "last_name"),
    }


class NestedGroupAdapter(GroupAdapter):
    """Groups whose members are groups (``Team.subteams``), served as the Group type."""

    description = "Group of groups"
    fields: ClassVar[dict[str, Mapping]] = {
        "displayName": Column("name"),
        "members": ManyToMany("subteams", "Group"),
    }

    @classmethod
    def get_model(cls) -> type[Model]:
        return Team
