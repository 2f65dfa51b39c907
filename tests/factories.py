"""Factories for test data (factory_boy) and ``make_world``, a small cross-border setup
used by many tests:

- Staffordshire Police (police) with team ``staffs_iom``;
- Norfolk Constabulary (police) with teams ``norfolk_iom`` and ``norfolk_ppo``;
- Waveney District Council (council, Suffolk) with team ``waveney_asb``;
- users: ``staffs_officer`` (practitioner in staffs_iom), ``norfolk_officer``
  (practitioner in norfolk_iom), ``norfolk_ppo_officer`` (practitioner in norfolk_ppo),
  ``waveney_officer`` (practitioner in waveney_asb), ``norfolk_spoc`` (organisation admin,
  member of norfolk_ppo), ``outsider`` (practitioner in waveney_asb's sibling team
  ``waveney_housing``), ``partnership_admin``;
- every programme enabled for every organisation.
"""

from __future__ import annotations

from types import SimpleNamespace

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from core import roles
from core.models import (
    Case,
    Membership,
    Organisation,
    Partnership,
    PartnershipMembership,
    Profile,
    ProgrammeModule,
    Team,
)
from core.plugins.registry import registry

User = get_user_model()


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        role = extracted or roles.PRACTITIONER
        if create and role:
            # The role groups exist: post_migrate syncs them (also after a test flush).
            self.groups.add(Group.objects.get(name=role))


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership

    name = factory.Sequence(lambda n: f"Partnership {n}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = Organisation.Kind.POLICE


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profile

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    date_of_birth = factory.Faker("date_of_birth", minimum_age=12, maximum_age=70)
    owner_team = factory.SubFactory(TeamFactory)


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    reference = factory.Sequence(lambda n: f"ASB-2026-{n:06d}")
    programme = "asb"
    case_type = "asb_case"
    stage = "reported"
    title = factory.Sequence(lambda n: f"Case {n}")
    owner_team = factory.SubFactory(TeamFactory)
    opened_on = factory.Faker("date_between", start_date="-2y", end_date="today")


def member(user, team, role=Membership.Role.MEMBER):
    return Membership.objects.create(user=user, team=team, role=role)


def enable_all_programmes(org):
    for slug in registry.programmes:
        ProgrammeModule.objects.update_or_create(organisation=org, programme=slug, defaults={"enabled": True})


def make_world() -> SimpleNamespace:
    w = SimpleNamespace()
    w.staffs_partnership = PartnershipFactory(name="Staffordshire Community Safety", area="Staffordshire")
    w.norfolk_partnership = PartnershipFactory(name="Norfolk and Suffolk Partnership", area="Norfolk")
    w.staffs_police = OrganisationFactory(name="Staffordshire Police", kind="police", area="Staffordshire")
    w.norfolk_police = OrganisationFactory(name="Norfolk Constabulary", kind="police", area="Norfolk")
    w.waveney = OrganisationFactory(name="Waveney District Council", kind="council", area="Suffolk")
    PartnershipMembership.objects.create(partnership=w.staffs_partnership, organisation=w.staffs_police)
    PartnershipMembership.objects.create(partnership=w.norfolk_partnership, organisation=w.norfolk_police)
    PartnershipMembership.objects.create(partnership=w.norfolk_partnership, organisation=w.waveney)
    for org in (w.staffs_police, w.norfolk_police, w.waveney):
        enable_all_programmes(org)
    w.staffs_iom = TeamFactory(organisation=w.staffs_police, name="IOM Team")
    w.norfolk_iom = TeamFactory(organisation=w.norfolk_police, name="IOM Team")
    w.norfolk_ppo = TeamFactory(organisation=w.norfolk_police, name="PPO Team")
    w.waveney_asb = TeamFactory(organisation=w.waveney, name="ASB Unit")
    w.waveney_housing = TeamFactory(organisation=w.waveney, name="Housing Options")
    w.staffs_officer = UserFactory(username="staffs_officer")
    w.norfolk_officer = UserFactory(username="norfolk_officer")
    w.norfolk_ppo_officer = UserFactory(username="norfolk_ppo_officer")
    w.waveney_officer = UserFactory(username="waveney_officer")
    w.norfolk_spoc = UserFactory(username="norfolk_spoc", role=roles.ORGANISATION_ADMIN)
    w.outsider = UserFactory(username="outsider")
    w.partnership_admin = UserFactory(username="partnership_admin", role=roles.PARTNERSHIP_ADMIN)
    member(w.staffs_officer, w.staffs_iom)
    member(w.norfolk_officer, w.norfolk_iom)
    member(w.norfolk_ppo_officer, w.norfolk_ppo)
    member(w.waveney_officer, w.waveney_asb)
    member(w.norfolk_spoc, w.norfolk_ppo, Membership.Role.MANAGER)
    member(w.outsider, w.waveney_housing)
    return w
