"""A first end-to-end check of the engine through the services (S1 in miniature)."""

import pytest
from django.http import Http404

from core import access, services
from core.access import AccessLevel
from core.models import AuditEvent

from ..factories import ProfileFactory


@pytest.mark.django_db
def test_s1_grant_joint_work_transfer(world):
    w = world
    p = ProfileFactory(owner_team=w.staffs_iom)
    assert access.level_for(w.staffs_officer, p) == AccessLevel.MANAGE
    assert access.level_for(w.norfolk_officer, p) is None
    with pytest.raises(Http404):
        access.get_object_or_404(type(p), w.norfolk_officer, pk=p.pk)
    services.grant_access(p, w.norfolk_iom, AccessLevel.CONTRIBUTE, by=w.staffs_officer, reason="Moved to Norfolk")
    assert access.level_for(w.norfolk_officer, p) == AccessLevel.CONTRIBUTE
    assert list(access.restrict(type(p).objects.all(), w.norfolk_officer)) == [p]
    services.add_activity(by=w.norfolk_officer, profile=p, summary="Home visit in Norwich")
    services.transfer_ownership(p, w.norfolk_iom, by=w.staffs_officer, reason="Lives here now", consent_reviewed=True)
    p.refresh_from_db()
    assert access.level_for(w.norfolk_officer, p) == AccessLevel.MANAGE
    assert access.level_for(w.staffs_officer, p) == AccessLevel.VIEW
    assert access.level_for(w.outsider, p) is None
    assert access.level_for(w.norfolk_spoc, p) == AccessLevel.MANAGE  # SPOC of the owner organisation
    assert AuditEvent.objects.filter(action="transfer").count() == 1
