"""One test per hook in ``core.plugins.hookspecs``: a tiny plugin written in the test is
registered (``register_plugin`` fixture, unregistered in ``finally``) and the test
asserts what Wraparound does with what it declared. ``test_meta.py`` fails if a hook
has no ``test_hook_<hook name>`` here."""

from __future__ import annotations

import random
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import path

from core import services
from core.models import Identifier, PersonRole, WarningMarker
from core.plugins import get_plugin_manager, hookimpl, registry
from core.plugins.discovery import BUILTIN_PLUGINS
from core.plugins.registry import call_for_plugin
from core.plugins.types import (
    CaseType,
    Choice,
    DemoContext,
    IdentifierType,
    MenuItem,
    Programme,
    Stage,
)
from core.services.people import validate_identifier

GANGS = Programme(
    slug="gangs",
    name="Gangs and county lines",
    description="Young people drawn into gangs and drug lines.",
    reference_prefix="GNG",
    icon="group",
    case_types=(
        CaseType(
            slug="gang_case",
            name="Gang exit case",
            stages=(
                Stage("identified", "Identified"),
                Stage("engaged", "Engaged"),
                Stage("exited", "Exited"),
            ),
            outcomes=(Choice("exited", "Left the gang"),),
        ),
    ),
)


class GangsProgramme:
    @hookimpl
    def wraparound_programme(self):
        return GANGS


def test_hook_wraparound_programme(world, register_plugin):
    register_plugin(GangsProgramme(), name="gangs_plugin")

    assert registry.programme("gangs") is GANGS
    assert registry.programme_plugins["gangs"] == "gangs_plugin"
    assert ("gangs", "Gangs and county lines") in registry.programme_choices()
    # Until an organisation enables it, its case types cannot be used...
    with pytest.raises(ValidationError, match="not enabled"):
        services.open_case(
            by=world.staffs_officer,
            owner_team=world.staffs_iom,
            programme="gangs",
            case_type="gang_case",
            title="J. Doe",
        )
    services.set_programme_enabled(world.staffs_police, "gangs", True, by=world.partnership_admin)

    case = services.open_case(
        by=world.staffs_officer,
        owner_team=world.staffs_iom,
        programme="gangs",
        case_type="gang_case",
        title="J. Doe",
        opened_on=date(2026, 3, 1),
    )

    assert case.reference == "GNG-2026-000001"
    assert case.stage == "identified"  # the first stage of the case type
    with pytest.raises(ValidationError, match="no stage"):
        services.change_stage(case, "nonexistent", by=world.staffs_officer)
    services.change_stage(case, "engaged", by=world.staffs_officer)


def test_hook_wraparound_identifier_types(world, register_plugin):
    class Plugin:
        @hookimpl
        def wraparound_identifier_types(self):
            return [
                IdentifierType("gang_ref", "Gang matrix reference", r"G\d{5}", "G and five digits")
            ]

    register_plugin(Plugin())

    assert registry.identifier_types["gang_ref"].label == "Gang matrix reference"
    assert validate_identifier("gang_ref", " G12345 ") == "G12345"
    with pytest.raises(ValidationError, match="not a valid Gang matrix reference"):
        validate_identifier("gang_ref", "X99")
    profile = services.create_profile(
        by=world.staffs_officer,
        owner_team=world.staffs_iom,
        first_name="Sam",
        last_name="Cole",
        identifiers=[("gang_ref", "G00042")],
    )
    assert Identifier.objects.get(profile=profile).kind == "gang_ref"
    with pytest.raises(ValidationError):
        services.add_identifier(profile, "gang_ref", "42", by=world.staffs_officer)


