"""Per-client bearer tokens (RFC 7644 §2; RFC 6750)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from django_scim.conf import scim_settings
from django_scim.models import SCIMClient


class BearerTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer <token>`` -> the active SCIMClient holding it."""

    keyword = "bearer"

    def authenticate(self, request: Any) -> tuple[SCIMClient, SCIMClient] | None:
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Invalid bearer token header.")
        try:
            raw = header[1].decode("utf-8")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Invalid bearer token.") from None
        client = SCIMClient.objects.authenticate(raw)
        if client is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked bearer token.")
        self._touch(client)
        return client, client

    def _touch(self, client: SCIMClient) -> None:
        """Record use, at most once per LAST_USED_PRECISION seconds (one UPDATE, no read)."""
        now = timezone.now()
        precision = timedelta(seconds=scim_settings.LAST_USED_PRECISION)
        if client.last_used is None or now - client.last_used >= precision:
            SCIMClient.objects.filter(pk=client.pk).update(last_used=now)
            client.last_used = now

    def authenticate_header(self, request: Any) -> str:
        return 'Bearer realm="SCIM"'
