"""core.search: matching, misspellings, ranking, access and audit (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import search as search_module
from core.models import AuditAction, AuditEvent, Identifier, ProfileAlias
from core.search import parse_query, search, trigram_similarity, word_similarity

from ..factories import CaseFactory, ProfileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(world):
    """Profiles owned by Norfolk's IOM team (seen by norfolk_officer), one by Staffordshire."""
    team = world.norfolk_iom
    p = {
        "johnson": ProfileFactory(first_name="Darren", last_name="Johnson", date_of_birth=date(1990, 3, 12),
                                  owner_team=team),
        "johnston": ProfileFactory(first_name="Amy", last_name="Johnston", date_of_birth=date(1985, 1, 2),
                                   owner_team=team),
        "jones": ProfileFactory(first_name="Kyle", last_name="Jones", date_of_birth=date(1999, 7, 30), owner_team=team),
        "aliased": ProfileFactory(first_name="David", last_name="Barker", date_of_birth=date(1979, 5, 5),
                                  owner_team=team),
        "hidden": ProfileFactory(first_name="Darren", last_name="Johnsen", date_of_birth=date(1990, 3, 12),
                                 owner_team=world.staffs_iom),
    }
    ProfileAlias.objects.create(profile=p["aliased"], name="Johnno")
    Identifier.objects.create(profile=p["jones"], kind="pnc", value="12/345678A")
    Identifier.objects.create(profile=p["hidden"], kind="pnc", value="99/999999Z")
    return p


def names(rows):
    return [f"{r.first_name} {r.last_name}" for r in rows]


def test_trigram_similarity_follows_pg_trgm():
    # pg_trgm: similarity('smith', 'smiht') = 3 shared of 9 distinct trigrams.
    assert trigram_similarity("smith", "smiht") == pytest.approx(3 / 9)
    assert trigram_similarity("SMITH", "smith") == 1.0
    assert trigram_similarity("", "smith") == 0.0


def test_word_similarity_follows_pg_trgm():
    # PostgreSQL's documentation: word_similarity('word', 'two words') = 0.8.
    assert word_similarity("word", "two words") == pytest.approx(0.8)
    assert word_similarity("FAMLY", "Johnson family support") == pytest.approx(0.5)
    assert word_similarity("", "anything") == 0.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [("12/03/1990", date(1990, 3, 12)), ("12-3-90", date(1990, 3, 12)), ("12.03.1990", date(1990, 3, 12)),
     ("1990-03-12", date(1990, 3, 12)), ("12 Mar 1990", date(1990, 3, 12)), ("12 march 1990", date(1990, 3, 12)),
     ("01/02/30", date(1930, 2, 1))],
)
def test_uk_dates_of_birth_are_understood(text, expected):
    parsed = parse_query(f"Johnson {text}")
    assert parsed.date_of_birth == expected
    assert parsed.words == ("JOHNSON",)


def test_a_misspelt_surname_finds_the_person(people, world):
    results = search(world.norfolk_officer, "Jonson")
    # similarity: Johnson 0.5, Jones 0.3 (the threshold), Johnston 0.23 (not similar enough).
    assert names(results.profiles) == ["Darren Johnson", "Kyle Jones"]
    assert names(search(world.norfolk_officer, "Jonhston").profiles)[0] == "Amy Johnston"


def test_exact_name_ranks_above_similar_and_alias_between(people, world):
    ProfileAlias.objects.create(profile=people["johnston"], name="Jones")
    results = search(world.norfolk_officer, "jones")
    assert names(results.profiles)[:2] == ["Kyle Jones", "Amy Johnston"]
    ranks = [r.search_rank for r in results.profiles]
    assert ranks[:2] == [search_module.EXACT_NAME, search_module.ALIAS]
    assert ranks == sorted(ranks, reverse=True)


def test_every_word_must_match(people, world):
    assert names(search(world.norfolk_officer, "darren jonson").profiles) == ["Darren Johnson"]


def test_alias_is_found(people, world):
    results = search(world.norfolk_officer, "johnno")
    assert names(results.profiles)[0] == "David Barker"
    assert results.profiles[0].search_rank == search_module.ALIAS


def test_date_of_birth_alone_or_with_a_name(people, world):
    assert names(search(world.norfolk_officer, "12/03/1990").profiles) == ["Darren Johnson"]
    assert names(search(world.norfolk_officer, "Jonson 12/03/1990").profiles) == ["Darren Johnson"]
    assert search(world.norfolk_officer, "Jones 12/03/1990").profiles == []


