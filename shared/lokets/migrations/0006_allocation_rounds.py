"""A loket may use allocation rounds (off by default): one column with a constant default
on the public ``lokets_loket`` table, no rewrite, no loket schema touched."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("lokets", "0005_loket_shows_waiting_position"),
    ]

    operations = [
        migrations.AddField(
            model_name="loket",
            name="uses_allocation_rounds",
            field=models.BooleanField(
                default=False,
                help_text="The loket sets rounds (start months and a decision date); on that date every child waiting for those months gets at most one proposed place at once.",
                verbose_name="allocation rounds",
            ),
        ),
    ]
