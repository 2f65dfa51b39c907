"""The families list import: one row per family member, rows of the same family sharing
its name. Each member's profile is found or created, the family becomes a household of
the owner team (members with their roles) and a family-intervention case with every
member as a participant; the headline criteria answered yes are written in the case's
summary when the case is opened.

Added through the ``wraparound_import_resources`` hook only, on core's public API
(``core.imports`` widgets and :class:`~core.imports.linked.LinkedRecordsResource`,
``core.services`` for every write). A family is known by its name as written in the
list (``Smith, 12 High St`` where two families share a surname); re-importing the list
finds the household and case of the owner team by that name and adds only members not
yet in them. The family's address and criteria come from its first row; a later row of
the same family saying otherwise is an error on that cell, never a silent choice."""

from __future__ import annotations

from django.db.models.functions import Upper

from core import services
from core.imports import widgets as w
from core.imports.linked import LinkedRecordsResource, match_people, person_key
from core.imports.resources import Context, ImportField, Row
from core.models import Case, Household, HouseholdMember, Profile

from .plugin import PROGRAMME

CASE_TYPE = "family_intervention"
ROLES = [("parent", "Parent"), ("carer", "Carer"), ("child", "Child"), ("lead member", "Lead member"),
         ("other adult", "Other adult")]
#: The programme's headline criteria, each a yes/no column.
CRITERIA = [
    ("crime_asb", "Crime or anti-social behaviour", ("crime", "asb", "crime/asb", "offending")),
    ("education", "School attendance or exclusion", ("school", "attendance", "education", "truancy")),
    ("children_need_help", "Children who need help", ("cin", "children in need", "child protection")),
    ("worklessness", "Worklessness or financial exclusion", ("out of work", "unemployment", "benefits", "work")),
    ("domestic_abuse", "Domestic abuse", ("dv", "dva", "domestic violence")),
    ("health", "Health problems", ("health issues", "mental health", "physical health")),
]
FAMILY_FIELDS = ("address_line1", "address_town", "address_postcode", *[c for c, _, _ in CRITERIA])


