"""Discovery documents generated from the registry and settings (RFC 7643 §5-§7, RFC 7644 §4).

Nothing here is hand-written JSON: what the registry and settings say is what
is advertised, and each capability flag is true only where it works.
"""

from __future__ import annotations

from typing import Any

from django_scim import constants
from django_scim.conf import scim_settings
from django_scim.schemas.attributes import Schema
from django_scim.schemas.registry import Registry, ResourceType


def service_provider_config(base_url: str) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "schemas": [constants.SERVICE_PROVIDER_CONFIG_SCHEMA],
        "patch": {"supported": True},
        "bulk": bulk(),
        "filter": {"supported": True, "maxResults": scim_settings.MAX_RESULTS},
        "changePassword": {"supported": True},
        "sort": {"supported": True},
        "pagination": pagination(),
        "etag": {"supported": True},
        "authenticationSchemes": [
            {
                "type": "oauthbearertoken",
                "name": "OAuth Bearer Token",
                "description": "A per-client bearer token in the Authorization header.",
                "specUri": "https://www.rfc-editor.org/rfc/rfc6750",
                "primary": True,
            }
        ],
        "meta": {
            "resourceType": "ServiceProviderConfig",
            "location": f"{base_url}/ServiceProviderConfig",
        },
    }
    if scim_settings.DOCUMENTATION_URI:
        doc["documentationUri"] = scim_settings.DOCUMENTATION_URI
    return doc


def bulk() -> dict[str, Any]:
    """RFC 7643 §5: the limits /Bulk enforces (RFC 7644 §3.7.4); off when maxOperations is 0."""
    operations = scim_settings.BULK_MAX_OPERATIONS
    return {
        "supported": operations > 0,
        "maxOperations": operations,
        "maxPayloadSize": scim_settings.BULK_MAX_PAYLOAD_SIZE if operations > 0 else 0,
    }


def pagination() -> dict[str, Any]:
    """RFC 9865 §4: both methods, index the default (§2.5: existing clients expect it)."""
    max_page = scim_settings.MAX_RESULTS
    return {
        "cursor": True,
        "index": True,
        "defaultPaginationMethod": "index",
        "defaultPageSize": max(1, min(scim_settings.DEFAULT_COUNT, max_page)),
        "maxPageSize": max_page,
        "cursorTimeout": scim_settings.CURSOR_TIMEOUT,
    }


def schema_document(schema: Schema, base_url: str) -> dict[str, Any]:
    doc = {"schemas": [constants.SCHEMA_SCHEMA], **schema.to_document()}
    doc["meta"] = {"resourceType": "Schema", "location": f"{base_url}/Schemas/{schema.id}"}
    return doc


def resource_type_document(resource_type: ResourceType, base_url: str) -> dict[str, Any]:
    return {
        "schemas": [constants.RESOURCE_TYPE_SCHEMA],
        "id": resource_type.name,
        "name": resource_type.name,
        "endpoint": resource_type.endpoint,
        "description": resource_type.description,
        "schema": resource_type.schema.id,
        "schemaExtensions": [
            {"schema": extension.id, "required": False} for extension in resource_type.extensions
        ],
        "meta": {
            "resourceType": "ResourceType",
            "location": f"{base_url}/ResourceTypes/{resource_type.name}",
        },
    }


def schema_documents(registry: Registry, base_url: str) -> list[dict[str, Any]]:
    return [schema_document(schema, base_url) for schema in registry.schemas.values()]


def resource_type_documents(registry: Registry, base_url: str) -> list[dict[str, Any]]:
    return [resource_type_document(rt, base_url) for rt in registry.resource_types]
