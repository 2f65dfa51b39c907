"""Editing a profile as one form: its own fields and the roles, warning markers,
identifiers, aliases and addresses that hang off it, saved together.

One transaction, one audit event listing what changed, and the optimistic version
check of ``update_profile``: if someone else saved the profile since the form was
loaded, nothing is written."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from .. import audit
from ..access import AccessLevel
from ..models import (
    Address,
    AuditAction,
    Identifier,
    PersonRole,
    Profile,
    ProfileAlias,
    WarningMarker,
)
from .errors import full_clean_or_raise, require_level, save_versioned
from .people import (
    EDITABLE_FIELDS,
    _check_codes,
    _profile_snapshot,
    identifier_taken,
    validate_identifier,
)

ADDRESS_FIELDS = ("kind", "line1", "line2", "town", "county", "postcode", "current", "valid_from", "valid_to")


@transaction.atomic
def edit_profile(
    profile: Profile,
    *,
    by,
    changes: dict,
    expected_version: int,
    person_roles=None,
    warning_markers=None,
    identifiers=None,
    aliases=None,
    addresses=None,
) -> Profile:
    """Save ``changes`` to the profile's fields and, for each of the other arguments
    that is not ``None``, make the profile's set exactly that: ``person_roles`` and
    ``warning_markers`` are codes, ``identifiers`` ``[(kind, value)]``, ``aliases``
    ``[(name, kind)]``, ``addresses`` dicts of :data:`ADDRESS_FIELDS`. Kept markers
    keep their note and who added them."""
    require_level(by, profile, AccessLevel.CONTRIBUTE, "edit this profile")
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    fresh = Profile.objects.select_for_update().get(pk=profile.pk)
    before = _profile_snapshot(fresh)
    for key, value in changes.items():
        setattr(fresh, key, value)
    full_clean_or_raise(fresh)
    diff = audit.changes_between(before, _profile_snapshot(fresh))

    if person_roles is not None:
        roles = _check_codes("person_roles", person_roles, "person_roles")
        old = set(fresh.person_roles.values_list("role", flat=True))
        if old != set(roles):
            fresh.person_roles.exclude(role__in=roles).delete()
            PersonRole.objects.bulk_create([PersonRole(profile=fresh, role=r) for r in roles if r not in old])
            diff["person_roles"] = [sorted(old), sorted(roles)]
    if warning_markers is not None:
        markers = _check_codes("warning_markers", warning_markers, "warning_markers")
        old = set(fresh.warning_markers.values_list("marker", flat=True))
        if old != set(markers):
            fresh.warning_markers.exclude(marker__in=markers).delete()
            WarningMarker.objects.bulk_create(
                [WarningMarker(profile=fresh, marker=m, added_by=by) for m in markers if m not in old]
            )
            diff["warning_markers"] = [sorted(old), sorted(markers)]
    if identifiers is not None:
        wanted = {(k, validate_identifier(k, v)) for k, v in identifiers}
        taken = any(
            (i.kind, i.value) in wanted
            for i in Identifier.objects.exclude(profile_id=fresh.pk).filter(
                kind__in=[k for k, _ in wanted], value__in=[v for _, v in wanted]
            )
        )
        if taken:
            raise identifier_taken()
        old = set(fresh.identifiers.values_list("kind", "value"))
        if old != wanted:
            fresh.identifiers.all().delete()
            Identifier.objects.bulk_create([Identifier(profile=fresh, kind=k, value=v) for k, v in sorted(wanted)])
            # Which kinds changed, not the numbers themselves.
            diff["identifiers"] = sorted({k for k, _ in old ^ wanted})
    if aliases is not None:
        # Blank names are dropped; an error names the item by its place in the list sent.
        sent = [(i, ProfileAlias(profile=fresh, name=(n or "").strip(), kind=k)) for i, (n, k) in enumerate(aliases)]
        items = [item for _, item in sent if item.name]
        for i, item in sent:
            if item.name:
                full_clean_or_raise(item, exclude=["profile"], where=f"aliases.{i}")
        old = sorted(fresh.aliases.values_list("name", "kind"))
        if old != sorted((a.name, a.kind) for a in items):
            fresh.aliases.all().delete()
            ProfileAlias.objects.bulk_create(items)
            diff["aliases"] = [[n for n, _ in old], [a.name for a in items]]
    if addresses is not None:
        items = [Address(profile=fresh, **{f: data.get(f) for f in ADDRESS_FIELDS if f in data}) for data in addresses]
        for i, item in enumerate(items):
            full_clean_or_raise(item, exclude=["profile"], where=f"addresses.{i}")
        if sum(1 for a in items if a.current) > 1:
            raise ValidationError({"addresses": "Only one address can be the current one."})
        old = [tuple(getattr(a, f) for f in ADDRESS_FIELDS) for a in fresh.addresses.order_by("id")]
        if old != [tuple(getattr(a, f) for f in ADDRESS_FIELDS) for a in items]:
            fresh.addresses.all().delete()
            Address.objects.bulk_create(items)
            diff["addresses"] = {"count": [len(old), len(items)], "postcodes": [a.postcode for a in items]}

    if not diff:
        return fresh  # nothing changed: no new version, no event
    save_versioned(fresh, expected_version, list(changes))
    audit.record(AuditAction.UPDATE, fresh, actor=by, changes=diff)
    profile.__dict__.update(fresh.__dict__)
    return fresh
