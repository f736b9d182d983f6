"""The side table: a SCIM resource's id, externalId, attributes and timestamps.

``ResourceRecord`` keeps, per site object, what its model has no column for;
``ResourceElement`` keeps one row per element of its multi-valued attributes,
so that a value filter (``emails[type eq "work"]``) matches within one element
and equality on ``value`` uses an index. Both are keyed by resource type and
the object's primary key as text, so any model can be served unchanged.

Side rows are kept per *namespace*: the resource type, qualified by the
tenant for a client bound to one (RFC 7644 §6: ``User@acme``). One site
object has a separate id, externalId and attributes in each tenant it belongs
to, and ids derived for it differ per tenant, so no tenant can name another's
object.

An object need not have a side row: one made outside SCIM has none until SCIM
first writes it (its id is derived from its key, :mod:`django_scim.identity`).
Reads never create one. A page's side rows are read with one query by key, a
cheap statement to build and to run, rather than as subqueries of the page's
own query, which cost Django several times more to compose than to run. The
objects a page refers to (a group's members, a user's groups) need only their
ids: those come with the reference itself (:func:`id_of`), since reading whole
side rows (attributes, timestamps) for a thousand members costs more than the
subquery does to compose.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any
from uuid import UUID

from django.db.models import Exists, Model, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Cast

from django_scim import identity
from django_scim.models import ResourceElement, ResourceRecord
from django_scim.paths import AttributePath
from django_scim.storage import expressions

#: The attribute of a site object that carries its side row once read (see :func:`attach`).
ATTRIBUTE = "scim_record"

#: Element rows per INSERT: far below every backend's bound-parameter limit.
ELEMENTS_PER_INSERT = 100


@dataclass
class Record:
    """One object's side row as read (``id`` None: the object has none yet)."""

    id: UUID | None
    external_id: str | None
    attributes: dict[str, Any]
    created: datetime | None
    last_modified: datetime | None


def namespace(resource_type: str, tenant: str = "") -> str:
    """Where the SCIM identities of ``resource_type``'s objects are kept for ``tenant``:
    the type's name, or ``Type@tenant`` (ids derived from keys are derived from it too)."""
    return f"{resource_type}@{tenant}" if tenant else resource_type


def split(space: str) -> tuple[str, str]:
    """The resource type and tenant of a namespace (see :func:`namespace`)."""
    resource_type, _, tenant = space.partition("@")
    return resource_type, tenant


def rows_of(space: str) -> QuerySet:
    """The side rows of one namespace."""
    resource_type, tenant = split(space)
    return ResourceRecord.objects.filter(resource_type=resource_type, tenant=tenant)


def _own_rows(model: type[Model], space: str, key: str = "pk") -> QuerySet:
    """The side row in ``space`` of the outer query's ``model`` object, correlated on the
    outer column ``key`` (its own key, or a relation's far end)."""
    return rows_of(space).filter(object_pk=expressions.key_text(model, OuterRef(key)))


def new_row(space: str, object_pk: Any, **fields: Any) -> ResourceRecord:
    """Insert the side row of the object ``object_pk`` in ``space``."""
    resource_type, tenant = split(space)
    return ResourceRecord.objects.create(
        resource_type=resource_type, tenant=tenant, object_pk=str(object_pk), **fields
    )


@lru_cache(maxsize=256)
def belonging(model: type[Model], space: str) -> Exists:
    """Whether an object has a side row in ``space`` (the default membership of a
    tenant): one probe of the side table's unique index per object examined.

    Kept per (model, namespace): an expression is never changed by the queries
    using it (each resolves a copy), and building this one costs more than the
    index probe it runs.
    """
    return Exists(_own_rows(model, space))


#: Keys per IN list: well below every backend's bound-parameter limit.
CHUNK = 2000
_FIELDS = ("id", "external_id", "attributes", "created", "last_modified")
#: A listed chunk holds CHUNK parameters: one per query keeps each within every limit.
_CONDITIONS_PER_QUERY = 4


