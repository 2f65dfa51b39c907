"""Views of core outside the admin's viewsets: files served through the access engine.

Uploaded media are never served as static files; a photo is answered only to users who
may view its profile (404 otherwise, as for the profile itself)."""

from __future__ import annotations

from pathlib import PurePath

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.views.decorators.http import require_GET

from . import access, uploads
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
    response = uploads.protected_file_response(
        profile.photo, download_name=f"profile-{profile.pk}{PurePath(profile.photo.name).suffix}", as_attachment=False
    )
    if not response["Content-Type"].startswith("image/"):
        response.close()
        raise Http404("No photo.")
    return response
