"""Transaction-scoped locks on values, for uniqueness the database cannot enforce.

userName is unique case-insensitively (RFC 7643 §4.1.1), but a site's column
is usually unique only as written (``auth_user.username``), and a site may
already hold names that differ only in case, so no unique index can be added.
Two requests that check "is RACE free?" and "is race free?" at the same time
would both insert. On PostgreSQL each request first takes an advisory lock on
the folded value, held until its transaction ends, so the second one checks
after the first has committed. SQLite runs one writer at a time anyway. A
site whose model has a unique constraint on ``Lower(column)`` needs no lock:
the database refuses the second row itself.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import connections, router
from django.db.models import F, Model, UniqueConstraint
from django.db.models.functions import Lower

_ENFORCED: dict[tuple[Any, ...], bool] = {}


def hold_value(model: type[Model], *parts: str) -> None:
    """Block until no other transaction holds the same value; keep it until this one ends."""
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        return
    digest = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=8).digest()
    key = int.from_bytes(digest, "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def enforced_by_database(model: type[Model], field_name: str, case_exact: bool) -> bool:
    """Whether a unique index already refuses a second row with the value, compared as
    SCIM compares it: the column's own unique index for a case-exact attribute, a
    unique constraint on ``Lower(column)`` for the others. Then a concurrent claim
    fails at its INSERT (answered 409) and no lock is needed."""
    key = (model, field_name, case_exact)
    found = _ENFORCED.get(key)
    if found is None:
        field: Any = model._meta.get_field(field_name)
        found = (case_exact and bool(getattr(field, "unique", False))) or any(
            _unique_on_lower(constraint, field_name) for constraint in model._meta.constraints
        )
        _ENFORCED[key] = found
    return found


def _unique_on_lower(constraint: Any, field_name: str) -> bool:
    if not isinstance(constraint, UniqueConstraint) or constraint.condition is not None:
        return False
    if len(constraint.expressions) != 1 or not isinstance(constraint.expressions[0], Lower):
        return False
    (source,) = constraint.expressions[0].get_source_expressions()
    return isinstance(source, F) and getattr(source, "name", None) == field_name
