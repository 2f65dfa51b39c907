"""One search over profiles and cases, limited by the access engine: :func:`search`.

Used by the admin's header search (``core.admin.search``) and meant for the API.

What is matched
- *Profiles*: each word of the query against first, middle, last and preferred names
  and aliases — a word matches a name that contains it or is *similar* to it (trigram
  similarity, so "Jonson" finds "Johnson"); every word must match something. A date of
  birth in a UK form (``12/03/1990``, ``12-3-90``, ``12.03.1990``, ``1990-03-12``,
  ``12 Mar 1990``) narrows to that date; a query that is only a date lists everyone
  born that day. The whole query, without spaces and case, is also compared with
  identifier values (PNC, NHS, NI numbers…) exactly.
- *Cases*: the reference (exactly, or a fragment of it) and each word against the title
  (contained, or similar to one of its words).

Ranking (best first): exact identifier or case reference > every word an exact name >
an alias matched exactly > similar; within a rank, by similarity, then name.

Order of work (see issue 8's measurements): the match is computed first, then
intersected with :func:`core.access.restrict`, and only then ordered and cut to
``limit`` — ordering the visible rows by name and filtering as you go is the plan that
walks a whole index for a common fragment. Nothing outside the user's access is
counted or returned.

Trigram similarity, on both databases
- PostgreSQL: ``pg_trgm`` (migration ``0004_search``), with GIN trigram indexes on
  ``UPPER(col)`` so that ``UPPER(col) LIKE '%X%'`` and ``UPPER(col) % 'X'`` (similarity
  above ``pg_trgm.similarity_threshold``, 0.3 by default) use the index.
- SQLite (the demo and the quick test run): the same similarity written in Python
  (:func:`trigram_similarity`, pg_trgm's algorithm: lower-cased words padded with two
  spaces before and one after, similarity = shared trigrams / all trigrams) and
  registered on the connection as SQL functions. SQLite scans every name with it,
  which is fine at demo size; it is not a production database. Results and ranks are
  the same on both (``word_similarity`` for case titles is written in Python too).

Every call writes one SEARCH audit event with the query text (``audit=False`` is for
callers that audit themselves, e.g. a listing that refreshes as the user types).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Greatest, Replace, Upper
from django.db.models.lookups import GreaterThanOrEqual

from . import access
from . import audit as audit_log
from .models import AuditAction, Identifier, Profile, ProfileAlias
from .models import Case as CaseModel

#: pg_trgm's default ``similarity_threshold``; the SQLite path uses the same figure.
SIMILARITY_THRESHOLD = 0.3
#: Below pg_trgm's default ``word_similarity_threshold`` (0.6), which misses one-letter
#: slips in short words ("famly" in "Johnson family support" scores 0.5); set for the
#: search's transaction on PostgreSQL (``SET LOCAL``) so that ``%>`` keeps its index.
WORD_SIMILARITY_THRESHOLD = 0.5
NAME_FIELDS = ("first_name", "last_name", "preferred_name", "middle_names")
MAX_WORDS = 6
MAX_QUERY_LENGTH = 200
DEFAULT_LIMIT = 20

# Ranks, best first.
EXACT_IDENTIFIER = 4
EXACT_NAME = 3
ALIAS = 2
SIMILAR = 1
RANK_LABELS = {
    EXACT_IDENTIFIER: "Identifier",
    EXACT_NAME: "Exact name",
    ALIAS: "Alias",
    SIMILAR: "Similar name",
}


def match_label(parsed: ParsedQuery, rank: int) -> str:
    """What a profile was found by, in words, for the results screen."""
    label = RANK_LABELS[rank]
    if parsed.date_of_birth and rank != EXACT_IDENTIFIER:
        label = "Date of birth" if not parsed.words else f"{label} and date of birth"
    return label


# Trigram similarity ---------------------------------------------------------------

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def trigrams(text: str) -> set[str]:
    """pg_trgm's trigrams of ``text``: each alphanumeric word, lower-cased, padded with
    two spaces in front and one behind."""
    out: set[str] = set()
    for word in _WORD.findall((text or "").lower()):
        padded = f"  {word} "
        out.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return out


def trigram_similarity(a: str | None, b: str | None) -> float:
    """pg_trgm's ``similarity(a, b)``: shared trigrams over all trigrams (0 when empty)."""
    ta, tb = trigrams(a or ""), trigrams(b or "")
    if not ta or not tb:
        return 0.0
    shared = len(ta & tb)
    return shared / (len(ta) + len(tb) - shared)