def test_identifier_exact_ranks_first(people, world):
    results = search(world.norfolk_officer, "12/345678a")
    assert names(results.profiles) == ["Kyle Jones"]
    assert results.profiles[0].search_rank == search_module.EXACT_IDENTIFIER
    # Spaces typed inside the number do not matter.
    assert names(search(world.norfolk_officer, "12/345 678A").profiles) == ["Kyle Jones"]


def test_a_profile_the_user_cannot_see_never_appears(people, world):
    officer = world.norfolk_officer
    for q in ("Johnsen", "Darren", "12/03/1990", "99/999999Z"):
        results = search(officer, q)
        assert people["hidden"].pk not in {p.pk for p in results.profiles}, q
    # Not even as a count: the identifier of a hidden profile finds nothing at all.
    hidden = search(officer, "99/999999Z")
    assert hidden.count == 0 and not hidden.more_profiles
    event = AuditEvent.objects.filter(action=AuditAction.SEARCH).first()
    assert event.changes == {"query": "99/999999Z", "scope": "profiles and cases", "results": 0}
    # Its owner finds it.
    assert names(search(world.staffs_officer, "99/999999Z").profiles) == ["Darren Johnsen"]


def test_users_without_teams_find_nothing(people, world):
    assert search(world.partnership_admin, "Johnson").count == 0


def test_cases_by_reference_and_misspelt_title(people, world):
    case = CaseFactory(reference="ASB-2026-000123", title="Noise nuisance at Riverside flats",
                       owner_team=world.norfolk_iom)
    CaseFactory(reference="ASB-2026-000999", title="Riverside nuisance", owner_team=world.staffs_iom)
    officer = world.norfolk_officer
    assert [c.pk for c in search(officer, "asb-2026-000123").cases] == [case.pk]
    assert search(officer, "asb-2026-000123").cases[0].search_rank == search_module.EXACT_IDENTIFIER
    assert [c.pk for c in search(officer, "000123").cases] == [case.pk]
    assert [c.pk for c in search(officer, "Riversde nuisanse").cases] == [case.pk]
    assert search(officer, "ASB-2026-000999").cases == []


def test_each_search_is_audited_with_its_text(people, world):
    before = AuditEvent.objects.count()
    search(world.norfolk_officer, "  Jonson   12/03/1990 ")
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.first()
    assert event.action == AuditAction.SEARCH
    assert event.actor_id == world.norfolk_officer.pk
    assert event.changes["query"] == "Jonson 12/03/1990"
    assert event.changes["results"] == 1
    search(world.norfolk_officer, "x", audit=False)
    assert AuditEvent.objects.count() == before + 1


def test_an_empty_query_finds_nothing_and_records_nothing(world):
    before = AuditEvent.objects.count()
    assert search(world.norfolk_officer, "   ").count == 0
    assert AuditEvent.objects.count() == before


def test_queries_do_not_grow_with_matches(world):
    def run():
        user = type(world.norfolk_officer).objects.get(pk=world.norfolk_officer.pk)  # no per-user caches
        with CaptureQueriesContext(connection) as ctx:
            results = search(user, "Smith")
        return len(ctx.captured_queries), results

    for _ in range(2):
        ProfileFactory(first_name="Ann", last_name="Smith", owner_team=world.norfolk_iom)
    CaseFactory(title="Smith family support", owner_team=world.norfolk_iom)
    few, results = run()
    assert len(results.profiles) == 2 and len(results.cases) == 1
    for _ in range(15):
        ProfileFactory(first_name="Bob", last_name="Smyth", owner_team=world.norfolk_iom)
        CaseFactory(title="Smith family support", owner_team=world.norfolk_iom)
    many, results = run()
    assert len(results.profiles) == 17 and len(results.cases) == 16
    # PostgreSQL: +1 to set the word-similarity threshold; for profiles +1 for the
    # planner's estimate of the matches and +1 for the matches the user may see
    # (core.search.RARE_MATCHES; a common word takes the count of visible profiles
    # instead); for cases +1 for the matches, checked against access if few.
    assert many == few <= 11


