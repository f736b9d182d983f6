"""Reading and creating side-table rows for site objects.

Objects that existed before the app was installed (or were created outside
SCIM, e.g. in the admin) have no row yet; one is created the first time SCIM
sees the object, in the same query batch, so no backfill step is needed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db.models import Model
from django.utils import timezone

from django_scim import lookups
from django_scim.models import ResourceRecord

# Keeps each IN (...) list well under every backend's bound-parameter limit.
CHUNK = 2000
# Element rows per INSERT statement: 6 parameters each, far below those limits.
ELEMENTS_PER_INSERT = 100


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def fetch(resource_type: str, pks: Sequence[str]) -> dict[str, ResourceRecord]:
    found: dict[str, ResourceRecord] = {}
    for chunk in _chunks(pks):
        rows = lookups.among(ResourceRecord, "object_pk", chunk, resource_type=resource_type)
        found.update((row.object_pk, row) for row in rows)
    return found


def ensure(
    resource_type: str,
    objs: Iterable[Model],
    created_of: Callable[[Model], datetime | None] | None = None,
) -> dict[str, ResourceRecord]:
    """Rows for ``objs`` keyed by primary key text, creating the missing ones."""
    by_pk = {str(obj.pk): obj for obj in objs}
    if not by_pk:
        return {}
    found = fetch(resource_type, list(by_pk))
    missing = [pk for pk in by_pk if pk not in found]
    if missing:
        now = timezone.now()
        new_rows = []
        for pk in missing:
            created = (created_of(by_pk[pk]) if created_of else None) or now
            new_rows.append(
                ResourceRecord(
                    resource_type=resource_type,
                    object_pk=pk,
                    created=created,
                    last_modified=created,
                )
            )
        # A concurrent request may create the same rows: keep theirs, then read back.
        ResourceRecord.objects.bulk_create(new_rows, ignore_conflicts=True)
        found.update(fetch(resource_type, missing))
    return found


def copy_json(value: Any) -> Any:
    """A deep copy of JSON data, cheaper than copy.deepcopy."""
    if isinstance(value, dict):
        return {key: copy_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [copy_json(item) for item in value]
    return value


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


def element_key(schema_id: str, attribute_name: str, is_core: bool) -> str:
    """``ResourceElement.attribute``: the name, URN-qualified for extensions."""
    return attribute_name if is_core else f"{schema_id}:{attribute_name}"


def path_element_key(path: Any) -> str:
    """``ResourceElement.attribute`` of the multi-valued attribute an AttributePath names."""
    assert path.attribute is not None
    return element_key(path.schema, path.attribute.name, not path.is_extension)


def column_element(items: list[Any]) -> Any:
    """The element a column holds: the primary one, else the first (RFC 7643 §2.4)."""
    for item in items:
        if isinstance(item, dict) and item.get("primary") is True:
            return item
    return items[0] if items else None


def element_rows(
    record: ResourceRecord, resource_type: Any, column_keys: frozenset[str] = frozenset()
) -> list[Any]:
    """One ResourceElement per element of every multi-valued attribute in ``record.attributes``.

    ``column_keys`` names the attributes whose primary value a column holds;
    their column element is marked ``in_column``.
    """
    from django_scim.models import ResourceElement

    rows = []
    for key, values in multi_valued(record.attributes, resource_type).items():
        if not isinstance(values, list):
            continue
        marked = column_element(values) if key in column_keys else None
        for position, item in enumerate(values):
            data = item if isinstance(item, dict) else {"value": item}
            value = data.get("value")
            value_key = value.lower()[:255] if isinstance(value, str) else None
            rows.append(
                ResourceElement(
                    record=record,
                    attribute=key,
                    position=position,
                    data=data,
                    value_key=value_key,
                    in_column=item is marked,
                )
            )
    return rows


def element_writes(
    record: ResourceRecord,
    resource_type: Any,
    creating: bool,
    column_keys: frozenset[str] = frozenset(),
) -> list[lookups.Statement]:
    """The writes that replace the record's element rows: a DELETE (unless the record is
    new) and an INSERT per 100 elements."""
    from django_scim.models import ResourceElement

    writes = [] if creating else [lookups.deleting(ResourceElement, "record", record.pk)]
    rows = element_rows(record, resource_type, column_keys)
    for start in range(0, len(rows), ELEMENTS_PER_INSERT):
        writes.append(lookups.inserting(*rows[start : start + ELEMENTS_PER_INSERT]))
    return writes


def delete(record: ResourceRecord) -> None:
    """Delete ``record`` and its element rows (one round trip on PostgreSQL, two
    statements elsewhere; no cascade collector)."""
    lookups.run(*deletes(record))


def deletes(record: ResourceRecord) -> list[lookups.Statement]:
    """The DELETEs of ``record`` and of its element rows."""
    from django_scim.models import ResourceElement

    return [
        lookups.deleting(ResourceElement, "record", record.pk),
        lookups.deleting(ResourceRecord, "id", record.pk),
    ]
