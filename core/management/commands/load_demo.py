"""``manage.py load_demo``: load the demo partnership (see ``core.demo``)."""

from __future__ import annotations

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from core import demo


class Command(BaseCommand):
    help = "Load the demo partnership: organisations, teams, users for every role, profiles and cases."

    def add_arguments(self, parser):
        parser.add_argument("--profiles", type=int, default=200, help="How many people to create (default 200).")
        parser.add_argument("--seed", type=int, default=1, help="Seed of the random generator (default 1).")
        parser.add_argument("--reset", action="store_true",
                            help="Empty the whole database first (flush), then load the demo again.")
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print the demo logins.")

    def handle(self, *args, profiles, seed, reset, quiet_logins, **options):
        if profiles < 0:
            raise CommandError("--profiles must be 0 or more.")
        if reset:
            self.stdout.write("Emptying the database (--reset)…")
            call_command("flush", interactive=False, verbosity=0)
            demo.remove_demo_photos()
        started = time.monotonic()
        try:
            ctx = demo.load(profiles=profiles, seed=seed)
        except demo.DemoAlreadyLoaded:
            self.stdout.write("The demo data is already loaded; nothing was added (use --reset to reload it).")
        else:
            self.stdout.write(self.style.SUCCESS(
                f"Demo loaded in {time.monotonic() - started:.1f} s: {len(ctx.organisations)} organisations, "
                f"{len(ctx.teams)} teams, {len(ctx.users)} users, {len(ctx.profiles)} profiles, "
                f"{demo.case_count()} cases."
            ))
        if not quiet_logins:
            self.stdout.write("")
            self.stdout.write(demo.format_logins())