def _ordered_trigrams(text: str) -> list[str]:
    out: list[str] = []
    for word in _WORD.findall((text or "").lower()):
        padded = f"  {word} "
        out.extend(padded[i : i + 3] for i in range(len(padded) - 2))
    return out


def word_similarity(needle: str | None, text: str | None) -> float:
    """pg_trgm's ``word_similarity(needle, text)``: the best similarity between
    ``needle``'s trigrams and a continuous run of ``text``'s trigrams, counted as
    shared / (needle's + the run's − shared). Runs that start and end on a shared
    trigram are the only ones that can be best, so only those are measured."""
    mine = trigrams(needle or "")
    if not mine:
        return 0.0
    seq = _ordered_trigrams(text or "")
    best = 0.0
    for start in range(len(seq)):
        if seq[start] not in mine:
            continue
        seen: set[str] = set()
        shared: set[str] = set()
        for trigram in seq[start:]:
            seen.add(trigram)
            if trigram in mine:
                shared.add(trigram)
                best = max(best, len(shared) / (len(mine) + len(seen) - len(shared)))
    return best


def _register_sqlite_functions(conn) -> None:
    raw = conn.connection
    if raw is None or getattr(conn, "_wraparound_trgm", None) is raw:
        return
    raw.create_function("wa_similarity", 2, trigram_similarity, deterministic=True)
    raw.create_function("wa_word_similarity", 2, word_similarity, deterministic=True)
    conn._wraparound_trgm = raw


class Similarity(Func):
    """``similarity(a, b)`` — pg_trgm on PostgreSQL, :func:`trigram_similarity` on SQLite."""

    function = "SIMILARITY"
    output_field = FloatField()

    def as_sqlite(self, compiler, conn, **extra):
        _register_sqlite_functions(conn)
        return super().as_sql(compiler, conn, function="wa_similarity", **extra)


class WordSimilarity(Func):
    """``word_similarity(needle, text)`` — pg_trgm on PostgreSQL, :func:`word_similarity` on SQLite."""

    function = "WORD_SIMILARITY"
    output_field = FloatField()

    def as_sqlite(self, compiler, conn, **extra):
        _register_sqlite_functions(conn)
        return super().as_sql(compiler, conn, function="wa_word_similarity", **extra)


def _on_postgres() -> bool:
    return connection.vendor == "postgresql"


def _similar(column, word: str):
    """``column`` (an upper-cased expression) is similar to ``word``: the indexable
    ``%`` operator on PostgreSQL, the threshold on SQLite."""
    if _on_postgres():
        from django.contrib.postgres.lookups import TrigramSimilar

        return TrigramSimilar(column, Value(word))
    return GreaterThanOrEqual(Similarity(column, Value(word)), SIMILARITY_THRESHOLD)


def _word_similar(word: str, column):
    """``word`` is similar to a part of ``column``: ``column %> word`` on PostgreSQL, which
    compares with ``pg_trgm.word_similarity_threshold`` (see :func:`search`)."""
    if _on_postgres():
        from django.contrib.postgres.lookups import TrigramWordSimilar

        # TrigramWordSimilar(lhs, rhs) is "lhs %> rhs": word_similarity(rhs, lhs) > threshold.
        return TrigramWordSimilar(column, Value(word))
    return GreaterThanOrEqual(WordSimilarity(Value(word), column), WORD_SIMILARITY_THRESHOLD)


# Parsing the query ---------------------------------------------------------------

_DATE_FORMATS = ("%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d-%m-%y", "%d.%m.%Y", "%d.%m.%y", "%Y-%m-%d")
_DATE_TOKEN = re.compile(r"^\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}$")
_SPELLED_DATE = re.compile(r"\b(\d{1,2})\s+([A-Za-z]{3,9})\s+(\d{4})\b")


