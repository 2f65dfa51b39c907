"""Erase one profile or closed case past retention, with a justification (core.security.erasure)."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from core import audit
from core.models import Case, Profile
from core.models.audit import Channel
from core.security import erasure


class Command(BaseCommand):
    help = ("Erase a profile (by id) or a case (by reference) past its retention period, on behalf of an "
            "organisation or partnership admin of its owner organisation. Audited as ERASE.")

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["profile", "case"])
        parser.add_argument("record", help="Profile id, or case reference.")
        parser.add_argument("--by", required=True, help="Username of the admin who decided the erasure.")
        parser.add_argument("--justification", required=True)
        parser.add_argument("--confirm", required=True,
                            help="The record's reference again (PROFILE-<id>, or the case reference).")

    def handle(self, *args, kind, record, by, justification, confirm, **options):
        user = get_user_model().objects.filter(username=by, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {by!r}.")
        model = Profile if kind == "profile" else Case
        lookup = {"pk": record} if kind == "profile" else {"reference": record}
        try:
            obj = model.objects.filter(**lookup).first() if kind == "case" or record.isdigit() else None
            if obj is None:
                raise Http404
            obj = erasure.erasable(model, user, obj.pk)
            with audit.audit_context(channel=Channel.CLI):
                erase = erasure.erase_profile if kind == "profile" else erasure.erase_case
                counts = erase(obj, by=user, justification=justification, confirm=confirm)
        except Http404:
            raise CommandError(f"No {kind} {record!r} owned by an organisation {by} administers.") from None
        except ValidationError as exc:
            raise CommandError(" ".join(f"{k}: {' '.join(v)}" if k != "__all__" else " ".join(v)
                                        for k, v in exc.message_dict.items())) from None
        self.stdout.write(f"Erased {kind} {confirm.strip().upper()}: "
                          + ", ".join(f"{n} {name}" for name, n in sorted(counts.items())))
