"""The profile and case screens (core/admin/records*.py): every URL goes through the
access engine, lists show only visible rows at a fixed query cost, edits refuse a
stale version, forms give per-field errors, and opening a record is audited."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from core import services
from core.access import AccessLevel
from core.models import Activity, AuditEvent, Profile

from ..factories import CaseFactory, ProfileFactory

NAMESPACES = ("wraparound_profiles", "wraparound_cases")


def namespace_urls(namespace: str) -> list[tuple[str, bool]]:
    """(url name, takes a pk) for every pattern in ``namespace``, found by the resolver."""
    _prefix, resolver = get_resolver().namespace_dict[namespace]
    found = []

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + (f"{pattern.namespace}:" if pattern.namespace else ""))
            elif isinstance(pattern, URLPattern) and pattern.name:
                found.append((prefix + pattern.name, "pk" in pattern.pattern.converters))

    walk(resolver.url_patterns)
    return found


#: Values for the URL parameters other than the pk (the profile hub's tab URL).
URL_SAMPLES = {"tab": "chronology"}


def record_url(namespace: str, name: str, pk: int) -> str:
    _prefix, resolver = get_resolver().namespace_dict[namespace]
    converters = next(
        p.pattern.converters for p in resolver.url_patterns if isinstance(p, URLPattern) and p.name == name
    )
    return reverse(f"{namespace}:{name}", kwargs={"pk": pk, **{k: URL_SAMPLES[k] for k in converters if k != "pk"}})


def core_row_counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in apps.get_app_config("core").get_models()}


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


#: Plausible input for every form in the namespaces, so that a POST would write if the
#: view let it through.
ANY_FORM = {
    "first_name": "Intruder", "last_name": "Write", "gender": "unknown", "risk_level": "low",
    "consent_to_share": "not_sought", "version": "1", "kind": "note", "summary": "Should not be saved",
    "occurred_at": "2025-01-01 10:00", "reason": "Checking something for a meeting",
}


@pytest.fixture
def hidden(world):
    """A profile and a case owned by Staffordshire that Waveney's outsider may not see."""
    profile = ProfileFactory(owner_team=world.staffs_iom, first_name="Hidden", last_name="Person")
    case = CaseFactory(owner_team=world.staffs_iom, title="Hidden case")
    return {"wraparound_profiles": profile, "wraparound_cases": case}


def test_sweep_finds_the_record_urls():
    names = {name for ns in NAMESPACES for name, _ in namespace_urls(ns)}
    assert {"index", "detail", "edit", "add", "add_activity", "justify"} <= names


@pytest.mark.parametrize("namespace", NAMESPACES)
def test_every_record_url_answers_404_for_a_record_outside_access(namespace, world, hidden):
    client = login(world.outsider)
    target = hidden[namespace]
    before_rows, before_audit = core_row_counts(), AuditEvent.objects.count()
    for name, takes_pk in namespace_urls(namespace):
        if not takes_pk:
            continue
        url = record_url(namespace, name, target.pk)
        assert client.get(url).status_code == 404, url
        assert client.post(url, ANY_FORM).status_code == 404, url
    assert core_row_counts() == before_rows
    assert AuditEvent.objects.count() == before_audit


@pytest.mark.parametrize("namespace", NAMESPACES)
def test_every_record_url_sends_anonymous_users_to_login(namespace, world, hidden):
    client = Client()
    before = core_row_counts()
    for name, takes_pk in namespace_urls(namespace):
        url = record_url(namespace, name, hidden[namespace].pk) if takes_pk else reverse(f"{namespace}:{name}")
        for response in (client.get(url), client.post(url, ANY_FORM)):
            assert response.status_code == 302, url
            assert "/login/" in response["Location"], url
    assert core_row_counts() == before


@pytest.mark.parametrize("namespace", NAMESPACES)
def test_urls_without_a_record_write_nothing_for_an_outsider(namespace, world, hidden):
    client = login(world.outsider)
    before = core_row_counts()
    for name, takes_pk in namespace_urls(namespace):
        if takes_pk:
            continue
        url = reverse(f"{namespace}:{name}")
        assert client.get(url).status_code == 200, url
        assert b"Hidden" not in client.get(url).content
        assert client.post(url, {"owner_team": world.staffs_iom.pk, **ANY_FORM}).status_code in (200, 405), url
    assert core_row_counts() == before


