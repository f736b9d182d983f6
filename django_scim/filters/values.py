"""Comparison of two plain values as SCIM compares them (RFC 7644 §3.4.2.2), in Python.

Used by the evaluator (PATCH value paths), by storage that answers a
condition without the database (a constant such as ``meta.resourceType``),
and as the reference the SQL translation is tested against.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django_scim.validation import parse_datetime


def is_absent(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def compare_values(left: Any, op: str, right: Any, case_exact: bool) -> bool:
    """``left op right`` for one present or absent ``left``."""
    if right is None:
        return is_absent(left) if op == "eq" else not is_absent(left)
    if op == "ne":
        return not compare_values(left, "eq", right, case_exact)
    if is_absent(left):
        return False
    if isinstance(right, datetime):
        left = parse_datetime(left) if isinstance(left, str) else left
        if not isinstance(left, datetime) or left.tzinfo is None:
            return False
    elif isinstance(right, str):
        if not isinstance(left, str):
            return False
        if not case_exact:
            left, right = left.lower(), right.lower()
    elif isinstance(right, bool) != isinstance(left, bool):
        return False
    return _OPS[op](left, right)


_OPS = {
    "eq": lambda a, b: a == b,
    "co": lambda a, b: b in a,
    "sw": lambda a, b: a.startswith(b),
    "ew": lambda a, b: a.endswith(b),
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
}
