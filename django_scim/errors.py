"""SCIM errors (RFC 7644 §3.12) and the one exception handler that renders them.

Every error leaves as a SCIM Error body with ``status`` as a string and
``application/scim+json``, whatever raised it: our own exceptions, DRF's
(authentication, parsing, media type, method), Django's 404, or a database
that went away (503). Anything else is a bug, but still answers in SCIM form
and never with a stack trace or a database message.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import SuspiciousOperation
from django.db import DatabaseError, InterfaceError, OperationalError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.views import set_rollback

from django_scim import constants

logger = logging.getLogger("django_scim")


class SCIMError(drf.APIException):
    """Base class: a status code, an optional scimType and a human detail."""

    status_code = 400
    scim_type: str | None = None
    default_detail = "The request could not be processed."

    def __init__(self, detail: str | None = None, scim_type: str | None = None) -> None:
        super().__init__(detail or self.default_detail)
        if scim_type is not None:
            self.scim_type = scim_type


class InvalidFilter(SCIMError):
    scim_type = constants.INVALID_FILTER
    default_detail = "The specified filter syntax is invalid or the attribute is not supported."


class TooMany(SCIMError):
    scim_type = constants.TOO_MANY
    default_detail = "The filter yields too many results to process."


class Uniqueness(SCIMError):
    status_code = 409
    scim_type = constants.UNIQUENESS
    default_detail = "One or more unique attribute values are in use."


class Mutability(SCIMError):
    scim_type = constants.MUTABILITY
    default_detail = "The request attempts to modify an immutable attribute."


class InvalidSyntax(SCIMError):
    scim_type = constants.INVALID_SYNTAX
    default_detail = "The request body could not be parsed or is not a valid SCIM message."


class InvalidPath(SCIMError):
    scim_type = constants.INVALID_PATH
    default_detail = "The path attribute is invalid or malformed."


class NoTarget(SCIMError):
    scim_type = constants.NO_TARGET
    default_detail = "The path did not yield an attribute or value that could be operated on."


class InvalidValue(SCIMError):
    scim_type = constants.INVALID_VALUE
    default_detail = (
        "A required value is missing or the value is not compatible with the attribute."
    )


class InvalidVersion(SCIMError):
    scim_type = constants.INVALID_VERS
    default_detail = "The specified SCIM protocol version is not supported."


class InvalidCursor(SCIMError):
    """RFC 9865 §2.1: a cursor this server did not issue for this query and client."""

    scim_type = constants.INVALID_CURSOR
    default_detail = (
        "The cursor is invalid: send an empty cursor for the first page, then the "
        "nextCursor or previousCursor of a response to the same query."
    )


class ExpiredCursor(SCIMError):
    """RFC 9865 §2.1: a cursor older than ``cursorTimeout``."""

    scim_type = constants.EXPIRED_CURSOR
    default_detail = "The cursor has expired; start again with an empty cursor."


class InvalidCount(SCIMError):
    """RFC 9865 §2.1: a page size that is not a positive integer."""

    scim_type = constants.INVALID_COUNT
    default_detail = "count must be a positive integer."


class Sensitive(SCIMError):
    status_code = 403
    scim_type = constants.SENSITIVE
    default_detail = "The request cannot be completed because of sensitive information in the URI."


class Forbidden(SCIMError):
    status_code = 403
    default_detail = "The request is not allowed."


class BadRequest(SCIMError):
    """400 without a scimType: a request Django itself refuses (``SuspiciousOperation``,
    such as a Host header outside ``ALLOWED_HOSTS``)."""

    default_detail = "The request was refused as malformed or suspicious."


class ProtectedAccount(SCIMError):
    """403: a write the site protects its administrators from (``SCIM["PROTECTED_ACCOUNT"]``).

    RFC 7644 §3.12 has no scimType for it; the detail starts with
    :attr:`detail_prefix`, which the provisioning log looks for to mark the row.
    """

    status_code = 403
    detail_prefix = "Protected account:"
    default_detail = f"{detail_prefix} no SCIM client may make this change to this account."

    @classmethod
    def refusing(cls, action: str, resource_type: str) -> ProtectedAccount:
        return cls(
            f"{cls.detail_prefix} no SCIM client may {action} a staff or superuser "
            f"{resource_type}; deactivating it is allowed."
        )


class NotFound(SCIMError):
    status_code = 404
    default_detail = "Resource not found."


class PreconditionFailed(SCIMError):
    status_code = 412
    default_detail = "The resource has changed since the version given in If-Match."


class PayloadTooLarge(SCIMError):
    status_code = 413
    default_detail = "The request body is larger than the server accepts."


class Conflict(SCIMError):
    """409 without a scimType: the request conflicts with the resource's state, here other
    rows that must not lose it (a PROTECT or RESTRICT foreign key)."""

    status_code = 409
    default_detail = "The resource is in use and cannot be deleted."


class NotImplementedFeature(SCIMError):
    status_code = 501
    default_detail = "This operation is not supported by this service provider."


class ServiceUnavailable(SCIMError):
    status_code = 503
    default_detail = "The service is temporarily unavailable; retry later."


def error_body(status: int, detail: str, scim_type: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"schemas": [constants.ERROR], "status": str(status), "detail": detail}
    if scim_type:
        body["scimType"] = scim_type
    return body


def _as_scim_error(exc: Exception) -> tuple[SCIMError | drf.APIException, str | None]:
    """Map any exception to an APIException and its scimType."""
    if isinstance(exc, SCIMError):
        return exc, exc.scim_type
    if isinstance(exc, drf.ParseError):
        return exc, constants.INVALID_SYNTAX
    if isinstance(exc, drf.ValidationError):
        return InvalidValue(_flatten(exc.detail)), constants.INVALID_VALUE
    if isinstance(exc, drf.APIException):
        return exc, None
    return _from_django(exc) or _from_database(exc) or _internal(), None


def _from_django(exc: Exception) -> SCIMError | drf.APIException | None:
    """Django's own request errors keep their meaning."""
    if isinstance(exc, Http404):
        return NotFound()
    if isinstance(exc, SuspiciousOperation):
        # What Django's own handler does: a 400, reported to its security logger.
        logging.getLogger(f"django.security.{type(exc).__name__}").error(str(exc))
        return BadRequest()
    if isinstance(exc, DjangoPermissionDenied):
        return drf.PermissionDenied()
    if isinstance(exc, (ProtectedError, RestrictedError)):
        return Conflict()
    return None