def test_edit_with_view_only_access_is_forbidden(world):
    profile = ProfileFactory(owner_team=world.staffs_iom)
    services.grant_access(profile, world.norfolk_officer, AccessLevel.VIEW, by=world.staffs_officer, reason="Liaison")
    client = login(world.norfolk_officer)
    url = reverse("wraparound_profiles:edit", args=[profile.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {**ANY_FORM, "version": profile.version}).status_code == 403
    profile.refresh_from_db()
    assert profile.last_name != "Write"


def test_quick_entry_with_view_only_access_is_forbidden(world):
    case = CaseFactory(owner_team=world.staffs_iom)
    services.grant_access(case, world.norfolk_officer, AccessLevel.VIEW, by=world.staffs_officer, reason="Liaison")
    client = login(world.norfolk_officer)
    page = client.get(reverse("wraparound_cases:detail", args=[case.pk]))
    assert page.status_code == 200 and b"Record an activity" not in page.content
    response = client.post(reverse("wraparound_cases:add_activity", args=[case.pk]), ANY_FORM)
    assert response.status_code == 403
    assert not Activity.objects.filter(case=case).exists()


def test_profile_index_lists_only_visible_profiles(world):
    shared = ProfileFactory(owner_team=world.norfolk_iom, first_name="Granted", last_name="Zebedee")
    ProfileFactory(owner_team=world.norfolk_iom, first_name="Secret", last_name="Quimby")
    own = ProfileFactory(owner_team=world.staffs_iom, first_name="Own", last_name="Abbott")
    services.grant_access(shared, world.staffs_officer, AccessLevel.VIEW, by=world.norfolk_officer, reason="Joint work")
    client = login(world.staffs_officer)
    index = reverse("wraparound_profiles:index")
    content = client.get(index).content.decode()
    assert "Zebedee" in content and own.last_name in content
    assert "Quimby" not in content
    assert list(client.get(index, {"q": "Quimby"}).context["object_list"]) == []
    results = client.get(reverse("wraparound_profiles:index_results"), {"q": "Secret"})
    assert results.status_code == 200 and list(results.context["object_list"]) == []
    assert list(client.get(index, {"q": "zebed"}).context["object_list"]) == [shared]


def test_profile_search_matches_aliases_without_duplicates(world):
    services.create_profile(by=world.staffs_officer, owner_team=world.staffs_iom, first_name="Dan", last_name="Kerr",
                            aliases=["Danny K", "Danny Boy"])
    response = login(world.staffs_officer).get(reverse("wraparound_profiles:index"), {"q": "danny"})
    assert list(response.context["object_list"]) == [Profile.objects.get(last_name="Kerr")]


def _index_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _profiles_with_children(n, team):
    for _ in range(n):
        profile = ProfileFactory(owner_team=team)
        profile.person_roles.create(role="offender")
        profile.person_roles.create(role="victim")
        profile.warning_markers.create(marker="violence")


def test_profile_index_query_count_does_not_grow_with_rows(world, django_assert_max_num_queries):
    shared_team_profiles = ProfileFactory.create_batch(2, owner_team=world.norfolk_iom)
    for p in shared_team_profiles:
        services.grant_access(p, world.staffs_iom, AccessLevel.VIEW, by=world.norfolk_officer, reason="Joint")
    _profiles_with_children(3, world.staffs_iom)
    client = login(world.staffs_officer)
    url = reverse("wraparound_profiles:index")
    client.get(url)  # warm per-process caches (content types, permissions)
    with_5 = _index_queries(client, url)
    _profiles_with_children(35, world.staffs_iom)
    with django_assert_max_num_queries(with_5):
        response = client.get(url)
    assert len(response.context["object_list"]) == 40


@pytest.mark.postgres
def test_profile_index_query_count_is_fixed_on_postgres(world):
    _profiles_with_children(5, world.staffs_iom)
    client = login(world.staffs_officer)
    url = reverse("wraparound_profiles:index")
    client.get(url)
    with_5 = _index_queries(client, url)
    _profiles_with_children(35, world.staffs_iom)
    assert _index_queries(client, url) == with_5


def _edit_form_data(response) -> dict:
    form = response.context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        data[name] = value
    return data


def test_second_of_two_concurrent_edits_is_refused_and_first_change_kept(world):
    profile = ProfileFactory(owner_team=world.staffs_iom, last_name="Original")
    colleague = world.staffs_officer.__class__.objects.create(username="staffs_colleague")
    colleague.groups.add(*world.staffs_officer.groups.all())
    world.staffs_iom.memberships.create(user=colleague)
    first, second = login(world.staffs_officer), login(colleague)
    url = reverse("wraparound_profiles:edit", args=[profile.pk])
    data_first, data_second = _edit_form_data(first.get(url)), _edit_form_data(second.get(url))
    assert data_first["version"] == data_second["version"] == 1

    assert first.post(url, {**data_first, "last_name": "FirstChange"}).status_code == 302
    refused = second.post(url, {**data_second, "last_name": "SecondChange", "phone": "01234"})

    assert refused.status_code == 409
    assert "changed by someone else" in refused.content.decode()
    profile.refresh_from_db()
    assert (profile.last_name, profile.phone, profile.version) == ("FirstChange", "", 2)
    assert AuditEvent.objects.filter(action="update", object_id=str(profile.pk)).count() == 1


def test_edit_saves_through_the_service_and_audits(world):
    profile = ProfileFactory(owner_team=world.staffs_iom, risk_level="low")
    client = login(world.staffs_officer)
    url = reverse("wraparound_profiles:edit", args=[profile.pk])
    data = _edit_form_data(client.get(url))
    assert client.post(url, {**data, "risk_level": "high"}).status_code == 302
    profile.refresh_from_db()
    assert (profile.risk_level, profile.version) == ("high", 2)
    event = AuditEvent.objects.get(action="update", object_id=str(profile.pk))
    assert "risk_level" in event.changes


def test_invalid_create_gives_per_field_errors_and_writes_nothing(world):
    client = login(world.staffs_officer)
    before = core_row_counts()
    response = client.post(reverse("wraparound_profiles:add"), {
        "owner_team": world.staffs_iom.pk, "first_name": "Ann", "last_name": "", "gender": "female",
        "risk_level": "low", "consent_to_share": "not_sought", "identifier_nhs": "12345",
    })
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "last_name" in errors and "identifier_nhs" in errors
    assert core_row_counts() == before


def test_create_offers_only_own_teams_and_refuses_another(world):
    client = login(world.staffs_officer)
    form = client.get(reverse("wraparound_profiles:add")).context["form"]
    assert list(form.fields["owner_team"].queryset) == [world.staffs_iom]
    response = client.post(reverse("wraparound_profiles:add"), {
        "owner_team": world.norfolk_iom.pk, "first_name": "Ann", "last_name": "Other", "gender": "female",
        "risk_level": "low", "consent_to_share": "not_sought",
    })
    assert "owner_team" in response.context["form"].errors
    assert not Profile.objects.filter(last_name="Other").exists()


def test_create_makes_a_profile_with_its_children(world):
    client = login(world.staffs_officer)
    response = client.post(reverse("wraparound_profiles:add"), {
        "owner_team": world.staffs_iom.pk, "first_name": "Ann", "last_name": "Jones", "gender": "female",
        "risk_level": "high", "consent_to_share": "not_sought", "person_roles": ["victim", "vulnerable"],
        "warning_markers": ["dogs"], "identifier_nhs": "9434765919", "aliases": "Annie\nAJ",
        "line1": "1 High Street", "town": "Stafford", "postcode": "ST16 1AA",
    })
    profile = Profile.objects.get(last_name="Jones")
    assert response.status_code == 302 and response["Location"] == reverse("wraparound_profiles:detail", args=[profile.pk])
    assert sorted(profile.person_roles.values_list("role", flat=True)) == ["victim", "vulnerable"]
    assert profile.identifiers.get().value == "9434765919"
    assert profile.aliases.count() == 2 and profile.addresses.get().town == "Stafford"
    assert AuditEvent.objects.filter(action="create", object_id=str(profile.pk)).count() == 1


def test_profile_detail_shows_the_summary_and_writes_one_view_event(world):
    profile = services.create_profile(
        by=world.staffs_officer, owner_team=world.staffs_iom, first_name="Mia", last_name="Stone",
        risk_level="very_high", warning_markers=["weapons"], person_roles=["offender"],
        identifiers=[("pnc", "2004/0123456X")], aliases=["Mimi"],
    )
    hidden_case = CaseFactory(owner_team=world.norfolk_iom, title="Norfolk only")
    hidden_case.participants.create(profile=profile, role="offender")
    services.add_activity(by=world.staffs_officer, profile=profile, summary="Met at the hub")
    client = login(world.staffs_officer)
    before = AuditEvent.objects.filter(action="view").count()
    response = client.get(reverse("wraparound_profiles:detail", args=[profile.pk]))
    content = response.content.decode()
    assert response.status_code == 200
    for text in ("Mia Stone", "Very high", "Weapons", "Offender", "2004/0123456X", "Mimi"):
        assert text in content
    assert "Norfolk only" not in content
    views = AuditEvent.objects.filter(action="view")
    assert views.count() == before + 1
    assert views.latest("id").object_id == str(profile.pk) and views.latest("id").changes is None
    # The chronology and the cases come on demand, each load a VIEW naming its tab.
    for tab, shown in (("chronology", "Met at the hub"), ("cases", "No cases you may see")):
        content = client.get(reverse("wraparound_profiles:tab", args=[profile.pk, tab])).content.decode()
        assert shown in content and "Norfolk only" not in content
        assert views.latest("id").object_id == str(profile.pk) and views.latest("id").changes == {"part": tab}
    assert views.count() == before + 3


def test_justification_is_asked_once_per_session_and_stored_in_the_view_event(world):
    world.norfolk_partnership.require_justification = True
    world.norfolk_partnership.save()
    profile = ProfileFactory(owner_team=world.norfolk_iom, first_name="Private", last_name="Person")
    client = login(world.norfolk_officer)
    detail = reverse("wraparound_profiles:detail", args=[profile.pk])

    asked = client.get(detail)
    assert asked.status_code == 302 and "/reason/" in asked["Location"]
    form_page = client.get(asked["Location"])
    assert form_page.status_code == 200 and b"Private" not in form_page.content
    assert not AuditEvent.objects.filter(action="view").exists()

    short = client.post(asked["Location"], {"reason": "why"})
    assert short.status_code == 200 and "reason" in short.context["form"].errors
    given = client.post(asked["Location"], {"reason": "Strategy meeting on Monday", "next": detail})
    assert given.status_code == 302 and given["Location"] == detail

    assert client.get(detail).status_code == 200
    assert client.get(detail).status_code == 200  # not asked again
    events = AuditEvent.objects.filter(action="view", object_id=str(profile.pk))
    assert events.count() == 2
    assert set(events.values_list("justification", flat=True)) == {"Strategy meeting on Monday"}


def test_no_justification_asked_outside_such_partnerships(world):
    world.norfolk_partnership.require_justification = True
    world.norfolk_partnership.save()
    profile = ProfileFactory(owner_team=world.staffs_iom)
    assert login(world.staffs_officer).get(reverse("wraparound_profiles:detail", args=[profile.pk])).status_code == 200


def test_case_index_filters_and_shows_only_visible_cases(world):
    CaseFactory(owner_team=world.staffs_iom, title="Open ASB", programme="asb")
    closed = CaseFactory(owner_team=world.staffs_iom, title="Closed ASB", programme="asb")
    closed.status, closed.closed_on = "closed", closed.opened_on
    closed.save()
    CaseFactory(owner_team=world.norfolk_iom, title="Norfolk ASB", programme="asb")
    client = login(world.staffs_officer)
    url = reverse("wraparound_cases:index")
    titles = lambda r: {c.title for c in r.context["object_list"]}  # noqa: E731
    assert titles(client.get(url)) == {"Open ASB", "Closed ASB"}
    assert titles(client.get(url, {"status": "closed"})) == {"Closed ASB"}
    assert titles(client.get(url, {"programme": "asb", "status": "open"})) == {"Open ASB"}
    assert titles(client.get(url, {"programme": "iom"})) == set()
    assert titles(client.get(url, {"q": "norfolk"})) == set()


def test_case_detail_hides_participants_not_shared_and_audits(world):
    case = CaseFactory(owner_team=world.staffs_iom, title="Joint case")
    visible = ProfileFactory(owner_team=world.staffs_iom, first_name="Seen", last_name="Person")
    unseen = ProfileFactory(owner_team=world.norfolk_iom, first_name="Unseen", last_name="Person")
    case.participants.create(profile=visible, role="subject")
    case.participants.create(profile=unseen, role="victim")
    client = login(world.staffs_officer)
    response = client.get(reverse("wraparound_cases:detail", args=[case.pk]))
    content = response.content.decode()
    assert "Seen Person" in content and "Unseen" not in content
    assert "a person not shared with you" in content
    assert AuditEvent.objects.filter(action="view", object_id=str(case.pk), object_type="core.case").count() == 1


def test_quick_entry_adds_to_the_action_log(world):
    case = CaseFactory(owner_team=world.staffs_iom)
    client = login(world.staffs_officer)
    url = reverse("wraparound_cases:add_activity", args=[case.pk])
    bad = client.post(url, {"kind": "note", "summary": "", "occurred_at": "2025-01-01 10:00"})
    assert bad.status_code == 400 and "summary" in bad.context["activity_form"].errors
    ok = client.post(url, {"kind": "call", "summary": "Rang the victim", "occurred_at": "2025-01-01 10:00"})
    assert ok.status_code == 302
    activity = Activity.objects.get(case=case)
    assert (activity.kind, activity.summary, activity.recorded_by) == ("call", "Rang the victim", world.staffs_officer)
    assert "Rang the victim" in client.get(reverse("wraparound_cases:detail", args=[case.pk])).content.decode()


def test_profile_index_sorts_risk_by_severity(world):
    for level in ("very_high", "low", "high", "unknown", "medium"):
        ProfileFactory(owner_team=world.staffs_iom, risk_level=level)
    client = login(world.staffs_officer)
    url = reverse("wraparound_profiles:index")
    rows = client.get(url, {"ordering": "-risk_level"}).context["object_list"]
    assert [p.risk_level for p in rows] == ["very_high", "high", "medium", "low", "unknown"]


@pytest.mark.django_db
def test_profile_search_is_audited_once_per_distinct_query(client, world):
    from django.urls import reverse

    from core.models import AuditEvent

    client.force_login(world.staffs_officer)
    for _ in range(2):  # the listing refreshes as the user types and pages
        assert client.get(reverse("wraparound_profiles:index_results"), {"q": "smith"}).status_code == 200
    client.get(reverse("wraparound_profiles:index"), {"q": "jones"})
    events = AuditEvent.objects.filter(action="search", actor_id=world.staffs_officer.pk).order_by("id")
    assert [e.changes["query"] for e in events] == ["smith", "jones"]
    assert {e.category for e in events} == {"consultation"}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["profile", "case"])
