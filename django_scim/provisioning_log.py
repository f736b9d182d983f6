"""One ProvisioningLog row per SCIM request, written after the response has gone out.

Attached through public hooks only: the view adds a post-render callback to
its response (DRF's ``finalize_response``), which builds the entry from the
request (``request.data``, ``request.auth``) and the rendered body; the row is
written when the server closes the response (``HttpResponse.close()``), once
the body is sent and before Django's ``request_finished`` signal lets go of
the database connection, so the client never waits for it.

What it costs: a write's entry is inserted at once, with any reads waiting,
as one INSERT outside the request's transaction. Reads are written in
batches — when ``LOG_READ_BATCH`` (50) have gathered, when the oldest is five
seconds old, with the next write, or when the process exits — so a GET costs
no statement of its own, and on SQLite no disk sync. A process killed outright
loses at most its waiting reads; writes are never held back. A batch is
written on the connection as the request that completes it left it: where
that differs per request (django-tenants switches the schema), set
``LOG_READ_BATCH`` to 1 and each read is written as its own response closes.
A read's response body is kept to ``LOG_MAX_READ_BODY_CHARS`` (4 KiB), a
write's bodies to ``LOG_MAX_BODY_CHARS`` (64 KiB): a batch of full pages of
users would otherwise cost the write that flushes it several milliseconds.

A failure to write is logged and swallowed: the log must never break
provisioning. Passwords (any key named like ``password``, and PATCH
operations whose path targets one) are redacted; a body that does not parse
is not stored at all if it mentions such a key; the Authorization header is
never stored.
"""

from __future__ import annotations

import atexit
import logging
import re
import threading
import time
from typing import Any

from django_scim import jsoncodec
from django_scim.conf import scim_settings
from django_scim.errors import ProtectedAccount
from django_scim.models import ProvisioningLog, SCIMClient
from django_scim.schemas.registry import get_registry

logger = logging.getLogger("django_scim.provisioning_log")

REDACTED = "********"
_SECRET_KEY = re.compile(r"password|secret|token", re.IGNORECASE)
_SECRET_WORDS = (b"password", b"secret", b"token")
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


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


def _text(value: Any, limit: int | None = None) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else jsoncodec.dumps(redact(value)).decode()
    limit = scim_settings.LOG_MAX_BODY_CHARS if limit is None else limit
    return text if len(text) <= limit else text[:limit] + "…"


def _request_body(request: Any) -> str:
    try:
        data = request.data
    except Exception:  # a body refused before the view read it (size, syntax)
        data = None
    if isinstance(data, (dict, list)) and data:
        return _text(data)
    raw = getattr(request, "scim_raw_body", None)
    if not raw:
        return ""
    text = raw.decode("utf-8", "replace")
    if _SECRET_KEY.search(text):
        # A body that does not parse cannot be redacted reliably (any quoting, any
        # value type, cut anywhere): keep none of it.
        return f"[{len(raw)} bytes not logged: the body does not parse and names a secret]"
    return _text(text)


def _client(request: Any) -> SCIMClient | None:
    try:
        auth = request.auth
    except Exception:  # authentication never ran, and fails now: no client
        return None
    return auth if isinstance(auth, SCIMClient) else None


def _response_body(response: Any, limit: int) -> str:
    """The rendered body, cut to ``limit`` characters; re-serialised only to redact a
    secret-looking key.

    Responses never carry passwords, so the common case costs a slice, not a
    second rendering of (say) a group of thousands of members.
    """
    content = getattr(response, "content", b"") if not response.streaming else b""
    if not content:
        return ""
    if any(word in content.lower() for word in _SECRET_WORDS):  # rare: then redact properly
        return _text(response.data, limit)
    text = content[: limit * 4].decode("utf-8", "ignore")
    return text if len(text) <= limit else text[:limit] + "…"


def is_write(view: Any, request: Any) -> bool:
    """Whether the request may change data (a read-only ``POST /.search`` does not)."""
    return request.method not in _SAFE_METHODS and not view.read_only_post


def entry(view: Any, request: Any, response: Any, started: float) -> ProvisioningLog:
    """The log row of one request, from what the view and response show.

    A read's response body is kept up to ``LOG_MAX_READ_BODY_CHARS``: it shows the
    state of the data, not a change to it, and a page of a hundred users would
    otherwise make each read's row the largest in the table (and its insert the
    dearest statement a read causes)."""
    kwargs = getattr(view, "kwargs", {}) or {}
    data = response.data if isinstance(response.data, dict) else {}
    found = get_registry().by_segment(kwargs["endpoint"]) if "endpoint" in kwargs else None
    resource_type = found.name if found else ""
    resource_id = kwargs.get("resource_id") or (
        data.get("id") if response.status_code == 201 else ""
    )
    client = _client(request)
    log_bodies = scim_settings.LOG_BODIES
    row = ProvisioningLog(
        client=client,
        client_name=client.name if client else "",
        tenant=client.tenant if client else "",
        method=request.method[:10],
        path=request.get_full_path()[:2048],
        resource_type=resource_type,
        resource_id=str(resource_id or "")[:64],
        operation=view.operation_name(request)[:32],
        status=response.status_code,
        scim_type=str(data.get("scimType", ""))[:32] if response.status_code >= 400 else "",
        duration_ms=round((time.perf_counter() - started) * 1000, 3),
        remote_addr=request.META.get("REMOTE_ADDR") or None,
        request_body=_request_body(request) if log_bodies else "",
        response_body=_response_body(
            response,
            scim_settings.LOG_MAX_BODY_CHARS
            if is_write(view, request)
            else scim_settings.LOG_MAX_READ_BODY_CHARS,
        )
        if log_bodies
        else "",
        changes=getattr(response, "changes", None) or [],
        protected_account=_refused_as_protected(response.status_code, data),
    )
    row.operation_rows = _operation_rows(row, getattr(response, "bulk_log", ()))  # type: ignore[attr-defined]
    return row