def _from_database(exc: Exception) -> SCIMError | None:
    """A database that went away is 503; any other database error a plain 500, without
    a word of the driver's message."""
    if isinstance(exc, (OperationalError, InterfaceError)):
        logger.warning("SCIM request failed: database unavailable (%s)", type(exc).__name__)
        return ServiceUnavailable()
    if isinstance(exc, DatabaseError):
        logger.exception("SCIM request failed with a database error")
        return SCIMError("The request could not be completed.", None)
    return None


def _internal() -> SCIMError:
    logger.exception("SCIM request failed with an unexpected error")
    error = SCIMError("An internal error occurred.")
    error.status_code = 500
    return error


def _flatten(detail: Any) -> str:
    if isinstance(detail, dict):
        return "; ".join(f"{key}: {_flatten(value)}" for key, value in detail.items())
    if isinstance(detail, list):
        return "; ".join(_flatten(item) for item in detail)
    return str(detail)


def describe(exc: Exception) -> tuple[int, dict[str, Any]]:
    """The status and SCIM Error body ``exc`` answers with, as the handler renders it
    (for one operation of a Bulk request, RFC 7644 §3.7.3)."""
    error, scim_type = _as_scim_error(exc)
    return error.status_code, error_body(error.status_code, _flatten(error.detail), scim_type)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """DRF exception handler: every error becomes a SCIM Error body; the transaction rolls back."""
    error, scim_type = _as_scim_error(exc)
    headers: dict[str, str] = {}
    auth_header = getattr(error, "auth_header", None)
    if auth_header:
        headers["WWW-Authenticate"] = auth_header
    wait = getattr(error, "wait", None)
    if wait:
        headers["Retry-After"] = str(int(wait))
    set_rollback()
    body = error_body(error.status_code, _flatten(error.detail), scim_type)
    return Response(body, status=error.status_code, headers=headers)
