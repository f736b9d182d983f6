"""SQL expressions for ids as text, so that every filter operator and sortBy work on ``id``.

An id is rendered as lower-case, dashed hex (RFC 4122 text). A side row's id
is a UUID column: PostgreSQL casts it to exactly that text; SQLite stores the
32 hex digits, so the dashes are put back with ``substr``. An object without a
side row has the id derived from its integer key (:mod:`django_scim.identity`),
whose text is a fixed prefix and the key in hex. Both are built from Django's
documented expression API; the two functions here that Django lacks (hex
formatting) are ``Func`` templates with no value in them.
"""

from __future__ import annotations

from typing import Any

from django.db import connections, router
from django.db.models import CharField, F, Func, Model, Value
from django.db.models.functions import Cast, Concat, Lower

from django_scim import identity
from django_scim.models import ResourceRecord

#: The low 48 bits of a derived id (its last group), and the variant bit above the rest.
_LOW_BITS = 0xFFFF_FFFF_FFFF
_VARIANT_BIT = 0x8000


class DashedHex(Func):
    """SQLite's 32 hex digits of a UUID as dashed, lower-case text.

    One flat ``||`` chain: ``Concat`` nests a ``COALESCE`` per part, and a few
    of those inside a filter's ``NOT``/``IN`` nesting overflow SQLite's parser
    stack. The column is never NULL where this is read, and when it is (no
    side row) the whole is NULL, as the caller's ``Coalesce`` expects.
    """

    output_field = CharField()
    arity = 1
    template = (
        "lower(substr(%(expressions)s, 1, 8) || '-' || substr(%(expressions)s, 9, 4) || '-' "
        "|| substr(%(expressions)s, 13, 4) || '-' || substr(%(expressions)s, 17, 4) || '-' "
        "|| substr(%(expressions)s, 21, 12))"
    )


def key_text(model: type[Model], key: Any) -> Any:
    """``model``'s key ``key`` (a column, or an ``OuterRef`` to one) as a side row's
    ``object_pk`` holds it, ``str(pk)``: a cast, except for a UUID key on SQLite, which
    stores its 32 hex digits and gets the dashes back."""
    uuid_key = model._meta.pk.get_internal_type() == "UUIDField"
    if uuid_key and connections[router.db_for_read(model)].vendor == "sqlite":
        return DashedHex(key)
    return Cast(key, CharField())


def uuid_text(column: str) -> Any:
    """The text of the side table's UUID column ``column`` as ids are rendered."""
    vendor = connections[router.db_for_read(ResourceRecord)].vendor
    if vendor != "sqlite":
        return Lower(Cast(F(column), CharField()))
    return DashedHex(F(column))


class KeyHex(Func):
    """The last two groups of a derived id: ``8kkk-kkkkkkkkkkkk`` for an integer key."""

    output_field = CharField()
    arity = 1
    template = (
        f"(to_hex({_VARIANT_BIT} | (%(expressions)s >> 48)) || '-' || "
        f"lpad(to_hex(%(expressions)s & {_LOW_BITS}), 12, '0'))"
    )

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = (
            f"printf('%%04x-%%012x', {_VARIANT_BIT} | (%(expressions)s >> 48), "
            f"%(expressions)s & {_LOW_BITS})"
        )
        return self.as_sql(compiler, connection, template=template, **extra)


def derived_id_text(resource_type: str) -> Any:
    """The text of the id derived from each object's (integer) key."""
    prefix = str(identity.derived_id(resource_type, 0))[:19]  # "tttttttt-5c10-85c1-"
    return Concat(Value(prefix), KeyHex(F("pk")), output_field=CharField())
