"""Core's import resource: profiles with their identifiers, aliases, address, person
roles and warning markers.

Matching (so that importing the same sheet twice updates instead of duplicating): a row
is the same person as an existing profile when one of its identifiers is recorded on
that profile; failing that, when first name, last name and date of birth are equal
(case aside). A row matching several profiles, or a profile the importer may not change,
is an error — and the second says nothing about the profile it matched. Updates fill in
what the row gives (a blank cell never clears a field) and add identifiers, aliases,
roles, markers and a new current address; they are allowed only on profiles owned by the
import's owner team, so that every record an import touches has that team's access."""

from __future__ import annotations

from datetime import date

from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone

from ..access import AccessLevel, visible_pks
from ..models import (
    Activity,
    Address,
    AuditAction,
    AuditEvent,
    CaseParticipant,
    HouseholdMember,
    Identifier,
    ImportedRecord,
    PersonRole,
    Profile,
    ProfileAlias,
    Relationship,
    WarningMarker,
)
from ..plugins.registry import registry
from ..services.people import validate_identifier
from . import widgets as w
from .fastwrite import insert_rows
from .resources import Context, ImportField, ImportResource, Row, audit_events, audit_rows

PROFILE_FIELDS = (
    "first_name", "middle_names", "last_name", "preferred_name", "date_of_birth", "date_of_birth_approximate",
    "gender", "phone", "email", "risk_level", "consent_to_share", "lawful_basis", "consent_recorded_on", "notes",
)
ADDRESS_FIELDS = ("line1", "line2", "town", "county", "postcode")
#: The one thing said of a row matching a profile the importer may not change.
HIDDEN_MATCH = ("Matches an existing record you may not change, so it cannot be imported. "
                "Ask its owner to share it with your team, or leave the row out.")
#: Actions on a profile that do not change it (an undo is not blocked by someone reading it).
READS = (AuditAction.VIEW, AuditAction.SEARCH, AuditAction.EXPORT, AuditAction.PRINT)


def _max(name: str, model=Profile) -> int:
    return model._meta.get_field(name).max_length


