"""/Me (RFC 7644 §3.11): an alias for the resource of the person a request authenticates.

HTTP only: find the person, call one function of :mod:`django_scim.adapters.me`,
render the answer with ``ETag`` and ``Location`` (the resource's permanent
URL, which §3.11 requires in any response). ``If-Match`` and
``If-None-Match`` are honoured as on the resource's own URL (RFC 7644 §3.14):
a GET may answer 304, a write whose precondition fails 412 with nothing
written. A SCIM client's token names no person, so for it /Me answers 501, as
§3.11 asks of a provider that does not support the alias.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string
from rest_framework.request import Request
from rest_framework.response import Response

from django_scim import errors, preconditions
from django_scim.adapters import me, search
from django_scim.conf import scim_settings
from django_scim.projection import Projection
from django_scim.views.base import SCIMResponse, SCIMView


def authenticated_user(request: Request) -> Any:
    """The default ``SCIM["ME_USER"]``: the request's user when an authentication class
    authenticated a person (an instance of the user model); a SCIM client is none."""
    user = request.user
    if isinstance(user, get_user_model()) and user.is_authenticated:
        return user
    return None


def _setting(key: str, value: Any) -> Any:
    try:
        return import_string(value) if isinstance(value, str) else value
    except ImportError as exc:
        raise ImproperlyConfigured(f"SCIM[{key!r}]: could not import {value!r}: {exc}") from exc


def me_response(resource: dict[str, Any], projection: Projection) -> Response:
    meta = resource["meta"]
    headers = {"ETag": meta["version"], "Location": meta["location"]}
    return SCIMResponse(projection.apply(resource), headers=headers)


class MeView(SCIMView):
    operation = "me"

    def get_authenticators(self) -> list[Any]:
        """SCIM's own classes first (a client's token), then those that sign people in."""
        extra = scim_settings.ME_AUTHENTICATION_CLASSES
        return super().get_authenticators() + [
            _setting("ME_AUTHENTICATION_CLASSES", cls)() for cls in extra
        ]

    def person(self, request: Request) -> Any:
        found = _setting("ME_USER", scim_settings.ME_USER)(request)
        if found is None:
            raise errors.NotImplementedFeature(
                "/Me is served to a person signed in to this site; a SCIM client is not one "
                "(RFC 7644 §3.11)."
            )
        return found

    def target(self, request: Request) -> tuple[Any, Any, Projection]:
        """The person, the adapter serving them, and what the response shows."""
        person = self.person(request)
        adapter = me.adapter_for(self.ctx, person)
        return person, adapter, search.projection_of(adapter.resource_type, request.query_params)

    def get(self, request: Request) -> Response:
        """GET /Me; 304 with the ETag and Location, no body, when If-None-Match names the
        current version (RFC 9110 §15.4.5), 412 when If-Match names none."""
        person, adapter, projection = self.target(request)
        resource = me.read(adapter, person, projection)
        meta = resource["meta"]
        if preconditions.not_modified(meta["version"], **preconditions.headers(request.META)):
            headers = {"ETag": meta["version"], "Location": meta["location"]}
            return SCIMResponse(status=304, headers=headers)
        return me_response(resource, projection)

    def put(self, request: Request) -> Response:
        person, adapter, projection = self.target(request)
        body = self.payload(request)
        conditions = preconditions.headers(request.META)
        return me_response(me.replace(adapter, person, body, projection, **conditions), projection)

    def patch(self, request: Request) -> Response:
        person, adapter, projection = self.target(request)
        body = self.payload(request)
        conditions = preconditions.headers(request.META)
        return me_response(me.patch(adapter, person, body, projection, **conditions), projection)

    def _unsupported(self, request: Request) -> Response:
        """RFC 7644 §3.11 lets a client use /Me "for any SCIM operation"; creating a
        resource for the subject (POST) and deleting the subject's own (DELETE) are
        operations this provider does not offer: 501 (RFC 7644 §3.12), the answer §3.11
        gives for an unsupported use of the alias. A method SCIM does not define here
        (TRACE, ...) is 405."""
        self.person(request)
        raise errors.NotImplementedFeature(
            f"{request.method} /Me is not supported; GET, PUT and PATCH are."
        )

    post = delete = _unsupported
