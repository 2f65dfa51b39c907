"""IOM's trigger rule kinds: each fires once per occurrence, on the right day and not
before, only to the rule's recipients, counting only what they may read; IOM's alerts
are hidden while IOM is off for the viewer's organisation."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone as real_timezone

from core import alerts, services
from core.models import Activity, Alert, Notification, TriggerRule
from core.plugins.registry import registry
from core.services.alerts import alerts_visible_to, sync_default_rules
from plugins.iom import services as iom
from plugins.iom import triggers

from .iom_helpers import cohort_case, days_ago, fresh, switch_iom, today

pytestmark = pytest.mark.django_db


class Clock:
    """``django.utils.timezone`` as seen by IOM's rules, on another day."""

    def __init__(self, day):
        self.day = day

    def localdate(self):
        return self.day

    def now(self):
        return real_timezone.make_aware(datetime.combine(self.day, time(12, 0)))

    def localtime(self, value=None):
        return real_timezone.localtime(value)


@pytest.fixture
def clock(monkeypatch):
    def at(day):
        monkeypatch.setattr(triggers, "timezone", Clock(day))

    return at


@pytest.fixture
def s1(world):
    # Only the rule under test: the shipped defaults are switched off here.
    TriggerRule.objects.filter(kind__startswith="iom_").update(is_active=False)
    profile, case = cohort_case(world)
    iom.record_membership(case, by=world.staffs_officer, category="ppo", tier=1, adopted_on=days_ago(100))
    return world, profile, case


def make_rule(world, kind, days, **kw):
    rule = TriggerRule.objects.create(name=f"Test {kind}", kind=kind, params={"days": days}, programme="iom",
                                      notify_owner_team=kw.get("notify_owner_team", False))
    rule.recipient_teams.add(kw.get("recipients", world.norfolk_iom))
    return rule


def sweep_count():
    return alerts.sweep()


def told(user, rule):
    return Notification.objects.filter(recipient=user, subject=f"Alert: {rule.name}").count()


def test_default_rules_are_shipped_once_and_then_belong_to_the_admins(world):
    kinds = {"iom_release_within", "iom_no_contact", "iom_new_custody"}
    assert kinds <= set(registry.rule_kinds)
    shipped = TriggerRule.objects.filter(kind__in=kinds)
    assert shipped.count() == 3 and all(r.programme == "iom" and r.notify_owner_team for r in shipped)
    shipped.filter(kind="iom_no_contact").update(params={"days": 14}, is_active=False)
    assert sync_default_rules() == []
    assert TriggerRule.objects.get(kind="iom_no_contact").params == {"days": 14}


# Release date within N days -----------------------------------------------------------

def test_release_rule_fires_once_on_the_day_the_date_comes_within_n_days(s1, clock):
    w, profile, case = s1
    release = today() + timedelta(days=30)
    iom.record_custody(profile, by=w.staffs_officer, case=case, establishment="HMP Stafford",
                       received_on=days_ago(200), expected_release_on=release)
    rule = make_rule(w, "iom_release_within", 28)
    clock(today())
    assert sweep_count() == 0  # 30 days away: not yet
    clock(today() + timedelta(days=1))
    assert sweep_count() == 0  # 29 days away
    clock(today() + timedelta(days=2))
    assert sweep_count() == 1  # 28 days away
    clock(today() + timedelta(days=3))
    assert sweep_count() == 0  # the same release: not again
    alert = Alert.objects.get(rule=rule)
    assert alert.profile == profile and release.strftime("%d %b %Y") in alert.summary
    assert told(w.norfolk_officer, rule) == 1
    assert told(w.staffs_officer, rule) == 0 and told(w.outsider, rule) == 0 and told(w.waveney_officer, rule) == 0


def test_release_rule_ignores_people_already_released(s1, clock):
    w, profile, case = s1
    period = iom.record_custody(profile, by=w.staffs_officer, case=case, establishment="HMP Stafford",
                                received_on=days_ago(200), expected_release_on=today() + timedelta(days=5))
    iom.record_release(period, by=w.staffs_officer, released_on=today(), release_type="licence")
    make_rule(w, "iom_release_within", 28)
    clock(today())
    assert sweep_count() == 0


def test_a_changed_release_date_is_a_new_occurrence(s1, clock):
    w, profile, case = s1
    period = iom.record_custody(profile, by=w.staffs_officer, case=case, establishment="HMP Stafford",
                                received_on=days_ago(200), expected_release_on=today() + timedelta(days=10))
    make_rule(w, "iom_release_within", 28)
    clock(today())
    assert sweep_count() == 1
    iom.update_custody(period, by=w.staffs_officer, changes={"expected_release_on": today() + timedelta(days=20)})
    assert sweep_count() == 1
    assert sweep_count() == 0


# No recorded contact for N days ---------------------------------------------------------

def contact(world, case, on, *, by=None, restricted=False):
    activity = services.add_activity(by=by or world.staffs_officer, case=case, summary="Home visit",
                                     kind=Activity.Kind.VISIT, restricted=restricted)
    Activity.objects.filter(pk=activity.pk).update(
        occurred_at=real_timezone.make_aware(datetime.combine(on, time(10, 0))))
    return activity


