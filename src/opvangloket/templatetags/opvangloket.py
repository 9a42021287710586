"""Template helpers shared by every page."""

from django import template
from django.http import HttpRequest

from shared.lokets.models import Loket
from shared.lokets.selectors import primary_host

register = template.Library()


def _origin(request: HttpRequest, host: str) -> str:
    """Scheme and port of this request, with another host (links between lokets)."""
    port = request.get_port()
    default_port = "443" if request.is_secure() else "80"
    suffix = "" if port == default_port else f":{port}"
    return f"{request.scheme}://{host}{suffix}"


@register.simple_tag(takes_context=True)
def loket_url(context, loket: Loket) -> str:
    return _origin(context["request"], primary_host(loket=loket)) + "/"


@register.simple_tag(takes_context=True)
def loket_page_url(context, loket: Loket, path: str) -> str:
    """``path`` on the loket's own host, as this request reached us (scheme and port)."""
    return _origin(context["request"], primary_host(loket=loket)) + path


@register.simple_tag(takes_context=True)
def host_url(context, host: str) -> str:
    return _origin(context["request"], host) + "/"


@register.simple_tag(takes_context=True)
def unique_id(context, prefix: str = "id") -> str:
    """An id no other element of the page has (a table's caption, named by its scroll region).

    Counted per page, not random: the same page renders the same HTML.
    """
    state = context.render_context.dicts[0]  # one per page, includes share it
    state["unique_ids"] = state.get("unique_ids", 0) + 1
    return f"{prefix}-{state['unique_ids']}"


@register.filter
def error_summary(form) -> list[tuple[str, str, str]]:
    """(anchor, what is wrong, the error) for each field error of ``form``, in the page's
    order. A field in a group with a legend is named with it ("Second parent or guardian
    (optional)", then "E-mail"): two fields of the same label stay apart."""
    legends = {
        name: legend
        for legend, names in getattr(form, "fieldsets", None) or []
        if legend
        for name in names
    }
    items = []
    for field in form:
        for error in field.errors:
            legend = legends.get(field.name)
            label = f"{legend} – {field.label}" if legend else str(field.label)
            items.append((field.id_for_label or field.auto_id, label, error))
    return items