def test_hook_wraparound_person_roles(world, register_plugin):
    class Plugin:
        @hookimpl
        def wraparound_person_roles(self):
            return [Choice("gang_member", "Gang member")]

    with pytest.raises(ValidationError, match="gang_member"):
        services.create_profile(
            by=world.staffs_officer,
            owner_team=world.staffs_iom,
            first_name="Ali",
            last_name="Khan",
            person_roles=["gang_member"],
        )

    register_plugin(Plugin())

    assert registry.label("person_roles", "gang_member") == "Gang member"
    profile = services.create_profile(
        by=world.staffs_officer,
        owner_team=world.staffs_iom,
        first_name="Ali",
        last_name="Khan",
        person_roles=["gang_member", "victim"],
    )
    assert set(PersonRole.objects.filter(profile=profile).values_list("role", flat=True)) == {
        "gang_member",
        "victim",
    }


def test_hook_wraparound_warning_markers(world, register_plugin):
    class Plugin:
        @hookimpl
        def wraparound_warning_markers(self):
            return [Choice("county_lines", "County lines involvement")]

    register_plugin(Plugin())

    assert registry.label("warning_markers", "county_lines") == "County lines involvement"
    profile = services.create_profile(
        by=world.staffs_officer,
        owner_team=world.staffs_iom,
        first_name="Lee",
        last_name="Ward",
        warning_markers=["county_lines"],
    )
    assert WarningMarker.objects.filter(profile=profile, marker="county_lines").exists()


def test_hook_wraparound_admin_menu_items(register_plugin):
    class Plugin(GangsProgramme):
        @hookimpl
        def wraparound_admin_menu_items(self):
            return [
                MenuItem("Gang matrix", "/admin/programmes/gangs/matrix/", order=20),
                MenuItem("Exits", "/admin/programmes/gangs/exits/", order=10),
            ]

    class MenusWithoutProgramme:
        @hookimpl
        def wraparound_admin_menu_items(self):
            return [MenuItem("Orphan", "/admin/orphan/")]

    register_plugin(Plugin(), name="gangs_plugin")
    register_plugin(MenusWithoutProgramme())

    # Grouped under the programme of the plugin that declared them, in menu order.
    assert [i.label for i in registry.menu_items["gangs"]] == ["Exits", "Gang matrix"]
    # Items of a plugin without a programme belong to no menu group.
    assert all("Orphan" not in [i.label for i in items] for items in registry.menu_items.values())
    assert registry.menu_items["rj"] == []


def _gang_matrix(request):  # pragma: no cover - only its URL pattern is inspected
    raise NotImplementedError


def test_hook_wraparound_admin_urls(register_plugin):
    class Plugin(GangsProgramme):
        @hookimpl
        def wraparound_admin_urls(self):
            return [path("matrix/", _gang_matrix, name="gangs_matrix")]

    register_plugin(Plugin(), name="gangs_plugin")

    # The admin shell asks the programme's own plugin for its URLs (and mounts them under
    # /admin/programmes/<slug>/); other plugins' patterns are not mixed in.
    patterns = [
        p
        for batch in call_for_plugin(
            get_plugin_manager(), registry.plugin_objects["gangs"], "wraparound_admin_urls"
        )
        for p in batch
    ]
    assert [p.name for p in patterns] == ["gangs_matrix"]
    assert patterns[0].callback is _gang_matrix


def test_hook_wraparound_api_router(world, register_plugin):
    from ninja import Router
    from ninja.testing import TestClient

    from core.api.app import build_api
    from core.models import ProgrammeModule

    router = Router()

    @router.get("/whoami")
    def whoami(request):
        return {"username": request.user.get_username()}

    class Plugin(GangsProgramme):
        @hookimpl
        def wraparound_api_router(self):
            return router

    register_plugin(Plugin(), name="gangs_plugin")
    account = services.create_service_account(by=None, team=world.staffs_iom, username="svc-gangs")
    _token, secret = services.issue_token(account, by=None, name="hook test")
    client = TestClient(build_api(urls_namespace="api-hook-test"))
    auth = {"Authorization": f"Bearer {secret}"}

    # Mounted under the programme, behind the API's authentication…
    assert client.get("/programmes/gangs/whoami").status_code == 401
    # …and hidden (404) while the caller's organisation has not switched the programme on.
    assert client.get("/programmes/gangs/whoami", headers=auth).status_code == 404
    ProgrammeModule.objects.create(organisation=world.staffs_police, programme="gangs", enabled=True)
    response = client.get("/programmes/gangs/whoami", headers=auth)
    assert response.status_code == 200
    assert response.json() == {"username": "svc-gangs"}