def parse_date(text: str) -> date | None:
    """A date of birth typed the UK way (day first), or ``None``. Two-digit years are
    taken as the most recent past year ending so (a birth date is never in the future)."""
    for fmt in _DATE_FORMATS:
        try:
            parsed = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if fmt.endswith("%y") and parsed > date.today():
            parsed = parsed.replace(year=parsed.year - 100)
        return parsed
    return None


@dataclass(frozen=True)
class ParsedQuery:
    text: str
    words: tuple[str, ...]
    date_of_birth: date | None
    #: The query upper-cased without spaces, for identifiers and references.
    compact: str

    @property
    def empty(self) -> bool:
        return not (self.words or self.date_of_birth or self.compact)


def parse_query(q: str) -> ParsedQuery:
    text = " ".join((q or "").split())[:MAX_QUERY_LENGTH]
    dob = None
    rest = text
    spelled = _SPELLED_DATE.search(text)
    if spelled:
        for fmt in ("%d %b %Y", "%d %B %Y"):
            try:
                dob = datetime.strptime(spelled.group(0).title(), fmt).date()
                rest = (text[: spelled.start()] + " " + text[spelled.end() :]).strip()
                break
            except ValueError:
                continue
    words = []
    for token in re.split(r"[\s,]+", rest):
        if not token:
            continue
        if dob is None and _DATE_TOKEN.match(token):
            dob = parse_date(token)
            if dob:
                continue
        words.append(token.upper())
    return ParsedQuery(
        text=text,
        words=tuple(words[:MAX_WORDS]),
        date_of_birth=dob,
        compact=re.sub(r"\s+", "", text).upper(),
    )


# Results --------------------------------------------------------------------------

@dataclass
class SearchResults:
    query: ParsedQuery
    profiles: list = field(default_factory=list)
    cases: list = field(default_factory=list)
    #: True when there were more matches than ``limit`` (of that kind).
    more_profiles: bool = False
    more_cases: bool = False

    @property
    def count(self) -> int:
        return len(self.profiles) + len(self.cases)


def _word_matched_ids(word: str):
    """Ids of profiles with a name or alias containing or similar to ``word``: a UNION
    of one select per column, each condition a trigram index's. (One OR across the
    columns and the alias table made PostgreSQL scan every profile: 770 ms against
    97 ms for a rare name among 200,000.)"""
    arms = [
        Profile.objects.filter(Q(**{f"{name}__icontains": word}) | Q(_similar(Upper(F(name)), word)))
        .order_by()
        .values_list("pk", flat=True)
        for name in NAME_FIELDS
    ]
    arms.append(
        ProfileAlias.objects.filter(Q(name__icontains=word) | Q(_similar(Upper(F("name")), word)))
        .order_by()
        .values_list("profile_id", flat=True)
    )
    first, *rest = arms
    return first.union(*rest)


def _word_is_exact_name(word: str) -> Q:
    return Q(*(Q(**{f"{name}__iexact": word}) for name in NAME_FIELDS), _connector=Q.OR)


def _identifier_profiles(compact: str):
    return (
        Identifier.objects.annotate(compact=Upper(Replace(F("value"), Value(" "), Value(""))))
        .filter(compact=compact)
        .values("profile_id")
    )


def _has_identifier_shape(parsed: ParsedQuery) -> bool:
    return bool(parsed.compact) and any(ch.isdigit() for ch in parsed.compact)


def profile_matches(parsed: ParsedQuery) -> Q:
    """The filter for profiles matching ``parsed`` (before access; see the module docs):
    ``pk IN (the matched ids)``, the ids computed as one subquery."""
    person = None
    if parsed.words or parsed.date_of_birth:
        person = Profile.objects.order_by()
        for word in parsed.words:
            person = person.filter(pk__in=_word_matched_ids(word))
        if parsed.date_of_birth:
            person = person.filter(date_of_birth=parsed.date_of_birth)
        person = person.values_list("pk", flat=True)
    if _has_identifier_shape(parsed):
        by_identifier = _identifier_profiles(parsed.compact).order_by().values_list("profile_id", flat=True)
        ids = person.union(by_identifier) if person is not None else by_identifier
    elif person is not None:
        ids = person
    else:
        return Q(pk__in=[])
    return Q(pk__in=ids)


