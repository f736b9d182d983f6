"""What a write changed, attribute by attribute: the change set the provisioning log keeps.

A change set is a list of plain JSON objects, in the order the attributes
appear in the resource:

- ``{"path": "name.givenName", "before": "Barbara", "after": "Babs"}`` for an
  attribute (a multi-valued one, such as ``emails``, compared as a whole;
  ``before`` is ``null`` on creation, ``after`` is ``null`` when removed);
- ``{"path": "members", "op": "add", "value": ["2819c223-…"]}`` for a
  relation a PATCH changed (``op`` is add, remove, set, clear or
  remove_where), listing the ids sent, since the members before are not read.

Secrets never appear: any path named like ``password``, ``secret`` or
``token`` has both values replaced by ``"********"``, so a change set says
*that* a password was set, never what it was.
"""

from __future__ import annotations

import re
from typing import Any

from django_scim.patch import RelationChange

REDACTED = "********"
_SECRET = re.compile(r"password|secret|token", re.IGNORECASE)
_SKIPPED = frozenset({"schemas", "id", "meta"})

Change = dict[str, Any]


def flatten(document: dict[str, Any]) -> dict[str, Any]:
    """Attribute path -> value: complex single-valued attributes and extensions opened
    one level (``name.givenName``, ``urn:…:User:department``), everything else whole."""
    flat: dict[str, Any] = {}
    for key, value in document.items():
        if key in _SKIPPED:
            continue
        if isinstance(value, dict):
            joiner = ":" if key.startswith("urn:") else "."
            for sub, item in value.items():
                if isinstance(item, dict) and joiner == ":":
                    for leaf, leaf_value in item.items():
                        flat[f"{key}:{sub}.{leaf}"] = leaf_value
                else:
                    flat[f"{key}{joiner}{sub}"] = item
        else:
            flat[key] = value
    return flat


def _entry(path: str, before: Any, after: Any) -> Change:
    if _SECRET.search(path):
        before = None if before is None else REDACTED
        after = None if after is None else REDACTED
    return {"path": path, "before": before, "after": after}


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[Change]:
    """The attributes whose value differs between two SCIM documents."""
    old, new = flatten(before or {}), flatten(after or {})
    paths = list(old) + [path for path in new if path not in old]
    return [
        _entry(path, old.get(path), new.get(path))
        for path in paths
        if old.get(path) != new.get(path)
    ]


def secret_columns(before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    """Secret columns a write changed (a password set), redacted: the rendered resource
    never shows them, so a diff of documents cannot see them."""
    return [
        _entry(name, REDACTED, REDACTED)
        for name, value in before.items()
        if _SECRET.search(name) and after.get(name) != value
    ]


def relation(change: RelationChange) -> Change:
    """A relation delta of a PATCH, with the ids it names."""
    values = [item.get("value") if isinstance(item, dict) else item for item in change.values]
    return {"path": str(change.path), "op": change.kind, "value": values}