@pytest.mark.postgres
def test_postgres_uses_pg_trgm_and_its_indexes(people, world):
    with connection.cursor() as cursor:
        cursor.execute("SELECT similarity('SMITH', 'SMIHT')")
        assert cursor.fetchone()[0] == pytest.approx(trigram_similarity("SMITH", "SMIHT"))
        for needle, text in [("FAMLY", "JOHNSON FAMILY SUPPORT"), ("RIVERSDE", "NOISE AT RIVERSIDE FLATS"),
                             ("JONSON", "JOHNSON FAMILY SUPPORT"), ("word", "two words")]:
            cursor.execute("SELECT word_similarity(%s, %s)", [needle, text])
            assert cursor.fetchone()[0] == pytest.approx(word_similarity(needle, text), abs=1e-6), needle
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE 'search_%%_trgm'")
        assert len(cursor.fetchall()) == 7
    assert names(search(world.norfolk_officer, "Jonson").profiles) == ["Darren Johnson", "Kyle Jones"]


@pytest.mark.postgres
def test_searching_within_the_visible_profiles_finds_what_matching_first_finds(world, monkeypatch):
    """The two strategies (core.search.VISIBLE_FIRST_BELOW) must give the same answer."""
    import core.search as search_module

    for first, last in (("Ann", "Smith"), ("Bob", "Smyth"), ("Cat", "Smithers"), ("Dan", "Jones")):
        ProfileFactory(first_name=first, last_name=last, owner_team=world.norfolk_iom)
    ProfileFactory(first_name="Eve", last_name="Smith", owner_team=world.waveney_asb)  # not visible
    user = world.norfolk_officer
    for q in ("Smith", "smyth", "Ann Smith", "Jnes"):
        monkeypatch.setattr(search_module, "VISIBLE_FIRST_BELOW", 20_000)
        within = [p.pk for p in search(user, q, audit=False).profiles]
        monkeypatch.setattr(search_module, "VISIBLE_FIRST_BELOW", 0)
        matched_first = [p.pk for p in search(user, q, audit=False).profiles]
        assert within == matched_first, q


def test_both_plans_find_the_same(people, world, monkeypatch):
    """On PostgreSQL a word the planner expects to be rare is matched first and intersected
    with what the user sees (core.search.RARE_MATCHES); otherwise the visible rows are
    tested. Both plans give the same results, in the same order, never an invisible one."""
    CaseFactory(title="Johnson family support", owner_team=world.norfolk_iom)
    CaseFactory(title="Johnsen secret matter", owner_team=world.staffs_iom)
    ProfileAlias.objects.create(profile=people["johnston"], name="Jones")
    ProfileAlias.objects.create(profile=people["jones"], name="Kyle the Knife")
    ProfileAlias.objects.create(profile=people["aliased"], name="Barks")  # a second alias: the best one counts
    queries = ["Jonson", "darren 12/03/1990", "johnno", "12/345678A", "99/999999Z", "Johnsen", "family", "nobody",
               "Darren Johnson", "jones", "johnno barker", "kyle the knife", "kyle 12/345678A", "amy jnes",
               "12 Mar 1990 johnson"]

    def run():
        found = {}
        for query in queries:
            results = search(world.norfolk_officer, query)
            # Names, and what each was found by and how similar, in order: the rare-word
            # plan's SQL must rank exactly as the ORM's expressions.
            found[query] = ([(n, p.search_rank, round(p.search_score, 5))
                             for n, p in zip(names(results.profiles), results.profiles, strict=True)],
                            [c.title for c in results.cases])
        return found

    monkeypatch.setattr(search_module, "RARE_MATCHES", 10**9)  # every word "rare": match first
    monkeypatch.setattr(search_module, "RARE_CASE_MATCHES", 10**6)
    match_first = run()
    monkeypatch.setattr(search_module, "RARE_MATCHES", -1)  # no word rare: within what is visible
    monkeypatch.setattr(search_module, "RARE_CASE_MATCHES", 0)
    assert run() == match_first
    found = {q: ([name for name, _, _ in profiles], cases) for q, (profiles, cases) in match_first.items()}
    # Amy Johnston's alias "Jones" is as similar to "Jonson" as Kyle Jones's surname.
    assert found["Jonson"] == (["Darren Johnson", "Amy Johnston", "Kyle Jones"], ["Johnson family support"])
    assert found["12/345678A"][0] == ["Kyle Jones"] and found["99/999999Z"] == ([], [])
    assert found["johnno"][0][0] == "David Barker"
    # Every rank is reached: identifier, exact name, alias, similar.
    ranks = {rank for profiles, _ in match_first.values() for _, rank, _ in profiles}
    assert ranks == {search_module.EXACT_IDENTIFIER, search_module.EXACT_NAME, search_module.ALIAS,
                     search_module.SIMILAR}
    for profiles, cases in found.values():
        assert "Darren Johnsen" not in profiles and "Johnsen secret matter" not in cases
