"""Views of core outside the admin's viewsets: files served through the access engine.

Uploaded media are never served as static files; a photo is answered only to users who
may view its profile (404 otherwise, as for the profile itself)."""

from __future__ import annotations

import mimetypes

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.views.decorators.http import require_GET

from . import access
from .models import Profile


@require_GET
@login_required
def profile_photo(request, pk: int):
    profile = access.get_object_or_404(Profile, request.user, access.AccessLevel.VIEW, pk=pk)
    return profile_photo_response(profile)


def profile_photo_response(profile):
    """The photo of a profile the caller has already checked may be shown."""
    if not profile.photo:
        raise Http404("No photo.")
    content_type = mimetypes.guess_type(profile.photo.name)[0] or "application/octet-stream"
    if not content_type.startswith("image/"):
        raise Http404("No photo.")
    response = FileResponse(profile.photo.open("rb"), content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="profile-{profile.pk}{mimetypes.guess_extension(content_type) or ""}"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    return response
