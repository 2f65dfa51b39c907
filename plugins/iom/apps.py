"""Integrated Offender Management programme plugin for Wraparound."""
from django.apps import AppConfig


class IomConfig(AppConfig):
    name = "plugins.iom"
    label = "iom"
    verbose_name = "Integrated Offender Management"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # IOM's records follow the access of what they hang off, through core's access
        # engine: restrict() then narrows them like core's own records, and the subject
        # access export includes them.
        from core.access.engine import follow, register_protected
        from core.models import Case, Profile

        from .models import CohortMembership, CustodyPeriod, PathwayNeed, RiskScore

        for model, prefix, parent in (
            (CohortMembership, "case_id", Case),
            (PathwayNeed, "case_id", Case),
            (CustodyPeriod, "profile_id", Profile),
            (RiskScore, "profile_id", Profile),
        ):
            register_protected(model, follow(prefix, parent))