def test_hook_wraparound_demo_data(register_plugin):
    seen = []

    class Plugin(GangsProgramme):
        @hookimpl
        def wraparound_demo_data(self, context):
            seen.append(context)

    class OldPlugin:
        # A hookimpl may ask for fewer arguments than the spec offers.
        @hookimpl
        def wraparound_demo_data(self):
            seen.append("old")

    register_plugin(Plugin(), name="gangs_plugin")
    register_plugin(OldPlugin(), name="old_plugin")
    pm = get_plugin_manager()
    context = DemoContext(random=random.Random(7))

    # As core.demo.load calls it (pm.hook.wraparound_demo_data(context=...)), leaving out
    # the built-ins, whose demo needs the whole demo partnership.
    builtins = [pm.get_plugin(name) for name in BUILTIN_PLUGINS]
    pm.subset_hook_caller("wraparound_demo_data", remove_plugins=builtins)(context=context)
    assert len(seen) == 2 and context in seen and "old" in seen
    # One programme's demo alone, through the registry's plugin object.
    seen.clear()
    call_for_plugin(pm, registry.plugin_objects["gangs"], "wraparound_demo_data", context=context)
    assert seen == [context]


def test_hook_wraparound_import_resources(register_plugin):
    from core.imports.registry import get_resource, resource_choices
    from core.imports.resources import ImportField, ImportResource
    from core.imports.widgets import UKDateWidget

    class EpisodeResource(ImportResource):
        code = "missing_episodes"
        label = "Missing episodes"

        def get_fields(self):
            return [ImportField("went_missing", "Went missing", UKDateWidget(past=True), ("date missing",))]

    class Plugin:
        @hookimpl
        def wraparound_import_resources(self):
            return [EpisodeResource]

    register_plugin(Plugin())

    resource = get_resource("missing_episodes")
    assert ("missing_episodes", "Missing episodes") in resource_choices()
    assert resource.suggest("Date Missing") == "went_missing"
    assert resource.clean({"went_missing": "12-Mar-90"}) == ({"went_missing": date(1990, 3, 12)}, [])


def test_hook_wraparound_report_types(world, register_plugin):
    from core.models import ReportType
    from core.plugins.types import ReportField, ReportTypeSpec

    class Plugin:
        @hookimpl
        def wraparound_report_types(self):
            return [ReportTypeSpec(
                slug="gang_exit_review", name="Gang exit review", fields=(
                    ReportField("engagement", "Engagement", "choice", required=True,
                                choices=(Choice("good", "Good"), Choice("poor", "Poor"))),
                    ReportField("next_review", "Next review", "date"),
                ),
            )]

    register_plugin(Plugin())
    services.sync_report_types()
    made = ReportType.objects.get(slug="gang_exit_review")
    assert made.source == ReportType.Source.PLUGIN and made.current_version == 1
    assert made.versions.get().schema[0] == {
        "key": "engagement", "label": "Engagement", "kind": "choice", "required": True, "help_text": "",
        "multiple": False, "choices": [["good", "Good"], ["poor", "Poor"]],
    }
    # Syncing again leaves the admins' copy alone.
    made.name = "Renamed by an admin"
    made.save()
    services.sync_report_types()
    assert ReportType.objects.get(slug="gang_exit_review").name == "Renamed by an admin"


