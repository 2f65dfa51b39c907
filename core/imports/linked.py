"""For plugin resources whose rows name a person and create records around them (a
missing episode on a case, a family member in a household): finding the person among
the profiles, writing through core's services, and undoing what several kinds of
records an import created.

- :func:`match_people` applies the Profiles resource's rule for people without an
  identifier — first name, last name and date of birth equal, case aside — with the
  same discretion: a person matching a profile the importer may not change is one
  message (:data:`core.imports.profiles.HIDDEN_MATCH`), with no count or detail.
- :class:`LinkedRecordsResource` keeps the history rows (:meth:`~LinkedRecordsResource.
  created`), refuses an undo while something newer depends on a record, and undoes in
  dependency order. Writes go through ``core.services`` (each audited, channel
  ``import`` from the pipeline's audit context); each history row points at the
  record's own audit event, which carries the job through the history row."""

from __future__ import annotations

from datetime import date

from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone

from ..access import AccessLevel, visible_pks
from ..models import (
    Activity,
    AuditAction,
    AuditEvent,
    Case,
    CaseParticipant,
    Household,
    HouseholdMember,
    ImportJob,
    Profile,
    Relationship,
)
from .profiles import HIDDEN_MATCH, READS
from .resources import Context, ImportResource, audit_events

PersonKey = tuple[str, str, date]


def person_key(values: dict, prefix: str = "") -> PersonKey:
    return (values[f"{prefix}first_name"].upper(), values[f"{prefix}last_name"].upper(),
            values[f"{prefix}date_of_birth"])


def match_people(user, keys: set[PersonKey]) -> dict[PersonKey, int | str]:
    """For each key that matches existing profiles: the pk of the one profile the user
    may change, or the error to report. Keys matching nothing are left out."""
    keys = {k for k in keys if k[2]}
    if not keys:
        return {}
    found: dict[PersonKey, list[int]] = {}
    rows = (
        Profile.objects.annotate(ul=Upper("last_name"), uf=Upper("first_name"))
        .filter(ul__in={k[1] for k in keys}, date_of_birth__in={k[2] for k in keys})
        .order_by().values_list("pk", "uf", "ul", "date_of_birth")
    )
    for pk, first, last, born in rows:
        if (first, last, born) in keys:
            found.setdefault((first, last, born), []).append(pk)
    may_change = visible_pks(user, Profile, {pk for pks in found.values() for pk in pks}, AccessLevel.CONTRIBUTE)
    out: dict[PersonKey, int | str] = {}
    for key, pks in found.items():
        if set(pks) - may_change:
            out[key] = HIDDEN_MATCH
        elif len(pks) > 1:
            out[key] = (f"Matches {len(pks)} existing profiles by name and date of birth; import them with the "
                        "Profiles resource and an identifier first.")
        else:
            out[key] = pks[0]
    return out


#: Undone in this order: what depends on a record goes before it.
UNDO_ORDER = ("core.activity", "core.caseparticipant", "core.householdmember", "core.case", "core.household",
              "core.profile")
MODELS = {"core.activity": Activity, "core.caseparticipant": CaseParticipant, "core.householdmember": HouseholdMember,
          "core.case": Case, "core.household": Household, "core.profile": Profile}


