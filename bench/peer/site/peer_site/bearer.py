"""Bearer-token authentication for the peer, which leaves authentication to the site.

One fixed token (settings.PEER_TOKEN) stands for one service user; the user is
read from the database on each request, as a token table lookup would be.
"""

from __future__ import annotations

import hmac

from django.conf import settings
from django.contrib.auth import get_user_model


class BearerTokenMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.expected = settings.PEER_TOKEN.encode()

    def __call__(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(
            token.strip().encode(), self.expected
        ):
            user = get_user_model().objects.filter(username=settings.PEER_SERVICE_USER).first()
            if user is not None:
                request.user = user
        if not hasattr(request, "user"):
            from django.contrib.auth.models import AnonymousUser

            request.user = AnonymousUser()
        return self.get_response(request)