class FamiliesListResource(LinkedRecordsResource):
    code = "families_list"
    label = "Families list"
    description = "One row per family member: family name, member, role, address, headline criteria (yes/no)."
    model = Household

    def get_fields(self):
        return [
            ImportField("family", "Family", w.TextWidget(200),
                        ("family name", "household", "household name", "family id"), required=True),
            ImportField("first_name", "First name", w.NameWidget(100), ("forename", "given name"), required=True),
            ImportField("last_name", "Last name", w.NameWidget(100), ("surname",), required=True),
            ImportField("date_of_birth", "Date of birth", w.UKDateWidget(past=True), ("dob", "d.o.b", "born"),
                        required=True),
            ImportField("gender", "Gender", w.ChoiceWidget(Profile.Gender.choices, {
                "m": "male", "f": "female", "boy": "male", "girl": "female"}), ("sex",)),
            ImportField("role", "Role in the family", w.ChoiceWidget(ROLES, {
                "mum": "parent", "mother": "parent", "dad": "parent", "father": "parent", "stepparent": "parent",
                "son": "child", "daughter": "child", "grandparent": "carer", "guardian": "carer",
                "lead": "lead member"}), ("role", "relationship", "member role", "relation")),
            ImportField("address_line1", "Address", w.TextWidget(200), ("address line 1", "street", "home address")),
            ImportField("address_town", "Town", w.TextWidget(100), ("city",)),
            ImportField("address_postcode", "Postcode", w.PostcodeWidget(), ("post code",)),
            *[ImportField(code, label, w.YesNoWidget(), synonyms) for code, label, synonyms in CRITERIA],
        ]

    def clean(self, raw):
        values, errors = super().clean(raw)
        if not values.get("address_line1") and (values.get("address_town") or values.get("address_postcode")):
            errors.append(("address_line1", "An address needs its first line."))
        return values, errors

    def plan(self, rows: list[Row], ctx: Context) -> None:
        ok = [r for r in rows if not r.errors]
        planned = ctx.cache.setdefault("new_people", set())
        families = ctx.cache.setdefault("families", {})  # key → (first row, its family values)
        for r in ok:
            key = _family_key(r.values)
            if key not in families:
                families[key] = (r.number, {f: r.values.get(f) for f in FAMILY_FIELDS})
                continue
            first, known = families[key]
            for f in FAMILY_FIELDS:
                mine = r.values.get(f)
                if mine not in (None, "") and known[f] not in (None, "") and mine != known[f]:
                    r.errors.append((f, f"Row {first} gives the {self.fields_by_name()[f].label.lower()} of "
                                        f"{r.values['family']} differently."))
                elif mine not in (None, "") and known[f] in (None, ""):
                    known[f] = mine
        ok = [r for r in ok if not r.errors]
        matches = match_people(ctx.user, {person_key(r.values) for r in ok} - planned)
        existing = {" ".join(h.name.upper().split()): h for h in Household.objects.annotate(un=Upper("name")).filter(
            owner_team=ctx.owner_team, kind=Household.Kind.FAMILY, un__in={_family_key(r.values) for r in ok})}
        members = set(HouseholdMember.objects.filter(household__in=existing.values())
                      .values_list("household_id", "profile_id"))
        for r in ok:
            key = person_key(r.values)
            match = matches.get(key)
            if isinstance(match, str):
                r.errors.append(("", match))
                continue
            seen = ("member", key)
            if seen in ctx.seen:
                r.errors.append(("last_name", f"The same person as row {ctx.seen[seen]}: merge the two rows."))
                continue
            ctx.seen[seen] = r.number
            r.target = match
            if match is None:
                planned.add(key)
            household = existing.get(_family_key(r.values))
            name = f"{r.values['first_name']} {r.values['last_name']}"
            if household is not None and match is not None and (household.pk, match) in members:
                r.action, r.summary = "skip", f"{name}: already in {household.name}"
            else:
                r.action = "create"
                r.summary = f"{name} → {r.values['family']}" + (" (new profile)" if match is None else "")

    def write(self, rows: list[Row], ctx: Context) -> list[dict]:
        records = []
        families = ctx.cache["families"]
        households = ctx.cache.setdefault("households", {})
        cases = ctx.cache.setdefault("cases", {})
        for r in rows:
            if r.action != "create":
                continue
            v, family = r.values, _family_key(r.values)
            known = families[family][1]
            if r.target is not None:
                profile = Profile.objects.get(pk=r.target)
            else:
                address = ([{"line1": known["address_line1"], "town": known["address_town"] or "",
                             "postcode": known["address_postcode"] or ""}] if known["address_line1"] else [])
                profile = services.create_profile(
                    by=ctx.user, owner_team=ctx.owner_team, first_name=v["first_name"], last_name=v["last_name"],
                    date_of_birth=v["date_of_birth"], person_roles=["family_member"], addresses=address,
                    **({"gender": v["gender"]} if v.get("gender") else {}))
                records.append(self.created(ctx, r, profile, profile.full_name))
            role = v.get("role") or ""
            household = households.get(family) or Household.objects.filter(
                owner_team=ctx.owner_team, kind=Household.Kind.FAMILY, name__iexact=v["family"]).first()
            if household is None:
                household = services.create_household(by=ctx.user, owner_team=ctx.owner_team, name=v["family"],
                                                      members=[(profile, role)])
                records.append(self.created(ctx, r, household, household.name))
            elif not household.memberships.filter(profile=profile).exists():
                member = services.add_household_member(household, profile, by=ctx.user, role=role)
                records.append(self.created(ctx, r, member, f"{profile.full_name} in {household.name}"))
            households[family] = household
            case = cases.get(family) or Case.objects.filter(
                programme=PROGRAMME.slug, case_type=CASE_TYPE, owner_team=ctx.owner_team, closed_on__isnull=True,
                title__iexact=v["family"]).first()
            if case is None:
                criteria = [label for code, label, _ in CRITERIA if known[code]]
                case = services.open_case(
                    by=ctx.user, owner_team=ctx.owner_team, programme=PROGRAMME.slug, case_type=CASE_TYPE,
                    title=v["family"], participants=[(profile, "family_member")],
                    summary=("Headline criteria: " + "; ".join(criteria) + ".") if criteria else "")
                records.append(self.created(ctx, r, case, f"{case.reference} {case.title}"))
            elif not case.participants.filter(profile=profile).exists():
                participant = services.add_participant(case, profile, "family_member", by=ctx.user)
                records.append(self.created(ctx, r, participant, f"{profile.full_name} in {case.reference}"))
            cases[family] = case
        return records


def _family_key(values: dict) -> str:
    return " ".join(values["family"].upper().split())

