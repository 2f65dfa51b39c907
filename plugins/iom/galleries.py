"""IOM's galleries (hook ``wraparound_galleries``): the active cohort, filterable by
category, tier and risk, and the people due for release within 28 days.

Both are saved filters over the audience organisations' profiles (core's rule); what
only IOM knows — memberships and custody periods — is added by ``profile_filter``.
The cards, audience and audit are core's."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Exists, OuterRef
from django.utils import timezone

from core.models import Case, RiskLevel
from core.plugins.types import Choice, GalleryFacet, GallerySpec

RELEASE_WINDOW_DAYS = 28


def active_memberships():
    """Memberships of people on the cohort now: not exited, their cohort case open."""
    from .models import CohortMembership

    return CohortMembership.objects.filter(exited_on__isnull=True, case__status=Case.Status.OPEN)


def cohort_members(profiles):
    return profiles.filter(Exists(active_memberships().filter(profile_id=OuterRef("pk"))))


def due_for_release(profiles, days: int = RELEASE_WINDOW_DAYS):
    """People in custody whose expected release falls today or within ``days`` days."""
    from .models import CustodyPeriod

    today = timezone.localdate()
    due = CustodyPeriod.objects.filter(
        profile_id=OuterRef("pk"), released_on__isnull=True,
        expected_release_on__gte=today, expected_release_on__lte=today + timedelta(days=days),
    )
    return profiles.filter(Exists(due))


def _membership_facet(field: str):
    def narrow(profiles, value):
        return profiles.filter(Exists(active_memberships().filter(profile_id=OuterRef("pk"), **{field: value})))

    return narrow


def _facets():
    from .models import CohortCategory, Tier

    return (
        GalleryFacet("category", "Category", tuple(Choice(v, label) for v, label in CohortCategory.choices),
                     _membership_facet("category")),
        GalleryFacet("tier", "Tier", tuple(Choice(str(v), label) for v, label in Tier.choices),
                     _membership_facet("tier")),
        GalleryFacet("risk", "Risk (cohort)", tuple(Choice(v, label) for v, label in RiskLevel.choices),
                     _membership_facet("risk_level")),
    )


def galleries() -> list[GallerySpec]:
    return [
        GallerySpec(
            slug="iom-cohort", name="IOM cohort", programme="iom", open_case_programme="iom",
            description="People on the IOM cohort now (adopted, not exited). Filter by category, tier and risk.",
            profile_filter=cohort_members, facets=_facets(),
        ),
        GallerySpec(
            slug="iom-due-for-release", name="Due for release in 28 days", programme="iom",
            description="People in custody whose expected release date is within the next 28 days.",
            profile_filter=due_for_release,
        ),
    ]
