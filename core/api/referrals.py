"""``/referrals``: list (incoming / outgoing, by status), detail, make a referral, and
its actions — accept, decline (reason required), ask for and give more information,
withdraw — through the services the referral screens use.

A referral is seen by its parties (the two teams and the referrer) and, read only, by
those who may see the profile. The receiving team sees the referral's answers and the
minimal person summary copied when it was made; ``profile_id`` (and ``case_id``) are
null for callers who may not see that record — before an acceptance, the receiving team.
Each action needs ``If-Match`` (the referral's version); an action the referral's state
does not allow answers a problem detail naming ``status``."""


from datetime import datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from .. import access, services
from ..models import Membership, Profile, Referral, ReferralStep
from ..plugins.registry import registry
from .auth import require_write
from .common import (
    AuditedPagination,
    Id,
    IsoDateTime,
    TeamRef,
    UserRef,
    one_of,
    parents_visible_annotations,
    resolver,
    team_or_field_error,
    visible_or_field_error,
)
from .conventions import (
    IDEMPOTENT,
    IF_MATCH,
    api_channel,
    expected_version,
    idempotent,
    record_detail_read,
    set_etag,
)
from .grants import LEVEL_NAMES, LEVELS
from .problems import ERRORS, WRITE_ERRORS

ReferralStatus = one_of(Referral.Status)

router = Router(tags=["referrals"])

Level = Literal["view", "contribute", "manage"]


class StepOut(Schema):
    action: str
    label: str
    note: str
    by: str
    at: datetime

    @resolver
    def resolve_by(obj) -> str:
        return (obj.by.get_full_name() or obj.by.get_username()) if obj.by else ""


class PersonSummary(Schema):
    name: str = ""
    age: int | None = None
    gender: str = ""


class ReferralOut(Schema):
    id: int
    profile_id: int | None = Field(description="Null when the person's record is not shared with you.")
    case_id: int | None = Field(description="The case the acceptance started; null if none or not shared with you.")
    from_team: TeamRef
    to_team: TeamRef
    programme: str
    case_type: str
    form: str
    form_label: str
    answers: list[list[str]] = Field(description="[label, answer] pairs, as the referrer gave them.")
    person_summary: PersonSummary
    participant_role: str
    profile_level: Level
    referrer_case_level: Level | None
    status: ReferralStatus
    made_by: UserRef | None
    made_at: datetime
    decided_at: datetime | None
    steps: list[StepOut]
    version: int

    @resolver
    def resolve_profile_id(obj) -> int | None:
        return obj.profile_id if obj.profile_visible else None

    @resolver
    def resolve_case_id(obj) -> int | None:
        return obj.case_id if obj.case_id and obj.case_visible else None

    @resolver
    def resolve_form_label(obj) -> str:
        return obj.content.get("form_label") or obj.form

    @resolver
    def resolve_answers(obj) -> list:
        return [[str(label), str(text)] for label, text in obj.content.get("answers", [])]

    @resolver
    def resolve_profile_level(obj) -> str:
        return LEVEL_NAMES[obj.profile_level]

    @resolver
    def resolve_referrer_case_level(obj) -> str | None:
        return None if obj.referrer_case_level is None else LEVEL_NAMES[obj.referrer_case_level]

    @resolver
    def resolve_steps(obj) -> list:
        return list(obj.steps.all())


class ReferralIn(Schema):
    profile: Id = Field(..., description="The person referred (manage needed: a referral shares their record).")
    to_team: Id = Field(..., description="The receiving team (another team, of an organisation running the programme).")
    form: str = Field("generic", max_length=64, description="A referral form's slug (see GET /referrals/forms).")
    answers: dict[str, str | bool | int | list[str] | None] = Field(
        default_factory=dict, description="The referral form's fields by name.")
    from_team: Id | None = Field(None, description="Default: your team that owns the profile, else your first.")
    programme: str = Field("", max_length=64, description="For forms not tied to a programme.")
    case_type: str = Field("", max_length=64, description="For forms not tied to a programme.")
    profile_level: Level = Field("contribute", description="Access the receiving team gets if it accepts.")
    referrer_case_level: Level | None = Field("contribute", description="Access you keep to the case; null: none.")


