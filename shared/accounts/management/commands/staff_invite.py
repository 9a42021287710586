"""Give a loket (or region) its first staff: invite by e-mail, or grant an existing account."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from shared.accounts import invitations
from shared.accounts.models import Membership, User
from shared.lokets.models import Loket, Region


class Command(BaseCommand):
    help = (
        "Invite EMAIL to a staff role in the loket LOKET_SLUG (or, with --role "
        "region_coordinator, in the region of that slug). An existing account gets the role "
        "at once; otherwise an invitation e-mail is sent and its link printed (valid "
        f"{invitations.INVITATION_DAYS} days, once)."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", metavar="LOKET_SLUG")
        parser.add_argument("email")
        parser.add_argument(
            "--role", choices=Membership.Role.values, default=Membership.Role.LOKET_STAFF
        )
        parser.add_argument("--language", choices=["nl", "fr", "en"], default="nl")
        parser.add_argument(
            "--invite-only",
            action="store_true",
            help="Send an invitation even when the account exists.",
        )

    def handle(self, *args, slug, email, role, language, invite_only, **options):
        scope: dict
        if role == Membership.Role.REGION_COORDINATOR:
            region = Region.objects.filter(slug=slug).first()
            if region is None:
                raise CommandError(f"no region {slug!r}")
            scope = {"region": region}
        else:
            loket = Loket.objects.filter(slug=slug).exclude(schema_name="public").first()
            if loket is None:
                raise CommandError(f"no loket {slug!r}")
            scope = {"loket": loket}
        user = User.objects.filter(email__iexact=email.strip()).first()
        try:
            if user is not None and not invite_only:
                invitations.staff_grant_now(actor=None, user=user, role=role, **scope)
                self.stdout.write(f"{user.email} now has the role {role} in {slug}")
                return
            _invitation, link = invitations.invitation_create(
                inviter=None, email=email, role=role, language=language, **scope
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(f"invitation sent to {email.strip().lower()}: {link}")