def test_hook_wraparound_trigger_rule_kinds(world, register_plugin, django_capture_on_commit_callbacks):
    from core.alerts import Occurrence, scoped_profile_ids
    from core.models import Alert, TriggerRule
    from core.plugins.types import RuleParam, TriggerRuleKind

    from ..factories import ProfileFactory

    def evaluate(rule, profile_ids=None):
        return [Occurrence(pk, f"flag:{pk}", "Flagged") for pk in scoped_profile_ids(rule, profile_ids)]

    class Plugin:
        @hookimpl
        def wraparound_trigger_rule_kinds(self):
            return [TriggerRuleKind("always", "Always", "Every profile in scope", params=(RuleParam("n", "N"),),
                                    evaluate=evaluate, listens_to=("activity",))]

    register_plugin(Plugin())
    assert "always" in registry.rule_kinds and "activity_count" in registry.rule_kinds
    profile = ProfileFactory(owner_team=world.staffs_iom)
    rule = TriggerRule.objects.create(name="Always", kind="always")
    with django_capture_on_commit_callbacks(execute=True):
        services.add_activity(by=world.staffs_officer, profile=profile, summary="Seen")
    assert Alert.objects.filter(rule=rule, profile=profile, occurrence_key=f"flag:{profile.pk}").count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.add_activity(by=world.staffs_officer, profile=profile, summary="Seen again")
    assert Alert.objects.filter(rule=rule).count() == 1


def test_hook_wraparound_referral_forms(world, register_plugin):
    from django import forms

    from core.models import Referral
    from core.plugins.types import ReferralForm

    class GangReferralForm(forms.Form):
        concern = forms.CharField()
        group = forms.ChoiceField(choices=[("north", "North crew"), ("south", "South crew")])

    class Plugin(GangsProgramme):
        @hookimpl
        def wraparound_referral_forms(self):
            return [ReferralForm("gang_exit", "Gang exit referral", GangReferralForm,
                                 programme="gangs", case_type="gang_case", participant_role="subject")]

    register_plugin(Plugin(), name="gangs_plugin")
    assert registry.referral_forms["gang_exit"].label == "Gang exit referral"
    assert "generic" in registry.referral_forms  # core's own form stays
    from tests.factories import ProfileFactory, enable_all_programmes

    enable_all_programmes(world.waveney)
    profile = ProfileFactory(owner_team=world.staffs_iom)
    form = GangReferralForm({"concern": "Seen with older boys", "group": "south"})
    referral = services.make_referral(by=world.staffs_officer, profile=profile, to_team=world.waveney_asb,
                                      form_slug="gang_exit", form=form)
    assert (referral.programme, referral.case_type) == ("gangs", "gang_case")
    assert Referral.objects.get().content["answers"] == [["Concern", "Seen with older boys"], ["Group", "South crew"]]

    class Clash:
        @hookimpl
        def wraparound_referral_forms(self):
            return [ReferralForm("gang_exit", "Another", GangReferralForm)]

    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="Referral form 'gang_exit'"):
        register_plugin(Clash(), name="clash")


def test_hook_wraparound_galleries(world, register_plugin):
    from django.db.models import Exists, OuterRef

    from core.models import Gallery, PersonRole
    from core.plugins.types import GalleryFacet, GallerySpec
    from core.services.galleries import filter_by_facets, gallery_profiles, sync_galleries

    from ..factories import ProfileFactory

    def with_alias(profiles):  # a criterion core's saved filters cannot express
        return profiles.filter(aliases__isnull=False).distinct()

    def by_role(profiles, value):
        return profiles.filter(Exists(PersonRole.objects.filter(profile_id=OuterRef("pk"), role=value)))

    class Plugin:
        @hookimpl
        def wraparound_galleries(self):
            return [GallerySpec("known-by-alias", "Known by an alias", description="People with street names",
                                profile_filter=with_alias,
                                facets=(GalleryFacet("role", "Role", (Choice("offender", "Offender"),), by_role),))]

    register_plugin(Plugin())
    assert registry.galleries["known-by-alias"].name == "Known by an alias"
    made = sync_galleries()
    assert [g.slug for g in made] == ["known-by-alias"] and sync_galleries() == []
    gallery = Gallery.objects.get(slug="known-by-alias")
    assert gallery.kind == Gallery.Kind.FILTER and not gallery.audience_teams.exists()
    gallery.audience_teams.add(world.staffs_iom)
    alias = ProfileFactory(owner_team=world.staffs_iom)
    alias.aliases.create(name="Shadow")
    ProfileFactory(owner_team=world.staffs_iom)  # no alias: not on the gallery
    assert list(gallery_profiles(gallery).values_list("pk", flat=True)) == [alias.pk]
    narrowed, facets = filter_by_facets(gallery, gallery_profiles(gallery), {"role": "offender"})
    assert facets[0]["value"] == "offender" and not narrowed.exists()


