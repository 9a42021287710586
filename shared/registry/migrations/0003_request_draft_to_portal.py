# The request draft now belongs to the portal app (its table was renamed there).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('registry', '0002_registered_at_index'),
        ('portal', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='RequestDraft')],
        ),
    ]
