"""Storage in the site's own columns: ``Column``, ``PrimaryValue`` and ``Password``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db.models import F, Model, Q, Value
from django.db.models.functions import Lower, NullIf, Substr
from django.db.models.lookups import In, IsNull

from django_scim import locks
from django_scim.conf import scim_settings
from django_scim.errors import InvalidValue, Uniqueness
from django_scim.filters.compare import STRING_TYPES, absent_matches, compare, present
from django_scim.filters.to_q import Scope
from django_scim.filters.values import compare_values
from django_scim.paths import AttributePath
from django_scim.schemas.attributes import Attribute
from django_scim.schemas.characteristics import Uniqueness as U
from django_scim.storage import records
from django_scim.storage.base import ElementBuilder, Mapping, Owner
from django_scim.storage.side_table import ElementScope, first_element


def check_length(obj: Model, name: str, value: Any) -> None:
    """A string longer than its column is invalidValue on every database.

    SQLite would store it and PostgreSQL refuse it; either way the answer
    would depend on the database rather than on the request.
    """
    max_length = getattr(obj._meta.get_field(name), "max_length", None)
    if isinstance(value, str) and max_length and len(value) > max_length:
        raise InvalidValue(f"Value is longer than {max_length} characters.")


def field_default(obj: Model, name: str) -> Any:
    """What an unassigned value leaves in the column: NULL, the field's default, or ""."""
    field = obj._meta.get_field(name)
    if getattr(field, "null", False):
        return None
    if getattr(field, "has_default", lambda: False)():
        return field.get_default()  # type: ignore[union-attr]
    return ""


def scim_scalar(value: Any) -> Any:
    """A column's value as SCIM shows it: blank is absent, dates are ISO 8601 text."""
    if value in ("", None):
        return None
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def column_sort_key(owner: Owner, field: str, target: Attribute) -> tuple[Any, bool]:
    """A column to sort by; absent (blank or NULL) values sort last, and a required,
    non-null column is never absent (then the database can walk its index)."""
    if target.required and not owner.get_model()._meta.get_field(field).null:
        return F(field), True
    if target.type in STRING_TYPES:
        return NullIf(F(field), Value("")), False
    return F(field), False


class Column(Mapping):
    """A singular attribute or sub-attribute stored in one model field.

    ``keep_if_missing`` keeps the current value when a PUT omits the attribute:
    right for ``active``, which no client means to flip by leaving it out.

    ``per_tenant``: the column is unique across the site (``auth.User.username``)
    while the attribute is unique per tenant (RFC 7643 §7, RFC 7644 §6). A
    tenant's values are stored behind the adapter's ``tenant_name_prefix()``
    (``acme+bjensen``) and shown, filtered and sorted without it, so two tenants
    can each have a ``bjensen``.
    """

    def __init__(self, field: str, keep_if_missing: bool = False, per_tenant: bool = False) -> None:
        self.field = field
        self.keep_if_missing = keep_if_missing
        self.per_tenant = per_tenant

    def _prefix(self, owner: Owner) -> str:
        if not self.per_tenant or not owner.tenant:
            return ""
        return owner.tenant_name_prefix()

    def read(self, owner: Owner, obj: Model, stored: Any, cache: dict[Any, Any]) -> Any:
        value = getattr(obj, self.field)
        if self._prefix(owner) and isinstance(value, str):
            value = owner.shown_name(value)
        return scim_scalar(value)

    def write(self, owner: Owner, obj: Model, value: Any, creating: bool) -> None:
        if value is None:
            if self.keep_if_missing:
                return
            value = field_default(obj, self.field)
        elif isinstance(value, str) and value and getattr(obj, self.field) != value:
            # A name the site stored without the prefix (a member it added itself) and
            # sent back unchanged stays as it is; any other is stored behind the prefix.
            value = self._prefix(owner) + value
        check_length(obj, self.field, value)
        setattr(obj, self.field, value)

    def check_unique(self, owner: Owner, obj: Model, value: Any, attribute: Attribute) -> None:
        """Unique among all rows of the table, compared as filters compare (RFC 7643 §2.2:
        case-insensitively unless caseExact). Concurrent claims of one value are
        serialised by a lock on the value held until the transaction ends."""
        if value in (None, "") or attribute.uniqueness is U.NONE:
            return
        shown = value
        value = getattr(obj, self.field)  # as stored: behind the tenant's prefix, if any
        folded = value if attribute.case_exact or not isinstance(value, str) else value.lower()
        model = type(obj)
        locks.hold_value(model, owner.resource_type_name, self.field, str(folded))
        others = model._base_manager.filter(compare(self.field, "eq", value, attribute))
        if obj.pk is not None:
            others = others.exclude(pk=obj.pk)
        if others.exists():
            raise Uniqueness(f"{attribute.name} '{shown}' is already in use.")

    def condition(
        self, owner: Owner, path: AttributePath, target: Attribute, op: str | None, value: Any
    ) -> Q:
        if op is None:
            return present(self.field, target)
        prefix = self._prefix(owner)
        if not prefix or not isinstance(value, str) or not value:
            return compare(self.field, op, value, target)
        if op in ("co", "ew"):  # within the name, never matching the prefix itself
            return compare(Substr(F(self.field), len(prefix) + 1), op, value, target)
        if op in ("eq", "ne"):
            # The tenant's names, and those the site stored without the prefix (members
            # it added itself): one IN, two probes of the column's index.
            column: Any = F(self.field)
            names: list[Any] = [prefix + value, value]
            if not target.case_exact:
                column = Lower(column)
                # SQL's LOWER and str.lower agree on ASCII; other text is folded by SQL.
                ascii_only = all(name.isascii() for name in names)
                names = [n.lower() if ascii_only else Lower(Value(n)) for n in names]
            found = Q(In(column, names))  # a name sent is never empty: never NULL either
            return found if op == "eq" else ~(found & Q(IsNull(F(self.field), False)))
        # sw and the orderings compare whole stored values: the index serves them.
        return compare(self.field, op, prefix + value, target)

    def sort_key(self, owner: Owner, path: AttributePath, target: Attribute) -> tuple[Any, bool]:
        return column_sort_key(owner, self.field, target)


