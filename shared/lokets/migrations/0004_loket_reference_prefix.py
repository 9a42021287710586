"""Each loket gets its own reference prefix, unique across lokets (public schema only).

Existing lokets in the order they were made (id): each keeps the prefix its references
already start with (the first three letters of the slug) unless an older loket has it;
that one gets a close one (Tielt-Winge after Tienen: TIW). References already issued are
stored as they are, so every one still resolves. One table in the public schema: the
time does not grow with the number of loket schemas.
"""

import django.core.validators
from django.db import migrations, models

from shared.lokets.references import reference_prefix_choose


def assign_prefixes(apps, schema_editor):
    Loket = apps.get_model("lokets", "Loket")
    taken = set(
        Loket.objects.exclude(reference_prefix=None).values_list("reference_prefix", flat=True)
    )
    for loket in Loket.objects.filter(reference_prefix=None).order_by("id"):
        loket.reference_prefix = reference_prefix_choose(slug=loket.slug, taken=taken)
        taken.add(loket.reference_prefix)
        loket.save(update_fields=["reference_prefix"])


class Migration(migrations.Migration):
    dependencies = [
        ("lokets", "0003_personal_data_retention"),
    ]

    operations = [
        migrations.AddField(
            model_name="loket",
            name="reference_prefix",
            field=models.CharField(
                editable=False, max_length=5, null=True, verbose_name="reference prefix"
            ),
        ),
        migrations.RunPython(assign_prefixes, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="loket",
            name="reference_prefix",
            field=models.CharField(
                editable=False,
                max_length=5,
                unique=True,
                validators=[django.core.validators.RegexValidator("^[A-Z][A-Z0-9]{2,4}$")],
                verbose_name="reference prefix",
            ),
        ),
    ]
