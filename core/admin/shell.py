"""Admin: the shell around every screen — Wraparound's branding (templates in
``core/templates/wagtailadmin/``), the main menu, the dashboard, and the programmes.

- Wagtail's content-management features that Wraparound does not use (pages, images,
  documents, snippets, page reports, Wagtail's help links, sites, collections,
  workflows) are taken out of the menus; the page-centred dashboard panels go too.
- Each programme enabled for the user (``core.programmes.enabled_programmes_for``) gets
  a menu group: an overview, its cases, and the menu items its plugin declared. The
  groups are built per request in ``construct_main_menu``, so switching a programme
  off hides its menu on the next page load.
- Plugin admin URLs (hook ``wraparound_admin_urls``) are mounted under
  ``/admin/programmes/<slug>/``, each view wrapped so that it answers 404 to users whose
  organisations have not enabled the programme; ``/admin/programmes/<slug>/`` itself
  (``wraparound_programme``) describes the programme.
"""

from __future__ import annotations

from functools import wraps

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, include, path, reverse
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem, admin_menu, settings_menu
from wagtail.admin.search import admin_search_areas
from wagtail.admin.ui.components import Component
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.pages.ordering import SetPagePositionView
from wagtail.admin.viewsets.pages import base_page_viewset
from wagtail.models import Page
from wagtail.utils.urlpatterns import decorate_urlpatterns

from ..models import Organisation, Team
from ..plugins.manager import get_plugin_manager
from ..plugins.registry import call_for_plugin, registry
from ..programmes import enabled_programmes_for, programme_enabled_for_user

#: Wagtail's main-menu entries Wraparound does not use.
HIDDEN_MAIN_MENU_ITEMS = frozenset({"explorer", "images", "documents", "snippets", "reports", "help"})
#: Wagtail's settings-menu entries Wraparound does not use (users and groups stay).
HIDDEN_SETTINGS_MENU_ITEMS = frozenset(
    {"sites", "collections", "workflows", "workflow-tasks", "redirects", "locales", "promoted-search-results"}
)
#: Wagtail's dashboard panels about pages and their workflows.
HIDDEN_DASHBOARD_PANELS = frozenset(
    {"workflow_objects_to_moderate", "user_objects_in_workflow_moderation", "recent_edits", "locked_pages",
     "whats_new_in_wagtail_version"}
)
DEFAULT_PROGRAMME_ICON = "folder-open-inverse"
PROGRAMME_MENU_ORDER = 200


# Menus -----------------------------------------------------------------------------

def cases_url(slug: str) -> str:
    try:
        base = reverse("wraparound_cases:index")
    except NoReverseMatch:  # the records screens are not mounted (e.g. a trimmed test URLconf)
        base = "/admin/cases/"
    return f"{base}?programme={slug}"


def programme_menu_item(slug: str, order: int) -> SubmenuMenuItem:
    programme = registry.programmes[slug]
    items = [
        MenuItem("Overview", reverse("wraparound_programme", args=[slug]), name=f"{slug}-overview",
                 icon_name="info-circle", order=0),
        MenuItem("Cases", cases_url(slug), name=f"{slug}-cases", icon_name="folder-open-1", order=1),
    ]
    items += [
        MenuItem(item.label, item.url, name=item.name or None, icon_name=item.icon, order=10 + item.order)
        for item in registry.menu_items.get(slug, [])
    ]
    return SubmenuMenuItem(
        programme.name, Menu(items=items), name=f"programme-{slug}",
        icon_name=programme.icon or DEFAULT_PROGRAMME_ICON, order=order,
    )


#: Wagtail's own search areas, over the pages, images and documents Wraparound hides.
HIDDEN_SEARCH_AREAS = frozenset({"pages", "images", "documents", "snippets"})


def forget_hidden_admin_items() -> None:
    """Drop the menu items and search areas Wraparound hides from Wagtail's registries,
    so that no request runs their ``is_shown`` (the explorer's, images' and documents'
    check page and collection permissions: queries on every admin page, for nothing).
    Idempotent; called once per process by :class:`HiddenAdminItemsMiddleware`."""
    for menu, hidden in ((admin_menu, HIDDEN_MAIN_MENU_ITEMS), (settings_menu, HIDDEN_SETTINGS_MENU_ITEMS)):
        menu.__dict__["registered_menu_items"] = [
            item for item in menu.registered_menu_items if item.name not in hidden
        ]
    admin_search_areas.__dict__["registered_search_areas"] = [
        area for area in admin_search_areas.registered_search_areas if area.name not in HIDDEN_SEARCH_AREAS
    ]


