"""The app's own tables: API clients, the SCIM side table, the provisioning log.

The side table (``ResourceRecord``) is what lets a site keep its user and
group models unchanged: it holds the stable SCIM id, externalId and every
SCIM attribute the site's model has no column for, keyed by resource type and
the object's primary key (as text, so any primary key type works).
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from django_scim import tokens
from django_scim.managers import ProvisioningLogQuerySet, SCIMClientQuerySet


class SCIMClient(models.Model):
    """An identity provider (or other caller) allowed to use the SCIM API."""

    class Scope(models.TextChoices):
        READ = "read", _("read only")
        READ_WRITE = "read_write", _("read and write")

    name = models.CharField(_("name"), max_length=150, unique=True)
    token_prefix = models.CharField(
        _("token prefix"), max_length=tokens.PREFIX_LENGTH, editable=False
    )
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    scope = models.CharField(
        _("scope"), max_length=16, choices=Scope.choices, default=Scope.READ_WRITE
    )
    is_active = models.BooleanField(_("active"), default=True)
    strict = models.BooleanField(
        _("strict RFC behaviour"),
        default=False,
        help_text=_(
            "Refuse the identity-provider leniencies that could surprise a strict client "
            "(see django_scim.dialects)."
        ),
    )
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    last_used = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    expires = models.DateTimeField(
        _("expires"),
        null=True,
        blank=True,
        help_text=_("After this time the token is refused (401). Empty: it does not expire."),
    )
    #: RFC 7644 §6: the tenant whose users and groups this client sees and changes ("": all).
    tenant = models.CharField(
        _("tenant"),
        max_length=64,
        blank=True,
        default="",
        db_index=True,
        help_text=_(
            "Key of the organisation this client provisions. It then sees and changes only "
            "that tenant's users and groups. Empty: every user and group of the site."
        ),
    )
    cycle_minutes = models.PositiveIntegerField(
        _("provisioning cycle (minutes)"),
        default=40,
        help_text=_(
            "How often the identity provider calls (Entra ID: about every 40 minutes). The "
            "client is flagged stale after SCIM['STALE_AFTER_CYCLES'] cycles without a request."
        ),
    )

    objects = SCIMClientQuerySet.as_manager()

    class Meta:
        verbose_name = _("SCIM client")
        verbose_name_plural = _("SCIM clients")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    # DRF treats the authenticated principal as request.user.
    is_authenticated = True
    is_anonymous = False

    @property
    def can_write(self) -> bool:
        return self.scope == self.Scope.READ_WRITE

    @property
    def is_expired(self) -> bool:
        return self.expires is not None and self.expires <= timezone.now()

    def set_token(self, raw: str | None = None) -> str:
        """Store a digest of ``raw`` (or of a new token) and return the raw token once."""
        raw = raw or tokens.generate()
        self.token_prefix = tokens.display_prefix(raw)
        self.token_digest = tokens.digest(raw)
        return raw


class ResourceRecord(models.Model):
    """SCIM identity and extra attributes of one site object."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    resource_type = models.CharField(max_length=64)
    #: The tenant this identity belongs to ("" for clients bound to none): one site object
    #: has a separate SCIM id, externalId and attributes in each tenant it belongs to.
    tenant = models.CharField(max_length=64, blank=True, default="")
    object_pk = models.CharField(max_length=64)
    # NULL, not "": externalId absent is not externalId empty (RFC 7643 §3.1).
    external_id = models.CharField(max_length=255, null=True, blank=True)  # noqa: DJ001
    attributes = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(default=timezone.now)
    last_modified = models.DateTimeField(default=timezone.now)
    #: The client whose write made this row: the object is managed by that client.
    client = models.ForeignKey(
        SCIMClient,
        verbose_name=_("provisioned by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="records",
    )

    class Meta:
        verbose_name = _("SCIM resource record")
        constraints = [
            models.UniqueConstraint(
                fields=["resource_type", "tenant", "object_pk"],
                name="django_scim_record_tenant_object_unique",
            )
        ]
        indexes = [
            models.Index(
                fields=["resource_type", "tenant", "external_id"],
                name="django_scim_record_external_id",
            ),
            # Every side row of one object, whatever its tenant (deletes, membership bumps).
            models.Index(fields=["resource_type", "object_pk"], name="django_scim_record_object"),
        ]

    def __str__(self) -> str:
        return f"{self.resource_type} {self.id}"


class ResourceElement(models.Model):
    """One element of a multi-valued attribute kept in the side table.

    Rows exist so that filters such as ``emails[type eq "work" and value co "@x"]``
    run in SQL on every database (an element matches as a whole), and so that
    equality on ``value`` uses an index (``value_key``: the lower-cased value).
    """

    record = models.ForeignKey(ResourceRecord, on_delete=models.CASCADE, related_name="elements")
    attribute = models.CharField(max_length=300)
    position = models.PositiveIntegerField()
    data = models.JSONField(default=dict)
    value_key = models.CharField(max_length=255, null=True, blank=True)  # noqa: DJ001
    # The element whose value a model column holds (PrimaryValue): searches take
    # its value from the column, which wins when edited outside SCIM.
    in_column = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("SCIM multi-valued element")
        indexes = [
            models.Index(fields=["attribute", "value_key"], name="django_scim_element_value"),
        ]

    def __str__(self) -> str:
        return f"{self.attribute}[{self.position}]"


class ProvisioningLog(models.Model):
    """One row per SCIM request: who, what, outcome, how long; secrets redacted."""

    created = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    client = models.ForeignKey(
        SCIMClient,
        verbose_name=_("client"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="log_entries",
    )
    client_name = models.CharField(_("client name"), max_length=150, blank=True)
    #: The client's tenant when the request was made (kept if the client is deleted).
    tenant = models.CharField(_("tenant"), max_length=64, blank=True, default="")
    method = models.CharField(_("method"), max_length=10)
    path = models.CharField(_("path"), max_length=2048)
    resource_type = models.CharField(_("resource type"), max_length=64, blank=True)
    resource_id = models.CharField(_("resource id"), max_length=64, blank=True)
    operation = models.CharField(_("operation"), max_length=32, blank=True)
    status = models.PositiveSmallIntegerField(_("status"))
    scim_type = models.CharField(_("scimType"), max_length=32, blank=True)
    duration_ms = models.FloatField(_("duration (ms)"))
    remote_addr = models.GenericIPAddressField(_("remote address"), null=True, blank=True)
    request_body = models.TextField(_("request body"), blank=True)
    response_body = models.TextField(_("response body"), blank=True)
    #: What a write changed (django_scim.adapters.changes): path, before, after; secrets redacted.
    changes = models.JSONField(_("changes"), default=list, blank=True)
    protected_account = models.BooleanField(
        _("refused: protected account"),
        default=False,
        help_text=_(
            "Set when the request was refused because it would have changed a protected account."
        ),
    )
    #: For one operation of a /Bulk request (RFC 7644 §3.7): the row of that request.
    bulk_request = models.ForeignKey(
        "self",
        verbose_name=_("bulk request"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="bulk_operations",
    )

    objects = ProvisioningLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("provisioning log entry")
        verbose_name_plural = _("provisioning log")
        ordering = ["-created"]
        # Each list filter and the health page read a range of one of these, newest first.
        indexes = [
            models.Index(fields=["status", "created"], name="django_scim_log_status_time"),
            models.Index(
                fields=["resource_type", "resource_id", "created"],
                name="django_scim_log_resource_time",
            ),
            models.Index(
                fields=["client", "created", "status"], name="django_scim_log_client_time"
            ),
            models.Index(fields=["tenant", "created"], name="django_scim_log_tenant_time"),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.status}"
