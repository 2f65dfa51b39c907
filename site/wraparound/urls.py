"""URL configuration: the Wagtail admin is the application, mounted at /admin/; the root
redirects there."""

from django.urls import include, path
from django.views.generic import RedirectView
from wagtail.admin import urls as wagtailadmin_urls

from core import views as core_views
from core.api.app import api as wraparound_api

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="wagtailadmin_home", permanent=False)),
    path("admin/", include(wagtailadmin_urls)),
    path("api/v1/", wraparound_api().urls),
    path("photos/profiles/<int:pk>/", core_views.profile_photo, name="wraparound_profile_photo"),
]
