"""(Re)create the demo SCIM clients and print their tokens and a curl line to try them.

"Demo IdP" is bound to no tenant: it sees every user and group (README's quick
start), and its token is printed first. Then two organisations, acme and
globex, each get a client bound to their tenant (RFC 7644 §6), printed with the
tenant's own base URL. Every run issues new tokens; the organisations and their
members stay.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.urls import reverse

from django_scim.clients import create_client
from django_scim.models import SCIMClient
from example_project.accounts.models import Organisation

NAME = "Demo IdP"
#: The demo's organisations: key (the tenant), name, e-mail domains, and its client's name.
ORGANISATIONS = (
    ("acme", "Acme Corporation", "acme.example", "Acme Entra ID"),
    ("globex", "Globex Corporation", "globex.example", "Globex Okta"),
)


def new_client(name: str, token: str | None = None, tenant: str = "") -> str:
    """Replace the client called ``name`` by a new one bound to ``tenant``; its token."""
    with transaction.atomic():  # never a client that exists without its tenant
        SCIMClient.objects.filter(name=name).delete()
        client, raw = create_client(name, token)
        if tenant:
            client.tenant = tenant
            client.save(update_fields=["tenant"])
    return raw


def tenant_url(url: str, tenant: str) -> str:
    """The tenant's base URL on the host of ``url``, as the site's URLconf spells it."""
    parts = urlsplit(url)
    path = reverse("scim-tenant:root", kwargs={"tenant": tenant})
    return f"{parts.scheme}://{parts.netloc}{path}"


class Command(BaseCommand):
    help = "Create the demo SCIM clients with fresh tokens and print them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--token", help="Use this token instead of a generated one.")
        parser.add_argument("--url", default="http://127.0.0.1:8000/scim/v2")

    def handle(self, *args: Any, **options: Any) -> None:
        raw = new_client(NAME, options["token"])
        url = options["url"]
        self.stdout.write(
            f"SCIM endpoint: {url}/\nBearer token:  {raw}\n"
            f"Try: curl -H 'Authorization: Bearer {raw}' {url}/Users\n"
        )
        self.stdout.write(
            "\nTwo organisations, each with a client bound to it: the client sees and "
            "changes\nonly its organisation's users and groups (its token works at the "
            "endpoint above too).\n"
        )
        for slug, name, domains, client_name in ORGANISATIONS:
            Organisation.objects.get_or_create(
                slug=slug, defaults={"name": name, "email_domains": domains}
            )
            tenant_raw = new_client(client_name, tenant=slug)
            self.stdout.write(
                f"{name} (tenant {slug}), client {client_name!r}:\n"
                f"  SCIM endpoint: {tenant_url(url, slug)}\n"
                f"  Token:         {tenant_raw}\n"
            )
