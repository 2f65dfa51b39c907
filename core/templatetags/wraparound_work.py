"""``{% record_work object %}``: the tasks on a profile or case and the buttons to add a
task or make a referral, for the record screens' side column (two queries)."""

from django import template

from .. import access
from ..models import Case, Task

register = template.Library()


@register.inclusion_tag("wraparound/work/record_work.html", takes_context=True)
def record_work(context, record):
    user = context["request"].user
    level = context.get("level")
    field = "case" if isinstance(record, Case) else "profile"
    tasks = list(
        access.restrict(Task.objects.filter(**{field: record}, status__in=Task.OPEN_STATUSES), user)
        .select_related("assigned_user", "assigned_team")[:10]
    )
    return {
        "record": record, "kind": field, "tasks": tasks,
        "can_contribute": bool(level and level >= access.AccessLevel.CONTRIBUTE),
        "can_refer": field == "profile" and bool(level and level >= access.AccessLevel.MANAGE),
    }
