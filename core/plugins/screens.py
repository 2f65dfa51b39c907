"""What a plugin's admin screens share with core's (public API for plugins, like
``core.services``): a refused service call as a 403 page with its reason, and a service's
``ValidationError`` put on a form field by field."""

from __future__ import annotations

import functools

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse

from ..services.errors import NotAllowed


def forbidden_as_403(view):
    """A refused service call (NotAllowed) or PermissionDenied answers 403 with the
    reason, rather than Wagtail's redirect to the dashboard."""

    @functools.wraps(view)
    def wrapped(self, request, *args, **kwargs):
        try:
            return view(self, request, *args, **kwargs)
        except (PermissionDenied, NotAllowed) as exc:
            message = (exc.messages[0] if isinstance(exc, ValidationError) else str(exc)) or (
                "You do not have the access this needs."
            )
            return TemplateResponse(request, "wraparound/records/forbidden.html", {"message": message}, status=403)

    return wrapped


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: per field where the form has that
    field, otherwise at the top."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        target = field if field in form.fields else None
        if field == "identifiers":  # the profile form's identifier rows are a formset, not a field
            target = None
        for item in errors:
            form.add_error(target, item)
