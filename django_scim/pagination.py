"""Index-based paging and the ListResponse envelope (RFC 7644 §3.4.2.4)."""

from __future__ import annotations

import re
from typing import Any

from django_scim import constants
from django_scim.conf import scim_settings
from django_scim.errors import InvalidValue

#: Larger values cannot be an SQL OFFSET (a signed 64-bit integer) with room for a count.
MAX_START_INDEX = 2**62


def _integer(name: str, value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise InvalidValue(f"'{name}' must be an integer.")
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if not _INTEGER.fullmatch(text):
        raise InvalidValue(f"'{name}' must be an integer.")
    return int(text)


_INTEGER = re.compile(r"[+-]?[0-9]{1,30}")


def parse_paging(start_index: Any, count: Any) -> tuple[int, int]:
    """1-based startIndex (values < 1 mean 1) and count (< 0 means 0), capped at MAX_RESULTS."""
    start = _integer("startIndex", start_index)
    wanted = _integer("count", count)
    start = 1 if start is None or start < 1 else start
    if start > MAX_START_INDEX:
        raise InvalidValue(f"'startIndex' must be at most {MAX_START_INDEX}.")
    cap = scim_settings.MAX_RESULTS
    if wanted is None:
        wanted = min(scim_settings.DEFAULT_COUNT, cap)
    return start, max(0, min(wanted, cap))


def list_response(resources: list[dict[str, Any]], total: int, start_index: int) -> dict[str, Any]:
    return {
        "schemas": [constants.LIST_RESPONSE],
        "totalResults": total,
        "itemsPerPage": len(resources),
        "startIndex": start_index,
        "Resources": resources,
    }
