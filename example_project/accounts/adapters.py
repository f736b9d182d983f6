"""Serving a custom user model: the stock user adapter plus two enterprise-extension columns.

Everything else in the enterprise extension (costCenter, manager, ...) still
round-trips through the side table; only these two land in real columns, so
the site can query and display them.
"""

from __future__ import annotations

from typing import ClassVar

from django_scim.adapters.fields import Column, Mapping
from django_scim.adapters.users import UserAdapter
from django_scim.constants import ENTERPRISE_USER_SCHEMA


class EmployeeUserAdapter(UserAdapter):
    fields: ClassVar[dict[str, Mapping]] = {
        **UserAdapter.fields,
        f"{ENTERPRISE_USER_SCHEMA}:employeeNumber": Column("employee_number"),
        f"{ENTERPRISE_USER_SCHEMA}:department": Column("department"),
    }
