"""Cursor paging (RFC 9865): keyset pages on (sort value, primary key).

A page asks the database for the rows after (or before) the last row a
client saw, in the order ``sortBy`` gives (``sorting.sort_key``, absent
values last in both orders, the primary key breaking ties), so a deep page
costs what the first one does: no OFFSET to walk and no COUNT
(``totalResults`` is left out unless the first page holds every match).

A cursor names that row's position and the query it belongs to. It is
signed with ``django.core.signing`` under a salt naming the client, so it
cannot be forged, altered or used by another client, and it expires after
``SCIM["CURSOR_TIMEOUT"]`` seconds. Scoping is applied anew on every page:
the query runs through ``get_queryset()`` as any other.
"""

from __future__ import annotations

import datetime
import decimal
import hashlib
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.db.models import F, Model, Q, QuerySet

from django_scim import errors
from django_scim.adapters import reading
from django_scim.adapters.base import ResourceAdapter
from django_scim.conf import scim_settings
from django_scim.projection import Projection
from django_scim.sorting import parse_sort_order, sort_key

#: The annotation holding each row's sort value.
KEY = "scim_cursor_key"
AFTER, BEFORE = "a", "b"
_INTEGER = re.compile(r"[+-]?[0-9]{1,30}")


@dataclass(frozen=True)
class Position:
    """Rows ``AFTER`` or ``BEFORE`` the row whose (sort value, pk) is ``key``; across
    resource types (the root ``/.search``), that row's ``resource_type`` too."""

    direction: str
    key: tuple[Any, Any]
    resource_type: str | None = None


@dataclass
class Page:
    objects: list[Model]
    next: Position | None
    previous: Position | None
    total: int | None


# -- cursors ---------------------------------------------------------------------


def _signer(client: Any) -> signing.TimestampSigner:
    # "." keeps a cursor within RFC 3986's unreserved characters (RFC 9865 §2).
    client_id = getattr(client, "pk", None)
    return signing.TimestampSigner(salt=f"django_scim.cursor:{client_id}", sep=".")


def _pack(value: Any) -> list[Any]:
    """A sort value as JSON, tagged with its type so it reads back as it was."""
    if value is None or isinstance(value, (bool, str)):
        return ["v", value]
    if isinstance(value, int):
        return ["i", str(value)]
    if isinstance(value, float):
        return ["f", repr(value)]
    if isinstance(value, datetime.datetime):
        return ["t", value.isoformat()]
    if isinstance(value, datetime.date):
        return ["d", value.isoformat()]
    if isinstance(value, decimal.Decimal):
        return ["n", str(value)]
    if isinstance(value, uuid.UUID):
        return ["u", str(value)]
    raise TypeError(f"Cannot keep a {type(value).__name__} in a cursor.")


_UNPACK: dict[str, Callable[[str], Any]] = {
    "i": lambda text: int(text) if _INTEGER.fullmatch(text) else None,
    "f": float,
    "t": datetime.datetime.fromisoformat,
    "d": datetime.date.fromisoformat,
    "n": decimal.Decimal,
    "u": uuid.UUID,
}


def _unpack(packed: Any) -> Any:
    tag, value = packed
    if tag == "v":
        if value is not None and not isinstance(value, (bool, str)):
            raise ValueError(value)
        return value
    unpacked = _UNPACK[tag](value)
    if unpacked is None:
        raise ValueError(value)
    return unpacked


def encode(position: Position, query: str, client: Any) -> str:
    value, pk = position.key
    payload: dict[str, Any] = {"q": query, "d": position.direction}
    payload["k"] = [_pack(value), _pack(pk)]
    if position.resource_type is not None:
        payload["t"] = position.resource_type
    return _signer(client).sign_object(payload, compress=False)


def decode(cursor: Any, query: str, client: Any) -> Position:
    """The position a cursor names; 400 invalidCursor unless this server issued it to this
    client for this query, 400 expiredCursor once it is older than CURSOR_TIMEOUT."""
    if not isinstance(cursor, str):
        raise errors.InvalidCursor()
    try:
        payload = _signer(client).unsign_object(cursor, max_age=scim_settings.CURSOR_TIMEOUT)
    except signing.SignatureExpired:
        raise errors.ExpiredCursor() from None
    except (signing.BadSignature, ValueError):
        raise errors.InvalidCursor() from None
    try:
        if payload["q"] != query or payload["d"] not in (AFTER, BEFORE):
            raise ValueError(payload)
        value, pk = (_unpack(item) for item in payload["k"])
        resource_type = payload.get("t")
        if resource_type is not None and not isinstance(resource_type, str):
            raise ValueError(resource_type)
    except (KeyError, TypeError, ValueError, ArithmeticError, AttributeError):
        raise errors.InvalidCursor() from None
    return Position(payload["d"], (value, pk), resource_type)


def query_id(adapter: ResourceAdapter, params: Any) -> str:
    """What a cursor is bound to: the resource type, filter and order. RFC 9865 §2: the
    client repeats every parameter of the first request, only ``cursor`` changes."""
    return query_id_of(adapter.resource_type_name, params)


