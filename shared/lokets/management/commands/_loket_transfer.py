"""What the commands that move a loket's rows to another loket share (merge_lokets,
move_municipality): finding the two lokets by slug, and printing the service's report."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, OutputWrapper

from shared.lokets.models import Loket


def lokets_by_slug(*slugs: str) -> list[Loket]:
    """The lokets named by ``slugs``, in that order; a slug that names none stops the command."""
    found = {loket.slug: loket for loket in Loket.objects.filter(slug__in=slugs)}
    for slug in slugs:
        if slug not in found:
            raise CommandError(f"unknown loket: {slug}")
    return [found[slug] for slug in slugs]


def transfer_run(stdout: OutputWrapper, run: Callable[[], Any]) -> None:
    """Run the service, print its report; a refusal prints the report of what blocks it."""
    try:
        report = run()
    except ValidationError as error:
        refused_report = getattr(error, "report", None)
        if refused_report is not None:
            stdout.write("\n".join(refused_report.lines()))
        raise CommandError(" ".join(error.messages)) from None
    stdout.write("\n".join(report.lines()))
