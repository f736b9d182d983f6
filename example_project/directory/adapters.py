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

from django_scim.adapters.fields import Mapping
from django_scim.adapters.users import UserAdapter
from example_project.directory.mappings import FullName, ProfileField


class DirectoryUserAdapter(UserAdapter):
    fields: ClassVar[dict[str, Mapping]] = {
        **UserAdapter.fields,
        "preferredLanguage": ProfileField("preferred_language"),
        "name.formatted": FullName("first_name", "last_name"),
    }