def query_id_of(endpoint: str, params: Any) -> str:
    """The query id of ``params`` sent to ``endpoint`` (a resource type's name, or
    ``/.search`` for the root search, which no resource type can be named)."""
    parts = [endpoint] + [str(params.get(name) or "") for name in ("filter", "sortBy", "sortOrder")]
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:16]


def page_size(value: Any) -> int:
    """RFC 9865 §2: ``count`` is a positive integer (else 400 invalidCount); none means
    DEFAULT_COUNT. Larger values get ``maxPageSize`` (MAX_RESULTS) results, as §4 allows
    ("regardless of what is specified for the count")."""
    cap = scim_settings.MAX_RESULTS
    if value is None or value == "":
        return max(1, min(scim_settings.DEFAULT_COUNT, cap))
    text = value if isinstance(value, str) else None
    if isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
    if text is None or not _INTEGER.fullmatch(text.strip()) or int(text) < 1:
        raise errors.InvalidCount(f"count must be an integer from 1 to {cap}.")
    return min(int(text), cap)


# -- keyset ----------------------------------------------------------------------


class Keyset:
    """The order of a cursor-paged query and the conditions that resume it."""

    def __init__(self, adapter: ResourceAdapter, params: Any) -> None:
        self.expression: Any = None
        self.never_absent = True
        self.descending = False
        if params.get("sortBy"):
            self.expression, self.never_absent = sort_key(adapter, params["sortBy"])
            self.descending = parse_sort_order(params.get("sortOrder"))

    def key_of(self, obj: Model) -> tuple[Any, Any]:
        value = getattr(obj, KEY) if self.expression is not None else None
        return value, obj.pk

    def ordered(self, queryset: QuerySet, forward: bool) -> QuerySet:
        """The page order (``forward``), or its exact reverse: absent values last in the
        page order, as ``sorting.order_by`` puts them."""
        descending = self.descending != (not forward)
        pk = F("pk").desc() if descending else F("pk").asc()
        if self.expression is None:
            return queryset.order_by(pk)
        queryset = queryset.annotate(**{KEY: self.expression})
        nulls = None if self.never_absent else True
        key = F(KEY)
        if forward:
            value = key.desc(nulls_last=nulls) if descending else key.asc(nulls_last=nulls)
        else:
            value = key.desc(nulls_first=nulls) if descending else key.asc(nulls_first=nulls)
        return queryset.order_by(value, pk)

    def beyond(self, position: Position) -> Q:
        """The rows after (or before) ``position`` in the page order."""
        value, pk = position.key
        forward = position.direction == AFTER
        step = "lt" if self.descending == forward else "gt"
        if self.expression is None:
            return Q(**{f"pk__{step}": pk})
        if value is None:
            absent = Q(**{f"{KEY}__isnull": True, f"pk__{step}": pk})
            return absent if forward else absent | Q(**{f"{KEY}__isnull": False})
        # key >= value bounds the range, so the database starts its index walk at the
        # cursor instead of filtering out every row before it.
        condition = Q(**{f"{KEY}__{step}e": value}) & (
            Q(**{f"{KEY}__{step}": value}) | Q(**{f"pk__{step}": pk})
        )
        if forward and not self.never_absent:
            condition |= Q(**{f"{KEY}__isnull": True})
        return condition


def page(
    adapter: ResourceAdapter,
    queryset: QuerySet,
    params: Any,
    projection: Projection,
    query: str,
) -> Page:
    """One page (RFC 9865 §2): ``count`` rows from the cursor's position, one more read to
    tell whether another page follows, and no COUNT."""
    if params.get("startIndex") not in (None, ""):
        raise errors.InvalidValue("Send either startIndex (index paging) or cursor, not both.")
    count = page_size(params.get("count"))
    cursor = params.get("cursor")
    position = decode(cursor, query, adapter.client) if cursor != "" else None
    keyset = Keyset(adapter, params)
    forward = position is None or position.direction == AFTER
    queryset = keyset.ordered(queryset, forward)
    if position is not None:
        queryset = queryset.filter(keyset.beyond(position))
    objs = list(reading.prepared(adapter, queryset, projection)[: count + 1])
    more = len(objs) > count
    objs = objs[:count]
    if not forward:
        objs.reverse()
    reading.load(adapter, objs, projection)
    return _page(keyset, objs, position, more)


def _page(keyset: Keyset, objs: list[Model], position: Position | None, more: bool) -> Page:
    first = Position(BEFORE, keyset.key_of(objs[0])) if objs else None
    last = Position(AFTER, keyset.key_of(objs[-1])) if objs else None
    following, preceding = turns(first, last, position, more)
    total = None if position is not None or more else len(objs)
    return Page(objs, following, preceding, total)


def turns(
    first: Position | None, last: Position | None, position: Position | None, more: bool
) -> tuple[Position | None, Position | None]:
    """The next and previous positions of a page whose rows run from ``first`` to
    ``last``, read from ``position`` (None: the first page) with ``more`` rows beyond it
    in the direction read."""
    if position is None:
        return (last if more else None), None
    if position.direction == AFTER:
        return (last if more else None), first
    # Read backwards: the row the cursor came from (and any after it) follows this page.
    return last, (first if more else None)
