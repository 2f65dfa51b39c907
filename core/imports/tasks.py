"""The background import (django-tasks): large files are run by the worker while the
import's page shows the progress stored on the job."""

from __future__ import annotations

from django_tasks import task


@task()
def run_import_task(job_id: int, dry_run: bool) -> dict:
    from ..models import ImportJob
    from . import pipeline

    job = ImportJob.objects.select_related("owner_team", "created_by").get(pk=job_id)
    outcome = pipeline.run(job, dry_run=dry_run)
    return outcome.counts
