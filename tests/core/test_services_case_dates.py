"""Stage changes and closures entered late say when they happened."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from core import services
from core.models import Activity


@pytest.fixture
def case(world):
    return services.open_case(by=world.waveney_officer, owner_team=world.waveney_asb, programme="asb",
                              case_type="asb_case", title="Noise", opened_on=date.today() - timedelta(days=60))


@pytest.mark.django_db
def test_stage_change_keeps_the_date_it_happened(world, case):
    when = timezone.now() - timedelta(days=30)
    activity = services.change_stage(case, "investigation", by=world.waveney_officer, occurred_at=when)
    assert activity.occurred_at == when


@pytest.mark.django_db
def test_stage_change_cannot_be_dated_before_the_case_opened_or_in_future(world, case):
    for when in (timezone.now() - timedelta(days=90), timezone.now() + timedelta(days=1)):
        with pytest.raises(ValidationError):
            services.change_stage(case, "investigation", by=world.waveney_officer, occurred_at=when)
    case.refresh_from_db()
    assert case.stage == "reported" and not Activity.objects.filter(case=case).exists()


@pytest.mark.django_db
def test_closure_entry_is_dated_on_the_closing_day_and_shows_outcome_label(client, world, case):
    closed_on = date.today() - timedelta(days=10)
    activity = services.close_case(case, by=world.waveney_officer, outcome="behaviour_stopped", closed_on=closed_on)
    assert timezone.localdate(activity.occurred_at) == closed_on
    client.force_login(world.waveney_officer)
    page = client.get(reverse("wraparound_cases:detail", args=[case.pk])).content.decode()
    assert "Behaviour stopped" in page
