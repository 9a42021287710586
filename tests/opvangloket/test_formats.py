"""Dates and numbers as written in Belgium, in every site language."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.template import Context, Template
from django.utils import translation

DAY = date(2026, 12, 1)


@pytest.mark.parametrize(
    ("language", "long", "short", "number"),
    [
        ("nl", "1 december 2026", "01/12/2026", "4,5"),
        ("fr", "1 décembre 2026", "01/12/2026", "4,5"),
        ("en", "1 December 2026", "01/12/2026", "4.5"),
    ],
)
def test_every_language_writes_day_month_year_on_the_belgian_pattern(language, long, short, number):
    template = Template(
        '{{ day|date:"DATE_FORMAT" }}|{{ day|date:"SHORT_DATE_FORMAT" }}|{{ n|floatformat:"-1" }}'
        '|{{ moment|time:"TIME_FORMAT" }}'
    )
    with translation.override(language):
        text = template.render(
            Context({"day": DAY, "n": 4.5, "moment": datetime(2026, 12, 1, 15, 5)})
        )
    assert text == f"{long}|{short}|{number}|15:05"
    assert "Dec." not in text and "p.m." not in text
