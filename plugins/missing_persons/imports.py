"""The missing-episodes register import: one row per episode (a child or adult reported
missing and found), the person's profile found or created, their repeat-missing case of
the owner team found or opened, and the episode — and a return-home interview, where
the register says one was done — recorded on the case's log.

Added through the ``wraparound_import_resources`` hook only, on core's public API
(``core.imports`` widgets and :class:`~core.imports.linked.LinkedRecordsResource`,
``core.services`` for every write). Re-importing the register does not duplicate: an
episode is the same when the person's repeat-missing case already holds a missing
episode reported at the same date and time; the same person on several rows is one
profile and one case."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone

from core import services
from core.imports import widgets as w
from core.imports.linked import LinkedRecordsResource, match_people, person_key
from core.imports.resources import Context, ImportField, Row
from core.models import Activity, Case, Profile

from .plugin import PROGRAMME

CASE_TYPE = "repeat_missing"
EPISODE = "Missing episode"
RISK_GRADES = [("no_apparent_risk", "No apparent risk"), ("low", "Low"), ("medium", "Medium"), ("high", "High")]


def _when(value) -> datetime:
    """The moment an entry is dated: a date alone is the start of that day."""
    if isinstance(value, datetime):
        return value
    return timezone.make_aware(datetime.combine(value, datetime.min.time()))


def _show(value) -> str:
    if isinstance(value, datetime):
        return f"{timezone.localtime(value):%d/%m/%Y %H:%M}"
    return f"{value:%d/%m/%Y} (time not recorded)"


class MissingEpisodeRegisterResource(LinkedRecordsResource):
    code = "missing_episode_register"
    label = "Missing episodes register"
    description = "One row per missing episode: the person, when missing and found, where, risk, return-home interview."
    model = Activity

    def get_fields(self):
        return [
            ImportField("first_name", "First name", w.NameWidget(100), ("forename", "given name", "first"),
                        required=True),
            ImportField("last_name", "Last name", w.NameWidget(100), ("surname", "family name"), required=True),
            ImportField("date_of_birth", "Date of birth", w.UKDateWidget(past=True), ("dob", "d.o.b", "born"),
                        required=True),
            ImportField("gender", "Gender", w.ChoiceWidget(Profile.Gender.choices, {
                "m": "male", "f": "female", "boy": "male", "girl": "female"}), ("sex",)),
            ImportField("missing_at", "Date/time missing", w.UKDateTimeWidget(),
                        ("missing", "date missing", "reported missing", "missing from", "date/time reported"),
                        required=True),
            ImportField("found_at", "Date/time found", w.UKDateTimeWidget(),
                        ("found", "date found", "returned", "date returned", "date/time returned")),
            ImportField("found_location", "Location found", w.TextWidget(200),
                        ("where found", "found at", "location", "place found")),
            ImportField("risk_grading", "Risk grading", w.ChoiceWidget(RISK_GRADES, {
                "nar": "no_apparent_risk", "no risk": "no_apparent_risk", "none": "no_apparent_risk",
                "l": "low", "m": "medium", "med": "medium", "h": "high"}), ("risk", "risk grade", "grading")),
            ImportField("rhi_done", "Return-home interview done", w.YesNoWidget(),
                        ("rhi", "rhi done", "return home interview", "return-home interview", "rhi completed")),
        ]

    def clean(self, raw):
        values, errors = super().clean(raw)
        missing, found = values.get("missing_at"), values.get("found_at")
        if missing and found and (_when(found) < _when(missing) if isinstance(found, datetime)
                                  and isinstance(missing, datetime) else _day(found) < _day(missing)):
            errors.append(("found_at", f"Found ({_show(found)}) before going missing ({_show(missing)})."))
        return values, errors

    def plan(self, rows: list[Row], ctx: Context) -> None:
        ok = [r for r in rows if not r.errors]
        planned = ctx.cache.setdefault("new_people", set())
        matches = match_people(ctx.user, {person_key(r.values) for r in ok} - planned)
        subjects = {m for m in matches.values() if isinstance(m, int)}
        recorded = set(
            Activity.objects.filter(case__programme=PROGRAMME.slug, case__owner_team=ctx.owner_team,
                                    case__participants__profile_id__in=subjects, summary__startswith=EPISODE)
            .values_list("case__participants__profile_id", "occurred_at"))
        for r in ok:
            key = person_key(r.values)
            match = matches.get(key)
            if isinstance(match, str):
                r.errors.append(("", match))
                continue
            episode = ("episode", key, _when(r.values["missing_at"]))
            if episode in ctx.seen:
                r.errors.append(("missing_at", f"The same episode as row {ctx.seen[episode]}: merge the two rows."))
                continue
            ctx.seen[episode] = r.number
            r.target = match
            if match is None:
                planned.add(key)
            name = f"{r.values['first_name']} {r.values['last_name']}"
            if match is not None and (match, _when(r.values["missing_at"])) in recorded:
                r.action, r.summary = "skip", f"{name}: episode of {_show(r.values['missing_at'])} already recorded"
            else:
                r.action = "create"
                r.summary = f"{name}: missing {_show(r.values['missing_at'])}" + (
                    "" if match is not None else " (new profile)")

    def write(self, rows: list[Row], ctx: Context) -> list[dict]:
        records = []
        people = ctx.cache.setdefault("written_people", {})
        cases = ctx.cache.setdefault("cases", {})
        first_missing = {}
        for r in rows:
            if r.action == "create":
                key = person_key(r.values)
                day = _day(r.values["missing_at"])
                first_missing[key] = min(first_missing.get(key, day), day)
        for r in rows:
            if r.action != "create":
                continue
            v, key = r.values, person_key(r.values)
            profile = people.get(key)
            if profile is None:
                if r.target is not None:
                    profile = Profile.objects.get(pk=r.target)
                else:
                    profile = services.create_profile(
                        by=ctx.user, owner_team=ctx.owner_team, first_name=v["first_name"], last_name=v["last_name"],
                        date_of_birth=v["date_of_birth"], **({"gender": v["gender"]} if v.get("gender") else {}))
                    records.append(self.created(ctx, r, profile, profile.full_name))
                people[key] = profile
            case = cases.get(profile.pk)
            if case is None:
                case = (Case.objects.filter(programme=PROGRAMME.slug, case_type=CASE_TYPE, owner_team=ctx.owner_team,
                                            closed_on__isnull=True, participants__profile=profile)
                        .order_by("opened_on").first())
                if case is None:
                    case = services.open_case(
                        by=ctx.user, owner_team=ctx.owner_team, programme=PROGRAMME.slug, case_type=CASE_TYPE,
                        title=f"Repeat missing: {profile.full_name}", participants=[(profile, "subject")],
                        opened_on=first_missing[key])
                    records.append(self.created(ctx, r, case, f"{case.reference} {case.title}"))
                cases[profile.pk] = case
            found = v.get("found_at")
            summary = f"{EPISODE}: reported missing {_show(v['missing_at'])}; " + (
                f"found {_show(found)}" if found else "not recorded as found")
            if v.get("found_location"):
                summary += f" at {v['found_location']}"
            if v.get("risk_grading"):
                summary += f"; risk: {dict(RISK_GRADES)[v['risk_grading']]}"
            if v.get("rhi_done") is not None:
                summary += f"; return-home interview {'done' if v['rhi_done'] else 'not done'}"
            episode = services.add_activity(by=ctx.user, case=case, kind=Activity.Kind.CONTACT,
                                            occurred_at=_when(v["missing_at"]), summary=summary[:300])
            records.append(self.created(ctx, r, episode, f"{profile.full_name}: {summary}"))
            if v.get("rhi_done"):
                interview = services.add_activity(
                    by=ctx.user, case=case, kind=Activity.Kind.VISIT, occurred_at=_when(found or v["missing_at"]),
                    summary=f"Return-home interview after the missing episode of {_show(v['missing_at'])}")
                records.append(self.created(ctx, r, interview, f"{profile.full_name}: return-home interview"))
        return records


def _day(value) -> date:
    return timezone.localtime(value).date() if isinstance(value, datetime) else value
