"""Template tags of the second factor's pages (``shared.accounts.second_factor``)."""

from django import template

from shared.accounts import second_factor

register = template.Library()


@register.simple_tag(takes_context=True)
def second_factor_required(context) -> bool:
    """Whether this staff session is held back until a second factor is set up."""
    request = context.get("request")
    return request is not None and second_factor.setup_pending(request)


@register.simple_tag(takes_context=True)
def second_factor_next(context) -> str:
    """Where to go on after the setup: the page first asked for, or the home page."""
    return second_factor.next_after_setup(context["request"])


@register.simple_tag
def second_factor_types(user) -> set[str]:
    """The kinds of second factor ``user`` has (``totp``, ``webauthn``)."""
    if user is None or not getattr(user, "pk", None):
        return set()
    return second_factor.second_factor_types(user)
