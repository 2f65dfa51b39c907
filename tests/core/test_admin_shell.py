"""The admin shell: branding, menus per enabled programme, dashboard, programme screens."""

from __future__ import annotations

import sys
import types

import pytest
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.urls import clear_url_caches, include, path
from wagtail.admin.menu import admin_menu, settings_menu

from core import services
from core.admin import shell
from core.plugins.manager import hookimpl
from core.plugins.types import MenuItem
from core.programmes import enabled_programmes_for

pytestmark = pytest.mark.django_db


def menu_names(user, menu=admin_menu):
    request = RequestFactory().get("/admin/")
    request.user = user
    return {item.name: item for item in menu.menu_items_for_request(request)}


def fresh(user):
    """The same user without the per-request caches (roles, enabled programmes)."""
    return type(user).objects.get(pk=user.pk)


def iom_with(**hooks):
    """A plugin object declaring IOM's programme plus the given hook implementations (the
    registry files menu items and URLs under the plugin that declares the programme)."""
    iom = shell.registry.plugin_objects["iom"]
    attrs = {"wraparound_programme": staticmethod(iom.wraparound_programme)}
    attrs.update({name: staticmethod(impl) for name, impl in hooks.items()})
    return type("IomWithExtras", (), attrs)()


# Branding -----------------------------------------------------------------------------

