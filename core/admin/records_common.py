"""What the profile and case screens share: fetching one record through the access
engine, the justification gate, the audited view, and the listing base.

Decisions written down here:

- Every screen gets its object from :func:`core.access.get_object_or_404`: a record the
  user may not see answers 404 (its existence must not leak); one they see at too low
  a level answers 403. Nothing is read before that check, and nothing is written.
- *Justification*: when the owner team's organisation is in a partnership with
  ``require_justification``, the first opening of that record in a session asks for a
  reason. The reason is kept in the session (per record) and stored in every VIEW
  audit event of that record for the rest of the session. The reason screen shows no
  personal data, only who owns the record and which agreement asks.
- Opening a detail screen or an edit form is a *consultation* (DPA 2018 s.62) and
  writes exactly one VIEW event (``services.record_view``); re-showing a form after
  a failed POST does not write another.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views import View
from wagtail.admin.views.generic.base import BaseListingView, WagtailAdminTemplateMixin

from .. import access, audit, services
from ..access import AccessLevel
from ..models import AuditAction, Partnership
from ..plugins.screens import forbidden_as_403

SESSION_KEY = "wraparound_justifications"


def record_key(obj) -> str:
    return f"{obj._meta.label_lower}:{obj.pk}"


def partnerships_requiring_justification(obj):
    """Partnerships of the owner team's organisation that ask for a reason to open it."""
    return Partnership.objects.filter(
        require_justification=True, memberships__organisation_id=obj.owner_team.organisation_id
    )


def session_justification(request, obj) -> str:
    return request.session.get(SESSION_KEY, {}).get(record_key(obj), "")


def remember_justification(request, obj, reason: str) -> None:
    store = dict(request.session.get(SESSION_KEY, {}))
    store[record_key(obj)] = reason
    request.session[SESSION_KEY] = store


#: Attribute under which :class:`RecordViewMixin` fetches, with the record itself, whether
#: a partnership asks for a reason to open it (one query fewer on every record screen).
REQUIRES_JUSTIFICATION = "wa_requires_justification"


def requires_justification_annotation() -> Exists:
    return Exists(Partnership.objects.filter(
        require_justification=True, memberships__organisation_id=OuterRef("owner_team__organisation_id")
    ))


def needs_justification(request, obj) -> bool:
    if session_justification(request, obj):
        return False
    known = getattr(obj, REQUIRES_JUSTIFICATION, None)
    if known is not None:
        return known
    return partnerships_requiring_justification(obj).exists()


def audit_view(request, obj, part: str = "") -> None:
    """One VIEW event for this opening (of ``part`` of the record, if given), with the
    session's reason if one was given."""
    services.record_view(obj, by=request.user, justification=session_justification(request, obj), part=part)


def safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


class RecordViewMixin(WagtailAdminTemplateMixin):
    """A screen about one profile or case. ``dispatch`` fetches it through the access
    engine at ``required_level`` (404/403) and, if the partnership asks for a reason
    that this session has not given yet, sends the user to the reason screen first."""

    model = None
    required_level = AccessLevel.VIEW
    #: URL namespace of the viewset (``wraparound_profiles`` / ``wraparound_cases``).
    url_namespace = ""
    #: False for the reason screen itself.
    justification_gate = True

    @forbidden_as_403
    def dispatch(self, request, *args, **kwargs):
        # The owner team and its organisation are shown (and checked) on every record screen.
        records = self.model._default_manager.select_related("owner_team__organisation").annotate(
            **{REQUIRES_JUSTIFICATION: requires_justification_annotation()}
        )
        self.object = access.get_object_or_404(records, request.user, self.required_level, pk=kwargs["pk"])
        if self.justification_gate and needs_justification(request, self.object):
            url = reverse(f"{self.url_namespace}:justify", args=[self.object.pk])
            # After the reason, come back here; a refused POST is not replayed.
            back = request.get_full_path() if request.method == "GET" else self.url("detail", self.object.pk)
            return HttpResponseRedirect(f"{url}?{urlencode({'next': back})}")
        return super().dispatch(request, *args, **kwargs)

    def url(self, name: str, *args) -> str:
        return reverse(f"{self.url_namespace}:{name}", args=args)

    @cached_property
    def level(self):
        return access.level_for(self.request.user, self.object)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["object"] = self.object
        context["level"] = self.level
        context["can_contribute"] = bool(self.level and self.level >= AccessLevel.CONTRIBUTE)
        context["can_manage"] = bool(self.level and self.level >= AccessLevel.MANAGE)
        return context