#: Below this many visible profiles, search tests the visible ones row by row.
VISIBLE_FIRST_BELOW = 20_000


def _row_matches(parsed: ParsedQuery) -> Q:
    """The same match as :func:`profile_matches`, written as a condition on each row
    (no index needed), for searching within an already small set."""
    person = None
    if parsed.words or parsed.date_of_birth:
        person = Q()
        for word in parsed.words:
            names = Q(*(Q(**{f"{name}__icontains": word}) | Q(_similar(Upper(F(name)), word))
                        for name in NAME_FIELDS), _connector=Q.OR)
            alias = ProfileAlias.objects.filter(profile_id=OuterRef("pk")).filter(
                Q(name__icontains=word) | Q(_similar(Upper(F("name")), word))
            )
            person &= names | Q(Exists(alias))
        if parsed.date_of_birth:
            person &= Q(date_of_birth=parsed.date_of_birth)
    if _has_identifier_shape(parsed):
        by_identifier = Q(pk__in=_identifier_profiles(parsed.compact).order_by().values("profile_id"))
        return by_identifier | person if person is not None else by_identifier
    return person if person is not None else Q(pk__in=[])


def _profile_rank(parsed: ParsedQuery):
    whens = []
    if _has_identifier_shape(parsed):
        whens.append(When(Q(pk__in=_identifier_profiles(parsed.compact)), then=Value(EXACT_IDENTIFIER)))
    if parsed.words:
        exact = Q()
        exact_or_alias = Q()
        for word in parsed.words:
            exact &= _word_is_exact_name(word)
            alias = ProfileAlias.objects.filter(profile_id=OuterRef("pk"), name__iexact=word)
            exact_or_alias &= _word_is_exact_name(word) | Q(Exists(alias))
        whole_alias = ProfileAlias.objects.filter(profile_id=OuterRef("pk"), name__iexact=" ".join(parsed.words))
        whens.append(When(exact, then=Value(EXACT_NAME)))
        whens.append(When(exact_or_alias | Q(Exists(whole_alias)), then=Value(ALIAS)))
    elif parsed.date_of_birth:
        whens.append(When(Q(date_of_birth=parsed.date_of_birth), then=Value(EXACT_NAME)))
    return Case(*whens, default=Value(SIMILAR), output_field=IntegerField())


def _profile_score(parsed: ParsedQuery):
    """Sum over the words of the best similarity to a name or alias."""
    total = Value(0.0, output_field=FloatField())
    for word in parsed.words:
        best_alias = Subquery(
            ProfileAlias.objects.filter(profile_id=OuterRef("pk"))
            .annotate(s=Similarity(Upper(F("name")), Value(word)))
            .order_by("-s")
            .values("s")[:1],
            output_field=FloatField(),
        )
        total = total + Greatest(
            *(Coalesce(Similarity(Upper(F(name)), Value(word)), 0.0) for name in NAME_FIELDS),
            Coalesce(best_alias, 0.0),
        )
    return total


#: A match the planner expects to be at most this many rows is computed first and
#: intersected with what the user may see (a rare name: a few thousand of a million
#: profiles, found through the trigram indexes); above it, searching within what the user
#: sees is cheaper (see :func:`search_profiles`).
RARE_MATCHES = 10_000


#: Case matches found first and checked one by one against the user's access when there
#: are at most this many (a case reference or a rare word in titles).
RARE_CASE_MATCHES = 200


def _estimated_rows(statements: list[tuple[str, list]], before: tuple[str, list] | None = None) -> list[float]:
    """The planner's estimate of the rows each of ``statements`` returns (EXPLAINs:
    planning only, well under a millisecond for one word's match), in one round trip,
    with ``before`` — the search's settings — sent ahead of them. PostgreSQL only."""
    parts, params = ([before[0]], list(before[1])) if before else ([], [])
    for sql, statement_params in statements:
        parts.append(f"EXPLAIN (FORMAT JSON) {sql}")
        params += statement_params
    estimates = []
    with connection.cursor() as cursor:
        cursor.execute("; ".join(parts), params)
        if before:
            cursor.nextset()
        for _ in statements:
            plan = cursor.fetchone()[0]
            if isinstance(plan, str):
                plan = json.loads(plan)
            estimates.append(float(plan[0]["Plan"]["Plan Rows"]))
            cursor.nextset()
    return estimates


