"""Re-evaluate trigger rules when the data they watch changes.

After an activity, a report or a gallery entry is saved, the rules whose kind listens
to that change are evaluated for the profiles concerned — once the transaction has
committed (a rolled-back change raises nothing; the alert's own writes get their own
transactions). A failure here must never undo the practitioner's work: it is logged,
and the periodic sweep catches the occurrence later."""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from .models import Activity, CaseParticipant, GalleryEntry, Report

logger = logging.getLogger(__name__)


def _later(profile_ids, event: str) -> None:
    def run():
        from .alerts import evaluate_for_profiles

        try:
            evaluate_for_profiles(profile_ids, event)
        except Exception:  # noqa: BLE001 — see the module docstring
            logger.exception("Evaluating trigger rules after a %s change failed", event)

    transaction.on_commit(run)


def _profiles_of(profile_id, case_id) -> list[int]:
    if profile_id:
        return [profile_id]
    return list(CaseParticipant.objects.filter(case_id=case_id).values_list("profile_id", flat=True))


@receiver(post_save, sender=Activity, dispatch_uid="wraparound_alerts_activity")
def activity_saved(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        _later(_profiles_of(instance.profile_id, instance.case_id), "activity")


@receiver(post_save, sender=Report, dispatch_uid="wraparound_alerts_report")
def report_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        _later(_profiles_of(instance.profile_id, instance.case_id), "report")


@receiver(post_save, sender=GalleryEntry, dispatch_uid="wraparound_alerts_gallery")
def gallery_entry_saved(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        _later([instance.profile_id], "gallery")