class FormFieldOut(Schema):
    name: str
    label: str
    required: bool
    kind: str
    choices: list[list[str]]


class ReferralFormOut(Schema):
    slug: str
    label: str
    programme: str
    case_type: str
    fields: list[FormFieldOut]


class Acceptance(Schema):
    note: str = ""


class Reasoned(Schema):
    reason: str = Field(..., description="Required: said to the other side.")


class Question(Schema):
    question: str


class Answer(Schema):
    answer: str


class ReferralFilters(Schema):
    box: Literal["in", "out"] | None = Field(
        None, description="in: to one of your teams; out: from one of your teams or made by you; default both.")
    status: Literal["waiting", "closed", "submitted", "more_info", "accepted", "declined", "withdrawn"] | None = Field(
        None, description="waiting (submitted or more information asked for), closed, or one status.")
    profile: Id | None = None
    made_since: IsoDateTime | None = Field(None, description="Made at or after (ISO 8601 with zone).")


def referrals_for(user, *, listing: bool = False, many: bool = False):
    """Referrals ``user`` may see, with their steps. ``listing``: across everything the
    user may see (see ``core.access.restrict``); ``many``: a list, not one referral (see
    ``parents_visible_annotations``)."""
    return access.restrict(Referral.objects.all(), user, listing=listing).select_related(
        "from_team__organisation", "to_team__organisation", "made_by",
    ).prefetch_related(
        Prefetch("steps", queryset=ReferralStep.objects.select_related("by").order_by("at", "id")),
    ).annotate(**parents_visible_annotations(user, many=many))


def _referral_response(request, response, referral_id: int):
    referral = referrals_for(request.user).get(pk=referral_id)
    set_etag(response, referral)
    return referral


@router.get("/", response={200: list[ReferralOut], **ERRORS}, summary="List referrals you can see")
@paginate(AuditedPagination)
def list_referrals(request: HttpRequest, filters: Query[ReferralFilters]):
    # Not narrowed to a box or a person: read the union of the access arms.
    queryset = referrals_for(request.user, listing=not (filters.box or filters.profile), many=True)
    mine = Membership.objects.filter(user=request.user).values("team_id")
    if filters.box == "in":
        queryset = queryset.filter(to_team_id__in=mine)
    elif filters.box == "out":
        queryset = queryset.filter(Q(from_team_id__in=mine) | Q(made_by=request.user))
    if filters.status == "waiting":
        queryset = queryset.filter(status__in=Referral.WAITING)
    elif filters.status == "closed":
        queryset = queryset.exclude(status__in=Referral.WAITING)
    elif filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.profile:
        queryset = queryset.filter(profile_id=filters.profile)
    if filters.made_since:
        queryset = queryset.filter(made_at__gte=filters.made_since)
    request.api_list_filters = filters.model_dump()
    return queryset.order_by("-made_at", "-id")


def _field_kind(field) -> str:
    from django import forms

    for kind, cls in (("boolean", forms.BooleanField), ("multiple_choice", forms.MultipleChoiceField),
                      ("choice", forms.ChoiceField), ("date", forms.DateField), ("number", forms.DecimalField),
                      ("number", forms.IntegerField)):
        if isinstance(field, cls):
            return kind
    return "text"


@router.get("/forms", response={200: list[ReferralFormOut], **ERRORS}, summary="The referral forms and their fields")
def list_forms(request: HttpRequest):
    out = []
    for spec in sorted(registry.referral_forms.values(), key=lambda s: s.slug):
        form = spec.form_class()
        out.append({
            "slug": spec.slug, "label": str(spec.label), "programme": spec.programme or "",
            "case_type": spec.case_type or "",
            "fields": [{"name": name, "label": str(field.label or name), "required": field.required,
                        "kind": _field_kind(field),
                        "choices": [[str(v), str(lbl)] for v, lbl in getattr(field, "choices", []) if v != ""]}
                       for name, field in form.fields.items()],
        })
    return out


