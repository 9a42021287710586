"""The figures page's bar charts: which figures are drawn side by side, and on what scale.

A chart draws values of one kind and size on one scale: licensed places (hundreds) beside
children waiting (a handful) would make the waiting bars invisible, so supply is drawn as
free places beside children waiting, and the licensed places as children waiting per
100 licensed places. Each chart's table (behind "as a table") holds the same values.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from shared.catalogue.vocabulary import AgeGroup

BAR_SPACE = 300  # the longest bar's width in the SVG's 560 units
ROW_HEIGHT = 28


def _chart(key: str, title: str, items: list[tuple[str, int]], *, unit: str = "") -> dict:
    top = max((value for _, value in items), default=0) or 1
    bars = [
        {
            "label": label,
            "value": value,
            "width": round(BAR_SPACE * value / top),
            "y": ROW_HEIGHT * index,
        }
        for index, (label, value) in enumerate(items)
    ]
    return {
        "id": key,
        "title": title,
        "unit": unit,
        "bars": bars,
        "height": ROW_HEIGHT * len(bars) or ROW_HEIGHT,
    }


def waiting_per_hundred_places(row: dict) -> int | None:
    """Children waiting per 100 licensed places, rounded; ``None`` without places."""
    places = row.get("licensed_places") or 0
    return round(100 * row["waiting"] / places) if places else None


def charts(figures: dict) -> list[dict]:
    """The charts of one scope's figures, in the page's order."""
    ages = dict(AgeGroup.choices)
    rows = figures["municipalities"]

    def name(row: dict) -> str:
        return row["name"] or _("unknown")

    return [
        _chart(
            "municipality",
            _("Children waiting per municipality of residence"),
            [(name(row), row["waiting"]) for row in rows],
        ),
        _chart(
            "unique",
            _("Unique requests and requests without offer per municipality"),
            [
                (f"{name(row)}: {label}", row[field])
                for row in rows
                for field, label in (
                    ("unique_requests", _("unique requests")),
                    ("unique_without_offer", _("without offer")),
                )
            ],
        ),
        _chart(
            "age",
            _("Children waiting per age group"),
            [
                (str(ages.get(key, key)), value)
                for key, value in figures["waiting_by_age_group"].items()
            ],
        ),
        _chart(
            "month",
            _("Children waiting per desired start month"),
            list(figures["waiting_by_start_month"].items()),
        ),
        _chart(
            "priority",
            _("Children waiting, priority group or not"),
            [
                (_("priority group") if key == "yes" else _("no priority"), value)
                for key, value in figures["waiting_by_priority"].items()
            ],
        ),
        _chart(
            "supply",
            _("Free places and children waiting per municipality"),
            [
                (f"{name(row)}: {label}", row[field])
                for row in rows
                for field, label in (
                    ("free_places", _("free places")),
                    ("waiting", _("children waiting")),
                )
            ],
        ),
        _chart(
            "pressure",
            _("Children waiting per 100 licensed places"),
            [
                (name(row), ratio)
                for row in rows
                if (ratio := waiting_per_hundred_places(row)) is not None
            ],
        ),
    ]
