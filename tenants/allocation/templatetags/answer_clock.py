"""``{% answer_due choice as due %}``: by when the location should answer (the answer clock)."""

from __future__ import annotations

from django import template
from django.utils import timezone

from tenants.allocation.answer_clock import AnswerDue
from tenants.allocation.answer_clock import answer_due as choice_answer_due

register = template.Library()


@register.simple_tag(takes_context=True)
def answer_due(context: template.Context, choice) -> AnswerDue | None:
    loket = getattr(context.get("request"), "loket", None)
    if loket is None:
        return None
    return choice_answer_due(choice=choice, loket=loket, now=timezone.now())
