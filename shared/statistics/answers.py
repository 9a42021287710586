"""Why no offer: the locations' answers without an offer, per municipality and kind of care.

Read from the public schema only (``RegistryAnswer`` beside the registry entries), never
from a loket's schema, in one aggregate query whatever the size. Of a scope's entries
registered in the period (as every figure), each location's standing answer "no place"
or "another start date" counts once, by its reason code, in the municipality and kind of
care of the location as it was when it answered; ``children`` counts each child identity
once per row. An answer no longer stands once that location offers a place.
"""

from __future__ import annotations

from django.db import connection
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from shared.catalogue.vocabulary import CareKind
from shared.geography.models import Municipality
from shared.registry.models import AnswerReason
from shared.statistics.selectors import Period, Scope

_WHY_NO_OFFER = """
    SELECT a.municipality_id, a.location_kind, a.reason,
           GROUPING(a.municipality_id, a.location_kind) AS is_total,
           count(*), count(DISTINCT e.child_id)
      FROM registry_registryanswer a
      JOIN registry_registryentry e ON e.id = a.entry_id
     WHERE {scope} AND e.registered_at >= %s AND e.registered_at < %s
     GROUP BY GROUPING SETS ((a.municipality_id, a.location_kind, a.reason), (a.reason))
"""


def why_no_offer(*, scope: Scope, period: Period) -> dict:
    """JSON-ready: ``by_reason`` (the scope's totals per reason code, every code listed) and
    ``rows`` (one per municipality of the location, kind of care and reason code that
    occurs: ``answers`` and ``children``), sorted by municipality, kind and reason."""
    start, end = period.bounds()
    where, params = scope.sql("e.loket_id")
    with connection.cursor() as cursor:
        cursor.execute(_WHY_NO_OFFER.format(scope=where), [*params, start, end])
        found = cursor.fetchall()
    by_reason = dict.fromkeys(AnswerReason.values, 0)
    grouped = []
    for municipality_id, kind, reason, is_total, answers, children in found:
        if is_total:
            by_reason[reason] = answers
        else:
            grouped.append((municipality_id, kind, reason, answers, children))
    municipalities = Municipality.objects.in_bulk({row[0] for row in grouped if row[0]})
    kinds, reasons = dict(CareKind.choices), dict(AnswerReason.choices)
    rows = []
    for municipality_id, kind, reason, answers, children in grouped:
        municipality = municipalities.get(municipality_id)
        rows.append(
            {
                "nis_code": municipality.nis_code if municipality else "",
                "name": municipality.name_nl if municipality else "",
                "location_kind": kind,
                "location_kind_label": capfirst(str(kinds.get(kind, kind))),
                "reason": reason,
                "reason_label": capfirst(str(reasons.get(reason, reason))),
                "answers": answers,
                "children": children,
            }
        )
    order = {code: index for index, code in enumerate(AnswerReason.values)}
    rows.sort(key=lambda row: (row["name"], row["location_kind"], order.get(row["reason"], 99)))
    return {
        "by_reason": by_reason,
        # The same totals with their labels, in the order of the codes (for pages).
        "reasons": [
            {"reason": code, "label": capfirst(str(reasons[code])), "answers": count}
            for code, count in by_reason.items()
        ],
        "rows": rows,
    }


def why_no_offer_table(*, scope: Scope, periods: list[Period]) -> tuple[list[str], list[list]]:
    """The breakdown as a download: a header and one row per period, municipality of the
    location, kind of care and reason."""
    header = [
        _("period"),
        _("municipality NIS code"),
        _("municipality"),
        _("kind of care"),
        _("reason"),
        _("answers without an offer"),
        _("children"),
    ]
    table = []
    for period in periods:
        for row in why_no_offer(scope=scope, period=period)["rows"]:
            table.append(
                [
                    period.label,
                    row["nis_code"],
                    row["name"],
                    row["location_kind_label"],
                    row["reason_label"],
                    row["answers"],
                    row["children"],
                ]
            )
    return header, table
