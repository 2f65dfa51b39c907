"""Admin: referrals — in and out lists, making one from a profile with a programme's
referral form, and the referral screen where the receiving team accepts, declines or
asks for more information and the referrer answers or withdraws.

A referral comes from ``core.access.restrict`` (parties: the two teams and the
referrer; those who may see the profile). The receiving team sees what the referral
carries — the answers and the person's name, age and gender copied when it was made —
and reaches the profile itself only after accepting."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin.viewsets.base import ViewSet

from .. import access, services
from ..access import AccessLevel
from ..forms.work import InfoForm, ReasonForm, ReferralForm
from ..models import Case, Membership, Profile, Referral
from ..plugins.registry import registry
from ..plugins.screens import add_service_errors, forbidden_as_403
from ..services.errors import NotAllowed
from ..services.work import is_receiver, is_referrer
from .common import WorkScreen, error_text

NAMESPACE = "wraparound_referrals"
PAGE_SIZE = 50


def referral_queryset(user):
    return access.restrict(Referral.objects.all(), user).select_related(
        "from_team__organisation", "to_team__organisation", "made_by", "case"
    )


def form_label(referral: Referral) -> str:
    return referral.content.get("form_label") or referral.form


def programme_label(referral: Referral) -> str:
    case_type = registry.case_type(referral.programme, referral.case_type)
    name = registry.programme_name(referral.programme)
    return f"{name} — {case_type.name}" if case_type else name


class ReferralIndexView(WorkScreen, TemplateView):
    template_name = "wraparound/work/referral_index.html"
    page_title = "Referrals"
    header_icon = "resubmit"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        box = self.request.GET.get("box", "in")
        status = self.request.GET.get("status", "waiting")
        mine = Membership.objects.filter(user=user).values("team_id")
        referrals = referral_queryset(user)
        if box == "out":
            referrals = referrals.filter(Q(from_team_id__in=mine) | Q(made_by=user))
        else:
            box = "in"
            referrals = referrals.filter(to_team_id__in=mine)
        if status == "closed":
            referrals = referrals.exclude(status__in=Referral.WAITING)
        elif status != "all":
            status = "waiting"
            referrals = referrals.filter(status__in=Referral.WAITING)
        page = Paginator(referrals, PAGE_SIZE).get_page(self.request.GET.get("p"))
        rows = list(page.object_list)
        # A referrer may follow the referral without access to the case it started: its
        # reference is shown only to those who may open the case.
        visible_cases = access.visible_pks(user, Case, [r.case_id for r in rows if r.case_id])
        for r in rows:
            r.form_label, r.programme_label = form_label(r), programme_label(r)
            r.case_visible = r.case_id in visible_cases
        context.update(box=box, status=status, referrals=rows, page=page,
                       boxes=[("in", "Referrals in"), ("out", "Referrals out")],
                       statuses=[("waiting", "Waiting"), ("closed", "Decided or withdrawn"), ("all", "All")])
        return context


class ReferralCreateView(WorkScreen, TemplateView):
    """``new/<profile>/``: choose a form; ``new/<profile>/<form>/``: fill it in."""

    template_name = "wraparound/work/referral_form.html"
    header_icon = "resubmit"
    page_title = "Make a referral"

    @forbidden_as_403
    def dispatch(self, request, pk, form_slug=None):
        self.profile = access.get_object_or_404(Profile, request.user, AccessLevel.MANAGE, pk=pk)
        self.spec = None
        if form_slug is not None:
            self.spec = registry.referral_forms.get(form_slug)
            if self.spec is None:
                raise Http404("No such referral form.")
        return super().dispatch(request, pk=pk, form_slug=form_slug)

    def from_team_ids(self):
        return list(Membership.objects.filter(user=self.request.user).values_list("team_id", flat=True))

    def forms(self, data=None):
        meta = ReferralForm(data, spec=self.spec, from_team_ids=self.from_team_ids())
        answers = self.spec.form_class(data, prefix="answers")
        return meta, answers

    def get_context_data(self, meta=None, answers=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context["profile"] = self.profile
        if self.spec is None:
            context["choices"] = sorted(registry.referral_forms.values(), key=lambda s: (s.slug != "generic", s.label))
        else:
            if meta is None:
                meta, answers = self.forms()
            context.update(spec=self.spec, meta=meta, answers=answers,
                           programme=programme_label_of(self.spec))
        return context

    def post(self, request, pk, form_slug=None):
        if self.spec is None:
            raise Http404
        meta, answers = self.forms(request.POST)
        if meta.is_valid():
            programme, _, case_type = (meta.cleaned_data.get("case_type") or "").partition(":")
            try:
                referral = services.make_referral(
                    by=request.user, profile=self.profile, to_team=meta.cleaned_data["to_team"],
                    form_slug=self.spec.slug, form=answers, programme=programme, case_type=case_type,
                    profile_level=meta.cleaned_data["profile_level"],
                    referrer_case_level=meta.cleaned_data["referrer_case_level"],
                )
            except NotAllowed:
                raise
            except ValidationError as exc:
                add_service_errors(meta, _without_answer_fields(exc, answers))
            else:
                messages.success(request, f"Referral #{referral.pk} sent to {referral.to_team}.")
                return HttpResponseRedirect(reverse(f"{NAMESPACE}:detail", args=[referral.pk]))
        else:
            answers.is_valid()
        response = self.render_to_response(self.get_context_data(meta=meta, answers=answers))
        response.status_code = 400
        return response


def programme_label_of(spec) -> str:
    if not spec.programme:
        return ""
    case_type = registry.case_type(spec.programme, spec.case_type)
    return f"{registry.programme_name(spec.programme)} — {case_type.name if case_type else spec.case_type}"


def _without_answer_fields(exc: ValidationError, answers) -> ValidationError:
    # The answers form shows its own errors (it was validated by the service).
    if not hasattr(exc, "error_dict"):
        return exc
    rest = {k: v for k, v in exc.error_dict.items() if k not in answers.fields}
    return ValidationError(rest) if rest else ValidationError([])


class ReferralDetailView(WorkScreen, TemplateView):
    template_name = "wraparound/work/referral_detail.html"
    header_icon = "resubmit"

    def get(self, request, pk):
        self.referral = access.get_object_or_404(referral_queryset(request.user), request.user, pk=pk)
        return super().get(request, pk=pk)

    def get_page_title(self):
        return f"Referral #{self.referral.pk}"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(f"{NAMESPACE}:index"), "label": "Referrals"},
            {"url": "", "label": f"Referral #{self.referral.pk}"},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        r, user = self.referral, self.request.user
        receiver, referrer = is_receiver(user, r), is_referrer(user, r)
        context.update(
            referral=r, form_label=form_label(r), programme=programme_label(r),
            steps=list(r.steps.select_related("by")),
            profile_visible=access.can(user, r.profile) if r.profile_id else False,
            case_visible=bool(r.case_id) and access.can(user, r.case),
            receiver=receiver, referrer=referrer,
            can_decide=receiver and r.is_waiting,
            can_ask=receiver and r.status == Referral.Status.SUBMITTED,
            can_answer=referrer and r.status == Referral.Status.MORE_INFO,
            can_withdraw=referrer and r.is_waiting,
            reason_form=ReasonForm(), info_form=InfoForm(),
        )
        return context


class ReferralActionView(View):
    """POST: accept, decline, ask (more information), answer, withdraw."""

    http_method_names = ["post"]
    action = ""

    @forbidden_as_403
    def post(self, request, pk):
        referral = access.get_object_or_404(referral_queryset(request.user), request.user, pk=pk)
        text = request.POST.get("reason") or request.POST.get("text") or ""
        version = request.POST.get("version")
        version = int(version) if version and version.isdigit() else None
        try:
            if self.action == "accept":
                case = services.accept_referral(referral, by=request.user, note=text, expected_version=version)
                messages.success(request, f"Referral accepted: case {case.reference} started.")
                return HttpResponseRedirect(reverse("wraparound_cases:detail", args=[case.pk]))
            if self.action == "decline":
                services.decline_referral(referral, by=request.user, reason=text, expected_version=version)
                messages.success(request, "Referral declined; the referrer has been told.")
            elif self.action == "ask":
                services.ask_for_information(referral, by=request.user, question=text, expected_version=version)
                messages.success(request, "Question sent to the referrer.")
            elif self.action == "answer":
                services.give_information(referral, by=request.user, answer=text, expected_version=version)
                messages.success(request, "Information sent to the receiving team.")
            elif self.action == "withdraw":
                services.withdraw_referral(referral, by=request.user, reason=text, expected_version=version)
                messages.success(request, "Referral withdrawn.")
        except NotAllowed:
            raise
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        return HttpResponseRedirect(reverse(f"{NAMESPACE}:detail", args=[referral.pk]))


class ReferralViewSet(ViewSet):
    name = "referrals"
    url_prefix = "referrals"
    url_namespace = NAMESPACE
    icon = "resubmit"
    menu_label = "Referrals"
    menu_name = "referrals"
    menu_order = 160
    add_to_admin_menu = True

    def get_urlpatterns(self):
        return [
            path("", ReferralIndexView.as_view(), name="index"),
            path("new/<int:pk>/", ReferralCreateView.as_view(), name="choose_form"),
            path("new/<int:pk>/<slug:form_slug>/", ReferralCreateView.as_view(), name="add"),
            path("<int:pk>/", ReferralDetailView.as_view(), name="detail"),
            *[
                path(f"<int:pk>/{action}/", ReferralActionView.as_view(action=action), name=action)
                for action in ("accept", "decline", "ask", "answer", "withdraw")
            ],
        ]