def test_hook_wraparound_statistics(world, register_plugin):
    from core import access
    from core.models import Profile
    from core.plugins.types import StatisticSpec
    from core.programmes import plugin_statistics_for

    from ..factories import ProfileFactory

    called = []

    def visible_profiles(user):
        return [{"what": "profiles", "count": access.restrict(Profile.objects.all(), user).count()}]

    def never(user):
        called.append(user)
        return []

    class Plugin:
        @hookimpl
        def wraparound_statistics(self):
            return [StatisticSpec("profiles_seen", "Profiles you can see", visible_profiles, columns=("what", "count")),
                    StatisticSpec("off_programme", "Of a programme nobody has", never, columns=("n",),
                                  value="n", programme="no_such_programme")]

    register_plugin(Plugin())
    ProfileFactory(owner_team=world.staffs_iom)
    stats = {spec.slug: rows for spec, rows in plugin_statistics_for(world.staffs_officer)}
    assert stats["profiles_seen"] == [{"what": "profiles", "count": 1}]
    assert "off_programme" not in stats and called == []
    assert {spec.slug: rows for spec, rows in plugin_statistics_for(world.outsider)}["profiles_seen"][0]["count"] == 0
    from django.test import Client

    client = Client()
    client.force_login(world.staffs_officer)
    body = client.get("/api/v1/statistics/").json()
    assert {"slug": "profiles_seen", "title": "Profiles you can see", "programme": "", "columns": ["what", "count"],
            "value": "count", "rows": [{"what": "profiles", "count": 1}]} in body["programmes"]
    assert b"chart-profiles_seen" in client.get("/admin/").content


def test_trigger_rule_kind_defaults_are_created_once(world, register_plugin):
    from core.models import TriggerRule
    from core.plugins.types import DefaultTriggerRule, TriggerRuleKind
    from core.services.alerts import sync_default_rules

    class Plugin:
        @hookimpl
        def wraparound_trigger_rule_kinds(self):
            return [TriggerRuleKind("never", "Never", "Nothing", params=(), evaluate=lambda rule, ids=None: [],
                                    defaults=(DefaultTriggerRule("Never (default)", {"n": 1}),))]

    register_plugin(Plugin())
    made = sync_default_rules()
    assert [(r.kind, r.name, r.params) for r in made] == [("never", "Never (default)", {"n": 1})]
    TriggerRule.objects.filter(kind="never").update(is_active=False)
    assert sync_default_rules() == []
    assert TriggerRule.objects.get(kind="never").is_active is False


def _panel_template(settings, tmp_path, name: str, body: str) -> str:
    """A template file for an in-test panel, on a template directory added for the test."""
    (tmp_path / name).write_text(body, encoding="utf-8")
    templates = [dict(engine) for engine in settings.TEMPLATES]
    templates[0] = {**templates[0], "DIRS": [*templates[0].get("DIRS", []), str(tmp_path)]}
    settings.TEMPLATES = templates
    return name


