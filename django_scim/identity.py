"""SCIM ids that exist before any row is written for them.

RFC 7643 §3.1: an ``id`` is stable, unique across the service provider and
never reassigned. A site's users and groups that existed before the app was
installed (or were made outside SCIM, in the admin or by site code) have no
side row, and reading them must not write one: a read that writes costs
commits, and cannot be served by a replica or a read-only database at all.

So an object's id is derived from its resource type and primary key until
SCIM first writes it, and its side row then takes that same id. The derived
id is a UUID (RFC 9562 version 8, "custom") laid out so that it can be read
back: 32 bits naming the resource type, a fixed marker, the variant bits and
the key in the low 62 bits.

    tttttttt-5c10-85c1-8kkk-kkkkkkkkkkkk     t: resource type tag, k: key

UUID keys are turned into ids by an exclusive-or with a per-type mask, which
is its own inverse. Side rows written before ids were derived keep their
random ids (a client holds them), which is why a lookup by id also looks for
a side row holding it.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Any
from uuid import UUID

#: Bits 95..64 of a derived id: "5c10" marker, version 8, "5c1" marker.
_MARKER = 0x5C10_85C1
_VARIANT = 0b10
_KEY_BITS = 62
_KEY_MASK = (1 << _KEY_BITS) - 1


@lru_cache(maxsize=256)
def _digest(resource_type: str) -> bytes:
    """A pure function of the type's name, so its results are kept (a constant table)."""
    return hashlib.sha256(f"django_scim:{resource_type}".encode()).digest()


def _tag(resource_type: str) -> int:
    return int.from_bytes(_digest(resource_type)[:4], "big")


def _mask(resource_type: str) -> int:
    return int.from_bytes(_digest(resource_type)[:16], "big")


def derivable(key: Any) -> bool:
    """Whether a primary key value can be turned into an id (and back)."""
    if isinstance(key, UUID):
        return True
    return isinstance(key, int) and not isinstance(key, bool) and 0 <= key <= _KEY_MASK


def derived_id(resource_type: str, key: Any) -> UUID:
    """The id of the object of ``resource_type`` whose primary key is ``key``."""
    if isinstance(key, UUID):
        return UUID(int=key.int ^ _mask(resource_type))
    if not derivable(key):
        raise ValueError(f"No SCIM id can be derived from the key {key!r}.")
    return UUID(int=(_tag(resource_type) << 96) | (_MARKER << 64) | (_VARIANT << 62) | key)


@lru_cache(maxsize=256)
def _prefix(resource_type: str) -> str:
    """The text every id derived for ``resource_type`` from an integer key starts with."""
    return str(derived_id(resource_type, 0))[:19]


def derived_text(resource_type: str, key: Any) -> str:
    """``str(derived_id(resource_type, key))``, without making a UUID: what rendering a
    reference to each of a group's thousands of members needs."""
    if isinstance(key, int) and not isinstance(key, bool) and 0 <= key <= _KEY_MASK:
        return f"{_prefix(resource_type)}{0x8000 | key >> 48:04x}-{key & 0xFFFF_FFFF_FFFF:012x}"
    return str(derived_id(resource_type, key))


def key_of(resource_type: str, scim_id: UUID, uuid_keys: bool = False) -> Any:
    """The primary key ``scim_id`` was derived from, or None if it was not derived for
    ``resource_type`` (a random id of a side row, or another type's id).

    ``uuid_keys``: the type's model has UUID keys; then every id decodes to a
    candidate key, which only a lookup can confirm.
    """
    value = scim_id.int
    if uuid_keys:
        return UUID(int=value ^ _mask(resource_type))
    if value >> 96 != _tag(resource_type) or (value >> 64) & 0xFFFF_FFFF != _MARKER:
        return None
    if value >> 62 & 0b11 != _VARIANT:
        return None
    return value & _KEY_MASK


def parse(text: Any, exact: bool = False) -> UUID | None:
    """``text`` as a UUID, or None. ``exact``: only if spelled as ids are rendered
    (lower-case, dashed), as a case-exact comparison with an id requires."""
    try:
        value = UUID(str(text))
    except ValueError:
        return None
    return value if not exact or str(value) == text else None
