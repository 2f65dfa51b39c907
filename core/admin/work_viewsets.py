"""Registers the task and referral screens (``core.admin.tasks``, ``core.admin.referrals``)."""

from wagtail import hooks

from .referrals import ReferralViewSet
from .tasks import TaskViewSet


@hooks.register("register_admin_viewset")
def register_work_viewsets():
    return [TaskViewSet(), ReferralViewSet()]
