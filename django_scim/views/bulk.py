"""POST /Bulk (RFC 7644 §3.7): HTTP only; :mod:`django_scim.bulk` does the work."""

from __future__ import annotations

from typing import Any

from django.db import router, transaction
from rest_framework.request import Request
from rest_framework.response import Response

from django_scim import constants, errors
from django_scim.adapters.context import RequestContext
from django_scim.bulk import planning, requests
from django_scim.bulk.execution import BulkRun
from django_scim.conf import scim_settings
from django_scim.parsers import SCIMParser
from django_scim.views.base import SCIMResponse, SCIMView


class BulkParser(SCIMParser):
    """The body of a BulkRequest: up to BULK_MAX_PAYLOAD_SIZE, never read further (§3.7.4)."""

    def body_limit(self) -> tuple[int, str]:
        limit = scim_settings.BULK_MAX_PAYLOAD_SIZE
        return limit, f"The size of the bulk operation exceeds the maxPayloadSize ({limit})."


class BulkJSONParser(BulkParser):
    media_type = "application/json"


class BulkView(SCIMView):
    operation = "bulk"
    parser_classes = [BulkParser, BulkJSONParser]

    def post(self, request: Request) -> Response:
        if scim_settings.BULK_MAX_OPERATIONS <= 0:
            raise errors.NotImplementedFeature("Bulk operations are turned off here.")
        bulk = requests.parse(self.payload(request))
        steps = planning.plan(bulk.operations)
        using = router.db_for_write(self.ctx.registry.resource_types[0].adapter_class.get_model())
        with transaction.atomic(using=using):
            outcomes = BulkRun(bulk, self._context, using).run(steps)
        response = SCIMResponse(
            {
                "schemas": [constants.BULK_RESPONSE],
                "Operations": [outcome.result() for outcome in outcomes],
            }
        )
        # Each operation's own row in the provisioning log, linked to this request's.
        response.bulk_log = [outcome.log_fields() for outcome in outcomes]  # type: ignore[attr-defined]
        return response

    def _context(self) -> Any:
        return RequestContext(
            self.ctx.base_url, self.ctx.request, self.ctx.client, self.ctx.registry
        )
