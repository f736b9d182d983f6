"""``SCIMView``: DRF's APIView with SCIM parsing, rendering, errors, auth and the provisioning log.

Policies are read from ``SCIM`` settings inside the ``get_*`` methods (not as
class attributes), so a settings change applies without a restart.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.urls import reverse
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from django_scim import errors, provisioning_log
from django_scim.adapters.context import RequestContext
from django_scim.conf import scim_settings
from django_scim.parsers import JSONParser, SCIMParser
from django_scim.renderers import SCIMContentNegotiation, SCIMRenderer


class SCIMResponse(Response):
    """DRF's Response; once the server has sent it, the provisioning log is written."""

    def close(self) -> None:
        provisioning_log.flush_if_due()
        super().close()


def _scim_exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    response = errors.exception_handler(exc, context)
    return SCIMResponse(response.data, status=response.status_code, headers=dict(response.items()))


class SCIMView(APIView):
    parser_classes = [SCIMParser, JSONParser]
    renderer_classes = [SCIMRenderer]
    content_negotiation_class = SCIMContentNegotiation
    #: What the provisioning log calls this request.
    operation = ""
    #: POST that only reads (/.search): allowed for read-only clients.
    read_only_post = False

    def get_authenticators(self) -> list[Any]:
        return [cls() for cls in scim_settings.AUTHENTICATION_CLASSES]

    def get_permissions(self) -> list[Any]:
        return [cls() for cls in scim_settings.PERMISSION_CLASSES]

    def get_throttles(self) -> list[Any]:
        return [cls() for cls in scim_settings.THROTTLE_CLASSES]

    def get_exception_handler(self) -> Callable[[Exception, dict[str, Any]], Response]:
        return _scim_exception_handler

    def initialize_request(self, request: Any, *args: Any, **kwargs: Any) -> Request:
        self.started = time.perf_counter()
        return super().initialize_request(request, *args, **kwargs)

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        # RFC 7644 §6.1: an optional tenant in the URL (``scim/<str:tenant>/v2/``); the
        # handlers take only their own arguments.
        self.url_tenant: str | None = kwargs.pop("tenant", None)
        return super().dispatch(request, *args, **kwargs)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        self.ctx = RequestContext(self.base_url(request), request, request.auth)
        if self.url_tenant is not None and self.url_tenant != self.ctx.tenant:
            # Another tenant's URL: as if it did not exist, never "forbidden".
            raise errors.NotFound("No SCIM endpoint at this URL.")

    def base_url(self, request: Request) -> str:
        """The service provider's base URL; a tenant's, when the URL names one, so every
        ``meta.location`` and ``$ref`` stays within it."""
        namespace = request.resolver_match.namespace if request.resolver_match else "scim"
        kwargs = {"tenant": self.url_tenant} if self.url_tenant is not None else None
        return request.build_absolute_uri(reverse(f"{namespace or 'scim'}:root", kwargs=kwargs))

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        provisioning_log.attach(self, request, response, self.started)
        return response

    def operation_name(self, request: Request) -> str:
        return self.operation

    def payload(self, request: Request) -> Any:
        """The parsed body; an empty one is a syntax error (DRF would hand over ``{}``)."""
        length = request.META.get("CONTENT_LENGTH") or "0"
        if length == "0" and "HTTP_TRANSFER_ENCODING" not in request.META:
            raise errors.InvalidSyntax("The request body is empty.")
        return request.data


class NotFoundView(SCIMView):
    """Any URL under the prefix that names no endpoint: a SCIM 404, never an HTML page."""

    authentication_classes: list[Any] = []
    operation = "unknown"

    def get_authenticators(self) -> list[Any]:
        return []

    def get_permissions(self) -> list[Any]:
        return []

    def _not_found(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        raise errors.NotFound("No SCIM endpoint at this URL.")

    get = post = put = patch = delete = _not_found


class NotImplementedView(SCIMView):
    """Endpoints of RFC 7644 this provider does not offer (yet): 501 with a SCIM body."""

    operation = "unsupported"

    def _unsupported(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        raise errors.NotImplementedFeature()

    get = post = put = patch = delete = _unsupported
