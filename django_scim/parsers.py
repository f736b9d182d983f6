"""Request bodies: application/scim+json and application/json (RFC 7644 §3.1, §8.1).

Limits are enforced here, before any work is done: a body over
``MAX_BODY_BYTES`` is refused with 413 without being read whole, JSON nested
deeper than ``MAX_JSON_DEPTH`` or malformed gets 400 invalidSyntax.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from rest_framework.parsers import BaseParser

from django_scim import constants, jsoncodec
from django_scim.conf import scim_settings
from django_scim.errors import InvalidSyntax, PayloadTooLarge


def _depth_exceeds(value: Any, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children: Iterable[Any]
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def read_limited(stream: Any, limit: int, detail: str | None = None) -> bytes:
    """At most ``limit`` bytes of ``stream`` (one more is read to tell); 413 if there are more."""
    data = stream.read(limit + 1) if stream is not None else b""
    if len(data) > limit:
        raise PayloadTooLarge(detail or f"The request body exceeds {limit} bytes.")
    return data


def decode_json(raw: bytes) -> Any:
    if not raw.strip():
        raise InvalidSyntax("The request body is empty.")
    try:
        data = jsoncodec.loads(raw)
    except jsoncodec.JSONDecodeError:
        raise InvalidSyntax("The request body is not valid JSON.") from None
    if _depth_exceeds(data, scim_settings.MAX_JSON_DEPTH):
        raise InvalidSyntax("The request body is nested too deeply.")
    return data


class SCIMParser(BaseParser):
    media_type = constants.SCIM_MEDIA_TYPE

    def body_limit(self) -> tuple[int, str]:
        """The largest body accepted, and the 413 detail naming it."""
        limit = scim_settings.MAX_BODY_BYTES
        return limit, f"The request body exceeds {limit} bytes."

    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        limit, detail = self.body_limit()
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        if declared and str(declared).isdigit() and int(declared) > limit:
            raise PayloadTooLarge(detail)
        raw = read_limited(stream, limit, detail)
        if request is not None:
            # Kept for the provisioning log when the body turns out not to parse.
            request.scim_raw_body = raw
        return decode_json(raw)


class JSONParser(SCIMParser):
    """Okta and others send plain application/json."""

    media_type = "application/json"