class HiddenAdminItemsMiddleware:
    """Prunes Wagtail's menus once, before the first view runs: the registries can only
    be built once every app's hooks and the URLconf are loaded, which they are by then."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.pruned = False

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not self.pruned:
            forget_hidden_admin_items()
            self.pruned = True


@hooks.register("construct_main_menu")
def shape_main_menu(request, menu_items):
    menu_items[:] = [item for item in menu_items if item.name not in HIDDEN_MAIN_MENU_ITEMS]
    enabled = enabled_programmes_for(request.user)
    ordered = sorted((p for p in registry.programmes.values() if p.slug in enabled), key=lambda p: p.name)
    for position, programme in enumerate(ordered):
        menu_items.append(programme_menu_item(programme.slug, PROGRAMME_MENU_ORDER + position))


@hooks.register("construct_settings_menu")
def shape_settings_menu(request, menu_items):
    menu_items[:] = [item for item in menu_items if item.name not in HIDDEN_SETTINGS_MENU_ITEMS]


# Dashboard -------------------------------------------------------------------------

class WelcomePanel(Component):
    """Who you are here: your teams, organisations and the programmes you can use."""

    name = "wraparound_welcome"
    order = 10
    template_name = "wraparound/shell/welcome_panel.html"

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context=None):
        teams = (
            Team.objects.filter(memberships__user=self.user)
            .select_related("organisation")
            .order_by("organisation__name", "name")
        )
        roles = {m.team_id: m.get_role_display() for m in self.user.memberships.all()}
        enabled = enabled_programmes_for(self.user)
        return {
            "heading": f"Welcome, {self.user.get_full_name() or self.user.get_username()}",
            "teams": [(team, roles.get(team.pk, "")) for team in teams],
            "organisations": Organisation.objects.filter(teams__memberships__user=self.user).distinct(),
            "programmes": sorted((p for p in registry.programmes.values() if p.slug in enabled),
                                 key=lambda p: p.name),
        }


@hooks.register("construct_homepage_panels")
def shape_dashboard(request, panels):
    panels[:] = [panel for panel in panels if getattr(panel, "name", "") not in HIDDEN_DASHBOARD_PANELS]
    panels.append(WelcomePanel(request.user))


@hooks.register("construct_homepage_summary_items")
def drop_site_summary(request, summary_items):
    # The summary counts pages, images and documents — none of which Wraparound uses.
    summary_items.clear()


# Programme screens -----------------------------------------------------------------

def programme_required(slug: str):
    """Decorate a view so that it answers 404 unless ``slug`` is enabled for the user."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not programme_enabled_for_user(request.user, slug):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class ProgrammeIndexView(WagtailAdminTemplateMixin, TemplateView):
    """What a programme is: its description, case types and their stages."""

    template_name = "wraparound/shell/programme_index.html"

    def dispatch(self, request, slug):
        self.programme = registry.programme(slug)
        if self.programme is None or not programme_enabled_for_user(request.user, slug):
            raise Http404
        return super().dispatch(request, slug)

    @property
    def page_title(self):
        return self.programme.name

    @property
    def header_icon(self):
        return self.programme.icon or DEFAULT_PROGRAMME_ICON

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.programme.name}]

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "programme": self.programme,
            "cases_url": cases_url(self.programme.slug),
            "menu_items": registry.menu_items.get(self.programme.slug, []),
        }


def plugin_admin_urlpatterns() -> list:
    """The programmes' own admin URLs, each guarded by its programme's enablement."""
    pm = get_plugin_manager()
    patterns = []
    for slug, plugin in registry.plugin_objects.items():
        urls = [p for batch in call_for_plugin(pm, plugin, "wraparound_admin_urls") if batch for p in batch]
        if urls:
            patterns.append(path(f"programmes/{slug}/", include(decorate_urlpatterns(urls, programme_required(slug)))))
    return patterns


@hooks.register("register_admin_urls")
def register_programme_urls():
    return [
        path("programmes/<slug:slug>/", ProgrammeIndexView.as_view(), name="wraparound_programme"),
        *plugin_admin_urlpatterns(),
    ]


# Wagtail's page reordering ----------------------------------------------------------

class _SetPagePositionView(SetPagePositionView):
    """Wagtail's view fails with a server error for the root page, which has no parent
    to reorder within (found by the permission matrix); the root cannot be moved, so
    there is nothing there: 404."""

    def post(self, request, page_to_move_id, *args, **kwargs):
        page = get_object_or_404(Page, id=page_to_move_id)
        if page.is_root():
            raise Http404
        return super().post(request, page_to_move_id, *args, **kwargs)


# Every page type without a viewset of its own uses this one (Wraparound has none).
base_page_viewset.set_page_position_view_class = _SetPagePositionView
