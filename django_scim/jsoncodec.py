"""The package's only JSON path: orjson for speed, one place to change it."""

from __future__ import annotations

from typing import Any

import orjson

JSONDecodeError = orjson.JSONDecodeError


def loads(data: bytes | str) -> Any:
    return orjson.loads(data)


def dumps(value: Any) -> bytes:
    """Serialise to UTF-8 bytes; datetimes become RFC 3339 strings."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)


def dumps_sorted(value: Any) -> bytes:
    """Key order independent of how the data was stored (PostgreSQL jsonb reorders keys)."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_SORT_KEYS)


def dumps_pretty(value: Any) -> str:
    """Indented text for humans (the admin's detail page)."""
    return orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS).decode()
