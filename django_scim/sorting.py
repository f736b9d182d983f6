"""``sortBy`` / ``sortOrder`` pushed down to the database (RFC 7644 §3.4.2.3).

Any singular attribute or sub-attribute sorts, wherever it is stored;
a multi-valued attribute sorts by its primary (else first) value; strings
that are not caseExact sort case-insensitively; the primary key breaks ties
so paging stays stable. Absent values sort last in both orders.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Case, CharField, F, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.expressions import OrderBy
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Lower, NullIf

from django_scim.adapters import records
from django_scim.adapters.fields import Column, ManyToMany, PrimaryValue
from django_scim.errors import InvalidValue
from django_scim.filters.compare import STRING_TYPES
from django_scim.models import ResourceElement, ResourceRecord
from django_scim.paths import AttributePath, UnknownAttribute, parse_path
from django_scim.schemas.attributes import Attribute

if TYPE_CHECKING:
    from django_scim.adapters.base import ResourceAdapter

ORDERS = {"ascending": False, "descending": True}


def parse_sort_order(value: Any) -> bool:
    """True for descending."""
    if value in (None, ""):
        return False
    if not isinstance(value, str) or value.lower() not in ORDERS:
        raise InvalidValue("sortOrder must be 'ascending' or 'descending'.")
    return ORDERS[value.lower()]


def order_by(adapter: ResourceAdapter, sort_by: str, descending: bool) -> list[OrderBy]:
    expression, never_absent = _sort_key(adapter, sort_by)
    pk = F("pk").desc() if descending else F("pk").asc()
    # Plain ordering when the value is never absent (userName): then the
    # database can walk the expression index (with the key) instead of sorting.
    nulls_last = None if never_absent else True
    if descending:
        return [expression.desc(nulls_last=nulls_last), pk]
    return [expression.asc(nulls_last=nulls_last), pk]


def _sort_key(adapter: ResourceAdapter, sort_by: str) -> tuple[Any, bool]:
    """The expression to sort by, and whether it is never absent (a required column)."""
    try:
        path = parse_path(sort_by, adapter.resource_type)
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
    mapping = adapter.mapping_for(path)
    never_absent = (
        target.required
        and isinstance(mapping, Column)
        and not adapter.get_model()._meta.get_field(mapping.field).null
    )
    expression = F(mapping.field) if never_absent else _stored(adapter, path)  # type: ignore[union-attr]
    if target.type in STRING_TYPES and not target.case_exact:
        expression = Lower(expression)
    return expression, never_absent


def _record_value(adapter: ResourceAdapter, value: Any) -> Subquery:
    rows = ResourceRecord.objects.filter(
        resource_type=adapter.resource_type_name,
        object_pk=Cast(OuterRef("pk"), output_field=CharField()),
    )
    return Subquery(rows.values_list(value, flat=True)[:1])


def _stored(adapter: ResourceAdapter, path: AttributePath) -> Any:
    attribute = path.attribute
    assert attribute is not None
    common = _common(adapter, path)
    if common is not None:
        return common
    mapping = adapter.mapping_for(path)
    target = path.sub_attribute or attribute
    if isinstance(mapping, PrimaryValue) and target.name != "value":
        # The column holds only the value; other sub-attributes live in element rows.
        return _first_element(adapter, path)
    if isinstance(mapping, (Column, PrimaryValue)):
        # A blank column is an absent value, and absent values sort last.
        if target.type in STRING_TYPES:
            return NullIf(F(mapping.field), Value(""))
        return F(mapping.field)
    if isinstance(mapping, ManyToMany) or mapping is not None:
        raise InvalidValue(f"Cannot sort by '{path}'.")
    if attribute.multi_valued:
        return _first_element(adapter, path)
    from django_scim.filters.to_q import _json_key

    return _record_value(adapter, KT(f"attributes__{_json_key(path)}"))


def _common(adapter: ResourceAdapter, path: AttributePath) -> Any:
    if path.is_extension or path.attribute is None:
        return None
    name = path.attribute.name
    sub = path.sub_attribute.name if path.sub_attribute else None
    if name == "id":
        return _record_value(adapter, "id")
    if name == "externalId":
        return _record_value(adapter, "external_id")
    if name != "meta":
        return None
    if sub == "created":
        return (
            F(adapter.created_field) if adapter.created_field else _record_value(adapter, "created")
        )
    if sub == "lastModified":
        return _record_value(adapter, "last_modified")
    if sub == "resourceType":
        return Value(adapter.resource_type_name)
    raise InvalidValue(f"Cannot sort by 'meta.{sub}'.")


def _first_element(adapter: ResourceAdapter, path: AttributePath) -> Subquery:
    """The primary element's (else the first element's) sub-attribute, as text."""
    sub: Attribute | None = path.sub_attribute
    assert sub is not None
    rows = ResourceElement.objects.filter(
        attribute=records.path_element_key(path),
        record__resource_type=adapter.resource_type_name,
        record__object_pk=Cast(OuterRef("pk"), output_field=CharField()),
    ).order_by(
        Case(
            When(data__primary=True, then=Value(0)), default=Value(1), output_field=IntegerField()
        ),
        "position",
    )
    return Subquery(rows.values_list(KT(f"data__{sub.name}"), flat=True)[:1])
