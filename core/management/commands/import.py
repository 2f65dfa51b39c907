"""Import a spreadsheet from the command line — the same pipeline, checks and audit as
the admin screens, acting as a named organisation admin::

    manage.py import profiles cohort.xlsx --user norfolk_spoc --team norfolk-constabulary/ppo-team \\
        [--mapping "Surname=last_name,DOB=date_of_birth" | --saved-mapping "IOM list"] \\
        [--constant warning_markers=violence] [--mode all_or_nothing|valid_rows] \\
        [--header-row 3] [--dry-run] [--background]

Without ``--mapping`` the headings are mapped by their synonyms and the organisation's
saved mappings. Exits with status 1 when rows have errors (and, in "all or nothing"
mode, nothing was written)."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.imports import jobs, pipeline
from core.models import ImportJob, ImportMapping, Team


class Command(BaseCommand):
    help = "Import a legacy spreadsheet (CSV, XLSX, ODS): dry run or commit."

    def add_arguments(self, parser):
        parser.add_argument("resource", help="What the sheet holds, e.g. profiles.")
        parser.add_argument("file", help="Path of the spreadsheet.")
        parser.add_argument("--user", required=True, help="Username of the importing organisation admin.")
        parser.add_argument("--team", required=True, help="Owner team: <organisation slug>/<team slug> or its id.")
        parser.add_argument("--mapping", default="", help='Headings to fields: "Heading=field,Other=field".')
        parser.add_argument("--saved-mapping", default="", help="Name of a mapping saved on the import screens.")
        parser.add_argument("--constant", action="append", default=[], help="field=value for every row (repeatable).")
        parser.add_argument("--mode", choices=list(ImportJob.Mode.values), default=ImportJob.Mode.ALL_OR_NOTHING)
        parser.add_argument("--header-row", type=int, default=None, help="Row of the headings (found if not given).")
        parser.add_argument("--dry-run", action="store_true", help="Check every row and write nothing.")
        parser.add_argument("--background", action="store_true", help="Queue it for the task worker.")

    def handle(self, *args, **o):
        user = get_user_model().objects.filter(username=o["user"]).first()
        if user is None:
            raise CommandError(f"No user {o['user']!r}.")
        team = self._team(o["team"])
        path = Path(o["file"])
        if not path.is_file():
            raise CommandError(f"No file {path}.")
        try:
            job = jobs.create_job(by=user, resource=o["resource"], filename=path.name, content=path.read_bytes(),
                                  owner_team=team)
            mapping, constants = dict(job.mapping), {}
            if o["saved_mapping"]:
                saved = ImportMapping.objects.filter(organisation=job.organisation, resource=job.resource,
                                                     name=o["saved_mapping"]).first()
                if saved is None:
                    raise CommandError(f"No saved mapping {o['saved_mapping']!r}.")
                mapping |= saved.mapping
                constants |= saved.constants
            if o["mapping"]:
                mapping = {h: "" for h in job.headers} | _pairs(o["mapping"], "--mapping")
            constants |= _pairs(",".join(o["constant"]), "--constant")
            jobs.set_mapping(job, mapping=mapping, constants=constants, mode=o["mode"],
                             header_row=o["header_row"], by=user)
            job = jobs.start(job, dry_run=o["dry_run"], background=o["background"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        except pipeline.reading.SheetError as exc:
            raise CommandError(str(exc)) from exc
        self._report(job)

    def _team(self, ref: str) -> Team:
        teams = Team.objects.select_related("organisation")
        team = teams.filter(pk=int(ref)).first() if ref.isdigit() else None
        if team is None and "/" in ref:
            org, slug = ref.split("/", 1)
            team = teams.filter(organisation__slug=org, slug=slug).first()
        if team is None:
            raise CommandError(f"No team {ref!r} (give <organisation slug>/<team slug> or an id).")
        return team

    def _report(self, job: ImportJob) -> None:
        self.stdout.write(f"Import {job.pk} ({job.filename}): {job.get_status_display()}.")
        if job.in_progress:
            self.stdout.write(f"Queued as task {job.task_id}; follow it on the import's page.")
            return
        c = job.counts
        self.stdout.write(f"  create {c.get('create', 0)}, update {c.get('update', 0)}, "
                          f"unchanged {c.get('skip', 0)}, rows with errors {c.get('error', 0)}")
        for e in job.errors:
            self.stdout.write(f"  row {e['row']}, {e['column'] or 'whole row'}: {e['reason']}")
        if job.message:
            self.stdout.write(job.message)
        if c.get("error"):
            raise SystemExit(1)


def _pairs(text: str, option: str) -> dict[str, str]:
    out = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        if "=" not in part:
            raise CommandError(f"{option}: {part!r} is not name=value.")
        key, value = part.split("=", 1)
        out[key.strip()] = value.strip()
    return out