def fetch(wanted: dict[str, list[Any]]) -> dict[tuple[str, str], Record]:
    """The side rows of the objects named by ``wanted``: per resource type, keys (as text)
    or querysets of keys (what a custom mapping refers to, as a subquery of its own query,
    so thousands of objects cost no list of thousands of parameters). One query, more
    only past ``CHUNK`` listed keys."""
    conditions = []
    for space, parts in wanted.items():
        resource_type, tenant = split(space)
        keys = [str(key) for part in parts if not isinstance(part, QuerySet) for key in part]
        conditions += [
            Q(resource_type=resource_type, tenant=tenant, object_pk__in=keys[start : start + CHUNK])
            for start in range(0, len(keys), CHUNK)
        ]
        conditions += [
            Q(resource_type=resource_type, tenant=tenant, object_pk__in=part)
            for part in parts
            if isinstance(part, QuerySet)
        ]
    found: dict[tuple[str, str], Record] = {}
    for start in range(0, len(conditions), _CONDITIONS_PER_QUERY):
        condition, *others = conditions[start : start + _CONDITIONS_PER_QUERY]
        for part in others:
            condition |= part
        rows = ResourceRecord.objects.filter(condition).values_list(
            "resource_type", "tenant", "object_pk", *_FIELDS
        )
        found.update(
            ((namespace(name, tenant), key), Record(*fields)) for name, tenant, key, *fields in rows
        )
    return found


def attach(space: str, objs: list[Model], found: dict[tuple[str, str], Record]) -> None:
    """Put each object's side row (from :func:`fetch`) on it as ``scim_record``; an object
    without one gets an empty :class:`Record`."""
    for obj in objs:
        record = found.get((space, str(obj.pk))) or Record(None, None, {}, None, None)
        setattr(obj, ATTRIBUTE, record)


def record_of(obj: Model) -> Record:
    """The side row an object was read with (see :func:`attach`)."""
    record = getattr(obj, ATTRIBUTE, None)
    if record is None:
        return Record(None, None, {}, None, None)
    if not isinstance(record.attributes, dict):
        record.attributes = {}
    found: Record = record
    return found


def scim_id(space: str, obj: Model, record: Record) -> str:
    """The object's SCIM id: its side row's, else the one derived from its key."""
    return str(record.id) if record.id else identity.derived_text(space, obj.pk)


def keys_of(model: type[Model], rows: QuerySet) -> QuerySet:
    """Primary keys of ``model`` named by the side rows ``rows``, as a subquery."""
    return rows.order_by().values_list(
        Cast("object_pk", output_field=model._meta.pk),
        flat=True,
    )


def having(model: type[Model], space: str, condition: Q, unseen: Q | bool = False) -> Q:
    """Objects whose side row meets ``condition``.

    ``unseen`` says how objects without a side row answer: they have no side
    attributes, so ``ne`` and ``eq null`` match them.
    """
    matched = Q(pk__in=keys_of(model, rows_of(space).filter(condition)))
    if unseen is False:
        return matched
    without_row = ~Q(pk__in=keys_of(model, rows_of(space)))
    return matched | (without_row if unseen is True else without_row & unseen)


def with_id(model: type[Model], space: str, value: UUID) -> Q:
    """The object whose SCIM id is ``value`` (see :func:`with_ids`)."""
    return with_ids(model, space, [value])


def with_ids(model: type[Model], space: str, values: Iterable[UUID]) -> Q:
    """The objects whose SCIM ids are among ``values``: an id derived from an object's key
    (unless an older side row gives the object another id), or one a side row holds."""
    uuid_keys = model._meta.pk.get_internal_type() == "UUIDField"
    derived: dict[Any, UUID] = {}
    held: list[UUID] = []
    for value in values:
        key = identity.key_of(space, value, uuid_keys)
        if key is not None:
            derived[key] = value
        if key is None or uuid_keys:
            held.append(value)
    rows = rows_of(space)
    condition = Q(pk__in=keys_of(model, rows.filter(id__in=held))) if held else Q(pk__in=[])
    if derived:
        other = rows.filter(object_pk__in=[str(key) for key in derived]).exclude(
            id__in=list(derived.values())
        )
        condition |= Q(pk__in=list(derived)) & ~Q(pk__in=keys_of(model, other))
    return condition


