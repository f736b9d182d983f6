"""A resource's version now: what a circular reference's members report once complete.

Adding the values a create left out may change another member's version
(membership changes both sides), so each member's is read again at the end.
"""

from __future__ import annotations

from django_scim.adapters import reading, rendering
from django_scim.adapters.base import ResourceAdapter
from django_scim.projection import Projection


def current(adapter: ResourceAdapter, scim_id: str) -> str:
    """The resource's version (relations aside, as every version); 404 if it is gone."""
    resource_type = adapter.resource_type
    relations = [str(path) for path, mapping in resource_type.fields if mapping.is_relation]
    projection = Projection(resource_type, excluded=relations)
    obj = reading.one(adapter, scim_id, projection)
    version: str = rendering.render(adapter, obj, projection)["meta"]["version"]
    return version
