"""``scim_token list | create | rotate | revoke | reactivate | delete``: a client's token
from the shell, through the same functions as the admin (:mod:`django_scim.clients`).

``create NAME --tenant KEY`` binds the new client to a tenant (RFC 7644 §6): it then
sees and changes only that tenant's users and groups. The tenant is set once, here or
in the admin's add form, and never changed afterwards.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from django_scim import clients
from django_scim.models import SCIMClient


def _expiry_options(parser: CommandParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--expires-in", type=int, metavar="DAYS", help="Expire after DAYS days.")
    group.add_argument("--no-expiry", action="store_true", help="Never expire.")


def _expiry(options: dict[str, Any], default: Any) -> Any:
    if options.get("no_expiry"):
        return None
    if options.get("expires_in") is not None:
        if options["expires_in"] <= 0:
            raise CommandError("--expires-in must be a positive number of days.")
        return timezone.now() + timedelta(days=options["expires_in"])
    return default


def _tenant(value: str | None) -> str:
    """The ``--tenant`` key, checked; ``""`` (no tenant) when the option is left out.

    The key names the tenant's identity namespace (``User@acme``) and may appear in the
    URL (``scim/acme/v2/``), so it holds neither "@" nor "/". An empty key is refused
    rather than read as "no tenant": ``--tenant "$TENANT"`` with an unset variable would
    otherwise make a client that sees every organisation's people.
    """
    if value is None:
        return ""
    if not value.strip():
        raise CommandError("--tenant needs a key; leave the option out for no tenant.")
    return value  # checked by clients.create_client


class Command(BaseCommand):
    help = "List, create, rotate, revoke, reactivate or delete SCIM client tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="List clients.")
        create = sub.add_parser("create", help="Create a client and print its token once.")
        create.add_argument("name")
        create.add_argument("--token", help="Use this token instead of a generated one.")
        create.add_argument("--read-only", action="store_true", help="Allow reads only.")
        create.add_argument(
            "--tenant",
            metavar="KEY",
            help="Bind the client to this tenant: it sees only the tenant's users and groups. "
            "Cannot be changed later.",
        )
        _expiry_options(create)
        rotate = sub.add_parser("rotate", help="Print a new token once; the old one stops.")
        rotate.add_argument("name")
        rotate.add_argument(
            "--reactivate", action="store_true", help="Also reactivate a revoked client."
        )
        _expiry_options(rotate)
        for action, text in (
            ("revoke", "Refuse the client's token from now on."),
            ("reactivate", "Accept the client's current token again."),
            ("delete", "Delete the client (its log entries stay, with its name)."),
        ):
            parser_ = sub.add_parser(action, help=text)
            parser_.add_argument("name")
            if action == "reactivate":
                _expiry_options(parser_)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except clients.ClientError as exc:
            raise CommandError(str(exc)) from exc

    def _list(self, options: dict[str, Any]) -> None:
        for client in clients.list_clients():
            self.stdout.write("\t".join(_describe(client)))

    def _create(self, options: dict[str, Any]) -> None:
        tenant = _tenant(options["tenant"])
        client, raw = clients.create_client(
            options["name"],
            options["token"],
            options["read_only"],
            _expiry(options, None),
            tenant=tenant,
        )
        bound = f" for tenant {tenant!r}" if tenant else ""
        self.stdout.write(raw)
        self.stderr.write(
            f"Created SCIM client {client.name!r} ({client.get_scope_display()}){bound}. "
            "The token is shown only once."
        )

    def _rotate(self, options: dict[str, Any]) -> None:
        client, raw = clients.rotate_client(
            options["name"], options["reactivate"], _expiry(options, clients.KEEP)
        )
        self.stdout.write(raw)
        self.stderr.write(f"New token for {client.name!r}; the old one no longer works.")

    def _revoke(self, options: dict[str, Any]) -> None:
        client = clients.revoke_client(options["name"])
        self.stdout.write(f"Revoked {client.name!r}.")

    def _reactivate(self, options: dict[str, Any]) -> None:
        client = clients.reactivate_client(options["name"], _expiry(options, clients.KEEP))
        self.stdout.write(f"Reactivated {client.name!r}.")

    def _delete(self, options: dict[str, Any]) -> None:
        clients.delete_client(options["name"])
        self.stdout.write(f"Deleted {options['name']!r}.")


def _describe(client: SCIMClient) -> list[str]:
    state = "active" if client.is_active else "revoked"
    if client.is_active and client.is_expired:
        state = "expired"
    used = client.last_used.isoformat() if client.last_used else "never"
    expires = client.expires.isoformat() if client.expires else "never"
    return [
        client.name,
        f"{client.token_prefix}…",
        client.scope,
        state,
        f"last used {used}",
        f"expires {expires}",
        f"tenant {client.tenant}" if client.tenant else "no tenant",
    ]