class ProfileResource(ImportResource):
    code = "profiles"
    label = "Profiles (people)"
    description = "Cohort lists, nominal lists, families lists: one row per person."
    model = Profile

    def get_fields(self) -> list[ImportField]:
        P = Profile
        fields = [
            ImportField("first_name", "First name", w.NameWidget(_max("first_name")),
                        ("forename", "forenames", "given name", "christian name", "fname"), required=True),
            ImportField("middle_names", "Middle names", w.NameWidget(_max("middle_names")), ("middle name",)),
            ImportField("last_name", "Last name", w.NameWidget(_max("last_name")),
                        ("surname", "family name", "lname", "second name"), required=True),
            ImportField("preferred_name", "Preferred name", w.NameWidget(_max("preferred_name")),
                        ("known as", "preferred")),
            ImportField("date_of_birth", "Date of birth", w.UKDateWidget(past=True),
                        ("dob", "d.o.b", "birth date", "born", "birthdate")),
            ImportField("date_of_birth_approximate", "Date of birth is approximate", w.YesNoWidget(),
                        ("dob approx", "dob estimated", "approx dob")),
            ImportField("gender", "Gender", w.ChoiceWidget(P.Gender.choices, {
                "m": "male", "f": "female", "man": "male", "woman": "female", "boy": "male", "girl": "female",
                "nb": "non_binary", "u": "unknown", "not stated": "unknown"}), ("sex",)),
            ImportField("phone", "Phone", w.TextWidget(_max("phone")), ("tel", "telephone", "mobile", "phone number")),
            ImportField("email", "E-mail", w.EmailWidget(254), ("email address", "e-mail address")),
            ImportField("risk_level", "Risk level", w.ChoiceWidget(P._meta.get_field("risk_level").choices, {
                "med": "medium", "v high": "very_high", "n/a": "unknown", "not known": "unknown"}),
                ("risk", "rag", "risk rating")),
            ImportField("consent_to_share", "Consent to share", w.ChoiceWidget(P.Consent.choices, {
                "yes": "given", "y": "given", "no": "refused", "n": "refused", "not asked": "not_sought"}),
                ("consent",)),
            ImportField("lawful_basis", "Lawful basis", w.ChoiceWidget(P.LawfulBasis.choices, {
                "dpa s31": "crime_prevention", "s31": "crime_prevention", "crime": "crime_prevention"}),
                ("legal basis", "basis for sharing")),
            ImportField("notes", "Notes", w.TextWidget(), ("comments", "note", "remarks")),
        ]
        for spec in registry.identifier_types.values():
            fields.append(ImportField(
                f"identifier:{spec.code}", spec.label, w.TextWidget(_max("value", Identifier)),
                (spec.code, f"{spec.code} number", f"{spec.code} no", f"{spec.code} id", f"{spec.code} ref"),
                help_text=spec.help_text,
            ))
        fields += [
            ImportField("aliases", "Aliases", w.ListWidget(_max("name", ProfileAlias)),
                        ("alias", "aka", "also known as", "nicknames", "street name")),
            ImportField("address_line1", "Address line 1", w.TextWidget(_max("line1", Address)),
                        ("address", "street", "address 1", "house", "home address")),
            ImportField("address_line2", "Address line 2", w.TextWidget(_max("line2", Address)), ("address 2",)),
            ImportField("address_town", "Town", w.TextWidget(_max("town", Address)), ("city", "town/city")),
            ImportField("address_county", "County", w.TextWidget(_max("county", Address)), ()),
            ImportField("address_postcode", "Postcode", w.PostcodeWidget(), ("post code", "pcode")),
            ImportField("person_roles", "Person roles", w.CodeListWidget(registry.choices("person_roles")),
                        ("roles", "role", "type")),
            ImportField("warning_markers", "Warning markers", w.CodeListWidget(registry.choices("warning_markers")),
                        ("markers", "warnings", "warning", "flags")),
        ]
        return fields

    def clean(self, raw):
        values, errors = super().clean(raw)
        failed = {name for name, _ in errors}
        for name, value in list(values.items()):
            if name.startswith("identifier:") and value and name not in failed:
                try:
                    values[name] = validate_identifier(name.split(":", 1)[1], value)
                except Exception as exc:  # ValidationError: one message per cell
                    errors.append((name, " ".join(getattr(exc, "messages", [str(exc)]))))
        if values.get("consent_to_share") == Profile.Consent.REFUSED and not values.get("lawful_basis"):
            errors.append(("consent_to_share", "Consent was refused: give the lawful basis for sharing without it."))
        if not values.get("address_line1") and any(values.get(f"address_{f}") for f in ADDRESS_FIELDS[1:]):
            errors.append(("address_line1", "An address needs its first line."))
        return values, errors

    # Matching -----------------------------------------------------------------------
    def plan(self, rows: list[Row], ctx: Context) -> None:
        ok = [r for r in rows if not r.errors]
        self._find_duplicates_in_file(ok, ctx)
        ok = [r for r in ok if not r.errors]
        by_identifier: dict[tuple[str, str], int] = {}
        wanted: dict[str, set[str]] = {}
        for r in ok:
            for kind, value in _identifiers(r.values):
                wanted.setdefault(kind, set()).add(value)
        for kind, values in wanted.items():
            for value, pk in Identifier.objects.filter(kind=kind, value__in=values).values_list("value", "profile_id"):
                by_identifier[(kind, value)] = pk
        found_by_row: dict[int, set[int]] = {}
        for r in ok:
            found_by_row[r.number] = {by_identifier[k] for k in _identifiers(r.values) if k in by_identifier}
        by_name = self._match_by_name([r for r in ok if not found_by_row[r.number]])
        for r in ok:
            if not found_by_row[r.number]:
                found_by_row[r.number] = set(by_name.get(_name_key(r.values), []))
        # One access query for every candidate of the batch. A row whose candidates
        # include one the importer may not change gets one message, without a count or
        # anything else about the records it matched: they may belong to another
        # organisation, and how many there are is already a disclosure.
        candidates = set().union(*found_by_row.values()) if found_by_row else set()
        may_change = visible_pks(ctx.user, Profile, candidates, AccessLevel.CONTRIBUTE)
        for r in ok:
            found = found_by_row[r.number]
            if found - may_change:
                r.errors.append(("", HIDDEN_MATCH))
            elif len(found) > 1 and any(k in by_identifier for k in _identifiers(r.values)):
                r.errors.append(("", "Its identifiers are recorded on different existing profiles; "
                                     "correct the identifiers."))
            elif len(found) > 1:
                r.errors.append(("", f"Matches {len(found)} existing profiles by name and date of birth; "
                                     "add an identifier to say which."))
            elif found:
                r.target = next(iter(found))
        profiles = Profile.objects.filter(pk__in=may_change).select_related("owner_team").prefetch_related(
            "identifiers", "aliases", "person_roles", "warning_markers", "addresses")
        profiles = ctx.cache["profiles"] = {p.pk: p for p in profiles}
        for r in ok:
            if r.errors:
                continue
            if r.target is None:
                r.action, r.summary = "create", _describe(r.values)
                continue
            profile = profiles.get(r.target)
            if profile is None:  # deleted meanwhile: a new profile would not be what the row means
                r.errors.append(("", HIDDEN_MATCH))
                r.target = None
            elif profile.owner_team_id != ctx.owner_team.pk:
                r.errors.append(("", f"Matches {profile.full_name}, owned by {profile.owner_team}; an import "
                                     f"updates only profiles owned by {ctx.owner_team}."))
            else:
                changes = _field_changes(profile, r.values) | _child_changes(profile, r.values)
                if changes:
                    r.action, r.summary = "update", f"{profile.full_name}: {', '.join(sorted(changes))}"
                else:
                    r.action, r.summary = "skip", f"{profile.full_name}: already up to date"

    def _find_duplicates_in_file(self, rows: list[Row], ctx: Context) -> None:
        for r in rows:
            keys = [(("id", k, v), f"identifier:{k}") for k, v in _identifiers(r.values)]
            if r.values.get("date_of_birth"):
                keys.append((("name", *_name_key(r.values)), "last_name"))
            earlier = [(ctx.seen[k], column) for k, column in keys if k in ctx.seen]
            if earlier:
                row, column = earlier[0]
                r.errors.append((column, f"The same person as row {row}: merge the two rows."))
                continue
            for k, _ in keys:
                ctx.seen[k] = r.number

    def _match_by_name(self, rows: list[Row]) -> dict[tuple, list[int]]:
        rows = [r for r in rows if r.values.get("date_of_birth")]
        if not rows:
            return {}
        found: dict[tuple, list[int]] = {}
        matches = (
            Profile.objects.annotate(ul=Upper("last_name"), uf=Upper("first_name"))
            .filter(ul__in={r.values["last_name"].upper() for r in rows},
                    date_of_birth__in={r.values["date_of_birth"] for r in rows})
            .order_by().values_list("pk", "uf", "ul", "date_of_birth")
        )
        for pk, first, last, born in matches:
            found.setdefault((first, last, born), []).append(pk)
        return found

    # Writing ------------------------------------------------------------------------
    def write(self, rows: list[Row], ctx: Context) -> list[dict]:
        user, team, job = ctx.user, ctx.owner_team, ctx.job
        creates = [r for r in rows if r.action == "create"]
        updates = [r for r in rows if r.action == "update"]
        # Created profiles are written as plain rows (COPY on PostgreSQL, see
        # fastwrite): the access index gets their owner rows from its trigger.
        new_ids = insert_rows(Profile, [
            {"owner_team_id": team.pk, "created_by_id": user.pk,
             **{f: r.values[f] for f in PROFILE_FIELDS if r.values.get(f) not in (None, "")}}
            for r in creates
        ])
        pk_of: dict[int, int] = {}
        name_of: dict[int, str] = {}
        for r, pk in zip(creates, new_ids, strict=True):
            pk_of[r.number] = r.target = pk  # subclasses (IOM's cohort) build on the written profile
            name_of[r.number] = " ".join(x for x in (r.values.get("first_name"), r.values.get("last_name")) if x)
        profiles = ctx.cache["profiles"]
        before, changed = {}, []
        now = timezone.now()
        for r in updates:
            profile = profiles[r.target]
            before[r.number] = {"fields": _snapshot(profile), "version": profile.version}
            for name, (_old, new) in _field_changes(profile, r.values).items():
                setattr(profile, name, new)
            profile.version += 1
            profile.updated_at = now
            changed.append(profile)
            pk_of[r.number], name_of[r.number] = profile.pk, profile.full_name
        if changed:
            Profile.objects.bulk_update(changed, [*PROFILE_FIELDS, "version", "updated_at"])
        added = self._write_children(creates + updates, user, before, pk_of, profiles)
        events = audit_rows(AuditAction.IMPORT, [
            ("core.profile", pk_of[r.number], name_of[r.number], {"row": r.number, "owner_team": str(team)})
            for r in creates
        ], actor=user, job=job) + audit_rows(AuditAction.UPDATE, [
            ("core.profile", pk_of[r.number], name_of[r.number],
             {"row": r.number, "changed": r.summary.split(": ", 1)[-1]})
            for r in updates
        ], actor=user, job=job)
        records = []
        for r, event in zip(creates + updates, events, strict=True):
            created = r.action == "create"
            records.append({
                "job_id": job.pk, "row": r.number, "action": "created" if created else "updated",
                "object_type": "core.profile", "object_id": pk_of[r.number], "object_repr": name_of[r.number][:300],
                "before": None if created else before[r.number], "added": added.get(r.number),
                "audit_event_id": event,
            })
        return records

    def _write_children(self, rows: list[Row], user, before: dict, pk_of: dict, profiles: dict) -> dict[int, dict]:
        """Add identifiers, aliases, roles, markers and a new current address; return,
        per row, the ids of what was added (for undo)."""
        made: dict[type, list[tuple[int, str, dict]]] = {}
        demote: list[int] = []

        def add(number, table, model, row):
            made.setdefault(model, []).append((number, table, row))

        now = timezone.now()
        for r in rows:
            pk, v = pk_of[r.number], r.values
            p = profiles[r.target] if r.action == "update" else None
            existing = _children(p) if p is not None else None
            for kind, value in _identifiers(v):
                if not existing or (kind, value) not in existing["identifiers"]:
                    add(r.number, "identifiers", Identifier, {"profile_id": pk, "kind": kind, "value": value})
            for name in v.get("aliases") or []:
                if not existing or name.upper() not in existing["aliases"]:
                    add(r.number, "aliases", ProfileAlias, {"profile_id": pk, "name": name})
            for role in v.get("person_roles") or []:
                if not existing or role not in existing["person_roles"]:
                    add(r.number, "person_roles", PersonRole, {"profile_id": pk, "role": role})
            for marker in v.get("warning_markers") or []:
                if not existing or marker not in existing["warning_markers"]:
                    add(r.number, "warning_markers", WarningMarker,
                        {"profile_id": pk, "marker": marker, "added_by_id": user.pk, "added_at": now})
            address = _address(v)
            if address and (not existing or _address_key(address) not in existing["addresses"]):
                add(r.number, "addresses", Address, {"profile_id": pk, "current": True, **address})
                if existing:
                    current = [a.pk for a in p.addresses.all() if a.current]
                    before[r.number]["current_addresses"] = current
                    demote += current
        if demote:
            Address.objects.filter(pk__in=demote).update(current=False)
        added: dict[int, dict] = {}
        for model, items in made.items():
            ids = insert_rows(model, [row for _, _, row in items])
            for (number, table, _row), pk in zip(items, ids, strict=True):
                added.setdefault(number, {}).setdefault(table, []).append(pk)
        return added

    # Undo ---------------------------------------------------------------------------
    def undo_blockers(self, records: list[ImportedRecord]) -> list[str]:
        if not records:
            return []
        blockers = []
        names = {r.object_id: f"‘{r.object_repr}’ (row {r.row})" for r in records}
        first_event = min(r.audit_event_id or 0 for r in records)
        own_event = {r.object_id: r.audit_event_id or 0 for r in records}
        later = (
            AuditEvent.objects.filter(object_type="core.profile", object_id__in=[str(pk) for pk in names],
                                      id__gt=first_event)
            .exclude(action__in=READS).order_by("id")
            .values_list("object_id", "id", "action", "actor_username", "occurred_at")
        )
        reported = set()
        for object_id, event_id, action, who, when in later:
            pk = int(object_id)
            if event_id > own_event[pk] and pk not in reported:
                reported.add(pk)
                blockers.append(f"{names[pk]} was changed after the import ({AuditAction(action).label.lower()} "
                                f"by {who or 'the system'} on {timezone.localtime(when):%d/%m/%Y %H:%M}).")
        created = [r.object_id for r in records if r.action == "created"]
        checks = (
            (CaseParticipant.objects.filter(profile_id__in=created).values_list("profile_id", flat=True),
             "is a participant in a case opened after the import"),
            (Activity.objects.filter(profile_id__in=created).values_list("profile_id", flat=True),
             "has log entries recorded after the import"),
            (HouseholdMember.objects.filter(profile_id__in=created).values_list("profile_id", flat=True),
             "was added to a household after the import"),
            (Relationship.objects.filter(Q(from_profile_id__in=created) | Q(to_profile_id__in=created))
             .values_list("from_profile_id", "to_profile_id"), "was related to another profile after the import"),
        )
        created_set = set(created)
        for queryset, reason in checks:
            for value in queryset.distinct():
                for pk in value if isinstance(value, tuple) else (value,):
                    if pk in created_set and (pk, reason) not in reported:
                        reported.add((pk, reason))
                        blockers.append(f"{names[pk]} {reason}.")
        return blockers

    def undo(self, records: list[ImportedRecord], ctx: Context) -> None:
        created = [r for r in records if r.action == "created"]
        updated = [r for r in records if r.action == "updated"]
        profiles = Profile.objects.in_bulk([r.object_id for r in records])
        deleted = [profiles[r.object_id] for r in created if r.object_id in profiles]
        audit_events(AuditAction.DELETE, [(p, {"undo": True}) for p in deleted], actor=ctx.user, job=ctx.job)
        Profile.objects.filter(pk__in=[p.pk for p in deleted]).delete()
        restored = []
        for r in updated:
            profile = profiles.get(r.object_id)
            if profile is None:
                continue
            for name, value in r.before["fields"].items():
                setattr(profile, name, Profile._meta.get_field(name).to_python(value))
            profile.version += 1  # a concurrency token: a form opened before the undo must not save over it
            restored.append(profile)
            for table, pks in (r.added or {}).items():
                _CHILD_MODELS[table].objects.filter(pk__in=pks, profile_id=profile.pk).delete()
            if r.before.get("current_addresses"):
                Address.objects.filter(pk__in=r.before["current_addresses"], profile_id=profile.pk).update(current=True)
        if restored:
            now = timezone.now()
            for p in restored:
                p.updated_at = now
            Profile.objects.bulk_update(restored, [*PROFILE_FIELDS, "version", "updated_at"])
        audit_events(AuditAction.UPDATE, [(p, {"undo": True}) for p in restored], actor=ctx.user, job=ctx.job)