@router.get("/{referral_id}", response={200: ReferralOut, **ERRORS}, summary="One referral with its steps")
def get_referral(request: HttpRequest, referral_id: Id, response: HttpResponse):
    referral = access.get_object_or_404(referrals_for(request.user), request.user, pk=referral_id)
    record_detail_read(request, referral)
    set_etag(response, referral)
    return referral


def _answers_form(spec, answers: dict):
    data = {}
    for name, value in answers.items():
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = value if isinstance(value, list) else str(value)
    return spec.form_class(data)


@router.post("/", response={201: ReferralOut, **WRITE_ERRORS},
             summary="Make a referral (manage on the profile)", openapi_extra=IDEMPOTENT)
def make_referral(request: HttpRequest, payload: ReferralIn, response: HttpResponse):
    require_write(request)

    def create():
        profile = visible_or_field_error(Profile, request.user, payload.profile, "profile")
        to_team = team_or_field_error(payload.to_team, "to_team")
        from_team = team_or_field_error(payload.from_team, "from_team") if payload.from_team else None
        spec = registry.referral_forms.get(payload.form)
        if spec is None:
            raise ValidationError({"form": f"There is no referral form {payload.form!r}."})
        form = _answers_form(spec, payload.answers)
        try:
            referral = services.make_referral(
                by=request.user, profile=profile, to_team=to_team, from_team=from_team, form_slug=spec.slug,
                form=form, programme=payload.programme, case_type=payload.case_type,
                profile_level=LEVELS[payload.profile_level],
                referrer_case_level=LEVELS[payload.referrer_case_level] if payload.referrer_case_level else None,
            )
        except ValidationError as exc:
            # The form's own fields are named inside ``answers``, as the client sent them.
            if hasattr(exc, "error_dict") and not isinstance(exc, services.ConflictError):
                renamed = {(f"answers.{k}" if k in form.fields else k): v for k, v in exc.error_dict.items()}
                raise ValidationError(renamed) from exc
            raise
        return ReferralOut.from_orm(referrals_for(request.user).get(pk=referral.pk)).model_dump(mode="json")

    result = idempotent(request, response, 201, create)
    response["ETag"] = f'"{result.value["version"]}"'
    return result


def _action(name: str, summary: str, schema, call):
    def view(request: HttpRequest, referral_id: Id, payload: schema, response: HttpResponse):
        referral = access.get_object_or_404(Referral, request.user, pk=referral_id)
        require_write(request)
        version = expected_version(request, referral)
        with api_channel():
            call(referral, request.user, payload, version)
        return _referral_response(request, response, referral_id)

    view.__name__ = f"{name}_referral"
    router.post(f"/{{referral_id}}/{name}", response={200: ReferralOut, **WRITE_ERRORS}, summary=summary,
                openapi_extra=IF_MATCH, operation_id=f"{name}_referral")(view)


_action("accept", "Accept (receiving team; a case starts, owned by your team; If-Match required)", Acceptance,
        lambda r, by, p, v: services.accept_referral(r, by=by, note=p.note, expected_version=v))
_action("decline", "Decline with a reason (receiving team; If-Match required)", Reasoned,
        lambda r, by, p, v: services.decline_referral(r, by=by, reason=p.reason, expected_version=v))
_action("ask", "Ask the referrer for more information (receiving team; If-Match required)", Question,
        lambda r, by, p, v: services.ask_for_information(r, by=by, question=p.question, expected_version=v))
_action("answer", "Give the information asked for (referring team; If-Match required)", Answer,
        lambda r, by, p, v: services.give_information(r, by=by, answer=p.answer, expected_version=v))
_action("withdraw", "Withdraw with a reason (referring team; If-Match required)", Reasoned,
        lambda r, by, p, v: services.withdraw_referral(r, by=by, reason=p.reason, expected_version=v))
