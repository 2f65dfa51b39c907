"""``manage.py import``: the same pipeline from the command line."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from core.models import ImportJob, Profile

from .sheets import GOOD_ROWS, csv_bytes

pytestmark = pytest.mark.django_db


def run(world, path, *extra):
    team = f"{world.norfolk_police.slug}/{world.norfolk_ppo.slug}"
    call_command("import", "profiles", str(path), "--user", "norfolk_spoc", "--team", team, *extra)


def test_dry_run_then_commit(world, tmp_path, capsys):
    sheet = tmp_path / "cohort.csv"
    sheet.write_bytes(csv_bytes(GOOD_ROWS))
    run(world, sheet, "--dry-run")
    assert "create 4, update 0" in capsys.readouterr().out
    assert not Profile.objects.exists()
    run(world, sheet, "--mode", "valid_rows", "--constant", "warning_markers=weapons")
    assert Profile.objects.filter(warning_markers__marker="weapons").count() == 4
    assert ImportJob.objects.filter(status="committed").count() == 1


def test_explicit_mapping_and_errors_exit_1(world, tmp_path, capsys):
    sheet = tmp_path / "odd.csv"
    sheet.write_bytes(csv_bytes([["Smith", "Jo", "31/02/1990"]], headings=["Nom", "Prenom", "Ne"]))
    with pytest.raises(SystemExit) as exit_:
        run(world, sheet, "--mapping", "Nom=last_name,Prenom=first_name,Ne=date_of_birth")
    assert exit_.value.code == 1
    assert "row 2, C (Ne): '31/02/1990' is not a real date" in capsys.readouterr().out
    assert not Profile.objects.exists()


def test_unknown_team_is_refused(world, tmp_path):
    sheet = tmp_path / "c.csv"
    sheet.write_bytes(csv_bytes(GOOD_ROWS))
    with pytest.raises(CommandError, match="No team"):
        call_command("import", "profiles", str(sheet), "--user", "norfolk_spoc", "--team", "nowhere/none")
