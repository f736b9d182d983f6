"""Transaction-scoped locks: on rows, and on values for uniqueness the database may not
enforce.

Rows: a write locks the objects it changes (:func:`rows_locked`): the resource it
writes, then the members it adds or removes. One order for every writer keeps two
writers from each holding what the other waits for (see :func:`rows_locked`).

Values: userName is unique case-insensitively (RFC 7643 §4.1.1), but a site's column
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
from django.db.models import Model, QuerySet

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


def rows_locked(queryset: QuerySet) -> QuerySet:
    """``queryset`` selecting its own rows FOR UPDATE (not those of joined tables), until
    the transaction ends; SQLite, which runs one writer at a time, ignores it.

    A write locks its resource's row first, then the rows of the members it adds or
    removes, in key order and, where it replaces the members, in one statement, before it
    changes anything of theirs. Otherwise two writes can each hold what the other waits
    for, and one fails with a deadlock:

    - adding a member marks the member's side row modified, and PostgreSQL checks the
      new membership row's reference to the member only at COMMIT, a check that waits
      for the member's lock; a writer of that member locks the member, then its side row;
    - deleting a member marks its groups' side rows modified, then Django's cascade
      deletes its membership rows; a group's write removing that member deletes the
      membership row, then marks the group's side row modified;
    - two replacements of different groups' members, one moving ``a`` in and ``b`` out,
      the other the reverse, each lock both.

    A clear (all members removed) locks none: a group of thousands would lock them all."""
    features = connections[queryset.db].features
    if features.has_select_for_update_of:
        return queryset.select_for_update(of=("self",))
    return queryset.select_for_update()
