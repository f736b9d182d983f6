"""Serving a custom user model: the stock user adapter plus two enterprise-extension columns,
and tenancy by the site's own organisations.

Everything else in the enterprise extension (costCenter, manager, ...) still
round-trips through the side table; only these two land in real columns, so
the site can query and display them.

A SCIM client bound to a tenant (RFC 7644 §6, ``scim_token create NAME
--tenant acme``) serves the members of the :class:`~example_project.accounts.models.Organisation`
whose slug is ``acme``; the four tenancy hooks keep that membership
(docs/tenancy.md). Groups keep django_scim's default: a tenant's groups are
those its client created, as ``auth.Group`` belongs to no organisation.
"""

from __future__ import annotations

from typing import ClassVar

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Exists, Model, OuterRef, QuerySet

from django_scim.adapters.fields import Column, Mapping
from django_scim.adapters.users import UserAdapter
from django_scim.constants import ENTERPRISE_USER_SCHEMA
from example_project.accounts.models import Membership, Organisation


class EmployeeUserAdapter(UserAdapter):
    """Users, with ``employeeNumber`` and ``department`` in columns, and each tenant's
    users being its organisation's members.

    ``userName`` keeps the default per-tenant prefix (``tenant_name_prefix()`` is
    not overridden): this site's usernames are login names such as ``bjensen``, not
    e-mail addresses, so two organisations may each have a ``bjensen``, while
    ``username`` is unique across the site. Acme's is stored as ``acme+bjensen`` and
    shown to acme's client as ``bjensen``. A site whose usernames are e-mail
    addresses, unique across organisations anyway, returns ``""`` instead.
    """

    fields: ClassVar[dict[str, Mapping]] = {
        **UserAdapter.fields,
        f"{ENTERPRISE_USER_SCHEMA}:employeeNumber": Column("employee_number"),
        f"{ENTERPRISE_USER_SCHEMA}:department": Column("department"),
    }

    #: The organisations' memberships say who belongs to a tenant (tenant_queryset below).
    tenant_membership = "site"

    def tenant_queryset(self, queryset: QuerySet) -> QuerySet:
        """The organisation's members, whoever added them (its identity provider or the
        admin). A subquery rather than a join: a locked read locks the user alone."""
        members = Membership.objects.filter(user=OuterRef("pk"), organisation__slug=self.tenant)
        return queryset.filter(Exists(members))

    def attach(self, obj: Model) -> None:
        """The organisation's identity provider created (or adopted) the user: a member."""
        organisation = Organisation.objects.filter(slug=self.tenant).first()
        if organisation is None:
            raise ImproperlyConfigured(
                f"SCIM client {self.client} is bound to tenant {self.tenant!r}, "
                "which is no organisation's key."
            )
        Membership.objects.get_or_create(organisation=organisation, user=obj)
        super().attach(obj)

    def detach(self, obj: Model) -> None:
        """``DELETE_MODE = "detach"``: the user leaves the organisation (and, through the
        stock adapter, the tenant's groups) and keeps the account and any other
        organisation."""
        Membership.objects.filter(organisation__slug=self.tenant, user=obj).delete()
        super().detach(obj)

    def adoption_domains(self) -> list[str] | None:
        """The organisation's e-mail domains, when it lists any: with
        ``SCIM["ADOPT_EXISTING_USERS"]`` its identity provider may adopt only people of
        those domains."""
        organisation = Organisation.objects.filter(slug=self.tenant).first()
        if organisation is None or not organisation.email_domains.strip():
            return super().adoption_domains()
        return organisation.email_domains.split()

    def tenants_of(self, obj: Model) -> list[str]:
        """The organisations the user is a member of: no other one may adopt the user."""
        slugs = Organisation.objects.filter(memberships__user=obj).values_list("slug", flat=True)
        return [*super().tenants_of(obj), *slugs]
