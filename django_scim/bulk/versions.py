"""An operation's ``version``: its If-Match (RFC 7644 §3.7, §3.14).

Compared weakly (the opaque tags equal, ``W/`` aside; ``*`` matches any
existing resource) against the resource's version as read, row locked,
inside the operation's savepoint, so nothing can change it between the
comparison and the write.
"""

from __future__ import annotations

from django_scim.adapters import reading, rendering
from django_scim.adapters.base import ResourceAdapter
from django_scim.errors import PreconditionFailed
from django_scim.projection import Projection


def opaque(tag: str) -> str:
    tag = tag.strip()
    if tag[:2] in ("W/", "w/"):
        tag = tag[2:].lstrip()
    if len(tag) >= 2 and tag[0] == tag[-1] == '"':
        tag = tag[1:-1]
    return tag


def matches(wanted: str, version: str) -> bool:
    return any(
        item.strip() == "*" or opaque(item) == opaque(version)
        for item in wanted.split(",")
        if item.strip()
    )


def current(adapter: ResourceAdapter, scim_id: str, lock: bool = False) -> str:
    """The resource's version now (relations aside, as every version); 404 if it is gone."""
    resource_type = adapter.resource_type
    relations = [str(path) for path, mapping in resource_type.fields if mapping.is_relation]
    projection = Projection(resource_type, excluded=relations)
    obj = reading.one(adapter, scim_id, projection, lock=lock)
    version: str = rendering.render(adapter, obj, projection)["meta"]["version"]
    return version


def check_version(adapter: ResourceAdapter, scim_id: str, wanted: str) -> None:
    """412 unless the resource's current version matches ``wanted``; 404 if it is gone."""
    version = current(adapter, scim_id, lock=True)
    if not matches(wanted, version):
        raise PreconditionFailed(
            f"The resource's version is {version}, not the operation's version {wanted}."
        )
