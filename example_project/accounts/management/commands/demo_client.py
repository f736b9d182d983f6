"""(Re)create the demo SCIM client and print its token and a curl line to try it."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from django_scim.clients import create_client
from django_scim.models import SCIMClient

NAME = "Demo IdP"


class Command(BaseCommand):
    help = "Create the 'Demo IdP' SCIM client with a fresh token and print it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--token", help="Use this token instead of a generated one.")
        parser.add_argument("--url", default="http://127.0.0.1:8000/scim/v2")

    def handle(self, *args: Any, **options: Any) -> None:
        SCIMClient.objects.filter(name=NAME).delete()
        _client, raw = create_client(NAME, options["token"])
        url = options["url"]
        self.stdout.write(
            f"SCIM endpoint: {url}/\nBearer token:  {raw}\n"
            f"Try: curl -H 'Authorization: Bearer {raw}' {url}/Users\n"
        )
