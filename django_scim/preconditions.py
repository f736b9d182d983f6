"""Conditional requests: ``If-Match`` and ``If-None-Match`` against a resource's version.

RFC 7644 §3.14 lets a service provider version resources with ETags; ours
are weak (``W/"…"``, RFC 9110 §8.8.1), and RFC 9110 §13.1.1 compares
``If-Match`` strongly, under which a weak tag never matches. Like other SCIM
servers we compare weakly for both headers (the opaque tags must be equal,
``W/`` aside), so a client that sends back the version it read can write.

The order is RFC 9110 §13.2.2's: ``If-Match`` first (false: 412), then
``If-None-Match`` (true for a GET: 304; for a write: 412). ``*`` matches any
current representation; a missing resource is a 404 before any precondition
is looked at (§13.2.1: preconditions are ignored when the answer would not be
2xx or 412).

Headers arrive as raw strings (or a version from a Bulk operation, which acts
as its ``If-Match``, RFC 7644 §3.7); None means the header was not sent, and
then nothing here runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django_scim.errors import PreconditionFailed

#: The request headers, as Django names them in ``request.META``.
IF_MATCH = "HTTP_IF_MATCH"
IF_NONE_MATCH = "HTTP_IF_NONE_MATCH"


def headers(meta: Mapping[str, Any]) -> dict[str, str | None]:
    """``if_match`` and ``if_none_match`` from a request's ``META``, as the writer takes them."""
    return {"if_match": meta.get(IF_MATCH), "if_none_match": meta.get(IF_NONE_MATCH)}


def opaque(tag: str) -> str:
    """The opaque part of an entity tag: ``W/"abc"`` and ``"abc"`` -> ``abc``."""
    tag = tag.strip()
    if tag[:2] in ("W/", "w/"):
        tag = tag[2:].lstrip()
    if len(tag) >= 2 and tag[0] == tag[-1] == '"':
        tag = tag[1:-1]
    return tag


def matches(header: str, version: str) -> bool:
    """Whether the list of entity tags ``header`` names ``version``, compared weakly;
    ``*`` names any current version."""
    wanted = opaque(version)
    for item in header.split(","):
        item = item.strip()
        if item == "*" or (item and opaque(item) == wanted):
            return True
    return False


def check_write(version: str, if_match: str | None, if_none_match: str | None = None) -> None:
    """Raise 412 unless a write to the resource at ``version`` may go ahead."""
    if if_match is not None and not matches(if_match, version):
        raise PreconditionFailed(
            f"The resource's version is {version}, not the one given in If-Match."
        )
    if if_none_match is not None and matches(if_none_match, version):
        raise PreconditionFailed(f"The resource's version {version} matches If-None-Match.")


def not_modified(version: str, if_match: str | None, if_none_match: str | None) -> bool:
    """For a read: whether to answer 304 Not Modified; 412 if ``If-Match`` fails."""
    check_write(version, if_match)
    return if_none_match is not None and matches(if_none_match, version)
