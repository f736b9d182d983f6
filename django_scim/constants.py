"""URNs, media types and scimType names (RFC 7643, RFC 7644). Strings only."""

from __future__ import annotations

SCIM_MEDIA_TYPE = "application/scim+json"

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE_USER_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

SERVICE_PROVIDER_CONFIG_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
RESOURCE_TYPE_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
SCHEMA_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema"

LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
SEARCH_REQUEST = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
BULK_REQUEST = "urn:ietf:params:scim:api:messages:2.0:BulkRequest"
BULK_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:BulkResponse"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"

# RFC 7644 §3.12, Table 9.
INVALID_FILTER = "invalidFilter"
TOO_MANY = "tooMany"
UNIQUENESS = "uniqueness"
MUTABILITY = "mutability"
INVALID_SYNTAX = "invalidSyntax"
INVALID_PATH = "invalidPath"
NO_TARGET = "noTarget"
INVALID_VALUE = "invalidValue"
INVALID_VERS = "invalidVers"
SENSITIVE = "sensitive"

# RFC 9865 §2.1, pagination errors (extending Table 9).
INVALID_CURSOR = "invalidCursor"
EXPIRED_CURSOR = "expiredCursor"
INVALID_COUNT = "invalidCount"
