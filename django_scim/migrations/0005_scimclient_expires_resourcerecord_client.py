import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Optional token expiry; the provider's cycle the health page measures staleness in;
    the client that provisioned each object (left empty for rows written before)."""

    dependencies = [
        ("django_scim", "0004_provisioninglog_changes"),
    ]

    operations = [
        migrations.AddField(
            model_name="scimclient",
            name="expires",
            field=models.DateTimeField(
                blank=True,
                help_text="After this time the token is refused (401). Empty: it does not expire.",
                null=True,
                verbose_name="expires",
            ),
        ),
        migrations.AddField(
            model_name="scimclient",
            name="cycle_minutes",
            field=models.PositiveIntegerField(
                default=40,
                help_text=(
                    "How often the identity provider calls (Entra ID: about every 40 minutes). "
                    "The client is flagged stale after SCIM['STALE_AFTER_CYCLES'] cycles "
                    "without a request."
                ),
                verbose_name="provisioning cycle (minutes)",
            ),
        ),
        migrations.AddField(
            model_name="resourcerecord",
            name="client",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="records",
                to="django_scim.scimclient",
                verbose_name="provisioned by",
            ),
        ),
    ]