def test_detail_query_count_does_not_grow_with_activities(client, world, kind):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from core import services

    from ..factories import ProfileFactory

    def page_queries(n_activities: int) -> int:
        person = ProfileFactory(owner_team=world.waveney_asb)
        case = services.open_case(by=world.waveney_officer, owner_team=world.waveney_asb, programme="asb",
                                  case_type="asb_case", title="Noise", participants=[(person, "subject")])
        for i in range(n_activities):
            services.add_activity(by=world.waveney_officer, summary=f"Visit {i}",
                                  **({"case": case} if kind == "case" else {"profile": person}))
        url = reverse(f"wraparound_{kind}s:detail", args=[(case if kind == "case" else person).pk])
        client.get(url)  # warm per-session state (justification, caches)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    client.force_login(world.waveney_officer)
    assert page_queries(2) == page_queries(30)


@pytest.mark.django_db
@pytest.mark.parametrize("entries, has_next", [(25, False), (26, True)])
def test_profile_chronology_offers_older_entries_only_when_there_are(client, world, entries, has_next):
    from django.urls import reverse

    from core.models import Activity

    from ..factories import ProfileFactory

    person = ProfileFactory(owner_team=world.waveney_asb)
    Activity.objects.bulk_create([
        Activity(profile=person, summary=f"Visit {i}", occurred_at=timezone.now(), organisation=world.waveney)
        for i in range(entries)
    ])
    client.force_login(world.waveney_officer)
    page = client.get(reverse("wraparound_profiles:tab", args=[person.pk, "chronology"])).content.decode()
    assert ('data-testid="chronology-next"' in page) is has_next
