"""Pages the SCIM admin and the site's own user admin share: a resource's history, and a
change set as a table."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from django_scim import history, jsoncodec
from django_scim.models import ProvisioningLog

#: Rows a history page shows; older ones are in the provisioning log.
HISTORY_LIMIT = 200


def history_response(
    request: HttpRequest,
    site: admin.AdminSite,
    resource: history.Resource,
    title: str,
    **extra: Any,
) -> TemplateResponse:
    """The history page of one resource (also used by the site's user admin)."""
    limit = HISTORY_LIMIT
    rows = list(history.entries(resource)[: limit + 1])
    context = {
        **site.each_context(request),
        "opts": ProvisioningLog._meta,
        "title": _("SCIM history of %s") % title,
        "resource": resource,
        "entries": [(row, change_table(row.changes)) for row in rows[:limit]],
        "more": len(rows) > limit,
        **extra,
    }
    return TemplateResponse(request, "admin/django_scim/history.html", context)


def _value(value: Any) -> str:
    if value is None:
        return "—"
    return value if isinstance(value, str) else jsoncodec.dumps(value).decode()


def change_table(changes: Any) -> str:
    """A change set as an HTML table: attribute, before, after (relations: op and ids)."""
    if not changes:
        return "—"
    rows = format_html_join(
        "",
        "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
        (
            (
                change.get("path", ""),
                _value(change.get("before")) if "op" not in change else change["op"],
                _value(change.get("after") if "op" not in change else change.get("value")),
            )
            for change in changes
            if isinstance(change, dict)
        ),
    )
    return format_html(
        '<table class="scim-changes"><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead>'
        "<tbody>{}</tbody></table>",
        _("attribute"),
        _("before"),
        _("after"),
        rows,
    )
