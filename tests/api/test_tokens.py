"""Managing service accounts and tokens: who may, and the CLI."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from core import services
from core.models import ApiToken, AuditEvent, Channel
from core.services.errors import NotAllowed

from .conftest import ApiClient


def cli(*args) -> str:
    out = StringIO()
    call_command("api_tokens", *args, stdout=out)
    return out.getvalue()


def test_cli_creates_issues_lists_and_revokes(world):
    cli("create-account", "norfolk-rms", "--team", f"{world.norfolk_police.slug}/{world.norfolk_iom.slug}")
    output = cli("issue", "norfolk-rms", "--name", "RMS sync", "--read-only", "--expires", "2099-01-01")
    secret = output.strip().splitlines()[-1]
    assert secret.startswith("wrp_")
    me = ApiClient(secret).get("/me/").json()
    assert me["username"] == "norfolk-rms" and me["token"]["read_only"] is True
    listing = cli("list", "--organisation", world.norfolk_police.slug)
    assert "RMS sync" in listing and "read-only" in listing and secret not in listing
    token = ApiToken.objects.get()
    cli("revoke", str(token.pk))
    assert ApiClient(secret).get("/me/").status_code == 401
    assert set(AuditEvent.objects.filter(object_type__in=["core.apitoken", "core.serviceaccount"])
               .values_list("channel", flat=True)) == {Channel.CLI}


def test_cli_errors_are_clear(world):
    with pytest.raises(CommandError, match="No team"):
        cli("create-account", "x", "--team", "nowhere/none")
    with pytest.raises(CommandError, match="No service account"):
        cli("issue", "ghost", "--name", "x")


def test_only_administrators_of_the_organisation_manage_tokens(world):
    # norfolk_spoc administers Norfolk Constabulary, not Staffordshire Police.
    mine = services.create_service_account(by=world.norfolk_spoc, team=world.norfolk_iom, username="svc-n")
    services.issue_token(mine, by=world.norfolk_spoc, name="ok")
    with pytest.raises(NotAllowed):
        services.create_service_account(by=world.norfolk_spoc, team=world.staffs_iom, username="svc-s")
    with pytest.raises(NotAllowed):
        services.create_service_account(by=world.norfolk_officer, team=world.norfolk_iom, username="svc-x")
    theirs = services.create_service_account(by=None, team=world.staffs_iom, username="svc-s2")
    with pytest.raises(NotAllowed):
        services.issue_token(theirs, by=world.norfolk_spoc, name="nope")
    assert not ApiToken.objects.filter(account=theirs).exists()
