"""Resource endpoints of every registered type: list, create, read, replace, patch, delete,
.search (RFC 7644 §3.3-§3.6).

HTTP only: each method parses what the request carries, calls one function
of the adapter layer (a search, a read, or a write of
:class:`~django_scim.adapters.writer.Writer`, which owns the transaction),
and renders the answer with its headers.
"""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response

from django_scim import errors, preconditions
from django_scim.adapters import reading, rendering, root_search, search
from django_scim.adapters.base import ResourceAdapter
from django_scim.adapters.writer import Writer
from django_scim.conf import scim_settings
from django_scim.projection import Projection
from django_scim.schemas.registry import ResourceType
from django_scim.views.base import SCIMResponse, SCIMView


class ResourceTypeMixin:
    """Resolves the ``endpoint`` URL segment to a registered resource type and its adapter."""

    ctx: Any
    kwargs: dict[str, Any]

    @property
    def resource_type(self) -> ResourceType:
        found = self.ctx.registry.by_segment(self.kwargs["endpoint"])
        if found is None:
            raise errors.NotFound("No SCIM endpoint at this URL.")
        return found

    def adapter(self) -> ResourceAdapter:
        adapter = self.ctx.adapter(self.resource_type.name)
        assert adapter is not None
        return adapter

    def projection(self, request: Request) -> Projection:
        return search.projection_of(self.resource_type, request.query_params)


def resource_response(
    resource: dict[str, Any], projection: Projection, status: int = 200
) -> Response:
    """The resource as projected, with its ETag (RFC 7644 §3.14) and, when created,
    its Location (RFC 7644 §3.3)."""
    meta = resource["meta"]
    headers = {"ETag": meta["version"]}
    if status == 201:
        headers["Location"] = meta["location"]
    return SCIMResponse(projection.apply(resource), status=status, headers=headers)


def not_modified(version: str) -> Response:
    """304 (RFC 9110 §15.4.5): the ETag, no body."""
    return SCIMResponse(status=304, headers={"ETag": version})


def with_changes(response: Response, writer: Writer) -> Response:
    """Hand the write's change set to the response, where the provisioning log finds it."""
    response.changes = writer.changes  # type: ignore[attr-defined]
    return response


class ResourceListView(ResourceTypeMixin, SCIMView):
    def operation_name(self, request: Request) -> str:
        return "create" if request.method == "POST" else "list"

    def get(self, request: Request, endpoint: str) -> Response:
        return SCIMResponse(search.query(self.adapter(), request.query_params))

    def post(self, request: Request, endpoint: str) -> Response:
        projection = self.projection(request)
        writer = Writer(self.adapter())
        created = writer.create(self.payload(request), shows=projection)
        return with_changes(resource_response(created, projection, status=201), writer)


class ResourceDetailView(ResourceTypeMixin, SCIMView):
    _operations = {"GET": "read", "PUT": "replace", "PATCH": "patch", "DELETE": "delete"}

    def operation_name(self, request: Request) -> str:
        return self._operations.get(request.method or "", "")

    def get(self, request: Request, endpoint: str, resource_id: str) -> Response:
        adapter = self.adapter()
        projection = self.projection(request)
        obj = reading.one(adapter, resource_id, projection)
        resource = rendering.render(adapter, obj, projection)
        version = resource["meta"]["version"]
        if preconditions.not_modified(version, **preconditions.headers(request.META)):
            return not_modified(version)
        return resource_response(resource, projection)

    def put(self, request: Request, endpoint: str, resource_id: str) -> Response:
        projection = self.projection(request)
        writer = Writer(self.adapter())
        replaced = writer.replace(
            resource_id, self.payload(request), projection, **preconditions.headers(request.META)
        )
        return with_changes(resource_response(replaced, projection), writer)

    def patch(self, request: Request, endpoint: str, resource_id: str) -> Response:
        """RFC 7644 §3.5.2: 200 with the resource, or 204 where PATCH_NO_CONTENT names the type."""
        no_content = self.resource_type.name in scim_settings.PATCH_NO_CONTENT
        projection = self.projection(request)
        writer = Writer(self.adapter())
        patched = writer.patch(
            resource_id,
            self.payload(request),
            None if no_content else projection,
            **preconditions.headers(request.META),
        )
        if no_content:
            response = SCIMResponse(status=204, headers={"ETag": patched["meta"]["version"]})
            return with_changes(response, writer)
        return with_changes(resource_response(patched, projection), writer)

    def delete(self, request: Request, endpoint: str, resource_id: str) -> Response:
        writer = Writer(self.adapter())
        writer.delete(resource_id, **preconditions.headers(request.META))
        return with_changes(SCIMResponse(status=204), writer)


class ResourceSearchView(ResourceTypeMixin, SCIMView):
    """POST /{ResourceType}/.search: a query whose parameters travel in the body."""

    operation = "search"
    read_only_post = True

    def post(self, request: Request, endpoint: str) -> Response:
        self.resource_type  # noqa: B018 - unknown endpoint: 404 before reading the body
        params = search.search_params(self.payload(request))
        return SCIMResponse(search.query(self.adapter(), params))


class RootSearchView(SCIMView):
    """POST /.search: the same query over every resource type (RFC 7644 §3.4.3), paged by
    index or, with ``cursor``, by cursor (RFC 9865 §3)."""

    operation = "search"
    read_only_post = True

    def post(self, request: Request) -> Response:
        params = search.search_params(self.payload(request))
        return SCIMResponse(root_search.query_all(self.ctx, params))
