"""One ProvisioningLog row per SCIM request, written after the response has gone out.

The row is written from the response's close hook, which the WSGI/ASGI server
calls once the body is sent, so the client never waits for it. A failure to
write is logged and swallowed: the log must never break provisioning.
Passwords (any key named like ``password``, and PATCH operations whose path
targets one) are redacted; a body that does not parse is not stored at all
if it mentions such a key; the Authorization header is never stored.
"""

from __future__ import annotations

import logging
import re
import time
from typing import Any

from django_scim import jsoncodec
from django_scim.conf import scim_settings
from django_scim.lookups import insert

logger = logging.getLogger("django_scim.provisioning_log")

REDACTED = "********"
_SECRET_KEY = re.compile(r"password|secret|token", re.IGNORECASE)
_SECRET_WORDS = (b"password", b"secret", b"token")


def redact(value: Any) -> Any:
    """A copy of ``value`` with secret-looking members replaced."""
    if isinstance(value, dict):
        redacted = {}
        for key, item in value.items():
            if isinstance(key, str) and _SECRET_KEY.search(key):
                redacted[key] = REDACTED
            else:
                redacted[key] = redact(item)
        path = value.get("path")
        if isinstance(path, str) and _SECRET_KEY.search(path) and "value" in value:
            redacted["value"] = REDACTED
        return redacted
    if isinstance(value, list):
        return [redact(item) for item in value]
    return value


def _text(value: Any) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else jsoncodec.dumps(redact(value)).decode()
    limit = scim_settings.LOG_MAX_BODY_CHARS
    return text if len(text) <= limit else text[:limit] + "…"


def _request_body(request: Any) -> str:
    data = getattr(request, "_full_data", None)
    if isinstance(data, (dict, list)) and data:
        return _text(data)
    raw = getattr(request._request, "_scim_raw_body", None)
    if not raw:
        return ""
    text = raw.decode("utf-8", "replace")
    if _SECRET_KEY.search(text):
        # A body that does not parse cannot be redacted reliably (any quoting, any
        # value type, cut anywhere): keep none of it.
        return f"[{len(raw)} bytes not logged: the body does not parse and names a secret]"
    return _text(text)


def _client(request: Any) -> Any:
    from django_scim.models import SCIMClient

    user = getattr(request, "_user", None)
    return user if isinstance(user, SCIMClient) else None


def _entry(view: Any, request: Any, response: Any) -> dict[str, Any]:
    kwargs = getattr(view, "kwargs", {}) or {}
    data = response.data if isinstance(response.data, dict) else {}
    resource_type = ""
    if "endpoint" in kwargs:
        from django_scim.schemas.registry import get_registry

        found = get_registry().by_segment(kwargs["endpoint"])
        resource_type = found.name if found else ""
    resource_id = kwargs.get("resource_id") or getattr(view, "resource_id", "") or ""
    client = _client(request)
    log_bodies = scim_settings.LOG_BODIES
    return {
        "client": client,
        "client_name": client.name if client else "",
        "method": request.method[:10],
        "path": request.get_full_path()[:2048],
        "resource_type": resource_type,
        "resource_id": str(resource_id)[:64],
        "operation": view.operation_name(request)[:32],
        "status": response.status_code,
        "scim_type": str(data.get("scimType", ""))[:32] if response.status_code >= 400 else "",
        "remote_addr": request.META.get("REMOTE_ADDR") or None,
        "request_body": _request_body(request) if log_bodies else "",
        "response_body": _response_body(response) if log_bodies else "",
    }


def _response_body(response: Any) -> str:
    """The rendered body, cut to size; re-serialised only to redact a secret-looking key.

    Responses never carry passwords, so the common case costs a slice, not a
    second rendering of (say) a group of thousands of members.
    """
    content = getattr(response, "content", b"") if not response.streaming else b""
    if not content:
        return ""
    limit = scim_settings.LOG_MAX_BODY_CHARS
    lowered = content.lower()
    if any(word in lowered for word in _SECRET_WORDS):  # rare: then redact properly
        return _text(response.data)
    text = content[: limit * 4].decode("utf-8", "ignore")
    return text if len(text) <= limit else text[:limit] + "…"


def attach(view: Any, request: Any, response: Any) -> None:
    """Arrange for the row to be written when the response is closed."""
    if not scim_settings.LOG_REQUESTS:
        return
    started = getattr(view, "started", time.perf_counter())

    def write() -> None:
        try:
            from django_scim.models import ProvisioningLog

            fields = _entry(view, request, response)
            fields["duration_ms"] = round((time.perf_counter() - started) * 1000, 3)
            insert(ProvisioningLog(**fields))
        except Exception:
            logger.exception("Could not write the SCIM provisioning log entry")

    response._resource_closers.append(write)
