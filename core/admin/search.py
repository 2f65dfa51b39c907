"""Admin: the one search box — ``/admin/search/`` (``wraparound_search``), registered as
Wagtail's first admin search area so that the sidebar's search field sends its query
here, and with the same field in the page's header (results refresh as you type,
through ``/admin/search/results/``).

The matching, ranking, access and audit are ``core.search.search``; this module only
shows the results in two Wagtail tables. Repeating the same query in a session (the
header refreshing, a reload) is one search and writes one SEARCH event, as the record
listings do; a new query writes another.
"""

from __future__ import annotations

from django.db.models import prefetch_related_objects
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.forms.search import SearchForm
from wagtail.admin.search import SearchArea
from wagtail.admin.ui.tables import Column, StatusTagColumn, Table, TitleColumn
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .. import search as core_search
from ..models import Case
from ..plugins.registry import registry
from . import records_cases, records_profiles

#: How many of each kind are shown; more means "narrow your search".
LIMIT = 25
SESSION_KEY = "wraparound_search_last"
PLACEHOLDER = "Name, date of birth, identifier or case reference"


def profile_table(profiles, parsed) -> Table:
    columns = records_profiles.profile_columns()
    # The listing's name column sorts; here the order is the ranking.
    columns = [c for c in columns if c.name != "name"]
    name = TitleColumn(
        "name",
        label="Name",
        accessor=lambda p: _name_with_markers(p),
        get_url=lambda p: reverse(f"{records_profiles.NAMESPACE}:detail", args=[p.pk]),
    )
    matched = Column("matched", label="Matched on", accessor=lambda p: core_search.match_label(parsed, p.search_rank))
    for column in columns:
        column.sort_key = None
    return Table([name, matched, *columns], profiles, classname="listing wa-search-profiles")


def _name_with_markers(profile):
    markers = list(profile.warning_markers.all())
    aliases = ", ".join(a.name for a in profile.aliases.all())
    text = profile.full_name
    if aliases:
        text = format_html('{} <span class="wa-muted">(alias: {})</span>', text, aliases)
    if markers:
        return format_html(
            '{} <span class="w-status wa-risk wa-risk--critical" title="Warning markers: {}">⚠ {}</span>',
            text,
            ", ".join(registry.label("warning_markers", m.marker) for m in markers),
            len(markers),
        )
    return text


def case_table(cases) -> Table:
    columns = [
        TitleColumn(
            "reference",
            label="Reference",
            get_url=lambda c: reverse(f"{records_cases.NAMESPACE}:detail", args=[c.pk]),
        ),
        Column("title", label="Title"),
        Column("programme", label="Programme", accessor=lambda c: registry.programme_name(c.programme)),
        StatusTagColumn("status", label="Status", accessor="get_status_display",
                        primary=lambda c: c.status == Case.Status.OPEN),
        Column("owner_team", label="Owner team", accessor=lambda c: str(c.owner_team)),
        Column("opened_on", label="Opened", accessor=lambda c: c.opened_on.strftime("%d %b %Y")),
    ]
    return Table(columns, cases, classname="listing wa-search-cases")


class SearchView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "wraparound/search/search.html"
    results_template_name = "wraparound/search/results.html"
    results_only = False
    page_title = "Search"
    header_icon = "search"
    _show_breadcrumbs = True

    def get_template_names(self):
        return [self.results_template_name if self.results_only else self.template_name]

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": "Search"}]

    def run_search(self, query: str):
        """Search, auditing a query the first time this session asks it in a row."""
        session = self.request.session
        repeat = session.get(SESSION_KEY) == query
        results = core_search.search(self.request.user, query, LIMIT, audit=not repeat)
        session[SESSION_KEY] = query
        prefetch_related_objects(results.profiles, "warning_markers", "person_roles", "aliases")
        return results

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = SearchForm(self.request.GET, placeholder=PLACEHOLDER)
        query = form.cleaned_data["q"].strip() if form.is_valid() else ""
        results = self.run_search(query) if query else None
        context.update(
            search_form=form,
            index_results_url=reverse("wraparound_search_results"),
            query=query,
            results=results,
            profile_table=profile_table(results.profiles, results.query) if results and results.profiles else None,
            case_table=case_table(results.cases) if results and results.cases else None,
            limit=LIMIT,
        )
        return context


class WraparoundSearchArea(SearchArea):
    """First of the admin's search areas, so the sidebar's search field uses it."""

    def is_shown(self, request):
        return request.user.has_perm("wagtailadmin.access_admin")


@hooks.register("register_admin_urls")
def register_search_urls():
    return [
        path("search/", SearchView.as_view(), name="wraparound_search"),
        path("search/results/", SearchView.as_view(results_only=True), name="wraparound_search_results"),
    ]


@hooks.register("register_admin_search_area")
def register_search_area():
    return WraparoundSearchArea(
        "Profiles and cases", reverse("wraparound_search"), name="wraparound", icon_name="search", order=0
    )
