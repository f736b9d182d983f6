"""/ServiceProviderConfig, /Schemas and /ResourceTypes (RFC 7644 §4)."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.response import Response

from django_scim import errors
from django_scim.pagination import list_response
from django_scim.schemas import discovery
from django_scim.schemas.registry import get_registry
from django_scim.views.base import SCIMResponse, SCIMView


class ServiceProviderConfigView(SCIMView):
    operation = "discovery"

    def get(self, request: Request) -> Response:
        return SCIMResponse(discovery.service_provider_config(self.ctx.base_url))


def refuse_filter(request: Request) -> None:
    """RFC 7644 §4: discovery lists ignore filtering, so a filter gets 403 rather than
    a list a client could take as filtered."""
    if "filter" in request.query_params:
        raise errors.Forbidden("Discovery endpoints do not support filtering.")


class SchemaListView(SCIMView):
    operation = "discovery"

    def get(self, request: Request) -> Response:
        refuse_filter(request)
        documents = discovery.schema_documents(get_registry(), self.ctx.base_url)
        return SCIMResponse(list_response(documents, len(documents), 1))


class SchemaDetailView(SCIMView):
    operation = "discovery"

    def get(self, request: Request, schema_id: str) -> Response:
        schema = get_registry().schema(schema_id)
        if schema is None:
            raise errors.NotFound(f"Schema {schema_id} not found.")
        return SCIMResponse(discovery.schema_document(schema, self.ctx.base_url))


class ResourceTypeListView(SCIMView):
    operation = "discovery"

    def get(self, request: Request) -> Response:
        refuse_filter(request)
        documents = discovery.resource_type_documents(get_registry(), self.ctx.base_url)
        return SCIMResponse(list_response(documents, len(documents), 1))


class ResourceTypeDetailView(SCIMView):
    operation = "discovery"

    def get(self, request: Request, name: str) -> Response:
        resource_type = get_registry().get(name)
        if resource_type is None:
            raise errors.NotFound(f"Resource type {name} not found.")
        return SCIMResponse(discovery.resource_type_document(resource_type, self.ctx.base_url))
