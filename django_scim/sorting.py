"""``sortBy`` / ``sortOrder`` pushed down to the database (RFC 7644 §3.4.2.3).

Any singular attribute or sub-attribute sorts, wherever it is stored: the
mapping that stores it gives the expression. A multi-valued attribute sorts
by its primary (else first) value; strings that are not caseExact sort
case-insensitively; the primary key breaks ties so paging stays stable.
Absent values sort last in both orders.
"""

from __future__ import annotations

from typing import Any, Protocol

from django.db.models import F
from django.db.models.expressions import OrderBy
from django.db.models.functions import Lower

from django_scim.errors import InvalidValue
from django_scim.filters.compare import STRING_TYPES
from django_scim.paths import AttributePath, UnknownAttribute, parse_path
from django_scim.schemas.registry import ResourceType

ORDERS = {"ascending": False, "descending": True}


class Storage(Protocol):
    @property
    def resource_type(self) -> ResourceType: ...

    def mapping_for(self, path: AttributePath) -> Any: ...


def parse_sort_order(value: Any) -> bool:
    """True for descending."""
    if value in (None, ""):
        return False
    if not isinstance(value, str) or value.lower() not in ORDERS:
        raise InvalidValue("sortOrder must be 'ascending' or 'descending'.")
    return ORDERS[value.lower()]


def order_by(storage: Storage, sort_by: str, descending: bool) -> list[OrderBy]:
    expression, never_absent = sort_key(storage, sort_by)
    pk = F("pk").desc() if descending else F("pk").asc()
    # Plain ordering when the value is never absent (userName): then the
    # database can walk the expression index (with the key) instead of sorting.
    nulls_last = None if never_absent else True
    if descending:
        return [expression.desc(nulls_last=nulls_last), pk]
    return [expression.asc(nulls_last=nulls_last), pk]


def sort_key(storage: Storage, sort_by: str) -> tuple[Any, bool]:
    """The expression to sort by, and whether it is never absent (a required column)."""
    try:
        path = parse_path(sort_by, storage.resource_type)
    except UnknownAttribute:
        raise InvalidValue(f"Cannot sort by unknown attribute '{sort_by}'.") from None
    attribute = path.attribute
    if attribute is None:
        raise InvalidValue(f"Cannot sort by '{sort_by}'.")
    if attribute.is_complex and path.sub_attribute is None:
        implied = attribute.sub_attribute("value")
        if implied is None:
            raise InvalidValue(
                f"Cannot sort by complex attribute '{sort_by}'; name a sub-attribute."
            )
        path = AttributePath(path.schema, attribute, implied, path.is_extension)
    target = path.sub_attribute or attribute
    expression, never_absent = storage.mapping_for(path).sort_key(storage, path, target)
    if target.type in STRING_TYPES and not target.case_exact:
        expression = Lower(expression)
    return expression, never_absent