class JustifyView(RecordViewMixin, View):
    """Ask for the reason to open a record (see the module docstring)."""

    template_name = "wraparound/records/justify.html"
    justification_gate = False
    header_icon = "help"

    def get_page_title(self):
        return "Reason for opening this record"

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data())

    def post(self, request, *args, **kwargs):
        from ..forms.records import JustificationForm

        form = JustificationForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        remember_justification(request, self.object, form.cleaned_data["reason"])
        return HttpResponseRedirect(safe_next(request, self.url("detail", self.object.pk)))

    def get_context_data(self, form=None, **kwargs):
        from ..forms.records import JustificationForm

        context = super().get_context_data(**kwargs)
        # Only the owner and the agreement: nothing about the person or case itself.
        context.pop("object")
        context["owner_organisation"] = self.object.owner_team.organisation.name
        context["partnerships"] = list(partnerships_requiring_justification(self.object).values_list("name", flat=True))
        context["record_kind"] = self.model._meta.verbose_name
        context["form"] = form or JustificationForm()
        context["next"] = safe_next(self.request, self.url("detail", self.object.pk))
        return context


def _reverse(field):
    if isinstance(field, str):
        return field[1:] if field.startswith("-") else f"-{field}"
    return field.desc()  # an expression, e.g. a rank built with Case/When


class RestrictedListingView(BaseListingView):
    """A Wagtail listing whose rows come only from ``core.access.restrict``.

    Plain ``BaseListingView`` rather than ``IndexView``: IndexView also answers
    ``?export=csv`` (an unaudited export) and builds edit/delete/inspect links from
    model-level permissions."""

    model = None
    template_name = "wraparound/records/index.html"
    results_template_name = "wagtailadmin/generic/index_results.html"
    paginate_by = 50
    is_searchable = True
    url_namespace = ""
    #: ordering key -> order_by() fields or expressions (ascending, ending with a unique
    #: tie-breaker so that pages are stable)
    orderings: dict[str, tuple] = {}

    def get_base_queryset(self):
        return access.restrict(self.model._default_manager.all(), self.request.user, AccessLevel.VIEW)

    def fast_listing(self, queryset):
        """A cheaper object list for the paginator, or ``None`` to page ``queryset``."""
        return None

    def paginate_queryset(self, queryset, page_size):
        fast = self.fast_listing(queryset)
        return super().paginate_queryset(queryset if fast is None else fast, page_size)

    def get_valid_orderings(self):
        return [key for name in self.orderings for key in (name, f"-{name}")]

    def order_queryset(self, queryset):
        ordering = self.ordering or self.default_ordering
        descending = ordering.startswith("-")
        fields = self.orderings[ordering.lstrip("-")]
        if descending:
            fields = tuple(_reverse(f) for f in fields)
        return queryset.order_by(*fields)

    def search_terms(self) -> list[str]:
        return [t for t in self.search_query.split() if t][:6]

    def search_queryset(self, queryset):
        terms = self.search_terms()
        for term in terms:
            queryset = queryset.filter(self.term_filter(term))
        if terms:
            self.audit_search(" ".join(terms))
        return queryset

    def audit_search(self, query: str) -> None:
        """One SEARCH event per distinct query in a session: the listing refreshes its
        results as the user types and pages, which is one search, not many."""
        key = f"{SESSION_KEY}:last_search:{self.model._meta.label_lower}"
        if self.request.session.get(key) == query:
            return
        with transaction.atomic():
            audit.record(AuditAction.SEARCH, actor=self.request.user, object_type=self.model._meta.label_lower,
                         changes={"query": query})
        self.request.session[key] = query

    def term_filter(self, term: str) -> Q:
        raise NotImplementedError

    def get_index_url(self):
        return reverse(f"{self.url_namespace}:index")

    def get_index_results_url(self):
        return reverse(f"{self.url_namespace}:index_results")
