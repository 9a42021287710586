"""Load municipalities and postcodes from CSV files (Statbel / bpost shapes)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shared.geography.services import geography_import


class Command(BaseCommand):
    help = (
        "Import municipalities (NIS_code, municipality_NL, municipality_FR, province_NL, ..., zip) "
        "and optionally postcodes (postcode, place, lon, lat) and the postal list of "
        "localities (postcode, locality, is_submunicipality, province_fr). Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--municipalities", type=Path, required=True)
        parser.add_argument("--postcodes", type=Path)
        parser.add_argument("--localities", type=Path)

    def handle(self, *args, **options):
        for key in ("municipalities", "postcodes", "localities"):
            path = options[key]
            if path is not None and not path.is_file():
                raise CommandError(f"{key}: no such file: {path}")
        report = geography_import(
            municipalities_csv=options["municipalities"],
            postcodes_csv=options["postcodes"],
            localities_csv=options["localities"],
        )
        self.stdout.write(
            f"{report.municipalities} municipalities, {report.postcodes} postcodes "
            f"({report.postcodes_without_municipality} without municipality)"
        )
