"""Pages: a loket's team (loket staff) and a region's coordinators (on its portal), and the
page an invitation link opens.

Loket pages need ``Access.PROVIDERS_LOKET_STAFF``: loket staff, on the loket's own host
(the auditor tenant's staff are made by operators). Portal pages need
``Access.REGION_COORDINATOR``. Every invitation and membership is looked up inside the
host's loket or region, so another's id answers 404.
"""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opvangloket.forms import add_service_errors
from shared.accounts import invitations as services
from shared.accounts.forms import InvitationForm, ProviderLocationsForm
from shared.accounts.models import Invitation, Membership
from shared.accounts.permissions import Access, role_required
from shared.accounts.selectors import (
    loket_team,
    pending_invitations,
    region_team,
    team_invitation,
    team_membership,
)

LOKET_TEAM = Access.PROVIDERS_LOKET_STAFF
REGION_TEAM = Access.REGION_COORDINATOR


def _scope(request: HttpRequest) -> dict:
    loket = getattr(request, "loket", None)
    return {"loket": loket} if loket is not None else {"region": request.region}


def _locations(request: HttpRequest):
    from tenants.providers.models import Location

    if getattr(request, "loket", None) is None:
        return []
    return list(Location.objects.order_by("name", "pk"))


def _team_url(request: HttpRequest) -> str:
    return "team" if getattr(request, "loket", None) is not None else "region_team"


def _team_page(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    roles = services.roles_for(**scope)
    locations = _locations(request)
    form = InvitationForm(
        request.POST or None,
        roles=roles,
        locations=locations,
        initial={"language": request.LANGUAGE_CODE},
    )
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _link = services.invitation_create(
                inviter=request.user,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                language=form.cleaned_data["language"],
                location_ids=form.cleaned_data.get("locations") or [],
                **scope,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("An invitation has been sent to %(email)s.") % {"email": invitation.email},
            )
            if invitation.role == Membership.Role.PROVIDER_STAFF and not invitation.location_ids:
                messages.warning(
                    request,
                    _(
                        "%(email)s was invited without locations and will have nothing to "
                        "keep up to date: grant their locations here once they have accepted."
                    )
                    % {"email": invitation.email},
                )
            return redirect(_team_url(request))
    loket = scope.get("loket")
    team = loket_team(loket=loket) if loket is not None else region_team(region=scope["region"])
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "accounts/team.html",
        {
            "place": loket or scope["region"],
            "is_loket": loket is not None,
            "team": team,
            "invitations": pending_invitations(**scope),
            "form": form,
            "now": timezone.now(),
        },
        status=status,
    )


def _invitation_or_404(request: HttpRequest, invitation_id: int) -> Invitation:
    invitation = team_invitation(pk=invitation_id, **_scope(request))
    if invitation is None:
        raise Http404
    return invitation


def _membership_or_404(request: HttpRequest, membership_id: int) -> Membership:
    membership = team_membership(pk=membership_id, **_scope(request))
    if membership is None:
        raise Http404
    return membership


