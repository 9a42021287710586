"""Allocation rounds and their proposals: two new tables, nothing existing is touched, so
it runs in moments on every loket schema."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("allocation", "0004_offernotice_reminder"),
        ("requests", "0007_choice_answer_reason"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AllocationRound",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("start_month_from", models.DateField(verbose_name="first start month")),
                ("start_month_to", models.DateField(verbose_name="last start month")),
                ("decision_date", models.DateField(verbose_name="decision date")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("planned", "planned"),
                            ("proposed", "proposals made"),
                            ("closed", "closed"),
                            ("cancelled", "cancelled"),
                        ],
                        default="planned",
                        max_length=12,
                        verbose_name="status",
                    ),
                ),
                ("created_at", models.DateTimeField()),
                ("cancelled_at", models.DateTimeField(blank=True, null=True)),
                ("proposed_at", models.DateTimeField(blank=True, null=True)),
                ("closed_at", models.DateTimeField(blank=True, null=True)),
                (
                    "cancelled_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "allocation round",
                "verbose_name_plural": "allocation rounds",
                "ordering": ["-decision_date", "-id"],
            },
        ),
        migrations.CreateModel(
            name="RoundProposal",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("proposed", "waiting for the location"),
                            ("confirmed", "confirmed: offered to the parent"),
                            ("rejected", "rejected by the location"),
                            ("replaced", "replaced after a re-run"),
                            ("unanswered", "not answered before the round closed"),
                        ],
                        default="proposed",
                        max_length=12,
                        verbose_name="status",
                    ),
                ),
                ("run", models.PositiveSmallIntegerField(default=1)),
                (
                    "reject_reason",
                    models.TextField(blank=True, verbose_name="reason for rejecting"),
                ),
                ("created_at", models.DateTimeField()),
                ("answered_at", models.DateTimeField(blank=True, null=True)),
                (
                    "answered_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "choice",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="round_proposals",
                        to="requests.requestchoice",
                    ),
                ),
                (
                    "offer",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="round_proposal",
                        to="allocation.offer",
                    ),
                ),
                (
                    "round",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="proposals",
                        to="allocation.allocationround",
                    ),
                ),
            ],
            options={
                "verbose_name": "round proposal",
                "verbose_name_plural": "round proposals",
                "ordering": ["round_id", "id"],
            },
        ),
        migrations.AddIndex(
            model_name="allocationround",
            index=models.Index(fields=["status", "decision_date"], name="round_status_decision"),
        ),
        migrations.AddConstraint(
            model_name="roundproposal",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ["proposed", "confirmed"])),
                fields=("round", "choice"),
                name="round_proposal_one_live_per_choice",
            ),
        ),
    ]
