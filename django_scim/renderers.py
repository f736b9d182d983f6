"""Responses are always application/scim+json (RFC 7644 §3.1), whatever Accept says."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import BaseRenderer

from django_scim import constants, jsoncodec


class SCIMRenderer(BaseRenderer):
    media_type = constants.SCIM_MEDIA_TYPE
    format = "scim"
    charset = None

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        if data is None:
            return b""
        return jsoncodec.dumps(data)


class SCIMContentNegotiation(BaseContentNegotiation):
    """Clients send ``Accept: application/json`` or nothing; SCIM answers in one type."""

    def select_parser(self, request: Any, parsers: Iterable[Any]) -> Any:
        content_type = (request.content_type or "").split(";")[0].strip().lower()
        for parser in parsers:
            if parser.media_type == content_type:
                return parser
        return None

    def select_renderer(
        self, request: Any, renderers: Iterable[Any], format_suffix: str | None = None
    ) -> tuple[Any, str]:
        renderer = next(iter(renderers))
        return renderer, renderer.media_type
