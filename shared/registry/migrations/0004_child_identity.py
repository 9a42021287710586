# A child identity for every registry entry, the family it belongs to, and possible
# duplicates across families. Existing entries are linked as the figures counted them
# (the same name key), joined by the national-number key; each account's entries are a
# family, a desk registration's its e-mail key until claimed. Runs once, on the public
# schema only.

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def link_existing_entries(apps, schema_editor):
    from opvangloket.crypto import keyed_hash

    Child = apps.get_model("registry", "Child")
    RegistryEntry = apps.get_model("registry", "RegistryEntry")
    rows = list(
        RegistryEntry.objects.order_by("id").values_list(
            "id", "name_key", "national_number_key", "parent_id", "claim_email_key"
        )
    )
    # Union-find over both keys: entries sharing either key are one child.
    parent = {}

    def find(item):
        while parent.setdefault(item, item) != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    for entry_id, name_key, number_key, _parent_id, _claim in rows:
        find(("entry", entry_id))
        parent[find(("entry", entry_id))] = find(("name", name_key))
        if number_key:
            parent[find(("number", number_key))] = find(("name", name_key))
    children = {}
    for entry_id, *_rest in rows:
        root = find(("entry", entry_id))
        if root not in children:
            children[root] = Child(public_id=uuid.uuid4())
    Child.objects.bulk_create(children.values(), batch_size=1000)
    batch = []
    for entry_id, _name_key, _number_key, parent_id, claim in rows:
        family = (
            keyed_hash(str(parent_id), purpose="family-account")
            if parent_id is not None
            else keyed_hash(claim, purpose="family-claim")
            if claim
            else ""
        )
        batch.append(
            RegistryEntry(id=entry_id, child=children[find(("entry", entry_id))], family_key=family)
        )
    RegistryEntry.objects.bulk_update(batch, ["child", "family_key"], batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ('registry', '0003_request_draft_to_portal'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Child',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('public_id', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'verbose_name': 'child identity',
                'verbose_name_plural': 'child identities',
            },
        ),
        migrations.AddField(
            model_name='registryentry',
            name='child',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='entries', to='registry.child'),
        ),
        migrations.AddField(
            model_name='registryentry',
            name='family_key',
            field=models.CharField(blank=True, db_index=True, default='', max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='registryentry',
            name='expected_birth',
            field=models.DateField(blank=True, null=True),
        ),
        migrations.RunPython(link_existing_entries, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='registryentry',
            name='child',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='entries', to='registry.child'),
        ),
        migrations.CreateModel(
            name='PossibleDuplicate',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reason', models.CharField(choices=[('name', 'same names and date of birth'), ('national_number', 'same national register number')], max_length=20)),
                ('status', models.CharField(choices=[('open', 'to decide'), ('confirmed', 'the same child'), ('rejected', 'different children')], default='open', max_length=10)),
                ('found_at', models.DateTimeField()),
                ('placed_elsewhere_at', models.DateTimeField(blank=True, null=True)),
                ('decided_at', models.DateTimeField(blank=True, null=True)),
                ('decision_reason', models.CharField(blank=True, max_length=500)),
                ('decided_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('entry', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='registry.registryentry')),
                ('other', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='registry.registryentry')),
            ],
            options={
                'ordering': ['found_at', 'id'],
                'indexes': [models.Index(fields=['status', 'found_at'], name='duplicate_status')],
                'constraints': [models.UniqueConstraint(fields=('entry', 'other'), name='duplicate_pair_once')],
            },
        ),
    ]
