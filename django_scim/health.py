"""Provisioning health of a SCIM client: is it still calling, and how much fails?

Everything here is an aggregate over the ``(client, created, status)`` index
of the provisioning log: a range of one client's rows, counted in the
database. No row is loaded, and no query counts the whole table, so the page
costs the same at a thousand rows as at a million (bench/log_scale.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import TruncHour
from django.utils import timezone

from django_scim.conf import scim_settings
from django_scim.models import ProvisioningLog, SCIMClient

ERROR = Q(status__gte=400)
HOURS = 7 * 24


@dataclass
class Hour:
    start: datetime
    requests: int = 0
    errors: int = 0


@dataclass
class Health:
    client: SCIMClient
    now: datetime
    last_request: datetime | None
    requests_24h: int
    errors_24h: int
    requests_7d: int
    errors_7d: int
    top_statuses: list[tuple[int, int]] = field(default_factory=list)
    top_scim_types: list[tuple[str, int]] = field(default_factory=list)
    hours: list[Hour] = field(default_factory=list)

    @property
    def stale(self) -> bool:
        return is_stale(self.client, self.last_request, self.now)

    @property
    def error_rate_24h(self) -> float:
        return self.errors_24h / self.requests_24h if self.requests_24h else 0.0


def stale_after(client: SCIMClient) -> timedelta:
    """How long a client may stay silent: its provider's cycle times STALE_AFTER_CYCLES."""
    return timedelta(minutes=client.cycle_minutes * scim_settings.STALE_AFTER_CYCLES)


def is_stale(client: SCIMClient, last_request: datetime | None, now: datetime) -> bool:
    """Nothing arrived for longer than :func:`stale_after` (counted from its creation
    when nothing ever arrived). A revoked client is never stale: silence is expected."""
    if not client.is_active:
        return False
    since = last_request or client.created
    return now - since > stale_after(client)


def _rows(client: SCIMClient, since: datetime) -> QuerySet[ProvisioningLog]:
    return ProvisioningLog.objects.filter(client=client, created__gte=since).order_by()


def _counts(client: SCIMClient, since: datetime) -> tuple[int, int]:
    totals = _rows(client, since).aggregate(requests=Count("pk"), errors=Count("pk", filter=ERROR))
    return totals["requests"], totals["errors"]


def hourly(client: SCIMClient, now: datetime) -> list[Hour]:
    """Requests and errors per hour over the last seven days, oldest first, empty hours
    included."""
    first = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=HOURS - 1)
    hours = {first + timedelta(hours=n): Hour(first + timedelta(hours=n)) for n in range(HOURS)}
    rows = (
        _rows(client, first)
        .annotate(hour=TruncHour("created"))
        .values("hour")
        .annotate(requests=Count("pk"), errors=Count("pk", filter=ERROR))
    )
    for row in rows:
        slot = hours.get(row["hour"])
        if slot is not None:
            slot.requests, slot.errors = row["requests"], row["errors"]
    return list(hours.values())


def top_failures(client: SCIMClient, since: datetime, column: str, limit: int = 5) -> list:
    """The values of ``column`` (status or scim_type) that failed most, with their counts."""
    rows = _rows(client, since).filter(ERROR)
    if column == "scim_type":
        rows = rows.exclude(scim_type="")
    counted = rows.values(column).annotate(n=Count("pk")).order_by("-n", column)[:limit]
    return [(row[column], row["n"]) for row in counted]


def health(client: SCIMClient, now: datetime | None = None) -> Health:
    """Everything the health page shows, in seven aggregate queries."""
    now = now or timezone.now()
    day, week = now - timedelta(hours=24), now - timedelta(days=7)
    last = ProvisioningLog.objects.filter(client=client).aggregate(last=Max("created"))["last"]
    requests_24h, errors_24h = _counts(client, day)
    requests_7d, errors_7d = _counts(client, week)
    return Health(
        client=client,
        now=now,
        last_request=last,
        requests_24h=requests_24h,
        errors_24h=errors_24h,
        requests_7d=requests_7d,
        errors_7d=errors_7d,
        top_statuses=top_failures(client, week, "status"),
        top_scim_types=top_failures(client, week, "scim_type"),
        hours=hourly(client, now),
    )


def chart(hours: list[Hour], width: int = 4, height: int = 120) -> str:
    """An inline SVG of requests (grey) and errors (red) per hour: drawn on the server,
    no script and nothing from another host, so it shows in any admin."""
    peak = max((hour.requests for hour in hours), default=0) or 1
    bars = []
    for n, hour in enumerate(hours):
        x = n * width
        for count, css in ((hour.requests, "requests"), (hour.errors, "errors")):
            if count:
                h = max(1, round(count * height / peak))
                bars.append(
                    f'<rect class="{css}" x="{x}" y="{height - h}" width="{width - 1}" '
                    f'height="{h}"><title>{hour.start:%Y-%m-%d %H:00} UTC: '
                    f"{hour.requests} requests, {hour.errors} errors</title></rect>"
                )
    days = "".join(
        f'<line class="day" x1="{n * width}" y1="0" x2="{n * width}" y2="{height}"/>'
        for n, hour in enumerate(hours)
        if hour.start.hour == 0
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="scim-health-chart" role="img" '
        f'width="{len(hours) * width}" height="{height}" '
        f'viewBox="0 0 {len(hours) * width} {height}" '
        f'aria-label="Requests and errors per hour, last 7 days (peak {peak})">'
        "<style>.requests{fill:#9aa7b4}.errors{fill:#ba2121}.day{stroke:#ddd}</style>"
        f"{days}{''.join(bars)}</svg>"
    )