def test_silence_rule_fires_once_per_silence_and_a_contact_starts_a_new_window(s1, clock):
    w, profile, case = s1
    contact(w, case, days_ago(27))
    rule = make_rule(w, "iom_no_contact", 28)
    clock(today())
    assert sweep_count() == 0  # 27 days of silence
    clock(today() + timedelta(days=1))
    assert sweep_count() == 1  # 28 days
    clock(today() + timedelta(days=5))
    assert sweep_count() == 0  # the same silence
    contact(w, case, today() + timedelta(days=5))
    clock(today() + timedelta(days=32))
    assert sweep_count() == 0  # 27 days since the new contact
    clock(today() + timedelta(days=33))
    assert sweep_count() == 1  # a new silence
    assert Alert.objects.filter(rule=rule).count() == 2
    assert told(w.norfolk_officer, rule) == 2 and told(w.staffs_officer, rule) == 0


def test_silence_rule_counts_only_contacts_the_recipients_may_read(s1, clock):
    w, profile, case = s1
    # Staffordshire recorded a restricted visit: Norfolk (the recipients) cannot read it.
    contact(w, case, days_ago(3), restricted=True)
    rule = make_rule(w, "iom_no_contact", 28)
    clock(today())
    assert sweep_count() == 1
    assert "since" in Alert.objects.get(rule=rule).summary
    # Told to the owner team as well, the same visit counts: no silence for that rule.
    owner_rule = make_rule(w, "iom_no_contact", 28, notify_owner_team=True)
    alerts.evaluate_rule(owner_rule)
    assert not Alert.objects.filter(rule=owner_rule).exists()


def test_silence_rule_ignores_exited_members(s1, clock):
    w, profile, case = s1
    iom.update_membership(case.iom_membership, by=w.staffs_officer,
                          changes={"exited_on": days_ago(1), "exit_reason": "desisted"})
    make_rule(w, "iom_no_contact", 28)
    clock(today())
    assert sweep_count() == 0


# New custody period -------------------------------------------------------------------

def test_new_custody_fires_when_recorded_and_never_again(s1, django_capture_on_commit_callbacks):
    w, profile, case = s1
    rule = make_rule(w, "iom_new_custody", 7)
    assert sweep_count() == 0  # nothing recorded yet
    with django_capture_on_commit_callbacks(execute=True):
        period = iom.record_custody(profile, by=w.staffs_officer, case=case, establishment="HMP Birmingham",
                                    received_on=today(), prison_number="A1234BC")
    alert = Alert.objects.get(rule=rule)
    assert alert.occurrence_key == f"custody:{period.pk}" and "HMP Birmingham" in alert.summary
    assert sweep_count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        contact(w, case, today())
    assert Alert.objects.filter(rule=rule).count() == 1
    assert told(w.norfolk_officer, rule) == 1 and told(w.staffs_officer, rule) == 0


def test_new_custody_ignores_old_records_and_releases(s1, clock):
    w, profile, case = s1
    old = iom.record_custody(profile, by=w.staffs_officer, case=case, establishment="HMP Stafford",
                             received_on=days_ago(20))
    iom.record_custody(profile, by=w.staffs_officer, case=case, establishment="HMP Leicester",
                       received_on=days_ago(400), released_on=days_ago(300), release_type="licence")
    make_rule(w, "iom_new_custody", 7)
    clock(today() + timedelta(days=8))  # the first record is now 8 days old
    assert sweep_count() == 0
    clock(today())
    assert sweep_count() == 1
    assert Alert.objects.get().occurrence_key == f"custody:{old.pk}"


# IOM switched off ---------------------------------------------------------------------

def test_iom_alerts_are_hidden_while_iom_is_off_and_kept(s1, clock):
    w, profile, case = s1
    iom.record_custody(profile, by=w.staffs_officer, case=case, establishment="HMP Stafford",
                       received_on=days_ago(200), expected_release_on=today() + timedelta(days=3))
    rule = make_rule(w, "iom_release_within", 28)
    rule.programme = ""  # even a rule not scoped to IOM: its kind is IOM's
    rule.save()
    clock(today())
    assert sweep_count() == 1
    assert alerts_visible_to(fresh(w.norfolk_officer)).count() == 1
    switch_iom(w.norfolk_police, False)
    assert alerts_visible_to(fresh(w.norfolk_officer)).count() == 0
    assert Alert.objects.count() == 1
    switch_iom(w.norfolk_police, True)
    assert alerts_visible_to(fresh(w.norfolk_officer)).count() == 1


def test_teams_whose_organisation_has_iom_off_are_not_told(s1, clock):
    """A recipient team, or the owner team, of an organisation that has switched IOM off
    is not notified of an IOM alert it could not open; the others still are."""
    w, profile, case = s1
    iom.record_custody(profile, by=w.staffs_officer, case=case, establishment="HMP Stafford",
                       received_on=days_ago(200), expected_release_on=today() + timedelta(days=3))
    rule = make_rule(w, "iom_release_within", 28, notify_owner_team=True)
    rule.recipient_teams.add(w.staffs_iom)
    switch_iom(w.norfolk_police, False)
    clock(today())
    assert sweep_count() == 1
    assert told(w.norfolk_officer, rule) == 0  # Norfolk has IOM off
    assert told(w.staffs_officer, rule) == 1  # the owner team, and a recipient: told once


def test_with_iom_on_every_recipient_is_told(s1, clock):
    w, profile, case = s1
    iom.record_custody(profile, by=w.staffs_officer, case=case, establishment="HMP Stafford",
                       received_on=days_ago(200), expected_release_on=today() + timedelta(days=3))
    rule = make_rule(w, "iom_release_within", 28, notify_owner_team=True)
    clock(today())
    assert sweep_count() == 1
    assert told(w.norfolk_officer, rule) == 1 and told(w.staffs_officer, rule) == 1
