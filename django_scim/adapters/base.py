"""``ResourceAdapter``: the site's surface for one resource type.

A site serves a model by subclassing and declaring what it is — the model,
the resource type, ``fields`` (where each SCIM attribute is kept) — and by
overriding the documented hooks: ``get_queryset()`` (the one scoping hook:
every read and write goes through it), ``prepare_new()``, ``display()``,
``on_deactivate()``. Everything else — reading, rendering, writing,
lifecycle — lives in modules of its own that take an adapter as an argument,
so a subclass inherits no machinery it could shadow by accident.

An adapter is made per request (``self.request``, ``self.client``,
``self.tenant``). For a client bound to a tenant (RFC 7644 §6) every read and
write is further narrowed by ``tenant_queryset()``, and ``attach()`` and
``detach()`` keep the site's own membership (see ``docs/tenancy.md``).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model, QuerySet

from django_scim.conf import scim_settings
from django_scim.paths import AttributePath
from django_scim.schemas.attributes import Schema
from django_scim.schemas.core import COMMON_ATTRIBUTES
from django_scim.schemas.registry import ResourceType
from django_scim.storage import records
from django_scim.storage.base import Mapping
from django_scim.storage.common import ExternalId, Id, Meta
from django_scim.storage.side_table import SideTable

if TYPE_CHECKING:
    from django_scim.adapters.context import RequestContext

#: Storage of what no declared mapping stores (stateless: shared by every adapter).
COMMON: dict[str, Mapping] = {"id": Id(), "externalId": ExternalId(), "meta": Meta()}
SIDE_TABLE = SideTable()
_COMMON_NAMES = frozenset(attribute.name for attribute in COMMON_ATTRIBUTES)


class ResourceAdapter:
    #: Resource type name (``User``) and endpoint (``/Users``), RFC 7643 §6.
    resource_type_name: ClassVar[str]
    endpoint: ClassVar[str]
    description: ClassVar[str] = ""
    schema: ClassVar[Schema]
    extensions: ClassVar[tuple[Schema, ...]] = ()
    #: SCIM attribute path -> mapping onto the model; the rest lives in the side table.
    fields: ClassVar[dict[str, Mapping]] = {}
    #: Model field holding the creation time (meta.created), if the model has one.
    created_field: ClassVar[str | None] = None
    #: Model field cleared by DELETE when SCIM["DELETE_MODE"] is "deactivate".
    active_field: ClassVar[str | None] = None
    #: Model field behind ``display`` where other resources reference this one (filterable).
    display_field: ClassVar[str | None] = None
    #: Who says which objects belong to a tenant (RFC 7644 §6): ``"identities"`` (the
    #: default), the tenants that gave an object a SCIM identity; ``"site"``, the site's own
    #: membership, as its ``tenant_queryset()`` says. Declare ``"site"`` with that override.
    tenant_membership: ClassVar[str] = "identities"

    def __init__(self, ctx: RequestContext) -> None:
        self.ctx = ctx
        self.request = ctx.request
        self.client = ctx.client
        #: The tenant the client is bound to ("": none, every object of get_queryset()).
        self.tenant: str = ctx.tenant
        #: Where this request's SCIM identities are kept: ids, externalIds and side rows
        #: are per tenant (``User``, or ``User@acme`` for a client bound to ``acme``).
        self.namespace = records.namespace(self.resource_type_name, self.tenant)

    # -- declaration -------------------------------------------------------------

    @classmethod
    def get_model(cls) -> type[Model]:
        raise ImproperlyConfigured(f"{cls.__name__} must define get_model().")

    @classmethod
    def build_resource_type(cls) -> ResourceType:
        return ResourceType(
            name=cls.resource_type_name,
            endpoint=cls.endpoint,
            description=cls.description or cls.resource_type_name,
            schema=cls.schema,
            extensions=tuple(cls.extensions),
            adapter_class=cls,
        )

    @property
    def resource_type(self) -> ResourceType:
        """This adapter's resource type as the registry built it (fields resolved)."""
        found = self.ctx.registry.get(self.resource_type_name)
        if found is None or found.adapter_class is not type(self):
            raise ImproperlyConfigured(f"{type(self).__name__} is not in SCIM['ADAPTERS'].")
        return found

    # -- hooks a site overrides --------------------------------------------------

    def get_queryset(self) -> QuerySet:
        """Every object this adapter serves. Override to scope by ``self.client``."""
        return self.get_model()._default_manager.all()

    def tenant_queryset(self, queryset: QuerySet) -> QuerySet:
        """The objects of ``queryset`` that belong to ``self.tenant``.

        By default an object belongs to the tenants that gave it a SCIM identity
        (a side row, written when the tenant's client creates or adopts it).
        A site with its own membership model (an ``Organisation`` with members)
        filters by it here, keeps it in :meth:`attach` and :meth:`detach`, and
        declares ``tenant_membership = "site"``.
        """
        return queryset.filter(records.belonging(self.get_model(), self.namespace))

    def attach(self, obj: Model) -> None:
        """Called when a tenant's client creates or adopts ``obj``, inside the write's
        transaction, after it is saved: add the site's membership here."""

    def detach(self, obj: Model) -> None:
        """Called on DELETE when ``SCIM["DELETE_MODE"]`` is ``"detach"``: remove the
        site's membership here. The object's identity in the tenant goes after it."""

    def tenant_name_prefix(self) -> str:
        """What a tenant's values of a site-wide unique column begin with in the database
        (``Column(..., per_tenant=True)``, the stock ``userName``): ``"acme+"`` by default,
        so each tenant can have its own ``bjensen``. Return ``""`` where names are unique
        across tenants anyway (e-mail addresses): then a name held by another tenant's
        user is 409 ``uniqueness``, never a takeover."""
        return f"{self.tenant}+" if self.tenant else ""

    def shown_name(self, stored: str) -> str:
        """A stored per-tenant name as the tenant sees it (without the prefix)."""
        prefix = self.tenant_name_prefix()
        return stored[len(prefix) :] if prefix and stored.startswith(prefix) else stored

    def adoption_domains(self) -> list[str] | None:
        """The e-mail domains whose users this tenant may adopt (``ADOPT_EXISTING_USERS``);
        None: any. Default: ``SCIM["ADOPTION_DOMAINS"][tenant]``. A site keeping the
        domains on its organisation objects returns them here."""
        domains = scim_settings.ADOPTION_DOMAINS.get(self.tenant)
        return list(domains) if domains is not None else None

    def tenants_of(self, obj: Model) -> list[str]:
        """The tenants ``obj`` belongs to by the site's own membership (beyond those
        that gave it a SCIM identity): a user in another tenant is never adopted."""
        return []

    def scoped_queryset(self) -> QuerySet:
        """What this request may see: ``get_queryset()``, within the client's tenant.
        Not a hook: override ``get_queryset()`` and ``tenant_queryset()``."""
        queryset = self.get_queryset()
        return self.tenant_queryset(queryset) if self.tenant else queryset

    def prepare_new(self, obj: Model) -> None:
        """Called on a new object before its first save: set tenant fields here."""

    def display(self, obj: Model) -> str:
        """The ``display`` text used where other resources reference this one."""
        return str(obj)

    def created_of(self, obj: Model) -> datetime | None:
        """The object's creation time (``meta.created``), if the model keeps one."""
        return getattr(obj, self.created_field) if self.created_field else None

    def on_deactivate(self, obj: Model) -> None:
        """Called when DELETE deactivates instead of deleting."""

    # -- where attributes are kept -----------------------------------------------

    def mapping_for(self, path: AttributePath) -> Mapping:
        """The storage of ``path``: declared for the path itself or for its whole
        attribute, else the common attributes' or the side table's."""
        declared = self.resource_type.fields
        whole = (path.schema, path.attribute.name if path.attribute else None, None)
        for bound, mapping in declared:
            if bound.key == path.key or bound.key == whole:
                found: Mapping = mapping
                return found
        name = path.attribute.name if path.attribute else None
        if not path.is_extension and name in _COMMON_NAMES:
            return COMMON[name]
        return SIDE_TABLE

    def mappings_of(self, schema_id: str) -> list[tuple[AttributePath, Mapping]]:
        """The declared mappings of the attributes of one schema."""
        return [(p, m) for p, m in self.resource_type.fields if p.schema == schema_id]

    def related(self, resource_type_name: str) -> ResourceAdapter | None:
        """The adapter serving another resource type in this request (for references)."""
        return self.ctx.adapter(resource_type_name)

    def location(self, resource_type_name: str, scim_id: Any) -> str:
        """The URL of a resource of this service provider (``meta.location``, ``$ref``)."""
        return self.ctx.location(resource_type_name, scim_id)

    def ordered(self, queryset: QuerySet) -> QuerySet:
        """A stable order for paging (RFC 7644 §3.4.2.4) when no sortBy is given."""
        return queryset.order_by("pk")
