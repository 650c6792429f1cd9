"""The members app's searchable pickers (core.pickers): sessions, named with their committee."""

from django.db.models import QuerySet

from zhengxie.core.permissions import org_scope_q
from zhengxie.core.pickers import Picker, register

from .models import Session


def _sessions(user) -> QuerySet:
    qs = Session.objects.order_by("-year", "-number", "organisation__path")
    return qs.none() if user is None else qs.filter(org_scope_q(user))


# "青川县政协 第九届第三次会议": a city's or the province's list spans several committees.
register(
    Picker(
        "sessions",
        _sessions,
        label_fields=("organisation__name", "name"),
        label_of=lambda org, name: f"{org} {name}",
        search_fields=("organisation__name", "name"),
        noun="会次",
    )
)