def test_login_page_is_branded_wraparound(client):
    response = client.get("/admin/login/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Sign in to Wraparound" in html
    assert "<title>Sign in - Wraparound</title>" in html
    assert "wraparound/logo.svg" in html
    assert "Sign in to Wagtail" not in html


def test_dashboard_is_branded_and_has_no_page_features(client, world):
    client.force_login(world.norfolk_officer)
    response = client.get("/admin/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Dashboard - Wraparound</title>" in html
    assert "wraparound/logo.svg" in html  # sidebar logo
    assert "wraparound/favicon.svg" in html
    assert "Search all pages" not in html


def test_dashboard_welcome_panel_lists_teams_organisations_and_programmes(client, world):
    services.set_programme_enabled(world.norfolk_police, "rj", False, by=world.partnership_admin)
    client.force_login(world.norfolk_spoc)
    html = client.get("/admin/").content.decode()
    assert 'id="wraparound-welcome' in html
    assert "PPO Team" in html and "Manager" in html
    assert "Norfolk Constabulary" in html
    assert "/admin/programmes/iom/" in html
    assert "/admin/programmes/rj/" not in html
    assert "Staffordshire Police" not in html


def test_unused_wagtail_menu_items_are_hidden(world):
    names = set(menu_names(world.norfolk_officer))
    assert not names & {"explorer", "images", "documents", "snippets", "reports", "help"}
    superuser = type(world.norfolk_officer).objects.create_superuser("root", "root@example.org", "x" * 16)
    names = set(menu_names(superuser))
    assert not names & {"explorer", "images", "documents", "snippets", "reports", "help"}
    assert {"settings", "partnership"} <= names
    settings_names = set(menu_names(superuser, settings_menu))
    assert "users" in settings_names and not settings_names & {"sites", "collections", "workflows"}


def test_wagtail_page_panels_are_removed_from_the_dashboard(world):
    request = RequestFactory().get("/admin/")
    request.user = world.norfolk_officer
    panels = [types.SimpleNamespace(name="recent_edits"), types.SimpleNamespace(name="locked_pages"),
              types.SimpleNamespace(name="someone_elses_panel")]
    shell.shape_dashboard(request, panels)
    assert [p.name for p in panels] == ["someone_elses_panel", "wraparound_welcome"]


# Menus per programme ---------------------------------------------------------------------

def test_programme_menus_follow_enablement(world):
    names = menu_names(world.norfolk_officer)
    assert {f"programme-{slug}" for slug in ("iom", "rj", "asb", "missing_persons", "troubled_families")} <= set(names)
    iom = names["programme-iom"]
    assert iom.label == "Integrated Offender Management"
    assert iom.icon_name == "user"
    request = RequestFactory().get("/admin/")
    request.user = world.norfolk_officer
    urls = [item.url for item in iom.menu.menu_items_for_request(request)]
    assert "/admin/cases/?programme=iom" in urls
    assert "/admin/programmes/iom/" in urls

    services.set_programme_enabled(world.norfolk_police, "iom", False, by=world.partnership_admin)
    names = menu_names(fresh(world.norfolk_officer))
    assert "programme-iom" not in names
    assert "programme-rj" in names
    # Another organisation's users keep it.
    assert "programme-iom" in menu_names(world.staffs_officer)


def test_programme_menu_shown_in_sidebar_then_hidden_after_switching_off(client, world):
    client.force_login(world.norfolk_officer)
    assert '"programme-iom"' in client.get("/admin/").content.decode()
    services.set_programme_enabled(world.norfolk_police, "iom", False, by=world.partnership_admin)
    assert '"programme-iom"' not in client.get("/admin/").content.decode()


def test_plugin_menu_items_appear_in_the_programme_group(world, register_plugin):
    class Plugin:
        @hookimpl
        def wraparound_admin_menu_items(self):
            return [MenuItem("Cohort board", "/admin/programmes/iom/board/", icon="table", order=5)]

    # The registry attaches menu items to the plugin that declares the programme: add the
    # hookimpl to IOM's plugin object for this test.
    iom_plugin = shell.registry.plugin_objects["iom"]
    pm = shell.get_plugin_manager()
    name = pm.get_name(iom_plugin)
    pm.unregister(iom_plugin)
    combined = iom_with(wraparound_admin_menu_items=Plugin().wraparound_admin_menu_items)
    try:
        register_plugin(combined, name="iom_with_menu")
        item = menu_names(world.norfolk_officer)["programme-iom"]
        request = RequestFactory().get("/admin/")
        request.user = world.norfolk_officer
        labels = [i.label for i in sorted(item.menu.menu_items_for_request(request), key=lambda i: i.order)]
        assert labels == ["Overview", "Cases", "Cohort board"]
    finally:
        pm.register(iom_plugin, name=name)  # the fixture unregisters ours and rebuilds the registry


def test_user_without_teams_sees_no_programme_menu(world):
    assert not any(name.startswith("programme-") for name in menu_names(world.partnership_admin))


# Programme index and plugin URLs ----------------------------------------------------------

def test_programme_index_describes_the_programme(client, world):
    client.force_login(world.norfolk_officer)
    response = client.get("/admin/programmes/rj/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Restorative Justice" in html
    programme = shell.registry.programmes["rj"]
    assert programme.case_types[0].name in html
    assert programme.case_types[0].stages[0].name in html


def test_programme_index_is_404_when_not_enabled_or_unknown(client, world):
    client.force_login(world.norfolk_officer)
    services.set_programme_enabled(world.norfolk_police, "rj", False, by=world.partnership_admin)
    assert client.get("/admin/programmes/rj/").status_code == 404
    assert client.get("/admin/programmes/no-such-thing/").status_code == 404
    client.force_login(world.staffs_officer)
    assert client.get("/admin/programmes/rj/").status_code == 200


def test_programme_index_needs_login(client, world):
    response = client.get("/admin/programmes/rj/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_plugin_admin_urls_are_mounted_and_guarded(client, world, register_plugin):
    def board(request):
        return HttpResponse("the board")

    iom_plugin = shell.registry.plugin_objects["iom"]
    pm = shell.get_plugin_manager()
    name = pm.get_name(iom_plugin)
    pm.unregister(iom_plugin)
    combined = iom_with(wraparound_admin_urls=hookimpl(lambda: [path("board/", board, name="iom_test_board")]))
    urlconf = types.ModuleType("wraparound_test_programme_urls")
    try:
        register_plugin(combined, name="iom_with_urls")
        urlconf.urlpatterns = [path("admin/", include(shell.plugin_admin_urlpatterns()))]
        sys.modules[urlconf.__name__] = urlconf
        with override_settings(ROOT_URLCONF=urlconf.__name__):
            clear_url_caches()
            client.force_login(world.norfolk_officer)
            assert client.get("/admin/programmes/iom/board/").content == b"the board"
            services.set_programme_enabled(world.norfolk_police, "iom", False, by=world.partnership_admin)
            assert client.get("/admin/programmes/iom/board/").status_code == 404
            client.force_login(world.staffs_officer)
            assert client.get("/admin/programmes/iom/board/").status_code == 200
    finally:
        clear_url_caches()
        sys.modules.pop(urlconf.__name__, None)
        pm.register(iom_plugin, name=name)  # the fixture unregisters ours and rebuilds the registry


def test_programme_required_decorator_answers_404_for_anonymous_and_disabled(world):
    from django.contrib.auth.models import AnonymousUser
    from django.http import Http404

    view = shell.programme_required("asb")(lambda request: HttpResponse("ok"))
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with pytest.raises(Http404):
        view(request)
    request.user = world.waveney_officer
    assert view(request).content == b"ok"
    assert "asb" in enabled_programmes_for(world.waveney_officer)
