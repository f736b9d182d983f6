"""The Enterprise User extension (RFC 7643 §4.3, §8.7.1)."""

from __future__ import annotations

from django_scim.constants import ENTERPRISE_USER_SCHEMA
from django_scim.schemas.attributes import Schema, complex_, reference, string
from django_scim.schemas.characteristics import Mutability

ENTERPRISE_USER = Schema(
    id=ENTERPRISE_USER_SCHEMA,
    name="EnterpriseUser",
    description="Enterprise User",
    attributes=(
        string("employeeNumber", "A string identifier, typically numeric or alphanumeric."),
        string("costCenter", "The name of a cost center."),
        string("organization", "The name of an organization."),
        string("division", "The name of a division."),
        string("department", "The name of a department."),
        complex_(
            "manager",
            (
                # An id, so caseExact (verified erratum 8472 to RFC 7643 §8.7.1).
                string(
                    "value",
                    "The id of the SCIM resource representing the manager.",
                    case_exact=True,
                ),
                reference("$ref", ("User",), "The URI of the manager's resource."),
                string(
                    "displayName", "The manager's display name.", mutability=Mutability.READ_ONLY
                ),
            ),
            "The user's manager.",
        ),
    ),
)
