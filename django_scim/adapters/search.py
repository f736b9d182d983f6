"""Queries (RFC 7644 §3.4.2): filter, sortBy, sortOrder, startIndex, count, projection.

One place builds a ListResponse for a resource type (GET and ``/.search``)
and for a search across every type (``POST /.search``); views only hand over
the parameters.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from django_scim import errors
from django_scim.adapters import cursors, reading, rendering
from django_scim.adapters.base import ResourceAdapter
from django_scim.adapters.context import RequestContext
from django_scim.constants import LIST_RESPONSE, SEARCH_REQUEST
from django_scim.filters.ast import attribute_refs
from django_scim.filters.parser import parse_filter
from django_scim.filters.to_q import QueryTranslator
from django_scim.pagination import list_response, parse_paging
from django_scim.paths import UnknownAttribute, parse_path
from django_scim.projection import Projection
from django_scim.schemas.registry import ResourceType
from django_scim.sorting import order_by, parse_sort_order

#: The parameters of a query, in a query string or a SearchRequest body.
SEARCH_KEYS = (
    "filter",
    "sortBy",
    "sortOrder",
    "startIndex",
    "count",
    "attributes",
    "excludedAttributes",
    "cursor",
)


def projection_of(resource_type: ResourceType, params: Any) -> Projection:
    return Projection(resource_type, params.get("attributes"), params.get("excludedAttributes"))


def filtered(
    adapter: ResourceAdapter, queryset: QuerySet, text: str, across_types: bool = False
) -> QuerySet:
    """Apply a SCIM filter (RFC 7644 §3.4.2.2) in the database."""
    node = parse_filter(text)
    return queryset.filter(QueryTranslator(adapter, across_types).translate(node))


def matching(adapter: ResourceAdapter, text: str | None, across_types: bool = False) -> QuerySet:
    """What the request may see (``scoped_queryset()``) that matches the filter ``text``
    (None: all of it)."""
    queryset = adapter.scoped_queryset()
    return queryset if text is None else filtered(adapter, queryset, text, across_types)


def total_results(queryset: QuerySet, offset: int, count: int, found: int) -> int:
    """totalResults for a page of ``found`` rows at ``offset``: counted in the database only
    when the page cannot tell. A page that came back short ends the results, so an IdP's
    lookup (``userName eq "…"``: a page of 0 or 1) costs no COUNT query."""
    if found < count and (offset == 0 or found > 0):
        return offset + found
    return int(queryset.count())


def render_page(
    adapter: ResourceAdapter,
    queryset: QuerySet,
    offset: int,
    count: int,
    params: Any,
    lenient_sort: bool = False,
) -> list[dict[str, Any]]:
    projection = projection_of(adapter.resource_type, params)
    ordering = None
    if params.get("sortBy"):
        try:
            ordering = order_by(
                adapter, params["sortBy"], parse_sort_order(params.get("sortOrder"))
            )
        except errors.InvalidValue:
            if not lenient_sort:
                raise
    objs = reading.page(adapter, queryset, offset, count, projection, ordering)
    return [projection.apply(rendering.render(adapter, obj, projection)) for obj in objs]


def query(adapter: ResourceAdapter, params: Any) -> dict[str, Any]:
    """A ListResponse of one resource type: index paging, or cursor paging (RFC 9865) when
    the request carries ``cursor`` (empty for the first page)."""
    if params.get("cursor") is not None:
        return cursor_query(adapter, params)
    start, count = parse_paging(params.get("startIndex"), params.get("count"))
    queryset = matching(adapter, params.get("filter"))
    resources = render_page(adapter, queryset, start - 1, count, params)
    total = total_results(queryset, start - 1, count, len(resources))
    return list_response(resources, total, start)


def cursor_query(adapter: ResourceAdapter, params: Any) -> dict[str, Any]:
    """A cursor-paged ListResponse (RFC 9865 §2): ``nextCursor`` unless this is the last
    page, ``previousCursor`` unless the first; no ``startIndex``; ``totalResults`` only
    when the first page holds every match, as nothing is counted."""
    query_id = cursors.query_id(adapter, params)
    queryset = matching(adapter, params.get("filter"))
    projection = projection_of(adapter.resource_type, params)
    found = cursors.page(adapter, queryset, params, projection, query_id)
    response: dict[str, Any] = {"schemas": [LIST_RESPONSE]}
    if found.total is not None:
        response["totalResults"] = found.total
    response["itemsPerPage"] = len(found.objects)
    for name, position in (("previousCursor", found.previous), ("nextCursor", found.next)):
        if position is not None:
            response[name] = cursors.encode(position, query_id, adapter.client)
    response["Resources"] = [
        projection.apply(rendering.render(adapter, obj, projection)) for obj in found.objects
    ]
    return response


def query_all(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """POST /.search: the query over every resource type, concatenated in registry order.

    A filter condition naming an attribute one resource type lacks is false for
    that type; sorting applies within each type, paging over the concatenation.
    With a cursor, :mod:`django_scim.adapters.root_search` pages this same order.
    """
    start, count = parse_paging(params.get("startIndex"), params.get("count"))
    if params.get("filter") is not None:
        check_known_somewhere(ctx, params["filter"])
    resources: list[dict[str, Any]] = []
    total = 0
    for resource_type in ctx.registry.resource_types:
        adapter = ctx.adapter(resource_type.name)
        assert adapter is not None
        queryset = matching(adapter, params.get("filter"), across_types=True)
        found = queryset.count()
        offset = max(0, start - 1 - total)
        wanted = count - len(resources)
        if wanted > 0 and offset < found:
            resources += render_page(adapter, queryset, offset, wanted, params, lenient_sort=True)
        total += found
    return list_response(resources, total, start)


def check_known_somewhere(ctx: RequestContext, text: str) -> None:
    """A name no resource type has is invalidFilter, as it is for a single type."""
    types = ctx.registry.resource_types
    for ref in attribute_refs(parse_filter(text)):
        if ref.text.lower() == "schemas":
            continue
        if not any(_resolves(ref.text, resource_type) for resource_type in types):
            raise errors.InvalidFilter(
                f"Unknown attribute '{ref.text}' at position {ref.position}."
            )


def _resolves(text: str, resource_type: ResourceType) -> bool:
    try:
        parse_path(text, resource_type)
    except UnknownAttribute:
        return False
    return True


def search_params(data: Any) -> dict[str, Any]:
    """The SearchRequest body (RFC 7644 §3.4.3) as query parameters."""
    if not isinstance(data, dict):
        raise errors.InvalidSyntax("A search request must be a JSON object.")
    schemas = data.get("schemas")
    if schemas is not None and (not isinstance(schemas, list) or SEARCH_REQUEST not in schemas):
        raise errors.InvalidSyntax(f"A search request's schemas must contain {SEARCH_REQUEST}.")
    params = {key: data.get(key) for key in SEARCH_KEYS if data.get(key) is not None}
    for key in ("filter", "sortBy", "sortOrder"):
        if key in params and not isinstance(params[key], str):
            raise errors.InvalidValue(f"'{key}' must be a string.")
    return params
