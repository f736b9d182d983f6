"""Transaction-scoped locks on values, for uniqueness the database may not enforce.

userName is unique case-insensitively (RFC 7643 §4.1.1), but a site's column
is usually unique only as written (``auth_user.username``), and a site may
already hold names that differ only in case, so no unique index can be added.
Two requests that check "is RACE free?" and "is race free?" at the same time
would both insert. On PostgreSQL each request first takes an advisory lock on
the folded value, held until its transaction ends, so the second one checks
after the first has committed. SQLite runs one writer at a time anyway.

This is the package's only SQL of its own: one constant statement, with the
key as a parameter, that reads and writes no table.
"""

from __future__ import annotations

import hashlib

from django.db import connections, router
from django.db.models import Model

_ADVISORY_LOCK = "SELECT pg_advisory_xact_lock(%s)"


def hold_value(model: type[Model], *parts: str) -> None:
    """Block until no other transaction holds the same value; keep it until this one ends."""
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        return
    digest = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=8).digest()
    key = int.from_bytes(digest, "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute(_ADVISORY_LOCK, [key])
