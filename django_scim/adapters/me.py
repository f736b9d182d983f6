"""/Me (RFC 7644 §3.11): the resource of the person a request authenticates.

A SCIM client is not a person, so only a site that signs people in (a
session, an OAuth token: ``SCIM["ME_AUTHENTICATION_CLASSES"]``) serves /Me;
``SCIM["ME_USER"]`` maps the request to that person's user object. A person
reads their resource and changes only the attributes
``SCIM["ME_WRITABLE_ATTRIBUTES"]`` lists: never userName, active, groups or
roles unless the site adds them. Sending another attribute with a value
other than the stored one is 403 (RFC 7644 §3.12: "not permitted based on
the supplied authorization"), not 400 mutability: the schema advertises
those attributes as readWrite, and it is this caller who may not write
them. Writes go through the one write path (:class:`Writer`).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model

from django_scim import errors
from django_scim import patch as patching
from django_scim.adapters import reading, rendering
from django_scim.adapters.base import ResourceAdapter
from django_scim.adapters.context import RequestContext
from django_scim.adapters.writer import Writer
from django_scim.conf import scim_settings
from django_scim.paths import AttributePath, UnknownAttribute, parse_path
from django_scim.projection import Projection
from django_scim.schemas.registry import ResourceType
from django_scim.validation import validate_resource

#: Members of a PUT body that are not attributes a person writes.
_NOT_ATTRIBUTES = frozenset({"schemas", "id", "meta"})

Key = tuple[str, str | None]


def adapter_for(ctx: RequestContext, person: Model) -> ResourceAdapter:
    """The adapter of the resource type that serves ``person``'s model."""
    for resource_type in ctx.registry.resource_types:
        if isinstance(person, resource_type.adapter_class.get_model()):
            adapter = ctx.adapter(resource_type.name)
            assert adapter is not None
            return adapter
    raise errors.NotImplementedFeature("No resource type serves this account.")


def _obj(adapter: ResourceAdapter, person: Model, projection: Projection | None) -> Model:
    found = reading.first(adapter, adapter.get_queryset().filter(pk=person.pk), projection, False)
    if found is None:
        raise errors.NotFound(f"This account is not a {adapter.resource_type_name} resource.")
    return found


def read(adapter: ResourceAdapter, person: Model, projection: Projection) -> dict[str, Any]:
    """GET /Me: the person's resource, as GET on its permanent location renders it."""
    return rendering.render(adapter, _obj(adapter, person, projection), projection)


def replace(
    adapter: ResourceAdapter,
    person: Model,
    payload: Any,
    shows: Projection,
    if_match: str | None = None,
    if_none_match: str | None = None,
) -> dict[str, Any]:
    """PUT /Me: the listed attributes as sent; every other one as stored, and 403 when the
    body gives it another value. ``if_match``/``if_none_match``: the request's headers,
    compared by the writer with the resource as it locks it (RFC 7644 §3.14)."""
    current = rendering.render(adapter, _obj(adapter, person, None), None)
    allowed = writable(adapter.resource_type)
    sent = validate_resource(payload, adapter.resource_type)
    stored = validate_resource(current, adapter.resource_type)
    for path in _paths(sent, adapter.resource_type):
        if _key(path) not in allowed and path.get(sent) != path.get(stored):
            raise _refused(path)
    merged = stored
    for key in allowed:
        path = _path_of(key, adapter.resource_type)
        holder = path.container(merged, create=True)
        assert holder is not None and path.attribute is not None
        holder.pop(path.attribute.name, None)
        value = path.get(sent)
        if value is not None:
            path.set(merged, value)
    merged["schemas"] = current["schemas"]
    return Writer(adapter).replace(
        current["id"], merged, shows, if_match=if_match, if_none_match=if_none_match
    )


def patch(
    adapter: ResourceAdapter,
    person: Model,
    body: Any,
    shows: Projection,
    if_match: str | None = None,
    if_none_match: str | None = None,
) -> dict[str, Any]:
    """PATCH /Me: 403 unless every operation targets a listed attribute (path-less values
    may carry read-only members, which PATCH ignores anyway). The headers as for
    :func:`replace`."""
    resource_type = adapter.resource_type
    allowed = writable(resource_type)
    for operation in patching.parse_request(body, resource_type):
        for step, implicit in patching.expand(operation, resource_type):
            assert step.path is not None
            path = step.path.attribute
            if _key(path) in allowed or (implicit and step.path.target.read_only):
                continue
            raise _refused(path)
    scim_id = rendering.render(adapter, _obj(adapter, person, None), None)["id"]
    return Writer(adapter).patch(
        scim_id, body, shows, if_match=if_match, if_none_match=if_none_match
    )


# -- the writable attributes -------------------------------------------------------


def writable(resource_type: ResourceType) -> set[Key]:
    """ME_WRITABLE_ATTRIBUTES as (schema, attribute) keys; a name the resource type does
    not have is a configuration error."""
    keys = set()
    for name in scim_settings.ME_WRITABLE_ATTRIBUTES:
        try:
            path = parse_path(name, resource_type)
        except UnknownAttribute:
            raise ImproperlyConfigured(
                f"SCIM['ME_WRITABLE_ATTRIBUTES']: {resource_type.name} has no attribute {name!r}."
            ) from None
        keys.add(_key(path))
    return keys


def _key(path: AttributePath) -> Key:
    return path.schema, path.attribute.name if path.attribute else None


def _path_of(key: Key, resource_type: ResourceType) -> AttributePath:
    schema, name = key
    return parse_path(f"{schema}:{name}" if name else schema, resource_type)


def _paths(data: dict[str, Any], resource_type: ResourceType) -> list[AttributePath]:
    """The attributes a validated body holds, core and extension."""
    paths = []
    for key, value in data.items():
        if key.lower() in _NOT_ATTRIBUTES:
            continue
        extension = resource_type.extension_by_id(key)
        names = [f"{key}:{sub}" for sub in value] if extension is not None else [key]
        paths += [parse_path(name, resource_type) for name in names]
    return paths


def _refused(path: AttributePath) -> errors.Forbidden:
    return errors.Forbidden(
        f"'{path}' cannot be changed through /Me; the attributes a person may change are "
        f"{', '.join(scim_settings.ME_WRITABLE_ATTRIBUTES) or 'none'}."
    )