_CHILD_MODELS = {"identifiers": Identifier, "aliases": ProfileAlias, "person_roles": PersonRole,
                 "warning_markers": WarningMarker, "addresses": Address}


def _identifiers(values: dict) -> list[tuple[str, str]]:
    return [(k.split(":", 1)[1], v) for k, v in values.items() if k.startswith("identifier:") and v]


def _name_key(values: dict) -> tuple:
    return (values.get("first_name", "").upper(), values.get("last_name", "").upper(), values.get("date_of_birth"))


def _describe(values: dict) -> str:
    born = values.get("date_of_birth")
    return " ".join(x for x in (values.get("first_name"), values.get("last_name")) if x) + (
        f", born {born:%d/%m/%Y}" if born else "")


def _field_changes(profile: Profile, values: dict) -> dict:
    out = {}
    for name in PROFILE_FIELDS:
        new = values.get(name)
        if new in (None, ""):
            continue  # a blank cell never clears what the profile holds
        if getattr(profile, name) != new:
            out[name] = (getattr(profile, name), new)
    return out


def _children(profile: Profile) -> dict:
    return {
        "identifiers": {(i.kind, i.value) for i in profile.identifiers.all()},
        "aliases": {a.name.upper() for a in profile.aliases.all()},
        "person_roles": {x.role for x in profile.person_roles.all()},
        "warning_markers": {x.marker for x in profile.warning_markers.all()},
        "addresses": {_address_key({f: getattr(a, f) for f in ADDRESS_FIELDS}) for a in profile.addresses.all()},
    }


def _child_changes(profile: Profile, values: dict) -> dict:
    have = _children(profile)
    out = {}
    if any(k not in have["identifiers"] for k in _identifiers(values)):
        out["identifiers"] = True
    if any(a.upper() not in have["aliases"] for a in values.get("aliases") or []):
        out["aliases"] = True
    for table in ("person_roles", "warning_markers"):
        if any(c not in have[table] for c in values.get(table) or []):
            out[table] = True
    address = _address(values)
    if address and _address_key(address) not in have["addresses"]:
        out["address"] = True
    return out


def _address(values: dict) -> dict | None:
    if not values.get("address_line1"):
        return None
    return {f: values.get(f"address_{f}") or "" for f in ADDRESS_FIELDS}


def _address_key(address: dict) -> tuple:
    return (address["line1"].upper(), address["postcode"].replace(" ", "").upper())


def _snapshot(profile: Profile) -> dict:
    out = {}
    for name in PROFILE_FIELDS:
        value = getattr(profile, name)
        out[name] = value.isoformat() if isinstance(value, date) else value
    return out