class Password(Mapping):
    """Write-only: hashed with the site's password hashers, never returned."""

    def read(self, owner: Owner, obj: Model, stored: Any, cache: dict[Any, Any]) -> Any:
        return None

    def write(self, owner: Owner, obj: Model, value: Any, creating: bool) -> None:
        if value and scim_settings.ACCEPT_PASSWORDS:
            obj.set_password(value)  # type: ignore[attr-defined]
        elif creating and hasattr(obj, "set_unusable_password"):
            obj.set_unusable_password()


class ColumnElementScope(Scope):
    """The element whose value a model column holds (``PrimaryValue``).

    Its value is the column (which wins over the side table, so edits made
    outside SCIM are searched as shown). Its other sub-attributes are in its
    element row, marked ``in_column``; an object without such a row (made
    outside SCIM) shows ``{"value": <column>, "primary": true}`` and nothing else.
    Every leaf speaks of this one element, so and/or/not combine them exactly.
    """

    def __init__(self, mapping: PrimaryValue, owner: Owner, key: str) -> None:
        self.mapping = mapping
        self.owner = owner
        self.key = key

    def _marked(self, condition: Q) -> Q:
        model, name = self.owner.get_model(), self.owner.namespace
        marked = Q(attribute=self.key, in_column=True) & condition
        return Q(pk__in=records.element_owners(model, name, marked))

    def leaf(self, sub: Attribute, op: str | None, value: Any) -> Q:
        field = self.mapping.field
        if sub.name == self.mapping.sub:
            return present(field, sub) if op is None else compare(field, op, value, sub)
        if sub.name == "primary":  # shown as true where there is no row
            unmarked_matches = op is None or compare_values(True, op, value, True)
        else:
            unmarked_matches = op is not None and absent_matches(op, value)
        q = self._marked(ElementScope().leaf(sub, op, value))
        return q | ~self._marked(Q()) if unmarked_matches else q


class PrimaryValue(Mapping):
    """A multi-valued attribute whose primary (or first) value lives in a column.

    The full list is kept in the side table; the column always wins for the
    primary value, so an edit made outside SCIM (e.g. in the admin) shows up.
    """

    keep_in_record = True

    def __init__(self, field: str, sub_attribute: str = "value") -> None:
        self.field = field
        self.sub = sub_attribute

    def read(self, owner: Owner, obj: Model, stored: Any, cache: dict[Any, Any]) -> Any:
        column = getattr(obj, self.field) or ""
        items = [dict(item) for item in stored or [] if isinstance(item, dict)]
        target = records.column_element(items)
        if target is None:
            return [{self.sub: column, "primary": True}] if column else None
        if column:
            target[self.sub] = column
        else:
            items.remove(target)
        return items or None

    def write(self, owner: Owner, obj: Model, value: Any, creating: bool) -> None:
        target = records.column_element(value or [])
        column = target.get(self.sub) if isinstance(target, dict) else None
        check_length(obj, self.field, column)
        setattr(obj, self.field, column or field_default(obj, self.field))

    def elements(self, owner: Owner, path: AttributePath, build: ElementBuilder) -> Q:
        # One IN over a UNION rather than ``IN (...) OR column = x``: an OR
        # with a subquery defeats the column's index and scans the table.
        model, name = owner.get_model(), owner.namespace
        key = records.path_element_key(path)
        rows = Q(attribute=key, in_column=False) & build(ElementScope())
        attribute = path.attribute
        assert attribute is not None
        exists = present(self.field, attribute.sub_attribute(self.sub) or attribute)
        column = build(ColumnElementScope(self, owner, key)) & exists
        owners = records.element_owners(model, name, rows).union(
            model._default_manager.filter(column).order_by().values("pk")
        )
        return Q(pk__in=owners)

    def sort_key(self, owner: Owner, path: AttributePath, target: Attribute) -> tuple[Any, bool]:
        if target.name != self.sub:
            # The column holds only the value; other sub-attributes live in element rows.
            return first_element(owner, path), False
        return column_sort_key(owner, self.field, target)
