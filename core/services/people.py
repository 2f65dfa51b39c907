"""Profiles and what hangs off them."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import transaction

from .. import audit, uploads
from ..access import AccessLevel
from ..models import (
    Address,
    AuditAction,
    Household,
    HouseholdMember,
    Identifier,
    Membership,
    PersonRole,
    Profile,
    ProfileAlias,
    Relationship,
    Team,
    WarningMarker,
)
from ..plugins.registry import registry
from ..roles import ORGANISATION_ADMIN, has_role
from .errors import full_clean_or_raise, require_level, require_perm, save_versioned

#: Profile fields a contributor may change through update_profile.
EDITABLE_FIELDS = (
    "first_name", "middle_names", "last_name", "preferred_name", "date_of_birth",
    "date_of_birth_approximate", "gender", "phone", "email", "photo", "risk_level",
    "consent_to_share", "lawful_basis", "consent_recorded_on", "notes",
)


def can_act_for_team(user, team: Team) -> bool:
    """A user may create records owned by a team they belong to, or by any team of an
    organisation they administer."""
    if Membership.objects.filter(user=user, team=team).exists():
        return True
    return has_role(user, ORGANISATION_ADMIN) and Membership.objects.filter(
        user=user, team__organisation_id=team.organisation_id
    ).exists()


def _clean_photo(fields: dict) -> dict:
    """An uploaded photo is sniffed, size-limited and re-encoded (core.uploads) before
    anything is stored; a bad one is refused with a message on the photo field."""
    if not hasattr(fields.get("photo"), "read"):
        return fields
    try:
        return {**fields, "photo": uploads.clean_image(fields["photo"]).content}
    except ValidationError as exc:
        raise ValidationError({"photo": exc.messages}) from exc


def _profile_snapshot(profile: Profile) -> dict:
    return {f: getattr(profile, f) for f in EDITABLE_FIELDS if f != "photo"} | {
        "photo": profile.photo.name if profile.photo else ""
    }


IDENTIFIER_TAKEN = (
    "This identifier is already recorded on a profile: the same person cannot be recorded twice. "
    "Use that profile, or request access to it from its owner if you cannot see it."
)


def identifier_taken() -> ValidationError:
    """The refusal of an identifier recorded elsewhere. It says no more than that: not
    which profile, whose, or how many — the caller may not see them (a duplicate
    warning's access request is the way to them)."""
    return ValidationError({"identifiers": ValidationError(IDENTIFIER_TAKEN, code="identifier_taken")})


def validate_identifier(kind: str, value: str) -> str:
    value = (value or "").strip().upper() if kind in ("pnc", "ni") else (value or "").strip()
    spec = registry.identifier_types.get(kind)
    if spec is None:
        raise ValidationError({"identifiers": f"Unknown identifier type {kind!r}."})
    if not value:
        raise ValidationError({"identifiers": f"Give a value for the {spec.label}."})
    if spec.pattern and not re.fullmatch(spec.pattern, value):
        raise ValidationError({"identifiers": f"{value!r} is not a valid {spec.label}. {spec.help_text}".strip()})
    return value


def _check_codes(table: str, codes, field: str) -> list[str]:
    known = getattr(registry, table)
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise ValidationError({field: f"Unknown: {', '.join(unknown)}."})
    return list(dict.fromkeys(codes))


@transaction.atomic
def create_profile(
    *,
    by,
    owner_team: Team,
    person_roles=(),
    warning_markers=(),
    identifiers=(),
    aliases=(),
    addresses=(),
    possible_duplicates=(),
    **fields,
) -> Profile:
    """Create a profile owned by ``owner_team`` with its roles, markers, identifiers
    (``[(kind, value)]``), aliases (names) and addresses (dicts). One audit event.

    ``possible_duplicates``: pks of existing profiles the user was warned about and
    chose to create anyway; kept in the audit event so the decision can be reviewed."""
    require_perm(by, "core.add_profile", "create profiles")
    if not can_act_for_team(by, owner_team):
        raise ValidationError({"owner_team": "You can only create profiles for your own teams."})
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown profile fields: {', '.join(sorted(unknown))}.")
    fields = _clean_photo(fields)
    profile = Profile(owner_team=owner_team, created_by=by, **fields)
    profile.first_name = (profile.first_name or "").strip()
    profile.last_name = (profile.last_name or "").strip()
    full_clean_or_raise(profile)
    roles = _check_codes("person_roles", person_roles, "person_roles")
    markers = _check_codes("warning_markers", warning_markers, "warning_markers")
    cleaned_ids = [(k, validate_identifier(k, v)) for k, v in identifiers]
    if any(Identifier.objects.filter(kind=k, value=v).exists() for k, v in cleaned_ids):
        raise identifier_taken()
    profile.save()
    PersonRole.objects.bulk_create([PersonRole(profile=profile, role=r) for r in roles])
    WarningMarker.objects.bulk_create([WarningMarker(profile=profile, marker=m, added_by=by) for m in markers])
    Identifier.objects.bulk_create([Identifier(profile=profile, kind=k, value=v) for k, v in cleaned_ids])
    ProfileAlias.objects.bulk_create([ProfileAlias(profile=profile, name=a.strip()) for a in aliases if a.strip()])
    for i, data in enumerate(addresses):
        address = Address(profile=profile, **data)
        full_clean_or_raise(address, exclude=["profile"], where=f"addresses.{i}")
        address.save()
    audit.record(
        AuditAction.CREATE, profile, actor=by,
        changes={"owner_team": str(owner_team), "person_roles": roles, "warning_markers": markers,
                 "identifiers": [k for k, _ in cleaned_ids]}
        | ({"created_despite_possible_duplicates": sorted(possible_duplicates)} if possible_duplicates else {}),
    )
    return profile


@transaction.atomic
def update_profile(profile: Profile, *, by, changes: dict, expected_version: int | None = None) -> Profile:
    """Change profile fields. Refused (nothing saved) if the profile changed since
    ``expected_version`` was read."""
    require_level(by, profile, AccessLevel.CONTRIBUTE, "edit this profile")
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    changes = _clean_photo(changes)
    fresh = Profile.objects.get(pk=profile.pk)
    before = _profile_snapshot(fresh)
    expected = profile.version if expected_version is None else expected_version
    for key, value in changes.items():
        setattr(fresh, key, value)
    full_clean_or_raise(fresh)
    if fresh.photo and "photo" in changes and hasattr(changes["photo"], "read"):
        fresh.photo.save(changes["photo"].name, changes["photo"], save=False)
    save_versioned(fresh, expected, list(changes))
    diff = audit.changes_between(before, _profile_snapshot(fresh))
    audit.record(AuditAction.UPDATE, fresh, actor=by, changes=diff)
    profile.__dict__.update(fresh.__dict__)
    return fresh


@transaction.atomic
def set_person_roles(profile: Profile, roles, *, by) -> list[str]:
    require_level(by, profile, AccessLevel.CONTRIBUTE, "change this profile")
    roles = _check_codes("person_roles", roles, "person_roles")
    before = set(profile.person_roles.values_list("role", flat=True))
    profile.person_roles.exclude(role__in=roles).delete()
    PersonRole.objects.bulk_create([PersonRole(profile=profile, role=r) for r in roles if r not in before])
    audit.record(AuditAction.UPDATE, profile, actor=by, changes={"person_roles": [sorted(before), sorted(roles)]})
    return roles


@transaction.atomic
def add_warning_marker(profile: Profile, marker: str, *, by, note: str = "") -> WarningMarker:
    require_level(by, profile, AccessLevel.CONTRIBUTE, "change this profile")
    _check_codes("warning_markers", [marker], "marker")
    if profile.warning_markers.filter(marker=marker).exists():
        raise ValidationError({"marker": "This marker is already on the profile."})
    item = WarningMarker.objects.create(profile=profile, marker=marker, note=note.strip(), added_by=by)
    audit.record(AuditAction.UPDATE, profile, actor=by, changes={"warning_markers": {"added": marker}})
    return item


@transaction.atomic
def add_identifier(profile: Profile, kind: str, value: str, *, by) -> Identifier:
    require_level(by, profile, AccessLevel.CONTRIBUTE, "change this profile")
    value = validate_identifier(kind, value)
    if Identifier.objects.filter(kind=kind, value=value).exists():
        raise identifier_taken()
    item = Identifier.objects.create(profile=profile, kind=kind, value=value)
    audit.record(AuditAction.UPDATE, profile, actor=by, changes={"identifiers": {"added": kind}})
    return item


@transaction.atomic
def add_alias(profile: Profile, name: str, *, by, kind: str = ProfileAlias.Kind.ALIAS) -> ProfileAlias:
    require_level(by, profile, AccessLevel.CONTRIBUTE, "change this profile")
    alias = ProfileAlias(profile=profile, name=(name or "").strip(), kind=kind)
    full_clean_or_raise(alias)
    alias.save()
    audit.record(AuditAction.UPDATE, profile, actor=by, changes={"aliases": {"added": alias.name}})
    return alias


@transaction.atomic
def add_address(profile: Profile, *, by, **data) -> Address:
    require_level(by, profile, AccessLevel.CONTRIBUTE, "change this profile")
    address = Address(profile=profile, **data)
    full_clean_or_raise(address)
    if address.current:
        profile.addresses.filter(current=True).update(current=False)
    address.save()
    audit.record(AuditAction.UPDATE, profile, actor=by, changes={"addresses": {"added": address.postcode}})
    return address


@transaction.atomic
def add_relationship(from_profile: Profile, to_profile: Profile, kind: str, *, by, note: str = "") -> Relationship:
    """Relate two profiles; the user needs contribute on the first and view on the second."""
    if from_profile.pk == to_profile.pk:
        raise ValidationError({"to_profile": "A person cannot be related to themselves."})
    require_level(by, from_profile, AccessLevel.CONTRIBUTE, "change this profile")
    require_level(by, to_profile, AccessLevel.VIEW, "relate these profiles")
    rel = Relationship(from_profile=from_profile, to_profile=to_profile, kind=kind, note=note.strip(), created_by=by)
    full_clean_or_raise(rel)
    rel.save()
    audit.record(AuditAction.LINK, from_profile, actor=by,
                 changes={"relationship": rel.get_kind_display(), "to_profile": to_profile.pk})
    return rel


def record_view(obj, *, by, justification: str = "", part: str = "") -> None:
    """Audit that ``by`` opened a profile or case (consultation under s.62); ``part``
    names the part of it opened on its own (a tab of the profile hub loaded on demand)."""
    with transaction.atomic():
        audit.record(AuditAction.VIEW, obj, actor=by, justification=justification,
                     changes={"part": part} if part else None)


@transaction.atomic
def create_household(*, by, owner_team: Team, name: str, kind: str = Household.Kind.FAMILY,
                     members=()) -> Household:
    """A family or group of profiles worked with together; ``members`` are
    ``[(profile, role)]`` the user may view. One audit event."""
    if not can_act_for_team(by, owner_team):
        raise ValidationError({"owner_team": "You can only create households for your own teams."})
    household = Household(name=(name or "").strip(), kind=kind, owner_team=owner_team)
    full_clean_or_raise(household)
    for profile, _role in members:
        require_level(by, profile, AccessLevel.VIEW, "add this person to a household")
    household.save()
    HouseholdMember.objects.bulk_create(
        [HouseholdMember(household=household, profile=p, role=r) for p, r in members]
    )
    audit.record(AuditAction.CREATE, household, actor=by,
                 changes={"members": [p.pk for p, _ in members], "kind": kind})
    return household


@transaction.atomic
def add_household_member(household: Household, profile: Profile, *, by, role: str = "") -> HouseholdMember:
    if not can_act_for_team(by, household.owner_team):
        raise ValidationError({"household": "Only the owner team can change this household."})
    require_level(by, profile, AccessLevel.VIEW, "add this person to a household")
    if household.memberships.filter(profile=profile).exists():
        raise ValidationError({"profile": "This person is already in the household."})
    member = HouseholdMember.objects.create(household=household, profile=profile, role=role.strip())
    audit.record(AuditAction.LINK, household, actor=by, changes={"member": profile.pk, "role": member.role})
    return member
