"""The profile access index: a derived table, PostgreSQL only, kept by triggers.

One row per way a *principal* can reach a profile, carrying the profile's names so that
"the first page of the profiles I may see, by surname" is one index-only scan of
``(principal, last_name, first_name, profile)`` instead of a semi-join that fetches
every visible profile's heap row to sort it (issue 8's measurements: 26 ms → ~1.5 ms for
a user who sees 4,000 of 1,000,000 profiles).

A principal is a number standing for whoever holds the access:

- an ``auth.Group`` id — a team's group (the owner team's *manage*; grants to a team) or
  an organisation's group (grants to an organisation);
- ``USER_PRINCIPAL + user id`` — grants to a named user;
- ``ORG_ADMIN_PRINCIPAL + organisation id`` — the organisation admins' *manage* on what
  their organisation's teams own.

django-guardian's tables remain the store of grants: the rows here are written only by
the triggers that migration ``core.0004_profile_access_index`` installs on
``core_profile``, ``core_team`` and the two profile permission tables, inside the
writing transaction, so the index can never disagree with what it derives from. On
SQLite the table exists but stays empty and ``core.access`` reads the permission
tables directly."""

from __future__ import annotations

from django.db import models

USER_PRINCIPAL = 1 << 40
ORG_ADMIN_PRINCIPAL = 2 << 40


class ProfileAccessEntry(models.Model):
    class Source(models.IntegerChoices):
        OWNER = 0, "Owner team or its organisation's admins"
        USER_PERMISSION = 1, "Permission row of a user"
        GROUP_PERMISSION = 2, "Permission row of a group"

    id = models.BigAutoField(primary_key=True)
    principal = models.BigIntegerField()
    # No database constraint: the triggers delete a profile's rows with it, and a
    # constraint would make Django's test flush (TRUNCATE) refuse the profile table.
    profile = models.ForeignKey(
        "core.Profile", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    level = models.PositiveSmallIntegerField()
    expires_at = models.DateTimeField(null=True, blank=True)
    last_name = models.CharField(max_length=100)
    first_name = models.CharField(max_length=100)
    source = models.PositiveSmallIntegerField(choices=Source.choices)
    source_id = models.BigIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(
                fields=["principal", "last_name", "first_name", "profile"],
                include=["level", "expires_at"],
                name="profile_access_page_idx",
            ),
            models.Index(fields=["profile", "principal"], include=["level", "expires_at"],
                         name="profile_access_object_idx"),
            models.Index(fields=["source", "source_id"], name="profile_access_source_idx"),
        ]

    def __str__(self) -> str:
        return f"principal {self.principal} → profile {self.profile_id} ({self.level})"
