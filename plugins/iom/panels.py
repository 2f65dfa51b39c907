"""IOM's panels on the profile hub and the case screen (hooks
``wraparound_profile_panels`` / ``wraparound_case_panels``). Core shows them only to
users whose organisations have IOM enabled and passes the level it already checked;
each context costs a fixed number of queries."""

from __future__ import annotations

from core.access import AccessLevel, visible_pks
from core.models import CaseParticipant, Profile
from core.plugins.types import RecordPanel

from . import services
from .models import PathwayStatus


def profile_context(request, profile, level):
    summary = services.profile_summary(request.user, profile, level=level)
    if summary is None:
        return None
    if summary.is_empty and not summary.looks_like_iom:
        return None
    return {"summary": summary}


def case_context(request, case, level):
    summary = services.case_summary(request.user, case, level=level)
    if summary is None:
        return None
    subject_id = None
    if summary.can_contribute:
        subjects = list(CaseParticipant.objects.filter(case=case, role=CaseParticipant.Role.SUBJECT)
                        .order_by("added_at", "pk").values_list("profile_id", flat=True)[:1])
        if subjects and visible_pks(request.user, Profile, subjects, AccessLevel.CONTRIBUTE):
            subject_id = subjects[0]
    return {"summary": summary, "status_choices": PathwayStatus.choices, "subject_id": subject_id}


PROFILE_PANELS = [
    RecordPanel(key="iom", label="IOM", template="iom/profile_panel.html", context=profile_context,
                programme=services.PROGRAMME, order=10),
]
CASE_PANELS = [
    RecordPanel(key="iom_case", label="IOM cohort", template="iom/case_panel.html", context=case_context,
                programme=services.PROGRAMME, order=10),
]
