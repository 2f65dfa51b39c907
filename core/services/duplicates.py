"""Possible duplicates of a profile about to be created.

This module reads profiles *without* the access engine, on purpose: a duplicate the
user may not see must still stop them creating a second record of the same person.
What it finds is therefore never shown as such — :func:`split_by_access` separates the
matches the user may see (listed with links) from the others, of which callers may
disclose only that one exists and which team owns it (S5: "show that a match exists
and offer an access request").

Matching is portable (the same on SQLite and PostgreSQL): candidates are narrowed in
the database to the same date of birth, the same last name (when no date of birth is
given) or a matching identifier, and then compared in Python on normalised names —
accents, case, punctuation and spacing removed, common short forms of first names
mapped to one (Bill/Will/William), aliases included — with difflib's ratio for
spelling variants. The candidate set is small (one birthday), so this stays cheap."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from difflib import SequenceMatcher

from django.db.models import Q

from .. import access
from ..models import Identifier, Profile

#: A name pair at or above this ratio is "similar".
SIMILARITY = 0.82

#: Common short forms -> one canonical first name.
FIRST_NAME_VARIANTS = {
    "bill": "william", "billy": "william", "will": "william", "liam": "william",
    "bob": "robert", "bobby": "robert", "rob": "robert", "robbie": "robert",
    "jim": "james", "jimmy": "james", "jamie": "james",
    "mike": "michael", "mick": "michael", "mikey": "michael",
    "tom": "thomas", "tommy": "thomas", "dan": "daniel", "danny": "daniel",
    "dave": "david", "davey": "david", "steve": "stephen", "steven": "stephen", "stevie": "stephen",
    "chris": "christopher", "kit": "christopher", "kate": "katherine", "katie": "katherine",
    "kath": "katherine", "catherine": "katherine", "kathryn": "katherine",
    "liz": "elizabeth", "lizzie": "elizabeth", "beth": "elizabeth", "betty": "elizabeth",
    "jess": "jessica", "jessie": "jessica", "alex": "alexander", "sam": "samuel", "sammy": "samuel",
    "joe": "joseph", "joey": "joseph", "jon": "john", "johnny": "john", "jack": "john",
    "matt": "matthew", "nick": "nicholas", "nicky": "nicholas", "tony": "anthony",
    "andy": "andrew", "drew": "andrew", "ben": "benjamin", "benny": "benjamin",
    "charlie": "charles", "chas": "charles", "harry": "henry", "hal": "henry",
    "jake": "jacob", "josh": "joshua", "ed": "edward", "eddie": "edward", "ted": "edward",
    "pete": "peter", "rich": "richard", "rick": "richard", "dick": "richard",
    "sue": "susan", "suzie": "susan", "maggie": "margaret", "meg": "margaret", "peggy": "margaret",
    "becky": "rebecca", "becca": "rebecca", "vicky": "victoria", "tori": "victoria",
    "mandy": "amanda", "jen": "jennifer", "jenny": "jennifer", "nat": "natalie",
}


def normalise(text: str) -> str:
    """Lower case, no accents, letters and single spaces only."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[^a-z ]+", " ", text).split())


def canonical_first(name: str) -> str:
    first = normalise(name).split(" ")[0] if normalise(name) else ""
    return FIRST_NAME_VARIANTS.get(first, first)


def _name_keys(first: str, last: str) -> set[str]:
    return {normalise(f"{first} {last}"), f"{canonical_first(first)} {normalise(last)}"}


def similar(a: set[str], b: set[str]) -> bool:
    return any(x and y and SequenceMatcher(None, x, y).ratio() >= SIMILARITY for x in a for y in b)


@dataclass
class Match:
    profile: Profile
    reasons: list[str] = field(default_factory=list)


def find_possible_duplicates(
    *, first_name: str, last_name: str, date_of_birth: date | None = None, identifiers=(), aliases=(),
    exclude_pk: int | None = None,
) -> list[Match]:
    """Profiles that may be the same person: a matching identifier, or a similar name
    (or alias) with the same date of birth, or the same name when no date of birth is
    given. Three queries at most, whatever the size of the table."""
    wanted = _name_keys(first_name, last_name)
    for alias in aliases:
        parts = normalise(alias).split(" ")
        wanted |= {normalise(alias)} | ({f"{canonical_first(parts[0])} {' '.join(parts[1:])}"} if len(parts) > 1 else set())
    matches: dict[int, Match] = {}

    id_filter = Q(pk__in=[])
    for kind, value in identifiers:
        id_filter |= Q(kind=kind, value=value)
    for ident in Identifier.objects.filter(id_filter).select_related("profile__owner_team__organisation"):
        matches.setdefault(ident.profile_id, Match(ident.profile)).reasons.append("same identifier")

    by_name = Q(date_of_birth=date_of_birth) if date_of_birth else Q(last_name__iexact=(last_name or "").strip())
    candidates = (
        Profile.objects.filter(by_name).select_related("owner_team__organisation").prefetch_related("aliases")
    )
    for profile in candidates[:500]:
        theirs = _name_keys(profile.first_name, profile.last_name) | {normalise(a.name) for a in profile.aliases.all()}
        if similar(wanted, theirs):
            reason = "similar name, same date of birth" if date_of_birth else "same name (no date of birth given)"
            matches.setdefault(profile.pk, Match(profile)).reasons.append(reason)
    matches.pop(exclude_pk, None)
    return sorted(matches.values(), key=lambda m: (m.profile.last_name, m.profile.first_name, m.profile.pk))


def split_by_access(user, matches: list[Match]) -> tuple[list[Match], list[Match]]:
    """(matches the user may see, matches they may not) — one query."""
    visible = access.visible_pks(user, Profile, [m.profile.pk for m in matches])
    return [m for m in matches if m.profile.pk in visible], [m for m in matches if m.profile.pk not in visible]
