"""Parents may see where their child stands on the waiting lists (off by default).

One column with a constant default on the public ``lokets_loket`` table: no rewrite,
and no loket schema is touched.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("lokets", "0004_loket_reference_prefix"),
    ]

    operations = [
        migrations.AddField(
            model_name="loket",
            name="shows_waiting_position",
            field=models.BooleanField(
                default=False,
                help_text=(
                    "Per chosen location: the place among the children waiting for that "
                    "location and start month, in the order of the rules (for example: 3rd "
                    "of 11)."
                ),
                verbose_name="show parents their child's place on the waiting list",
            ),
        ),
    ]
