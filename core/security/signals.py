"""Signal receivers of the security controls.

- Lockouts (django-axes ``user_locked_out``) are audited as ``LOCKOUT``. Each failed
  password is already audited as ``LOGIN_FAILED`` by ``core.signals``; this does not
  record it a second time.
- A login starts the session's absolute lifetime (``core.security.middleware``).
"""

from __future__ import annotations

import time

from axes.signals import user_locked_out
from django.contrib.auth import user_logged_in
from django.dispatch import receiver

from .middleware import LAST_SEEN_KEY, STARTED_KEY


@receiver(user_locked_out)
def _locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    from .. import audit

    with audit.audit_context(source_address=ip_address):
        audit.record(
            audit.AuditAction.LOCKOUT, object_type="auth.user", object_id="",
            object_repr=str(username or "")[:150],
            changes={"username": username or "", "ip_address": ip_address or ""},
        )


@receiver(user_logged_in)
def _session_started(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[STARTED_KEY] = now
        request.session[LAST_SEEN_KEY] = now
