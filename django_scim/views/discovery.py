"""/ServiceProviderConfig, /Schemas and /ResourceTypes (RFC 7644 §4)."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.response import Response

from django_scim import errors
from django_scim.pagination import list_response
from django_scim.schemas import discovery
from django_scim.schemas.registry import get_registry
from django_scim.views.base import SCIMView


class ServiceProviderConfigView(SCIMView):
    operation = "discovery"

    def get(self, request: Request) -> Response:
        return Response(discovery.service_provider_config(self.ctx.base_url))


class SchemaListView(SCIMView):
    operation = "discovery"

    def get(self, request: Request) -> Response:
        documents = discovery.schema_documents(get_registry(), self.ctx.base_url)
        return Response(list_response(documents, len(documents), 1))


class SchemaDetailView(SCIMView):
    operation = "discovery"

    def get(self, request: Request, schema_id: str) -> Response:
        schema = get_registry().schema(schema_id)
        if schema is None:
            raise errors.NotFound(f"Schema {schema_id} not found.")
        return Response(discovery.schema_document(schema, self.ctx.base_url))


class ResourceTypeListView(SCIMView):
    operation = "discovery"

    def get(self, request: Request) -> Response:
        documents = discovery.resource_type_documents(get_registry(), self.ctx.base_url)
        return Response(list_response(documents, len(documents), 1))


class ResourceTypeDetailView(SCIMView):
    operation = "discovery"

    def get(self, request: Request, name: str) -> Response:
        resource_type = get_registry().get(name)
        if resource_type is None:
            raise errors.NotFound(f"Resource type {name} not found.")
        return Response(discovery.resource_type_document(resource_type, self.ctx.base_url))
