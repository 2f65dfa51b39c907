"""Admin: the audit log search — ``/admin/audit/`` (``wraparound_audit``) with its
listing refresh (``wraparound_audit_results``) and a streamed CSV export of the same
filters (``wraparound_audit_export``).

Who sees which events (:func:`audit_scope`):
- a system admin (or superuser): the events of their own organisations (and their
  records), as an organisation admin sees them — administering every organisation's
  structure is not access to its records;
- a partnership admin: events *by* anyone acting for an organisation in their
  partnerships, and events *on* profiles and cases owned by those organisations'
  teams (so a data controller sees who from another county opened their records);
- an organisation admin: the same for their own organisations;
- anyone else: 404, as for any record outside one's access.
Events without an organisation (failed logins, system jobs) are for system admins.

Filters (django-filter, shown in Wagtail's filter drawer): user (username), organisation
(among those in scope), object type, object (its id, or text of its description such
as a case reference), action, and period. The export is itself audited, as an EXPORT
with the filters it used, before the first row is sent. Cells that a spreadsheet would
run as a formula (starting with ``= + - @``) are prefixed with ``'``.
"""

from __future__ import annotations

import csv
import json
from datetime import UTC

import django_filters
from django.db import transaction
from django.db.models import CharField, Q
from django.db.models.functions import Cast
from django.http import Http404, StreamingHttpResponse
from django.urls import path, reverse
from django.utils import timezone
from wagtail import hooks
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.generic.base import BaseListingView
from wagtail.admin.widgets import HeaderButton

from .. import audit
from ..access import user_organisation_ids
from ..models import AuditAction, AuditEvent, Case, Organisation, Profile
from ..roles import ORGANISATION_ADMIN, PARTNERSHIP_ADMIN, has_role
from .structure_scope import is_system_admin, scope

OBJECT_TYPES = [
    ("core.profile", "Profile"),
    ("core.case", "Case"),
    ("core.activity", "Activity"),
    ("core.grant", "Grant"),
    ("core.accessrequest", "Access request"),
    ("core.relationship", "Relationship"),
    ("core.household", "Household"),
    ("core.team", "Team"),
    ("core.membership", "Membership"),
    ("core.organisation", "Organisation"),
    ("core.partnership", "Partnership"),
    ("auth.user", "User"),
]
CSV_COLUMNS = [
    ("occurred_at", "When (UTC)"), ("actor_username", "User"), ("organisation_name", "Organisation"),
    ("action", "Action"), ("category", "DPA s.62 category"), ("channel", "Channel"),
    ("object_type", "Object type"), ("object_id", "Object id"), ("object_repr", "Object"),
    ("justification", "Reason given"), ("changes", "Details"), ("source_address", "Address"),
]


def may_audit(user) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and (is_system_admin(user) or has_role(user, PARTNERSHIP_ADMIN) or has_role(user, ORGANISATION_ADMIN))
    )


def _owned_ids(model, orgs):
    return (
        model.objects.filter(owner_team__organisation_id__in=orgs)
        .annotate(text_id=Cast("pk", CharField()))
        .values("text_id")
    )


def audit_scope(user):
    """The audit events ``user`` may read (see the module docstring)."""
    if not may_audit(user):
        return AuditEvent.objects.none()
    if is_system_admin(user):
        # Administering every organisation's structure gives no access to their records
        # (roles never do), and the trail names the people in them: a system admin sees
        # the events of their own organisations and those with none (failed sign-ins,
        # system jobs), like an organisation admin of their own.
        orgs = user_organisation_ids(user)
        return AuditEvent.objects.filter(
            Q(organisation_id__isnull=True)
            | Q(organisation_id__in=orgs)
            | Q(object_type="core.profile", object_id__in=_owned_ids(Profile, orgs))
            | Q(object_type="core.case", object_id__in=_owned_ids(Case, orgs))
        )
    orgs = scope(Organisation.objects.all(), user).values("pk")
    return AuditEvent.objects.filter(
        Q(organisation_id__in=orgs)
        | Q(object_type="core.profile", object_id__in=_owned_ids(Profile, orgs))
        | Q(object_type="core.case", object_id__in=_owned_ids(Case, orgs))
    )


def _organisations(request):
    return scope(Organisation.objects.order_by("name"), request.user)