# The rare-word plan (PostgreSQL, profile access index) ------------------------------
#
# The rarest word's matches (trigram indexes) are intersected with the ids the user may
# see (``core.access.visible_root_pks``), then only those few rows are tested against the
# whole query and ranked — one statement. Match, rank and score are those of the ORM
# expressions above (``_word_matched_ids``, ``_row_matches``, ``_profile_rank``,
# ``_profile_score``), written as SQL text: building and compiling the expressions cost
# more than PostgreSQL's work here (3.6 of a 16 ms search for a rare name at scale 1.0).
# tests/core/test_search.py runs every query through both plans and requires the same
# results, ranks and order.

_NAME_COLUMNS = tuple(f'UPPER("core_profile"."{name}"::text)' for name in NAME_FIELDS)
_ALIAS_NAME = "UPPER(a.name::text)"
_IDENTIFIER_SQL = "SELECT i.profile_id FROM core_identifier i WHERE UPPER(REPLACE(i.value, ' ', '')) = %s"


def _contains_or_similar(column: str) -> str:
    """``column`` contains or is similar to a word: two parameters (the LIKE pattern and
    the word), written as Django writes ``icontains`` and ``TrigramSimilar``, so that the
    trigram indexes on ``UPPER(col)`` serve both."""
    return f"({column} LIKE %s OR {column} %% %s)"


def _like(word: str) -> list:
    return [f"%{connection.ops.prep_for_like_query(word)}%", word]


def _word_match_sql(word: str) -> tuple[str, list]:
    """``_word_matched_ids(word)`` as SQL text: one select per column, as UNION ALL (an id
    may come twice; it is only ever tested with ``IN``, and its estimate errs high)."""
    arms = [f"SELECT id FROM core_profile WHERE {_contains_or_similar(col)}" for col in _NAME_COLUMNS]
    arms.append(f"SELECT a.profile_id FROM core_profilealias a WHERE {_contains_or_similar(_ALIAS_NAME)}")
    return " UNION ALL ".join(arms), _like(word) * len(arms)


def _alias_exists(condition: str) -> str:
    return f'EXISTS (SELECT 1 FROM core_profilealias a WHERE a.profile_id = "core_profile"."id" AND {condition})'


