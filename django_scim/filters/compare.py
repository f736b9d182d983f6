"""Comparison of one SQL expression with one filter value, following the attribute's schema.

The rules (RFC 7644 §3.4.2.2): string comparison is case-insensitive unless
the attribute is caseExact; ``gt``/``ge``/``lt``/``le`` on booleans, binaries
and complex attributes are errors; ``co``/``sw``/``ew`` need a string;
dateTimes compare as instants; ``ne`` also matches an absent value (it is
``not eq``); ``eq null`` means "absent" and ``ne null`` means "present".
``%``, ``_`` and ``\\`` in values match literally: no LIKE pattern is ever
built from a value; string functions (instr/strpos, substr) are used instead.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Expression, F, Q, Value
from django.db.models.fields import CharField
from django.db.models.fields.json import KT
from django.db.models.functions import Lower, Right, StrIndex, Substr
from django.db.models.lookups import (
    Exact,
    GreaterThan,
    GreaterThanOrEqual,
    IsNull,
    LessThan,
    LessThanOrEqual,
)

from django_scim.errors import InvalidFilter
from django_scim.schemas.attributes import Attribute
from django_scim.schemas.characteristics import AttributeType
from django_scim.validation import parse_datetime

ORDERING = {"gt": GreaterThan, "ge": GreaterThanOrEqual, "lt": LessThan, "le": LessThanOrEqual}
STRING_TYPES = (AttributeType.STRING, AttributeType.REFERENCE, AttributeType.BINARY)
_BOOLEAN_STRINGS = {"true": True, "false": False}

ALWAYS = Q(pk__isnull=False)
NEVER = Q(pk__in=[])


def coerce(attribute: Attribute, op: str, value: Any, name: str) -> Any:
    """The filter value as the attribute's type, or InvalidFilter."""
    kind = attribute.type
    if kind is AttributeType.COMPLEX:
        raise InvalidFilter(f"'{name}' is complex: compare one of its sub-attributes.")
    if value is None:
        if op not in ("eq", "ne"):
            raise InvalidFilter(f"'{op}' cannot compare with null.")
        return None
    if op in ORDERING and kind in (AttributeType.BOOLEAN, AttributeType.BINARY):
        raise InvalidFilter(f"'{op}' is not allowed on {kind.value} attribute '{name}'.")
    if op in ("co", "sw", "ew") and kind not in STRING_TYPES:
        raise InvalidFilter(f"'{op}' needs a string attribute; '{name}' is {kind.value}.")
    return _typed(kind, value, name)


def _typed(kind: AttributeType, value: Any, name: str) -> Any:
    if kind is AttributeType.BOOLEAN:
        if isinstance(value, bool):
            return value
        # Entra ID sends "True"/"False" strings for booleans.
        if isinstance(value, str) and value.lower() in _BOOLEAN_STRINGS:
            return _BOOLEAN_STRINGS[value.lower()]
    elif kind in (AttributeType.INTEGER, AttributeType.DECIMAL):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return value
    elif kind is AttributeType.DATETIME:
        parsed = parse_datetime(value) if isinstance(value, str) else None
        if parsed is not None and parsed.tzinfo is not None:
            return parsed
    elif isinstance(value, str):
        return value
    raise InvalidFilter(f"{value!r} is not a valid {kind.value} value for '{name}'.")


def _text(expr: Any) -> Any:
    return expr if isinstance(expr, Expression) else F(expr)


def compare_text(expr: Any, op: str, value: str, case_exact: bool) -> Q:
    """A string comparison; ``expr`` is text (a column or a JSON value as text).

    An empty string is an absent value (a column holds ``""`` for "unassigned"),
    so it matches nothing but ``ne``; ``ne`` is the exact negation of ``eq``.
    """
    expr = _text(expr)
    stored = Q(IsNull(expr, False)) & ~Q(Exact(expr, ""))
    matched = _text_condition(expr, "eq" if op == "ne" else op, value, case_exact) & stored
    return ~matched if op == "ne" else matched


def _text_condition(expr: Any, op: str, value: str, case_exact: bool) -> Q:
    if value == "" and op in ("co", "sw", "ew"):
        # Every string contains, starts and ends with the empty string.
        return Q(IsNull(expr, False))
    literal: Any = Value(value, output_field=CharField())
    if not case_exact:
        expr, literal = Lower(expr), Lower(literal)
    if op == "eq":
        return Q(Exact(expr, literal))
    if op == "co":
        return Q(GreaterThan(StrIndex(expr, literal), 0))
    if op == "sw":
        return Q(Exact(Substr(expr, 1, len(value)), literal))
    if op == "ew":
        return Q(Exact(Right(expr, len(value)), literal))
    return Q(ORDERING[op](expr, literal))


def compare_value(expr: Any, op: str, value: Any) -> Q:
    """Booleans, numbers and instants: plain SQL comparison; ``ne`` negates a present ``eq``."""
    expr = _text(expr)
    if op == "ne":
        return ~(Q(Exact(expr, value)) & Q(IsNull(expr, False)))
    if op == "eq":
        return Q(Exact(expr, value))
    return Q(ORDERING[op](expr, value))


def compare(expr: Any, op: str, value: Any, attribute: Attribute) -> Q:
    """``expr op value`` for a column or text expression of ``attribute``'s type."""
    if value is None:
        return present(expr, attribute) if op == "ne" else ~present(expr, attribute)
    if attribute.type in STRING_TYPES:
        return compare_text(expr, op, value, attribute.case_exact)
    return compare_value(expr, op, value)


def present(expr: Any, attribute: Attribute) -> Q:
    """``pr``: not null and, for strings, not empty (RFC 7644 §3.4.2.2)."""
    expr = _text(expr)
    q = Q(IsNull(expr, False))
    if attribute.type in STRING_TYPES:
        q &= ~Q(Exact(expr, ""))
    return q


def is_instant(value: Any) -> bool:
    return isinstance(value, datetime)


def absent_matches(op: str | None, value: Any) -> bool:
    """Whether an absent attribute meets the condition: ``ne <value>`` and ``eq null`` do."""
    return (op == "ne" and value is not None) or (op == "eq" and value is None)


def json_leaf(prefix: str, key: str, attribute: Attribute, op: str | None, value: Any) -> Q:
    """A condition on one JSON member (``prefix__key``), typed by the schema."""
    lookup = f"{prefix}__{key}"
    if op is None:
        q = Q(**{f"{lookup}__isnull": False})
        if attribute.type in STRING_TYPES:
            q &= ~Q(**{lookup: ""})
        return q
    if attribute.type in STRING_TYPES or attribute.type is AttributeType.DATETIME:
        if attribute.type is AttributeType.DATETIME and value is not None:
            value = value.isoformat()
        return compare(KT(lookup), op, value, attribute)
    if value is None:
        present_q = json_leaf(prefix, key, attribute, None, None)
        return ~present_q if op == "eq" else present_q
    # Guarded by "the key is there", so a missing key yields FALSE, never SQL
    # NULL, and ``not (...)`` around it stays the exact negation.
    stored = Q(**{f"{lookup}__isnull": False})
    if op == "eq":
        return Q(**{lookup: value}) & stored
    if op == "ne":
        return ~(Q(**{lookup: value}) & stored)
    return Q(**{f"{lookup}__{op.replace('ge', 'gte').replace('le', 'lte')}": value}) & stored
