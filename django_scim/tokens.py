"""Bearer tokens: generated with ``secrets``, stored as a SHA-256 digest, compared in constant time.

A digest (not a slow password hash) is right here: the token carries 256 bits
of randomness, so it cannot be guessed offline, and a fast digest lets every
request authenticate with one indexed lookup.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

TOKEN_PREFIX = "scim_"
PREFIX_LENGTH = 12
MIN_TOKEN_LENGTH = 16


def generate() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def display_prefix(raw: str) -> str:
    """The first characters, kept in clear so an admin can tell tokens apart."""
    return raw[:PREFIX_LENGTH]


def matches(raw: str, stored_digest: str) -> bool:
    return hmac.compare_digest(digest(raw), stored_digest)