def _rare_plan(user, parsed: ParsedQuery, rare_word: str, rare_sql: str, rare_params: list):
    """The visible profiles among the rare word's matches (and, for a query shaped like an
    identifier, its exact identifier matches) that match the whole query, annotated with
    ``search_rank`` and ``search_score``. ``None`` when the engine answers with no
    precomputed id set (an inactive user): use another plan."""
    visible = access.visible_root_pks(Profile, user)
    if not isinstance(visible, RawSQL):
        return None
    identifier = _has_identifier_shape(parsed)
    # UNION ALL and a hashed semi-join with the visible ids: 1 ms less than de-duplicating
    # the matches and INTERSECTing them (measured at scale 1.0).
    found, found_params = rare_sql, list(rare_params)
    if identifier:
        found, found_params = f"{found} UNION ALL {_IDENTIFIER_SQL}", [*found_params, parsed.compact]
    found = f"SELECT id FROM ({found}) AS found(id) WHERE id IN ({visible.sql})"

    # Each other word matches a name or an alias (every row found matches the rare word,
    # or the identifier); the date of birth, if given, is the date.
    match, match_params = [], []
    for word in parsed.words:
        if word == rare_word:
            continue
        names = " OR ".join(_contains_or_similar(col) for col in _NAME_COLUMNS)
        match.append(f"({names} OR {_alias_exists(_contains_or_similar(_ALIAS_NAME))})")
        match_params += _like(word) * (len(_NAME_COLUMNS) + 1)
    if parsed.date_of_birth:
        match.append('"core_profile"."date_of_birth" = %s')
        match_params.append(parsed.date_of_birth)
    match = " AND ".join(match)
    if identifier and match:
        match = f'(({match}) OR "core_profile"."id" IN ({_IDENTIFIER_SQL}))'
        match_params.append(parsed.compact)

    # Rank: identifier > every word an exact name > an alias > similar.
    whens, rank_params = [], []
    if identifier:
        whens.append(f'WHEN "core_profile"."id" IN ({_IDENTIFIER_SQL}) THEN {EXACT_IDENTIFIER}')
        rank_params.append(parsed.compact)
    exact = "(" + " OR ".join(f"{col} = %s" for col in _NAME_COLUMNS) + ")"
    whens.append("WHEN " + " AND ".join([exact] * len(parsed.words)) + f" THEN {EXACT_NAME}")
    exact_or_alias = f"({exact} OR {_alias_exists(f'{_ALIAS_NAME} = %s')})"
    whens.append("WHEN (" + " AND ".join([exact_or_alias] * len(parsed.words)) + ") OR "
                 + _alias_exists(f"{_ALIAS_NAME} = %s") + f" THEN {ALIAS}")
    for word in parsed.words:
        rank_params += [word] * len(_NAME_COLUMNS)
    for word in parsed.words:
        rank_params += [word] * (len(_NAME_COLUMNS) + 1)
    rank_params.append(" ".join(parsed.words))

    # Score: for each word, the best similarity to a name or an alias.
    best = ", ".join([*(f"COALESCE(SIMILARITY({col}, %s), 0)" for col in _NAME_COLUMNS),
                      f"COALESCE((SELECT SIMILARITY({_ALIAS_NAME}, %s) AS s FROM core_profilealias a "
                      'WHERE a.profile_id = "core_profile"."id" ORDER BY s DESC LIMIT 1), 0)'])
    score = " + ".join(["0.0::float8", *[f"GREATEST({best})"] * len(parsed.words)])
    score_params = [word for word in parsed.words for _ in range(len(_NAME_COLUMNS) + 1)]

    rows = Profile.objects.filter(pk__in=RawSQL(found, [*found_params, *visible.params]))
    if match:
        rows = rows.filter(RawSQL(match, match_params, output_field=BooleanField()))
    return (
        rows.annotate(search_rank=RawSQL(f"CASE {' '.join(whens)} ELSE {SIMILAR} END", rank_params,
                                     output_field=IntegerField()),
                  search_score=RawSQL(score, score_params, output_field=FloatField()))
    )


def _rare_word_sql(parsed: ParsedQuery, before: tuple[str, list] | None = None) -> tuple[str, str, list] | None:
    """The query's rarest word and its match as SQL, if the planner expects it to match at
    most :data:`RARE_MATCHES` profiles, else ``None``. ``before`` is sent in the same round
    trip, ahead of the estimates."""
    queries = [(word, *_word_match_sql(word)) for word in parsed.words]
    estimates = _estimated_rows([query[1:] for query in queries], before)
    rows, index = min((rows, i) for i, rows in enumerate(estimates))
    return queries[index] if rows <= RARE_MATCHES else None


def search_profiles(user, parsed: ParsedQuery, limit: int, rare: tuple[str, str, list] | None = None):
    """Up to ``limit + 1`` visible profiles, best first, annotated with ``search_rank``
    and ``search_score``. ``rare``: the rarest word and its match, from
    :func:`_rare_word_sql`, if it is rare (PostgreSQL)."""
    if parsed.empty:
        return []
    rows = _rare_plan(user, parsed, *rare) if rare is not None else None
    # rows is None: no rare word. A rare word (a few thousand matches): its matches that
    # the user may see are found first, then only those few rows are tested against the
    # whole query and ranked, in one statement. (Testing every visible row took ~45 ms for
    # a user who sees 4,365 profiles; the ORM's version of this plan 16 ms, see above.)
    if rows is None:
        if access.uses_profile_index() and access.visible_profile_count(user) <= VISIBLE_FIRST_BELOW:
            # Few visible profiles (most users): test each of them against the words rather
            # than collecting every match in the deployment first — a common fragment
            # matches tens of thousands of people, almost none of them visible (9 s for
            # "son" among 1,000,000, against ~100 ms this way; see docs/performance.md).
            visible = access.restrict(Profile.objects.all(), user).filter(_row_matches(parsed))
        else:
            visible = access.restrict(Profile.objects.filter(profile_matches(parsed)), user)
        rows = visible.annotate(search_rank=_profile_rank(parsed), search_score=_profile_score(parsed))
    rows = rows.select_related("owner_team__organisation").order_by(
        "-search_rank", "-search_score", "last_name", "first_name", "id"
    )
    return list(rows[: limit + 1])


