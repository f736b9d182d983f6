"""The interface every attribute's storage implements.

A mapping is declared once per adapter class (``fields = {"userName":
Column("username")}``) and shared by every request, so it keeps no state:
whatever it needs of the request — the model, the resource type, other
resource types for references — it takes from ``owner``, the adapter serving
the request (see :class:`Owner`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Protocol

from django.db.models import Model, Q, QuerySet

from django_scim.errors import InvalidFilter, InvalidPath, InvalidValue
from django_scim.paths import AttributePath
from django_scim.schemas.attributes import Attribute

if TYPE_CHECKING:
    from django_scim.filters.to_q import Scope
    from django_scim.patch import RelationChange
    from django_scim.schemas.registry import ResourceType

#: Builds the condition on one element from the scope its sub-attributes live in.
ElementBuilder = Callable[["Scope"], Q]


class Owner(Protocol):
    """What a mapping may ask of the adapter serving a request."""

    #: Where SCIM identities are kept for this request: ``User``, or ``User@tenant``.
    namespace: str
    #: The client's tenant ("": none).
    tenant: str

    # Declared on the adapter's class: read-only here.
    @property
    def resource_type_name(self) -> str: ...

    @property
    def tenant_membership(self) -> str:
        """Who says which objects belong to a tenant: "identities" or "site"."""

    @property
    def created_field(self) -> str | None: ...

    @property
    def display_field(self) -> str | None: ...

    @property
    def resource_type(self) -> ResourceType: ...

    def get_model(self) -> type[Model]: ...

    def get_queryset(self) -> QuerySet: ...

    def scoped_queryset(self) -> QuerySet:
        """Every object the request may see (``get_queryset()`` within the tenant)."""

    def tenant_name_prefix(self) -> str:
        """What the tenant's values of a per-tenant column begin with when stored."""

    def shown_name(self, stored: str) -> str:
        """A stored per-tenant value as the tenant sees it (without the prefix)."""

    def related(self, resource_type_name: str) -> Any:
        """The adapter serving another resource type in the same request, or None."""


class Mapping:
    """Base class: the storage of one attribute (or sub-attribute).

    Subclasses override what their storage supports; the defaults refuse
    filtering and sorting with the SCIM error a client should see, so a custom
    mapping that implements only reading and writing is still safe to declare.
    """

    #: The value comes from related rows, loaded for a page at once (:meth:`load`).
    is_relation = False
    #: The full SCIM value is also kept in the side table (the model holds a part of it).
    keep_in_record = False
    #: Input for this attribute is ignored: the value is derived from other data.
    read_only = False

    # -- reading ---------------------------------------------------------------

    def prefetch(self, queryset: QuerySet) -> QuerySet:
        """``queryset`` with whatever :meth:`read` needs joined or prefetched."""
        return queryset

    def load(
        self, owner: Owner, objs: list[Model], cache: dict[Any, Any]
    ) -> Iterable[tuple[str, Any]]:
        """Read what :meth:`read` needs for all ``objs`` at once, into ``cache``; returns
        the objects whose side rows it needs too, as (resource type, keys): a list of
        keys, or a queryset of them as text. Those are read with the page's own, in one
        query, and put in ``cache`` under ``("scim_record", resource type, key as text)``."""
        return ()

    def read(self, owner: Owner, obj: Model, stored: Any, cache: dict[Any, Any]) -> Any:
        """The SCIM value of ``obj``; ``stored`` is what the side table holds for the path."""
        return stored

    def load_state(self, owner: Owner, objs: list[Model], cache: dict[Any, Any]) -> None:
        """For objects without a side row (whose version cannot follow its last
        modification): read what :meth:`state` needs, for all ``objs`` at once."""

    def state(self, obj: Model, cache: dict[Any, Any]) -> Any:
        """A value that changes whenever this attribute of ``obj`` changes though no
        write of SCIM's marks it (a relation edited by the site), for ``obj``'s
        version; None when the rest of the resource already shows every change."""
        return None

    # -- writing ---------------------------------------------------------------

    def write(self, owner: Owner, obj: Model, value: Any, creating: bool) -> None:
        """Put ``value`` on the unsaved ``obj`` (None: unassigned)."""

    def check_unique(self, owner: Owner, obj: Model, value: Any, attribute: Attribute) -> None:
        """Raise Uniqueness if another object holds ``value`` (inside the write's transaction)."""

    def save_related(self, owner: Owner, obj: Model, value: Any, creating: bool) -> bool:
        """Write what lives outside ``obj``'s row (relations, related rows) once it has a
        primary key; whether anything was written (then the resource was modified)."""
        return False

    def change(self, owner: Owner, obj: Model, change: RelationChange) -> None:
        """Apply a PATCH delta (add, remove, set, clear) to a relation attribute."""
        raise InvalidPath("This attribute takes no relation changes.")

    # -- searching -------------------------------------------------------------

    def condition(
        self, owner: Owner, path: AttributePath, target: Attribute, op: str | None, value: Any
    ) -> Q:
        """The objects whose singular value at ``path`` satisfies ``op value``
        (``op`` None: present), RFC 7644 §3.4.2.2."""
        raise InvalidFilter(f"'{path}' cannot be filtered.")

    def elements(self, owner: Owner, path: AttributePath, build: ElementBuilder) -> Q:
        """The objects with an element of the multi-valued attribute at ``path`` for
        which ``build(scope)`` holds."""
        raise InvalidFilter(f"'{path}' cannot be filtered.")

    def sort_key(self, owner: Owner, path: AttributePath, target: Attribute) -> tuple[Any, bool]:
        """The expression to sort by (RFC 7644 §3.4.2.3), and whether it is never absent."""
        raise InvalidValue(f"Cannot sort by '{path}'.")
