"""Query helpers for the app's own models."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import models
from django.utils import timezone

from django_scim import tokens


class SCIMClientQuerySet(models.QuerySet):
    def authenticate(self, raw: str) -> Any:
        """The active, unexpired client owning ``raw``, or None. One indexed query."""
        if not raw:
            return None
        digest = tokens.digest(raw)
        unexpired = models.Q(expires__isnull=True) | models.Q(expires__gt=timezone.now())
        # The digest is unique: no ORDER BY for the model's ordering, one row at most.
        found = self.filter(unexpired, token_digest=digest, is_active=True).order_by()[:1]
        client = next(iter(found), None)
        if client is None or not tokens.matches(raw, client.token_digest):
            return None
        return client


class ProvisioningLogQuerySet(models.QuerySet):
    def prune(self, before: datetime) -> int:
        """Delete entries older than ``before``; returns how many went."""
        deleted, _ = self.filter(created__lt=before).delete()
        return deleted
