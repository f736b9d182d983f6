"""Per-request state shared by the adapters serving one request."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django_scim.schemas.registry import Registry, get_registry

if TYPE_CHECKING:
    from django_scim.adapters.base import ResourceAdapter


class RequestContext:
    """The request, its client, the base URL, and what this request has read so far."""

    def __init__(
        self,
        base_url: str,
        request: Any = None,
        client: Any = None,
        registry: Registry | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.request = request
        self.client = client
        #: RFC 7644 §6: the client's tenant, which scopes every read and write ("": none).
        self.tenant: str = getattr(client, "tenant", "") or ""
        self.registry = registry or get_registry()
        self._adapters: dict[str, ResourceAdapter] = {}
        self._prefixes: dict[str, str] = {}
        #: What mappings loaded for a page of objects (references of relations).
        self.loaded: dict[Any, Any] = {}

    def adapter(self, name: str) -> ResourceAdapter | None:
        if name not in self._adapters:
            resource_type = self.registry.get(name)
            if resource_type is None:
                return None
            self._adapters[name] = resource_type.adapter_class(self)
        return self._adapters[name]

    def location(self, resource_type: str, scim_id: Any) -> str:
        prefix = self._prefixes.get(resource_type)
        if prefix is None:
            found = self.registry.get(resource_type)
            endpoint = found.endpoint if found else f"/{resource_type}"
            prefix = self._prefixes[resource_type] = f"{self.base_url}{endpoint}/"
        return f"{prefix}{scim_id}"
