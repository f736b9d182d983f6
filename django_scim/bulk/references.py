"""``bulkId:`` references (RFC 7644 §3.7.2): where they are, and their replacement.

A client refers to a resource created earlier in the same request by
``bulkId:`` and the bulkId, wherever a resource id would go: a member's
``value``, the enterprise ``manager``'s ``value`` (an extension: §3.7.2 asks
that those be replaced too), a PATCH operation's ``value`` or the value
filter of its ``path`` (``members[value eq "bulkId:qwerty"]``), or the
operation's own path (``/Groups/bulkId:qwerty``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

PREFIX = "bulkId:"
#: Inside a PATCH path or an operation path: up to a quote, bracket, space or slash.
_IN_TEXT = re.compile(r"bulkId:([^\"'\s\]\)/]+)")


def in_value(value: Any) -> set[str]:
    """Every bulkId ``value`` refers to: strings that are a whole reference, and
    references inside the ``path`` of PATCH operations."""
    found: set[str] = set()
    stack = [(None, value)]
    while stack:
        key, item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.items())
        elif isinstance(item, list):
            stack.extend((None, element) for element in item)
        elif isinstance(item, str) and PREFIX in item:
            if item.startswith(PREFIX) and key != "path":
                found.add(item[len(PREFIX) :])
            elif key == "path":
                found.update(_IN_TEXT.findall(item))
    return found


def in_path(path: str) -> set[str]:
    """bulkIds named by an operation's path (``/Groups/bulkId:qwerty``)."""
    return set(_IN_TEXT.findall(path)) if PREFIX in path else set()


def replace_in_path(path: str, ids: Mapping[str, str]) -> str:
    return _IN_TEXT.sub(lambda m: ids.get(m.group(1), m.group(0)), path)


def replace(value: Any, ids: Mapping[str, str], key: str | None = None) -> Any:
    """A copy of ``value`` with each reference to a bulkId in ``ids`` replaced by its id."""
    if isinstance(value, dict):
        return {k: replace(v, ids, k) for k, v in value.items()}
    if isinstance(value, list):
        return [replace(item, ids) for item in value]
    if isinstance(value, str) and PREFIX in value:
        if key == "path":
            return replace_in_path(value, ids)
        if value.startswith(PREFIX):
            return ids.get(value[len(PREFIX) :], value)
    return value


def split(data: dict[str, Any], pending: set[str]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """``data`` without the values that refer to a bulkId in ``pending``, and PATCH
    ``add`` operations that put them back once those exist (RFC 7644 §3.7.1).

    A multi-valued attribute keeps its other values and gets the referring ones
    added later; any other attribute is left out whole and added later.
    Extension attributes (``urn:...:User`` objects) are split one by one.
    """
    kept: dict[str, Any] = {}
    later: list[dict[str, Any]] = []
    for key, value in data.items():
        if key.lower().startswith("urn:") and isinstance(value, dict):
            inner, added = split(value, pending)
            kept[key] = inner
            later.extend({**op, "path": f"{key}:{op['path']}"} for op in added)
            continue
        if not in_value(value) & pending:
            kept[key] = value
        elif isinstance(value, list):
            kept[key] = [item for item in value if not in_value(item) & pending]
            deferred = [item for item in value if in_value(item) & pending]
            later.append({"op": "add", "path": key, "value": deferred})
        else:
            later.append({"op": "add", "path": key, "value": value})
    return kept, later
