"""URL configuration: the Wagtail admin is the application, mounted at /admin/; the root
redirects there."""

from django.urls import include, path
from django.views.generic import RedirectView
from wagtail.admin import urls as wagtailadmin_urls

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="wagtailadmin_home", permanent=False)),
    path("admin/", include(wagtailadmin_urls)),
]
