from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DjangoSCIMConfig(AppConfig):
    name = "django_scim"
    verbose_name = _("SCIM provisioning")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django_scim import checks  # noqa: F401 - registers the system checks
        from django_scim.storage import membership

        membership.connect()
        membership.connect_on_settings_change()
