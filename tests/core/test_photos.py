"""Profile photos are served only to users who may view the profile."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from core import services
from core.access import AccessLevel

from ..factories import ProfileFactory


def _png() -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "teal").save(buf, "PNG")
    return SimpleUploadedFile("face.png", buf.getvalue(), content_type="image/png")


@pytest.fixture
def profile_with_photo(world):
    p = ProfileFactory(owner_team=world.staffs_iom)
    p.photo.save("face.png", _png(), save=True)
    return p


@pytest.mark.django_db
def test_owner_gets_photo_inline(client, world, profile_with_photo):
    client.force_login(world.staffs_officer)
    response = client.get(reverse("wraparound_profile_photo", args=[profile_with_photo.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


@pytest.mark.django_db
def test_outsider_gets_404_for_photo(client, world, profile_with_photo):
    client.force_login(world.outsider)
    assert client.get(reverse("wraparound_profile_photo", args=[profile_with_photo.pk])).status_code == 404


@pytest.mark.django_db
def test_grantee_gets_photo(client, world, profile_with_photo):
    services.grant_access(profile_with_photo, world.norfolk_iom, AccessLevel.VIEW, by=world.staffs_officer, reason="S1")
    client.force_login(world.norfolk_officer)
    assert client.get(reverse("wraparound_profile_photo", args=[profile_with_photo.pk])).status_code == 200


@pytest.mark.django_db
def test_anonymous_is_sent_to_login_for_photo(client, profile_with_photo):
    response = client.get(reverse("wraparound_profile_photo", args=[profile_with_photo.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.django_db
def test_profile_page_shows_photo_through_the_protected_url(client, world, profile_with_photo):
    client.force_login(world.staffs_officer)
    page = client.get(reverse("wraparound_profiles:detail", args=[profile_with_photo.pk])).content.decode()
    assert reverse("wraparound_profile_photo", args=[profile_with_photo.pk]) in page
    assert "/media/" not in page
