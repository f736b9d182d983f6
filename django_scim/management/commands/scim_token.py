"""``scim_token create NAME [--token VALUE] [--read-only]``, ``list``, ``revoke NAME``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from django_scim.clients import ClientError, create_client, revoke_client
from django_scim.models import SCIMClient


class Command(BaseCommand):
    help = "Create, list or revoke SCIM client tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a client and print its token once.")
        create.add_argument("name")
        create.add_argument("--token", help="Use this token instead of a generated one.")
        create.add_argument("--read-only", action="store_true", help="Allow reads only.")
        sub.add_parser("list", help="List clients.")
        revoke = sub.add_parser("revoke", help="Deactivate a client's token.")
        revoke.add_argument("name")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except ClientError as exc:
            raise CommandError(str(exc)) from exc

    def _create(self, options: dict[str, Any]) -> None:
        client, raw = create_client(options["name"], options["token"], options["read_only"])
        self.stdout.write(raw)
        self.stderr.write(
            f"Created SCIM client {client.name!r} ({client.get_scope_display()}). "
            "The token is shown only once."
        )

    def _list(self, options: dict[str, Any]) -> None:
        for client in SCIMClient.objects.all():
            state = "active" if client.is_active else "revoked"
            used = client.last_used.isoformat() if client.last_used else "never"
            self.stdout.write(
                f"{client.name}\t{client.token_prefix}…\t{client.scope}\t{state}\tlast used {used}"
            )

    def _revoke(self, options: dict[str, Any]) -> None:
        client = revoke_client(options["name"])
        self.stdout.write(f"Revoked {client.name!r}.")
