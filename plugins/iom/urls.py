"""IOM's admin URLs, mounted by core under ``/admin/programmes/iom/`` (404 when IOM is
off for the user's organisations)."""

from django.urls import path

from . import views

urlpatterns = [
    path("cohort/", views.CohortView.as_view(), name="iom_cohort"),
    path("cases/<int:pk>/membership/", views.MembershipView.as_view(), name="iom_membership"),
    path("cases/<int:pk>/pathways/<slug:pathway>/", views.PathwayView.as_view(), name="iom_pathway"),
    path("profiles/<int:pk>/custody/add/", views.CustodyAddView.as_view(), name="iom_custody_add"),
    path("custody/<int:pk>/", views.CustodyEditView.as_view(), name="iom_custody_edit"),
    path("custody/<int:pk>/release/", views.ReleaseView.as_view(), name="iom_custody_release"),
    path("profiles/<int:pk>/risk-scores/add/", views.RiskScoreAddView.as_view(), name="iom_risk_add"),
]
