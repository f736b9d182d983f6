"""Per-request state shared by the adapters serving one request."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db.models import Model

from django_scim.adapters import records
from django_scim.models import ResourceRecord
from django_scim.schemas.registry import Registry, get_registry

if TYPE_CHECKING:
    from django_scim.adapters.base import ResourceAdapter
    from django_scim.projection import Projection


class RequestContext:
    """The request, its client, the base URL, and caches of adapters and side rows."""

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
        self.registry = registry or get_registry()
        self._adapters: dict[str, ResourceAdapter] = {}
        self._records: dict[tuple[str, str], ResourceRecord] = {}
        #: (relation, model, pk) -> [key, display, SCIM id] of each related object.
        self.references: dict[tuple[str, Any, Any], list[list[Any]]] = {}
        #: What the response to a write will render (set by the view before the write;
        #: None when it renders no resource), so the write can read what it needs.
        self.shows: Projection | None = None
        #: (mapping, pk) of relations read by a write in its last round trip, as final.
        self.read_with_write: set[tuple[Any, Any]] = set()

    def adapter(self, name: str) -> ResourceAdapter | None:
        if name not in self._adapters:
            resource_type = self.registry.get(name)
            if resource_type is None:
                return None
            self._adapters[name] = resource_type.adapter_class(self)
        return self._adapters[name]

    def location(self, resource_type: str, scim_id: Any) -> str:
        found = self.registry.get(resource_type)
        endpoint = found.endpoint if found else f"/{resource_type}"
        return f"{self.base_url}{endpoint}/{scim_id}"

    def load_records(self, resource_type: str, objs: Iterable[Model]) -> None:
        """Fetch (or create) side rows for ``objs`` that are not cached yet."""
        wanted = [obj for obj in objs if (resource_type, str(obj.pk)) not in self._records]
        if not wanted:
            return
        adapter = self.adapter(resource_type)
        created_of = adapter.created_of if adapter else None
        for pk, row in records.ensure(resource_type, wanted, created_of).items():
            self._records[(resource_type, pk)] = row

    def record(self, resource_type: str, obj: Model) -> ResourceRecord | None:
        return self._records.get((resource_type, str(obj.pk)))

    def remember(self, record: ResourceRecord) -> None:
        self._records[(record.resource_type, record.object_pk)] = record