def _operation_rows(parent: ProvisioningLog, operations: Any) -> list[ProvisioningLog]:
    """A row for each operation of a /Bulk request (RFC 7644 §3.7), linked to its row."""
    base = parent.path.split("?")[0].rstrip("/").removesuffix("Bulk").rstrip("/")
    log_bodies = scim_settings.LOG_BODIES
    return [
        ProvisioningLog(
            created=parent.created,
            client=parent.client,
            client_name=parent.client_name,
            tenant=parent.tenant,
            method=op["method"][:10],
            path=f"{base}/{op['path'].lstrip('/')}"[:2048],
            resource_type=op["resource_type"][:64],
            resource_id=op["resource_id"][:64],
            operation=op["operation"],
            status=op["status"],
            scim_type=str(op["scim_type"])[:32],
            duration_ms=op["duration_ms"],
            remote_addr=parent.remote_addr,
            request_body=_text(op["request"]) if log_bodies else "",
            response_body=_text(op["response"]) if log_bodies else "",
            changes=op["changes"],
        )
        for op in operations
    ]


def _in_writing_order(rows: list[ProvisioningLog]) -> list[ProvisioningLog]:
    """A /Bulk request's row is saved first, so its operations' rows can point to it."""
    ordered = []
    for row in rows:
        operations = getattr(row, "operation_rows", None)
        if operations:
            row.save()
            for operation in operations:
                operation.bulk_request = row
            ordered.extend(operations)
        else:
            ordered.append(row)
    return ordered


def _refused_as_protected(status: int, data: dict[str, Any]) -> bool:
    detail = data.get("detail")
    return (
        status == ProtectedAccount.status_code
        and isinstance(detail, str)
        and detail.startswith(ProtectedAccount.detail_prefix)
    )


class LogBuffer:
    """Entries of this process waiting to be written (see the module's docstring).

    ``size``: how many entries make a batch; None (the default) reads the
    ``LOG_READ_BATCH`` setting each time."""

    def __init__(self, size: int | None = None, seconds: float = 5.0) -> None:
        self.size = size
        self.seconds = seconds
        self._entries: list[ProvisioningLog] = []
        self._urgent = False
        self._since = 0.0
        self._lock = threading.Lock()

    def add(self, row: ProvisioningLog, urgent: bool) -> None:
        with self._lock:
            if not self._entries:
                self._since = time.monotonic()
            self._entries.append(row)
            self._urgent = self._urgent or urgent

    def due(self) -> bool:
        with self._lock:
            return bool(self._entries) and (
                self._urgent
                or len(self._entries) >= (self.size or scim_settings.LOG_READ_BATCH)
                or time.monotonic() - self._since >= self.seconds
            )

    def discard(self) -> list[ProvisioningLog]:
        """Take every waiting entry out, unwritten."""
        with self._lock:
            rows, self._entries, self._urgent = self._entries, [], False
        return rows

    def flush(self) -> None:
        """Write every waiting entry, as one INSERT: a lone row with its own ``save()``
        (in autocommit, one statement), several with ``bulk_create()`` (which wraps its
        INSERT in a transaction: two more round trips)."""
        rows = self.discard()
        if not rows:
            return
        try:
            if len(rows) == 1 and not getattr(rows[0], "operation_rows", None):
                rows[0].save()
                return
            ProvisioningLog.objects.bulk_create(_in_writing_order(rows))
        except Exception:
            logger.exception("Could not write %d SCIM provisioning log entries", len(rows))


buffer = LogBuffer()


def attach(view: Any, request: Any, response: Any, started: float) -> None:
    """Log this request once its response has been rendered."""
    if not scim_settings.LOG_REQUESTS:
        return

    def collect(rendered: Any) -> None:
        try:
            buffer.add(entry(view, request, rendered, started), is_write(view, request))
        except Exception:
            logger.exception("Could not build the SCIM provisioning log entry")

    response.add_post_render_callback(collect)


def flush() -> None:
    """Write what is waiting now (tests, management commands, shutdown)."""
    buffer.flush()


def flush_if_due() -> None:
    """Write what is waiting if it is due; called as each response is closed."""
    if buffer.due():
        buffer.flush()


atexit.register(flush)