def test_hook_wraparound_profile_panels(world, register_plugin, settings, tmp_path):
    from django.test import Client
    from django.urls import reverse

    from core.models import ProgrammeModule
    from core.plugins.types import RecordPanel
    from tests.factories import ProfileFactory, enable_all_programmes

    template = _panel_template(settings, tmp_path, "gang_panel.html",
                               "<p data-testid='gang-note'>{{ note }} for {{ object.first_name }} at {{ level }}</p>")
    calls = []

    def context(request, obj, level):
        calls.append(obj.pk)
        return None if obj.last_name == "Nobody" else {"note": "Gang matrix: amber"}

    class Plugin(GangsProgramme):
        @hookimpl
        def wraparound_profile_panels(self):
            return [RecordPanel("gang_matrix", "Gang matrix", template, context, programme="gangs")]

    register_plugin(Plugin(), name="gangs_plugin")
    assert registry.profile_panels["gang_matrix"].label == "Gang matrix"
    for org in (world.staffs_police, world.norfolk_police):
        enable_all_programmes(org)
    profile = ProfileFactory(owner_team=world.staffs_iom, first_name="Lee")
    client = Client()
    client.force_login(world.staffs_officer)
    hub = reverse("wraparound_profiles:detail", args=[profile.pk])
    tab = reverse("wraparound_profiles:tab", args=[profile.pk, "gang_matrix"])
    # A tab of the hub, loaded on demand like core's: not computed with the page...
    html = client.get(hub).content.decode()
    assert 'id="tab-gang_matrix"' in html and "Gang matrix: amber" not in html and calls == []
    # ...but from its own URL (or with the page through ?tab=), rendered with the context,
    # the record and the level core checked.
    assert "Gang matrix: amber for Lee at 30" in client.get(tab).content.decode()
    assert "Gang matrix: amber for Lee at 30" in client.get(hub + "?tab=gang_matrix").content.decode()
    # A context of None: the tab says there is nothing for that record.
    nobody = ProfileFactory(owner_team=world.staffs_iom, last_name="Nobody")
    html = client.get(reverse("wraparound_profiles:tab", args=[nobody.pk, "gang_matrix"])).content.decode()
    assert "Nothing recorded under Gang matrix" in html and "amber" not in html
    # The programme switched off: left out, its URL 404, without its context being called.
    ProgrammeModule.objects.filter(organisation=world.staffs_police, programme="gangs").update(enabled=False)
    calls.clear()
    client = Client()
    client.force_login(world.staffs_officer)
    assert "tab-gang_matrix" not in client.get(hub).content.decode()
    assert client.get(tab).status_code == 404
    assert calls == []

    class Clash:
        @hookimpl
        def wraparound_profile_panels(self):
            return [RecordPanel("gang_matrix", "Another", template, context)]

    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="Profile panel 'gang_matrix'"):
        register_plugin(Clash(), name="clash")


def test_hook_wraparound_case_panels(world, register_plugin, settings, tmp_path):
    from django.test import Client
    from django.urls import reverse

    from core.models import ProgrammeModule
    from core.plugins.types import RecordPanel
    from tests.factories import enable_all_programmes

    template = _panel_template(settings, tmp_path, "gang_case_panel.html", "<p>Exit plan: {{ plan }}</p>")

    def context(request, case, level):
        return {"plan": f"{case.reference} plan"} if case.programme == "gangs" else None

    class Plugin(GangsProgramme):
        @hookimpl
        def wraparound_case_panels(self):
            return [RecordPanel("gang_exit_plan", "Exit plan", template, context, programme="gangs")]

    register_plugin(Plugin(), name="gangs_plugin")
    enable_all_programmes(world.staffs_police)
    gang_case = services.open_case(by=world.staffs_officer, owner_team=world.staffs_iom, programme="gangs",
                                   case_type="gang_case", title="Exit work")
    other = services.open_case(by=world.staffs_officer, owner_team=world.staffs_iom, programme="asb",
                               case_type="asb_case", title="ASB")
    client = Client()
    client.force_login(world.staffs_officer)
    html = client.get(reverse("wraparound_cases:detail", args=[gang_case.pk])).content.decode()
    assert 'id="panel-gang_exit_plan"' in html and f"Exit plan: {gang_case.reference} plan" in html
    assert "panel-gang_exit_plan" not in client.get(reverse("wraparound_cases:detail", args=[other.pk])).content.decode()
    ProgrammeModule.objects.filter(organisation=world.staffs_police, programme="gangs").update(enabled=False)
    client = Client()
    client.force_login(world.staffs_officer)
    # The case itself stays visible (no data is lost); the programme's panel goes.
    response = client.get(reverse("wraparound_cases:detail", args=[gang_case.pk]))
    assert response.status_code == 200 and "panel-gang_exit_plan" not in response.content.decode()
