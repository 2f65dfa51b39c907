"""Property-based test of the access engine against a reference model.

Hypothesis builds a random little world — organisations, teams, users in zero, one or
several teams (some organisation admins, some inactive), profiles and cases with owner
teams, activities (some restricted), relationships — and plays a random sequence of
grants (to a user, a team or an organisation; some already expired, some expiring later),
revokes, transfers of ownership and membership changes through the services. The
:class:`Reference` below computes, in plain Python, every user's level on every record
from the rules in ``core.access``'s docstring; the engine's ``restrict``, ``can``,
``level_for`` and ``visible_pks`` must agree with it for every user, object and level.

Each example runs inside ``transaction.atomic()`` and is rolled back, so each starts
from a clean database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import access, roles, services
from core.access import AccessLevel
from core.models import (
    Activity,
    Case,
    CaseGroupObjectPermission,
    CaseUserObjectPermission,
    Grant,
    Membership,
    Organisation,
    Profile,
    ProfileGroupObjectPermission,
    ProfileUserObjectPermission,
    Relationship,
    Team,
)
from core.services.errors import NotAllowed

User = get_user_model()
LEVELS = (AccessLevel.VIEW, AccessLevel.CONTRIBUTE, AccessLevel.MANAGE)


# --- the reference model: plain data, the rules written out -----------------------------


@dataclass
class RefGrant:
    pk: int
    target: tuple[str, int]  # ("profile" | "case", index)
    grantee: tuple[str, int]  # ("user" | "team" | "organisation", index)
    level: int
    expired: bool = False
    revoked: bool = False

    @property
    def in_force(self) -> bool:
        return not self.revoked and not self.expired


@dataclass
class Reference:
    team_org: list[int]  # team index -> organisation index
    user_teams: dict[int, set[int]]
    user_is_org_admin: dict[int, bool]
    user_active: dict[int, bool]
    owner: dict[tuple[str, int], int]  # ("profile"|"case", index) -> owner team index
    grants: list[RefGrant] = field(default_factory=list)

    def orgs_of(self, u: int) -> set[int]:
        return {self.team_org[t] for t in self.user_teams[u]}

    def level(self, u: int, target: tuple[str, int]) -> int | None:
        if not self.user_active[u]:
            return None
        found = []
        owner = self.owner[target]
        if owner in self.user_teams[u]:
            found.append(AccessLevel.MANAGE)
        if self.user_is_org_admin[u] and self.team_org[owner] in self.orgs_of(u):
            found.append(AccessLevel.MANAGE)
        for g in self.grants:
            if g.target != target or not g.in_force:
                continue
            kind, idx = g.grantee
            if (
                (kind == "user" and idx == u)
                or (kind == "team" and idx in self.user_teams[u])
                or (kind == "organisation" and idx in self.orgs_of(u))
            ):
                found.append(g.level)
        return max(found) if found else None

    def has(self, u: int, target: tuple[str, int], level: int) -> bool:
        got = self.level(u, target)
        return got is not None and got >= level

    def supersede(self, target, grantee) -> None:
        for g in self.grants:
            if g.target == target and g.grantee == grantee:
                g.revoked = True  # expired-but-open grants are closed too


# --- scenarios ------------------------------------------------------------------------


@st.composite
def scenarios(draw):
    n_orgs = draw(st.integers(1, 3))
    team_org = draw(st.lists(st.integers(0, n_orgs - 1), min_size=1, max_size=4))
    n_teams = len(team_org)
    team = st.integers(0, n_teams - 1)
    users = draw(
        st.lists(
            st.fixed_dictionaries({
                "teams": st.sets(team, max_size=min(3, n_teams)),
                "org_admin": st.booleans(),
                "active": st.sampled_from([True, True, True, False]),
            }),
            min_size=1, max_size=4,
        )
    )
    n_users = len(users)
    profiles = draw(st.lists(team, min_size=1, max_size=3))
    cases = draw(st.lists(team, min_size=0, max_size=2))
    targets = [("profile", i) for i in range(len(profiles))] + [("case", i) for i in range(len(cases))]
    target = st.sampled_from(targets)
    parents = [("profile", i) for i in range(len(profiles))] + [
        ("case", i, pi) for i in range(len(cases)) for pi in (None, *range(len(profiles)))
    ]
    activities = draw(
        st.lists(
            st.tuples(st.sampled_from(parents), st.integers(0, n_orgs - 1), st.booleans()), max_size=4
        )
    )
    pairs = [(a, b) for a in range(len(profiles)) for b in range(len(profiles)) if a != b]
    relationships = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=3)) if pairs else []
    actor = st.one_of(st.none(), st.integers(0, n_users - 1))  # None: a steward in every team
    level = st.sampled_from(LEVELS)
    grantee = st.one_of(
        st.tuples(st.just("user"), st.integers(0, n_users - 1)),
        st.tuples(st.just("team"), team),
        st.tuples(st.just("organisation"), st.integers(0, n_orgs - 1)),
    )
    operation = st.one_of(
        st.tuples(st.just("grant"), target, grantee, level, st.sampled_from(["none", "past", "future"]), actor),
        st.tuples(st.just("revoke"), st.integers(0, 20), actor),
        st.tuples(st.just("transfer"), target, team, st.sampled_from([None, *LEVELS]), actor),
        st.tuples(st.just("join"), st.integers(0, n_users - 1), team),
        st.tuples(st.just("leave"), st.integers(0, n_users - 1), team),
    )
    ops = draw(st.lists(operation, max_size=8))
    return {
        "n_orgs": n_orgs, "team_org": team_org, "users": users, "profiles": profiles, "cases": cases,
        "activities": activities, "relationships": relationships, "ops": ops,
    }


# --- building the world and playing the operations --------------------------------------


def _expire_in_database(grant: Grant) -> None:
    # grant_access refuses an expiry in the past; this is a grant whose time ran out.
    past = timezone.now() - timedelta(hours=1)
    Grant.objects.filter(pk=grant.pk).update(expires_at=past)
    for table in (ProfileUserObjectPermission, ProfileGroupObjectPermission,
                  CaseUserObjectPermission, CaseGroupObjectPermission):
        table.objects.filter(grant=grant).update(expires_at=past)


class World:
    def __init__(self, spec: dict):
        roles.sync_roles()
        self.spec = spec
        self.orgs = [Organisation.objects.create(name=f"Org {i}", kind="police") for i in range(spec["n_orgs"])]
        self.teams = [
            Team.objects.create(organisation=self.orgs[o], name=f"Team {i}") for i, o in enumerate(spec["team_org"])
        ]
        practitioner = Group.objects.get(name=roles.PRACTITIONER)
        org_admin = Group.objects.get(name=roles.ORGANISATION_ADMIN)
        self.users = []
        for i, u in enumerate(spec["users"]):
            user = User.objects.create_user(f"u{i}", password="x", is_active=u["active"])
            user.groups.add(org_admin if u["org_admin"] else practitioner)
            for t in sorted(u["teams"]):
                Membership.objects.create(user=user, team=self.teams[t])
            self.users.append(user)
        self.steward = User.objects.create_user("steward", password="x")
        self.steward.groups.add(practitioner)
        for t in self.teams:
            Membership.objects.create(user=self.steward, team=t)
        self.records = {
            **{("profile", i): Profile.objects.create(first_name="P", last_name=str(i), owner_team=self.teams[t])
               for i, t in enumerate(spec["profiles"])},
            **{("case", i): Case.objects.create(
                reference=f"ASB-2026-{i:06d}", programme="asb", case_type="asb_case", stage="reported",
                title=f"Case {i}", owner_team=self.teams[t], opened_on=timezone.localdate())
               for i, t in enumerate(spec["cases"])},
        }
        self.ref = Reference(
            team_org=list(spec["team_org"]),
            user_teams={i: set(u["teams"]) for i, u in enumerate(spec["users"])},
            user_is_org_admin={i: u["org_admin"] for i, u in enumerate(spec["users"])},
            user_active={i: u["active"] for i, u in enumerate(spec["users"])},
            owner={key: (spec["profiles"] if key[0] == "profile" else spec["cases"])[key[1]] for key in self.records},
        )
        # activity pk -> (parent key, recording organisation, restricted)
        self.activities = {}
        for parent, org, restricted in spec["activities"]:
            if parent[0] == "profile":
                kwargs, key = {"profile": self.records[parent]}, parent
            else:
                key = ("case", parent[1])
                kwargs = {"case": self.records[key]}
                if parent[2] is not None:
                    kwargs["profile"] = self.records[("profile", parent[2])]
            a = Activity.objects.create(occurred_at=timezone.now(), summary="entry", organisation=self.orgs[org],
                                        restricted=restricted, **kwargs)
            self.activities[a.pk] = (key, org, restricted)
        self.relationships = {}
        for a, b in spec["relationships"]:
            rel = Relationship.objects.create(from_profile=self.records[("profile", a)],
                                              to_profile=self.records[("profile", b)], kind="associate")
            self.relationships[rel.pk] = (("profile", a), ("profile", b))

    def fresh(self, user):
        # A new instance per check: nothing cached from before the membership changes.
        return User.objects.get(pk=user.pk)

    def actor(self, who):
        return self.fresh(self.steward if who is None else self.users[who])

    def actor_may_manage(self, who, key) -> bool:
        return True if who is None else self.ref.has(who, key, AccessLevel.MANAGE)

    def grantee(self, kind, idx):
        if kind == "user":
            return self.users[idx]
        return self.teams[idx] if kind == "team" else self.orgs[idx]

    def play(self, op) -> None:
        getattr(self, f"_{op[0]}")(*op[1:])

    def _grant(self, key, grantee, level, expiry, who):
        target = type(self.records[key]).objects.get(pk=self.records[key].pk)
        kind, idx = grantee
        expires_at = timezone.now() + timedelta(days=1) if expiry == "future" else None
        call = lambda: services.grant_access(  # noqa: E731
            target, self.grantee(kind, idx), level, by=self.actor(who), reason="Joint work", expires_at=expires_at
        )
        if not self.actor_may_manage(who, key):
            with pytest.raises(NotAllowed):
                call()
            return
        invalid = (kind == "user" and not self.ref.user_active[idx]) or (
            kind == "team" and idx == self.ref.owner[key]
        )
        if invalid:
            with pytest.raises(ValidationError) as refused:
                call()
            assert not isinstance(refused.value, NotAllowed)
            return
        grant = call()
        self.ref.supersede(key, grantee)
        if expiry == "past":
            _expire_in_database(grant)
        self.ref.grants.append(RefGrant(grant.pk, key, grantee, level, expired=expiry == "past"))

    def _revoke(self, choice, who):
        if not self.ref.grants:
            return
        ref_grant = self.ref.grants[choice % len(self.ref.grants)]
        call = lambda: services.revoke_grant(  # noqa: E731
            Grant.objects.get(pk=ref_grant.pk), by=self.actor(who), reason="Done"
        )
        if not self.actor_may_manage(who, ref_grant.target):
            with pytest.raises(NotAllowed):
                call()
        elif ref_grant.revoked:
            with pytest.raises(ValidationError):
                call()
        else:
            call()
            ref_grant.revoked = True

    def _transfer(self, key, team, previous_level, who):
        target = type(self.records[key]).objects.get(pk=self.records[key].pk)
        call = lambda: services.transfer_ownership(  # noqa: E731
            target, self.teams[team], by=self.actor(who), reason="Moved", previous_owner_level=previous_level,
            consent_reviewed=True,
        )
        if not self.actor_may_manage(who, key):
            with pytest.raises(NotAllowed):
                call()
            return
        if team == self.ref.owner[key]:
            with pytest.raises(ValidationError):
                call()
            return
        kept = call()
        previous = self.ref.owner[key]
        self.ref.supersede(key, ("team", team))
        self.ref.owner[key] = team
        if previous_level is None:
            assert kept is None
        else:
            self.ref.supersede(key, ("team", previous))
            self.ref.grants.append(RefGrant(kept.pk, key, ("team", previous), previous_level))

    def _join(self, u, team):
        services.add_member(self.teams[team], self.users[u], by=self.steward)
        self.ref.user_teams[u].add(team)

    def _leave(self, u, team):
        services.remove_member(self.teams[team], self.users[u], by=self.steward)
        self.ref.user_teams[u].discard(team)

    # --- what the reference model expects ---

    def expected(self, u: int, model, level) -> set:
        ref = self.ref
        if model in (Profile, Case):
            kind = "profile" if model is Profile else "case"
            return {obj.pk for key, obj in self.records.items() if key[0] == kind and ref.has(u, key, level)}
        if model is Activity:
            return {
                pk for pk, (key, org, restricted) in self.activities.items()
                if ref.has(u, key, level) and (not restricted or org in ref.orgs_of(u))
            }
        if model is Relationship:
            return {pk for pk, (a, b) in self.relationships.items() if ref.has(u, a, level) and ref.has(u, b, level)}
        if model is Grant:
            return {g.pk for g in ref.grants if ref.has(u, g.target, level)}
        raise AssertionError(model)

    def all_pks(self, model) -> list:
        return list(model.objects.values_list("pk", flat=True))


def check_agreement(world: World) -> None:
    models = (Profile, Case, Activity, Relationship, Grant)
    for u, user in enumerate(world.users):
        user = world.fresh(user)
        for model in models:
            pks = world.all_pks(model)
            for level in LEVELS:
                want = world.expected(u, model, level)
                got = set(access.restrict(model.objects.all(), user, level).values_list("pk", flat=True))
                assert got == want, f"restrict {model.__name__} {level.label} for user {u}"
                assert access.visible_pks(user, model, pks, level) == want, (
                    f"visible_pks {model.__name__} {level.label} for user {u}"
                )
        for key, obj in world.records.items():
            obj = type(obj).objects.get(pk=obj.pk)
            assert access.level_for(user, obj) == world.ref.level(u, key), f"level_for {key} for user {u}"
            for level in LEVELS:
                assert access.can(user, obj, level) == world.ref.has(u, key, level), f"can {key} {level} user {u}"
        for pk, (key, org, restricted) in world.activities.items():
            a = Activity.objects.get(pk=pk)
            for level in LEVELS:
                want = world.ref.has(u, key, level) and (not restricted or org in world.ref.orgs_of(u))
                assert access.can(user, a, level) == want, f"can activity {pk} {level} user {u}"


class _Rollback(Exception):
    pass


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=scenarios())
def test_engine_agrees_with_reference_model(spec):
    try:
        with transaction.atomic():
            world = World(spec)
            for op in spec["ops"]:
                world.play(op)
            check_agreement(world)
            raise _Rollback
    except _Rollback:
        pass
