"""Admin: the profile and case screens, registered as two plain Wagtail ``ViewSet``s.

Why not ``ModelViewSet``: its history, usage, copy, inspect, edit and delete views check
model-level permission only (see DESIGN.md, Pitfalls). These viewsets expose exactly
the URLs listed in ``get_urlpatterns``; each view reads through ``core.access`` and
writes through ``core.services``. ``tests/core/test_admin_records.py`` walks every URL
in the two namespaces, so a URL added here is checked for 404 on records the user may
not see without further work.

- ``/admin/profiles/`` (namespace ``wraparound_profiles``): ``index``,
  ``index_results`` (the listing's AJAX refresh), ``add``, ``request-access/``
  ``request_access`` (from a duplicate warning; a signed token, no pk), ``<pk>/`` ``detail``,
  ``<pk>/edit/`` ``edit``, ``<pk>/reason/`` ``justify``;
- ``/admin/cases/`` (namespace ``wraparound_cases``): ``index`` (filters ``programme``,
  ``status``, ``stage``, ``owner_team``, ``lead``, ``opened_on_from/_to``; ``?q=``),
  ``index_results``, ``add`` (``?profile=``), ``<pk>/`` ``detail``, and the case page's
  POSTs ``add_activity``, ``change_stage``, ``close``, ``reopen``, ``add_participant``,
  ``remove_participant``, ``link``, ``unlink``; ``<pk>/chronology/`` (print) and
  ``<pk>/chronology.pdf``; ``<pk>/reason/`` ``justify``.
"""

from __future__ import annotations

from django.urls import path
from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSet

from ..models import Case, Profile
from . import records_cases, records_profiles
from .records_common import JustifyView


class ProfileViewSet(ViewSet):
    name = "profiles"
    url_prefix = "profiles"
    url_namespace = records_profiles.NAMESPACE
    icon = "user"
    menu_label = "Profiles"
    menu_name = "profiles"
    menu_order = 200
    add_to_admin_menu = True

    def get_urlpatterns(self):
        index = records_profiles.ProfileIndexView
        return [
            path("", index.as_view(), name="index"),
            path("results/", index.as_view(results_only=True), name="index_results"),
            path("add/", records_profiles.ProfileCreateView.as_view(), name="add"),
            path("request-access/", records_profiles.ProfileRequestAccessView.as_view(), name="request_access"),
            path("<int:pk>/", records_profiles.ProfileDetailView.as_view(), name="detail"),
            path("<int:pk>/tab/<slug:tab>/", records_profiles.ProfileTabView.as_view(), name="tab"),
            path("<int:pk>/edit/", records_profiles.ProfileEditView.as_view(), name="edit"),
            path(
                "<int:pk>/reason/",
                JustifyView.as_view(model=Profile, url_namespace=records_profiles.NAMESPACE),
                name="justify",
            ),
        ]


class CaseViewSet(ViewSet):
    name = "cases"
    url_prefix = "cases"
    url_namespace = records_cases.NAMESPACE
    icon = "folder-open-inverse"
    menu_label = "Cases"
    menu_name = "cases"
    menu_order = 210
    add_to_admin_menu = True

    def get_urlpatterns(self):
        index = records_cases.CaseIndexView
        return [
            path("", index.as_view(), name="index"),
            path("results/", index.as_view(results_only=True), name="index_results"),
            path("add/", records_cases.CaseCreateView.as_view(), name="add"),
            path("<int:pk>/", records_cases.CaseDetailView.as_view(), name="detail"),
            path("<int:pk>/activities/add/", records_cases.CaseAddActivityView.as_view(), name="add_activity"),
            path("<int:pk>/stage/", records_cases.CaseStageView.as_view(), name="change_stage"),
            path("<int:pk>/close/", records_cases.CaseCloseView.as_view(), name="close"),
            path("<int:pk>/reopen/", records_cases.CaseReopenView.as_view(), name="reopen"),
            path("<int:pk>/participants/add/", records_cases.CaseAddParticipantView.as_view(), name="add_participant"),
            path("<int:pk>/participants/remove/", records_cases.CaseRemoveParticipantView.as_view(),
                 name="remove_participant"),
            path("<int:pk>/links/add/", records_cases.CaseLinkView.as_view(), name="link"),
            path("<int:pk>/links/remove/", records_cases.CaseUnlinkView.as_view(), name="unlink"),
            path("<int:pk>/chronology/", records_cases.CaseChronologyView.as_view(), name="chronology"),
            path("<int:pk>/chronology.pdf", records_cases.CaseChronologyPdfView.as_view(), name="chronology_pdf"),
            path(
                "<int:pk>/reason/",
                JustifyView.as_view(model=Case, url_namespace=records_cases.NAMESPACE),
                name="justify",
            ),
        ]


@hooks.register("register_admin_viewset")
def register_record_viewsets():
    return [ProfileViewSet(), CaseViewSet()]
