"""SQL expressions shared by the search translator and the adapters."""

from __future__ import annotations

from typing import Any

from django.db.models import CharField, Func


class UUIDText(Func):
    """A UUID column as the text ids are rendered as (``8-4-4-4-12``, lower-case hex).

    PostgreSQL casts a uuid to exactly that. SQLite stores the 32 hex digits,
    so the dashes are put back with plain ``substr`` calls: a short expression,
    since filters may repeat it many times and SQLite's parser stack is small.
    """

    output_field = CharField()

    def as_sql(self, compiler: Any, connection: Any, *args: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"LOWER(CAST({sql} AS TEXT))", params

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        spans = ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12))
        dashed = " || '-' || ".join(f"substr({sql}, {start}, {size})" for start, size in spans)
        return f"lower({dashed})", tuple(params) * len(spans)