class AuditFilterSet(WagtailFilterSet):
    user = django_filters.CharFilter(field_name="actor_username", lookup_expr="iexact", label="User (username)")
    organisation = django_filters.ModelChoiceFilter(
        queryset=_organisations, method="filter_organisation", label="Organisation", empty_label="All"
    )
    object_type = django_filters.ChoiceFilter(choices=OBJECT_TYPES, label="Object type", empty_label="All")
    object = django_filters.CharFilter(method="filter_object", label="Object (id or reference)")
    action = django_filters.ChoiceFilter(choices=AuditAction.choices, label="Action", empty_label="All")
    period = django_filters.DateFromToRangeFilter(
        field_name="occurred_at", label="Period", widget=DateRangePickerWidget
    )

    class Meta:
        model = AuditEvent
        fields = []

    def filter_organisation(self, queryset, name, value):
        return queryset.filter(organisation_id=value.pk) if value else queryset

    def filter_object(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(object_id=value) | Q(object_repr__icontains=value))


def _details(event) -> str:
    if event.changes and isinstance(event.changes, dict) and "query" in event.changes:
        return f"Searched for “{event.changes['query']}”"
    if event.justification:
        return f"Reason: {event.justification}"
    if event.changes:
        keys = ", ".join(sorted(event.changes)) if isinstance(event.changes, dict) else ""
        return f"Changed: {keys}" if keys else ""
    return ""


class AuditIndexView(BaseListingView):
    model = AuditEvent
    template_name = "wraparound/audit/index.html"
    results_template_name = "wagtailadmin/generic/index_results.html"
    filterset_class = AuditFilterSet
    paginate_by = 50
    page_title = "Audit log"
    header_icon = "history"
    verbose_name = "audit event"
    verbose_name_plural = "audit events"
    index_url_name = "wraparound_audit"
    index_results_url_name = "wraparound_audit_results"
    columns = [
        DateColumn("occurred_at", label="When"),
        Column("actor_username", label="User"),
        Column("organisation_name", label="Organisation"),
        Column("action", label="Action", accessor="get_action_display"),
        Column("object_type", label="Object type"),
        Column("object", label="Object", accessor=lambda e: f"{e.object_repr} (#{e.object_id})" if e.object_id
               else e.object_repr),
        Column("channel", label="Channel", accessor="get_channel_display"),
        Column("details", label="Details", accessor=_details),
    ]

    def dispatch(self, request, *args, **kwargs):
        if not may_audit(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_base_queryset(self):
        return audit_scope(self.request.user)

    def order_queryset(self, queryset):
        return queryset.order_by("-occurred_at", "-id")

    @property
    def header_buttons(self):
        query = self.request.GET.urlencode()
        url = reverse("wraparound_audit_export") + (f"?{query}" if query else "")
        return [HeaderButton("Download CSV", url=url, icon_name="download")]


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


def _csv_value(event, name):
    value = getattr(event, name)
    if name == "occurred_at":
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    if name == "changes":
        return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""
    return value


class _Echo:
    def write(self, value):
        return value


def export_csv(request):
    """The filtered events as CSV, streamed; the export is audited first."""
    if not may_audit(request.user):
        raise Http404
    filters = AuditFilterSet(data=request.GET, request=request, queryset=audit_scope(request.user))
    events = filters.qs.order_by("-occurred_at", "-id") if filters.is_valid() else audit_scope(request.user).none()
    known = {*filters.filters, "period_from", "period_to"}
    used = {k: v for k, v in request.GET.items() if v and k in known}
    with transaction.atomic():
        audit.record(AuditAction.EXPORT, actor=request.user, object_type="core.auditevent",
                     object_repr="Audit log (CSV)", changes={"filters": used})
    writer = csv.writer(_Echo())

    def rows():
        yield writer.writerow([label for _, label in CSV_COLUMNS])
        for event in events.iterator(chunk_size=2000):
            yield writer.writerow([_cell(_csv_value(event, name)) for name, _ in CSV_COLUMNS])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response


class AuditMenuItem(MenuItem):
    def is_shown(self, request):
        return may_audit(request.user)


@hooks.register("register_admin_urls")
def register_audit_urls():
    index = AuditIndexView
    return [
        path("audit/", index.as_view(), name="wraparound_audit"),
        path("audit/results/", index.as_view(results_only=True), name="wraparound_audit_results"),
        path("audit/export/", export_csv, name="wraparound_audit_export"),
    ]


@hooks.register("register_settings_menu_item")
def register_audit_menu_item():
    return AuditMenuItem("Audit log", reverse("wraparound_audit"), name="wraparound-audit", icon_name="history",
                         order=900)
