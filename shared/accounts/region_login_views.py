"""Pages of the one login per region (``shared.accounts.region_login``): the portal's side
(``/aanmelden/``, ``/aanmelden/controle/``) and a loket host's (``/aanmelden/``,
``/aanmelden/overdracht/``)."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from shared.accounts import region_login

REFUSALS = {
    "next": lambda: _(
        "This address is not a loket of this region, so you cannot log in there from here."
    ),
    "state": lambda: _(
        "This login link was not started in this browser. Log in again from this page."
    ),
    "unknown": lambda: _("This login link is not valid."),
    "used": lambda: _("This login link has already been used."),
    "expired": lambda: _("This login link has expired."),
    "host": lambda: _("This login link is meant for another address."),
    "account": lambda: _("This login link is no longer valid for your account."),
}


def _refused(request: HttpRequest, reason: str, *, retry: str = "") -> HttpResponse:
    return render(
        request,
        "accounts/region_login_refused.html",
        {"message": REFUSALS[reason](), "retry": retry},
        status=400,
    )


# --- On the portal -----------------------------------------------------------------------


@require_GET
def portal_login(request: HttpRequest) -> HttpResponse:
    """Log in here (if not yet), then hand the login over to the loket page ``next``."""
    region = request.region
    target = region and region_login.region_target(
        request=request, region=region, url=request.GET.get("next", "")
    )
    if target is None:
        return _refused(request, "next")
    if not request.user.is_authenticated:
        login_url = reverse("account_login")
        return HttpResponseRedirect(f"{login_url}?{urlencode({'next': request.get_full_path()})}")
    # A page, not a redirect: this is often the end of the login form's redirects, and
    # browsers hold a form's redirects to the form-action of the Content-Security-Policy
    # ('self'). The page goes on by itself (a refresh, which that policy does not limit).
    handoff_url = region_login.handoff_issue(
        request=request,
        region=region,
        target=target,
        state=region_login.state_from_query(request.GET.get("state", "")),
    )
    return render(
        request,
        "accounts/region_login_handoff.html",
        {"handoff_url": handoff_url, "host": urlsplit(target).hostname},
    )


@require_GET
def portal_check(request: HttpRequest) -> HttpResponse:
    """The silent check: a hand-off when logged in here, else straight back to ``next``."""
    region = request.region
    target = region and region_login.region_target(
        request=request, region=region, url=request.GET.get("next", "")
    )
    if target is None:
        return _refused(request, "next")
    if not request.user.is_authenticated:
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(
        region_login.handoff_issue(
            request=request,
            region=region,
            target=target,
            state=region_login.state_from_query(request.GET.get("state", "")),
        )
    )


# --- On a loket host ---------------------------------------------------------------------


@require_GET
def loket_login(request: HttpRequest) -> HttpResponse:
    """ "Log in" on a loket host: at the region's portal, or here if the loket has none."""
    next_path = region_login.local_path(request=request, url=request.GET.get("next", "/"))
    if request.region is None:
        return HttpResponseRedirect(f"{reverse('account_login')}?{urlencode({'next': next_path})}")
    response = HttpResponseRedirect("/")
    state = region_login.state_start(response)
    response["Location"] = region_login.portal_login_url(
        request=request, region=request.region, next_path=next_path, state=state
    )
    return response


@require_GET
def loket_handoff(request: HttpRequest) -> HttpResponse:
    """Use a hand-off from the portal: logged in here, then the page asked for."""
    next_path = region_login.local_path(request=request, url=request.GET.get("next", "/"))
    result = region_login.handoff_consume(
        request=request, token=request.GET.get("token", ""), state=request.GET.get("state", "")
    )
    if result.handoff is None:
        retry = f"{reverse('region_login')}?{urlencode({'next': next_path})}"
        return _refused(request, result.refusal, retry=retry)
    response = HttpResponseRedirect(next_path)
    if result.handoff.language:
        region_login.set_language_cookie(response, result.handoff.language)
    return response
