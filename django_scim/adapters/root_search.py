"""``POST /.search`` (RFC 7644 §3.4.3): index paging, or cursor paging (RFC 9865).

Without ``cursor`` the search is :func:`~django_scim.adapters.search.query_all`'s:
every resource type in registry order, paged by index over the concatenation.

With ``cursor`` (empty for the first page) the same results, in the same
order, are paged by one keyset across the types: the resource types in
registry order, and within each the keyset of :mod:`cursors`
(``sortBy`` where the type has the attribute, else the key, as an
index-paged root search sorts). A cursor names the resource type of the row
it stands at and that row's (sort value, key); it is signed and bound to the
client and the query as any cursor, under a query id no resource type's can
equal. A page reads from the cursor's type onward (backwards for a
``previousCursor``): at most ``count`` + 1 rows of each type it reaches, one
query per type, and an existence probe for a type reached with the page
already full. Nothing is counted: ``totalResults`` is given only when the
first page holds every match.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, QuerySet

from django_scim import errors
from django_scim.adapters import cursors, reading, rendering, search
from django_scim.adapters.base import ResourceAdapter
from django_scim.adapters.context import RequestContext
from django_scim.constants import LIST_RESPONSE
from django_scim.projection import Projection

#: What root cursors are bound to in place of a resource type's name.
ENDPOINT = "/.search"


@dataclass
class Part:
    """One resource type's share of the search: its adapter, order and matches."""

    adapter: ResourceAdapter
    keyset: cursors.Keyset
    queryset: QuerySet
    projection: Projection

    @property
    def name(self) -> str:
        return self.adapter.resource_type_name

    def position(self, direction: str, obj: Model) -> cursors.Position:
        return cursors.Position(direction, self.keyset.key_of(obj), self.name)


def query_all(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """A ListResponse over every resource type: by cursor when the request carries
    ``cursor``, by index otherwise."""
    if params.get("cursor") is None:
        return search.query_all(ctx, params)
    return cursor_query(ctx, params)


def cursor_query(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """A cursor-paged ListResponse across every resource type (RFC 9865 §2, §3)."""
    if params.get("startIndex") not in (None, ""):
        raise errors.InvalidValue("Send either startIndex (index paging) or cursor, not both.")
    count = cursors.page_size(params.get("count"))
    query = cursors.query_id_of(ENDPOINT, params)
    cursor = params["cursor"]
    position = cursors.decode(cursor, query, ctx.client) if cursor != "" else None
    parts = _parts(ctx, params)
    rows, more = _rows(parts, position, count)
    for part in parts:
        objs = [obj for owner, obj in rows if owner is part]
        if objs:
            reading.load(part.adapter, objs, part.projection)
    first = rows[0][0].position(cursors.BEFORE, rows[0][1]) if rows else None
    last = rows[-1][0].position(cursors.AFTER, rows[-1][1]) if rows else None
    following, preceding = cursors.turns(first, last, position, more)
    response: dict[str, Any] = {"schemas": [LIST_RESPONSE]}
    if position is None and not more:
        response["totalResults"] = len(rows)
    response["itemsPerPage"] = len(rows)
    for name, turn in (("previousCursor", preceding), ("nextCursor", following)):
        if turn is not None:
            response[name] = cursors.encode(turn, query, ctx.client)
    response["Resources"] = [
        part.projection.apply(rendering.render(part.adapter, obj, part.projection))
        for part, obj in rows
    ]
    return response


def _parts(ctx: RequestContext, params: dict[str, Any]) -> list[Part]:
    """Every resource type's matches (no query yet), in registry order."""
    text = params.get("filter")
    if text is not None:
        search.check_known_somewhere(ctx, text)
    parts = []
    for resource_type in ctx.registry.resource_types:
        adapter = ctx.adapter(resource_type.name)
        assert adapter is not None
        queryset = search.matching(adapter, text, across_types=True)
        projection = search.projection_of(resource_type, params)
        parts.append(Part(adapter, _keyset(adapter, params), queryset, projection))
    return parts


def _keyset(adapter: ResourceAdapter, params: dict[str, Any]) -> cursors.Keyset:
    """The type's keyset; by key alone where the type cannot sort by ``sortBy`` (RFC 7644
    §3.4.3: an index-paged root search sorts such a type in its own order too)."""
    try:
        return cursors.Keyset(adapter, params)
    except errors.InvalidValue:
        return cursors.Keyset(adapter, {})


def _rows(
    parts: list[Part], position: cursors.Position | None, count: int
) -> tuple[list[tuple[Part, Model]], bool]:
    """Up to ``count`` rows from ``position`` on, in page order, and whether more follow
    in the direction read (the rows of the types before the cursor's when reading back)."""
    forward = position is None or position.direction == cursors.AFTER
    reached = _reached(parts, position, forward)
    rows: list[tuple[Part, Model]] = []
    more = False
    for part in reached:
        queryset = part.keyset.ordered(part.queryset, forward)
        if position is not None and part.name == position.resource_type:
            queryset = queryset.filter(part.keyset.beyond(position))
        wanted = count - len(rows)
        if wanted == 0:
            more = queryset.exists()
        else:
            found = list(reading.prepared(part.adapter, queryset, part.projection)[: wanted + 1])
            more = len(found) > wanted
            rows += [(part, obj) for obj in found[:wanted]]
        if more:
            break
    if not forward:
        rows.reverse()
    return rows, more


def _reached(parts: list[Part], position: cursors.Position | None, forward: bool) -> Iterable[Part]:
    """The parts a page reads, in the order it reads them: from the cursor's type on
    (back to the first type when reading backwards); invalidCursor for a type no longer
    served."""
    if position is None:
        return parts
    names = [part.name for part in parts]
    if position.resource_type not in names:
        raise errors.InvalidCursor()
    at = names.index(position.resource_type)
    return parts[at:] if forward else reversed(parts[: at + 1])
