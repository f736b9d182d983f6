"""Resource endpoints for every registered type: list, create, read, replace, delete (RFC 7644 §3.3-§3.6)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from rest_framework.request import Request
from rest_framework.response import Response

from django_scim import errors
from django_scim.adapters.base import ResourceAdapter
from django_scim.pagination import list_response, parse_paging
from django_scim.projection import Projection
from django_scim.schemas.registry import ResourceType, get_registry
from django_scim.views.base import SCIMView

NOT_YET = "Filtering is not supported by this service provider yet."


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

    def render(self, adapter: ResourceAdapter, obj: Any, projection: Projection) -> dict[str, Any]:
        return projection.apply(adapter.to_scim(obj, projection))

    def resource_response(self, adapter: ResourceAdapter, obj: Any, projection: Projection,
                          status: int = 200) -> Response:
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
        self.resource_type  # noqa: B018 - 404 for an unknown endpoint before parsing parameters
        params = request.query_params
        if params.get("filter") is not None:
            raise errors.InvalidFilter(NOT_YET)
        if params.get("sortBy") is not None:
            raise errors.InvalidValue("Sorting is not supported by this service provider yet.")
        start, count = parse_paging(params.get("startIndex"), params.get("count"))
        adapter = self.adapter()
        projection = self.projection(request)
        queryset = adapter.get_queryset()
        total = queryset.count()
        objs = adapter.page(queryset, start - 1, count, projection)
        resources = [self.render(adapter, obj, projection) for obj in objs]
        return Response(list_response(resources, total, start))

    def post(self, request: Request, endpoint: str) -> Response:
        adapter = self.adapter()
        created = adapter.create(request.data)
        self.resource_id = str(adapter.record_of(created).id)
        projection = self.projection(request)
        obj = adapter.get(self.resource_id, projection)
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
        data = request.data
        with transaction.atomic():
            adapter.replace(adapter.get(resource_id, for_update=True), data)
        projection = self.projection(request)
        obj = adapter.get(resource_id, projection)
        return self.resource_response(adapter, obj, projection)

    def patch(self, request: Request, endpoint: str, resource_id: str) -> Response:
        self.adapter().get(resource_id)
        raise errors.NotImplementedFeature("PATCH is not supported by this service provider yet.")

    def delete(self, request: Request, endpoint: str, resource_id: str) -> Response:
        adapter = self.adapter()
        adapter.delete(adapter.get(resource_id))
        return Response(status=204)