def element_owners(model: type[Model], space: str, condition: Q) -> QuerySet:
    """Keys of objects owning an element row that meets ``condition``."""
    name, tenant = split(space)
    rows = ResourceElement.objects.filter(
        condition, record__resource_type=name, record__tenant=tenant
    )
    return rows.order_by().values_list(
        Cast("record__object_pk", output_field=model._meta.pk),
        flat=True,
    )


@lru_cache(maxsize=256)
def id_of(model: type[Model], space: str, key: str) -> Subquery:
    """The id held by the side row in ``space`` of the ``model`` object whose key is the
    outer query's column ``key`` (a relation's far end), as text and as a correlated
    subquery: NULL where the object has no side row there (its id is then derived from
    its key). Text from the database, because a UUID object per member of a group of
    thousands, made only to be written out again, costs more than the rest of reading it.

    Kept per argument, as :func:`belonging` is: building it costs more than running it.
    """
    held = _own_rows(model, space, key).values_list(expressions.uuid_text("id"), flat=True)
    return Subquery(held[:1])


def value_of(model: type[Model], space: str, expression: Any) -> Subquery:
    """``expression`` over a ``model`` object's side row, as a correlated subquery (for
    sorting)."""
    return Subquery(_own_rows(model, space).values_list(expression, flat=True)[:1])


# -- element rows ------------------------------------------------------------------


def element_key(schema_id: str, attribute_name: str, is_core: bool) -> str:
    """``ResourceElement.attribute``: the name, URN-qualified for extensions."""
    return attribute_name if is_core else f"{schema_id}:{attribute_name}"


def path_element_key(path: AttributePath) -> str:
    """``ResourceElement.attribute`` of the multi-valued attribute ``path`` names."""
    assert path.attribute is not None
    return element_key(path.schema, path.attribute.name, not path.is_extension)


def column_element(items: list[Any]) -> Any:
    """The element a column holds: the primary one, else the first (RFC 7643 §2.4)."""
    for item in items:
        if isinstance(item, dict) and item.get("primary") is True:
            return item
    return items[0] if items else None


def multi_valued(attributes: Any, resource_type: Any) -> dict[str, Any]:
    """The multi-valued attributes in side-table data: what element rows are made of."""
    found: dict[str, Any] = {}
    if not isinstance(attributes, dict):
        return found
    for schema in resource_type.schemas:
        is_core = schema is resource_type.schema
        holder = attributes if is_core else attributes.get(schema.id)
        if not isinstance(holder, dict):
            continue
        for attribute in schema:
            if attribute.multi_valued and attribute.name in holder:
                found[element_key(schema.id, attribute.name, is_core)] = holder[attribute.name]
    return found


def element_rows(
    record_id: UUID, attributes: Any, resource_type: Any, column_keys: Iterable[str]
) -> list[ResourceElement]:
    """One ResourceElement per element of every multi-valued attribute in ``attributes``;
    for the attributes named by ``column_keys`` the element a column holds is marked."""
    column_keys = frozenset(column_keys)
    rows = []
    for key, values in multi_valued(attributes, resource_type).items():
        if not isinstance(values, list):
            continue
        marked = column_element(values) if key in column_keys else None
        for position, item in enumerate(values):
            data = item if isinstance(item, dict) else {"value": item}
            value = data.get("value")
            rows.append(
                ResourceElement(
                    record_id=record_id,
                    attribute=key,
                    position=position,
                    data=data,
                    value_key=value.lower()[:255] if isinstance(value, str) else None,
                    in_column=item is marked,
                )
            )
    return rows


def replace_elements(
    record_id: UUID, attributes: Any, resource_type: Any, column_keys: Iterable[str], new: bool
) -> None:
    """Write the element rows of a side row (deleting the old ones unless it is new)."""
    if not new:
        ResourceElement.objects.filter(record_id=record_id).delete()
    rows = element_rows(record_id, attributes, resource_type, column_keys)
    if rows:
        ResourceElement.objects.bulk_create(rows, batch_size=ELEMENTS_PER_INSERT)


def copy_json(value: Any) -> Any:
    """A deep copy of JSON data, cheaper than copy.deepcopy."""
    if isinstance(value, dict):
        return {key: copy_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [copy_json(item) for item in value]
    return value