def case_matches(parsed: ParsedQuery) -> Q:
    if not (parsed.words or parsed.compact):
        return Q(pk__in=[])
    by_reference = Q(reference__iexact=parsed.compact)
    if len(parsed.compact) >= 3:
        by_reference |= Q(reference__icontains=parsed.compact)
    by_title = Q()
    for word in parsed.words:
        by_title &= Q(title__icontains=word) | Q(_word_similar(word, Upper(F("title"))))
    if not parsed.words:
        by_title = Q(pk__in=[])
    return by_reference | by_title


def search_cases(user, parsed: ParsedQuery, limit: int):
    if parsed.empty or (parsed.date_of_birth and not parsed.words):
        return []
    matches = CaseModel.objects.filter(case_matches(parsed))
    visible = None
    if _on_postgres():
        # Few matches (found through the trigram indexes) are checked one by one against
        # the user's access; only beyond RARE_CASE_MATCHES are the visible cases computed
        # and tested against the words.
        found = list(matches.order_by().values_list("pk", flat=True)[: RARE_CASE_MATCHES + 1])
        if not found:
            return []
        if len(found) <= RARE_CASE_MATCHES:
            visible = access.restrict(CaseModel.objects.filter(pk__in=found), user, point_lookup=True)
    if visible is None:
        visible = access.restrict(matches, user)
    score = Value(0.0, output_field=FloatField())
    for word in parsed.words:
        score = score + Coalesce(WordSimilarity(Value(word), Upper(F("title"))), 0.0)
    rank = Case(
        When(reference__iexact=parsed.compact, then=Value(EXACT_IDENTIFIER)),
        When(reference__icontains=parsed.compact, then=Value(EXACT_NAME)),
        default=Value(SIMILAR),
        output_field=IntegerField(),
    )
    rows = (
        visible.annotate(search_rank=rank, search_score=score)
        .select_related("owner_team__organisation")
        .order_by("-search_rank", "-search_score", "-opened_on", "-id")
    )
    return list(rows[: limit + 1])


def search(user, q: str, limit: int = DEFAULT_LIMIT, *, audit: bool = True) -> SearchResults:
    """Profiles and cases matching ``q`` that ``user`` may see, best first, at most
    ``limit`` of each. Writes one SEARCH audit event unless ``audit=False``."""
    parsed = parse_query(q)
    results = SearchResults(query=parsed)
    if parsed.empty:
        return results
    with transaction.atomic():
        rare = None
        if _on_postgres():
            # Local to this transaction: other queries keep pg_trgm's defaults.
            # No parallel workers either: starting them costs more than these small,
            # index-driven queries (12 of the 25 ms of a case search, measured).
            settings = ("SELECT set_config('pg_trgm.word_similarity_threshold', %s, true), "
                        "set_config('max_parallel_workers_per_gather', '0', true)", [str(WORD_SIMILARITY_THRESHOLD)])
            if parsed.words and access.uses_profile_index():
                # The settings travel with the words' estimates: one round trip less.
                rare = _rare_word_sql(parsed, before=settings)
            else:
                with connection.cursor() as cursor:
                    cursor.execute(*settings)
        profiles = search_profiles(user, parsed, limit, rare)
        cases = search_cases(user, parsed, limit)
        results.profiles, results.more_profiles = profiles[:limit], len(profiles) > limit
        results.cases, results.more_cases = cases[:limit], len(cases) > limit
        if audit:
            audit_search(user, parsed.text, results)
    return results


def audit_search(user, text: str, results: SearchResults | None = None) -> None:
    """One SEARCH event with the query text (as the listings' searches store it) and
    how many visible records were shown — never anything about records not shown."""
    changes = {"query": text, "scope": "profiles and cases"}
    if results is not None:
        changes["results"] = results.count
    with transaction.atomic(savepoint=False):  # inside search()'s transaction, or its own
        audit_log.record(AuditAction.SEARCH, actor=user, object_type="", changes=changes)