def _resend(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = _invitation_or_404(request, invitation_id)
    try:
        services.invitation_resend(invitation=invitation, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The invitation to %(email)s has been sent again.") % {"email": invitation.email},
        )
    return redirect(_team_url(request))


def _cancel(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = _invitation_or_404(request, invitation_id)
    try:
        services.invitation_cancel(invitation=invitation, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The invitation to %(email)s has been cancelled.") % {"email": invitation.email},
        )
    return redirect(_team_url(request))


def _end(request: HttpRequest, membership_id: int) -> HttpResponse:
    membership = _membership_or_404(request, membership_id)
    try:
        services.membership_end(membership=membership, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(user)s no longer has the role %(role)s.")
            % {"user": membership.user, "role": membership.get_role_display()},
        )
    return redirect(_team_url(request))


# --- A loket's team ---------------------------------------------------------------------


@role_required(LOKET_TEAM)
def team(request: HttpRequest) -> HttpResponse:
    return _team_page(request)


@role_required(LOKET_TEAM)
@require_POST
def invitation_resend(request: HttpRequest, invitation_id: int) -> HttpResponse:
    return _resend(request, invitation_id)


@role_required(LOKET_TEAM)
@require_POST
def invitation_cancel(request: HttpRequest, invitation_id: int) -> HttpResponse:
    return _cancel(request, invitation_id)


@role_required(LOKET_TEAM)
@require_POST
def membership_end(request: HttpRequest, membership_id: int) -> HttpResponse:
    return _end(request, membership_id)


@role_required(LOKET_TEAM)
def member_locations(request: HttpRequest, membership_id: int) -> HttpResponse:
    """Grant and withdraw the locations a provider staff member keeps up to date."""
    membership = _membership_or_404(request, membership_id)
    if membership.role != Membership.Role.PROVIDER_STAFF:
        raise Http404
    form = ProviderLocationsForm(
        request.POST or None,
        locations=_locations(request),
        initial={"locations": services.provider_location_ids(membership=membership)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.provider_locations_set(
                membership=membership,
                location_ids=form.cleaned_data["locations"],
                actor=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("The locations of %(user)s have been saved.") % {"user": membership.user}
            )
            return redirect("team")
    return render(
        request,
        "accounts/member_locations.html",
        {"membership": membership, "form": form},
        status=400 if request.method == "POST" else 200,
    )


# --- A region's coordinators ------------------------------------------------------------


@role_required(REGION_TEAM)
def region_team_page(request: HttpRequest) -> HttpResponse:
    return _team_page(request)


@role_required(REGION_TEAM)
@require_POST
def region_invitation_resend(request: HttpRequest, invitation_id: int) -> HttpResponse:
    return _resend(request, invitation_id)


@role_required(REGION_TEAM)
@require_POST
def region_invitation_cancel(request: HttpRequest, invitation_id: int) -> HttpResponse:
    return _cancel(request, invitation_id)


@role_required(REGION_TEAM)
@require_POST
def region_membership_end(request: HttpRequest, membership_id: int) -> HttpResponse:
    return _end(request, membership_id)


# --- The invitation link ----------------------------------------------------------------


def _on_its_host(request: HttpRequest, invitation: Invitation) -> bool:
    loket, region = getattr(request, "loket", None), getattr(request, "region", None)
    if invitation.loket_id is not None:
        return loket is not None and loket.pk == invitation.loket_id
    return loket is None and region is not None and region.pk == invitation.region_id


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """What the link in the e-mail opens: log in or sign up with the invited address, then
    accept. A link that no longer works says why (410), never more."""
    now = timezone.now()
    invitation = services.invitation_by_token(token=token)
    if invitation is not None and not _on_its_host(request, invitation):
        invitation = None  # another loket's link: as unknown here
    state = services.invitation_state(invitation=invitation, now=now)
    if state != services.InvitationState.OPEN:
        return render(
            request,
            "accounts/invitation_invalid.html",
            {"state": state},
            status=404 if state == services.InvitationState.UNKNOWN else 410,
        )
    # Holding the link proves the mailbox: a sign-up with this address needs no second
    # confirmation mail (allauth then marks it verified and logs the person in).
    get_adapter(request).stash_verified_email(request, invitation.email)
    user = request.user
    error = ""
    if request.method == "POST" and user.is_authenticated:
        try:
            membership = services.invitation_accept(invitation=invitation, user=user, now=now)
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
        else:
            messages.success(
                request,
                _("Welcome: you now work here as %(role)s.")
                % {"role": membership.get_role_display()},
            )
            return redirect("staff_home" if membership.loket_id else "home")
    elif request.method not in ("GET", "HEAD", "POST"):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD, POST"})
    return render(
        request,
        "accounts/invitation_accept.html",
        {
            "invitation": invitation,
            "place": invitation.loket or invitation.region,
            "email_matches": services.email_matches(invitation=invitation, user=user),
            "error": error,
            "path": request.path,
        },
        status=400 if error else 200,
    )
