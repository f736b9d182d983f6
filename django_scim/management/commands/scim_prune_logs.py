"""``scim_prune_logs [--days N]``: delete provisioning log rows older than the retention period."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from django_scim.conf import scim_settings
from django_scim.models import ProvisioningLog


class Command(BaseCommand):
    help = "Delete SCIM provisioning log entries older than SCIM['LOG_RETENTION_DAYS']."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days", type=int, default=None, help="Keep this many days instead of the setting."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"] if options["days"] is not None else scim_settings.LOG_RETENTION_DAYS
        if days < 0:
            raise CommandError("--days must be zero or more.")
        deleted = ProvisioningLog.objects.prune(timezone.now() - timedelta(days=days))
        self.stdout.write(f"Deleted {deleted} provisioning log entries older than {days} days.")
