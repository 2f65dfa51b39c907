"""``/alerts``: alerts raised by trigger rules on profiles the caller can see — list
(open, mine, by rule, profile, raised since), detail, and handling them: acknowledge,
action (note required) or dismiss (note required) through ``services.handle_alert``,
the same as the alert screen. An alert follows its profile's access: 404 outside it."""


from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from .. import access, services
from ..models import Alert, Membership
from .auth import require_write
from .common import AuditedPagination, Id, IsoDateTime, UserRef, one_of
from .conventions import api_channel, record_detail_read
from .problems import ERRORS, UNVERSIONED_WRITE_ERRORS

AlertStatus = one_of(Alert.Status)

router = Router(tags=["alerts"])



class RuleRef(Schema):
    id: int
    name: str
    kind: str


class AlertOut(Schema):
    id: int
    rule: RuleRef
    profile_id: int
    summary: str
    status: AlertStatus
    raised_at: datetime
    handled_by: UserRef | None
    handled_at: datetime | None
    note: str


class Handling(Schema):
    note: str = Field("", max_length=2000, description="Required to action or dismiss.")


class AlertFilters(Schema):
    status: AlertStatus | None = Field(None, description="open, acknowledged, actioned or dismissed.")
    mine: bool | None = Field(None, description="true: only alerts on profiles one of your teams owns.")
    rule: Id | None = None
    profile: Id | None = None
    raised_since: IsoDateTime | None = Field(None, description="Raised at or after (ISO 8601 with zone).")


def alerts_for(user):
    return access.restrict(Alert.objects.all(), user).select_related("rule", "handled_by")


@router.get("/", response={200: list[AlertOut], **ERRORS}, summary="Alerts on profiles you can see")
@paginate(AuditedPagination)
def list_alerts(request: HttpRequest, filters: Query[AlertFilters]):
    queryset = alerts_for(request.user)
    for field, lookup in (("status", "status"), ("rule", "rule_id"), ("profile", "profile_id"),
                          ("raised_since", "raised_at__gte")):
        value = getattr(filters, field)
        if value is not None:
            queryset = queryset.filter(**{lookup: value})
    if filters.mine is not None:
        owned = {"profile__owner_team_id__in": Membership.objects.filter(user=request.user).values("team_id")}
        queryset = queryset.filter(**owned) if filters.mine else queryset.exclude(**owned)
    request.api_list_filters = filters.model_dump()
    return queryset.order_by("-raised_at", "-id")


@router.get("/{alert_id}", response={200: AlertOut, **ERRORS}, summary="One alert")
def get_alert(request: HttpRequest, alert_id: Id):
    alert = access.get_object_or_404(alerts_for(request.user), request.user, pk=alert_id)
    record_detail_read(request, alert)
    return alert


def _handler(action: str, summary: str):
    def view(request: HttpRequest, alert_id: Id, payload: Handling):
        alert = access.get_object_or_404(Alert, request.user, pk=alert_id)
        require_write(request)
        with api_channel():
            services.handle_alert(alert, by=request.user, action=action, note=payload.note)
        return alerts_for(request.user).get(pk=alert_id)

    view.__name__ = f"{action}_alert"
    router.post(f"/{{alert_id}}/{action}", response={200: AlertOut, **UNVERSIONED_WRITE_ERRORS}, summary=summary,
                operation_id=f"{action}_alert")(view)


_handler("acknowledge", "Acknowledge an alert (someone is looking at it)")
_handler("action", "Close an alert as actioned, saying what was done")
_handler("dismiss", "Close an alert as dismissed, saying why")
