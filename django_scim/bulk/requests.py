"""Reading a BulkRequest (RFC 7644 §3.7) into operations.

What makes the whole request unusable is an error for the whole request:
not an object, no ``Operations`` list, more operations than
``BULK_MAX_OPERATIONS`` (413, naming the limit, §3.7.4), a bad
``failOnErrors``, or one ``bulkId`` declared twice (references to it would
be ambiguous). What is wrong with one operation (an unknown method, a POST
without ``bulkId``, a path naming no endpoint) fails that operation only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django_scim import constants, errors
from django_scim.conf import scim_settings

METHODS = ("POST", "PUT", "PATCH", "DELETE")


@dataclass
class Operation:
    """One element of ``Operations``, as sent (``data`` untouched until it runs)."""

    index: int
    method: str
    path: str
    bulk_id: str | None = None
    version: str | None = None
    data: Any = None
    #: Why the operation cannot run at all (checked when its turn comes).
    error: errors.SCIMError | None = None
    #: bulkIds it refers to, in its path or data (filled by ``planning``).
    references: set[str] = field(default_factory=set)


@dataclass
class BulkRequest:
    operations: list[Operation]
    #: Stop after this many errors (RFC 7644 §3.7.3); None: never stop.
    fail_on_errors: int | None


def too_many(count: int, limit: int) -> errors.PayloadTooLarge:
    """RFC 7644 §3.7.4: 413, the detail naming the limit exceeded."""
    return errors.PayloadTooLarge(
        f"The bulk request has {count} operations, more than maxOperations ({limit})."
    )


def parse(body: Any) -> BulkRequest:
    if not isinstance(body, dict):
        raise errors.InvalidSyntax("A BulkRequest must be a JSON object.")
    schemas = body.get("schemas")
    if isinstance(schemas, list) and schemas and constants.BULK_REQUEST not in schemas:
        raise errors.InvalidSyntax(
            f"A BulkRequest's schemas must include {constants.BULK_REQUEST}."
        )
    items = body.get("Operations")
    if not isinstance(items, list):
        raise errors.InvalidSyntax("A BulkRequest needs an 'Operations' list.")
    limit = scim_settings.BULK_MAX_OPERATIONS
    if len(items) > limit:
        raise too_many(len(items), limit)
    operations = [operation(index, item) for index, item in enumerate(items)]
    check_unique_bulk_ids(operations)
    return BulkRequest(operations, fail_on_errors(body.get("failOnErrors")))


def fail_on_errors(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise errors.InvalidValue("'failOnErrors' must be an integer of at least 1.")
    return value


def _text(item: dict[str, Any], key: str) -> str | None:
    value = item.get(key)
    return value if isinstance(value, str) and value else None


def operation(index: int, item: Any) -> Operation:
    if not isinstance(item, dict):
        found = Operation(index, "", "")
        found.error = errors.InvalidSyntax("Each operation must be a JSON object.")
        return found
    method = (_text(item, "method") or "").upper()
    found = Operation(
        index,
        method,
        _text(item, "path") or "",
        bulk_id=_text(item, "bulkId"),
        version=_text(item, "version"),
        data=item.get("data"),
    )
    found.error = _problem(found)
    return found


def _problem(op: Operation) -> errors.SCIMError | None:
    if op.method not in METHODS:
        return errors.InvalidSyntax(f"Unsupported bulk operation method {op.method!r}.")
    if not op.path:
        return errors.InvalidSyntax("A bulk operation needs a 'path'.")
    if op.method == "POST" and op.bulk_id is None:
        return errors.InvalidSyntax("RFC 7644 §3.7: a POST operation needs a 'bulkId'.")
    if op.method != "DELETE" and not isinstance(op.data, dict):
        return errors.InvalidSyntax(f"A {op.method} operation needs a 'data' object.")
    return None


def check_unique_bulk_ids(operations: list[Operation]) -> None:
    """A bulkId names one resource; a second operation declaring it makes every
    reference ambiguous (RFC 7644 §3.7: "unique within the request")."""
    seen: set[str] = set()
    for op in operations:
        if op.bulk_id is None:
            continue
        if op.bulk_id in seen:
            raise errors.InvalidValue(f"bulkId {op.bulk_id!r} is declared more than once.")
        seen.add(op.bulk_id)
