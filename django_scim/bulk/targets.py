"""What an operation's ``path`` names: a resource type's endpoint, or one resource."""

from __future__ import annotations

from dataclasses import dataclass

from django_scim import errors
from django_scim.adapters.base import ResourceAdapter
from django_scim.adapters.context import RequestContext
from django_scim.adapters.writer import Writer
from django_scim.conf import scim_settings
from django_scim.schemas.registry import ResourceType


@dataclass
class Target:
    ctx: RequestContext
    resource_type: ResourceType
    adapter: ResourceAdapter
    scim_id: str | None

    def writer(self) -> Writer:
        return Writer(self.adapter)

    def location(self) -> str | None:
        if self.scim_id is None:
            return None
        return self.ctx.location(self.resource_type.name, self.scim_id)

    def patch_status(self) -> int:
        """What PATCH would answer alone (RFC 7644 §3.5.2; PATCH_NO_CONTENT)."""
        return 204 if self.resource_type.name in scim_settings.PATCH_NO_CONTENT else 200


def target_of(ctx: RequestContext, path: str, method: str) -> Target:
    """POST names an endpoint (``/Users``), the others a resource (``/Users/{id}``)
    (RFC 7644 §3.7)."""
    parts = path.strip().strip("/").split("/")
    resource_type = ctx.registry.by_segment(parts[0]) if len(parts) <= 2 else None
    if resource_type is None:
        raise errors.NotFound(f"No SCIM endpoint at {path!r}.")
    scim_id = parts[1] if len(parts) == 2 and parts[1] else None
    if method == "POST" and scim_id is not None:
        raise errors.InvalidSyntax(
            f"A POST operation's path names an endpoint, such as {resource_type.endpoint}."
        )
    if method != "POST" and scim_id is None:
        raise errors.InvalidSyntax(
            f"A {method} operation's path names a resource, such as "
            f"{resource_type.endpoint}/{{id}}."
        )
    adapter = ctx.adapter(resource_type.name)
    assert adapter is not None
    return Target(ctx, resource_type, adapter, scim_id)