class LinkedRecordsResource(ImportResource):
    """Base of resources that create profiles, cases, households, their members and
    log entries through core's services, several records per row."""

    def created(self, ctx: Context, row, obj, label: str = "") -> dict:
        """The history row of ``obj``, created for ``row`` (with its latest audit event)."""
        object_type = obj._meta.label_lower
        event = (AuditEvent.objects.filter(object_type=object_type, object_id=str(obj.pk))
                 .order_by("-id").values_list("id", flat=True).first())
        return {"job_id": ctx.job.pk, "row": row.number, "action": "created", "object_type": object_type,
                "object_id": obj.pk, "object_repr": (label or str(obj))[:300], "audit_event_id": event}

    def undo_blockers(self, records) -> list:
        if not records:
            return []
        job = records[0].job
        ids: dict[str, set[int]] = {}
        for r in records:
            ids.setdefault(r.object_type, set()).add(r.object_id)
        names = {(r.object_type, r.object_id): f"‘{r.object_repr}’ (row {r.row})" for r in records}
        blockers, seen = [], set()

        def block(key, reason):
            if key in names and key not in seen:
                seen.add(key)
                blockers.append(f"{names[key]} {reason}.")

        # A change after the import: any audited write on one of its records, but those
        # the import itself made (a later row adding a member to a household it created).
        # So are the writes of a later import that has since been undone, and its undo.
        own = _window(job)
        for undone in ImportJob.objects.filter(status=ImportJob.Status.UNDONE, started_at__gte=job.started_at) \
                .exclude(pk=job.pk):
            own |= _window(undone) | Q(changes__import=undone.pk, changes__undo=True)
        first = min((r.audit_event_id or 0) for r in records)
        for object_type, pks in ids.items():
            later = (AuditEvent.objects.filter(object_type=object_type, object_id__in=[str(p) for p in pks],
                                               id__gt=first)
                     .exclude(action__in=READS).exclude(own).order_by("id")
                     .values_list("object_id", "action", "actor_username", "occurred_at"))
            for object_id, action, who, when in later:
                block((object_type, int(object_id)),
                      f"was changed after the import ({AuditAction(action).label.lower()} by {who or 'the system'} "
                      f"on {timezone.localtime(when):%d/%m/%Y %H:%M})")
        profiles, cases = ids.get("core.profile", set()), ids.get("core.case", set())
        households = ids.get("core.household", set())
        mine = {t: ids.get(t, set()) for t in ("core.activity", "core.caseparticipant", "core.householdmember")}
        for case_id, profile_id in (Activity.objects.filter(Q(case_id__in=cases) | Q(profile_id__in=profiles))
                                    .exclude(pk__in=mine["core.activity"]).values_list("case_id", "profile_id")):
            block(("core.case", case_id), "has log entries recorded after the import")
            block(("core.profile", profile_id), "has log entries recorded after the import")
        for pk in (CaseParticipant.objects.filter(profile_id__in=profiles).exclude(case_id__in=cases)
                   .exclude(pk__in=mine["core.caseparticipant"]).values_list("profile_id", flat=True)):
            block(("core.profile", pk), "is a participant in a case opened after the import")
        for pk in (HouseholdMember.objects.filter(profile_id__in=profiles).exclude(household_id__in=households)
                   .exclude(pk__in=mine["core.householdmember"]).values_list("profile_id", flat=True)):
            block(("core.profile", pk), "was added to a household after the import")
        for a, b in Relationship.objects.filter(Q(from_profile_id__in=profiles) | Q(to_profile_id__in=profiles)) \
                .values_list("from_profile_id", "to_profile_id"):
            for pk in (a, b):
                block(("core.profile", pk), "was related to another profile after the import")
        return blockers

    def undo(self, records, ctx: Context) -> None:
        ids: dict[str, list[int]] = {}
        for r in records:
            ids.setdefault(r.object_type, []).append(r.object_id)
        for object_type in UNDO_ORDER:
            model = MODELS[object_type]
            objs = list(model.objects.filter(pk__in=ids.get(object_type, [])))
            if not objs:
                continue
            if object_type in ("core.caseparticipant", "core.householdmember"):
                parents = [(o.case if object_type == "core.caseparticipant" else o.household,
                            {"undo": True, "removed_member": o.profile_id}) for o in objs]
                audit_events(AuditAction.UPDATE, parents, actor=ctx.user, job=ctx.job)
            else:
                audit_events(AuditAction.DELETE, [(o, {"undo": True}) for o in objs], actor=ctx.user, job=ctx.job)
            model.objects.filter(pk__in=[o.pk for o in objs]).delete()


def _window(job) -> Q:
    """The audit events a job's own run wrote through the services (channel import, its
    importer, while it ran)."""
    return Q(actor_id=job.created_by_id, channel="import", occurred_at__gte=job.started_at,
             occurred_at__lte=job.finished_at or timezone.now())
