"""SQL expressions shared by the search translator and the adapters."""

from __future__ import annotations

from typing import Any

from django.db.models import CharField, Func

_SPANS = ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12))


def uuid_text_sql(column: str, vendor: str) -> tuple[str, int]:
    """SQL for the rendered text of a UUID column, and how often it names the column."""
    if vendor == "sqlite":
        dashed = " || '-' || ".join(f"substr({column}, {start}, {size})" for start, size in _SPANS)
        return f"lower({dashed})", len(_SPANS)
    return f"LOWER(CAST({column} AS TEXT))", 1


class UUIDText(Func):
    """A UUID column as the text ids are rendered as (``8-4-4-4-12``, lower-case hex).

    PostgreSQL casts a uuid to exactly that. SQLite stores the 32 hex digits,
    so the dashes are put back with plain ``substr`` calls: a short expression,
    since filters may repeat it many times and SQLite's parser stack is small.
    """

    output_field = CharField()

    def as_sql(self, compiler: Any, connection: Any, *args: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        text, uses = uuid_text_sql(sql, connection.vendor)
        return text, tuple(params) * uses
