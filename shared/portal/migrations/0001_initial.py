# The request draft moves from the registry app to the portal app: same rows, the
# table renamed in place (no copy), so it is quick on a large public schema.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('lokets', '0002_loket_request_rules'),
        ('registry', '0002_registered_at_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    'ALTER TABLE registry_requestdraft RENAME TO portal_requestdraft',
                    reverse_sql='ALTER TABLE portal_requestdraft RENAME TO registry_requestdraft',
                ),
            ],
            state_operations=[
                migrations.CreateModel(
                    name='RequestDraft',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('encrypted_payload', models.TextField()),
                        ('step', models.CharField(default='child', max_length=20)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('loket', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='lokets.loket')),
                        ('owner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='request_drafts', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'ordering': ['-updated_at'],
                        'db_table': 'portal_requestdraft',
                    },
                ),
            ],
        ),
    ]
