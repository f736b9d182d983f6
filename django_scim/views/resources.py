"""Resource endpoints of every registered type: list, create, read, replace, patch, delete,
.search (RFC 7644 §3.3-§3.6)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from rest_framework.request import Request
from rest_framework.response import Response

from django_scim import errors
from django_scim.adapters.base import ResourceAdapter
from django_scim.conf import scim_settings
from django_scim.constants import SEARCH_REQUEST
from django_scim.filters.ast import attribute_refs
from django_scim.filters.parser import parse_filter
from django_scim.pagination import list_response, parse_paging
from django_scim.paths import UnknownAttribute, parse_path
from django_scim.projection import Projection
from django_scim.schemas.registry import ResourceType, get_registry
from django_scim.sorting import order_by, parse_sort_order
from django_scim.views.base import SCIMView

SEARCH_KEYS = (
    "filter",
    "sortBy",
    "sortOrder",
    "startIndex",
    "count",
    "attributes",
    "excludedAttributes",
)


class ResourceTypeMixin:
    """Resolves the ``endpoint`` URL segment to a registered resource type and its adapter."""

    ctx: Any
    kwargs: dict[str, Any]

    @property
    def resource_type(self) -> ResourceType:
        found = get_registry().by_segment(self.kwargs["endpoint"])
        if found is None:
            raise errors.NotFound("No SCIM endpoint at this URL.")
        return found

    def adapter(self) -> ResourceAdapter:
        adapter = self.ctx.adapter(self.resource_type.name)
        assert adapter is not None
        return adapter

    def projection(self, request: Request) -> Projection:
        params = request.query_params
        return Projection(
            self.resource_type, params.get("attributes"), params.get("excludedAttributes")
        )

    def query(self, adapter: ResourceAdapter, params: Any) -> dict[str, Any]:
        """A ListResponse for filter, sortBy, sortOrder, startIndex, count (RFC 7644 §3.4.2)."""
        start, count = parse_paging(params.get("startIndex"), params.get("count"))
        projection = Projection(
            self.resource_type, params.get("attributes"), params.get("excludedAttributes")
        )
        queryset = adapter.get_queryset()
        if params.get("filter") is not None:
            queryset = adapter.filtered(queryset, params["filter"])
        ordering = None
        if params.get("sortBy"):
            ordering = order_by(
                adapter, params["sortBy"], parse_sort_order(params.get("sortOrder"))
            )
        objs = adapter.page(queryset, start - 1, count, projection, ordering)
        total = total_results(queryset, start - 1, count, len(objs))
        resources = [self.render(adapter, obj, projection) for obj in objs]
        return list_response(resources, total, start)

    def render(self, adapter: ResourceAdapter, obj: Any, projection: Projection) -> dict[str, Any]:
        return projection.apply(adapter.to_scim(obj, projection))

    def resource_response(
        self, adapter: ResourceAdapter, obj: Any, projection: Projection, status: int = 200
    ) -> Response:
        full = adapter.to_scim(obj, projection)
        meta = full["meta"]
        headers = {"ETag": meta["version"]}
        if status == 201:
            headers["Location"] = meta["location"]
        return Response(projection.apply(full), status=status, headers=headers)


class ResourceListView(ResourceTypeMixin, SCIMView):
    def operation_name(self, request: Request) -> str:
        return "create" if request.method == "POST" else "list"

    def get(self, request: Request, endpoint: str) -> Response:
        return Response(self.query(self.adapter(), request.query_params))

    def post(self, request: Request, endpoint: str) -> Response:
        adapter = self.adapter()
        projection = adapter.ctx.shows = self.projection(request)
        created = adapter.create(self.payload(request))
        self.resource_id = str(adapter.record_of(created).id)
        obj = adapter.refreshed(created, projection)
        return self.resource_response(adapter, obj, projection, status=201)


class ResourceDetailView(ResourceTypeMixin, SCIMView):
    _operations = {"GET": "read", "PUT": "replace", "PATCH": "patch", "DELETE": "delete"}

    def operation_name(self, request: Request) -> str:
        return self._operations.get(request.method or "", "")

    def get(self, request: Request, endpoint: str, resource_id: str) -> Response:
        adapter = self.adapter()
        projection = self.projection(request)
        obj = adapter.get(resource_id, projection)
        return self.resource_response(adapter, obj, projection)

    def put(self, request: Request, endpoint: str, resource_id: str) -> Response:
        adapter = self.adapter()
        data = self.payload(request)
        projection = adapter.ctx.shows = self.projection(request)
        with transaction.atomic():
            current = adapter.get(resource_id, adapter.without_relations(), for_update=True)
            obj = adapter.replace(current, data)
        return self.resource_response(adapter, adapter.refreshed(obj, projection), projection)

    def patch(self, request: Request, endpoint: str, resource_id: str) -> Response:
        """RFC 7644 §3.5.2: 200 with the resource, or 204 where PATCH_NO_CONTENT names the type."""
        adapter = self.adapter()
        data = self.payload(request)
        no_content = self.resource_type.name in scim_settings.PATCH_NO_CONTENT
        projection = self.projection(request)
        adapter.ctx.shows = None if no_content else projection
        with transaction.atomic():
            obj = adapter.get(resource_id, adapter.without_relations(), for_update=True)
            adapter.patch(obj, data)
        if no_content:
            return Response(status=204)
        return self.resource_response(adapter, adapter.refreshed(obj, projection), projection)

    def delete(self, request: Request, endpoint: str, resource_id: str) -> Response:
        adapter = self.adapter()
        adapter.delete(adapter.get(resource_id, adapter.without_relations()))
        return Response(status=204)


def total_results(queryset: Any, offset: int, count: int, found: int) -> int:
    """totalResults for a page of ``found`` rows at ``offset``: counted in the database only
    when the page cannot tell. A page that came back short ends the results, so an IdP's
    lookup (``userName eq "…"``: a page of 0 or 1) costs no COUNT query."""
    if found < count and (offset == 0 or found > 0):
        return offset + found
    return int(queryset.count())


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


class ResourceSearchView(ResourceTypeMixin, SCIMView):
    """POST /{ResourceType}/.search: a query whose parameters travel in the body."""

    operation = "search"
    read_only_post = True

    def post(self, request: Request, endpoint: str) -> Response:
        self.resource_type  # noqa: B018 - unknown endpoint: 404 before reading the body
        return Response(self.query(self.adapter(), search_params(self.payload(request))))


class RootSearchView(SCIMView):
    """POST /.search: the same query over every resource type, concatenated in registry order.

    A filter condition naming an attribute one resource type lacks is false for
    that type; sorting applies within each type, paging over the concatenation.
    """

    operation = "search"
    read_only_post = True

    def post(self, request: Request) -> Response:
        params = search_params(self.payload(request))
        start, count = parse_paging(params.get("startIndex"), params.get("count"))
        if params.get("filter") is not None:
            _check_known_somewhere(params["filter"])
        resources: list[dict[str, Any]] = []
        total = 0
        for resource_type in get_registry().resource_types:
            view = _TypeQuery(self.ctx, resource_type)
            queryset = view.queryset(params)
            found = queryset.count()
            offset = max(0, start - 1 - total)
            wanted = count - len(resources)
            if wanted > 0 and offset < found:
                resources += view.render_page(queryset, offset, wanted, params)
            total += found
        return Response(list_response(resources, total, start))


def _check_known_somewhere(text: str) -> None:
    """A name no resource type has is an error, as it is for a single type."""
    types = get_registry().resource_types
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


class _TypeQuery:
    """One resource type's part of a root search."""

    def __init__(self, ctx: Any, resource_type: ResourceType) -> None:
        self.resource_type = resource_type
        adapter = ctx.adapter(resource_type.name)
        assert adapter is not None
        self.adapter = adapter

    def queryset(self, params: dict[str, Any]) -> Any:
        queryset = self.adapter.get_queryset()
        if params.get("filter") is not None:
            queryset = self.adapter.filtered(queryset, params["filter"], across_types=True)
        return queryset

    def render_page(
        self, queryset: Any, offset: int, count: int, params: dict[str, Any]
    ) -> list[Any]:
        projection = Projection(
            self.resource_type, params.get("attributes"), params.get("excludedAttributes")
        )
        ordering = None
        if params.get("sortBy"):
            try:
                ordering = order_by(
                    self.adapter, params["sortBy"], parse_sort_order(params.get("sortOrder"))
                )
            except errors.InvalidValue:
                ordering = None
        objs = self.adapter.page(queryset, offset, count, projection, ordering)
        return [projection.apply(self.adapter.to_scim(obj, projection)) for obj in objs]
